"""Quick start: run a command, then manage a container by hand."""

from __future__ import annotations

from docker_engine import Docker


def main() -> None:
    with Docker.from_env() as docker:
        print(f"API {docker.api_version} at {docker.base_url}")
        result = docker.containers.run("busybox", "echo hello")
        print(result.exit_code, result.stdout.decode())

        created = docker.containers.create(body={"Image": "busybox", "Cmd": ["sleep", "60"]}, name="quickstart")
        for warning in created.warnings:
            print("warning:", warning)
        docker.containers.start(created.id)
        for c in docker.containers.list(filters={"name": ["quickstart"]}):
            print(c.id[:12], c.names[0].lstrip("/"), c.state, c.status or "")
        docker.containers.stop(created.id, t=1)
        docker.containers.delete(created.id, force=True)


if __name__ == "__main__":
    main()
