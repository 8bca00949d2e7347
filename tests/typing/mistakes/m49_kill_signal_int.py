"""A signal number where the API takes its name (a str)."""

from __future__ import annotations

from docker_engine import Docker


def main() -> None:
    with Docker.from_env() as docker:
        docker.containers.kill("abc123", signal=9)  # MISTAKE: signal is a str such as "SIGKILL" or "9"


if __name__ == "__main__":
    main()
