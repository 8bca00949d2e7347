"""The sync twin of `docker_engine._async_api` (see its docstring), written from it by
`python -m generator unasync`: the same code without `await`; do not edit."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from time import monotonic
from typing import TYPE_CHECKING, Any

import httpx

from ._api_base import (
    _LOG,
    DEFAULT_TIMEOUT,
    _APIBase,
    _base_url,
    _container_of,
    _success,
    _tty_request,
    trusted_raw,
)
from ._config import ConnectionConfig
from ._errors import DockerError, VersionError, failure
from ._redact import own_request
from ._request import Request, in_place
from ._sync_hijack import HijackedStream
from ._sync_streams import BinaryStream, BuildKitStream, FrameStream, JSONStream
from ._sync_websocket import WebSocketStream
from ._transports import Limits
from ._version import choose_version, server_version
from ._websocket import WebSocketCodec

if TYPE_CHECKING:
    from ._session import BuildSession, SecretSource
    from ._transports import DockerTransport

__all__ = ["SyncAPI", "negotiate"]


class SyncAPI(_APIBase):
    """Sends requests for one client; safe to share between threads (tasks): connections are
    pooled per transport."""

    def __init__(
        self,
        config: ConnectionConfig,
        version: str,
        timeout: float | None = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        client: httpx.Client | None = None,
        limits: Limits | None = None,
    ) -> None:
        super().__init__(config, version, timeout)
        # On first use: a sync client never imports asyncio.
        from ._transports import DockerTransport  # noqa: PLC0415

        self.transport = transport if transport is not None else DockerTransport(config, limits)
        self.client = client or httpx.Client(transport=self.transport, base_url=_base_url(config))
        self._fast = self.transport if isinstance(self.transport, DockerTransport) else None

    def with_options(self, *, version: str | None = None, timeout: float | bool | None = False) -> SyncAPI:
        """A view sharing the connections, with another version prefix or timeout."""
        return SyncAPI(
            self.config,
            version or self.version,
            self.timeout if timeout is False else timeout,  # type: ignore[arg-type]
            self.transport,
            self.client,
        )

    def _send(self, request: Request, *, stream: bool) -> httpx.Response:
        started = monotonic() if stream and _LOG.isEnabledFor(logging.DEBUG) else 0.0
        token = own_request.set(True)
        try:
            response = self.client.send(self._build(self.client, request, stream=stream), stream=stream)
        except httpx.TransportError as exc:
            raise failure(exc, self.host) from exc
        finally:
            own_request.reset(token)
        if started:  # a streamed answer: its status and the time to its headers
            self._log(request, response.status_code, started)
        return response

    def call(self, request: Request) -> Any:
        started = monotonic() if _LOG.isEnabledFor(logging.DEBUG) else 0.0
        fast = self._fast
        raw_headers: httpx.Headers | list[tuple[bytes, bytes]]
        if fast is not None and request.content is None:
            target, headers, body = self._fast_parts(request)
            try:
                status, raw_headers, data = fast.fast_request(request.method, target, headers, body, self.timeout)
            except httpx.TransportError as exc:
                raise failure(exc, self.host) from exc
        else:
            response = self._send(request, stream=False)
            status, raw_headers, data = response.status_code, response.headers, response.content
        if started:
            self._log(request, status, started)
        return self._result(request, status, raw_headers, data)

    def stream(self, request: Request) -> Any:
        response = self._send(request, stream=True)
        if not _success(request, response.status_code):
            try:
                body = response.read()
            finally:
                response.close()
            raise self._error(request, response.status_code, body)
        try:
            raw = False if request.kind in ("json-stream", "binary") else self._raw(request, response)
        except BaseException:
            response.close()
            raise
        if request.kind == "binary":
            return BinaryStream(response)
        if request.kind == "json-stream":
            assert request.parse is not None
            return JSONStream(response, request.parse)
        return FrameStream(response, raw=raw)

    def container_tty(self, container: str) -> bool:
        if container in self._tty:
            return self._tty[container]
        return self._remember_tty(container, self.call(_tty_request(container)))

    def _raw(self, request: Request, response: httpx.Response, container: str | None = None) -> bool:
        trusted = trusted_raw(request, response, self.version)
        if trusted is not None:
            return trusted
        container = container or _container_of(request)
        return self.container_tty(container) if container else False

    def _upgrade(self, request: Request) -> httpx.Response:
        """Send an upgrade request; the 101 response, whose connection is now ours."""
        response = self._send(request, stream=True)
        if response.status_code != 101:
            try:
                body = response.read()
            finally:
                response.close()
            raise self._error(request, response.status_code, body)
        return response

    def hijack(self, request: Request, *, container: str | None = None) -> HijackedStream:
        """Send an upgrade request (attach, exec start) and return the raw connection."""
        response = self._upgrade(request)
        raw = self._raw(request, response, container)
        return HijackedStream(response.extensions["network_stream"], raw=raw)

    def buildkit(
        self,
        request: Request,
        context: str | os.PathLike[str] | None,
        *,
        secrets: Mapping[str, SecretSource] | None = None,
        ssh: Mapping[str, str | os.PathLike[str]] | None = None,
    ) -> BuildKitStream:
        """`request` (a `POST /build`) as a BuildKit build: a session serves `context`, the
        Dockerfile's directory, `secrets` and `ssh` agents (see `_session`), and the build is
        returned as it runs."""
        from ._build_status import BuildLedger, as_is  # noqa: PLC0415
        from ._mixins import buildkit_dirs  # noqa: PLC0415

        params = dict(request.params or {})
        directory, dockerfile_dir, params["dockerfile"] = buildkit_dirs(context, params.get("dockerfile"))
        session = _session_class()(
            self.config, self.prefix, context=directory, dockerfile_dir=dockerfile_dir, secrets=secrets, ssh=ssh
        )
        # The session is served by threads on a connection of its own, for either client.
        in_place(session.start)
        params.update(version="2", remote="client-session", session=session.id)
        build = Request(
            "POST",
            "/build",
            request.ok,
            kind="json-stream",
            params=params,
            headers=request.headers,
            content=b"",
            content_type="application/x-tar",
            parse=as_is,  # the trace's `aux` is base64, not a `BuildInfo`'s
        )
        try:
            stream = self.stream(build)
        except BaseException:
            in_place(session.close)
            raise
        return BuildKitStream(stream, session, BuildLedger())

    def session(self, request: Request) -> BuildSession:
        """`POST /session` upgraded to HTTP/2: a started BuildKit session, served by threads on
        a connection of its own (see `_session`); `request` is the generated operation's."""
        session = _session_class()(self.config, self.prefix)
        in_place(session.start)
        return session

    def websocket(self, request: Request) -> WebSocketStream:
        """Open a WebSocket (attach/ws): the upgrade handshake, checked."""
        codec = WebSocketCodec()
        request.headers = {**(request.headers or {}), **codec.request_headers()}
        response = self._upgrade(request)
        stream = response.extensions["network_stream"]
        try:
            codec.check_accept(response.headers.get("sec-websocket-accept"))
        except BaseException:
            stream.close()
            raise
        return WebSocketStream(stream, codec)

    def close(self) -> None:
        """Close every connection (and ssh process) of the transport."""
        self.client.close()


def _session_class() -> type[BuildSession]:
    """`BuildSession`, whose module needs the `buildkit` extra (h2, protobuf): its absence said plainly."""
    try:
        from ._session import BuildSession  # noqa: PLC0415
    except ImportError as exc:
        raise DockerError(
            f"BuildKit needs the `buildkit` extra ({exc.name} is missing): pip install 'docker-engine[buildkit]'"
        ) from exc
    return BuildSession


def negotiate(
    config: ConnectionConfig,
    timeout: float | None,
    transport: DockerTransport,
    client: httpx.Client | None,
) -> SyncAPI:
    """An `SyncAPI` at the version the daemon and this package share (or the pinned one,
    checked against the daemon's): `/_ping` straight on the transport, HEAD and then GET
    for a daemon that answers HEAD without `Api-Version`."""
    for method in ("HEAD", "GET"):
        try:
            status, headers, body = transport.fast_request(method, "/_ping", [], None, timeout)
        except httpx.TransportError as exc:
            raise failure(exc, config.host) from exc
        found = server_version(config.host, status, headers, body)
        if found:
            return SyncAPI(config, choose_version(found, config.api_version), timeout, transport, client)
    raise VersionError(f"the daemon at {config.host} did not tell its API version on /_ping")
