"""The sync runtime, written from the async one (as httpcore does with unasync).

The async modules are the source: `overlays/docker_engine/_async_<name>.py` becomes
`generated/docker_engine/_sync_<name>.py` (reached from the overlay by a symlink, as
the version packages are) by rewriting words, never by parsing: `async def` → `def`,
`await x` → `x`, `AsyncX` → `X`, `aclose` → `close`, … The network backends
(`_transports.py` on plain sockets, `_async_transports.py` on asyncio) stay written by
hand twice. `make lint` fails when a sync module is not what its source gives.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from .manifest import ROOT

OVERLAY = ROOT / "overlays" / "docker_engine"
GENERATED = ROOT / "generated" / "docker_engine"

# The async sources, in overlays/docker_engine; each gives `_sync_<name>.py`.
SOURCES = (
    "_async_api.py",
    "_async_client.py",
    "_async_hijack.py",
    "_async_mixins.py",
    "_async_streams.py",
    "_async_websocket.py",
)

# Whole words, in code, docstrings and comments alike: the sources are written so that
# these words mean the same thing in both worlds.
WORDS = {
    "AsyncAPI": "SyncAPI",
    "AsyncClientBase": "SyncClientBase",
    "aclose": "close",
    "aread": "read",
    "__aenter__": "__enter__",
    "__aexit__": "__exit__",
    "__aiter__": "__iter__",
    "__anext__": "__next__",
    "StopAsyncIteration": "StopIteration",
    "AsyncIterator": "Iterator",
    "AsyncIterable": "Iterable",
    "AsyncGenerator": "Generator",
    "aiter_bytes": "iter_bytes",
    "aiter_raw": "iter_raw",
    "anext": "next",
    "awritten": "written",
    "in_thread": "in_place",
    "_async_transports": "_transports",
}


def _word(match: re.Match[str]) -> str:
    return WORDS[match.group(1)]


RULES: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"\bAsyncGenerator\[([^\]]*), None\]"), r"Generator[\1, None, None]"),
    (re.compile(r"\b(" + "|".join(map(re.escape, WORDS)) + r")\b"), _word),
    (re.compile(r"\b_async_(\w+)\b"), r"_sync_\1"),  # the other generated twins
    (re.compile(r"(?<![A-Za-z0-9])Async(?=[A-Z])"), ""),  # AsyncHijackedStream → HijackedStream, _AsyncPulls → _Pulls
    (re.compile(r"\basync (def|with|for)\b"), r"\1"),
    (re.compile(r"\bawait "), ""),
    (re.compile(r"\bsync=False\b"), "sync=True"),
    (re.compile(r" \(asyncio\)"), ""),
    (re.compile(r" \(asyncio: [^)]*\)"), ""),  # a remark on the asyncio twin alone
)


_DOCSTRING = re.compile(r'\A"""(.*?)"""\n', re.DOTALL)


def unasync(text: str, source: str) -> str:
    """The sync module written from the text of async module `source`; its docstring says so
    (the source's describes both)."""
    docstring = (
        f'"""The sync twin of `docker_engine.{source[:-3]}` (see its docstring), written from it by\n'
        '`python -m generator unasync`: the same code without `await`; do not edit."""\n'
    )
    if not _DOCSTRING.match(text):
        raise ValueError(f"overlays/docker_engine/{source}: no module docstring to replace")
    for pattern, replacement in RULES:
        text = pattern.sub(replacement, text)
    return _DOCSTRING.sub(lambda _: docstring, text, count=1)


def target(source: str) -> str:
    return source.replace("_async_", "_sync_", 1)


def _format(directory: Path) -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    config = str(ROOT / "pyproject.toml")
    # `for x in y: yield x` is what an async generator must write; a sync one says `yield from y`.
    passes = (
        ["check", "--fix-only", "--silent", "--exit-zero"],
        ["check", "--fix-only", "--silent", "--exit-zero", "--unsafe-fixes", "--select", "UP028"],
        ["format", "--quiet"],
    )
    for args in passes:
        subprocess.run([ruff, *args, "--config", config, str(directory)], check=True, capture_output=True)


def render() -> dict[str, str]:
    """Every sync module's text (file name → text), formatted as committed."""
    with tempfile.TemporaryDirectory() as tmp:
        for source in SOURCES:
            text = (OVERLAY / source).read_text(encoding="utf-8")
            (Path(tmp) / target(source)).write_text(unasync(text, source), encoding="utf-8")
        _format(Path(tmp))
        return {target(s): (Path(tmp) / target(s)).read_text(encoding="utf-8") for s in SOURCES}


def write(*, check: bool) -> list[str]:
    """Write the sync modules (or with `check`, only compare); the names that differed."""
    stale = []
    for name, text in render().items():
        path = GENERATED / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            stale.append(name)
            if not check:
                path.write_text(text, encoding="utf-8")
    return stale
