"""docker-py's container.remove() on a handle."""

from __future__ import annotations

from docker_engine import Docker

# RUNTIME: AttributeError


def main() -> None:
    with Docker.from_env() as docker:
        container = docker.containers.handle("abc123")
        container.remove(force=True)  # MISTAKE: removing a container is delete()


if __name__ == "__main__":
    main()
