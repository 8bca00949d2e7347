"""docker-py's image.tag(repository, tag) positionals."""

from __future__ import annotations

from docker_engine import Docker

# RUNTIME: TypeError


def main() -> None:
    with Docker.from_env() as docker:
        docker.images.tag("busybox", "myrepo/busybox", "v1")  # MISTAKE: repo= and tag= are keywords


if __name__ == "__main__":
    main()
