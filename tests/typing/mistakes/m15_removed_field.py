"""A body field that v1.56 no longer has (removed after v1.45)."""

from __future__ import annotations

from docker_engine.v1_56 import Docker

# RUNTIME: VersionError


def main() -> None:
    with Docker.from_env() as docker:
        net = docker.networks.create(
            body={"Name": "backend", "CheckDuplicate": True}  # MISTAKE: CheckDuplicate is gone
        )
        print(net.id)


if __name__ == "__main__":
    main()
