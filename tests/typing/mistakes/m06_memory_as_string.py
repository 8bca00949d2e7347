"""docker-py's mem_limit spelling in HostConfig.Memory."""

from __future__ import annotations

from docker_engine import Docker

# RUNTIME: InvalidRequestError


def main() -> None:
    with Docker.from_env() as docker:
        created = docker.containers.create(
            body={"Image": "busybox", "HostConfig": {"Memory": "64m"}}  # MISTAKE: Memory is bytes, an int
        )
        print(created.id)


if __name__ == "__main__":
    main()
