"""httpx's command line is not imported with the SDK (docker_engine._httpx_cli): a cold start does
not pay for click, pygments and rich, and `httpx.main` still runs the real command line."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

CHECK = """
import sys
import docker_engine
from docker_engine import Docker
import httpx
assert "click" not in sys.modules and "pygments" not in sys.modules, sorted(m for m in sys.modules if m in ("click", "pygments"))
assert getattr(sys.modules["httpx._main"], "__file__", None) is None  # the stand-in
try:
    httpx.main(["--help"])
except SystemExit as done:
    assert done.code in (0, None), done.code
assert sys.modules["httpx._main"].__file__.endswith("_main.py")  # the real one, run
print("ok")
"""


@pytest.mark.skipif(
    not all(importlib.util.find_spec(m) for m in ("click", "pygments", "rich")),
    reason="httpx imports its command line only when click, pygments and rich are installed",
)
def test_the_cli_is_imported_only_when_run() -> None:
    done = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("ok") and "HTTPX" in done.stdout


def test_nothing_changes_when_httpx_came_first() -> None:
    code = "import httpx, sys; m = sys.modules.get('httpx._main'); import docker_engine; assert sys.modules.get('httpx._main') is m"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60)
    assert done.returncode == 0, done.stderr
