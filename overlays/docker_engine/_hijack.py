"""Attach and exec with stdin: the HTTP connection upgraded to a raw socket.

The request carries `Connection: Upgrade` / `Upgrade: tcp`; the daemon answers
101 and from then on the socket carries stdin one way and the container's
output (multiplexed frames, or raw bytes for a TTY) the other. Closing our
write side (half-close) is how the container sees end-of-file on stdin while
its output keeps coming. The streams on such a connection are `_async_hijack`'s
`AsyncHijackedStream` and `HijackedStream` (`_sync_hijack`, written from it).
"""

from __future__ import annotations

from typing import NamedTuple

from ._streams import STDERR, STDOUT, Frame, FrameDecoder

__all__ = ["UPGRADE_HEADERS", "HijackedBase", "Output", "collect"]

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


class HijackedBase:
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
