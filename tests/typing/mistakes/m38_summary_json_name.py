"""The JSON name of a field instead of the attribute."""

from __future__ import annotations

from docker_engine import Docker


def main() -> None:
    with Docker.from_env() as docker:
        for c in docker.containers.list():
            print(c.Id)  # MISTAKE: the attribute is id


if __name__ == "__main__":
    main()
