"""Sync use never imports asyncio (a third of a cold import): the async transport,
`asyncio.to_thread` for credential helpers and the async watchdogs load on first
async use only."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import sys
from docker_engine import Docker
from docker_engine.v1_41 import Docker as Docker41
import docker_engine.v1_56 as v
client = v.Docker("unix:///nonexistent.sock")
for tag in ("containers", "images", "plugins", "services", "distribution", "exec", "system"):
    getattr(client, tag)
Docker("unix:///nonexistent.sock")
Docker41("unix:///nonexistent.sock")
print("asyncio" in sys.modules)
v.AsyncDocker("unix:///nonexistent.sock").containers
print("asyncio" in sys.modules)
"""


def test_sync_use_never_imports_asyncio() -> None:
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True"]


FACADE = """
import sys
from docker_engine import AsyncDocker, Docker
print(sorted(m for m in ("httpx", "asyncio", "docker_engine._transports", "docker_engine._sync_api") if m in sys.modules))
Docker("unix:///nonexistent.sock")
print(sorted(m for m in ("httpx", "asyncio", "docker_engine._transports", "docker_engine._sync_api") if m in sys.modules))
"""


def test_importing_the_facade_loads_no_http_stack() -> None:
    # A script's `--help` that imports the facade should not pay for httpx: the transport
    # loads when a client is made, the request code at the first call.
    out = subprocess.run([sys.executable, "-c", FACADE], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["[]", "['docker_engine._transports', 'httpx']"]
