"""A version given to a pinned package, whose version is its own."""

from __future__ import annotations

from docker_engine.v1_41 import Docker

# RUNTIME: TypeError


def main() -> None:
    with Docker.from_env(version="1.44") as docker:  # MISTAKE: the package is the version
        print(docker.api_version)


if __name__ == "__main__":
    main()
