"""run(detach=True) returns a Container handle, not its ID."""

from __future__ import annotations

from docker_engine import Docker


def main() -> None:
    with Docker.from_env() as docker:
        container = docker.containers.run("busybox", "sleep 60", detach=True)
        docker.containers.stop(container)  # MISTAKE: the handle is not an ID: container.stop() or .stop(container.id)


if __name__ == "__main__":
    main()
