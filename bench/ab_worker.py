"""One side of `bench/ab.py`: per-call µs of a few calls, sync and async, as JSON on stdout: the
wall time, and the CPU time of this process alone (the client's own cost, without the daemon's)."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable

from docker_engine.v1_41 import AsyncDocker, Docker


def per_call(call: Callable[[], object], n: int) -> tuple[float, float]:
    for _ in range(max(n // 10, 5)):
        call()
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        call()
    return (time.perf_counter() - wall) / n * 1e6, (time.process_time() - cpu) / n * 1e6


async def async_per_call(call: Callable[[], Awaitable[object]], n: int) -> tuple[float, float]:
    for _ in range(max(n // 10, 5)):
        await call()
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        await call()
    return (time.perf_counter() - wall) / n * 1e6, (time.process_time() - cpu) / n * 1e6


async def async_calls(host: str, container: str) -> dict[str, tuple[float, float]]:
    async with AsyncDocker(host) as docker:
        return {
            "async ping": await async_per_call(docker.system.ping, 2000),
            "async inspect": await async_per_call(lambda: docker.containers.inspect(container), 1000),
            "async image list": await async_per_call(docker.images.list, 500),
            "async list all": await async_per_call(lambda: docker.containers.list(all=True), 20),
        }


def main() -> None:
    host, container = "unix://" + sys.argv[1], sys.argv[2]
    with Docker(host) as docker:
        out = {
            "ping": per_call(docker.system.ping, 2000),
            "inspect": per_call(lambda: docker.containers.inspect(container), 1000),
            "image list": per_call(docker.images.list, 500),
            "list all": per_call(lambda: docker.containers.list(all=True), 20),
        }
    out.update(asyncio.run(async_calls(host, container)))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
