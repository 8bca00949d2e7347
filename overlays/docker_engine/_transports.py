"""Transports: how bytes reach the daemon, behind httpx's transport interface.

Every kind of endpoint becomes a socket: a unix socket, a TCP socket
(optionally TLS-wrapped), or, for `ssh://`, one end of a socketpair whose
other end is the stdin/stdout of `ssh … docker system dial-stdio`. One pooled
keep-alive HTTP/1.1 implementation (`_http11`) serves them all, sync and
async; a pooled ssh connection keeps its ssh process, so consecutive requests
reuse it.

`DockerTransport.fast_request` is the thin path for small, non-streaming
calls: no httpx Request/Response objects on the way.

Failure behaviour (README, "Limits and failure behaviour"): a request is sent
again only if nothing of it can have reached the daemon (an idle connection
found closed before writing, or the first write refused with EPIPE/ECONNRESET),
or if it is a GET/HEAD whose reused connection closed before any answer;
never after a timeout. A plain call finishes within its timeout (one
deadline for the pool wait, connecting, sending and the whole answer); its
body is capped at `Limits.max_body`, an error body at `MAX_ERROR_BODY`
(read no further: the connection is then closed). A stream waits for its head
within the timeout, then for each read at most `Limits.stream_timeout`. At
most `Limits.max_connections` connections are open at once; more requests
wait for one. A connection goes back to the pool only after a complete
answer; any error closes it.
"""

from __future__ import annotations

import contextlib
import re
import select
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from time import monotonic
from typing import Any
from urllib.parse import urlsplit

import httpx

from ._config import ConfigError, ConnectionConfig, TLSConfig
from ._errors import MAX_ERROR_BODY
from ._http11 import Body, End, Head, ProtocolError, ResponseParser, encode_chunk, encode_head

__all__ = [
    "DEFAULT_MAX_BODY",
    "DEFAULT_MAX_CONNECTIONS",
    "STREAM",
    "DockerTransport",
    "Limits",
    "ResponseTooLarge",
    "ssl_context",
]

READ_SIZE = 256 * 1024
MAX_IDLE = 16
DEFAULT_MAX_BODY = 64 * 1024 * 1024
DEFAULT_MAX_CONNECTIONS = 100
# Requests that may be sent again after their connection broke before any answer.
IDEMPOTENT = frozenset(("GET", "HEAD"))
# The request extension that marks a streamed response: no body cap, an idle timeout instead of a deadline.
STREAM = "docker_engine.stream"
_POLL_IN = select.POLLIN | select.POLLPRI
HeaderPairs = Iterable[tuple[str, str]]
_CONTROL = re.compile(r"[\x00-\x1f\x7f]").search


@dataclass(frozen=True, slots=True)
class Limits:
    """What one client allows itself (see the README's "Limits and failure behaviour").

    `max_body`: bytes of a non-streamed answer (a larger one is an error);
    `max_connections`: connections open at once (more requests wait, within their
    timeout); `stream_timeout`: seconds a stream may stay silent (None: forever).
    """

    max_body: int = DEFAULT_MAX_BODY
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    stream_timeout: float | None = None

    def __post_init__(self) -> None:
        if type(self.max_body) is not int or self.max_body < 0:
            raise ConfigError(f"max_body must be a number of bytes (an int >= 0), not {self.max_body!r}")
        if type(self.max_connections) is not int or self.max_connections < 1:
            raise ConfigError(f"max_connections must be an int >= 1, not {self.max_connections!r}")
        if self.stream_timeout is not None and not self.stream_timeout > 0:
            raise ConfigError(f"stream_timeout must be None or > 0 seconds, not {self.stream_timeout!r}")


class ResponseTooLarge(httpx.RemoteProtocolError):
    """A non-streamed answer larger than `Limits.max_body`."""


class _NotSent(Exception):
    """The first write failed on a connection the peer had closed: nothing of the request left."""


class _AnsweredEarly(Exception):
    """The daemon answered (or hung up) before the request body was all sent: a refused
    upload. Its answer, if it wrote one, is still there to read."""


