"""`AsyncWebSocketStream`: a container attached over a WebSocket, driving `WebSocketCodec`
on the connection the daemon upgraded. The source of `_sync_websocket.py`
(`WebSocketStream`), written by `python -m generator unasync`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._closing import AsyncClosing
from ._websocket import WebSocketBase, WebSocketCodec

if TYPE_CHECKING:
    from ._async_transports import AsyncUpgradedStream

__all__ = ["AsyncWebSocketStream"]


class AsyncWebSocketStream(WebSocketBase, AsyncClosing):
    """A container attached over a WebSocket: `send()` to its stdin, `recv()`
    its output (one message at a time; iterate for all), `aclose()`."""

    def __init__(self, conn: AsyncUpgradedStream, codec: WebSocketCodec) -> None:
        super().__init__(codec)
        self._conn = conn

    async def send(self, data: bytes | str) -> None:
        """A binary message (bytes) or a text message (str)."""
        await self._conn.write(self.codec.message(data))

    async def recv(self) -> bytes | None:
        """The next message, or None once the connection is closed."""
        while not self._messages:
            if self.codec.closed:
                return None
            messages, reply = self.codec.feed(await self._conn.read())
            if reply:
                await self._conn.write(reply)
            self._messages.extend(messages)
        return self._messages.popleft()

    def __aiter__(self) -> AsyncWebSocketStream:
        return self

    async def __anext__(self) -> bytes:
        message = await self.recv()
        if message is None:
            raise StopAsyncIteration
        return message

    async def aclose(self, code: int = 1000) -> None:
        """Send our close frame (if the daemon did not close first) and close the connection."""
        try:
            frame = self.codec.close_frame(code)
            if frame:
                await self._conn.write(frame)
        except OSError:
            pass  # the daemon already went away
        finally:
            await self._conn.aclose()
