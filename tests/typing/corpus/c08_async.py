"""asyncio: the same operations awaited, several containers at once."""

from __future__ import annotations

import asyncio

from docker_engine import AsyncDocker, RunResult


async def run_one(docker: AsyncDocker, n: int) -> RunResult:
    return await docker.containers.run("busybox", ["sh", "-c", f"echo job {n}"], name=f"corpus-async-{n}")


async def main() -> None:
    async with AsyncDocker.from_env() as docker:
        print("API", docker.api_version)
        version = await docker.system.version()
        print("engine", version.version)

        results = await asyncio.gather(*(run_one(docker, n) for n in range(3)))
        for result in results:
            print(result.id[:12], result.exit_code, result.stdout)

        created = await docker.containers.create(body={"Image": "busybox", "Cmd": ["sh", "-c", "echo a; echo b >&2"]})
        await docker.containers.start(created.id)
        waited = await docker.containers.wait(created.id)
        print("exit", waited.status_code)

        logs = await docker.containers.logs(created.id)
        async for frame in logs:
            print(frame.stream, frame.data)
        print((await (await docker.containers.logs(created.id)).stdout()).decode())
        async for line in (await docker.containers.logs(created.id, stderr=True)).text_lines():
            print("line:", line)

        for c in await docker.containers.list(all=True, filters={"label": ["app=corpus"]}):
            print(c.id[:12], c.names, c.labels.get("app"))
        info = await docker.containers.inspect(created.id)
        print(info.state.status, info.state.exit_code)
        await docker.containers.delete(created.id, force=True)

        async with await docker.containers.export(created.id) as tarball:
            first = await tarball.read(512)
            print(len(first))


if __name__ == "__main__":
    asyncio.run(main())
