"""A container without a healthcheck has no health."""

from __future__ import annotations

from docker_engine import Docker


def main() -> None:
    with Docker.from_env() as docker:
        status: str = docker.containers.inspect("abc123").state.health.status  # MISTAKE: health may be None
        print(status)


if __name__ == "__main__":
    main()
