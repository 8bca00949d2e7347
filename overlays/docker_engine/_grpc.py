"""A gRPC server on one HTTP/2 connection that the peer dials in on: the BuildKit session.

After `POST /session` is upgraded, the daemon speaks HTTP/2 (h2c) on the connection as a
gRPC *client* and this side serves. `h2` keeps the protocol state without I/O; one reader
thread feeds it and dispatches each call to a thread of its own, so a file transfer that
waits for flow-control credit never stops the connection from reading. gRPC's framing is
a 5-byte prefix per message (a compression flag, the length); nothing is compressed.

Why h2 and not grpcio: grpcio serves only on ports it listens on itself, not on a socket
that is already connected; it is also a 6 MB native extension with its own threads. h2 is
pure Python, sans-IO (as the HTTP/1.1 code of `_http11`), and small.
"""

from __future__ import annotations

import contextlib
import queue
import socket
import struct
import threading
from collections.abc import Callable, Mapping
from typing import Any

import h2.config
import h2.connection
import h2.events
import h2.exceptions

__all__ = ["Call", "GrpcError", "Handler", "Server"]

_PREFIX = struct.Struct(">BI")
MAX_MESSAGE = 16 * 1024 * 1024  # what we accept from the peer in one message
_OK, _UNKNOWN, _NOT_FOUND, _UNIMPLEMENTED, _RESOURCE_EXHAUSTED = 0, 2, 5, 12, 8


class GrpcError(Exception):
    """A call that ends with a gRPC status other than OK (`code`, `message`)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Call:
    """One incoming call: its metadata, the messages the peer sends (`recv`), and ours (`send`)."""

    def __init__(self, server: Server, stream_id: int, method: str, metadata: Mapping[str, list[str]]) -> None:
        self.server = server
        self.stream_id = stream_id
        self.method = method
        self.metadata = metadata
        self._incoming: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._buffer = bytearray()
        self.cancelled = False
        self._started = False

    def _feed(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data
        while len(buffer) >= _PREFIX.size:
            compressed, length = _PREFIX.unpack_from(buffer)
            if compressed:
                raise GrpcError(_UNIMPLEMENTED, "compressed messages are not supported")
            if length > MAX_MESSAGE:
                raise GrpcError(_RESOURCE_EXHAUSTED, f"a message of {length} bytes (at most {MAX_MESSAGE})")
            if len(buffer) < _PREFIX.size + length:
                return
            self._incoming.put(bytes(buffer[_PREFIX.size : _PREFIX.size + length]))
            del buffer[: _PREFIX.size + length]

    def _end(self) -> None:
        self._incoming.put(None)

    def recv(self) -> bytes | None:
        """The peer's next message; None once it has sent all (or the call was cancelled)."""
        return self._incoming.get()

    def _begin(self) -> None:
        """The response's headers, before its first message or its trailers."""
        if not self._started:
            self._started = True
            self.server._respond(self.stream_id, [(":status", "200"), ("content-type", "application/grpc")])

    def send(self, message: bytes) -> None:
        self._begin()
        self.server._send_data(self.stream_id, _PREFIX.pack(0, len(message)) + message)

    def finish(self, code: int = _OK, message: str = "") -> None:
        self._begin()
        trailers = [("grpc-status", str(code))]
        if message:
            trailers.append(("grpc-message", _percent(message)))
        self.server._trailers(self.stream_id, trailers)


def _percent(text: str) -> str:
    """grpc-message is percent-encoded (the gRPC HTTP/2 spec)."""
    return "".join(c if " " <= c <= "~" and c != "%" else "".join(f"%{b:02X}" for b in c.encode()) for c in text)


Handler = Callable[[Call], None]
"""Serves a call: reads with `call.recv()`, answers with `call.send()`; returning ends the call
with OK, raising `GrpcError` with its status (anything else: UNKNOWN)."""


