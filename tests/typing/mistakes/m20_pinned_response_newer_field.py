"""A response field newer than the pinned version (API 1.48)."""

from __future__ import annotations

from docker_engine.v1_41 import Docker


def main() -> None:
    with Docker.from_env() as docker:
        for c in docker.containers.list():
            print(c.image_manifest_descriptor)  # MISTAKE: v1.41 summaries have no ImageManifestDescriptor


if __name__ == "__main__":
    main()
