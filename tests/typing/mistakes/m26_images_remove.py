"""docker-py's images.remove."""

from __future__ import annotations

from docker_engine import Docker

# RUNTIME: AttributeError


def main() -> None:
    with Docker.from_env() as docker:
        docker.images.remove("busybox", force=True)  # MISTAKE: removing an image is images.delete
        print(docker.images.pull("busybox").id)


if __name__ == "__main__":
    main()
