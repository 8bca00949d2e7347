"""A pinned API version: exactly v1.41's operations and fields (e.g. a Docker 20.10 fleet)."""

from __future__ import annotations

from docker_engine.v1_41 import Docker


def main() -> None:
    with Docker.from_env() as docker:
        print(docker.api_version)  # always "1.41": nothing is negotiated
        created = docker.containers.create(
            body={"Image": "busybox", "Cmd": ["sleep", "30"], "HostConfig": {"CgroupnsMode": "private"}}
        )
        docker.containers.start(created.id)
        docker.containers.kill(created.id, signal="SIGTERM")
        docker.containers.stop(created.id, t=2)
        state = docker.containers.inspect(created.id).state
        print(state.status, state.running, state.exit_code, state.finished_at)
        for c in docker.containers.list(all=True):
            print(c.id[:12], c.image, c.labels.get("com.docker.compose.project", "-"))
        for image in docker.images.list(all=True):
            print(image.id, image.repo_tags)
        docker.containers.delete(created.id)


if __name__ == "__main__":
    main()
