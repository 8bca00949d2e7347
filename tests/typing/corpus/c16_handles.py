"""Handles, as a docker-py user writes them: get, attrs, reload, methods, exec_run; sync and async."""

from __future__ import annotations

import asyncio

from docker_engine import AsyncDocker, Docker, Output
from docker_engine.v1_56.handles import Container


def describe(container: Container) -> str:
    state = container.attrs.state
    return f"{container.short_id} {container.attrs.name} {state.status} exit={state.exit_code}"


def main() -> None:
    with Docker.from_env() as docker:
        container = docker.containers.run("busybox", "sleep 60", detach=True, network_mode="none")
        print(describe(container))
        code, output = container.exec_run("echo hi", environment={"A": "1"}, workdir="/")
        print(code, output.decode())
        split = container.exec_run(["sh", "-c", "cat; echo e >&2"], stdin=b"in\n", demux=True)
        both: Output = split.output
        print(split.exit_code, both.stdout, both.stderr)
        for line in container.logs(tail="5").text_lines():
            print(line)
        container.stop(t=1)
        print(container.reload().state.status)
        container.delete(force=True)

        image = docker.images.get_image("busybox")
        print(image.short_id, image.attrs.repo_tags, [h.created_by for h in image.history()])
        image.tag(repo="busybox", tag="copy")
        for network in docker.networks.list():
            handle = docker.networks.handle(network.id)
            print(handle.attrs.name, handle.attrs.driver)
        volume = docker.volumes.get("data")
        print(volume.id, volume.attrs.mountpoint)


async def amain() -> None:
    async with AsyncDocker.from_env() as docker:
        container = await docker.containers.get("web")
        print(container.attrs.name)
        result = await container.exec_run("uname")
        print(result.exit_code, result.output)
        await container.restart()
        state = (await container.reload()).state
        print(state.running)


if __name__ == "__main__":
    main()
    asyncio.run(amain())
