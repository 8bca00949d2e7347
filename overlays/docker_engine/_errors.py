"""Exceptions. Every one the SDK raises is a `DockerError`:

    DockerError
    ├── DockerConnectionError       the daemon could not be reached, or the connection broke
    ├── DockerTimeoutError          the daemon did not answer in time
    ├── APIError                    the daemon answered with an error status
    │   ├── BadRequestError         400
    │   ├── UnauthorizedError       401
    │   ├── ForbiddenError          403
    │   ├── NotFoundError           404
    │   ├── ConflictError           409
    │   └── ServerError             5xx
    ├── StreamError                 a stream reported an error, was cut or malformed
    │   ├── BuildError              a classic build's stream reported an error (its step and log)
    │   │   └── BuildKitError       a BuildKit build failed (the failing step and its output)
    ├── BuildKitUnavailableError    the daemon offers no BuildKit session (podman, BuildKit turned off)
    │   └── WebSocketError          a WebSocket handshake or frame was wrong (attach_websocket)
    ├── ContainerError              a container of `containers.run` exited non-zero (its result)
    ├── InvalidRequestError         refused before sending: unknown body field, wrong value type,
    │                               blank path parameter, a control character in a header (also a ValueError)
    ├── InvalidResponseError        a success answer that cannot be read: not JSON, wrong shape,
    │                               a bad timestamp (also a ValueError)
    ├── ConfigError                 bad connection settings: address, TLS files, context (also a ValueError)
    ├── CredentialError             registry credentials could not be looked up (no secret in it)
    ├── VersionError                an API version, parameter or field the client or daemon lacks
    ├── ArchiveError                an unsafe or unreadable archive
    └── DockerignoreError           a malformed .dockerignore pattern (also a ValueError)

An `APIError` keeps the daemon's message, the status, and the method and path
of the request.

`failure(exc, host)` is the one place where an exception that is not ours (httpx's,
the socket's, a timeout) becomes the DockerError the caller sees, the cause chained:
for requests (`_async_api`/`_sync_api`, the negotiating ping) and for streams
(`_async_streams`/`_sync_streams`, `_async_hijack`/`_sync_hijack`).
Below it the transports speak httpx's own errors to httpx, which is httpx's contract.
"""

from __future__ import annotations

import functools
import json
from typing import TYPE_CHECKING, Any

from ._redact import redact_host, redact_text

if TYPE_CHECKING:
    from pathlib import Path

    from ._mixins import RunResult

__all__ = [
    "APIError",
    "BadRequestError",
    "BuildError",
    "BuildKitError",
    "BuildKitUnavailableError",
    "ConflictError",
    "ContainerError",
    "DockerConnectionError",
    "DockerError",
    "DockerTimeoutError",
    "ForbiddenError",
    "InvalidRequestError",
    "InvalidResponseError",
    "NotFoundError",
    "ServerError",
    "StreamError",
    "UnauthorizedError",
    "error_for_status",
    "failure",
]

# How much of a failed container's stderr its ContainerError message quotes.
STDERR_TAIL = 2000

# How much of an error body is read: enough for any daemon message.
MAX_ERROR_BODY = 64 * 1024


class DockerError(Exception):
    """Base of every exception the SDK raises."""


class DockerConnectionError(DockerError):
    """The daemon could not be reached at `target`. A password in an address (in
    `target` or the message) is shown as ``***``."""

    def __init__(self, message: str, *, target: str) -> None:
        super().__init__(redact_text(message))
        self.target = redact_host(target)


class InvalidRequestError(DockerError, ValueError):
    """The request was refused before anything was sent: the message says what and where."""


class InvalidResponseError(DockerError, ValueError):
    """The daemon answered with success, but its answer could not be read: not JSON,
    not the shape the API promises, or a value that is not what its field holds
    (a timestamp that is none). The cause is chained."""


class DockerTimeoutError(DockerError):
    """The daemon did not answer within the timeout (see `with_timeout`)."""


class APIError(DockerError):
    """The daemon answered `method path` with a non-success `status_code`."""

    def __init__(self, status_code: int, message: str, *, method: str, path: str) -> None:
        super().__init__(f"{status_code} {method} {path}: {message}")
        self.status_code = status_code
        self.message = message
        self.method = method
        self.path = path


class BadRequestError(APIError):
    """400: the request was malformed or had bad parameters."""


class UnauthorizedError(APIError):
    """401: authentication required or failed."""


class ForbiddenError(APIError):
    """403: the daemon refused the operation."""


class NotFoundError(APIError):
    """404: no such object (container, image, network, …)."""


class ConflictError(APIError):
    """409: the object's state conflicts with the request (name in use, container running, …)."""


class ServerError(APIError):
    """5xx: the daemon failed."""


class StreamError(DockerError):
    """A stream carried an error message, was truncated, or could not be decoded."""


_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
}


def daemon_message(body: bytes) -> str:
    """The daemon's `{"message": …}`, or the body's text when it is not JSON."""
    text = body[:MAX_ERROR_BODY].decode("utf-8", "replace").strip()
    try:
        data = json.loads(text)
    except ValueError:
        return text or "(no message)"
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return str(data["message"])
    return text


def error_for_status(status_code: int, body: bytes, *, method: str, path: str) -> APIError:
    cls = _BY_STATUS.get(status_code) or (ServerError if status_code >= 500 else APIError)
    return cls(status_code, daemon_message(body), method=method, path=path)


# Defined here with the others (one module of errors); each is also importable
# from the module that raises it.


class ArchiveError(DockerError):
    """An archive is unsafe or unreadable (a member outside the root, a write
    through a symbolic link, a truncated stream), or a file changed while being
    archived."""


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


