"""A misspelled network create key."""

from __future__ import annotations

from docker_engine import Docker

# RUNTIME: InvalidRequestError


def main() -> None:
    with Docker.from_env() as docker:
        net = docker.networks.create(body={"Name": "backend", "Drivr": "bridge"})  # MISTAKE: 'Drivr' for 'Driver'
        print(net.id)


if __name__ == "__main__":
    main()
