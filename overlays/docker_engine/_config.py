"""Where to connect, decided as the docker CLI decides it.

Precedence: explicit arguments; then `DOCKER_HOST` (with `DOCKER_TLS_VERIFY`,
`DOCKER_CERT_PATH`); then a context (`DOCKER_CONTEXT`, else `currentContext`
in `$DOCKER_CONFIG/config.json`); then `unix:///var/run/docker.sock`.
`DOCKER_API_VERSION` pins the API version.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ._errors import DockerError

__all__ = ["DEFAULT_HOST", "ConnectionConfig", "TLSConfig", "config_dir", "from_context", "from_env"]

DEFAULT_HOST = "unix:///var/run/docker.sock"


class ConfigError(DockerError, ValueError):
    """The connection settings are invalid (bad host, missing context, missing TLS files)."""


@dataclass(frozen=True)
class TLSConfig:
    """TLS material. `verify` checks the daemon's certificate and hostname against `ca_cert`
    (or the system store); `client_cert`/`client_key` authenticate us."""

    ca_cert: str | None = None
    client_cert: str | None = None
    client_key: str | None = None
    verify: bool = True

    @classmethod
    def from_cert_path(cls, cert_path: str | Path, *, verify: bool = True) -> TLSConfig:
        """The layout of `DOCKER_CERT_PATH` and of a context's TLS directory: ca.pem, cert.pem, key.pem."""
        base = Path(cert_path).expanduser()
        files = {name: base / name for name in ("ca.pem", "cert.pem", "key.pem")}
        present = {name: str(path) for name, path in files.items() if path.is_file()}
        if ("cert.pem" in present) != ("key.pem" in present):
            raise ConfigError(f"{base}: cert.pem and key.pem must both be present (found only {sorted(present)})")
        if verify and "ca.pem" not in present:
            raise ConfigError(f"{base}/ca.pem is missing: it is needed to verify the daemon's certificate")
        return cls(present.get("ca.pem"), present.get("cert.pem"), present.get("key.pem"), verify)


@dataclass(frozen=True)
class ConnectionConfig:
    """A resolved daemon address: `host` as given (`unix://`, `tcp://`, `ssh://`, `http(s)://`),
    optional TLS, an optional pinned API version, and where the setting came from."""

    host: str
    tls: TLSConfig | None = None
    api_version: str | None = None
    source: str = "default"

    @property
    def scheme(self) -> str:
        return urlsplit(self.host).scheme

    def validate(self) -> ConnectionConfig:
        parts = urlsplit(self.host)
        if parts.scheme == "npipe":
            raise ConfigError(
                f"{self.host!r}: Windows named pipes are not supported (this SDK runs on Unix-like systems)"
            )
        if parts.scheme == "unix":
            if not parts.path:
                raise ConfigError(f"{self.host!r}: a unix:// address needs a socket path")
        elif parts.scheme in ("tcp", "http", "https"):
            if not parts.hostname:
                raise ConfigError(f"{self.host!r}: no host name")
        elif parts.scheme == "ssh":
            if not parts.hostname:
                raise ConfigError(f"{self.host!r}: an ssh:// address needs a host")
        else:
            raise ConfigError(
                f"{self.host!r}: unsupported Docker host; use unix:///path, tcp://host:port, ssh://user@host or https://host:port"
            )
        return self


def config_dir() -> Path:
    return Path(os.environ.get("DOCKER_CONFIG") or Path.home() / ".docker").expanduser()


def _truthy(value: str | None) -> bool:
    return bool(value) and value not in ("0", "false", "False")


def _context_dirs(name: str, base: Path) -> tuple[Path, Path]:
    import hashlib  # noqa: PLC0415 - loading OpenSSL costs ~12 ms at import

    digest = hashlib.sha256(name.encode()).hexdigest()
    return base / "contexts" / "meta" / digest / "meta.json", base / "contexts" / "tls" / digest / "docker"


def from_context(name: str, *, base: Path | None = None) -> ConnectionConfig:
    """The Docker endpoint of context `name` (`default` is the local socket)."""
    base = base or config_dir()
    if name == "default":
        return ConnectionConfig(os.environ.get("DOCKER_HOST") or DEFAULT_HOST, source="context default")
    meta_path, tls_dir = _context_dirs(name, base)
    try:
        meta = json.loads(meta_path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"context {name!r} not found (no {meta_path})") from None
    except ValueError as exc:
        raise ConfigError(f"context {name!r}: {meta_path} is not valid JSON: {exc}") from None
    endpoint = (meta.get("Endpoints") or {}).get("docker") or {}
    host = endpoint.get("Host")
    if not host:
        raise ConfigError(f"context {name!r}: {meta_path} has no docker endpoint host")
    tls = None
    skip_verify = bool(endpoint.get("SkipTLSVerify"))
    if tls_dir.is_dir():
        tls = TLSConfig.from_cert_path(tls_dir, verify=not skip_verify)
    elif host.startswith(("tcp://", "https://")) and skip_verify:
        tls = TLSConfig(verify=False)
    return ConnectionConfig(host, tls, source=f"context {name}").validate()


def _current_context(base: Path) -> str | None:
    try:
        data = json.loads((base / "config.json").read_text())
    except (FileNotFoundError, ValueError):
        return None
    name = data.get("currentContext")
    return name if isinstance(name, str) and name else None


def from_env(
    host: str | None = None,
    *,
    tls: TLSConfig | bool | None = None,
    version: str | None = None,
    context: str | None = None,
    environ: dict[str, str] | None = None,
) -> ConnectionConfig:
    """Resolve the connection like the docker CLI; explicit arguments win over the environment."""
    env = os.environ if environ is None else environ
    pinned = version or env.get("DOCKER_API_VERSION") or None
    if host is None and context is None:
        host = env.get("DOCKER_HOST") or None
        if host is None:
            context = env.get("DOCKER_CONTEXT") or _current_context(config_dir())
    if host is None and context is not None:
        resolved = from_context(context)
        return ConnectionConfig(resolved.host, resolved.tls, pinned, resolved.source).validate()
    source = "argument" if host is not None else "default"
    host = host or DEFAULT_HOST
    if source == "default" and env.get("DOCKER_HOST"):
        source = "DOCKER_HOST"
    tls_config: TLSConfig | None
    if isinstance(tls, TLSConfig):
        tls_config = tls
    elif tls is False:
        tls_config = None
    else:
        # As the CLI: DOCKER_TLS_VERIFY turns TLS on and verifies the daemon;
        # DOCKER_TLS turns it on without verification.
        verify = _truthy(env.get("DOCKER_TLS_VERIFY")) or tls is True
        if verify or _truthy(env.get("DOCKER_TLS")):
            tls_config = TLSConfig.from_cert_path(env.get("DOCKER_CERT_PATH") or config_dir(), verify=verify)
        else:
            tls_config = None
    if tls_config is not None and host.startswith(("unix://", "ssh://")):
        tls_config = None
    return ConnectionConfig(host, tls_config, pinned, source).validate()