def _left(deadline: float | None) -> float | None:
    """Seconds until `deadline` (monotonic), for a socket timeout; TimeoutError once it passed."""
    if deadline is None:
        return None
    left = deadline - monotonic()
    if left <= 0:
        raise TimeoutError("the request's deadline passed")
    return left


def _too_large(limit: int, length: int | None = None) -> ResponseTooLarge:
    said = f" (Content-Length: {length})" if length is not None else ""
    return ResponseTooLarge(
        f"the answer is larger than max_body={limit} bytes{said}; raise the limit with max_body= if it is expected"
    )


def _body_limit(head: Head, parser: ResponseParser | None, max_body: int) -> int:
    """How much of a non-streamed answer's body to read: an error's message up to
    MAX_ERROR_BODY (then the connection is closed), else `max_body`; an announced
    length above it fails before anything is read."""
    if head.status >= 400:
        return MAX_ERROR_BODY
    length = parser.content_length if parser is not None else None
    if length is not None and length > max_body:
        raise _too_large(max_body, length)
    return max_body


class BodyReader:
    """A response body taken event by event, without I/O: what the loops of both transports
    share. At most `limit` bytes (None: no cap); past it `ResponseTooLarge`, or with
    `truncate` (an error's message) the part within the cap and then the end, the
    connection read no further. After the last event `done` is set and `reusable` says
    whether the connection may carry another request."""

    __slots__ = ("done", "left", "limit", "reusable", "truncate")

    def __init__(self, limit: int | None, *, truncate: bool) -> None:
        self.limit = limit
        self.left = limit
        self.truncate = truncate
        self.done = False
        self.reusable = False

    def take(self, event: Head | Body | End) -> bytes:
        """The bytes of `event` to pass on (b"" for none)."""
        if type(event) is not Body:
            if type(event) is End:
                self.done = True
                self.reusable = event.reusable
            return b""
        data = event.data
        if self.left is None:
            return data
        self.left -= len(data)
        if self.left >= 0:
            return data
        if not self.truncate:
            raise _too_large(self.limit or 0)
        self.done = True
        return data[: len(data) + self.left]


def may_retry(exc: BaseException, method: str, *, reused: bool, retried: bool, streaming: bool) -> bool:
    """Whether a request whose connection failed before any answer is sent again: once, and
    only a GET/HEAD without a streamed body on a reused connection (the daemon closed it while
    idle); never after a timeout."""
    return reused and not retried and not streaming and method in IDEMPOTENT and not isinstance(exc, TimeoutError)


def exchange_of(request: httpx.Request) -> tuple[str, list[tuple[str, str]], bool, bool, float | None]:
    """What a transport needs of an httpx request besides its body: the target, the headers,
    whether it asks for an upgrade, whether its answer is a stream, and the timeout until the
    answer's head (a stream's is the connect timeout: its body may be slow to start)."""
    timeouts = request.extensions.get("timeout", {})
    streamed = bool(request.extensions.get(STREAM))
    timeout = timeouts.get("connect") if streamed else timeouts.get("read")
    target = request.url.raw_path.decode("ascii")
    return target, _request_headers(request), "upgrade" in request.headers, streamed, timeout


def answer_reader(head: Head, parser: ResponseParser | None, streamed: bool, max_body: int) -> BodyReader:
    """How an answer's body is read: a stream's without a cap, but an error's (a stream's
    too) only up to MAX_ERROR_BODY."""
    limit = None if streamed and head.status < 400 else _body_limit(head, parser, max_body)
    return BodyReader(limit, truncate=head.status >= 400)


def response_of(
    head: Head, *, stream: httpx.SyncByteStream | httpx.AsyncByteStream | None = None, network: object = None
) -> httpx.Response:
    """The httpx response for `head`, its body read from `stream`, or after a 101 with the
    upgraded connection as its `network_stream`."""
    extensions: dict[str, Any] = {"http_version": b"HTTP/1.1", "reason_phrase": head.reason}
    if network is not None:
        extensions["network_stream"] = network
    return httpx.Response(head.status, headers=head.headers, stream=stream, extensions=extensions)


