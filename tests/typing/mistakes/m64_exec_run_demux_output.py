"""exec_run(demux=True) gives stdout and stderr apart, not bytes."""

from __future__ import annotations

from docker_engine import Docker


def main() -> None:
    with Docker.from_env() as docker:
        container = docker.containers.get("web")
        result = container.exec_run("ls /", demux=True)
        print(result.output.decode())  # MISTAKE: with demux=True the output is Output(stdout, stderr)


if __name__ == "__main__":
    main()
