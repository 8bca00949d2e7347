"""docker-py's run(stream=True), which run() does not take."""

from __future__ import annotations

from docker_engine import Docker

# RUNTIME: TypeError


def main() -> None:
    with Docker.from_env() as docker:
        result = docker.containers.run("busybox", "echo hi", stream=True)  # MISTAKE: on_output= or detach + logs
        print(result)


if __name__ == "__main__":
    main()
