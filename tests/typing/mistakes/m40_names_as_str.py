"""names is a list."""

from __future__ import annotations

from docker_engine import Docker


def main() -> None:
    with Docker.from_env() as docker:
        for c in docker.containers.list():
            print(c.names.startswith("/web"))  # MISTAKE: names is a list of names


if __name__ == "__main__":
    main()
