"""The query parameter's own spelling instead of snake_case."""

from __future__ import annotations

from docker_engine import Docker

# RUNTIME: TypeError


def main() -> None:
    with Docker.from_env() as docker:
        for progress in docker.images.create(fromImage="busybox", tag="latest"):  # MISTAKE: from_image
            print(progress.status)


if __name__ == "__main__":
    main()
