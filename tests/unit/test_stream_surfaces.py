"""The sync and async streams have the same public surface (compared here, so
they cannot drift apart again), and the async methods behave as the sync ones
on the same canned bytes."""

from __future__ import annotations

import asyncio
import base64
import inspect
import io
import json
import struct
import tarfile
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from docker_engine._async_hijack import AsyncHijackedStream
from docker_engine._async_streams import AsyncBinaryStream, AsyncFrameStream, AsyncJSONStream
from docker_engine._async_websocket import AsyncWebSocketStream
from docker_engine._errors import StreamError
from docker_engine._hijack import Output
from docker_engine._streams import STDERR, STDOUT, Frame, LineSplitter
from docker_engine._sync_hijack import HijackedStream
from docker_engine._sync_streams import BinaryStream, FrameStream, JSONStream
from docker_engine._sync_websocket import WebSocketStream
from docker_engine._websocket import WebSocketCodec

MULTIPLEXED = "application/vnd.docker.multiplexed-stream"
RAW = "application/vnd.docker.raw-stream"

# -- the surfaces -----------------------------------------------------------------------------------------------------

# What an async twin calls what the sync class has.
RENAMED = {
    "close": "aclose",
    "__iter__": "__aiter__",
    "__next__": "__anext__",
    "__enter__": "__aenter__",
    "__exit__": "__aexit__",
}
PROTOCOL = set(RENAMED) | set(RENAMED.values())
# Public methods that do no I/O, so they are plain methods in both.
NO_IO = {"yield_errors"}


def _response(body: bytes = b"") -> httpx.Response:
    return httpx.Response(200, content=body, request=httpx.Request("GET", "http://docker/x"))


NO_CONN: Any = None  # the constructors keep the connection without touching it


def _pairs() -> list[tuple[object, object]]:
    """An instance of each sync class and of its async twin (no I/O happens)."""
    return [
        (FrameStream(_response(), raw=False), AsyncFrameStream(_response(), raw=False)),
        (JSONStream(_response(), dict), AsyncJSONStream(_response(), dict)),
        (BinaryStream(_response()), AsyncBinaryStream(_response())),
        (HijackedStream(NO_CONN, raw=False), AsyncHijackedStream(NO_CONN, raw=False)),
        (WebSocketStream(NO_CONN, WebSocketCodec()), AsyncWebSocketStream(NO_CONN, WebSocketCodec())),
    ]


PAIRS = _pairs()
IDS = [type(sync).__name__ for sync, _ in PAIRS]


def surface(obj: object) -> set[str]:
    """Public attributes (class and instance), and the iteration/context protocols it has."""
    return {n for n in dir(obj) if not n.startswith("_") or (n in PROTOCOL and hasattr(obj, n))}


def sync_to_async(name: str) -> str:
    return RENAMED.get(name, name)


def normalised(annotation: object) -> str:
    # Annotations are strings (`from __future__ import annotations`); an async
    # twin iterates with AsyncIterator where the sync class has Iterator.
    return str(annotation).replace("AsyncIterator", "Iterator")


