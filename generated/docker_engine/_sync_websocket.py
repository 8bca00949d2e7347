"""The sync twin of `docker_engine._async_websocket` (see its docstring), written from it by
`python -m generator unasync`: the same code without `await`; do not edit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._closing import Closing
from ._websocket import WebSocketBase, WebSocketCodec

if TYPE_CHECKING:
    from ._transports import UpgradedStream

__all__ = ["WebSocketStream"]


class WebSocketStream(WebSocketBase, Closing):
    """A container attached over a WebSocket: `send()` to its stdin, `recv()`
    its output (one message at a time; iterate for all), `close()`."""

    def __init__(self, conn: UpgradedStream, codec: WebSocketCodec) -> None:
        super().__init__(codec)
        self._conn = conn

    def send(self, data: bytes | str) -> None:
        """A binary message (bytes) or a text message (str)."""
        self._conn.write(self.codec.message(data))

    def recv(self) -> bytes | None:
        """The next message, or None once the connection is closed."""
        while not self._messages:
            if self.codec.closed:
                return None
            messages, reply = self.codec.feed(self._conn.read())
            if reply:
                self._conn.write(reply)
            self._messages.extend(messages)
        return self._messages.popleft()

    def __iter__(self) -> WebSocketStream:
        return self

    def __next__(self) -> bytes:
        message = self.recv()
        if message is None:
            raise StopIteration
        return message

    def close(self, code: int = 1000) -> None:
        """Send our close frame (if the daemon did not close first) and close the connection."""
        try:
            frame = self.codec.close_frame(code)
            if frame:
                self._conn.write(frame)
        except OSError:
            pass  # the daemon already went away
        finally:
            self._conn.close()
