"""Where the daemon is, and the httpx transport that reaches it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

__all__ = ["DEFAULT_HOST", "Endpoint", "resolve_host"]

DEFAULT_HOST = "unix:///var/run/docker.sock"


@dataclass(frozen=True)
class Endpoint:
    """A parsed daemon address: `unix` (with `path`) or `http`/`https` (with `base_url`)."""

    host: str
    scheme: str
    path: str = ""
    base_url: str = "http://docker"

    def transport(self) -> httpx.HTTPTransport:
        if self.scheme == "unix":
            return httpx.HTTPTransport(uds=self.path)
        return httpx.HTTPTransport()

    def async_transport(self) -> httpx.AsyncHTTPTransport:
        if self.scheme == "unix":
            return httpx.AsyncHTTPTransport(uds=self.path)
        return httpx.AsyncHTTPTransport()


def resolve_host(base_url: str | None = None) -> Endpoint:
    """`base_url`, else `DOCKER_HOST`, else the default unix socket."""
    host = base_url or os.environ.get("DOCKER_HOST") or DEFAULT_HOST
    parts = urlsplit(host)
    if parts.scheme == "unix":
        if not parts.path:
            raise ValueError(f"{host!r}: a unix:// address needs a socket path")
        return Endpoint(host, "unix", path=parts.path)
    if parts.scheme in ("tcp", "http"):
        return Endpoint(host, "http", base_url=f"http://{parts.netloc}")
    if parts.scheme == "https":
        return Endpoint(host, "https", base_url=f"https://{parts.netloc}")
    if parts.scheme == "npipe":
        raise ValueError(f"{host!r}: Windows named pipes are not supported")
    raise ValueError(f"{host!r}: unsupported Docker host; use unix:///path/docker.sock or tcp://host:port")
