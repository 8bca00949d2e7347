"""docker-py's images.build(path=..., tag=...)."""

from __future__ import annotations

from docker_engine import Docker

# RUNTIME: TypeError


def main() -> None:
    with Docker.from_env() as docker:
        for step in docker.images.build(path=".", tag="demo:latest"):  # MISTAKE: body=Path("."), t="demo:latest"
            print(step.stream)


if __name__ == "__main__":
    main()