def ssl_context(tls: TLSConfig) -> ssl.SSLContext:
    """Verification (certificate and hostname) is on unless `tls.verify` is false; a file
    that is missing, unreadable or does not match is a ConfigError naming it."""
    return tls.load()


class Dialer:
    """Opens a new socket to the daemon described by a `ConnectionConfig`."""

    def __init__(self, config: ConnectionConfig) -> None:
        self.config = config
        if _CONTROL(config.host):
            # A NUL would cut a socket path short, CR/LF would reach the Host header.
            raise ConfigError(f"{config.host!r}: the address contains a control character (NUL, CR, LF, ...)")
        parts = urlsplit(config.host)
        self.scheme = parts.scheme
        self.path = parts.path
        self.hostname = parts.hostname or ""
        self.port = parts.port
        self.username = parts.username
        self.tls: ssl.SSLContext | None = None
        if config.tls is not None:
            self.tls = ssl_context(config.tls)
        elif parts.scheme == "https":
            self.tls = ssl.create_default_context()
        # What goes into the Host header.
        self.authority = parts.netloc.rpartition("@")[2] if self.scheme in ("tcp", "http", "https") else "docker"

    def ssh_command(self) -> list[str]:
        ssh = shutil.which("ssh")
        if ssh is None:
            raise httpx.ConnectError(f"cannot connect to {self.config.host}: no `ssh` command on PATH")
        command = [ssh, "-o", "BatchMode=yes"]
        if self.port:
            command += ["-p", str(self.port)]
        if self.username:
            command += ["-l", self.username]
        return [*command, "--", self.hostname, "docker", "system", "dial-stdio"]

    def connect(self, timeout: float | None) -> tuple[socket.socket, subprocess.Popen[bytes] | None]:
        try:
            if self.scheme == "unix":
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                sock.settimeout(timeout)
                try:
                    sock.connect(self.path)
                except BaseException:
                    sock.close()
                    raise
                return sock, None
            if self.scheme == "ssh":
                command = self.ssh_command()
                ours, theirs = socket.socketpair()
                try:
                    process = subprocess.Popen(
                        command,
                        stdin=theirs.fileno(),
                        stdout=theirs.fileno(),
                        stderr=subprocess.PIPE,
                        start_new_session=True,
                    )
                finally:
                    theirs.close()
                return ours, process
            port = self.port or (2376 if self.tls else 2375)
            sock = socket.create_connection((self.hostname, port), timeout=timeout)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self.tls is not None:
                try:
                    sock = self.tls.wrap_socket(sock, server_hostname=self.hostname)
                except ssl.SSLError as exc:
                    sock.close()
                    raise httpx.ConnectError(f"TLS handshake with {self.config.host} failed: {exc}") from exc
            return sock, None
        except httpx.ConnectError:
            raise
        except TimeoutError as exc:
            raise httpx.ConnectTimeout(f"timed out connecting to {self.config.host}") from exc
        except OSError as exc:
            raise httpx.ConnectError(f"{exc.strerror or exc}") from exc


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """End a connection's ssh process: asked to stop, then killed if it has not within 5 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stderr is not None:
        process.stderr.close()


def ssh_failure(process: subprocess.Popen[bytes] | None) -> str:
    """What ssh said, for an error message (it exits when the remote docker is missing)."""
    if process is None or process.stderr is None:
        return ""
    try:
        process.wait(timeout=5)
        text = process.stderr.read().decode("utf-8", "replace").strip()
    except (subprocess.TimeoutExpired, OSError, ValueError):
        return ""
    return f" (ssh exited with {process.returncode}: {text[-500:]})" if text or process.returncode else ""


class Connection:
    """One keep-alive connection; used by one request at a time."""

    def __init__(
        self, sock: socket.socket, process: subprocess.Popen[bytes] | None, pool: DockerTransport | None = None
    ) -> None:
        self.sock = sock
        self.process = process
        self.parser: ResponseParser | None = None
        self.reused = False
        self.deadline: float | None = (
            None  # of the current exchange (monotonic); None: each read waits the socket timeout
        )
        self.closed = False
        self._pool = pool  # told when the connection closes: it counts open connections
        self._poll = select.poll()
        self._poll.register(sock.fileno(), _POLL_IN)

    def stale(self) -> bool:
        """Whether this idle connection can no longer carry a request: anything to read
        on it (the peer's end, a reset, stray bytes) means it cannot."""
        return bool(self._poll.poll(0))

    def send(self, head: bytes, body: bytes | Iterable[bytes] | None) -> None:
        """Raises `_NotSent` when the very first write fails with EPIPE/ECONNRESET: the peer
        had closed the connection and no byte of this request left."""
        sock = self.sock
        first = head + body if body is not None and isinstance(body, bytes) else head
        try:
            sent = sock.send(first)
        except (BrokenPipeError, ConnectionResetError) as exc:
            raise _NotSent(str(exc)) from exc
        try:
            if sent < len(first):
                sock.sendall(memoryview(first)[sent:])
            if body is None or isinstance(body, bytes):
                return
            poll = self._poll.poll
            for chunk in body:
                if chunk:
                    if poll(0):
                        raise _AnsweredEarly("the daemon answered before the upload ended")
                    sock.sendall(encode_chunk(chunk))
            sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError) as exc:
            raise _AnsweredEarly(str(exc)) from exc

    def early_answer(self, deadline: float | None) -> tuple[Iterator[Head | Body | End], Head] | None:
        """The daemon's answer to a request whose upload it cut short, if it wrote one
        (a 400 for a bad parameter, a 404): that says more than a broken pipe. The
        connection is not reused after it."""
        parser = self.parser
        assert parser is not None
        parser.no_reuse()
        self.deadline = deadline
        try:
            self.sock.settimeout(_left(deadline) if deadline is not None else 5.0)
            events = self.events()
            first = next(events)
        except (ProtocolError, OSError, StopIteration):
            return None
        return (events, first) if isinstance(first, Head) else None

    def events(self) -> Iterator[Head | Body | End]:
        parser = self.parser
        assert parser is not None
        sock = self.sock
        recv = sock.recv
        while True:
            data = recv(READ_SIZE)
            yield from parser.feed(data)
            if parser.done:
                return
            deadline = self.deadline
            if deadline is not None:
                # The socket timeout bounds one read; the deadline bounds them all.
                sock.settimeout(_left(deadline))

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        try:
            self.sock.close()
        finally:
            if self.process is not None:
                stop_process(self.process)
            if self._pool is not None:
                self._pool._closed_one()


