"""Labels as the CLI's list instead of a map."""

from __future__ import annotations

from docker_engine import Docker

# RUNTIME: InvalidRequestError


def main() -> None:
    with Docker.from_env() as docker:
        created = docker.containers.create(
            body={"Image": "busybox", "Labels": ["app=demo"]}  # MISTAKE: Labels is a map of str to str
        )
        print(created.id)


if __name__ == "__main__":
    main()
