"""A misspelled key in a body built as an annotated variable."""

from __future__ import annotations

from docker_engine import Docker
from docker_engine.v1_56.dicts import HostConfigDict

# RUNTIME: InvalidRequestError


def main() -> None:
    with Docker.from_env() as docker:
        host: HostConfigDict = {"NetworkMode": "none", "Privilegd": True}  # MISTAKE: 'Privilegd' for 'Privileged'
        created = docker.containers.create(body={"Image": "busybox", "HostConfig": host})
        print(created.id)


if __name__ == "__main__":
    main()
