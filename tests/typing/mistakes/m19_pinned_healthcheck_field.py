"""A healthcheck field newer than the pinned version (StartInterval: API 1.44)."""

from __future__ import annotations

from docker_engine.v1_41 import Docker

# RUNTIME: VersionError


def main() -> None:
    with Docker.from_env() as docker:
        created = docker.containers.create(
            body={
                "Image": "busybox",
                "Healthcheck": {"Test": ["CMD", "true"], "StartInterval": 1_000_000_000},  # MISTAKE: v1.41 lacks it
            }
        )
        print(created.id)


if __name__ == "__main__":
    main()
