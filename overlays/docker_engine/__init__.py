"""docker-engine: a typed client for the Docker Engine API, generated from Docker's specs.

`docker_engine.Docker` connects like the docker CLI and negotiates the API
version; each API version is also a package with exact types
(`from docker_engine.v1_41 import Docker`). This package holds the handwritten
runtime those packages share.
"""

# The version packages live in a second directory (generated/docker_engine)
# during development; extend_path joins the two into one package.
from pkgutil import extend_path

__path__ = extend_path(__path__, __name__)

from ._archive import ArchiveError, BuildContext, PathStat, build_context, decode_path_stat, extract, tar_path
from ._auth import AuthConfig, CredentialError
from ._config import ConfigError, ConnectionConfig, TLSConfig
from ._errors import (
    APIError,
    BadRequestError,
    ConflictError,
    DockerConnectionError,
    DockerError,
    DockerTimeoutError,
    ForbiddenError,
    NotFoundError,
    ServerError,
    StreamError,
    UnauthorizedError,
)
from ._facade import AsyncDocker, Docker
from ._hijack import Output
from ._mixins import ContainerError, RunResult
from ._streams import Frame
from ._types import UNSET, Timestamp, Unset
from ._version import VersionError

__all__ = [
    "UNSET",
    "APIError",
    "ArchiveError",
    "AsyncDocker",
    "AuthConfig",
    "BadRequestError",
    "BuildContext",
    "ConfigError",
    "ConflictError",
    "ConnectionConfig",
    "ContainerError",
    "CredentialError",
    "Docker",
    "DockerConnectionError",
    "DockerError",
    "DockerTimeoutError",
    "ForbiddenError",
    "Frame",
    "NotFoundError",
    "Output",
    "PathStat",
    "RunResult",
    "ServerError",
    "StreamError",
    "TLSConfig",
    "Timestamp",
    "UnauthorizedError",
    "Unset",
    "VersionError",
    "build_context",
    "decode_path_stat",
    "extract",
    "tar_path",
]
