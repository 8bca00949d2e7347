"""The asyncio twin of `_transports`: a pooled transport on our own
`asyncio.Protocol`, with the same failure behaviour (see `_transports`'s
docstring and the README's "Limits and failure behaviour"). A module of its
own so that sync use never imports asyncio.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import os
import select
import ssl
import subprocess
from collections.abc import AsyncIterator, Iterable
from typing import Any

import httpx

from ._config import ConnectionConfig
from ._http11 import Body, End, Head, ProtocolError, ResponseParser, encode_chunk
from ._transports import (
    _POLL_IN,
    MAX_IDLE,
    READ_SIZE,
    BodyReader,
    Dialer,
    Endpoint,
    HeaderPairs,
    Limits,
    _AnsweredEarly,
    _body_limit,
    _map_error,
    _NotSent,
    _request_head,
    answer_reader,
    exchange_of,
    may_retry,
    response_of,
    ssh_failure,
    stop_process,
)

__all__ = ["AsyncDockerTransport", "AsyncUpgradedStream"]


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
        if exc is not None and self.transport is not None:
            self._read_what_is_left()
        self.eof = True
        self.error = exc
        self._wake()
        if self._writable is not None and not self._writable.done():
            self._writable.set_exception(exc or ConnectionResetError("the connection was closed"))
        if not self.closed.done():
            self.closed.set_result(None)

    def _read_what_is_left(self) -> None:
        """A failed write (EPIPE: the daemon refused an upload and hung up) closes the
        transport without reading what the daemon answered first; its socket is still
        open here, so that answer is taken from it. Not for TLS (those bytes are
        encrypted), where the broken pipe stays the error."""
        transport = self.transport
        assert transport is not None
        sock = transport.get_extra_info("socket")
        if sock is None or transport.get_extra_info("sslcontext") is not None:
            return
        with contextlib.suppress(OSError, ValueError):
            fd = sock.fileno()
            while fd >= 0 and (data := os.read(fd, READ_SIZE)):
                self.chunks.append(data)
                self.buffered += len(data)

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

    async def wait(self, deadline: float | None) -> None:
        """Until data or the end of the stream is here; TimeoutError at `deadline` (loop time)."""
        if self.chunks or self.eof:
            return
        loop = asyncio.get_running_loop()
        waiter = self._waiter = loop.create_future()
        timer = loop.call_at(deadline, _expire, waiter) if deadline is not None else None
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

    async def drain(self, deadline: float | None = None) -> None:
        writable = self._writable
        if writable is None:
            return
        timer = None
        if deadline is not None:
            timer = asyncio.get_running_loop().call_at(deadline, _expire, writable)
        try:
            await writable
        finally:
            if timer is not None:
                timer.cancel()


class AsyncConnection:
    def __init__(
        self,
        transport: asyncio.Transport,
        protocol: _Protocol,
        process: subprocess.Popen[bytes] | None,
        pool: AsyncDockerTransport | None = None,
    ) -> None:
        self.transport = transport
        self.protocol = protocol
        self.process = process
        self.parser: ResponseParser | None = None
        self.pending: collections.deque[Head | Body | End] = collections.deque()
        self.reused = False
        self.deadline: float | None = None  # of the current exchange (loop time)
        self.closed = False
        self._pool = pool
        self._poll = select.poll()
        sock = transport.get_extra_info("socket")
        if sock is not None:
            self._poll.register(sock.fileno(), _POLL_IN)

    def stale(self) -> bool:
        """Whether this idle connection can no longer carry a request (see `Connection.stale`)."""
        protocol = self.protocol
        return bool(protocol.eof or protocol.chunks or self.transport.is_closing() or self._poll.poll(0))

    async def send(self, head: bytes, body: Any, deadline: float | None, timeout: float | None) -> None:
        """Within `deadline`; a streamed body waits at most `timeout` for each chunk to leave."""
        transport = self.transport
        protocol = self.protocol
        if transport.is_closing() or protocol.eof:
            # A pooled connection the daemon closed while idle: nothing was written.
            raise _NotSent("the connection was closed")
        if body is None or isinstance(body, bytes):
            transport.write(head + body if body else head)
            try:
                await protocol.drain(deadline)
            except (BrokenPipeError, ConnectionResetError) as exc:
                raise _AnsweredEarly(str(exc)) from exc
            return
        loop = asyncio.get_running_loop()
        transport.write(head)
        chunks = body if hasattr(body, "__aiter__") else _aiter(body)
        try:
            async for chunk in chunks:
                if chunk:
                    if protocol.chunks or protocol.eof:
                        raise _AnsweredEarly("the daemon answered before the upload ended")
                    transport.write(encode_chunk(chunk))
                    await protocol.drain(None if timeout is None else loop.time() + timeout)
            transport.write(b"0\r\n\r\n")
            await protocol.drain(None if timeout is None else loop.time() + timeout)
        except (BrokenPipeError, ConnectionResetError) as exc:
            raise _AnsweredEarly(str(exc)) from exc

    async def next_event(self, deadline: float | None) -> Head | Body | End:
        """The next event of the current response; call no more after its End.

        Waits for the peer until `deadline` (loop time; None: forever).
        """
        # A coroutine, not an async generator: one left unfinished would cost a
        # task and a self-pipe wake-up per request to finalize.
        pending = self.pending
        if not pending:
            parser = self.parser
            assert parser is not None
            protocol = self.protocol
            while not pending:
                await protocol.wait(deadline)
                pending.extend(parser.feed(protocol.take()))
        return pending.popleft()

    def abort(self) -> None:
        """Close at once, without waiting (on cancellation)."""
        if self.closed:
            return
        self.closed = True
        self.transport.abort()
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
        if self._pool is not None:
            self._pool._closed_one()

    async def aclose(self) -> None:
        if self.closed:
            return
        self.closed = True
        try:
            self.transport.close()
            with contextlib.suppress(OSError, ssl.SSLError):
                await self.protocol.closed
            if self.process is not None:
                await asyncio.to_thread(stop_process, self.process)
        finally:
            if self._pool is not None:
                self._pool._closed_one()


async def _aiter(chunks: Iterable[bytes]) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk


async def _close(conn: AsyncConnection) -> None:
    """Close after an error; if this task is being cancelled, at once."""
    try:
        await conn.aclose()
    except BaseException:
        conn.abort()
        raise


async def _failure(exc: BaseException, dialer: Dialer, conn: AsyncConnection | None) -> httpx.TransportError:
    """`_map_error` with what the connection's ssh process said, read in a thread (it waits for
    ssh to exit), before the connection is closed: as the sync transport reports it."""
    said = ""
    if conn is not None and conn.process is not None and not isinstance(exc, (TimeoutError, _NotSent)):
        said = await asyncio.to_thread(ssh_failure, conn.process)
    return _map_error(exc, dialer, None, said)


class AsyncDockerTransport(Endpoint, httpx.AsyncBaseTransport):
    """The asyncio twin of `DockerTransport` (task-safe: one request per connection at a time)."""

    def __init__(self, config: ConnectionConfig, limits: Limits | None = None) -> None:
        super().__init__(config, limits)
        self._idle: list[AsyncConnection] = []
        self._open = 0
        self._waiters: collections.deque[asyncio.Future[None]] = collections.deque()

    async def _connect(self, deadline: float | None) -> AsyncConnection:
        dialer = self.dialer
        try:
            loop = asyncio.get_running_loop()
            timeout = None if deadline is None else max(deadline - loop.time(), 0.0)
            if dialer.scheme == "unix":
                transport, protocol = await asyncio.wait_for(
                    loop.create_unix_connection(_Protocol, dialer.path), timeout
                )
            elif dialer.scheme == "ssh":
                sock, process = dialer.connect(timeout)
                transport, protocol = await loop.create_unix_connection(_Protocol, sock=sock)
                return AsyncConnection(transport, protocol, process, self)
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
            return AsyncConnection(transport, protocol, None, self)
        except httpx.ConnectError:
            raise
        except TimeoutError as exc:
            raise httpx.ConnectTimeout(f"timed out connecting to {dialer.config.host}") from exc
        except ssl.SSLError as exc:
            raise httpx.ConnectError(f"TLS handshake with {dialer.config.host} failed: {exc}") from exc
        except OSError as exc:
            raise httpx.ConnectError(f"{exc.strerror or exc}") from exc

    # -- pool ----------------------------------------------------------------

    async def _acquire(self, deadline: float | None) -> AsyncConnection:
        while True:
            idle = self._idle
            if idle:
                conn = idle.pop()
                if conn.stale():
                    await _close(conn)  # the daemon closed it while idle: nothing was sent on it
                    continue
                conn.reused = True
                return conn
            if self._open < self.limits.max_connections:
                self._open += 1
                try:
                    conn = await self._connect(deadline)
                except BaseException:
                    self._closed_one()
                    raise
                if conn.closed:  # closed while connecting (cannot happen today; keep the count right)
                    continue
                return conn
            await self._wait_free(deadline)

    async def _wait_free(self, deadline: float | None) -> None:
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        self._waiters.append(waiter)
        timer = loop.call_at(deadline, _expire, waiter) if deadline is not None else None
        try:
            await waiter
        except TimeoutError:
            raise httpx.PoolTimeout(
                f"no free connection to {self.dialer.config.host} in time ({self.limits.max_connections} in use)"
            ) from None
        except BaseException:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self._wake()  # woken, but leaving: pass it on
            raise
        finally:
            if timer is not None:
                timer.cancel()
            with contextlib.suppress(ValueError):
                self._waiters.remove(waiter)

    def _wake(self) -> None:
        waiters = self._waiters
        while waiters:
            waiter = waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    async def _failed(self, exc: BaseException, conn: AsyncConnection) -> httpx.TransportError:
        """The error of a failed exchange, with what ssh said, before its connection is closed."""
        error = await _failure(exc, self.dialer, conn)
        await _close(conn)
        return error

    def _closed_one(self) -> None:
        self._open -= 1
        if self._waiters:
            self._wake()

    async def _release(self, conn: AsyncConnection, reusable: bool) -> None:
        if reusable and not self._closed and len(self._idle) < MAX_IDLE:
            self._idle.append(conn)
            if self._waiters:
                self._wake()
        else:
            await _close(conn)

    async def _start(
        self, method: str, target: str, headers: HeaderPairs, body: Any, timeout: float | None, upgrade: bool = False
    ) -> tuple[AsyncConnection, Head]:
        """Send a request and read up to the response head; as `DockerTransport._start`."""
        head_bytes = _request_head(self.dialer, method, target, headers, body)
        streaming = body is not None and not isinstance(body, bytes)
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        retried = False
        while True:
            conn = await self._acquire(deadline)
            conn.parser = ResponseParser(method, upgrade)
            conn.pending.clear()
            try:
                await conn.send(head_bytes, body, deadline, timeout)
                if streaming and timeout is not None:
                    deadline = loop.time() + timeout  # the upload took what it took
                conn.deadline = deadline
                first = await conn.next_event(deadline)
            except _NotSent as exc:
                if not conn.reused:
                    raise await self._failed(exc, conn) from exc
                await _close(conn)
                continue
            except _AnsweredEarly as exc:
                # As DockerTransport._start: the daemon's answer to a cut-short upload, if any.
                assert conn.parser is not None
                conn.parser.no_reuse()
                conn.deadline = deadline = loop.time() + (5.0 if timeout is None else timeout)
                try:
                    first = await conn.next_event(deadline)
                except (ProtocolError, OSError):
                    first = None
                if not isinstance(first, Head):
                    raise await self._failed(exc.__cause__ or exc, conn) from exc
            except (ProtocolError, OSError) as exc:
                if not may_retry(exc, method, reused=conn.reused, retried=retried, streaming=streaming):
                    raise await self._failed(exc, conn) from exc
                await _close(conn)
                retried = True
                continue
            except BaseException:
                conn.abort()
                raise
            assert isinstance(first, Head)
            return conn, first

    async def fast_request(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes | None, timeout: float | None
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        """Send a request and read the whole response, within `timeout`."""
        conn, head = await self._start(method, target, headers, body, timeout)
        deadline = conn.deadline
        chunks = []
        try:
            reader = BodyReader(_body_limit(head, conn.parser, self._max_body), truncate=head.status >= 400)
            while not reader.done:
                chunks.append(reader.take(await conn.next_event(deadline)))
            await self._release(conn, reader.reusable)
        except (ProtocolError, OSError) as exc:
            raise await self._failed(exc, conn) from exc
        except BaseException:
            conn.abort()
            raise
        return head.status, head.headers, b"".join(chunks)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body: Any = await request.aread() if isinstance(request.stream, httpx.ByteStream) else request.stream
        target, headers, upgrade, streamed, timeout = exchange_of(request)
        conn, first = await self._start(request.method, target, headers, body, timeout, upgrade)
        try:
            if first.status == 101:
                assert conn.parser is not None
                return response_of(first, network=AsyncUpgradedStream(conn, conn.parser.leftover()))
            reader = answer_reader(first, conn.parser, streamed, self._max_body)
        except BaseException:
            await _close(conn)
            raise
        idle = self.limits.stream_timeout if streamed else None
        return response_of(first, stream=_AsyncBodyStream(self, conn, idle, reader))

    async def aclose(self) -> None:
        self._closed = True
        idle, self._idle = self._idle, []
        for conn in idle:
            await conn.aclose()


class _AsyncBodyStream(httpx.AsyncByteStream):
    """The asyncio twin of `_BodyStream`: a plain call's body within the deadline of its
    exchange, a stream's with each wait bounded by `idle` seconds (None: unbounded)."""

    def __init__(
        self, transport: AsyncDockerTransport, conn: AsyncConnection, idle: float | None, reader: BodyReader
    ) -> None:
        self._transport = transport
        self._conn: AsyncConnection | None = conn
        self._idle = idle
        self._reader = reader

    async def __aiter__(self) -> AsyncIterator[bytes]:
        conn = self._conn
        if conn is None:
            return
        idle = self._idle
        reader = self._reader
        deadline = conn.deadline if idle is None else None
        loop = asyncio.get_running_loop()
        try:
            while not reader.done:
                if idle is not None:
                    deadline = loop.time() + idle
                data = reader.take(await conn.next_event(deadline))
                if reader.done:
                    self._conn = None
                    await self._transport._release(conn, reader.reusable)
                if data:
                    yield data
        except (ProtocolError, OSError) as exc:
            self._conn = None
            raise await self._transport._failed(exc, conn) from exc
        except BaseException:
            if self._conn is not None:
                self._conn.abort()
                self._conn = None
            raise

    async def aclose(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            await _close(conn)


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
