"""Stream bodies: JSON message streams and multiplexed/raw output frames.

Decoding is pure (`JSONMessageDecoder`, `FrameDecoder` take bytes and return
items), so the sync and async streams are thin loops around the same code.
"""

from __future__ import annotations

import codecs
import inspect
import json
import struct
from collections.abc import AsyncIterator, Callable, Iterator
from types import TracebackType
from typing import Any, Generic, NamedTuple, Protocol, Self, TypeVar

import httpx

from ._errors import StreamError

__all__ = [
    "AsyncBinaryStream",
    "AsyncFrameStream",
    "AsyncJSONStream",
    "BinaryStream",
    "Frame",
    "FrameDecoder",
    "FrameStream",
    "JSONMessageDecoder",
    "JSONStream",
    "LineSplitter",
]

T = TypeVar("T")

STDIN, STDOUT, STDERR, SYSTEMERR = 0, 1, 2, 3
_HEADER = struct.Struct(">BxxxL")
RAW_STREAM = "application/vnd.docker.raw-stream"


class Frame(NamedTuple):
    """A piece of container output: `stream` is 1 (stdout) or 2 (stderr)."""

    stream: int
    data: bytes


_WORDS = struct.Struct(">II")
_new_frame = tuple.__new__


class FrameDecoder:
    """Splits the multiplexed format: an 8-byte header (stream type, 3 zero
    bytes, big-endian uint32 length), then that many bytes."""

    def __init__(self) -> None:
        self._rest = b""

    def feed(self, chunk: bytes) -> list[Frame]:
        data = self._rest + chunk if self._rest else chunk
        frames: list[Frame] = []
        append = frames.append
        unpack = _WORDS.unpack_from
        pos = 0
        end = len(data)
        while end - pos >= 8:
            word, length = unpack(data, pos)
            kind = word >> 24
            if kind > SYSTEMERR or word & 0xFFFFFF:
                raise StreamError(f"bad frame header {data[pos : pos + 8]!r}: not a multiplexed stream")
            start = pos + 8
            stop = start + length
            if stop > end:
                break
            if kind == SYSTEMERR:
                raise StreamError(f"the daemon reported: {data[start:stop].decode('utf-8', 'replace').strip()}")
            append(_new_frame(Frame, (kind, data[start:stop])))
            pos = stop
        self._rest = data[pos:] if pos < end else b""
        return frames

    def close(self) -> None:
        if self._rest:
            raise StreamError(f"stream ended inside a frame ({len(self._rest)} bytes left over)")


class LineSplitter:
    """Frames in, decoded lines out (without the newline, nor a `\\r` before it),
    each stream's lines kept apart; `stream` keeps one stream (None: both, as
    they come). Pure: `FrameStream.text_lines` and its async twin feed it."""

    __slots__ = ("_encoding", "_pending", "_stream")

    def __init__(self, stream: int | None = None, encoding: str = "utf-8") -> None:
        self._stream = stream
        self._encoding = encoding
        self._pending: dict[int, bytes] = {}

    def feed(self, frame: Frame) -> list[str]:
        if self._stream is not None and frame.stream != self._stream:
            return []
        data = self._pending.pop(frame.stream, b"") + frame.data
        *complete, rest = data.split(b"\n")
        if rest:
            self._pending[frame.stream] = rest
        return [line.decode(self._encoding, "replace").removesuffix("\r") for line in complete]

    def close(self) -> list[str]:
        """The unterminated last line of each stream."""
        rest, self._pending = self._pending, {}
        return [data.decode(self._encoding, "replace") for data in rest.values()]


def _maybe_cut(text: str, exc: json.JSONDecodeError) -> bool:
    """Whether a decoding error may only mean the message continues in the next chunk."""
    if exc.pos >= len(text.rstrip()) - 6:
        return True  # at the end (within an escape's length)
    # A string runs to the end; JSON strings cannot hold a raw newline, so one
    # after its start proves the message broken.
    return exc.msg.startswith("Unterminated string") and "\n" not in text[exc.pos :]


