"""What every generated `Docker`/`AsyncDocker` shares: construction, options, closing."""

from __future__ import annotations

import os
from types import TracebackType
from typing import ClassVar, Self

import httpx

from ._api import DEFAULT_TIMEOUT, AsyncAPI, SyncAPI
from ._config import TLSConfig, from_env

__all__ = ["AsyncClientBase", "SyncClientBase"]


class SyncClientBase:
    API_VERSION: ClassVar[str]
    _api: SyncAPI

    def __init__(
        self,
        base_url: str | None = None,
        *,
        tls: TLSConfig | bool | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """Connect to `base_url` (`unix:///path`, `tcp://host:port`, `ssh://user@host`), else
        where the environment says (DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH,
        DOCKER_CONTEXT), else `unix:///var/run/docker.sock`. The API version is this
        package's: nothing is negotiated. `timeout` (seconds, None for none) applies to
        each request; streams have no read timeout. `transport` replaces the network
        (e.g. `httpx.MockTransport` in tests)."""
        config = from_env(base_url, tls=tls, environ={k: v for k, v in _environ().items() if k != "DOCKER_API_VERSION"})
        self._api = SyncAPI(config, self.API_VERSION, timeout, transport)

    @classmethod
    def _from_api(cls, api: SyncAPI) -> Self:
        client = cls.__new__(cls)
        client._api = api
        return client

    def with_timeout(self, timeout: float | None) -> Self:
        """The same client (same connections) with another per-request timeout."""
        return self._from_api(self._api.with_options(timeout=timeout))

    @property
    def api_version(self) -> str:
        return self._api.version

    @property
    def base_url(self) -> str:
        return self._api.host

    def close(self) -> None:
        """Close every connection (and ssh process) this client opened."""
        self._api.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.base_url!r}, api_version={self.api_version!r})"


class AsyncClientBase:
    API_VERSION: ClassVar[str]
    _api: AsyncAPI

    def __init__(
        self,
        base_url: str | None = None,
        *,
        tls: TLSConfig | bool | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        """The asyncio twin of `SyncClientBase.__init__`."""
        config = from_env(base_url, tls=tls, environ={k: v for k, v in _environ().items() if k != "DOCKER_API_VERSION"})
        self._api = AsyncAPI(config, self.API_VERSION, timeout, transport)

    @classmethod
    def _from_api(cls, api: AsyncAPI) -> Self:
        client = cls.__new__(cls)
        client._api = api
        return client

    def with_timeout(self, timeout: float | None) -> Self:
        return self._from_api(self._api.with_options(timeout=timeout))

    @property
    def api_version(self) -> str:
        return self._api.version

    @property
    def base_url(self) -> str:
        return self._api.host

    async def aclose(self) -> None:
        await self._api.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.base_url!r}, api_version={self.api_version!r})"


def _environ() -> dict[str, str]:
    return dict(os.environ)
