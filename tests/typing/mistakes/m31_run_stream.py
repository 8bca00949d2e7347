"""A docker-py run keyword that run() does not take."""

from __future__ import annotations

from docker_engine import Docker

# RUNTIME: TypeError


def main() -> None:
    with Docker.from_env() as docker:
        result = docker.containers.run("busybox", "true", mem_limit="64m")  # MISTAKE: not a run() keyword
        print(result)


if __name__ == "__main__":
    main()
