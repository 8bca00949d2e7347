"""The JSON name of a version field."""

from __future__ import annotations

from docker_engine import Docker


def main() -> None:
    with Docker.from_env() as docker:
        print(docker.system.version().ApiVersion)  # MISTAKE: the attribute is api_version


if __name__ == "__main__":
    main()
