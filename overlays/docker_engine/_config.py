"""Where to connect, decided as the docker CLI decides it.

Precedence: explicit arguments; then `DOCKER_HOST` (with `DOCKER_TLS_VERIFY`,
`DOCKER_CERT_PATH`); then a context (`DOCKER_CONTEXT`, else `currentContext`
in `$DOCKER_CONFIG/config.json`); then `unix:///var/run/docker.sock`.
`DOCKER_API_VERSION` pins the API version.

Secrets do not go in the address. A password in the userinfo
(``tcp://user:pw@host:2375``, ``ssh://user:pw@host``) is refused with a
`ConfigError`, for every scheme and for sync and async clients alike: the
daemon takes no password (authenticate with TLS client certificates), and ssh
logs in with keys (an ssh key or ssh-agent; ``ssh://user@host``). A user name
is refused in ``tcp://``/``http(s)://`` addresses too, since it would go
nowhere. Error messages show an address through `redact_host`
(``tcp://user:***@host:2375``), never its password.

Every invalid setting is a `ConfigError` that says what is wrong and where it
came from (``base_url=``, ``DOCKER_HOST``, a context, ``DOCKER_CERT_PATH``);
`TLSConfig.load` checks the TLS files (present, readable, PEM, key matching
the certificate) when the TLS context is built.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import SplitResult, urlsplit

from ._errors import ConfigError
from ._redact import has_password, has_userinfo, redact_host

# Seconds a request may take, unless a client is given another `timeout`.
DEFAULT_TIMEOUT = 60.0

if TYPE_CHECKING:
    import ssl

__all__ = ["DEFAULT_HOST", "ConfigError", "ConnectionConfig", "TLSConfig", "config_dir", "from_context", "from_env"]

DEFAULT_HOST = "unix:///var/run/docker.sock"


_TLS_FILES = {"ca_cert": "CA certificate", "client_cert": "client certificate", "client_key": "client key"}


# No passphrase can be given, and OpenSSL must not prompt for one on the terminal.
_DECRYPT = "no passphrase can be given; decrypt it (`openssl pkey -in KEY -out PLAIN-KEY`) and keep it private"


class _EncryptedKey(Exception):
    """Raised by the password callback: OpenSSL must never prompt on the terminal."""


def _no_password() -> str:
    raise _EncryptedKey


@dataclass(frozen=True)
class TLSConfig:
    """TLS material. `verify` checks the daemon's certificate and hostname against `ca_cert`
    (or the system store); `client_cert`/`client_key` authenticate us. `source` says where
    the paths came from (``DOCKER_CERT_PATH=…``, a context), for error messages; it takes
    no part in comparisons. The files are read by `load`, when a transport is built."""

    ca_cert: str | None = None
    client_cert: str | None = None
    client_key: str | None = None
    verify: bool = True
    source: str = field(default="", compare=False, repr=False)

    @classmethod
    def from_cert_path(cls, cert_path: str | Path, *, verify: bool = True, source: str = "") -> TLSConfig:
        """The layout of `DOCKER_CERT_PATH` and of a context's TLS directory: ca.pem, cert.pem, key.pem.
        The files present are taken; `source` names where `cert_path` came from."""
        base = Path(cert_path).expanduser()
        where = f"{source}: " if source else ""
        files = {name: base / name for name in ("ca.pem", "cert.pem", "key.pem")}
        present = {name: str(path) for name, path in files.items() if path.is_file()}
        if ("cert.pem" in present) != ("key.pem" in present):
            have, missing = ("cert.pem", "key.pem") if "cert.pem" in present else ("key.pem", "cert.pem")
            raise ConfigError(
                f"{where}{base} has {have} but no {missing}: a client certificate needs its key (both or neither)"
            )
        if verify and "ca.pem" not in present:
            if not base.is_dir():
                raise ConfigError(
                    f"{where}the TLS directory {base} does not exist; it must hold ca.pem to verify the daemon"
                )
            raise ConfigError(
                f"{where}{base / 'ca.pem'} is missing: it is needed to verify the daemon's certificate"
                " (DOCKER_TLS_VERIFY); put the daemon's CA there, or point DOCKER_CERT_PATH at the directory that has it"
            )
        return cls(present.get("ca.pem"), present.get("cert.pem"), present.get("key.pem"), verify, source)

    def _file(self, option: str) -> str:
        """How an error names a file: what it is, its path and where that came from."""
        path = getattr(self, option)
        return f"the TLS {_TLS_FILES[option]} {path} ({self.source or 'TLSConfig.' + option})"

    def _read(self, option: str) -> str:
        path = getattr(self, option)
        try:
            return Path(path).read_text(encoding="ascii", errors="replace")
        except FileNotFoundError:
            raise ConfigError(f"{self._file(option)} does not exist") from None
        except IsADirectoryError:
            raise ConfigError(f"{self._file(option)} is a directory, not a PEM file") from None
        except OSError as exc:
            raise ConfigError(f"{self._file(option)} cannot be read: {exc.strerror or exc}") from None

    def check(self) -> None:
        """Check the files without building a context: present, readable and PEM of the
        right kind. Raises `ConfigError` naming the file and where it came from."""
        if self.client_key and not self.client_cert:
            raise ConfigError(f"{self._file('client_key')} is given without a client certificate (client_cert)")
        if self.verify and self.ca_cert and "-----BEGIN CERTIFICATE-----" not in self._read("ca_cert"):
            raise ConfigError(f"{self._file('ca_cert')} holds no PEM certificate")
        if self.client_cert:
            cert = self._read("client_cert")
            if "-----BEGIN CERTIFICATE-----" not in cert:
                raise ConfigError(f"{self._file('client_cert')} holds no PEM certificate")
            key = self._read("client_key") if self.client_key else cert
            option = "client_key" if self.client_key else "client_cert"
            if "ENCRYPTED PRIVATE KEY-----" in key or "Proc-Type: 4,ENCRYPTED" in key:
                raise ConfigError(f"{self._file(option)} is encrypted: {_DECRYPT}")
            if "PRIVATE KEY-----" not in key:
                raise ConfigError(f"{self._file(option)} holds no PEM private key")

    def load(self) -> ssl.SSLContext:
        """The client `ssl.SSLContext`, after `check`: verification (certificate and
        hostname) is on unless `verify` is false. A key that does not match its
        certificate, or a file OpenSSL refuses, is a `ConfigError` naming the files."""
        import ssl  # noqa: PLC0415 - OpenSSL only when TLS is used

        self.check()
        if self.verify:
            try:
                context = ssl.create_default_context(cafile=self.ca_cert)
            except ssl.SSLError as exc:
                raise ConfigError(f"{self._file('ca_cert')} could not be loaded: {exc.reason or exc}") from None
        else:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        if self.client_cert:
            try:
                context.load_cert_chain(self.client_cert, self.client_key, password=_no_password)
            except _EncryptedKey:
                option = "client_key" if self.client_key else "client_cert"
                raise ConfigError(f"{self._file(option)} is encrypted: {_DECRYPT}") from None
            except ssl.SSLError as exc:
                key = self._file("client_key") if self.client_key else "its key"
                if exc.reason == "KEY_VALUES_MISMATCH":
                    raise ConfigError(f"{key} does not match {self._file('client_cert')}") from None
                raise ConfigError(
                    f"{self._file('client_cert')} and {key} could not be loaded: {exc.reason or exc}"
                ) from None
            except OSError as exc:
                raise ConfigError(f"{self._file('client_cert')} could not be loaded: {exc.strerror or exc}") from None
        return context


# What to use instead of a password in the address.
_USE_SSH_KEYS = "ssh logs in with keys: use an ssh key or ssh-agent, with ssh://user@host"
_USE_TLS_CERTS = (
    "authenticate with TLS client certificates instead"
    " (DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH, or tls=TLSConfig(...))"
)


@dataclass(frozen=True)
class ConnectionConfig:
    """A resolved daemon address: `host` as given (`unix://`, `tcp://`, `ssh://`, `http(s)://`),
    optional TLS, an optional pinned API version, and where the setting came from.

    Checked when made (see `validate`): a `ConnectionConfig` never holds an address
    with a password, so `host` is safe to show; `display` is what messages show."""

    host: str
    tls: TLSConfig | None = None
    api_version: str | None = None
    source: str = "default"

    def __post_init__(self) -> None:
        self.validate()

    @property
    def scheme(self) -> str:
        return urlsplit(self.host).scheme

    @property
    def display(self) -> str:
        """`host` for messages and reprs (`redact_host`)."""
        return redact_host(self.host)

    def _where(self) -> str:
        shown = repr(self.display)
        if self.source == "argument":
            return f"base_url={shown}"
        if self.source == "DOCKER_HOST":
            return f"DOCKER_HOST={shown}"
        if self.source == "context default":
            return f"DOCKER_HOST={shown} (docker context default)"
        if self.source.startswith("context "):
            return f"{shown} (docker {self.source})"
        return shown

    def validate(self) -> ConnectionConfig:
        """Raise `ConfigError` for an address that cannot be used: an unknown scheme, no
        host or socket path, a port that is not a number from 1 to 65535, a password
        (any scheme), a user name in a tcp/http(s) address."""
        where = self._where()
        try:
            parts = urlsplit(self.host)
        except ValueError as exc:
            raise ConfigError(f"{where}: not a valid address ({redact_host(str(exc))})") from None
        scheme = parts.scheme
        if has_password(self.host):
            instead = _USE_SSH_KEYS if scheme == "ssh" else _USE_TLS_CERTS
            raise ConfigError(
                f"{where}: a password in the Docker host address is refused (it would be shown and logged"
                f" with the address, and the daemon takes none); {instead}"
            )
        if scheme == "npipe":
            raise ConfigError(f"{where}: Windows named pipes are not supported (this SDK runs on Unix-like systems)")
        if scheme == "unix":
            if not parts.path:
                raise ConfigError(f"{where}: a unix:// address needs a socket path")
        elif scheme in ("tcp", "http", "https"):
            if has_userinfo(self.host):
                raise ConfigError(
                    f"{where}: a user name in a {scheme}:// address is refused: the daemon does not"
                    f" authenticate by user; {_USE_TLS_CERTS}"
                )
            if not parts.hostname:
                raise ConfigError(f"{where}: no host name")
            self._check_port(parts, where)
        elif scheme == "ssh":
            if not parts.hostname:
                raise ConfigError(f"{where}: an ssh:// address needs a host")
            self._check_port(parts, where)
        else:
            raise ConfigError(
                f"{where}: unsupported Docker host; use unix:///path, tcp://host:port, ssh://user@host"
                " or https://host:port"
            )
        return self

    @staticmethod
    def _check_port(parts: SplitResult, where: str) -> None:
        try:
            port = parts.port
        except ValueError:
            port = 0
        if port == 0:
            raise ConfigError(f"{where}: the port is not a number from 1 to 65535")


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
        tls = TLSConfig.from_cert_path(tls_dir, verify=not skip_verify, source=f"docker context {name!r}")
    elif host.startswith(("tcp://", "https://")) and skip_verify:
        tls = TLSConfig(verify=False, source=f"docker context {name!r}")
    return ConnectionConfig(host, tls, source=f"context {name}")


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
    source = "argument" if host is not None else "default"
    if host is None and context is None:
        host = env.get("DOCKER_HOST") or None
        if host is None:
            context = env.get("DOCKER_CONTEXT") or _current_context(config_dir())
        else:
            source = "DOCKER_HOST"
    if host is None and context is not None:
        resolved = from_context(context)
        return ConnectionConfig(resolved.host, resolved.tls, pinned, resolved.source)
    host = host or DEFAULT_HOST
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
            cert_path = env.get("DOCKER_CERT_PATH")
            if cert_path:
                tls_config = TLSConfig.from_cert_path(cert_path, verify=verify, source=f"DOCKER_CERT_PATH={cert_path}")
            else:
                base = config_dir()
                tls_config = TLSConfig.from_cert_path(
                    base, verify=verify, source=f"DOCKER_CERT_PATH unset, default {base}"
                )
        else:
            tls_config = None
    if tls_config is not None and host.startswith(("unix://", "ssh://")):
        tls_config = None
    return ConnectionConfig(host, tls_config, pinned, source)


def for_package(base_url: str | None, tls: TLSConfig | bool | None, context: str | None) -> ConnectionConfig:
    """Where a version package's client connects: as `from_env`, less DOCKER_API_VERSION (a
    version package speaks its own API version)."""
    environ = {k: v for k, v in os.environ.items() if k != "DOCKER_API_VERSION"}
    return from_env(base_url, tls=tls, context=context, environ=environ)