class CredentialError(DockerError):
    """Credentials could not be looked up: a credential helper is missing,
    failed or timed out, or the docker config file is unreadable.

    `helper` is the helper's executable name (``docker-credential-…``) when
    one is involved, `registry` the registry key, `config_path` the config
    file. The message never contains a secret.
    """

    def __init__(
        self,
        message: str,
        *,
        helper: str | None = None,
        registry: str | None = None,
        config_path: Path | None = None,
    ) -> None:
        super().__init__(message)
        self.helper = helper
        self.registry = registry
        self.config_path = config_path


# --------------------------------------------------------------------------
# The auth config
# --------------------------------------------------------------------------


class ConfigError(DockerError, ValueError):
    """The connection settings are invalid (bad host, missing context, missing TLS files)."""


# The TLS files: option name -> what it is.


class DockerignoreError(DockerError, ValueError):
    """A .dockerignore pattern is malformed (the Docker CLI refuses it too)."""


class VersionError(DockerError):
    """No generated package fits the daemon's API version."""


class WebSocketError(StreamError):
    """The peer broke the WebSocket protocol, or the handshake failed."""


def failure(exc: BaseException, host: str, *, stream: bool = False) -> DockerError:
    """The DockerError for an exception met while calling the daemon at `host` (or, with
    `stream`, while reading a stream already open): raise it `from exc`."""
    if isinstance(exc, DockerError):
        return exc
    import httpx  # noqa: PLC0415 - only on a failure: the error module stays light to import

    if stream:
        return StreamError(f"stream broken: {exc}")
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout)):
        return _connect_error(host, exc)
    if isinstance(exc, httpx.PoolTimeout):
        return DockerTimeoutError(f"{exc}; raise the timeout, or the limit with Limits(max_connections=)")
    if isinstance(exc, (httpx.TimeoutException, TimeoutError)):
        return DockerTimeoutError(f"{host} did not answer in time ({exc}); raise the timeout with with_timeout()")
    return DockerConnectionError(f"connection to the Docker daemon at {host} failed: {exc}", target=host)


def _connect_error(host: str, exc: BaseException) -> DockerConnectionError:
    cause = exc.__cause__ or exc.__context__ or exc
    text = str(exc)
    hint = ""
    if isinstance(cause, FileNotFoundError) or "No such file" in text:
        hint = " (no socket there: is the daemon running? Set DOCKER_HOST or pass base_url=)"
    elif isinstance(cause, PermissionError) or "Permission denied" in text:
        hint = " (permission denied: add your user to the `docker` group, or use a socket you may open)"
    elif isinstance(cause, ConnectionRefusedError) or "refused" in text.lower() or "Connect call failed" in text:
        hint = " (connection refused: is the daemon listening there? Set DOCKER_HOST or pass base_url=)"
    elif "TLS" in text or "SSL" in text or "certificate" in text:
        hint = " (TLS failed: check DOCKER_CERT_PATH / the CA, client certificate and key, and the host name)"
    elif "ssh" in text:
        hint = " (ssh failed: check that `ssh HOST docker version` works)"
    return DockerConnectionError(f"cannot connect to the Docker daemon at {host}: {text}{hint}", target=host)


class BuildError(StreamError):
    """A classic build reported an error in its stream (a failing `RUN`, a missing file, …).

    `build_log` holds every typed message received (`BuildInfo`s, the error one last), `step`
    the last `Step N/M : …` line before the error (None if none came)."""

    def __init__(self, message: str, *, build_log: list[Any], step: str | None) -> None:
        super().__init__(f"build failed at {step}: {message}" if step else f"build failed: {message}")
        self.message = message
        self.build_log = build_log
        self.step = step

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled with its keywords (for multiprocessing, pytest-xdist): not from `args` alone.
        return functools.partial(type(self), build_log=self.build_log, step=self.step), (self.message,)

    def output(self) -> str:
        """The build's output text (the `stream` messages joined)."""
        from ._progress import describe  # noqa: PLC0415 - the messages' reader, on demand

        return "".join(m.stream for m in map(describe, self.build_log) if m.stream)


class ContainerError(DockerError):
    """A container run by `containers.run` exited with a non-zero code."""

    def __init__(self, result: RunResult, image: str) -> None:
        tail = result.stderr[-STDERR_TAIL:].decode("utf-8", "replace").strip()
        super().__init__(
            f"container {result.id[:12]} ({image}) exited with {result.exit_code}: {tail or '(no stderr)'}"
        )
        self.result = result
        self.exit_code = result.exit_code
        self.stderr = result.stderr


class BuildKitError(BuildError):
    """A BuildKit build failed: `step` is the failing vertex (`[stage-0 3/3] RUN …`), `log`
    its output, `build_log` every `BuildStatus` received."""

    def __init__(self, message: str, *, build_log: list[Any], step: str | None, log: bytes = b"") -> None:
        super().__init__(message, build_log=build_log, step=step)
        self.log = log

    def __reduce__(self) -> tuple[Any, ...]:
        return _rebuild, (self.message, self.build_log, self.step, self.log)

    def output(self) -> str:
        """The failing step's output."""
        return self.log.decode("utf-8", "replace")


def _rebuild(message: str, build_log: list[Any], step: str | None, log: bytes) -> BuildKitError:
    return BuildKitError(message, build_log=build_log, step=step, log=log)


class BuildKitUnavailableError(DockerError):
    """The daemon offers no BuildKit session (`POST /session` was not upgraded): a server
    without BuildKit (podman's Docker API, a daemon with it turned off). Raised before any
    build started; `images.build_image(…, buildkit="auto")` then builds with the classic
    builder instead."""
