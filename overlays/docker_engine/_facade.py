"""`docker_engine.Docker` / `AsyncDocker`: connect like the docker CLI, negotiate the API version.

The version is negotiated on first use (`/_ping`, once, under a lock); the
facade then hands every attribute to the generated client of that version.
For type checkers the facade looks like the newest generated client: calls
are typed as in the newest API. Code that needs the exact types of one
version imports that version's package (`from docker_engine.v1_47 import Docker`).

Importing this module is cheap on purpose (a script's `--help` should not wait for
httpx): the transport and httpx load when a client is made, the request code
and the version's package at the first call.
"""

from __future__ import annotations

import functools
import importlib
import threading
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Self

from ._config import DEFAULT_TIMEOUT, ConnectionConfig, TLSConfig, from_env
from ._errors import DockerError

__all__ = ["AsyncDocker", "Docker"]

if TYPE_CHECKING:
    from ._latest import AsyncDocker as _TypedAsync
    from ._latest import Docker as _TypedSync
    from ._transports import Limits
else:
    _TypedSync = _TypedAsync = object


def _package(version: str) -> Any:
    return importlib.import_module("docker_engine.v" + version.replace(".", "_"))


@functools.cache
def _typed_names(kind: str) -> frozenset[str]:
    """The public names of the newest generated client class (tags, methods,
    properties), read from the class: nothing is instantiated or negotiated."""
    latest = importlib.import_module("docker_engine._latest")
    return frozenset(name for name in dir(getattr(latest, kind)) if not name.startswith("_"))


class _Facade:
    """What both facades share: where they connect, and how they are made."""

    _config: ConnectionConfig

    def __init__(
        self,
        base_url: str | None = None,
        *,
        version: str | None = None,
        tls: TLSConfig | bool | None = None,
        context: str | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        limits: Limits | None = None,
    ) -> None:
        """`base_url` or `context` choose the daemon (else DOCKER_HOST, DOCKER_CONTEXT, the
        config's current context, the default socket); `version` (or DOCKER_API_VERSION)
        pins the API version instead of negotiating it."""
        self._config = from_env(base_url, tls=tls, version=version, context=context)
        self._timeout = timeout
        self._client: Any = None
        self._connect(limits)

    def _connect(self, limits: Limits | None) -> None:
        raise NotImplementedError

    # The facade negotiates over its own transport: no `transport=` as the version packages have.
    @classmethod
    def from_env(  # type: ignore[override]
        cls,
        *,
        version: str | None = None,
        tls: TLSConfig | bool | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        limits: Limits | None = None,
    ) -> Self:
        """Where `docker ps` works, this works."""
        return cls(version=version, tls=tls, timeout=timeout, limits=limits)

    @classmethod
    def from_context(  # type: ignore[override]
        cls,
        name: str,
        *,
        version: str | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        limits: Limits | None = None,
    ) -> Self:
        """The daemon of the docker context `name`."""
        return cls(context=name, version=version, timeout=timeout, limits=limits)

    @property
    def base_url(self) -> str:
        return self._config.host


# For type checkers the facade is the newest client, whose from_env takes `transport=` where the
# facade takes `version=` (it negotiates over its own transport).
class Docker(_Facade, _TypedSync):  # type: ignore[misc]
    """A Docker client that connects like the docker CLI and negotiates the API version."""

    def _connect(self, limits: Limits | None) -> None:
        from ._transports import DockerTransport  # noqa: PLC0415 - see the module's docstring

        self._transport = DockerTransport(self._config, limits)
        self._lock = threading.Lock()

    def _negotiated(self) -> Any:
        client = self._client
        if client is None:
            with self._lock:
                if self._client is None:
                    from ._sync_api import negotiate  # noqa: PLC0415

                    api = negotiate(self._config, self._timeout, self._transport, None)
                    self._client = _package(api.version).Docker._from_api(api)
                client = self._client
        return client

    @property
    def api_version(self) -> str:
        """The negotiated (or pinned) API version; negotiating if not done yet."""
        version: str = self._negotiated().api_version
        return version

    def negotiate(self) -> str:
        """Negotiate now (the first call does it anyway); return the version."""
        return self.api_version

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._negotiated(), name)

    def __dir__(self) -> list[str]:
        # Tab completion in a REPL: the tags (`containers`, …) live on the
        # negotiated client, so list them without negotiating.
        return sorted(set(super().__dir__()) | _typed_names("Docker"))

    def close(self) -> None:
        """Close every connection (and ssh process) this client opened."""
        self._transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        version = self._client.api_version if self._client is not None else "not negotiated yet"
        return f"Docker({self._config.host!r}, api_version={version!r})"


class _AsyncTag:
    """Stands for `docker.<tag>` until the version is negotiated; each call negotiates first."""

    def __init__(self, facade: AsyncDocker, tag: str) -> None:
        self._facade = facade
        self._tag = tag

    def __getattr__(self, name: str) -> Callable[..., Awaitable[Any]]:
        async def call(*args: Any, **kwargs: Any) -> Any:
            client = await self._facade._negotiated()
            return await getattr(getattr(client, self._tag), name)(*args, **kwargs)

        call.__name__ = name
        return call


class AsyncDocker(_Facade, _TypedAsync):  # type: ignore[misc]
    """The asyncio twin of `Docker`; negotiation happens on `async with` or the first call."""

    def _connect(self, limits: Limits | None) -> None:
        import asyncio  # noqa: PLC0415 - asyncio only for async use

        import httpx  # noqa: PLC0415

        from ._async_transports import AsyncDockerTransport  # noqa: PLC0415

        self._transport = AsyncDockerTransport(self._config, limits)
        self._lock = asyncio.Lock()
        self._http = httpx.AsyncClient(transport=self._transport, base_url="http://docker")

    async def _negotiated(self) -> Any:
        if self._client is None:
            async with self._lock:
                if self._client is None:
                    from ._async_api import negotiate  # noqa: PLC0415

                    api = await negotiate(self._config, self._timeout, self._transport, self._http)
                    self._client = _package(api.version).AsyncDocker._from_api(api)
        return self._client

    async def negotiate(self) -> str:
        """Negotiate now (done by `async with` and the first call anyway); return the version."""
        client = await self._negotiated()
        version: str = client.api_version
        return version

    @property
    def api_version(self) -> str:
        """The negotiated API version, or the pinned one (`version=`, DOCKER_API_VERSION). A
        property cannot await: unpinned and not negotiated yet, it raises, where the sync
        `Docker.api_version` negotiates; `await negotiate()` (or `async with`) first."""
        if self._client is None:
            if self._config.api_version:
                return self._config.api_version
            raise DockerError("the API version is not negotiated yet: use `async with`, or await negotiate()")
        version: str = self._client.api_version
        return version

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if self._client is not None:
            return getattr(self._client, name)
        return _AsyncTag(self, name)

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | _typed_names("AsyncDocker"))

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        await self._negotiated()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