class JSONMessageDecoder(Generic[T]):
    """Decodes newline-delimited, concatenated or json-seq (RS-prefixed) JSON,
    whatever the chunk boundaries (a message may span chunks and lines).

    An `error`/`errorDetail` message raises `StreamError` unless
    `raise_errors` is false; the messages before it are returned first.
    """

    MAX_PENDING = 16 * 1024 * 1024

    def __init__(self, parse: Callable[[Any], T], *, raise_errors: bool = True) -> None:
        self._parse = parse
        self._raise = raise_errors
        self._text = ""
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self._decoder = json.JSONDecoder()
        self._error: StreamError | None = None

    def feed(self, chunk: bytes) -> list[T]:
        self._raise_pending()
        try:
            self._text += self._utf8.decode(chunk)
        except UnicodeDecodeError as exc:
            raise StreamError(f"stream is not UTF-8: {exc}") from exc
        items = self._decode(final=False)
        if len(self._text) > self.MAX_PENDING:
            raise StreamError(f"a stream message is larger than {self.MAX_PENDING} bytes or never ends")
        return items

    def close(self) -> list[T]:
        self._raise_pending()
        try:
            self._text += self._utf8.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise StreamError(f"stream is not UTF-8: {exc}") from exc
        items = self._decode(final=True)
        return items

    def _raise_pending(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _decode(self, *, final: bool) -> list[T]:
        text = self._text
        items: list[T] = []
        pos, end = 0, len(text)
        while True:
            while pos < end and text[pos] in " \t\r\n\x1e":
                pos += 1
            if pos >= end:
                self._text = ""
                return items
            try:
                value, after = self._decoder.raw_decode(text, pos)
            except json.JSONDecodeError as exc:
                if not final and _maybe_cut(text, exc):
                    self._text = text[pos:]
                    return items
                return self._fail(items, StreamError(f"invalid JSON in stream at {text[pos : pos + 60]!r}: {exc.msg}"))
            except RecursionError:
                return self._fail(items, StreamError("a stream message is nested too deeply"))
            if not final and after == end and not isinstance(value, (dict, list)):
                # A number or literal at the very end may continue in the next chunk.
                self._text = text[pos:]
                return items
            pos = after
            if self._raise and isinstance(value, dict) and (value.get("error") or value.get("errorDetail")):
                detail = value.get("errorDetail") or {}
                message = value.get("error") or (detail.get("message") if isinstance(detail, dict) else None)
                self._text = text[pos:]
                return self._fail(items, StreamError(str(message or value)))
            items.append(self._parse(value))

    def _fail(self, items: list[T], error: StreamError) -> list[T]:
        # The messages before the error (a build's output that explains it) come first.
        self._text = ""
        if not items:
            raise error
        self._error = error
        return items


class _StreamBase:
    def __init__(self, response: httpx.Response) -> None:
        self.response = response

    @property
    def headers(self) -> httpx.Headers:
        return self.response.headers


class _SyncStream(_StreamBase):
    """Closing (or leaving `with`) closes the connection."""

    def close(self) -> None:
        """Close the connection (the rest of the body is not read)."""
        self.response.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _AsyncStream(_StreamBase):
    async def aclose(self) -> None:
        """Close the connection (the rest of the body is not read)."""
        await self.response.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()


class JSONStream(_SyncStream, Generic[T]):
    """An iterator of typed messages; closing it (or leaving `with`) closes the connection."""

    def __init__(self, response: httpx.Response, parse: Callable[[Any], T]) -> None:
        super().__init__(response)
        self._decoder = JSONMessageDecoder(parse)

    def yield_errors(self) -> Self:
        """Yield an error message (`error`/`errorDetail`) like any other instead of raising StreamError."""
        self._decoder._raise = False
        return self

    def __iter__(self) -> Iterator[T]:
        try:
            for chunk in self.response.iter_bytes():
                yield from self._decoder.feed(chunk)
            yield from self._decoder.close()
        except httpx.HTTPError as exc:
            raise StreamError(f"stream broken: {exc}") from exc
        finally:
            self.response.close()


class AsyncJSONStream(_AsyncStream, Generic[T]):
    """The asyncio twin of `JSONStream`."""

    def __init__(self, response: httpx.Response, parse: Callable[[Any], T]) -> None:
        super().__init__(response)
        self._decoder = JSONMessageDecoder(parse)

    def yield_errors(self) -> Self:
        """Yield an error message like any other instead of raising StreamError."""
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
            raise StreamError(f"stream broken: {exc}") from exc
        finally:
            await self.response.aclose()


class FrameStream(_SyncStream):
    """Container output as `Frame`s. A raw (TTY) stream comes out as stdout frames."""

    def __init__(self, response: httpx.Response, *, raw: bool) -> None:
        super().__init__(response)
        self.raw = raw

    def __iter__(self) -> Iterator[Frame]:
        try:
            if self.raw:
                for chunk in self.response.iter_raw():
                    yield Frame(STDOUT, chunk)
                return
            decoder = FrameDecoder()
            for chunk in self.response.iter_raw():
                yield from decoder.feed(chunk)
            decoder.close()
        except httpx.HTTPError as exc:
            raise StreamError(f"stream broken: {exc}") from exc
        finally:
            self.response.close()

    def stdout(self) -> bytes:
        """All of stdout (stderr is dropped)."""
        return b"".join(f.data for f in self if f.stream == STDOUT)

    def text_lines(self, stream: int | None = None, *, encoding: str = "utf-8") -> Iterator[str]:
        """Decoded lines (without the newline) of one stream, or of both as they come."""
        lines = LineSplitter(stream, encoding)
        for frame in self:
            yield from lines.feed(frame)
        yield from lines.close()


class AsyncFrameStream(_AsyncStream):
    """The asyncio twin of `FrameStream`."""

    def __init__(self, response: httpx.Response, *, raw: bool) -> None:
        super().__init__(response)
        self.raw = raw

    async def __aiter__(self) -> AsyncIterator[Frame]:
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
            raise StreamError(f"stream broken: {exc}") from exc
        finally:
            await self.response.aclose()

    async def stdout(self) -> bytes:
        """All of stdout (stderr is dropped)."""
        return b"".join([f.data async for f in self if f.stream == STDOUT])

    async def text_lines(self, stream: int | None = None, *, encoding: str = "utf-8") -> AsyncIterator[str]:
        """Decoded lines (without the newline) of one stream, or of both as they come."""
        lines = LineSplitter(stream, encoding)
        async for frame in self:
            for line in lines.feed(frame):
                yield line
        for line in lines.close():
            yield line


class BinaryWriter(Protocol):
    """What `write_to` writes to: a binary file (`open(…, "wb")`, `io.BytesIO`, …)."""

    def write(self, data: bytes, /) -> object: ...


class _BinaryBody(_StreamBase):
    """What `BinaryStream` and `AsyncBinaryStream` share: the bytes read ahead by a
    sized `read()`, and the archive's `stat`."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(response)
        self._buffer = b""

    def _take_buffer(self) -> bytes:
        data, self._buffer = self._buffer, b""
        return data

    def _take(self, size: int) -> bytes:
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    @property
    def stat(self) -> Any:
        """`X-Docker-Container-Path-Stat` decoded (a `PathStat`; archive downloads only)."""
        from ._archive import path_stat_from_headers  # noqa: PLC0415 - only archive() needs it

        return path_stat_from_headers(self.response.headers)


class BinaryStream(_BinaryBody, _SyncStream):
    """A binary body (tar of an export, archive or image save), read as it arrives.

    Iterate for chunks, `write_to(file)` to copy it, or `read()` for all of it
    in memory. `stat` decodes `X-Docker-Container-Path-Stat` (archive).
    """

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(response)
        self._chunks: Iterator[bytes] | None = None

    def __iter__(self) -> Iterator[bytes]:
        if self._buffer:
            yield self._take_buffer()
        yield from self._source()

    def _source(self) -> Iterator[bytes]:
        if self._chunks is None:
            self._chunks = self._iter_response()
        return self._chunks

    def _iter_response(self) -> Iterator[bytes]:
        try:
            yield from self.response.iter_bytes()
        except httpx.HTTPError as exc:
            raise StreamError(f"stream broken: {exc}") from exc
        finally:
            self.response.close()

    def read(self, size: int = -1) -> bytes:
        """All the rest (`size` < 0), or up to `size` bytes: a file object for `tarfile.open(fileobj=…, mode="r|")`."""
        if size < 0:
            return b"".join(self)
        source = self._source()
        while len(self._buffer) < size:
            chunk = next(source, b"")
            if not chunk:
                break
            self._buffer += chunk
        return self._take(size)

    def write_to(self, file: BinaryWriter) -> int:
        """Copy the body into a binary file object; returns the number of bytes."""
        total = 0
        for chunk in self:
            file.write(chunk)
            total += len(chunk)
        return total


class AsyncBinaryStream(_BinaryBody, _AsyncStream):
    """The asyncio twin of `BinaryStream`."""

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
            raise StreamError(f"stream broken: {exc}") from exc
        finally:
            await self.response.aclose()

    async def read(self, size: int = -1) -> bytes:
        """All the rest (`size` < 0), or up to `size` bytes."""
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
        """Copy the body into a binary file object; returns the number of bytes. A
        plain file is written in the event loop (a local write lands in the page
        cache); a file whose `write` is a coroutine (aiofiles) is awaited."""
        total = 0
        async for chunk in self:
            written = file.write(chunk)
            if inspect.isawaitable(written):
                await written
            total += len(chunk)
        return total
