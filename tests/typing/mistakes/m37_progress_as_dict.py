"""Pull progress read as dicts."""

from __future__ import annotations

from docker_engine import Docker


def main() -> None:
    with Docker.from_env() as docker:
        for line in docker.images.create(from_image="busybox", tag="latest"):
            print(line["status"])  # MISTAKE: it is line.status


if __name__ == "__main__":
    main()
