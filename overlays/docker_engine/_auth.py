"""Registry credentials: the auth config Docker expects, and where to find it.

The daemon takes registry credentials in headers:

- ``X-Registry-Auth`` (pull, push, plugin pull/upgrade/push, service create/
  update, distribution inspect): base64url (URL-safe alphabet, padded) of one
  JSON auth config — `encode_auth_header`;
- ``X-Registry-Config`` (build): base64url of a JSON map from registry key to
  auth config — `encode_registry_config`, fed by `registry_config_for_build`.

`resolve_auth` finds the credentials for an image or registry the way the
docker CLI does, from ``config.json`` in ``$DOCKER_CONFIG`` (default
``~/.docker``). For a registry it looks, in order, at:

1. the ``explicit`` `AuthConfig` the caller gave;
2. the credential helper for that registry: ``credHelpers[registry]`` when the
   config has one, else the default ``credsStore`` — an executable
   ``docker-credential-<name>`` on PATH that answers ``get`` (the server URL on
   stdin) with ``{"ServerURL", "Username", "Secret"}``; the username
   ``<token>`` means the secret is an identity token;
3. ``auths[registry]``: ``auth`` (base64 of ``user:password``),
   ``username``/``password``, ``identitytoken``, ``registrytoken``.

When a helper answers "credentials not found in native keychain", resolution
goes on to ``auths`` (what docker-py does); the docker CLI instead stops at
the helper and goes anonymous. Nothing found at all gives ``None``:
anonymous, which is what the daemon does without credentials too.

Unlike the docker CLI, which ignores a helper's failure and silently pulls
anonymously, a helper that is missing, fails, times out or answers garbage
raises `CredentialError` naming the helper; so does an unreadable config. The
error has the helper's name, its exit status and a generic reason, never what
the helper printed (which may echo the secret).

Registry keys follow the CLI: Docker Hub is ``https://index.docker.io/v1/``,
any other registry is its ``host[:port]``. A config key matches when it is
that key exactly, or when it names the same host once a scheme and path are
stripped (``https://localhost:5000/v2/`` matches ``localhost:5000``;
``docker.io`` and ``index.docker.io`` match Docker Hub — the CLI itself only
takes the exact URL for Hub).

Secrets (password, identity token, registry token, the ``auth`` field) never
appear in a repr, an exception message, a log record or a URL.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Self

from ._config import config_dir
from ._errors import CredentialError
from ._types import Unset

__all__ = [
    "DEFAULT_HELPER_TIMEOUT",
    "INDEX_SERVER",
    "AuthConfig",
    "CredentialError",
    "CredentialStore",
    "decode_auth_header",
    "default_config_dir",
    "encode_auth_header",
    "encode_registry_config",
    "helper_get",
    "helper_list",
    "registry_config_for_build",
    "registry_key",
    "registry_of",
    "resolve_auth",
]

log = logging.getLogger("docker_engine.auth")

# The config key (and server address) of Docker Hub.
INDEX_SERVER = "https://index.docker.io/v1/"
# Names that mean Docker Hub in a reference or a config key.
_HUB_HOSTS = frozenset({"docker.io", "index.docker.io"})
# How long a credential helper may take to answer, in seconds.
DEFAULT_HELPER_TIMEOUT = 30.0
# The helper protocol's standard "no credentials for that server" answer.
_NOT_FOUND = "credentials not found in native keychain"
_TOKEN_USERNAME = "<token>"
_HELPER_PREFIX = "docker-credential-"


_SECRET_FIELDS = ("password", "identitytoken", "registrytoken")


@dataclass(frozen=True, kw_only=True)
class AuthConfig:
    """Credentials for one registry, as the daemon takes them.

    Give ``username`` and ``password``, or an ``identitytoken`` (an OAuth
    refresh token, e.g. from `system.auth`), or a ``registrytoken`` (a bearer
    token sent to the registry as is). ``serveraddress`` is the registry key
    (``localhost:5000``, ``https://index.docker.io/v1/``); `/auth` needs it,
    pull and push do not. ``email`` is deprecated and ignored by daemons.

    The repr shows which secrets are set, never their values.
    """

    username: str = ""
    password: str = field(default="", repr=False)
    email: str = ""
    serveraddress: str = ""
    identitytoken: str = field(default="", repr=False)
    registrytoken: str = field(default="", repr=False)

    def __repr__(self) -> str:
        parts = [
            f"{name}={getattr(self, name)!r}" for name in ("username", "email", "serveraddress") if getattr(self, name)
        ]
        parts += [f"{name}=<hidden>" for name in _SECRET_FIELDS if getattr(self, name)]
        return f"AuthConfig({', '.join(parts)})"

    __str__ = __repr__

    @property
    def is_empty(self) -> bool:
        """No credential at all (a server address or email alone is not one)."""
        return not (self.username or self.password or self.identitytoken or self.registrytoken)

    def to_dict(self) -> dict[str, str]:
        """The daemon's JSON form (empty fields left out): the body of
        `system.auth` (``body=auth.to_dict()``) and what the headers encode."""
        data = {
            "username": self.username,
            "password": self.password,
            "email": self.email,
            "serveraddress": self.serveraddress,
            "identitytoken": self.identitytoken,
            "registrytoken": self.registrytoken,
        }
        return {key: value for key, value in data.items() if value}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Build from the JSON form; keys are matched case-insensitively (as
        Go does), an ``auth`` field (base64 ``user:password``) is decoded,
        unknown keys are ignored. Raises `ValueError` (without the secret) for
        a malformed ``auth``."""
        values: dict[str, str] = {}
        for key, value in data.items():
            name = key.lower()
            if isinstance(value, str) and value:
                values[name] = value
        username, password = values.get("username", ""), values.get("password", "")
        if "auth" in values:
            username, password = _decode_basic(values["auth"])
        return cls(
            username=username,
            password=password,
            email=values.get("email", ""),
            serveraddress=values.get("serveraddress", ""),
            identitytoken=values.get("identitytoken", ""),
            registrytoken=values.get("registrytoken", ""),
        )


def _decode_basic(value: str) -> tuple[str, str]:
    """``user:password`` from the base64 ``auth`` field of config.json."""
    text = "".join(value.split())
    text += "=" * (-len(text) % 4)
    try:
        raw = base64.b64decode(text, altchars=b"-_" if ("-" in text or "_" in text) else None, validate=True)
        decoded = raw.decode("utf-8")
    except (binascii.Error, ValueError):
        raise ValueError("`auth` is not base64 of 'user:password'") from None
    username, sep, password = decoded.partition(":")
    if not sep:
        raise ValueError("`auth` does not decode to 'user:password' (no ':')")
    return username, password


def _b64url_json(data: Any) -> str:
    text = json.dumps(data, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii")


def encode_auth_header(auth: AuthConfig | None) -> str:
    """The ``X-Registry-Auth`` value: base64url (``-``/``_``, padded) of the JSON
    auth config. ``None`` (anonymous) gives the encoding of ``{}``, which is
    what the docker CLI sends without credentials."""
    return _b64url_json({} if auth is None else auth.to_dict())


def decode_auth_header(value: str) -> AuthConfig:
    """The inverse of `encode_auth_header` (the daemon's decoding: URL-safe
    alphabet; the standard one and missing padding are accepted too)."""
    text = value.strip()
    if not text:
        return AuthConfig()
    text += "=" * (-len(text) % 4)
    try:
        data = json.loads(base64.urlsafe_b64decode(text.replace("+", "-").replace("/", "_")))
    except (binascii.Error, ValueError):
        raise ValueError("not a base64url-encoded JSON auth config") from None
    if not isinstance(data, dict):
        raise ValueError("not a base64url-encoded JSON auth config")
    return AuthConfig.from_dict(data)


def encode_registry_config(auths: Mapping[str, AuthConfig]) -> str:
    """The ``X-Registry-Config`` value (build): base64url of the JSON map from
    registry key (``https://index.docker.io/v1/``, ``localhost:5000``) to auth
    config."""
    return _b64url_json({key: auth.to_dict() for key, auth in auths.items()})


# --------------------------------------------------------------------------
# Registry names
# --------------------------------------------------------------------------


def registry_of(image_reference: str) -> str:
    """The registry key of an image reference, by Docker's reference rules.

    The first ``/``-separated component is a registry host only if it
    contains a ``.`` or a ``:``, is ``localhost``, or has upper-case letters;
    otherwise the image is on Docker Hub, whose key is `INDEX_SERVER`::

        registry_of("ubuntu")                          -> "https://index.docker.io/v1/"
        registry_of("user/repo")                       -> "https://index.docker.io/v1/"
        registry_of("docker.io/library/ubuntu")        -> "https://index.docker.io/v1/"
        registry_of("localhost:5000/x")                -> "localhost:5000"
        registry_of("registry.example.com/a/b:t@sha256:…") -> "registry.example.com"
    """
    ref = image_reference.strip()
    if not ref or any(c.isspace() for c in ref):
        raise ValueError(f"not an image reference: {image_reference!r}")
    if "://" in ref:
        raise ValueError(f"{image_reference!r} is a URL, not an image reference (use registry_key())")
    first, sep, _ = ref.partition("/")
    if not sep or not (any(c in first for c in ".:") or first == "localhost" or first.lower() != first):
        return INDEX_SERVER
    if first in _HUB_HOSTS:
        return INDEX_SERVER
    return first


def _hostname(value: str) -> str:
    """``host[:port]`` of a registry name or URL (the CLI's ConvertToHostname), without
    any userinfo (``https://user:pw@host/`` -> ``host``: a key is logged and shown)."""
    text = value.strip()
    _, sep, rest = text.partition("://")
    if sep:
        text = rest
    return text.split("/", 1)[0].rpartition("@")[2]


def registry_key(registry: str) -> str:
    """The config key of a registry given by name or URL: `INDEX_SERVER` for
    Docker Hub (``docker.io``, ``index.docker.io``, their URLs), else
    ``host[:port]`` (``https://localhost:5000/v2/`` -> ``localhost:5000``)."""
    text = registry.strip()
    if not text:
        raise ValueError("empty registry name")
    if text == INDEX_SERVER:
        return INDEX_SERVER
    host = _hostname(text)
    if not host:
        raise ValueError(f"not a registry name: {registry!r}")
    if host.lower() in _HUB_HOSTS:
        return INDEX_SERVER
    return host


def _looks_like_registry(value: str) -> bool:
    """Whether `resolve_auth` takes ``value`` as a registry rather than an image:
    a URL, or a bare host (no ``/``) that has a ``.``, is ``localhost`` or an
    IPv6 literal, optionally with a numeric port (``ubuntu:22.04`` and
    ``node:20`` stay images)."""
    if "://" in value:
        return True
    if "/" in value or "@" in value:
        return False
    host = value
    if not value.startswith("["):
        name, sep, port = value.rpartition(":")
        if sep:
            if not port.isdigit():
                return False
            host = name
    return host == "localhost" or "." in host or host.startswith("[")


# --------------------------------------------------------------------------
# Credential helpers
# --------------------------------------------------------------------------


def _helper_executable(name: str, *, registry: str | None, config_path: Path | None, origin: str) -> str:
    program = _HELPER_PREFIX + name
    if not name or "/" in name or os.sep in name:
        raise CredentialError(
            f"invalid credential helper name {name!r} ({origin}): it must be the suffix of a"
            f" {_HELPER_PREFIX}<name> executable on PATH",
            helper=program,
            registry=registry,
            config_path=config_path,
        )
    path = shutil.which(program)
    if path is None:
        where = f" in {config_path}" if config_path is not None else ""
        raise CredentialError(
            f"credential helper {program} ({origin}{where}) is not on PATH: install it, or remove it from the"
            " docker config to use the credentials in `auths`",
            helper=program,
            registry=registry,
            config_path=config_path,
        )
    return path


def _failed(program: str, server_url: str | None, returncode: int) -> str:
    """The message for a helper that exited non-zero (`get` of ``server_url``, else
    `list`): its name, the exit status and a generic reason. Never its output: a
    helper may echo the secret (or the request) on stdout or stderr."""
    if server_url is None:
        what, command = "list its credentials", f"{program} list"
    else:
        what, command = f"get the credentials for {server_url}", f"echo {server_url} | {program} get"
    return (
        f"credential helper {program} failed to {what} (exit status {returncode}); its output is not shown,"
        f" as it may hold a secret: run `{command}` to see it"
    )


def _run_helper(
    name: str,
    action: str,
    stdin: str,
    *,
    registry: str | None,
    timeout: float,
    config_path: Path | None,
    origin: str,
) -> subprocess.CompletedProcess[bytes]:
    program = _HELPER_PREFIX + name
    executable = _helper_executable(name, registry=registry, config_path=config_path, origin=origin)
    what = f"{action} {registry}" if registry else action
    log.debug("running credential helper %s %s", program, what)
    try:
        return subprocess.run(
            [executable, action],
            input=stdin.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise CredentialError(
            f"credential helper {program} did not answer `{what}` within {timeout:g} s",
            helper=program,
            registry=registry,
            config_path=config_path,
        ) from None
    except OSError as exc:
        raise CredentialError(
            f"credential helper {program} could not be run: {exc.strerror or exc}",
            helper=program,
            registry=registry,
            config_path=config_path,
        ) from None


def helper_get(
    name: str,
    server_url: str,
    *,
    timeout: float = DEFAULT_HELPER_TIMEOUT,
    config_path: Path | None = None,
    origin: str = "credential helper",
) -> AuthConfig | None:
    """Ask ``docker-credential-<name> get`` for the credentials of ``server_url``.

    ``None`` when the helper has none ("credentials not found in native
    keychain", or an empty answer). Raises `CredentialError` naming the helper
    when it is not on PATH, fails, answers something else than the protocol's
    JSON, or takes longer than ``timeout`` seconds.
    """
    program = _HELPER_PREFIX + name
    done = _run_helper(
        name, "get", server_url, registry=server_url, timeout=timeout, config_path=config_path, origin=origin
    )
    out = done.stdout.decode("utf-8", "replace").strip()
    if done.returncode != 0:
        err = done.stderr.decode("utf-8", "replace").strip()
        if _NOT_FOUND in out.lower() or _NOT_FOUND in err.lower():
            log.debug("credential helper %s has no credentials for %s", program, server_url)
            return None
        raise CredentialError(
            _failed(program, server_url, done.returncode),
            helper=program,
            registry=server_url,
            config_path=config_path,
        )
    if _NOT_FOUND in out.lower():
        return None
    try:
        data = json.loads(out)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise CredentialError(
            f"credential helper {program} answered `get {server_url}` with something else than the"
            " credential-helper protocol's JSON object",
            helper=program,
            registry=server_url,
            config_path=config_path,
        )
    username = data.get("Username")
    secret = data.get("Secret")
    if not isinstance(username, str) or not isinstance(secret, str):
        if username is None and secret is None:
            return None
        raise CredentialError(
            f"credential helper {program} answered `get {server_url}` without string Username and Secret",
            helper=program,
            registry=server_url,
            config_path=config_path,
        )
    if not username and not secret:
        return None
    if username == _TOKEN_USERNAME:
        return AuthConfig(identitytoken=secret, serveraddress=server_url)
    return AuthConfig(username=username, password=secret, serveraddress=server_url)


def helper_list(
    name: str,
    *,
    timeout: float = DEFAULT_HELPER_TIMEOUT,
    config_path: Path | None = None,
    origin: str = "credential helper",
) -> dict[str, str]:
    """``docker-credential-<name> list``: server URL -> username. Raises
    `CredentialError` like `helper_get`."""
    program = _HELPER_PREFIX + name
    done = _run_helper(name, "list", "unused", registry=None, timeout=timeout, config_path=config_path, origin=origin)
    if done.returncode != 0:
        raise CredentialError(
            _failed(program, None, done.returncode),
            helper=program,
            config_path=config_path,
        )
    text = done.stdout.decode("utf-8", "replace").strip()
    try:
        data = json.loads(text) if text else {}
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise CredentialError(
            f"credential helper {program} answered `list` with something else than a JSON object",
            helper=program,
            config_path=config_path,
        )
    return {str(k): str(v) for k, v in data.items()}


# --------------------------------------------------------------------------
# config.json
# --------------------------------------------------------------------------


def default_config_dir() -> Path:
    """``$DOCKER_CONFIG``, else ``~/.docker`` (as for connection contexts)."""
    return config_dir()


@dataclass(frozen=True)
class _Config:
    path: Path
    auths: Mapping[str, Mapping[str, Any]]
    cred_helpers: Mapping[str, str]
    creds_store: str

    def _error(self, message: str, registry: str | None = None) -> CredentialError:
        return CredentialError(f"{self.path}: {message}", registry=registry, config_path=self.path)

    @classmethod
    def load(cls, path: Path) -> _Config:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(path, {}, {}, "")
        except (OSError, UnicodeDecodeError) as exc:
            raise CredentialError(
                f"cannot read the docker config {path}: {getattr(exc, 'strerror', None) or exc}", config_path=path
            ) from None
        if not text.strip():
            return cls(path, {}, {}, "")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            # The message has a position, never the text.
            raise CredentialError(
                f"the docker config {path} is not valid JSON: {exc.msg} at line {exc.lineno}", config_path=path
            ) from None
        if not isinstance(data, dict):
            raise CredentialError(f"the docker config {path} is not a JSON object", config_path=path)
        auths = data.get("auths") or {}
        helpers = data.get("credHelpers") or {}
        store = data.get("credsStore") or ""
        if not isinstance(auths, dict) or not all(isinstance(v, dict) for v in auths.values()):
            raise CredentialError(f"{path}: `auths` must map registries to objects", config_path=path)
        if not isinstance(helpers, dict) or not all(isinstance(v, str) for v in helpers.values()):
            raise CredentialError(f"{path}: `credHelpers` must map registries to helper names", config_path=path)
        if not isinstance(store, str):
            raise CredentialError(f"{path}: `credsStore` must be a helper name", config_path=path)
        return cls(path, auths, helpers, store)

    def helper_for(self, registry: str) -> tuple[str, str] | None:
        """(helper name, where it was configured) for a registry key."""
        key = _match_key(self.cred_helpers, registry)
        if key is not None:
            return self.cred_helpers[key], f"credHelpers[{key!r}]"
        if self.creds_store:
            return self.creds_store, "credsStore"
        return None

    def file_auth(self, registry: str) -> AuthConfig | None:
        key = _match_key(self.auths, registry)
        if key is None:
            return None
        return self._entry(key)

    def _entry(self, key: str) -> AuthConfig | None:
        try:
            auth = AuthConfig.from_dict(self.auths[key])
        except ValueError as exc:
            raise self._error(f"auths[{key!r}]: {exc}", registry=key) from None
        if auth.is_empty:
            return None
        if not auth.serveraddress:
            auth = replace(auth, serveraddress=key)
        return auth

    def file_auths(self) -> Iterator[tuple[str, AuthConfig]]:
        for key in self.auths:
            auth = self._entry(key)
            if auth is not None:
                yield key, auth


def _match_key(table: Mapping[str, Any], registry: str) -> str | None:
    """The config key for a registry key: exact, else the first (in file
    order) that names the same registry once normalised."""
    if registry in table:
        return registry
    for key in table:
        try:
            if registry_key(key) == registry:
                return key
        except ValueError:
            continue
    return None


class CredentialStore:
    """The credentials a docker config directory knows (``config.json`` and
    its credential helpers). The file is read on each lookup."""

    def __init__(
        self, config_dir: str | os.PathLike[str] | None = None, *, helper_timeout: float = DEFAULT_HELPER_TIMEOUT
    ) -> None:
        self.config_dir = Path(config_dir) if config_dir is not None else default_config_dir()
        self.helper_timeout = helper_timeout

    def __repr__(self) -> str:
        return f"CredentialStore({str(self.config_dir)!r})"

    @property
    def config_path(self) -> Path:
        return self.config_dir / "config.json"

    def _load(self) -> _Config:
        return _Config.load(self.config_path)

    def get(self, registry: str) -> AuthConfig | None:
        """The credentials for a registry (name, URL or key), or ``None``.

        The registry's credential helper first (``credHelpers`` entry, else
        ``credsStore``); when it has none, ``auths``. Raises `CredentialError`.
        """
        key = registry_key(registry)
        config = self._load()
        helper = config.helper_for(key)
        if helper is not None:
            name, origin = helper
            auth = helper_get(name, key, timeout=self.helper_timeout, config_path=config.path, origin=origin)
            if auth is not None:
                log.debug("credentials for %s from %s (%s)", key, _HELPER_PREFIX + name, origin)
                return auth
        auth = config.file_auth(key)
        if auth is not None:
            log.debug("credentials for %s from auths in %s", key, config.path)
        else:
            log.debug("no credentials for %s in %s", key, config.path)
        return auth

    def all(self, *, strict: bool = True) -> dict[str, AuthConfig]:
        """Every registry's credentials: ``auths``, then what ``credsStore``
        lists, then each ``credHelpers`` registry (later ones win).

        With ``strict=False`` a failing helper is logged and skipped (the
        docker CLI's behaviour for builds) instead of raising.
        """
        config = self._load()
        result: dict[str, AuthConfig] = dict(config.file_auths())

        def ask(name: str, key: str, origin: str) -> None:
            try:
                auth = helper_get(name, key, timeout=self.helper_timeout, config_path=config.path, origin=origin)
            except CredentialError as exc:
                if strict:
                    raise
                log.warning("skipping the credentials for %s: %s", key, exc)
                return
            if auth is not None:
                result[key] = auth

        if config.creds_store:
            try:
                listed = helper_list(
                    config.creds_store, timeout=self.helper_timeout, config_path=config.path, origin="credsStore"
                )
            except CredentialError as exc:
                if strict:
                    raise
                log.warning("skipping the credentials of credsStore: %s", exc)
                listed = {}
            for key in listed:
                ask(config.creds_store, key, "credsStore")
        for key, name in config.cred_helpers.items():
            ask(name, key, f"credHelpers[{key!r}]")
        return result


def resolve_auth(
    reference: str,
    *,
    explicit: AuthConfig | None = None,
    config_dir: str | os.PathLike[str] | None = None,
    helper_timeout: float = DEFAULT_HELPER_TIMEOUT,
) -> AuthConfig | None:
    """The credentials to use for an image reference or a registry.

    ``reference`` is an image (``localhost:5000/app:1``, ``ubuntu``) or a
    registry (``localhost:5000``, ``registry.example.com``,
    ``https://index.docker.io/v1/``): a URL, or a bare host with a ``.``, a
    ``localhost`` or an IPv6 literal (optionally ``:port``), is a registry;
    anything else is an image reference (see `registry_of`).

    ``explicit`` wins (its ``serveraddress`` filled in with the registry key
    when empty); otherwise `CredentialStore.get` of ``config_dir`` (default
    `default_config_dir`). ``None`` means anonymous. Raises `CredentialError`
    when a helper is missing, fails or times out.
    """
    key = registry_key(reference) if _looks_like_registry(reference) else registry_of(reference)
    if explicit is not None:
        log.debug("credentials for %s given explicitly", key)
        return explicit if explicit.serveraddress else replace(explicit, serveraddress=key)
    return CredentialStore(config_dir, helper_timeout=helper_timeout).get(key)


def registry_config_for_build(
    config_dir: str | os.PathLike[str] | None = None,
    *,
    strict: bool = True,
    helper_timeout: float = DEFAULT_HELPER_TIMEOUT,
) -> dict[str, AuthConfig]:
    """Every registry's credentials the config knows, for ``X-Registry-Config``
    (``encode_registry_config(registry_config_for_build())``); see
    `CredentialStore.all`."""
    return CredentialStore(config_dir, helper_timeout=helper_timeout).all(strict=strict)


# -- wiring into the generated operations --------------------------------------


def registry_auth_header(reference: str | None, auth: AuthConfig | str | Unset | None) -> str | None:
    """The ``X-Registry-Auth`` value for an operation on ``reference``.

    An `AuthConfig` is sent as given; ``None`` asks for an anonymous request;
    ``"config"`` (the default of every generated ``auth=``; `UNSET` too) resolves credentials
    for the reference's registry from the docker config and its credential
    helpers, like the CLI. Without a reference (an import from a tarball)
    nothing is sent.
    """
    if isinstance(auth, AuthConfig):
        return encode_auth_header(resolve_auth(reference, explicit=auth) if reference else auth)
    if auth is None:
        return encode_auth_header(None)
    if not reference:
        return None
    return encode_auth_header(resolve_auth(reference))


def registry_config_header() -> str | None:
    """``X-Registry-Config`` for a build: every registry the docker config knows (helpers that fail are skipped)."""
    auths = registry_config_for_build(strict=False)
    return encode_registry_config(auths) if auths else None


def service_image(body: Any) -> str | None:
    """The image of a service spec (model or mapping), whose registry needs credentials."""
    spec = body.to_dict() if hasattr(body, "to_dict") else body
    if not isinstance(spec, Mapping):
        return None
    image = ((spec.get("TaskTemplate") or {}).get("ContainerSpec") or {}).get("Image")
    return image if isinstance(image, str) and image else None
