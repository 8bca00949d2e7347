"""run(detach=True) returns the container ID, not an object."""

from __future__ import annotations

from docker_engine import Docker


def main() -> None:
    with Docker.from_env() as docker:
        container = docker.containers.run("busybox", "sleep 60", detach=True)
        docker.containers.stop(container.id)  # MISTAKE: container is already the ID (a str)


if __name__ == "__main__":
    main()