class Server:
    """Serves `handlers` (by method path, `/package.Service/Method`) on `sock` until it closes."""

    def __init__(self, sock: socket.socket, handlers: Mapping[str, Handler]) -> None:
        self._sock = sock
        self._handlers = handlers
        self._h2 = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False, header_encoding="utf-8"))
        self._lock = threading.Lock()  # h2's state and the socket's writes
        self._window = threading.Condition(self._lock)  # flow-control credit came, or the end
        self._calls: dict[int, Call] = {}
        self._closed = False
        self.error: BaseException | None = None

    # -- reading ------------------------------------------------------------------

    def serve(self, preface: bytes = b"") -> None:
        """Read and dispatch until the connection ends (run it in a thread)."""
        try:
            with self._lock:
                self._h2.initiate_connection()
                self._flush()
            data = preface
            while not self._closed:
                if data:
                    with self._lock:
                        events = self._h2.receive_data(data)
                        self._flush()
                    for event in events:
                        self._on(event)
                data = self._sock.recv(256 * 1024)
                if not data:
                    break
        except (OSError, h2.exceptions.ProtocolError) as exc:
            if not self._closed:
                self.error = exc
        finally:
            self._shut()
            self._sock.close()

    def _on(self, event: Any) -> None:
        if isinstance(event, h2.events.RequestReceived):
            headers = [(str(k), str(v)) for k, v in event.headers or []]
            path = next((v for k, v in headers if k == ":path"), "")
            metadata: dict[str, list[str]] = {}
            for key, value in headers:
                if not key.startswith(":"):
                    metadata.setdefault(key, []).append(value)
            assert event.stream_id is not None
            call = Call(self, event.stream_id, path, metadata)
            self._calls[event.stream_id] = call
            threading.Thread(target=self._run, args=(call,), name=f"grpc {path}", daemon=True).start()
        elif isinstance(event, h2.events.DataReceived):
            assert event.stream_id is not None and event.data is not None
            with self._lock:
                self._h2.acknowledge_received_data(event.flow_controlled_length or 0, event.stream_id)
                self._flush()
            receiving = self._calls.get(event.stream_id)
            if receiving is not None:
                try:
                    receiving._feed(event.data)
                except GrpcError:
                    receiving._end()
                    self._reset(receiving.stream_id)
        elif isinstance(event, h2.events.StreamEnded):
            ended = self._calls.get(event.stream_id or 0)
            if ended is not None:
                ended._end()
        elif isinstance(event, h2.events.StreamReset):
            reset = self._calls.pop(event.stream_id or 0, None)
            if reset is not None:
                reset.cancelled = True
                reset._end()
            with self._window:
                self._window.notify_all()
        elif isinstance(event, h2.events.WindowUpdated | h2.events.RemoteSettingsChanged):
            with self._window:
                self._window.notify_all()
        elif isinstance(event, h2.events.ConnectionTerminated):
            self._closed = True

    def _run(self, call: Call) -> None:
        handler = self._handlers.get(call.method)
        try:
            if handler is None:
                raise GrpcError(_UNIMPLEMENTED, f"{call.method} is not served by this session")
            handler(call)
        except GrpcError as exc:
            self._finish(call, exc.code, exc.message)
        except _Gone:
            pass
        except Exception as exc:
            self._finish(call, _UNKNOWN, f"{type(exc).__name__}: {exc}")
        else:
            self._finish(call, _OK, "")

    def _finish(self, call: Call, code: int, message: str) -> None:
        if call.cancelled or self._closed:
            return
        with contextlib.suppress(_Gone, h2.exceptions.ProtocolError, OSError):
            call.finish(code, message)
        self._calls.pop(call.stream_id, None)

    # -- writing ------------------------------------------------------------------

    def _flush(self) -> None:
        data = self._h2.data_to_send()
        if data:
            self._sock.sendall(data)

    def _respond(self, stream_id: int, headers: list[tuple[str, str]]) -> None:
        with self._lock:
            self._live(stream_id)
            self._h2.send_headers(stream_id, headers)
            self._flush()

    def _trailers(self, stream_id: int, headers: list[tuple[str, str]]) -> None:
        with self._lock:
            self._live(stream_id)
            self._h2.send_headers(stream_id, headers, end_stream=True)
            self._flush()

    def _send_data(self, stream_id: int, data: bytes) -> None:
        view = memoryview(data)
        with self._window:
            while view:
                self._live(stream_id)
                room = min(self._h2.local_flow_control_window(stream_id), self._h2.max_outbound_frame_size)
                if room <= 0:
                    self._window.wait(5.0)  # credit comes as WINDOW_UPDATE; a stream reset or the end wakes too
                    continue
                self._h2.send_data(stream_id, view[:room].tobytes())
                self._flush()
                view = view[room:]

    def _live(self, stream_id: int) -> None:
        if self._closed or stream_id not in self._calls:
            raise _Gone()

    def _reset(self, stream_id: int) -> None:
        with self._lock, contextlib.suppress(h2.exceptions.ProtocolError, OSError):
            self._h2.reset_stream(stream_id)
            self._flush()

    def close(self) -> None:
        """End the session: the connection is closed, every call ends."""
        self._closed = True
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)  # wakes the reader, which closes the socket
        self._shut()

    def _shut(self) -> None:
        self._closed = True
        for call in list(self._calls.values()):
            call.cancelled = True
            call._end()
        with self._window:
            self._window.notify_all()


class _Gone(Exception):
    """The call or the connection ended while a handler was still writing."""
