"""all_ for all."""

from __future__ import annotations

from docker_engine import Docker

# RUNTIME: TypeError


def main() -> None:
    with Docker.from_env() as docker:
        for c in docker.containers.list(all_=True):  # MISTAKE: the parameter is all
            print(c.id)


if __name__ == "__main__":
    main()
