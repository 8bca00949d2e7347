"""A response model read like docker-py's low-level dicts."""

from __future__ import annotations

from docker_engine import Docker


def main() -> None:
    with Docker.from_env() as docker:
        first = docker.containers.list()[0]
        print(first["Id"])  # MISTAKE: it is first.id


if __name__ == "__main__":
    main()
