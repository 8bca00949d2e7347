"""The sync runtime is written from the async one (generator/unasync.py), and is committed as written."""

from __future__ import annotations

import inspect

import pytest

from generator import unasync

SOURCE = '''"""The async thing; the sync one is written from it."""

from ._async_transports import AsyncDockerTransport
from ._hijack import AsyncHijackedStream


class AsyncAPI:
    async def call(self, client: httpx.AsyncClient) -> AsyncHijackedStream:
        """Send (asyncio)."""
        async with self.lock:
            body = await self.response.aread()
        async for chunk in self.chunks():
            await self.aclose()
        return self._streamed(body, sync=False)

    async def __aenter__(self) -> AsyncAPI:
        return self
'''


def test_words_are_rewritten_in_code_and_text() -> None:
    written = unasync.unasync(SOURCE, "_async_thing.py")
    assert written.startswith('"""The sync twin of `docker_engine._async_thing`')
    body = written.split('"""', 2)[2]
    assert "from ._transports import DockerTransport" in body and "from ._hijack import HijackedStream" in body
    assert "class SyncAPI:" in body and "def call(self, client: httpx.Client) -> HijackedStream:" in body
    assert '"""Send."""' in body and "with self.lock:" in body and "body = self.response.read()" in body
    assert "for chunk in self.chunks():" in body and "self.close()" in body and "sync=True" in body
    assert "def __enter__(self) -> SyncAPI:" in body
    assert "async" not in body.lower() and "await" not in body


def test_a_source_without_a_docstring_is_refused() -> None:
    with pytest.raises(ValueError, match=r"_async_thing\.py: no module docstring"):
        unasync.unasync("import x\n", "_async_thing.py")


def test_the_committed_sync_modules_are_what_their_sources_give() -> None:
    assert unasync.write(check=True) == []


@pytest.mark.parametrize("source", unasync.SOURCES)
def test_sync_and_async_twins_have_the_same_members(source: str) -> None:
    import importlib

    asynchronous = importlib.import_module("docker_engine." + source[:-3])
    synchronous = importlib.import_module("docker_engine." + unasync.target(source)[:-3])
    twins = {
        "aclose": "close",
        "__aenter__": "__enter__",
        "__aexit__": "__exit__",
        "__aiter__": "__iter__",
        "__anext__": "__next__",
    }
    names = {"AsyncAPI": "SyncAPI", "AsyncClientBase": "SyncClientBase"}
    assert sorted(names.get(n, n.removeprefix("Async")) for n in asynchronous.__all__) == sorted(synchronous.__all__)
    for async_name in asynchronous.__all__:
        sync_name = names.get(async_name, async_name.removeprefix("Async"))
        members = {twins.get(n, n) for n, _ in inspect.getmembers(getattr(asynchronous, async_name))}
        assert members == {n for n, _ in inspect.getmembers(getattr(synchronous, sync_name))}, sync_name
