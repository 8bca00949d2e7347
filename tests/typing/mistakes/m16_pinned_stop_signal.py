"""A parameter newer than the pinned version (signal: API 1.42)."""

from __future__ import annotations

from docker_engine.v1_41 import Docker

# RUNTIME: VersionError


def main() -> None:
    with Docker.from_env() as docker:
        docker.containers.stop("abc123", signal="SIGKILL")  # MISTAKE: v1.41 has no stop signal


if __name__ == "__main__":
    main()
