"""The newest generated API version: what the negotiating facade is typed as."""

from .v1_56.client import AsyncDocker, Docker

API_VERSION = "1.56"
__all__ = ["API_VERSION", "AsyncDocker", "Docker"]
