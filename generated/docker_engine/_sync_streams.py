"""The sync twin of `docker_engine._async_streams` (see its docstring), written from it by
`python -m generator unasync`: the same code without `await`; do not edit."""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from typing import TYPE_CHECKING, Any, Generic, Self

import httpx

from ._closing import Closing
from ._errors import failure
from ._request import in_place
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
    written,
)

if TYPE_CHECKING:
    from ._build_status import BuildLedger, BuildStatus
    from ._session import BuildSession

__all__ = ["BinaryStream", "BuildKitStream", "FrameStream", "JSONStream"]


class _Stream(StreamBase, Closing):
    def close(self) -> None:
        """Close the connection (the rest of the body is not read)."""
        self.response.close()


class JSONStream(_Stream, Generic[T]):
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
                for item in self._decoder.feed(chunk):
                    yield item
            for item in self._decoder.close():
                yield item
        except httpx.HTTPError as exc:
            raise failure(exc, "", stream=True) from exc
        finally:
            self.response.close()


class FrameStream(_Stream):
    """Container output as `Frame`s. A raw (TTY) stream comes out as stdout frames."""

    def __init__(self, response: httpx.Response, *, raw: bool) -> None:
        super().__init__(response)
        self.raw = raw

    def __iter__(self) -> Iterator[Frame]:
        return self._frames()

    def _frames(self) -> Generator[Frame, None, None]:
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
            raise failure(exc, "", stream=True) from exc
        finally:
            self.response.close()

    def stdout(self) -> bytes:
        """All of stdout (stderr is dropped)."""
        return b"".join([f.data for f in self if f.stream == STDOUT])

    def text_lines(self, stream: int | None = None, *, encoding: str = "utf-8") -> Iterator[str]:
        """Decoded lines (without the newline) of one stream, or of both as they come."""
        lines = LineSplitter(stream, encoding)
        frames = self._frames()
        try:
            for frame in frames:
                for line in lines.feed(frame):
                    yield line
        finally:
            # Closes the connection when a line over the limit raises here (a generator
            # left unfinished would close it only when collected).
            frames.close()
        for line in lines.close():
            yield line


class BinaryStream(BinaryBody, _Stream):
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
            raise failure(exc, "", stream=True) from exc
        finally:
            self.response.close()

    def read(self, size: int = -1) -> bytes:
        """All the rest (`size` < 0), or up to `size` bytes: a file object for `tarfile.open(fileobj=…, mode="r|")`."""
        if size < 0:
            return b"".join([chunk for chunk in self])
        source = self._source()
        while len(self._buffer) < size:
            chunk = next(source, b"")
            if not chunk:
                break
            self._buffer += chunk
        return self._take(size)

    def write_to(self, file: BinaryWriter) -> int:
        """Copy the body into a binary file object; returns the number of bytes (see `written`
        for a file whose `write` is a coroutine)."""
        total = 0
        for chunk in self:
            written(file.write(chunk))
            total += len(chunk)
        return total


class BuildKitStream(Closing):
    """A BuildKit build as it runs (`images.buildkit_stream`): iterate for its `BuildStatus`
    events; once it ended, `image_id` is the image's and `statuses` all it reported. A failed
    step raises `BuildKitError`. Closing it (or leaving `with`) before the end cancels
    the build (the daemon stops it when its connection closes) and ends its session."""

    def __init__(self, stream: JSONStream[Any], session: BuildSession, ledger: BuildLedger) -> None:
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

    def __iter__(self) -> Iterator[BuildStatus]:
        try:
            for message in self._stream.yield_errors():
                status = self.ledger.take(message)
                if status is not None:
                    yield status
        finally:
            self.close()

    def close(self) -> None:
        """Close the build's connection (a build still running is cancelled) and its session."""
        try:
            self._stream.close()
        finally:
            in_place(self._session.close)
