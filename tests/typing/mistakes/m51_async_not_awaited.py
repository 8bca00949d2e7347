"""A coroutine never awaited: nothing is listed."""

from __future__ import annotations

import asyncio

from docker_engine import AsyncDocker


async def main() -> None:
    async with AsyncDocker.from_env() as docker:
        docker.containers.list()  # MISTAKE: not awaited


if __name__ == "__main__":
    asyncio.run(main())
