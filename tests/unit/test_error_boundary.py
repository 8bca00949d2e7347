"""One error boundary (issue #13): `_errors.failure` is the one place where an exception that is not
the SDK's becomes the DockerError a caller sees; requests and streams go through it."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from docker_engine._errors import (
    DockerConnectionError,
    DockerError,
    DockerTimeoutError,
    NotFoundError,
    StreamError,
    failure,
)

OVERLAYS = Path(__file__).resolve().parents[2] / "overlays" / "docker_engine"


@pytest.mark.parametrize(
    ("exc", "kind", "words"),
    [
        (httpx.ConnectError("[Errno 2] No such file or directory"), DockerConnectionError, "no socket there"),
        (httpx.ConnectError("[Errno 13] Permission denied"), DockerConnectionError, "`docker` group"),
        (httpx.ConnectError("[Errno 111] Connection refused"), DockerConnectionError, "connection refused"),
        (httpx.ConnectError("SSL: CERTIFICATE_VERIFY_FAILED"), DockerConnectionError, "TLS failed"),
        (httpx.PoolTimeout("no free connection"), DockerTimeoutError, "Limits(max_connections=)"),
        (httpx.ReadTimeout("timed out"), DockerTimeoutError, "did not answer in time"),
        (TimeoutError("deadline"), DockerTimeoutError, "did not answer in time"),
        (httpx.RemoteProtocolError("bad status line"), DockerConnectionError, "failed: bad status line"),
        (ConnectionResetError("reset by peer"), DockerConnectionError, "failed: reset by peer"),
    ],
)
def test_request_failures(exc: BaseException, kind: type[DockerError], words: str) -> None:
    error = failure(exc, "unix:///run/docker.sock")
    assert type(error) is kind and words in str(error)
    if isinstance(error, DockerConnectionError):
        assert error.target == "unix:///run/docker.sock"


def test_stream_failures_and_the_sdks_own_errors() -> None:
    for exc in (httpx.ReadError("cut"), ConnectionResetError("reset"), httpx.RemoteProtocolError("bad chunk")):
        error = failure(exc, "", stream=True)
        assert type(error) is StreamError and str(error).startswith("stream broken: ")
    own = NotFoundError(404, "no such container", method="GET", path="/containers/x/json")
    assert failure(own, "host") is own and failure(own, "host", stream=True) is own


def test_no_other_module_translates_transport_errors() -> None:
    """`except httpx.…`/`except OSError` around a call or a stream raises `failure(...)`, nowhere a
    DockerConnectionError, DockerTimeoutError or "stream broken" of its own."""
    for path in OVERLAYS.glob("_*.py"):
        if path.name == "_errors.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert 'StreamError(f"stream broken' not in text, path.name
        for match in re.finditer(r"except httpx\.\w+(?: as exc)?:\n(\s+)raise (\w+)", text):
            assert match.group(2) == "failure", f"{path.name}: {match.group(0)!r}"
