"""docker-py's images.get(name) expected to give an image object."""

from __future__ import annotations

from docker_engine import Docker


def main() -> None:
    with Docker.from_env() as docker:
        image = docker.images.get("busybox")
        image.tag(repo="registry.example.com/busybox", tag="1")  # MISTAKE: images.get is the tar export; get_image


if __name__ == "__main__":
    main()