def mismatches(sync: object, asynchronous: object) -> list[str]:
    """How the async twin's public surface differs from the sync class's."""
    problems = []
    expected = {sync_to_async(n) for n in surface(sync)}
    if missing := expected - surface(asynchronous):
        problems.append(f"missing: {sorted(missing)}")
    if extra := surface(asynchronous) - expected:
        problems.append(f"only in the async twin: {sorted(extra)}")
    for name in sorted(surface(sync)):
        if name.startswith("__"):
            continue
        mine = inspect.getattr_static(type(sync), name, None)
        twin = inspect.getattr_static(type(asynchronous), sync_to_async(name), None)
        if mine is None or twin is None:  # an instance attribute, or missing: compared by name above
            continue
        if type(mine) is not type(twin):
            problems.append(f"{name}: {type(mine).__name__} vs {type(twin).__name__}")
            continue
        if isinstance(mine, property):
            mine, twin = mine.fget, twin.fget
        if not inspect.isfunction(mine) or not inspect.isfunction(twin):
            continue
        ours, theirs = inspect.signature(mine), inspect.signature(twin)
        if [(p.name, p.kind, p.default, normalised(p.annotation)) for p in ours.parameters.values()] != [
            (p.name, p.kind, p.default, normalised(p.annotation)) for p in theirs.parameters.values()
        ]:
            problems.append(f"{name}: parameters {ours} vs {theirs}")
        if bool(mine.__doc__) != bool(twin.__doc__):
            problems.append(f"{name}: documented in one class only")
        if normalised(ours.return_annotation) != normalised(theirs.return_annotation):
            problems.append(f"{name}: returns {ours.return_annotation} vs {theirs.return_annotation}")
        if isinstance(inspect.getattr_static(type(sync), name), property) or name in NO_IO:
            if inspect.iscoroutinefunction(twin):
                problems.append(f"{name}: does no I/O, yet async in the twin")
        elif inspect.isgeneratorfunction(mine):
            if not inspect.isasyncgenfunction(twin):
                problems.append(f"{name}: a generator in the sync class, not an async generator in the twin")
        elif not inspect.iscoroutinefunction(twin):
            problems.append(f"{name}: does I/O, so it is async in the twin")
    if hasattr(sync, "__iter__") != hasattr(asynchronous, "__aiter__"):
        problems.append("iteration: __iter__ without __aiter__ (or the reverse)")
    if hasattr(sync, "__enter__") != hasattr(asynchronous, "__aenter__"):
        problems.append("`with` without `async with` (or the reverse)")
    return problems


@pytest.mark.parametrize(("sync", "asynchronous"), PAIRS, ids=IDS)
def test_async_twin_has_the_same_surface(sync: object, asynchronous: object) -> None:
    assert mismatches(sync, asynchronous) == []


@pytest.mark.parametrize(("sync", "asynchronous"), PAIRS, ids=IDS)
def test_async_twin_has_no_sync_spellings(sync: object, asynchronous: object) -> None:
    assert not hasattr(asynchronous, "__iter__")
    assert not hasattr(asynchronous, "close")


def test_the_comparison_catches_drift() -> None:
    # AsyncBinaryStream as it was before: no write_to(), read() without a size.
    class OldAsyncBinaryStream:
        def __init__(self, response: httpx.Response) -> None:
            self.response = response

        @property
        def headers(self) -> httpx.Headers:
            return self.response.headers

        @property
        def stat(self) -> Any:
            """The stat."""
            return None

        async def __aiter__(self) -> AsyncIterator[bytes]:
            yield b""

        async def read(self) -> bytes:
            """All of it."""
            return b""

        async def aclose(self) -> None:
            """Close it."""

        async def __aenter__(self) -> OldAsyncBinaryStream:
            return self

        async def __aexit__(self, *exc: object) -> None:
            pass

    problems = mismatches(BinaryStream(_response()), OldAsyncBinaryStream(_response()))
    assert problems == [
        "missing: ['write_to']",
        "read: parameters (self, size: 'int' = -1) -> 'bytes' vs (self) -> 'bytes'",
    ]


# -- canned bodies ----------------------------------------------------------------------------------------------------


def frame(stream: int, data: bytes) -> bytes:
    return struct.pack(">BxxxL", stream, len(data)) + data


