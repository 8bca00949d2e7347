"""docker-py's containers.create keywords."""

from __future__ import annotations

from docker_engine import Docker

# RUNTIME: TypeError


def main() -> None:
    with Docker.from_env() as docker:
        created = docker.containers.create(image="busybox", command="true")  # MISTAKE: the config goes in body=
        print(created.id)


if __name__ == "__main__":
    main()
