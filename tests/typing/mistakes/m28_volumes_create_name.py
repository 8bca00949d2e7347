"""docker-py's volumes.create(name=...)."""

from __future__ import annotations

from docker_engine import Docker

# RUNTIME: TypeError


def main() -> None:
    with Docker.from_env() as docker:
        volume = docker.volumes.create(name="data")  # MISTAKE: the name goes in body={"Name": ...}
        print(volume.name)


if __name__ == "__main__":
    main()
