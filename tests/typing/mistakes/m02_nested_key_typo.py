"""A misspelled key of the nested HostConfig."""

from __future__ import annotations

from docker_engine import Docker

# RUNTIME: InvalidRequestError


def main() -> None:
    with Docker.from_env() as docker:
        created = docker.containers.create(
            body={"Image": "busybox", "HostConfig": {"NetworkMod": "none"}}  # MISTAKE: 'NetworkMod' for 'NetworkMode'
        )
        print(created.id)


if __name__ == "__main__":
    main()
