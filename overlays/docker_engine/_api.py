"""The runtime core the generated methods call: send a `Request`, check the
status, read the body the way `Request.kind` says.

`SyncAPI` and `AsyncAPI` differ only in how they wait: `AsyncAPI` (`_async_api.py`)
is the source, `SyncAPI` (`_sync_api.py`) is written from it by `python -m generator
unasync`; what they share is `_api_base._APIBase`.
"""

from __future__ import annotations

from ._api_base import DEFAULT_TIMEOUT
from ._async_api import AsyncAPI
from ._sync_api import SyncAPI

__all__ = ["DEFAULT_TIMEOUT", "AsyncAPI", "SyncAPI"]
