"""The sync twin of `docker_engine._async_hijack` (see its docstring), written from it by
`python -m generator unasync`: the same code without `await`; do not edit."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ._closing import Closing
from ._errors import failure
from ._hijack import HijackedBase, Output, collect
from ._streams import Frame

if TYPE_CHECKING:
    from ._transports import UpgradedStream

__all__ = ["HijackedStream"]


class HijackedStream(HijackedBase, Closing):
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
            return collect([frame for frame in self.frames()])
        except OSError as exc:
            raise failure(exc, "", stream=True) from exc

    def close(self) -> None:
        """Close the connection (both directions)."""
        if not self._closed:
            self._closed = True
            self._stream.close()
