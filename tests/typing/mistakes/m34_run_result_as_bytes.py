"""docker-py's run() returns bytes; here a RunResult."""

from __future__ import annotations

from docker_engine import Docker


def main() -> None:
    with Docker.from_env() as docker:
        print(docker.containers.run("busybox", "echo hi").decode())  # MISTAKE: the output is result.stdout


if __name__ == "__main__":
    main()
