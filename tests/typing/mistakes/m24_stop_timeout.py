"""docker-py's timeout for the API's t."""

from __future__ import annotations

from docker_engine import Docker

# RUNTIME: TypeError


def main() -> None:
    with Docker.from_env() as docker:
        docker.containers.stop("abc123", timeout=5)  # MISTAKE: the parameter is t


if __name__ == "__main__":
    main()
