"""A minimal HTTP/1.1 client codec, without I/O.

Only what the Docker daemon speaks: requests with a Content-Length or chunked
body; responses delimited by Content-Length, chunked encoding, or the end of
the connection; 101 Switching Protocols for attach/exec. `ResponseParser`
takes bytes and returns events; the sync and async connections in
`_transports` drive it.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["Body", "End", "Head", "ProtocolError", "ResponseParser", "encode_chunk", "encode_head"]

MAX_HEAD = 64 * 1024


class ProtocolError(Exception):
    """The peer did not speak HTTP/1.1 as expected."""


class Head:
    __slots__ = ("_by_name", "headers", "reason", "status")

    def __init__(
        self, status: int, reason: bytes, headers: list[tuple[bytes, bytes]], by_name: dict[bytes, bytes]
    ) -> None:
        self.status = status
        self.reason = reason
        self.headers = headers
        self._by_name = by_name  # the first value of each lower-cased name, for `get`

    def get(self, name: bytes) -> bytes | None:
        """The first value of header `name`, given in lower case."""
        return self._by_name.get(name)


class Body:
    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data


class End:
    """The response is complete; `reusable` tells whether the connection may serve another."""

    __slots__ = ("reusable",)

    def __init__(self, reusable: bool) -> None:
        self.reusable = reusable


Event = Head | Body | End


def encode_head(method: str, target: str, host: str, headers: Iterable[tuple[str, str]], length: int | None) -> bytes:
    """Request line and headers; `length` None means a chunked body follows."""
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}"]
    lines.extend(f"{k}: {v}" for k, v in headers)
    if length is None:
        lines.append("Transfer-Encoding: chunked")
    elif length or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def encode_chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data) if data else b""


class ResponseParser:
    """Parses one response. Feed it bytes; an empty feed means the peer closed."""

    def __init__(self, method: str) -> None:
        self._method = method
        self._buffer = bytearray()
        self._state = "head"  # head, length, chunk-size, chunk-data, chunk-crlf, trailer, eof, done
        self._remaining = 0
        self._keep_alive = True
        self.head: Head | None = None

    @property
    def done(self) -> bool:
        return self._state == "done"

    def leftover(self) -> bytes:
        """Bytes after the response (the start of an upgraded stream)."""
        data = bytes(self._buffer)
        self._buffer.clear()
        return data

    def feed(self, data: bytes) -> list[Event]:
        closed = not data
        if closed and self._state == "eof":
            self._state = "done"
            return [End(False)]
        if closed and self._state != "done":
            where = "before the response head" if self._state == "head" else "inside the response body"
            raise ProtocolError(f"connection closed {where}")
        # Parse the new bytes in place unless a partial line or head is
        # waiting: a body that arrives whole then leaves without a copy.
        buf: bytes | bytearray
        if self._buffer:
            self._buffer += data
            buf = self._buffer
        else:
            buf = data
        events: list[Event] = []
        # The body bytes of one feed leave as one event: a daemon writes a
        # chunk per log line, and per-chunk events would cost more than the data.
        pieces: list[bytes] = []
        size = len(buf)
        pos = 0
        end_of_response = False
        while not end_of_response:
            state = self._state
            if state == "head":
                end = buf.find(b"\r\n\r\n", pos)
                if end < 0:
                    if size - pos > MAX_HEAD:
                        raise ProtocolError("response head too large")
                    break
                events.append(self._parse_head(bytes(buf[pos:end])))
                pos = end + 4
                end_of_response = self._state == "done"
            elif state == "length" or state == "chunk-data":
                take = min(size - pos, self._remaining)
                if take <= 0:
                    break
                pieces.append(buf if take == size and type(buf) is bytes else bytes(buf[pos : pos + take]))
                pos += take
                self._remaining -= take
                if self._remaining == 0:
                    if state == "length":
                        self._state = "done"
                        end_of_response = True
                    else:
                        self._state = "chunk-crlf"
            elif state == "chunk-size":
                end = buf.find(b"\r\n", pos)
                if end < 0:
                    break
                line = bytes(buf[pos:end]).split(b";", 1)[0].strip()
                pos = end + 2
                try:
                    self._remaining = int(line, 16)
                except ValueError:
                    raise ProtocolError(f"bad chunk size {line!r}") from None
                self._state = "chunk-data" if self._remaining else "trailer"
            elif state == "chunk-crlf":
                if size - pos < 2:
                    break
                if buf[pos : pos + 2] != b"\r\n":
                    raise ProtocolError("chunk not followed by CRLF")
                pos += 2
                self._state = "chunk-size"
            elif state == "trailer":
                end = buf.find(b"\r\n", pos)
                if end < 0:
                    break
                empty = end == pos
                pos = end + 2
                if empty:
                    self._state = "done"
                    end_of_response = True
            elif state == "eof":
                if pos < size:
                    pieces.append(buf if pos == 0 and type(buf) is bytes else bytes(buf[pos:]))
                    pos = size
                break
            else:
                break
        if buf is self._buffer:
            del self._buffer[:pos]
        elif pos < size:
            self._buffer = bytearray(buf[pos:])
        if pieces:
            events.append(Body(pieces[0] if len(pieces) == 1 else b"".join(pieces)))
        if end_of_response:
            events.append(End(self._keep_alive))
        return events

    def _parse_head(self, raw: bytes) -> Head:
        lines = raw.split(b"\r\n")
        parts = lines[0].split(b" ", 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
            raise ProtocolError(f"not an HTTP/1.x response: {lines[0][:80]!r}")
        try:
            status = int(parts[1])
        except ValueError:
            raise ProtocolError(f"bad status line {lines[0][:80]!r}") from None
        headers = []
        by_name: dict[bytes, bytes] = {}
        for line in lines[1:]:
            name, sep, value = line.partition(b":")
            if not sep:
                raise ProtocolError(f"bad header line {line[:80]!r}")
            name = name.strip()
            value = value.strip()
            headers.append((name, value))
            by_name.setdefault(name.lower(), value)
        head = Head(status, parts[2] if len(parts) > 2 else b"", headers, by_name)
        self.head = head
        connection = (head.get(b"connection") or b"").lower()
        self._keep_alive = parts[0] == b"HTTP/1.1" and connection != b"close"
        if status == 101:
            self._keep_alive = False
            self._state = "done"
        elif status in (204, 304) or 100 <= status < 200 or self._method == "HEAD":
            self._state = "done"
        elif (head.get(b"transfer-encoding") or b"").lower() == b"chunked":
            self._state = "chunk-size"
        elif (length := head.get(b"content-length")) is not None:
            try:
                self._remaining = int(length)
            except ValueError:
                raise ProtocolError(f"bad Content-Length {length!r}") from None
            self._state = "length" if self._remaining else "done"
        else:
            self._keep_alive = False
            self._state = "eof"
        return head
