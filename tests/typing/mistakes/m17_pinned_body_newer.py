"""A HostConfig field newer than the pinned version (Annotations: API 1.43)."""

from __future__ import annotations

from docker_engine.v1_41 import Docker

# RUNTIME: VersionError


def main() -> None:
    with Docker.from_env() as docker:
        created = docker.containers.create(
            body={"Image": "busybox", "HostConfig": {"Annotations": {"a": "b"}}}  # MISTAKE: v1.41 has no Annotations
        )
        print(created.id)


if __name__ == "__main__":
    main()
