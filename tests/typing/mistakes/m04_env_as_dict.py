"""docker-py's environment dict put in the API's Env list."""

from __future__ import annotations

from docker_engine import Docker

# RUNTIME: InvalidRequestError


def main() -> None:
    with Docker.from_env() as docker:
        created = docker.containers.create(
            body={"Image": "busybox", "Env": {"MODE": "batch"}}  # MISTAKE: Env is a list of "K=V"
        )
        print(created.id)


if __name__ == "__main__":
    main()
