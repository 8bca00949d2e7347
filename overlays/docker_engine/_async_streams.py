"""Response bodies read as they arrive: typed JSON messages (`AsyncJSONStream`), container
output frames (`AsyncFrameStream`) and binary bodies (`AsyncBinaryStream`); each a thin loop
around the decoders of `_streams`. The source of `_sync_streams.py` (`JSONStream`,
`FrameStream`, `BinaryStream`), written by `python -m generator unasync`.

Closing a stream (or leaving `async with`) closes its connection; a stream read to its
end closes it too.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable
from typing import TYPE_CHECKING, Any, Generic, Self

import httpx

from ._closing import AsyncClosing
from ._errors import failure
from ._request import in_thread
from ._streams import (
    STDOUT,
    BinaryBody,
    BinaryWriter,
    Frame,
    FrameDecoder,
    JSONMessageDecoder,
    LineSplitter,
    StreamBase,
    T,
    awritten,
)

if TYPE_CHECKING:
    from ._build_status import BuildLedger, BuildStatus
    from ._session import BuildSession

__all__ = ["AsyncBinaryStream", "AsyncBuildKitStream", "AsyncFrameStream", "AsyncJSONStream"]


class _AsyncStream(StreamBase, AsyncClosing):
    async def aclose(self) -> None:
        """Close the connection (the rest of the body is not read)."""
        await self.response.aclose()


class AsyncJSONStream(_AsyncStream, Generic[T]):
    """An iterator of typed messages; closing it (or leaving `async with`) closes the connection."""

    def __init__(self, response: httpx.Response, parse: Callable[[Any], T]) -> None:
        super().__init__(response)
        self._decoder = JSONMessageDecoder(parse)

    def yield_errors(self) -> Self:
        """Yield an error message (`error`/`errorDetail`) like any other instead of raising StreamError."""
        self._decoder._raise = False
        return self

    async def __aiter__(self) -> AsyncIterator[T]:
        try:
            async for chunk in self.response.aiter_bytes():
                for item in self._decoder.feed(chunk):
                    yield item
            for item in self._decoder.close():
                yield item
        except httpx.HTTPError as exc:
            raise failure(exc, "", stream=True) from exc
        finally:
            await self.response.aclose()


class AsyncFrameStream(_AsyncStream):
    """Container output as `Frame`s. A raw (TTY) stream comes out as stdout frames."""

    def __init__(self, response: httpx.Response, *, raw: bool) -> None:
        super().__init__(response)
        self.raw = raw

    def __aiter__(self) -> AsyncIterator[Frame]:
        return self._frames()

    async def _frames(self) -> AsyncGenerator[Frame, None]:
        try:
            if self.raw:
                async for chunk in self.response.aiter_raw():
                    yield Frame(STDOUT, chunk)
                return
            decoder = FrameDecoder()
            async for chunk in self.response.aiter_raw():
                for frame in decoder.feed(chunk):
                    yield frame
            decoder.close()
        except httpx.HTTPError as exc:
            raise failure(exc, "", stream=True) from exc
        finally:
            await self.response.aclose()

    async def stdout(self) -> bytes:
        """All of stdout (stderr is dropped)."""
        return b"".join([f.data async for f in self if f.stream == STDOUT])

    async def text_lines(self, stream: int | None = None, *, encoding: str = "utf-8") -> AsyncIterator[str]:
        """Decoded lines (without the newline) of one stream, or of both as they come."""
        lines = LineSplitter(stream, encoding)
        frames = self._frames()
        try:
            async for frame in frames:
                for line in lines.feed(frame):
                    yield line
        finally:
            # Closes the connection when a line over the limit raises here (a generator
            # left unfinished would close it only when collected).
            await frames.aclose()
        for line in lines.close():
            yield line


class AsyncBinaryStream(BinaryBody, _AsyncStream):
    """A binary body (tar of an export, archive or image save), read as it arrives.

    Iterate for chunks, `write_to(file)` to copy it, or `read()` for all of it
    in memory. `stat` decodes `X-Docker-Container-Path-Stat` (archive).
    """

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(response)
        self._chunks: AsyncIterator[bytes] | None = None

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self._buffer:
            yield self._take_buffer()
        async for chunk in self._source():
            yield chunk

    def _source(self) -> AsyncIterator[bytes]:
        if self._chunks is None:
            self._chunks = self._iter_response()
        return self._chunks

    async def _iter_response(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self.response.aiter_bytes():
                yield chunk
        except httpx.HTTPError as exc:
            raise failure(exc, "", stream=True) from exc
        finally:
            await self.response.aclose()

    async def read(self, size: int = -1) -> bytes:
        """All the rest (`size` < 0), or up to `size` bytes: a file object for `tarfile.open(fileobj=…, mode="r|")`."""
        if size < 0:
            return b"".join([chunk async for chunk in self])
        source = self._source()
        while len(self._buffer) < size:
            chunk = await anext(source, b"")
            if not chunk:
                break
            self._buffer += chunk
        return self._take(size)

    async def write_to(self, file: BinaryWriter) -> int:
        """Copy the body into a binary file object; returns the number of bytes (see `awritten`
        for a file whose `write` is a coroutine)."""
        total = 0
        async for chunk in self:
            await awritten(file.write(chunk))
            total += len(chunk)
        return total


class AsyncBuildKitStream(AsyncClosing):
    """A BuildKit build as it runs (`images.buildkit_stream`): iterate for its `BuildStatus`
    events; once it ended, `image_id` is the image's and `statuses` all it reported. A failed
    step raises `BuildKitError`. Closing it (or leaving `async with`) before the end cancels
    the build (the daemon stops it when its connection closes) and ends its session."""

    def __init__(self, stream: AsyncJSONStream[Any], session: BuildSession, ledger: BuildLedger) -> None:
        self._stream = stream
        self._session = session
        self.ledger = ledger

    @property
    def session_id(self) -> str:
        return self._session.id

    @property
    def image_id(self) -> str | None:
        """The built image's ID, once the build ended (None before, or if it reported none)."""
        return self.ledger.image_id

    @property
    def statuses(self) -> list[BuildStatus]:
        return self.ledger.statuses

    async def __aiter__(self) -> AsyncIterator[BuildStatus]:
        try:
            async for message in self._stream.yield_errors():
                status = self.ledger.take(message)
                if status is not None:
                    yield status
        finally:
            await self.aclose()

    async def aclose(self) -> None:
        """Close the build's connection (a build still running is cancelled) and its session."""
        try:
            await self._stream.aclose()
        finally:
            await in_thread(self._session.close)
