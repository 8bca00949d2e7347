"""`AsyncHijackedStream`: a container's stdin and output on the connection the daemon
upgraded (attach, exec). The source of `_sync_hijack.py` (`HijackedStream`), written by
`python -m generator unasync`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from ._closing import AsyncClosing
from ._errors import failure
from ._hijack import HijackedBase, Output, collect
from ._streams import Frame

if TYPE_CHECKING:
    from ._async_transports import AsyncUpgradedStream

__all__ = ["AsyncHijackedStream"]


class AsyncHijackedStream(HijackedBase, AsyncClosing):
    """Write stdin, half-close it, read the output: `async with docker.exec.start_interactive(id) as s:`."""

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
