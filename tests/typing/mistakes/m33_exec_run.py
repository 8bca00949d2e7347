"""docker-py's container.exec_run."""

from __future__ import annotations

from docker_engine import Docker

# RUNTIME: AttributeError


def main() -> None:
    with Docker.from_env() as docker:
        output = docker.containers.exec_run("abc123", "ls")  # MISTAKE: exec is docker.exec.create + start
        print(output)


if __name__ == "__main__":
    main()
