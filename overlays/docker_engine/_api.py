"""The runtime core the generated methods call: send a `Request`, check the
status, read the body the way `Request.kind` says.

`SyncAPI` and `AsyncAPI` differ only in how they send; building the request
and reading the response is shared.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import IO, Any

import httpx

from ._errors import DockerConnectionError, error_for_status
from ._request import Request
from ._streams import RAW_STREAM, AsyncFrameStream, AsyncJSONStream, FrameStream, JSONStream
from ._transport import Endpoint, resolve_host

__all__ = ["AsyncAPI", "SyncAPI"]

CHUNK = 64 * 1024
DEFAULT_TIMEOUT = 60.0


def _file_chunks(f: IO[bytes]) -> Iterator[bytes]:
    while chunk := f.read(CHUNK):
        yield chunk


async def _async_chunks(content: Any) -> AsyncIterator[bytes]:
    for chunk in content:
        yield chunk


def _content(request: Request) -> Any:
    content = request.content
    if content is not None and hasattr(content, "read"):
        return _file_chunks(content)
    return content


def _headers(request: Request) -> dict[str, str] | None:
    if request.content_type is None or request.json is not None:
        return request.headers
    headers = dict(request.headers or {})
    headers["Content-Type"] = request.content_type
    return headers


def _connect_error(endpoint: Endpoint, exc: Exception) -> DockerConnectionError:
    cause = exc.__cause__ or exc.__context__ or exc
    hint = ""
    if isinstance(cause, FileNotFoundError) or "No such file" in str(exc):
        hint = " (no socket there: is the daemon running? Set DOCKER_HOST or pass base_url=)"
    elif isinstance(cause, PermissionError) or "Permission denied" in str(exc):
        hint = " (permission denied: add your user to the `docker` group, or use a socket you may open)"
    elif "refused" in str(exc).lower():
        hint = " (connection refused: is the daemon listening there? Set DOCKER_HOST or pass base_url=)"
    return DockerConnectionError(
        f"cannot connect to the Docker daemon at {endpoint.host}: {exc}{hint}", target=endpoint.host
    )


def is_raw_stream(request: Request, response: httpx.Response, version: str) -> bool:
    """Whether output is raw (TTY) rather than multiplexed.

    The daemon's Content-Type is right only from API 1.42, and only on logs
    (GET) and upgraded (101) attach/exec responses: a plain POST to exec start
    or attach is always labelled raw-stream. Otherwise the request's own
    `Tty` (exec start) decides; without one the stream is taken as
    multiplexed, and a malformed frame header raises rather than passing
    garbage on.
    """
    major, minor = version.split(".")
    if (int(major), int(minor)) >= (1, 42) and (response.status_code == 101 or request.method == "GET"):
        content_type: str = response.headers.get("content-type", "")
        return content_type.startswith(RAW_STREAM)
    body = request.json
    return isinstance(body, dict) and bool(body.get("Tty"))


def _check(request: Request, response: httpx.Response, body: bytes) -> None:
    if response.status_code not in request.ok:
        raise error_for_status(response.status_code, body, method=request.method, path=response.url.path)


def _read(request: Request, response: httpx.Response) -> Any:
    kind = request.kind
    status = response.status_code
    if kind == "json":
        if status in (204, 304) or not response.content:
            return None
        assert request.parse is not None
        return request.parse(response.json())
    if kind == "text":
        return response.text
    if kind == "binary":
        return response.content
    if kind == "head":
        return response.headers
    return None


class _APIBase:
    def __init__(self, base_url: str | None, version: str, timeout: float | None) -> None:
        self.endpoint = resolve_host(base_url)
        self.version = version
        self.prefix = f"/v{version}"
        self.timeout = httpx.Timeout(timeout)

    def _build(self, client: httpx.Client | httpx.AsyncClient, request: Request, *, stream: bool) -> httpx.Request:
        content = _content(request)
        if isinstance(client, httpx.AsyncClient) and content is not None and not isinstance(content, bytes):
            content = _async_chunks(content)
        extensions = (
            {"timeout": httpx.Timeout(self.timeout.connect, read=None, write=None, pool=None).as_dict()}
            if stream
            else None
        )
        return client.build_request(
            request.method,
            self.prefix + request.path,
            params=request.params,
            json=request.json,
            content=content,
            headers=_headers(request),
            extensions=extensions,
        )


class SyncAPI(_APIBase):
    """Sends requests with one keep-alive `httpx.Client` (thread-safe)."""

    def __init__(self, base_url: str | None, version: str, timeout: float | None = DEFAULT_TIMEOUT) -> None:
        super().__init__(base_url, version, timeout)
        self.client = httpx.Client(
            transport=self.endpoint.transport(), base_url=self.endpoint.base_url, timeout=self.timeout
        )

    def _send(self, request: Request, *, stream: bool) -> httpx.Response:
        try:
            return self.client.send(self._build(self.client, request, stream=stream), stream=stream)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise _connect_error(self.endpoint, exc) from exc

    def call(self, request: Request) -> Any:
        response = self._send(request, stream=False)
        _check(request, response, response.content)
        return _read(request, response)

    def stream(self, request: Request) -> Any:
        response = self._send(request, stream=True)
        if response.status_code not in request.ok:
            try:
                body = response.read()
            finally:
                response.close()
            _check(request, response, body)
        if request.kind == "json-stream":
            assert request.parse is not None
            return JSONStream(response, request.parse)
        return FrameStream(response, raw=is_raw_stream(request, response, self.version))

    def close(self) -> None:
        self.client.close()


class AsyncAPI(_APIBase):
    """Sends requests with one keep-alive `httpx.AsyncClient`."""

    def __init__(self, base_url: str | None, version: str, timeout: float | None = DEFAULT_TIMEOUT) -> None:
        super().__init__(base_url, version, timeout)
        self.client = httpx.AsyncClient(
            transport=self.endpoint.async_transport(), base_url=self.endpoint.base_url, timeout=self.timeout
        )

    async def _send(self, request: Request, *, stream: bool) -> httpx.Response:
        try:
            return await self.client.send(self._build(self.client, request, stream=stream), stream=stream)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise _connect_error(self.endpoint, exc) from exc

    async def call(self, request: Request) -> Any:
        response = await self._send(request, stream=False)
        _check(request, response, response.content)
        return _read(request, response)

    async def stream(self, request: Request) -> Any:
        response = await self._send(request, stream=True)
        if response.status_code not in request.ok:
            try:
                body = await response.aread()
            finally:
                await response.aclose()
            _check(request, response, body)
        if request.kind == "json-stream":
            assert request.parse is not None
            return AsyncJSONStream(response, request.parse)
        return AsyncFrameStream(response, raw=is_raw_stream(request, response, self.version))

    async def aclose(self) -> None:
        await self.client.aclose()
