"""The create response passed where the ID is wanted."""

from __future__ import annotations

from docker_engine import Docker


def main() -> None:
    with Docker.from_env() as docker:
        created = docker.containers.create(body={"Image": "busybox"})
        docker.containers.start(created)  # MISTAKE: start takes created.id


if __name__ == "__main__":
    main()
