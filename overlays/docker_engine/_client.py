"""What every generated `Docker`/`AsyncDocker` shares: construction, closing, context managers."""

from __future__ import annotations

from types import TracebackType
from typing import ClassVar, Self

from ._api import DEFAULT_TIMEOUT, AsyncAPI, SyncAPI

__all__ = ["AsyncClientBase", "SyncClientBase"]


class SyncClientBase:
    API_VERSION: ClassVar[str]

    def __init__(self, base_url: str | None = None, *, timeout: float | None = DEFAULT_TIMEOUT) -> None:
        """Connect to `base_url` (`unix:///path`, `tcp://host:port`), else `DOCKER_HOST`,
        else `unix:///var/run/docker.sock`. `timeout` (seconds, None for none) applies
        to each request; streams have no read timeout."""
        self._api = SyncAPI(base_url, self.API_VERSION, timeout)

    @property
    def api_version(self) -> str:
        return self.API_VERSION

    @property
    def base_url(self) -> str:
        return self._api.endpoint.host

    def close(self) -> None:
        self._api.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.base_url!r}, api_version={self.API_VERSION!r})"


class AsyncClientBase:
    API_VERSION: ClassVar[str]

    def __init__(self, base_url: str | None = None, *, timeout: float | None = DEFAULT_TIMEOUT) -> None:
        """The asyncio twin of `SyncClientBase.__init__`."""
        self._api = AsyncAPI(base_url, self.API_VERSION, timeout)

    @property
    def api_version(self) -> str:
        return self.API_VERSION

    @property
    def base_url(self) -> str:
        return self._api.endpoint.host

    async def aclose(self) -> None:
        await self._api.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.base_url!r}, api_version={self.API_VERSION!r})"
