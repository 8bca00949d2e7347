"""`containers.attach_websocket` against each daemon: stdin in, output out,
the closing handshake when the container exits, sync and async."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from docker_engine import NotFoundError

from .conftest import version_package
from .daemons import Daemon


def _streams(daemon: Daemon) -> dict[str, bool]:
    # stdin/stdout/stderr are parameters from API 1.42; before, the socket carries all three.
    attach: dict[str, bool] = {"stream": True}
    if tuple(int(p) for p in daemon.api_version.split(".")) >= (1, 42):
        attach.update(stdin=True, stdout=True, stderr=True)
    return attach


def test_websocket_echo(docker: Any, daemon: Daemon, busybox: str) -> None:
    created = docker.containers.create(
        body={"Image": busybox, "Cmd": ["cat"], "OpenStdin": True, "HostConfig": {"NetworkMode": "none"}}
    )
    try:
        docker.containers.start(created.id)
        with docker.containers.attach_websocket(created.id, **_streams(daemon)) as ws:
            ws.send(b"binary line\n")
            assert ws.recv() == b"binary line\n"
            ws.send("text line\n")
            assert ws.recv() == b"text line\n"
    finally:
        docker.containers.delete(created.id, force=True)


def test_websocket_until_the_container_exits_async(daemon: Daemon, busybox: str) -> None:
    package = version_package(daemon.api_version)

    async def main() -> tuple[list[bytes], int | None]:
        async with package.AsyncDocker(daemon.base_url) as docker:
            created = await docker.containers.create(
                body={
                    "Image": busybox,
                    "Cmd": ["sh", "-c", "read line; echo got $line; echo oops >&2"],
                    "OpenStdin": True,
                    "HostConfig": {"NetworkMode": "none"},
                }
            )
            try:
                await docker.containers.start(created.id)
                async with await docker.containers.attach_websocket(created.id, **_streams(daemon)) as ws:
                    await ws.send(b"hello\n")
                    messages = [m async for m in ws]
                return messages, ws.close_code
            finally:
                await docker.containers.delete(created.id, force=True)

    messages, code = asyncio.run(main())
    assert b"".join(messages) in (b"got hello\noops\n", b"oops\ngot hello\n")
    assert code == 1000  # the daemon closed the socket properly when the container exited


def test_websocket_to_a_missing_container(docker: Any) -> None:
    with pytest.raises(NotFoundError):
        docker.containers.attach_websocket("no-such-container", stream=True)