class Chunks(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body in the given chunks, optionally failing after them; records closing."""

    def __init__(self, chunks: list[bytes], fail: Exception | None = None) -> None:
        self.chunks = chunks
        self.fail = fail
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks
        if self.fail is not None:
            raise self.fail

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk
        if self.fail is not None:
            raise self.fail

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


def response(body: Chunks, content_type: str = MULTIPLEXED, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(
        200,
        headers={"Content-Type": content_type, **(headers or {})},
        stream=body,
        request=httpx.Request("GET", "http://docker/x"),
    )


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def alist(items: AsyncIterator[Any]) -> list[Any]:
    return [item async for item in items]


def split_every(data: bytes, n: int) -> list[bytes]:
    return [data[i : i + n] for i in range(0, len(data), n)] or [b""]


# -- FrameStream / AsyncFrameStream -----------------------------------------------------------------------------------

OUTPUT = (
    frame(1, b"line one\nline t")
    + frame(2, b"err 1\r\n")
    + frame(1, b"wo\n")
    + frame(2, b"err \xff 2\nerr unterminated")
    + frame(1, b"\xc3\xa9t\xc3\xa9\nlast")
)


@pytest.mark.parametrize("size", [1, 3, 8, 17, len(OUTPUT)])
@pytest.mark.parametrize("stream", [None, STDOUT, STDERR])
def test_async_text_lines_equal_the_sync_ones(size: int, stream: int | None) -> None:
    sync_lines = list(FrameStream(response(Chunks(split_every(OUTPUT, size))), raw=False).text_lines(stream))
    body = Chunks(split_every(OUTPUT, size))
    async_lines = run(alist(AsyncFrameStream(response(body), raw=False).text_lines(stream)))
    assert async_lines == sync_lines
    assert body.closed


def test_async_text_lines_keep_the_streams_apart() -> None:
    body = Chunks([OUTPUT])
    assert run(alist(AsyncFrameStream(response(body), raw=False).text_lines())) == [
        "line one",
        "err 1",
        "line two",
        "err \ufffd 2",
        "été",
        "err unterminated",
        "last",
    ]
    assert run(alist(AsyncFrameStream(response(Chunks([OUTPUT])), raw=False).text_lines(STDERR))) == [
        "err 1",
        "err \ufffd 2",
        "err unterminated",
    ]


def test_async_text_lines_of_a_raw_stream_and_another_encoding() -> None:
    body = Chunks([b"caf\xe9\r\nno", b" newline"])
    lines = run(alist(AsyncFrameStream(response(body, RAW), raw=True).text_lines(encoding="latin-1")))
    assert lines == ["café", "no newline"]


def test_async_stdout_drops_stderr_and_closes() -> None:
    body = Chunks(split_every(OUTPUT, 5))
    assert run(AsyncFrameStream(response(body), raw=False).stdout()) == b"line one\nline two\n\xc3\xa9t\xc3\xa9\nlast"
    assert body.closed
    assert run(AsyncFrameStream(response(Chunks([b"raw ", b"tty"]), RAW), raw=True).stdout()) == b"raw tty"


def test_async_stdout_raises_on_a_cut_frame_or_a_broken_connection() -> None:
    body = Chunks([frame(1, b"whole"), frame(2, b"cut short")[:-2]])
    with pytest.raises(StreamError, match="left over"):
        run(AsyncFrameStream(response(body), raw=False).stdout())
    body = Chunks([frame(1, b"a")], fail=httpx.ReadError("reset"))
    with pytest.raises(StreamError, match="stream broken: reset"):
        run(alist(AsyncFrameStream(response(body), raw=False).text_lines()))
    assert body.closed


def test_line_splitter_is_pure() -> None:
    lines = LineSplitter()
    assert lines.feed(Frame(1, b"a\nb")) == ["a"]
    assert lines.feed(Frame(2, b"x")) == []
    assert lines.feed(Frame(1, b"c\r\n\n")) == ["bc", ""]
    assert lines.close() == ["x"]
    assert lines.close() == []
    only_err = LineSplitter(STDERR)
    assert only_err.feed(Frame(1, b"out\n")) == []
    assert only_err.feed(Frame(2, b"err\n")) == ["err"]


# -- BinaryStream / AsyncBinaryStream ---------------------------------------------------------------------------------

PAYLOAD = bytes(range(256)) * 40  # 10240 bytes


def chunked(size: int = 1000) -> Chunks:
    return Chunks(split_every(PAYLOAD, size))


def binary(body: Chunks, headers: dict[str, str] | None = None) -> httpx.Response:
    return response(body, "application/x-tar", headers)


@pytest.mark.parametrize("sizes", [[1, 2, 3], [999, 1, 1000, 1001], [5000, 5000, 5000], [10240], [0, 7]])
def test_async_sized_read_equals_the_sync_one(sizes: list[int]) -> None:
    sync = BinaryStream(binary(chunked()))
    expected = [sync.read(n) for n in sizes] + [sync.read()]

    async def main() -> list[bytes]:
        stream = AsyncBinaryStream(binary(chunked()))
        return [await stream.read(n) for n in sizes] + [await stream.read()]

    got = run(main())
    assert got == expected
    assert b"".join(got) == PAYLOAD


def test_async_read_after_the_end_is_empty_and_closes() -> None:
    async def main() -> None:
        body = chunked(4096)
        stream = AsyncBinaryStream(binary(body))
        assert await stream.read(20000) == PAYLOAD
        assert await stream.read(1) == b""
        assert await stream.read() == b""
        assert body.closed

    run(main())


def test_async_iteration_after_a_sized_read_starts_with_what_was_read_ahead() -> None:
    async def main() -> None:
        stream = AsyncBinaryStream(binary(chunked()))
        head = await stream.read(10)
        rest = await alist(stream.__aiter__())
        assert head + b"".join(rest) == PAYLOAD
        assert rest[0] == PAYLOAD[10:1000]

    run(main())


def test_async_write_to_a_sync_file_and_an_async_one() -> None:
    class AsyncFile:
        def __init__(self) -> None:
            self.data = bytearray()

        async def write(self, data: bytes) -> int:
            await asyncio.sleep(0)
            self.data += data
            return len(data)

    async def main() -> None:
        body = chunked(333)
        file = io.BytesIO()
        assert await AsyncBinaryStream(binary(body)).write_to(file) == len(PAYLOAD)
        assert file.getvalue() == PAYLOAD
        assert body.closed

        stream = AsyncBinaryStream(binary(chunked()))
        assert await stream.read(100) == PAYLOAD[:100]
        afile = AsyncFile()
        assert await stream.write_to(afile) == len(PAYLOAD) - 100
        assert bytes(afile.data) == PAYLOAD[100:]

    run(main())
    sync_file = io.BytesIO()
    assert BinaryStream(binary(chunked(333))).write_to(sync_file) == len(PAYLOAD)
    assert sync_file.getvalue() == PAYLOAD


def test_async_binary_broken_connection_raises_stream_error() -> None:
    body = Chunks([b"abc"], fail=httpx.RemoteProtocolError("peer closed"))

    async def main() -> None:
        stream = AsyncBinaryStream(binary(body))
        assert await stream.read(2) == b"ab"
        with pytest.raises(StreamError, match="stream broken: peer closed"):
            await stream.read(10)

    run(main())
    assert body.closed


def test_async_sized_read_feeds_a_streaming_tar_reader() -> None:
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w") as tar:
        info = tarfile.TarInfo("hello.txt")
        info.size = len(PAYLOAD)
        tar.addfile(info, io.BytesIO(PAYLOAD))
    data = archive.getvalue()

    async def main() -> bytes:
        return await AsyncBinaryStream(binary(Chunks(split_every(data, 700)))).read(len(data) + 1)

    with tarfile.open(fileobj=io.BytesIO(run(main())), mode="r|") as tar:
        member = tar.next()
        assert member is not None and member.name == "hello.txt"
        extracted = tar.extractfile(member)
        assert extracted is not None and extracted.read() == PAYLOAD


def test_stat_on_both_binary_streams() -> None:
    stat = {"name": "etc", "size": 4096, "mode": 2147484141, "mtime": "2024-01-02T03:04:05Z", "linkTarget": ""}
    header = {"X-Docker-Container-Path-Stat": base64.b64encode(json.dumps(stat).encode()).decode()}
    for cls in (BinaryStream, AsyncBinaryStream):
        decoded = cls(binary(Chunks([]), header)).stat
        assert decoded.name == "etc" and decoded.size == 4096, cls


# -- HijackedStream / AsyncHijackedStream -----------------------------------------------------------------------------


class FakeUpgraded:
    """An upgraded connection reading the given chunks, then end-of-file; records what was written."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = list(chunks)
        self.written: list[bytes] = []
        self.events: list[str] = []

    def read(self) -> bytes:
        return self.chunks.pop(0) if self.chunks else b""

    def write(self, data: bytes) -> None:
        self.written.append(data)

    def close_write(self) -> None:
        self.events.append("close_write")

    def close(self) -> None:
        self.events.append("close")


class AsyncFakeUpgraded(FakeUpgraded):
    async def read(self) -> bytes:  # type: ignore[override]
        return super().read()

    async def write(self, data: bytes) -> None:  # type: ignore[override]
        super().write(data)

    async def close_write(self) -> None:  # type: ignore[override]
        super().close_write()

    async def aclose(self) -> None:
        super().close()


HIJACKED = frame(1, b"out ") + frame(2, b"err") + frame(1, b"more")


@pytest.mark.parametrize("size", [1, 5, 9, len(HIJACKED)])
def test_hijacked_streams_read_the_same(size: int) -> None:
    chunks = split_every(HIJACKED, size)
    sync = HijackedStream(FakeUpgraded(chunks), raw=False)  # type: ignore[arg-type]
    expected = list(sync.frames())
    assert expected == [Frame(1, b"out "), Frame(2, b"err"), Frame(1, b"more")]

    async def main() -> tuple[list[Frame], Output]:
        conn = AsyncFakeUpgraded(chunks)
        async with AsyncHijackedStream(conn, raw=False) as stream:  # type: ignore[arg-type]
            await stream.write(b"stdin")
            await stream.close_stdin()
            frames = await alist(stream.__aiter__())
        assert conn.written == [b"stdin"] and conn.events == ["close_write", "close"]
        return frames, await AsyncHijackedStream(AsyncFakeUpgraded(chunks), raw=False).read_all()  # type: ignore[arg-type]

    frames, output = run(main())
    assert frames == expected
    assert output == HijackedStream(FakeUpgraded(chunks), raw=False).read_all() == Output(b"out more", b"err")  # type: ignore[arg-type]


def test_hijacked_raw_and_cut_streams() -> None:
    assert HijackedStream(FakeUpgraded([b"tty ", b"bytes"]), raw=True).read_all() == Output(b"tty bytes", b"")  # type: ignore[arg-type]
    assert run(AsyncHijackedStream(AsyncFakeUpgraded([b"tty"]), raw=True).read_all()) == Output(b"tty", b"")  # type: ignore[arg-type]
    cut = [HIJACKED[:-2]]
    with pytest.raises(StreamError, match="left over"):
        HijackedStream(FakeUpgraded(cut), raw=False).read_all()  # type: ignore[arg-type]
    with pytest.raises(StreamError, match="left over"):
        run(AsyncHijackedStream(AsyncFakeUpgraded(cut), raw=False).read_all())  # type: ignore[arg-type]


def test_sync_write_to_an_async_file_says_so_and_writes_nothing_half() -> None:
    class AsyncFile:
        async def write(self, data: bytes) -> int:
            return len(data)

    body = chunked(333)
    with pytest.raises(TypeError, match="coroutine: use AsyncDocker"):
        BinaryStream(binary(body)).write_to(AsyncFile())  # type: ignore[arg-type]
    assert body.closed  # the connection is not left open
