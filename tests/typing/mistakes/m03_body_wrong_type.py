"""A string where the body wants a bool."""

from __future__ import annotations

from docker_engine import Docker

# RUNTIME: InvalidRequestError


def main() -> None:
    with Docker.from_env() as docker:
        created = docker.containers.create(body={"Image": "busybox", "Tty": "yes"})  # MISTAKE: Tty takes a bool
        print(created.id)


if __name__ == "__main__":
    main()
