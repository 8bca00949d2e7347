"""A plain for over an async stream."""

from __future__ import annotations

import asyncio

from docker_engine import AsyncDocker


async def main() -> None:
    async with AsyncDocker.from_env() as docker:
        for frame in await docker.containers.logs("abc123"):  # MISTAKE: async for
            print(frame.data)


if __name__ == "__main__":
    asyncio.run(main())
