"""httpx's command-line client, imported only when it is run.

`import httpx` also imports `httpx._main` (its CLI) whenever click, pygments and rich are installed
— rich is this SDK's `progress` extra — and that costs 35–50 ms of every cold start, for a command
line no SDK user calls. Before httpx is first imported, `httpx._main` is entered in `sys.modules` as
a stand-in whose `main()` imports the real module and runs it: `httpx.main` (the `httpx` console
script) still works, and nothing else of httpx reads `_main`.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import MutableMapping
from typing import Any

NAME = "httpx._main"


def _main(*args: Any, **kwargs: Any) -> Any:
    if sys.modules.get(NAME) is _STAND_IN:
        del sys.modules[NAME]
    return importlib.import_module(NAME).main(*args, **kwargs)


_STAND_IN = types.ModuleType(NAME, "httpx's command line, imported when run (see docker_engine._httpx_cli).")
_STAND_IN.main = _main  # type: ignore[attr-defined]


def defer_httpx_cli(modules: MutableMapping[str, types.ModuleType]) -> None:
    """Enter the stand-in, unless httpx (or its CLI) is imported already."""
    if "httpx" not in modules and NAME not in modules:
        modules[NAME] = _STAND_IN
