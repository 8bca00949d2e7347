"""docker-py's exec_run called on the containers API with an ID."""

from __future__ import annotations

from docker_engine import Docker

# RUNTIME: AttributeError


def main() -> None:
    with Docker.from_env() as docker:
        output = docker.containers.exec_run("abc123", "ls")  # MISTAKE: exec_run is a method of the Container handle
        print(output)


if __name__ == "__main__":
    main()
