"""What every generated `Docker`/`AsyncDocker` shares: construction, options, closing.

Secrets: an address with a password (``tcp://user:pw@host``, ``ssh://user:pw@host``)
is refused with a `ConfigError` (see `docker_engine._config`), for sync and async
clients alike; `base_url` and the repr show an address through `redact_host`.
Importing this module puts `RedactingFilter` on the ``httpx`` logger, so that the
URLs httpx logs at INFO carry no userinfo and no ``buildargs`` values.
"""

from __future__ import annotations

from ._async_client import AsyncClientBase
from ._redact import install_log_filter
from ._sync_client import SyncClientBase

__all__ = ["AsyncClientBase", "SyncClientBase"]

install_log_filter()
