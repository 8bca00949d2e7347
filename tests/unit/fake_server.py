"""A scripted server on a unix socket for the fault tests: one handler per
connection, told which connection it is; what it was asked is recorded."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
from pathlib import Path


class Peer:
    """One accepted connection: read requests, write whatever the test wants."""

    def __init__(self, sock: socket.socket, server: Server) -> None:
        self.sock = sock
        self.server = server
        self.buffer = b""

    def request(self) -> tuple[str, str, bytes] | None:
        """The next request (method, target, body), or None when the client closed."""
        while b"\r\n\r\n" not in self.buffer:
            data = self.sock.recv(65536)
            if not data:
                return None
            self.buffer += data
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.decode().split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.lower() == "content-length":
                length = int(value)
        while len(self.buffer) < length:
            self.buffer += self.sock.recv(65536)
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        with self.server.lock:
            self.server.seen.append((method, target))
        return method, target, body

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def answer_json(self, value: object, status: int = 200) -> None:
        body = json.dumps(value).encode()
        self.send(
            b"HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
            % (status, len(body), body)
        )

    def answer_ok(self) -> None:
        self.send(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nOK")


Handler = Callable[[Peer, int], None]  # the peer, and which connection it is (0, 1, ...)


class Server:
    def __init__(self, path: Path, handler: Handler) -> None:
        self.path = path
        self.handler = handler
        self.seen: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self.connections = 0
        self.open = 0
        self.most_open = 0
        self.stop = threading.Event()
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(str(path))
        self._listener.listen(64)
        self._listener.settimeout(0.05)
        self._threads: list[threading.Thread] = []
        self._accept = threading.Thread(target=self._serve, daemon=True)
        self._accept.start()

    @property
    def url(self) -> str:
        return f"unix://{self.path}"

    def methods(self) -> list[str]:
        with self.lock:
            return [method for method, target in self.seen if not target.endswith("/_ping")]

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            with self.lock:
                number = self.connections
                self.connections += 1
            thread = threading.Thread(target=self._run, args=(sock, number), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _run(self, sock: socket.socket, number: int) -> None:
        with self.lock:
            self.open += 1
            self.most_open = max(self.most_open, self.open)
        try:
            self.handler(Peer(sock, self), number)
        except OSError:
            pass  # the client gave up: what several tests want
        finally:
            with self.lock:
                self.open -= 1
            sock.close()

    def close(self) -> None:
        self.stop.set()
        self._accept.join()
        for thread in self._threads:
            thread.join(5)
        self._listener.close()
