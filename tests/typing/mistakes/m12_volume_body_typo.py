"""Label for Labels in a volume create body."""

from __future__ import annotations

from docker_engine import Docker

# RUNTIME: InvalidRequestError


def main() -> None:
    with Docker.from_env() as docker:
        volume = docker.volumes.create(body={"Name": "data", "Label": {"app": "demo"}})  # MISTAKE: 'Label' for 'Labels'
        print(volume.name)


if __name__ == "__main__":
    main()
