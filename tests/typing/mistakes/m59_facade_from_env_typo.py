"""A misspelled keyword of from_env."""

from __future__ import annotations

from docker_engine import Docker

# RUNTIME: TypeError


def main() -> None:
    with Docker.from_env(timout=5) as docker:  # MISTAKE: timeout
        print(docker.api_version)


if __name__ == "__main__":
    main()
