"""A driver option given as an int: the options are strings."""

from __future__ import annotations

from docker_engine import Docker

# RUNTIME: InvalidRequestError


def main() -> None:
    with Docker.from_env() as docker:
        volume = docker.volumes.create(body={"Name": "data", "DriverOpts": {"size": 10}})  # MISTAKE: "10"
        print(volume.name)


if __name__ == "__main__":
    main()
