"""docker-py's logs(stream=True)."""

from __future__ import annotations

from docker_engine import Docker

# RUNTIME: TypeError


def main() -> None:
    with Docker.from_env() as docker:
        for frame in docker.containers.logs("abc123", stream=True):  # MISTAKE: the parameter is follow
            print(frame.data)


if __name__ == "__main__":
    main()
