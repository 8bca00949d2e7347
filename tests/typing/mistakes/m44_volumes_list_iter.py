"""docker-py's volumes.list() is a list; here a response with .volumes."""

from __future__ import annotations

from docker_engine import Docker


def main() -> None:
    with Docker.from_env() as docker:
        for volume in docker.volumes.list():  # MISTAKE: iterate .volumes
            print(volume)


if __name__ == "__main__":
    main()
