"""A minimal HTTP/1.1 client codec, without I/O.

Only what the Docker daemon speaks: requests with a Content-Length or chunked
body; responses delimited by Content-Length, chunked encoding, or the end of
the connection; 101 Switching Protocols for attach/exec. `ResponseParser`
takes bytes and returns events; the sync and async connections in
`_transports` drive it.

Strict where a loose reading could go wrong: a 3-digit status, a
Content-Length of digits only (one value), no transfer or content coding but
chunked (we ask for none), and bounded lines: the head, each chunk-size and
trailer line, the number of headers and of interim (1xx) responses. Every
search for a line end resumes where the last one stopped, so bytes dripping
in cost linear time.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["Body", "End", "Head", "ProtocolError", "ResponseParser", "encode_chunk", "encode_head"]

MAX_HEAD = 64 * 1024  # status line and headers, and all trailers together
MAX_HEADERS = 128
MAX_LINE = 4096  # a chunk-size line (with extensions) or one trailer line
MAX_INTERIM = 16  # 1xx responses before the final one


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
    """Parses one response. Feed it bytes; an empty feed means the peer closed.

    Interim 1xx responses are skipped; a 101 ends the response only when
    `upgrade` (the request asked for it), and is otherwise an error.
    """

    def __init__(self, method: str, upgrade: bool = False) -> None:
        self._method = method
        self._upgrade = upgrade
        self._buffer = bytearray()
        self._state = "head"  # head, length, chunk-size, chunk-data, chunk-crlf, trailer, eof, done
        self._remaining = 0
        self._keep_alive = True
        self._scanned = 0  # how far past the unparsed start a line end was already looked for
        self._trailer = 0  # trailer bytes so far
        self._interim = 0
        self.head: Head | None = None
        # The body length the head announced (None: chunked or until the end of the connection).
        self.content_length: int | None = None

    def no_reuse(self) -> None:
        """End the connection with this response (the request was not all sent)."""
        self._keep_alive = False

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
                end = buf.find(b"\r\n\r\n", pos + self._scanned)
                if end < 0 or end - pos > MAX_HEAD:
                    if size - pos > MAX_HEAD:
                        raise ProtocolError(f"response head larger than {MAX_HEAD} bytes")
                    self._scanned = max(0, size - pos - 3)
                    break
                self._scanned = 0
                head = self._parse_head(bytes(buf[pos:end]))
                pos = end + 4
                if head is None:  # an interim response: the real one follows
                    continue
                events.append(head)
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
                end = buf.find(b"\r\n", pos + self._scanned)
                if end < 0 or end - pos > MAX_LINE:
                    if size - pos > MAX_LINE:
                        raise ProtocolError(f"chunk-size line longer than {MAX_LINE} bytes")
                    self._scanned = max(0, size - pos - 1)
                    break
                self._scanned = 0
                line = bytes(buf[pos:end]).split(b";", 1)[0].strip()
                pos = end + 2
                if not line or len(line) > 16 or line.strip(b"0123456789abcdefABCDEF"):
                    raise ProtocolError(f"bad chunk size {line[:80]!r}")
                self._remaining = int(line, 16)
                self._state = "chunk-data" if self._remaining else "trailer"
            elif state == "chunk-crlf":
                if size - pos < 2:
                    break
                if buf[pos : pos + 2] != b"\r\n":
                    raise ProtocolError("chunk not followed by CRLF")
                pos += 2
                self._state = "chunk-size"
            elif state == "trailer":
                end = buf.find(b"\r\n", pos + self._scanned)
                if end < 0 or end - pos > MAX_LINE:
                    if size - pos > MAX_LINE:
                        raise ProtocolError(f"trailer line longer than {MAX_LINE} bytes")
                    self._scanned = max(0, size - pos - 1)
                    break
                self._scanned = 0
                empty = end == pos
                self._trailer += end + 2 - pos
                if self._trailer > MAX_HEAD:
                    raise ProtocolError(f"trailers larger than {MAX_HEAD} bytes")
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

    def _parse_head(self, raw: bytes) -> Head | None:
        """The head of the response (None for an interim 1xx, which is skipped)."""
        lines = raw.split(b"\r\n")
        if len(lines) > MAX_HEADERS + 1:
            raise ProtocolError(f"more than {MAX_HEADERS} response headers")
        parts = lines[0].split(b" ", 2)
        if len(parts) < 2 or parts[0] not in (b"HTTP/1.1", b"HTTP/1.0"):
            raise ProtocolError(f"not an HTTP/1.x response: {lines[0][:80]!r}")
        code = parts[1]
        if len(code) != 3 or not code.isdigit() or code[0] not in b"12345":
            raise ProtocolError(f"bad status line {lines[0][:80]!r}")
        status = int(code)
        headers = []
        by_name: dict[bytes, bytes] = {}
        conflict: tuple[bytes, bytes] | None = None  # two Content-Length values: fatal only where they frame a body
        for line in lines[1:]:
            name, sep, value = line.partition(b":")
            name = name.strip()
            if not sep or not name:
                raise ProtocolError(f"bad header line {line[:80]!r}")
            value = value.strip()
            headers.append((name, value))
            lower = name.lower()
            first = by_name.setdefault(lower, value)
            if first is not value and lower == b"content-length" and first != value:
                conflict = (first, value)
        head = Head(status, parts[2] if len(parts) > 2 else b"", headers, by_name)
        if status < 200 and not (status == 101 and self._upgrade):
            if status == 101:
                raise ProtocolError("101 Switching Protocols to a request that asked for no upgrade")
            self._interim += 1
            if self._interim > MAX_INTERIM:
                raise ProtocolError(f"more than {MAX_INTERIM} interim (1xx) responses")
            return None
        self.head = head
        connection = by_name.get(b"connection")
        self._keep_alive = (
            self._keep_alive and parts[0] == b"HTTP/1.1" and (connection is None or connection.lower() != b"close")
        )
        if status == 101:
            self._keep_alive = False
            self._state = "done"
            return head
        if status in (204, 304) or self._method == "HEAD":
            self._state = "done"
            return head
        coding = by_name.get(b"content-encoding")
        if coding is not None and coding.lower() not in (b"identity", b""):
            # We never ask for one: a compressed body would grow past every limit when decoded.
            raise ProtocolError(f"unrequested Content-Encoding {coding[:40]!r}")
        transfer = by_name.get(b"transfer-encoding")
        length = by_name.get(b"content-length")
        if transfer is not None:
            if transfer.lower() != b"chunked":
                raise ProtocolError(f"unsupported Transfer-Encoding {transfer[:40]!r}")
            if length is not None:
                self._keep_alive = False  # both framings: read the chunks, then trust the connection no more
            self._state = "chunk-size"
        elif length is not None:
            if conflict is not None:
                raise ProtocolError(f"conflicting Content-Length headers {conflict[0][:20]!r} and {conflict[1][:20]!r}")
            if not length.isdigit() or len(length) > 18:
                raise ProtocolError(f"bad Content-Length {length[:40]!r}")
            self._remaining = self.content_length = int(length)
            self._state = "length" if self._remaining else "done"
        else:
            self._keep_alive = False
            self._state = "eof"
        return head
