"""docker-py's exec_start(detach=True) as a keyword."""

from __future__ import annotations

from docker_engine import Docker

# RUNTIME: TypeError


def main() -> None:
    with Docker.from_env() as docker:
        stream = docker.exec.start("0123abcd", detach=True)  # MISTAKE: it goes in body={"Detach": True}
        print(stream)


if __name__ == "__main__":
    main()
