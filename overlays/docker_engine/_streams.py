"""Stream bodies: JSON message streams and multiplexed/raw output frames.

Decoding is pure (`JSONMessageDecoder`, `FrameDecoder` take bytes and return
items), so the sync and async streams are thin loops around the same code.
"""

from __future__ import annotations

import json
import struct
from collections.abc import AsyncIterator, Callable, Iterator
from types import TracebackType
from typing import Any, Generic, NamedTuple, Self, TypeVar

import httpx

from ._errors import StreamError

__all__ = [
    "AsyncFrameStream",
    "AsyncJSONStream",
    "Frame",
    "FrameDecoder",
    "FrameStream",
    "JSONMessageDecoder",
    "JSONStream",
]

T = TypeVar("T")

STDIN, STDOUT, STDERR, SYSTEMERR = 0, 1, 2, 3
_HEADER = struct.Struct(">BxxxL")
RAW_STREAM = "application/vnd.docker.raw-stream"


class Frame(NamedTuple):
    """A piece of container output: `stream` is 1 (stdout) or 2 (stderr)."""

    stream: int
    data: bytes


class FrameDecoder:
    """Splits the multiplexed format: an 8-byte header (stream type, 3 zero
    bytes, big-endian uint32 length), then that many bytes."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, chunk: bytes) -> list[Frame]:
        buf = self._buffer
        buf += chunk
        frames: list[Frame] = []
        pos = 0
        end = len(buf)
        while end - pos >= 8:
            kind, length = _HEADER.unpack_from(buf, pos)
            if kind > SYSTEMERR or buf[pos + 1 : pos + 4] != b"\0\0\0":
                raise StreamError(f"bad frame header {bytes(buf[pos : pos + 8])!r}: not a multiplexed stream")
            if end - pos - 8 < length:
                break
            data = bytes(buf[pos + 8 : pos + 8 + length])
            if kind == SYSTEMERR:
                raise StreamError(f"the daemon reported: {data.decode('utf-8', 'replace').strip()}")
            frames.append(Frame(kind, data))
            pos += 8 + length
        del buf[:pos]
        return frames

    def close(self) -> None:
        if self._buffer:
            raise StreamError(f"stream ended inside a frame ({len(self._buffer)} bytes left over)")


class JSONMessageDecoder(Generic[T]):
    """Decodes newline-delimited, concatenated or json-seq (RS-prefixed) JSON.

    An `error`/`errorDetail` message raises `StreamError` unless
    `raise_errors` is false.
    """

    def __init__(self, parse: Callable[[Any], T], *, raise_errors: bool = True) -> None:
        self._parse = parse
        self._raise = raise_errors
        self._pending = b""
        self._decoder = json.JSONDecoder()

    def feed(self, chunk: bytes) -> list[T]:
        data = self._pending + chunk
        cut = data.rfind(b"\n")
        if cut < 0:
            self._pending = data
            return []
        self._pending = data[cut + 1 :]
        return self._decode(data[: cut + 1])

    def close(self) -> list[T]:
        rest, self._pending = self._pending, b""
        return self._decode(rest) if rest.strip(b" \t\r\n\x1e") else []

    def _decode(self, data: bytes) -> list[T]:
        text = data.decode("utf-8")
        items: list[T] = []
        pos, end = 0, len(text)
        while True:
            while pos < end and text[pos] in " \t\r\n\x1e":
                pos += 1
            if pos >= end:
                return items
            try:
                value, pos = self._decoder.raw_decode(text, pos)
            except json.JSONDecodeError as exc:
                raise StreamError(f"invalid JSON in stream at {text[pos : pos + 60]!r}: {exc.msg}") from exc
            if self._raise and isinstance(value, dict) and (value.get("error") or value.get("errorDetail")):
                detail = value.get("errorDetail") or {}
                message = value.get("error") or (detail.get("message") if isinstance(detail, dict) else None)
                raise StreamError(str(message or value))
            items.append(self._parse(value))


class _StreamBase:
    def __init__(self, response: httpx.Response) -> None:
        self.response = response

    @property
    def headers(self) -> httpx.Headers:
        return self.response.headers


class JSONStream(_StreamBase, Generic[T]):
    """An iterator of typed messages; closing it (or leaving `with`) closes the connection."""

    def __init__(self, response: httpx.Response, parse: Callable[[Any], T]) -> None:
        super().__init__(response)
        self._decoder = JSONMessageDecoder(parse)

    def __iter__(self) -> Iterator[T]:
        try:
            for chunk in self.response.iter_bytes():
                yield from self._decoder.feed(chunk)
            yield from self._decoder.close()
        except httpx.HTTPError as exc:
            raise StreamError(f"stream broken: {exc}") from exc
        finally:
            self.response.close()

    def close(self) -> None:
        self.response.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncJSONStream(_StreamBase, Generic[T]):
    """The asyncio twin of `JSONStream`."""

    def __init__(self, response: httpx.Response, parse: Callable[[Any], T]) -> None:
        super().__init__(response)
        self._decoder = JSONMessageDecoder(parse)

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

    async def aclose(self) -> None:
        await self.response.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()


class _FramedBase(_StreamBase):
    def __init__(self, response: httpx.Response, *, raw: bool) -> None:
        super().__init__(response)
        self.raw = raw


class FrameStream(_FramedBase):
    """Container output as `Frame`s. A raw (TTY) stream comes out as stdout frames."""

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
        return b"".join(f.data for f in self if f.stream == STDOUT)

    def close(self) -> None:
        self.response.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncFrameStream(_FramedBase):
    """The asyncio twin of `FrameStream`."""

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

    async def aclose(self) -> None:
        await self.response.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
