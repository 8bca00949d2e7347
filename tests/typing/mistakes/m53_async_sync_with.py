"""`with` on the async client."""

from __future__ import annotations

import asyncio

from docker_engine import AsyncDocker

# RUNTIME: TypeError


async def main() -> None:
    with AsyncDocker.from_env() as docker:  # MISTAKE: async with
        print(await docker.containers.list())


if __name__ == "__main__":
    asyncio.run(main())
