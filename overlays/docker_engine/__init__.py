"""docker-engine: a typed client for the Docker Engine API, generated from Docker's specs.

`docker_engine.Docker` connects like the docker CLI and negotiates the API
version; each API version is also a package with exact types
(`from docker_engine.v1_41 import Docker`). This package holds the handwritten
runtime those packages share.
"""

from __future__ import annotations

__version__ = "0.2.0"

import importlib as _importlib
import sys as _sys
from typing import TYPE_CHECKING, Any

from ._httpx_cli import defer_httpx_cli as _defer_httpx_cli

_defer_httpx_cli(_sys.modules)

if TYPE_CHECKING:
    from ._archive import ArchiveError, BuildContext, PathStat, build_context, decode_path_stat, extract, tar_path
    from ._async_websocket import AsyncWebSocketStream
    from ._auth import AuthConfig, CredentialError
    from ._bodies import Unchecked, unchecked
    from ._build_status import BuildStatus, PlainProgress, decode_trace
    from ._config import ConfigError, ConnectionConfig, TLSConfig
    from ._errors import (
        APIError,
        BadRequestError,
        BuildError,
        BuildKitError,
        BuildKitUnavailableError,
        ConflictError,
        ContainerError,
        DockerConnectionError,
        DockerError,
        DockerTimeoutError,
        ForbiddenError,
        InvalidRequestError,
        InvalidResponseError,
        NotFoundError,
        ServerError,
        StreamError,
        UnauthorizedError,
        WebSocketError,
    )
    from ._facade import AsyncDocker, Docker
    from ._handles import ExecResult
    from ._hijack import Output
    from ._mixins import BuildResult, RunResult
    from ._session import BuildSession
    from ._streams import Frame
    from ._sync_websocket import WebSocketStream
    from ._transports import Limits
    from ._types import UNSET, Timestamp, Unset
    from ._version import VersionError

# Imported on first use: `from docker_engine.v1_41 import Docker` needs neither
# the facade nor tar support, and each costs import time.
_EXPORTS = {
    **dict.fromkeys(
        ("BuildContext", "PathStat", "build_context", "decode_path_stat", "extract", "tar_path"),
        "_archive",
    ),
    "AuthConfig": "_auth",
    **dict.fromkeys(("BuildStatus", "PlainProgress", "decode_trace"), "_build_status"),
    "BuildSession": "_session",
    **dict.fromkeys(("Unchecked", "unchecked"), "_bodies"),
    **dict.fromkeys(("ConnectionConfig", "TLSConfig"), "_config"),
    **dict.fromkeys(
        (
            "APIError",
            "ArchiveError",
            "BadRequestError",
            "BuildError",
            "BuildKitError",
            "BuildKitUnavailableError",
            "ConfigError",
            "ContainerError",
            "CredentialError",
            "VersionError",
            "WebSocketError",
            "ConflictError",
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
        ),
        "_errors",
    ),
    **dict.fromkeys(("AsyncDocker", "Docker"), "_facade"),
    "ExecResult": "_handles",
    "Output": "_hijack",
    **dict.fromkeys(("BuildResult", "RunResult"), "_mixins"),
    "Frame": "_streams",
    "Limits": "_transports",
    **dict.fromkeys(("UNSET", "Timestamp", "Unset"), "_types"),
    "AsyncWebSocketStream": "_async_websocket",
    "WebSocketStream": "_sync_websocket",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "UNSET",
    "APIError",
    "ArchiveError",
    "AsyncDocker",
    "AsyncWebSocketStream",
    "AuthConfig",
    "BadRequestError",
    "BuildContext",
    "BuildError",
    "BuildKitError",
    "BuildKitUnavailableError",
    "BuildResult",
    "BuildSession",
    "BuildStatus",
    "ConfigError",
    "ConflictError",
    "ConnectionConfig",
    "ContainerError",
    "CredentialError",
    "Docker",
    "DockerConnectionError",
    "DockerError",
    "DockerTimeoutError",
    "ExecResult",
    "ForbiddenError",
    "Frame",
    "InvalidRequestError",
    "InvalidResponseError",
    "Limits",
    "NotFoundError",
    "Output",
    "PathStat",
    "PlainProgress",
    "RunResult",
    "ServerError",
    "StreamError",
    "TLSConfig",
    "Timestamp",
    "UnauthorizedError",
    "Unchecked",
    "Unset",
    "VersionError",
    "WebSocketError",
    "WebSocketStream",
    "build_context",
    "decode_path_stat",
    "decode_trace",
    "extract",
    "tar_path",
    "unchecked",
]
