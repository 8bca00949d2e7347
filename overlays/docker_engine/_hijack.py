"""Attach and exec with stdin: the HTTP connection upgraded to a raw socket.

The request carries `Connection: Upgrade` / `Upgrade: tcp`; the daemon answers
101 and from then on the socket carries stdin one way and the container's
output (multiplexed frames, or raw bytes for a TTY) the other. Closing our
write side (half-close) is how the container sees end-of-file on stdin while
its output keeps coming.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, NamedTuple, Self

from ._errors import failure
from ._streams import STDERR, STDOUT, Frame, FrameDecoder
from ._transports import UpgradedStream

if TYPE_CHECKING:
    from ._async_transports import AsyncUpgradedStream

__all__ = ["UPGRADE_HEADERS", "AsyncHijackedStream", "HijackedStream", "Output"]

UPGRADE_HEADERS = {"Connection": "Upgrade", "Upgrade": "tcp"}
RAW_STREAM = "application/vnd.docker.raw-stream"


class Output(NamedTuple):
    """All output of a stream, by stream."""

    stdout: bytes
    stderr: bytes


def collect(frames: list[Frame]) -> Output:
    return Output(
        b"".join(f.data for f in frames if f.stream == STDOUT),
        b"".join(f.data for f in frames if f.stream == STDERR),
    )


class _HijackedBase:
    """What the sync and async streams share: the framing of what the daemon sends."""

    def __init__(self, *, raw: bool) -> None:
        self.raw = raw
        self._decoder = FrameDecoder()
        self._closed = False

    def _frames_of(self, chunk: bytes) -> list[Frame]:
        """The frames a chunk completes; an empty chunk is the end (a cut frame raises)."""
        if self.raw:
            return [Frame(STDOUT, chunk)] if chunk else []
        if not chunk:
            self._decoder.close()
            return []
        return self._decoder.feed(chunk)


class HijackedStream(_HijackedBase):
    """Write stdin, half-close it, read the output: `with docker.exec.start_interactive(id) as s:`."""

    def __init__(self, stream: UpgradedStream, *, raw: bool) -> None:
        super().__init__(raw=raw)
        self._stream = stream

    def write(self, data: bytes) -> None:
        """Send bytes to the container's stdin."""
        self._stream.write(data)

    def close_stdin(self) -> None:
        """Half-close: stdin reaches end-of-file, output keeps coming."""
        self._stream.close_write()

    def frames(self) -> Iterator[Frame]:
        """Output frames until the container closes the stream."""
        while chunk := self._stream.read():
            yield from self._frames_of(chunk)
        self._frames_of(b"")

    def __iter__(self) -> Iterator[Frame]:
        return self.frames()

    def read_all(self) -> Output:
        """Everything until the end, as stdout and stderr bytes."""
        try:
            return collect(list(self.frames()))
        except OSError as exc:
            raise failure(exc, "", stream=True) from exc

    def close(self) -> None:
        """Close the connection (both directions)."""
        if not self._closed:
            self._closed = True
            self._stream.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class AsyncHijackedStream(_HijackedBase):
    """The asyncio twin of `HijackedStream`."""

    def __init__(self, stream: AsyncUpgradedStream, *, raw: bool) -> None:
        super().__init__(raw=raw)
        self._stream = stream

    async def write(self, data: bytes) -> None:
        """Send bytes to the container's stdin."""
        await self._stream.write(data)

    async def close_stdin(self) -> None:
        """Half-close: stdin reaches end-of-file, output keeps coming."""
        await self._stream.close_write()

    async def frames(self) -> AsyncIterator[Frame]:
        """Output frames until the container closes the stream."""
        while chunk := await self._stream.read():
            for frame in self._frames_of(chunk):
                yield frame
        self._frames_of(b"")

    def __aiter__(self) -> AsyncIterator[Frame]:
        return self.frames()

    async def read_all(self) -> Output:
        """Everything until the end, as stdout and stderr bytes."""
        try:
            return collect([frame async for frame in self.frames()])
        except OSError as exc:
            raise failure(exc, "", stream=True) from exc

    async def aclose(self) -> None:
        """Close the connection (both directions)."""
        if not self._closed:
            self._closed = True
            await self._stream.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
