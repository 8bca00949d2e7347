"""docker-engine: a typed client for the Docker Engine API, generated from Docker's specs.

Each API version is a package: `from docker_engine.v1_41 import Docker`.
This package holds the handwritten runtime those packages share.
"""

# The version packages live in a second directory (generated/docker_engine)
# during development; extend_path joins the two into one package.
from pkgutil import extend_path

__path__ = extend_path(__path__, __name__)

from ._errors import (
    APIError,
    BadRequestError,
    ConflictError,
    DockerConnectionError,
    DockerError,
    ForbiddenError,
    NotFoundError,
    ServerError,
    StreamError,
    UnauthorizedError,
)
from ._streams import Frame
from ._types import UNSET, Timestamp, Unset

__all__ = [
    "UNSET",
    "APIError",
    "BadRequestError",
    "ConflictError",
    "DockerConnectionError",
    "DockerError",
    "ForbiddenError",
    "Frame",
    "NotFoundError",
    "ServerError",
    "StreamError",
    "Timestamp",
    "UnauthorizedError",
    "Unset",
]
