"""The JSON name of a nested field."""

from __future__ import annotations

from docker_engine import Docker


def main() -> None:
    with Docker.from_env() as docker:
        print(docker.containers.inspect("abc123").state.Status)  # MISTAKE: the attribute is status


if __name__ == "__main__":
    main()
