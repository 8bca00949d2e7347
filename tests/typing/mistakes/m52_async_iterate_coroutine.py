"""Iterating the coroutine instead of its result."""

from __future__ import annotations

import asyncio

from docker_engine import AsyncDocker

# RUNTIME: TypeError


async def main() -> None:
    async with AsyncDocker.from_env() as docker:
        for c in docker.containers.list():  # MISTAKE: await docker.containers.list()
            print(c.id)


if __name__ == "__main__":
    asyncio.run(main())
