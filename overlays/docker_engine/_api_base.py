"""What `SyncAPI` and `AsyncAPI` share: building the request, checking the status, reading
the body the way `Request.kind` says (see `docker_engine._api`)."""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from time import monotonic
from typing import IO, Any
from urllib.parse import unquote, urlencode

import httpx

from ._config import DEFAULT_TIMEOUT, ConnectionConfig
from ._errors import (
    DockerError,
    InvalidRequestError,
    InvalidResponseError,
    error_for_status,
)
from ._redact import install_log_filter
from ._request import Request, quote_path
from ._streams import RAW_STREAM
from ._transports import STREAM

__all__ = ["DEFAULT_TIMEOUT", "trusted_raw"]

install_log_filter()  # no credentials or build-arg values in httpx's request log lines
# One DEBUG record per call (method, path, status, time): `logging.getLogger("docker_engine")`.
_LOG = logging.getLogger("docker_engine.http")

CHUNK = 64 * 1024


def _file_chunks(f: IO[bytes]) -> Iterator[bytes]:
    while chunk := f.read(CHUNK):
        yield chunk


def _path_chunks(path: os.PathLike[str]) -> Iterator[bytes]:
    with open(path, "rb") as f:
        yield from _file_chunks(f)


async def _async_chunks(content: Iterable[bytes]) -> AsyncIterator[bytes]:
    if isinstance(content, (list, tuple)):
        for chunk in content:
            yield chunk
        return
    # Reading a file or tarring a build context blocks: each chunk is made in a worker thread.
    chunks = iter(content)
    import asyncio  # noqa: PLC0415 - asyncio only for async use

    while (chunk := await asyncio.to_thread(next, chunks, None)) is not None:
        yield chunk


def _content(request: Request) -> Any:
    content = request.content
    if isinstance(content, os.PathLike):
        # A local path is tarred on the fly: a build context (honouring
        # .dockerignore) for /build, else the file or directory itself, as
        # `docker cp` puts it.
        from ._archive import build_context, tar_path  # noqa: PLC0415 - tarfile only when a path is sent

        if request.path == "/build":
            return iter(build_context(content))
        if request.path == "/plugins/create":
            # `docker plugin create` sends the directory's contents (config.json and rootfs/ at
            # the top), or a tar file as it is.
            return tar_path(content, arcname=".") if os.path.isdir(content) else _path_chunks(content)
        return tar_path(content)
    if content is not None and hasattr(content, "read"):
        return _file_chunks(content)
    return content


def _success(request: Request, status: int) -> bool:
    """The statuses the spec lists for success, and any other 2xx: servers differ (podman
    creates a secret with 200 where dockerd says 201), and a 2xx means it was done."""
    return status in request.ok or 200 <= status < 300


_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]").search  # tab is allowed in a header value


def _check_headers(headers: dict[str, str]) -> None:
    """A CR, LF or NUL would end the header line early: what follows would be a header
    (or a body) of its own."""
    for name, value in headers.items():
        if _CONTROL(value) or _CONTROL(name):
            raise InvalidRequestError(
                f"header {name}: the value contains a control character (CR, LF, NUL, ...); refused before sending"
            )


def _headers(request: Request) -> dict[str, str] | None:
    if request.headers:
        _check_headers(request.headers)
    if request.content_type is None or request.json is not None:
        return request.headers
    headers = dict(request.headers or {})
    headers["Content-Type"] = request.content_type
    return headers


def trusted_raw(request: Request, response: httpx.Response, version: str) -> bool | None:
    """Whether output is raw (TTY) rather than multiplexed, where the exchange itself says so.

    The daemon's Content-Type is right only from API 1.42, and only on logs
    (GET) and upgraded (101) attach/exec responses: a plain POST to exec start
    or attach is always labelled raw-stream. Else the request's own `Tty`
    (exec start) decides. None: ask the container (one inspect, cached).
    """
    major, minor = version.split(".")
    if (int(major), int(minor)) >= (1, 42) and (response.status_code == 101 or request.method == "GET"):
        content_type: str = response.headers.get("content-type", "")
        return content_type.startswith(RAW_STREAM)
    body = request.json
    if isinstance(body, dict) and "Tty" in body:
        return bool(body["Tty"])
    return None


_CONTAINER_STREAM = re.compile(r"^/containers/([^/]+)/(?:logs|attach)$")


def _container_of(request: Request) -> str | None:
    match = _CONTAINER_STREAM.match(request.path)
    return unquote(match.group(1)) if match else None


def _tty_request(container: str) -> Request:
    return Request(
        "GET",
        f"/containers/{quote_path(container)}/json",
        (200,),
        kind="json",
        parse=lambda data: (str(data.get("Id", "")), bool((data.get("Config") or {}).get("Tty"))),
    )


