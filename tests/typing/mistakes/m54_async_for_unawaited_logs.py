"""async for over the coroutine that returns the stream."""

from __future__ import annotations

import asyncio

from docker_engine import AsyncDocker

# RUNTIME: TypeError


async def main() -> None:
    async with AsyncDocker.from_env() as docker:
        async for frame in docker.containers.logs("abc123"):  # MISTAKE: async for frame in await ...logs(...)
            print(frame.data)


if __name__ == "__main__":
    asyncio.run(main())
