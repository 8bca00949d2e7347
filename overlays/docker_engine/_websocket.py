"""WebSocket (RFC 6455), the client's side, for `containers.attach_websocket`.

`WebSocketCodec` is the protocol without I/O: the handshake key and its
expected answer, frames out (masked, as a client must), messages in
(continuations joined, pings answered, the closing handshake followed).
`AsyncWebSocketStream` (`_async_websocket`) and `WebSocketStream` (`_sync_websocket`,
written from it) drive it over the connection the daemon upgraded.
"""

from __future__ import annotations

import base64
import os
from collections import deque

from ._errors import WebSocketError

__all__ = ["WebSocketBase", "WebSocketCodec", "WebSocketError"]

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
CONTINUATION, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
MAX_MESSAGE = 64 * 1024 * 1024


def _mask(payload: bytes, key: bytes) -> bytes:
    # One big-integer XOR instead of a Python loop over the bytes.
    n = len(payload)
    if not n:
        return b""
    stream = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(stream, "big")).to_bytes(n, "big")


class WebSocketCodec:
    """One client connection's protocol state."""

    def __init__(self) -> None:
        self.key = base64.b64encode(os.urandom(16)).decode()
        self.closed = False  # the closing handshake is over (or the peer vanished)
        self.close_code: int | None = None
        self._close_sent = False
        self._buffer = bytearray()
        self._fragments: list[bytes] = []  # of a message that is not complete yet
        self._fragments_size = 0

    # -- handshake -------------------------------------------------------------

    def request_headers(self) -> dict[str, str]:
        return {
            "Connection": "Upgrade",
            "Upgrade": "websocket",
            "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": self.key,
        }

    def check_accept(self, accept: str | None) -> None:
        import hashlib  # noqa: PLC0415 - only a WebSocket needs it

        expected = base64.b64encode(
            hashlib.sha1(self.key.encode() + _GUID).digest()
        ).decode()  # RFC 6455 asks for SHA-1
        if accept != expected:
            raise WebSocketError(f"WebSocket handshake failed: Sec-WebSocket-Accept {accept!r}, expected {expected!r}")

    # -- out -------------------------------------------------------------------

    def frame(self, opcode: int, payload: bytes) -> bytes:
        """One final frame, masked."""
        n = len(payload)
        if n < 126:
            head = bytes([0x80 | opcode, 0x80 | n])
        elif n < 1 << 16:
            head = bytes([0x80 | opcode, 0x80 | 126]) + n.to_bytes(2, "big")
        else:
            head = bytes([0x80 | opcode, 0x80 | 127]) + n.to_bytes(8, "big")
        key = os.urandom(4)
        return head + key + _mask(payload, key)

    def message(self, data: bytes | str) -> bytes:
        """A binary message (bytes) or a text message (str), framed."""
        if self.closed:
            raise WebSocketError("the WebSocket is closed")
        return self.frame(TEXT, data.encode()) if isinstance(data, str) else self.frame(BINARY, data)

    def close_frame(self, code: int = 1000) -> bytes:
        """Our close frame, once; b"" when it was already sent."""
        if self._close_sent:
            return b""
        self._close_sent = True
        return self.frame(CLOSE, code.to_bytes(2, "big"))

    # -- in --------------------------------------------------------------------

    def feed(self, data: bytes) -> tuple[list[bytes], bytes]:
        """The whole messages in `data` (with what came before), and the bytes
        to send back (pongs, our close). An empty `data` means the peer went away."""
        if not data:
            if not self.closed:
                self.closed = True
                if self._buffer or self._fragments:
                    raise WebSocketError("the connection closed in the middle of a WebSocket message")
            return [], b""
        if self.closed:
            return [], b""  # nothing counts after the closing handshake: not even kept
        self._buffer += data
        messages: list[bytes] = []
        # Joined once at the end: a read full of pings would be quadratic with `+=`.
        replies: list[bytes] = []
        buf = self._buffer
        pos = 0
        while not self.closed and (header := self._header(buf, pos)) is not None:
            opcode, fin, masked, offset, length = header
            end = pos + offset + (4 if masked else 0) + length
            if len(buf) < end:
                break
            payload = bytes(buf[end - length : end])
            if masked:  # servers do not mask; accept it anyway
                payload = _mask(payload, bytes(buf[pos + offset : pos + offset + 4]))
            pos = end
            if opcode >= CLOSE:
                self._control(opcode, payload, replies)
            else:
                self._data(fin, payload, messages)
        del buf[:pos]
        return messages, b"".join(replies)

    def _header(self, buf: bytearray, pos: int) -> tuple[int, bool, bool, int, int] | None:
        """The frame header at `pos` (opcode, final, masked, its length, the payload's
        length), or None until all of it came. Checked as soon as it came, without
        waiting for the payload it announces."""
        if len(buf) - pos < 2:
            return None
        first, second = buf[pos], buf[pos + 1]
        if first & 0x70:
            raise WebSocketError("a WebSocket frame with reserved bits set (no extension was agreed)")
        opcode, fin, masked = first & 0x0F, bool(first & 0x80), bool(second & 0x80)
        length, offset = second & 0x7F, 2
        if length == 126:
            if len(buf) - pos < 4:
                return None
            length, offset = int.from_bytes(buf[pos + 2 : pos + 4], "big"), 4
        elif length == 127:
            if len(buf) - pos < 10:
                return None
            length, offset = int.from_bytes(buf[pos + 2 : pos + 10], "big"), 10
        if opcode >= CLOSE:
            if opcode not in (CLOSE, PING, PONG):
                raise WebSocketError(f"unknown WebSocket control opcode {opcode:#x}")
            if not fin or length > 125:
                raise WebSocketError("a fragmented or oversized WebSocket control frame")
        else:
            self._check_data_frame(opcode, length)
        return opcode, fin, masked, offset, length

    def _check_data_frame(self, opcode: int, length: int) -> None:
        """Whether a data frame fits where it comes, and within the size of a message."""
        if opcode == CONTINUATION:
            if not self._fragments:
                raise WebSocketError("a WebSocket continuation frame without a message to continue")
        elif opcode in (TEXT, BINARY):
            if self._fragments:
                raise WebSocketError("a new WebSocket message inside a fragmented one")
        else:
            raise WebSocketError(f"unknown WebSocket opcode {opcode:#x}")
        # The limit holds for a message, whatever the number of frames it comes in.
        size = self._fragments_size + length
        if size > MAX_MESSAGE:
            raise WebSocketError(f"a WebSocket message of {size} bytes or more (more than {MAX_MESSAGE})")

    def _control(self, opcode: int, payload: bytes, replies: list[bytes]) -> None:
        """A ping is answered, a close ends the connection; a pong needs nothing."""
        if opcode == PING:
            replies.append(self.frame(PONG, payload))
        elif opcode == CLOSE:
            self.close_code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
            replies.append(self.close_frame(self.close_code if self.close_code != 1005 else 1000))
            self.closed = True

    def _data(self, fin: bool, payload: bytes, messages: list[bytes]) -> None:
        """A message is complete with its final frame."""
        self._fragments.append(payload)
        self._fragments_size += len(payload)
        if fin:
            messages.append(b"".join(self._fragments))
            self._fragments = []
            self._fragments_size = 0


class WebSocketBase:
    """What the sync and async streams share: the codec and the messages read ahead."""

    def __init__(self, codec: WebSocketCodec) -> None:
        self.codec = codec
        # Messages read but not yet returned: a deque, as taking the first of a list is linear.
        self._messages: deque[bytes] = deque()

    @property
    def close_code(self) -> int | None:
        """The status code of the daemon's close frame (1000: normal), once it came."""
        return self.codec.close_code
