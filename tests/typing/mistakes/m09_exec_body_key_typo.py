"""An exec body key with the wrong capitalisation."""

from __future__ import annotations

from docker_engine import Docker

# RUNTIME: InvalidRequestError


def main() -> None:
    with Docker.from_env() as docker:
        exec_id = docker.exec.create("abc123", body={"Cmd": ["ls"], "AttachStdOut": True}).id  # MISTAKE: 'AttachStdout'
        print(exec_id)


if __name__ == "__main__":
    main()
