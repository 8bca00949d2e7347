"""Transports: how bytes reach the daemon, behind httpx's transport interface.

Every kind of endpoint becomes a socket: a unix socket, a TCP socket
(optionally TLS-wrapped), or, for `ssh://`, one end of a socketpair whose
other end is the stdin/stdout of `ssh … docker system dial-stdio`. One pooled
keep-alive HTTP/1.1 implementation (`_http11`) serves them all, sync and
async; a pooled ssh connection keeps its ssh process, so consecutive requests
reuse it.

`DockerTransport.fast_request` is the thin path for small, non-streaming
calls: no httpx Request/Response objects on the way.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx

from ._config import ConnectionConfig, TLSConfig
from ._http11 import Body, End, Head, ProtocolError, ResponseParser, encode_chunk, encode_head

__all__ = ["AsyncDockerTransport", "DockerTransport", "ssl_context"]

READ_SIZE = 256 * 1024
MAX_IDLE = 16


def ssl_context(tls: TLSConfig) -> ssl.SSLContext:
    """Verification (certificate and hostname) is on unless `tls.verify` is false."""
    context = ssl.create_default_context(cafile=tls.ca_cert) if tls.verify else ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if not tls.verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if tls.client_cert:
        context.load_cert_chain(tls.client_cert, tls.client_key)
    return context


class Dialer:
    """Opens a new socket to the daemon described by a `ConnectionConfig`."""

    def __init__(self, config: ConnectionConfig) -> None:
        self.config = config
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

    def __init__(self, sock: socket.socket, process: subprocess.Popen[bytes] | None) -> None:
        self.sock = sock
        self.process = process
        self.parser: ResponseParser | None = None
        self.reused = False

    def send(self, head: bytes, body: bytes | Iterable[bytes] | None) -> None:
        sock = self.sock
        if body is None or isinstance(body, bytes):
            sock.sendall(head + body if body else head)
            return
        sock.sendall(head)
        for chunk in body:
            if chunk:
                sock.sendall(encode_chunk(chunk))
        sock.sendall(b"0\r\n\r\n")

    def events(self) -> Iterator[Head | Body | End]:
        parser = self.parser
        assert parser is not None
        recv = self.sock.recv
        while True:
            data = recv(READ_SIZE)
            yield from parser.feed(data)
            if parser.done:
                return

    def close(self) -> None:
        try:
            self.sock.close()
        finally:
            if self.process is not None and self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
            if self.process is not None and self.process.stderr is not None:
                self.process.stderr.close()


def _request_head(dialer: Dialer, method: str, target: str, headers: Iterable[tuple[str, str]], body: Any) -> bytes:
    length = None if body is not None and not isinstance(body, bytes) else len(body or b"")
    return encode_head(method, target, dialer.authority, headers, length)


def _map_error(exc: BaseException, dialer: Dialer, conn: Connection | None) -> httpx.TransportError:
    if isinstance(exc, httpx.TransportError):
        return exc
    if isinstance(exc, TimeoutError):
        return httpx.ReadTimeout(f"timed out waiting for {dialer.config.host}")
    if isinstance(exc, ProtocolError):
        return httpx.RemoteProtocolError(f"{exc}{ssh_failure(conn.process) if conn else ''}")
    return httpx.ReadError(f"{exc}{ssh_failure(conn.process) if conn else ''}")


class DockerTransport(httpx.BaseTransport):
    """A pooled, thread-safe transport to one daemon."""

    def __init__(self, config: ConnectionConfig) -> None:
        self.dialer = Dialer(config)
        self._idle: list[Connection] = []
        self._lock = threading.Lock()
        self._closed = False

    # -- pool ----------------------------------------------------------------

    def _acquire(self, timeout: float | None) -> Connection:
        with self._lock:
            if self._idle:
                conn = self._idle.pop()
                conn.reused = True
                return conn
        sock, process = self.dialer.connect(timeout)
        return Connection(sock, process)

    def _release(self, conn: Connection, reusable: bool) -> None:
        if reusable and not self._closed:
            with self._lock:
                if len(self._idle) < MAX_IDLE:
                    self._idle.append(conn)
                    return
        conn.close()

    def _start(
        self, method: str, target: str, headers: Iterable[tuple[str, str]], body: Any, timeout: float | None
    ) -> tuple[Connection, Iterator[Head | Body | End], Head]:
        """Send a request and read up to the response head (retrying once on a stale pooled connection)."""
        head_bytes = _request_head(self.dialer, method, target, headers, body)
        for attempt in (0, 1):
            conn = self._acquire(timeout)
            conn.sock.settimeout(timeout)
            conn.parser = ResponseParser(method)
            try:
                conn.send(head_bytes, body)
                events = conn.events()
                first = next(events)
            except (ProtocolError, OSError) as exc:
                replayable = body is None or isinstance(body, bytes)
                if attempt == 0 and conn.reused and replayable:
                    conn.close()
                    continue
                # Built before closing: it reads what ssh said on stderr.
                error = _map_error(exc, self.dialer, conn)
                conn.close()
                raise error from exc
            assert isinstance(first, Head)
            return conn, events, first
        raise AssertionError("unreachable")

    # -- fast path -------------------------------------------------------------

    def fast_request(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes | None, timeout: float | None
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        """Send a request and read the whole response."""
        conn, events, head = self._start(method, target, headers, body, timeout)
        chunks = []
        try:
            for event in events:
                if isinstance(event, Body):
                    chunks.append(event.data)
                elif isinstance(event, End):
                    self._release(conn, event.reusable and head.status != 101)
                    break
        except (ProtocolError, OSError) as exc:
            error = _map_error(exc, self.dialer, conn)
            conn.close()
            raise error from exc
        return head.status, head.headers, b"".join(chunks)

    # -- httpx interface ---------------------------------------------------------

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        timeouts = request.extensions.get("timeout", {})
        body: Any = request.read() if isinstance(request.stream, httpx.ByteStream) else request.stream
        target = request.url.raw_path.decode("ascii")
        headers = [
            (k, v)
            for k, v in request.headers.items()
            if k.lower() not in ("host", "content-length", "transfer-encoding")
        ]
        conn, events, head = self._start(request.method, target, headers, body, timeouts.get("connect"))
        conn.sock.settimeout(timeouts.get("read"))
        extensions: dict[str, Any] = {"http_version": b"HTTP/1.1", "reason_phrase": head.reason}
        if head.status == 101:
            assert conn.parser is not None
            extensions["network_stream"] = UpgradedStream(conn, conn.parser.leftover())
            return httpx.Response(101, headers=head.headers, extensions=extensions)
        return httpx.Response(
            head.status, headers=head.headers, stream=_BodyStream(self, conn, events), extensions=extensions
        )

    def close(self) -> None:
        self._closed = True
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()


class _BodyStream(httpx.SyncByteStream):
    def __init__(self, transport: DockerTransport, conn: Connection, events: Iterator[Head | Body | End]) -> None:
        self._transport = transport
        self._conn: Connection | None = conn
        self._events = events

    def __iter__(self) -> Iterator[bytes]:
        conn = self._conn
        if conn is None:
            return
        try:
            for event in self._events:
                if isinstance(event, Body):
                    yield event.data
                elif isinstance(event, End):
                    self._conn = None
                    self._transport._release(conn, event.reusable)
                    return
        except (ProtocolError, OSError) as exc:
            error = _map_error(exc, self._transport.dialer, conn)
            self.close()
            raise error from exc

    def close(self) -> None:
        # Closed before the end: the connection is mid-response, not reusable.
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


# -- asyncio -------------------------------------------------------------------


def _expire(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError())


class _Protocol(asyncio.Protocol):
    """What the peer sent, buffered, with flow control both ways.

    Our own protocol rather than asyncio's streams: a response that arrives
    whole is taken with no extra coroutine or copy, and a wait is bounded with
    one timer handle instead of an `asyncio.timeout` scope.
    """

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.chunks: collections.deque[bytes] = collections.deque()
        self.buffered = 0
        self.eof = False
        self.error: BaseException | None = None
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiter: asyncio.Future[None] | None = None
        self._writable: asyncio.Future[None] | None = None  # while the peer is not reading
        self._reading_paused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.chunks.append(data)
        self.buffered += len(data)
        if self.buffered > 2 * READ_SIZE and not self._reading_paused and self.transport is not None:
            # We are not keeping up (a slow stream consumer): let the kernel buffer push back.
            self._reading_paused = True
            self.transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool:
        self.eof = True
        self._wake()
        return True  # our side stays open: an attached client may still be writing

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof = True
        self.error = exc
        self._wake()
        if self._writable is not None and not self._writable.done():
            self._writable.set_exception(exc or ConnectionResetError("the connection was closed"))
        if not self.closed.done():
            self.closed.set_result(None)

    def pause_writing(self) -> None:
        self._writable = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)
        self._writable = None

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def wait(self, timeout: float | None) -> None:
        """Until data or the end of the stream is here; TimeoutError after `timeout` seconds."""
        if self.chunks or self.eof:
            return
        loop = asyncio.get_running_loop()
        waiter = self._waiter = loop.create_future()
        timer = loop.call_at(loop.time() + timeout, _expire, waiter) if timeout is not None else None
        try:
            await waiter
        finally:
            self._waiter = None
            if timer is not None:
                timer.cancel()

    def take(self, max_bytes: int | None = None) -> bytes:
        """The buffered bytes (at most `max_bytes`); b"" at the end of the stream."""
        chunks = self.chunks
        if not chunks:
            if self.error is not None:
                raise self.error
            return b""
        if max_bytes is None:
            data = chunks.popleft() if len(chunks) == 1 else b"".join(chunks)
            chunks.clear()
        else:
            data = chunks.popleft()
            if len(data) > max_bytes:
                chunks.appendleft(data[max_bytes:])
                data = data[:max_bytes]
        self.buffered -= len(data)
        if self._reading_paused and self.buffered <= READ_SIZE and self.transport is not None:
            self._reading_paused = False
            self.transport.resume_reading()
        return data

    async def drain(self) -> None:
        if self._writable is not None:
            await self._writable


class AsyncConnection:
    def __init__(
        self, transport: asyncio.Transport, protocol: _Protocol, process: subprocess.Popen[bytes] | None
    ) -> None:
        self.transport = transport
        self.protocol = protocol
        self.process = process
        self.parser: ResponseParser | None = None
        self.pending: collections.deque[Head | Body | End] = collections.deque()
        self.reused = False

    async def send(self, head: bytes, body: Any) -> None:
        transport = self.transport
        protocol = self.protocol
        if transport.is_closing() or protocol.eof:
            # A pooled connection the daemon closed while idle: the caller retries on a new one.
            raise ConnectionResetError("the connection was closed")
        if body is None or isinstance(body, bytes):
            transport.write(head + body if body else head)
        else:
            transport.write(head)
            if hasattr(body, "__aiter__"):
                async for chunk in body:
                    if chunk:
                        transport.write(encode_chunk(chunk))
                        await protocol.drain()
            else:
                for chunk in body:
                    if chunk:
                        transport.write(encode_chunk(chunk))
                        await protocol.drain()
            transport.write(b"0\r\n\r\n")
        await protocol.drain()

    async def next_event(self, timeout: float | None) -> Head | Body | End:
        """The next event of the current response; call no more after its End.

        `timeout` bounds each wait for the peer, as a socket timeout would.
        """
        # A coroutine, not an async generator: one left unfinished would cost a
        # task and a self-pipe wake-up per request to finalize.
        pending = self.pending
        if not pending:
            parser = self.parser
            assert parser is not None
            protocol = self.protocol
            while not pending:
                await protocol.wait(timeout)
                pending.extend(parser.feed(protocol.take()))
        return pending.popleft()

    async def aclose(self) -> None:
        self.transport.close()
        with contextlib.suppress(OSError, ssl.SSLError):
            await self.protocol.closed
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            await asyncio.to_thread(self.process.wait)
        if self.process is not None and self.process.stderr is not None:
            self.process.stderr.close()


class AsyncDockerTransport(httpx.AsyncBaseTransport):
    """The asyncio twin of `DockerTransport` (task-safe: one request per connection at a time)."""

    def __init__(self, config: ConnectionConfig) -> None:
        self.dialer = Dialer(config)
        self._idle: list[AsyncConnection] = []
        self._closed = False

    async def _connect(self, timeout: float | None) -> AsyncConnection:
        dialer = self.dialer
        try:
            loop = asyncio.get_running_loop()
            if dialer.scheme == "unix":
                transport, protocol = await asyncio.wait_for(
                    loop.create_unix_connection(_Protocol, dialer.path), timeout
                )
            elif dialer.scheme == "ssh":
                sock, process = dialer.connect(timeout)
                transport, protocol = await loop.create_unix_connection(_Protocol, sock=sock)
                return AsyncConnection(transport, protocol, process)
            else:
                transport, protocol = await asyncio.wait_for(
                    loop.create_connection(
                        _Protocol,
                        dialer.hostname,
                        dialer.port or (2376 if dialer.tls else 2375),
                        ssl=dialer.tls,
                        server_hostname=dialer.hostname if dialer.tls else None,
                    ),
                    timeout,
                )
            return AsyncConnection(transport, protocol, None)
        except httpx.ConnectError:
            raise
        except TimeoutError as exc:
            raise httpx.ConnectTimeout(f"timed out connecting to {dialer.config.host}") from exc
        except ssl.SSLError as exc:
            raise httpx.ConnectError(f"TLS handshake with {dialer.config.host} failed: {exc}") from exc
        except OSError as exc:
            raise httpx.ConnectError(f"{exc.strerror or exc}") from exc

    async def _start(
        self, method: str, target: str, headers: Iterable[tuple[str, str]], body: Any, timeout: float | None
    ) -> tuple[AsyncConnection, Head]:
        """Send a request and read up to the response head (retrying once on a stale pooled connection)."""
        head_bytes = _request_head(self.dialer, method, target, headers, body)
        for attempt in (0, 1):
            if self._idle:
                conn = self._idle.pop()
                conn.reused = True
            else:
                conn = await self._connect(timeout)
            conn.parser = ResponseParser(method)
            conn.pending.clear()
            try:
                await conn.send(head_bytes, body)
                first = await conn.next_event(timeout)
            except (ProtocolError, OSError, TimeoutError) as exc:
                await conn.aclose()
                if attempt == 0 and conn.reused and (body is None or isinstance(body, bytes)):
                    continue
                raise _map_error(exc, self.dialer, None) from exc
            assert isinstance(first, Head)
            return conn, first
        raise AssertionError("unreachable")

    async def fast_request(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes | None, timeout: float | None
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        """Send a request and read the whole response."""
        conn, head = await self._start(method, target, headers, body, timeout)
        chunks = []
        try:
            while True:
                event = await conn.next_event(timeout)
                if isinstance(event, Body):
                    chunks.append(event.data)
                elif isinstance(event, End):
                    await self._release(conn, event.reusable and head.status != 101)
                    break
        except (ProtocolError, OSError, TimeoutError) as exc:
            await conn.aclose()
            raise _map_error(exc, self.dialer, None) from exc
        return head.status, head.headers, b"".join(chunks)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeouts = request.extensions.get("timeout", {})
        body: Any = await request.aread() if isinstance(request.stream, httpx.ByteStream) else request.stream
        target = request.url.raw_path.decode("ascii")
        headers = [
            (k, v)
            for k, v in request.headers.items()
            if k.lower() not in ("host", "content-length", "transfer-encoding")
        ]
        read_timeout = timeouts.get("read")
        conn, first = await self._start(request.method, target, headers, body, timeouts.get("connect"))
        extensions: dict[str, Any] = {"http_version": b"HTTP/1.1", "reason_phrase": first.reason}
        if first.status == 101:
            assert conn.parser is not None
            extensions["network_stream"] = AsyncUpgradedStream(conn, conn.parser.leftover())
            return httpx.Response(101, headers=first.headers, extensions=extensions)
        return httpx.Response(
            first.status,
            headers=first.headers,
            stream=_AsyncBodyStream(self, conn, read_timeout),
            extensions=extensions,
        )

    async def _release(self, conn: AsyncConnection, reusable: bool) -> None:
        if reusable and not self._closed and len(self._idle) < MAX_IDLE:
            self._idle.append(conn)
        else:
            await conn.aclose()

    async def aclose(self) -> None:
        self._closed = True
        idle, self._idle = self._idle, []
        for conn in idle:
            await conn.aclose()


class _AsyncBodyStream(httpx.AsyncByteStream):
    def __init__(
        self,
        transport: AsyncDockerTransport,
        conn: AsyncConnection,
        timeout: float | None,
    ) -> None:
        self._transport = transport
        self._conn: AsyncConnection | None = conn
        self._timeout = timeout

    async def __aiter__(self) -> AsyncIterator[bytes]:
        conn = self._conn
        if conn is None:
            return
        try:
            while True:
                event = await conn.next_event(self._timeout)
                if isinstance(event, Body):
                    yield event.data
                elif isinstance(event, End):
                    self._conn = None
                    await self._transport._release(conn, event.reusable)
                    return
        except (ProtocolError, OSError, TimeoutError) as exc:
            await self.aclose()
            raise _map_error(exc, self._transport.dialer, None) from exc

    async def aclose(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            await conn.aclose()


class AsyncUpgradedStream:
    """The asyncio twin of `UpgradedStream`."""

    def __init__(self, conn: AsyncConnection, leftover: bytes) -> None:
        self._conn = conn
        self._leftover = leftover

    async def read(self, max_bytes: int = READ_SIZE) -> bytes:
        if self._leftover:
            data, self._leftover = self._leftover, b""
            return data
        protocol = self._conn.protocol
        await protocol.wait(None)
        return protocol.take(max_bytes)

    async def write(self, data: bytes) -> None:
        if self._conn.transport.is_closing():
            raise ConnectionResetError("the connection was closed")
        self._conn.transport.write(data)
        await self._conn.protocol.drain()

    async def close_write(self) -> None:
        if self._conn.transport.can_write_eof():
            self._conn.transport.write_eof()

    async def aclose(self) -> None:
        await self._conn.aclose()
