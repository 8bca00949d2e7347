"""A pinned version, asynchronously: v1.44's exact types with AsyncDocker."""

from __future__ import annotations

import asyncio

from docker_engine.v1_44 import AsyncDocker


async def main() -> None:
    async with AsyncDocker.from_env(timeout=30) as docker:
        print(docker.api_version)
        created = await docker.containers.create(
            body={
                "Image": "busybox",
                "Cmd": ["sleep", "5"],
                "Healthcheck": {"Test": ["CMD", "true"], "StartInterval": 1_000_000_000},
                "HostConfig": {"Annotations": {"team": "corpus"}},
            }
        )
        await docker.containers.start(created.id)
        await docker.containers.stop(created.id, signal="SIGINT", t=2)
        stream = await docker.containers.logs(created.id, tail="5")
        print((await stream.stdout()).decode())
        for summary in await docker.images.list(shared_size=True):
            print(summary.id, summary.shared_size)
        state = (await docker.containers.inspect(created.id)).state
        print(state.status, state.exit_code)
        await docker.containers.delete(created.id)


if __name__ == "__main__":
    asyncio.run(main())
