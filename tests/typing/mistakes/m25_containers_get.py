"""docker-py's containers.get."""

from __future__ import annotations

from docker_engine import Docker

# RUNTIME: AttributeError


def main() -> None:
    with Docker.from_env() as docker:
        container = docker.containers.get("abc123")  # MISTAKE: it is containers.inspect
        print(container)


if __name__ == "__main__":
    main()
