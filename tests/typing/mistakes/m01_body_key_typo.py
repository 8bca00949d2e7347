"""A misspelled top-level key of a create body."""

from __future__ import annotations

from docker_engine import Docker

# RUNTIME: InvalidRequestError


def main() -> None:
    with Docker.from_env() as docker:
        created = docker.containers.create(body={"Imagee": "busybox", "Cmd": ["true"]})  # MISTAKE: 'Imagee' for 'Image'
        print(created.id)


if __name__ == "__main__":
    main()
