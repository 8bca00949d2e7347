"""docker-py's container.stop(timeout=...) on a handle."""

from __future__ import annotations

from docker_engine import Docker

# RUNTIME: TypeError


def main() -> None:
    with Docker.from_env() as docker:
        container = docker.containers.handle("abc123")
        container.stop(timeout=1)  # MISTAKE: the API's parameter is t


if __name__ == "__main__":
    main()