def _request_head(dialer: Dialer, method: str, target: str, headers: Iterable[tuple[str, str]], body: Any) -> bytes:
    length = None if body is not None and not isinstance(body, bytes) else len(body or b"")
    return encode_head(method, target, dialer.authority, headers, length)


def _map_error(
    exc: BaseException, dialer: Dialer, conn: Connection | None, said: str | None = None
) -> httpx.TransportError:
    """httpx's error for a failure of the connection `conn`; what its ssh process said, if any, is
    added (`said`: read already, as the asyncio transport does in a thread)."""
    if isinstance(exc, httpx.TransportError):
        return exc
    if isinstance(exc, TimeoutError):
        return httpx.ReadTimeout(f"timed out waiting for {dialer.config.host}")
    if isinstance(exc, _NotSent):
        return httpx.WriteError(f"the connection was closed before the request was sent: {exc}")
    if said is None:
        said = ssh_failure(conn.process) if conn else ""
    if isinstance(exc, ProtocolError):
        return httpx.RemoteProtocolError(f"{exc}{said}")
    return httpx.ReadError(f"{exc}{said}")


def _request_headers(request: httpx.Request) -> list[tuple[str, str]]:
    # Framing is ours; no Accept-Encoding: we take no compressed answer (see `_http11`).
    return [
        (k, v)
        for k, v in request.headers.items()
        if k.lower() not in ("host", "content-length", "transfer-encoding", "accept-encoding")
    ]