def _query(params: dict[str, Any] | None) -> str:
    if not params:
        return ""
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        for item in value if isinstance(value, list) else (value,):
            pairs.append((key, "true" if item is True else "false" if item is False else str(item)))
    return "?" + urlencode(pairs)


class _APIBase:
    """What the sync and async cores share: configuration, request building."""

    def __init__(self, config: ConnectionConfig, version: str, timeout: float | None) -> None:
        self.config = config
        self.version = version
        self.prefix = f"/v{version}"
        self.timeout = timeout
        # Container Tty by ID, for streams whose framing the daemon does not announce.
        self._tty: dict[str, bool] = {}

    @property
    def host(self) -> str:
        return self.config.host

    def _build(self, client: httpx.Client | httpx.AsyncClient, request: Request, *, stream: bool) -> httpx.Request:
        content = _content(request)
        if isinstance(client, httpx.AsyncClient) and content is not None and not isinstance(content, bytes):
            content = _async_chunks(content)
        # Streams wait for the daemon as long as it takes: no read timeout.
        timeout = httpx.Timeout(self.timeout, read=None, write=None) if stream else httpx.Timeout(self.timeout)
        return client.build_request(
            request.method,
            self.prefix + request.path,
            params=request.params,
            json=request.json,
            content=content,
            headers=_headers(request),
            timeout=timeout,
            # A stream has no body cap and waits for each read as long as it takes.
            extensions={STREAM: True} if stream else None,
        )

    def _fast_parts(self, request: Request) -> tuple[str, list[tuple[str, str]], bytes | None]:
        if request.headers:
            _check_headers(request.headers)
        headers = list(request.headers.items()) if request.headers else []
        body = None
        if request.json is not None:
            body = json.dumps(request.json).encode()
            headers.append(("Content-Type", "application/json"))
        return self.prefix + request.path + _query(request.params), headers, body

    def _log(self, request: Request, status: int, started: float) -> None:
        # Method, path and status only: a query string can hold build-arg values, headers credentials.
        _LOG.debug(
            "%s %s -> %d in %.1f ms", request.method, self.prefix + request.path, status, (monotonic() - started) * 1e3
        )

    def _error(self, request: Request, status: int, body: bytes) -> DockerError:
        return error_for_status(status, body, method=request.method, path=unquote(self.prefix + request.path))

    def _result(
        self, request: Request, status: int, headers: httpx.Headers | list[tuple[bytes, bytes]], body: bytes
    ) -> Any:
        """Check the status and read a whole (non-streamed) response the way `request.kind` says."""
        if not _success(request, status):
            raise self._error(request, status, body)
        kind = request.kind
        if kind == "json":
            if status in (204, 304) or not body:
                return None
            assert request.parse is not None
            return self._decode(request, body, request.parse)
        if kind == "text":
            return body.decode("utf-8", "replace")
        if kind == "head":
            return httpx.Headers(headers)
        if kind == "path-stat":
            from ._archive import path_stat_from_headers  # noqa: PLC0415

            return path_stat_from_headers(httpx.Headers(headers))
        return None

    def _decode(self, request: Request, body: bytes, parse: Callable[[Any], Any]) -> Any:
        """The JSON answer, parsed: any failure (invalid JSON or UTF-8, nesting too deep for
        the parser, a shape the model cannot take) is an InvalidResponseError."""
        try:
            data = json.loads(body)
        except (ValueError, RecursionError) as exc:
            raise self._unreadable(request, "is not valid JSON", exc) from exc
        try:
            return parse(data)
        except (TypeError, AttributeError, KeyError, ValueError, RecursionError) as exc:
            raise self._unreadable(request, "does not have the shape the API describes", exc) from exc

    def _unreadable(self, request: Request, what: str, exc: BaseException) -> InvalidResponseError:
        path = unquote(self.prefix + request.path)
        return InvalidResponseError(f"{request.method} {path}: the answer {what} ({type(exc).__name__}: {exc})"[:500])

    def _remember_tty(self, asked: str, found: tuple[str, bool]) -> bool:
        container_id, tty = found
        # Only IDs are cached: a name may later belong to another container.
        if container_id and container_id.startswith(asked):
            self._tty[asked] = tty
        return tty


def _base_url(config: ConnectionConfig) -> str:
    # The Host header: the daemon ignores it for unix sockets and ssh.
    if config.scheme in ("tcp", "http", "https"):
        scheme = "https" if config.tls is not None or config.scheme == "https" else "http"
        return f"{scheme}://{config.host.split('://', 1)[1]}"
    return "http://docker"
