"""A model built with JSON names instead of attribute names."""

from __future__ import annotations

from docker_engine import Docker
from docker_engine.v1_56.models import ContainerCreateRequest

# RUNTIME: TypeError


def main() -> None:
    with Docker.from_env() as docker:
        body = ContainerCreateRequest(Image="busybox")  # MISTAKE: the attribute is image
        print(docker.containers.create(body=body).id)


if __name__ == "__main__":
    main()