class Endpoint:
    """What both transports hold: how to reach the daemon, and the limits."""

    def __init__(self, config: ConnectionConfig, limits: Limits | None) -> None:
        self.dialer = Dialer(config)
        self.limits = limits if limits is not None else Limits()
        self._max_body = self.limits.max_body
        self._closed = False


class DockerTransport(Endpoint, httpx.BaseTransport):
    """A pooled, thread-safe transport to one daemon."""

    def __init__(self, config: ConnectionConfig, limits: Limits | None = None) -> None:
        super().__init__(config, limits)
        self._idle: list[Connection] = []
        self._lock = threading.Lock()
        self._free = threading.Condition(self._lock)  # a connection went idle or closed
        self._open = 0  # connections open (idle or in use), at most limits.max_connections
        self._waiting = 0

    # -- pool ----------------------------------------------------------------

    def _acquire(self, deadline: float | None) -> Connection:
        while True:
            with self._lock:
                while not self._idle and self._open >= self.limits.max_connections:
                    left = None if deadline is None else deadline - monotonic()
                    if left is not None and left <= 0:
                        raise httpx.PoolTimeout(
                            f"no free connection to {self.dialer.config.host} in time"
                            f" ({self.limits.max_connections} in use)"
                        )
                    self._waiting += 1
                    try:
                        self._free.wait(left)
                    finally:
                        self._waiting -= 1
                if self._idle:
                    conn = self._idle.pop()
                else:
                    self._open += 1
                    break
            if conn.stale():
                conn.close()  # the daemon closed it while idle: nothing was sent on it
                continue
            conn.reused = True
            return conn
        try:
            sock, process = self.dialer.connect(_left(deadline))
        except BaseException:
            self._closed_one()
            raise
        return Connection(sock, process, self)

    def _failed(self, exc: BaseException, conn: Connection) -> httpx.TransportError:
        """The error of a failed exchange, built before its connection is closed (it reads
        what ssh said)."""
        error = _map_error(exc, self.dialer, conn)
        conn.close()
        return error

    def _closed_one(self) -> None:
        with self._lock:
            self._open -= 1
            if self._waiting:
                self._free.notify()

    def _release(self, conn: Connection, reusable: bool) -> None:
        """Back to the pool after a complete answer; otherwise (an error message cut short, the
        daemon's `Connection: close`, a closed transport, a full pool) closed."""
        if reusable and not self._closed:
            with self._lock:
                if len(self._idle) < MAX_IDLE:
                    self._idle.append(conn)
                    if self._waiting:
                        self._free.notify()
                    return
        conn.close()

    def _start(
        self, method: str, target: str, headers: HeaderPairs, body: Any, timeout: float | None, upgrade: bool = False
    ) -> tuple[Connection, Iterator[Head | Body | End], Head]:
        """Send a request and read up to the response head, within `timeout` (one deadline;
        a streamed request body gets `timeout` per write and the deadline starts after it).

        Sent again only when nothing of it left (a stale idle connection, a first write
        refused), or once for a GET/HEAD whose reused connection closed before answering.
        """
        head_bytes = _request_head(self.dialer, method, target, headers, body)
        streaming = body is not None and not isinstance(body, bytes)
        deadline = None if timeout is None else monotonic() + timeout
        retried = False
        while True:
            conn = self._acquire(deadline)
            conn.parser = ResponseParser(method, upgrade)
            try:
                if streaming:
                    conn.sock.settimeout(timeout)
                    conn.send(head_bytes, body)
                    deadline = None if timeout is None else monotonic() + timeout
                else:
                    conn.sock.settimeout(_left(deadline))
                    conn.send(head_bytes, body)
                conn.deadline = deadline
                events = conn.events()
                first = next(events)
            except _NotSent as exc:
                if not conn.reused:
                    raise self._failed(exc, conn) from exc
                conn.close()
                continue
            except _AnsweredEarly as exc:
                answer = conn.early_answer(None if timeout is None else monotonic() + timeout)
                if answer is None:
                    raise self._failed(exc.__cause__ or exc, conn) from exc
                events, first = answer
            except (ProtocolError, OSError) as exc:
                if not may_retry(exc, method, reused=conn.reused, retried=retried, streaming=streaming):
                    raise self._failed(exc, conn) from exc
                conn.close()
                retried = True
                continue
            except BaseException:
                conn.close()
                raise
            assert isinstance(first, Head)
            return conn, events, first

    # -- fast path -------------------------------------------------------------

    def fast_request(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes | None, timeout: float | None
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        """Send a request and read the whole response, within `timeout`."""
        conn, events, head = self._start(method, target, headers, body, timeout)
        chunks = []
        try:
            reader = BodyReader(_body_limit(head, conn.parser, self._max_body), truncate=head.status >= 400)
            for event in events:
                chunks.append(reader.take(event))
                if reader.done:
                    break
            self._release(conn, reader.reusable)
        except (ProtocolError, OSError) as exc:
            raise self._failed(exc, conn) from exc
        except BaseException:
            conn.close()
            raise
        return head.status, head.headers, b"".join(chunks)

    # -- httpx interface ---------------------------------------------------------

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body: Any = request.read() if isinstance(request.stream, httpx.ByteStream) else request.stream
        target, headers, upgrade, streamed, timeout = exchange_of(request)
        conn, events, head = self._start(request.method, target, headers, body, timeout, upgrade)
        try:
            if streamed or head.status == 101:
                # A stream (or an upgraded connection): no deadline; each read waits at most stream_timeout.
                conn.deadline = None
                conn.sock.settimeout(
                    self.limits.stream_timeout
                    if streamed and head.status != 101
                    else request.extensions.get("timeout", {}).get("read")
                )
            if head.status == 101:
                assert conn.parser is not None
                return response_of(head, network=UpgradedStream(conn, conn.parser.leftover()))
            reader = answer_reader(head, conn.parser, streamed, self._max_body)
        except BaseException:
            conn.close()
            raise
        return response_of(head, stream=_BodyStream(self, conn, events, reader))

    def close(self) -> None:
        self._closed = True
        with self._lock:
            idle, self._idle = self._idle, []
            self._free.notify_all()
        for conn in idle:
            conn.close()


class _BodyStream(httpx.SyncByteStream):
    """The body, as its `BodyReader` takes it (closed before its end, the connection is
    mid-answer: it is closed rather than read further)."""

    def __init__(
        self, transport: DockerTransport, conn: Connection, events: Iterator[Head | Body | End], reader: BodyReader
    ) -> None:
        self._transport = transport
        self._conn: Connection | None = conn
        self._events = events
        self._reader = reader

    def __iter__(self) -> Iterator[bytes]:
        conn = self._conn
        if conn is None:
            return
        reader = self._reader
        try:
            for event in self._events:
                data = reader.take(event)
                if reader.done:
                    self._conn = None
                    self._transport._release(conn, reader.reusable)
                    if data:
                        yield data
                    return
                if data:
                    yield data
        except (ProtocolError, OSError) as exc:
            self._conn = None
            raise self._transport._failed(exc, conn) from exc
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class UpgradedStream:
    """The raw connection after a 101 (attach/exec): bytes both ways, and half-close."""

    def __init__(self, conn: Connection, leftover: bytes) -> None:
        self._conn = conn
        self._leftover = leftover

    def read(self, max_bytes: int = READ_SIZE) -> bytes:
        if self._leftover:
            data, self._leftover = self._leftover, b""
            return data
        return self._conn.sock.recv(max_bytes)

    def write(self, data: bytes) -> None:
        self._conn.sock.sendall(data)

    def close_write(self) -> None:
        """Half-close: the container sees end-of-file on stdin; its output keeps coming."""
        with contextlib.suppress(OSError):
            self._conn.sock.shutdown(socket.SHUT_WR)

    def settimeout(self, timeout: float | None) -> None:
        self._conn.sock.settimeout(timeout)

    def close(self) -> None:
        self._conn.close()
