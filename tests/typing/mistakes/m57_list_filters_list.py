"""Filters written as the CLI's --filter strings."""

from __future__ import annotations

from docker_engine import Docker


def main() -> None:
    with Docker.from_env() as docker:
        for c in docker.containers.list(filters=["status=running"]):  # MISTAKE: filters maps a name to values
            print(c.id)


if __name__ == "__main__":
    main()
