"""An image list parameter newer than the pinned version (API 1.42)."""

from __future__ import annotations

from docker_engine.v1_41 import Docker

# RUNTIME: VersionError


def main() -> None:
    with Docker.from_env() as docker:
        images = docker.images.list(shared_size=True)  # MISTAKE: v1.41 has no shared-size
        print(len(images))


if __name__ == "__main__":
    main()
