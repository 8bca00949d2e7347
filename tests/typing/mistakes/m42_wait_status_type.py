"""The exit status is an int."""

from __future__ import annotations

from docker_engine import Docker


def main() -> None:
    with Docker.from_env() as docker:
        code: str = docker.containers.wait("abc123").status_code  # MISTAKE: status_code is an int
        print(code)


if __name__ == "__main__":
    main()
