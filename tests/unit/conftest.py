"""Fixtures shared by the unit tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .fake_server import Handler, Server


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[[Handler], Server]]:
    servers: list[Server] = []

    def start(handler: Handler) -> Server:
        server = Server(tmp_path / f"docker{len(servers)}.sock", handler)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop.set()
    for server in servers:
        server.close()
