"""A container's whole life: create with a host config, inspect its state, wait, remove."""

from __future__ import annotations

from docker_engine import Docker, NotFoundError


def create_worker(docker: Docker, name: str) -> str:
    created = docker.containers.create(
        name=name,
        body={
            "Image": "busybox",
            "Cmd": ["sh", "-c", "echo working; sleep 2; exit 3"],
            "Env": ["MODE=batch", "LEVEL=2"],
            "Labels": {"app": "corpus", "role": "worker"},
            "WorkingDir": "/tmp",
            "Tty": False,
            "StopTimeout": 5,
            "HostConfig": {
                "NetworkMode": "none",
                "Memory": 64 * 1024 * 1024,
                "RestartPolicy": {"Name": "no"},
                "Binds": ["/tmp:/host-tmp:ro"],
                "AutoRemove": False,
            },
        },
    )
    return created.id


def main() -> None:
    with Docker.from_env() as docker:
        cid = create_worker(docker, "corpus-worker")
        docker.containers.start(cid)

        info = docker.containers.inspect(cid)
        state = info.state
        print(f"{info.name}: {state.status} running={state.running} pid={state.pid}")
        if state.health:
            print("health:", state.health.status)

        waited = docker.containers.wait(cid, condition="not-running")
        print("exit status", waited.status_code)
        if waited.error and waited.error.message:
            print("wait error:", waited.error.message)

        after = docker.containers.inspect(cid).state
        print("exit code", after.exit_code, "oom killed:", after.oom_killed)

        top_level_labels = info.config.labels if info.config else None
        if top_level_labels is not None:
            for key, value in top_level_labels.items():
                print(f"label {key}={value}")

        docker.containers.delete(cid, v=True)
        try:
            docker.containers.inspect(cid)
        except NotFoundError as exc:
            print("gone:", exc.status_code, exc.message)


if __name__ == "__main__":
    main()
