"""A fake Docker daemon on a unix socket that records every request.

`/_ping` answers with the `Api-Version` it is given; anything else is recorded and
answered 500, so that a script whose mistake was not refused before sending stops there.
"""

from __future__ import annotations

import http.server
import socketserver
import threading
from pathlib import Path
from types import TracebackType
from typing import Self


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = self.path.split("?", 1)[0]
        self.server.requests.append((self.command, self.path, body))
        if path == "/_ping" or path.endswith("/_ping"):
            payload = b"OK"
            self.send_response(200)
            self.send_header("Api-Version", self.server.api_version)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
        else:
            payload = b'{"message": "fake daemon: this request should not have been sent"}'
            self.send_response(500)
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_HEAD = do_DELETE = do_PUT = _answer

    def address_string(self) -> str:
        return "unix"

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    api_version: str
    requests: list[tuple[str, str, bytes]]


class FakeDaemon:
    """`with FakeDaemon(tmp_path / "docker.sock", "1.41") as d:` → `d.url`, `d.requests`."""

    def __init__(self, socket_path: Path, api_version: str) -> None:
        self.socket_path = socket_path
        self._server = _Server(str(socket_path), _Handler)
        self._server.api_version = api_version
        self._server.requests = []
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    @property
    def requests(self) -> list[tuple[str, str, bytes]]:
        return list(self._server.requests)

    def not_pings(self) -> list[tuple[str, str, bytes]]:
        return [r for r in self._server.requests if r[1].split("?", 1)[0].rsplit("/", 1)[-1] != "_ping"]

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
