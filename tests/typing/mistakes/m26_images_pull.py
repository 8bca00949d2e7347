"""docker-py's images.pull."""

from __future__ import annotations

from docker_engine import Docker

# RUNTIME: AttributeError


def main() -> None:
    with Docker.from_env() as docker:
        image = docker.images.pull("busybox")  # MISTAKE: pulling is images.create(from_image=...)
        print(image)


if __name__ == "__main__":
    main()
