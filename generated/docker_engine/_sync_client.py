"""The sync twin of `docker_engine._async_client` (see its docstring), written from it by
`python -m generator unasync`: the same code without `await`; do not edit."""

from __future__ import annotations

from typing import ClassVar, Self

import httpx

from ._api import DEFAULT_TIMEOUT, SyncAPI
from ._closing import Closing
from ._config import TLSConfig, for_package
from ._redact import redact_host
from ._transports import Limits

__all__ = ["SyncClientBase"]


class SyncClientBase(Closing):
    API_VERSION: ClassVar[str]
    _api: SyncAPI

    def __init__(
        self,
        base_url: str | None = None,
        *,
        tls: TLSConfig | bool | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        limits: Limits | None = None,
    ) -> None:
        """Connect to `base_url` (`unix:///path`, `tcp://host:port`, `ssh://user@host`), else
        where the environment says (DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH,
        DOCKER_CONTEXT), else `unix:///var/run/docker.sock`. The API version is this
        package's: nothing is negotiated. `timeout` (seconds, None for none) applies to
        each request (one deadline for the whole answer); streams have no read timeout.
        `limits` bounds answers and connections (see `Limits`). `transport` replaces
        the network (e.g. `httpx.MockTransport` in tests).

        Invalid settings raise `ConfigError` naming what and where: an unknown scheme, a
        missing host, a port that is not a number, a password in the address (use TLS
        client certificates, or ssh keys), a missing or mismatched TLS file."""
        self._api = SyncAPI(for_package(base_url, tls, None), self.API_VERSION, timeout, transport, limits=limits)

    @classmethod
    def from_env(
        cls,
        *,
        tls: TLSConfig | bool | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        limits: Limits | None = None,
    ) -> Self:
        """Connect where the docker CLI would: DOCKER_HOST (with DOCKER_TLS_VERIFY,
        DOCKER_CERT_PATH), else the context named by DOCKER_CONTEXT or the config's
        `currentContext`, else `unix:///var/run/docker.sock`. Nothing is negotiated:
        the API version is this package's."""
        return cls(tls=tls, timeout=timeout, transport=transport, limits=limits)

    @classmethod
    def from_context(
        cls,
        name: str,
        *,
        timeout: float | None = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        limits: Limits | None = None,
    ) -> Self:
        """Connect to the endpoint (and with the TLS material) of docker context `name`,
        as found in `$DOCKER_CONFIG/contexts` (`default`: DOCKER_HOST, else the local socket)."""
        client = cls.__new__(cls)
        client._api = SyncAPI(for_package(None, None, name), cls.API_VERSION, timeout, transport, limits=limits)
        return client

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
        """The daemon's address, as given (a password would show as ``***``)."""
        return redact_host(self._api.host)

    def close(self) -> None:
        """Close every connection (and ssh process) this client opened."""
        self._api.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.base_url!r}, api_version={self.api_version!r})"
