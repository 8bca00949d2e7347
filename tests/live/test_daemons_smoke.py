"""Smoke tests for the private-daemon infrastructure in ``daemons.py``.

Each available engine is started in a temp dir, checked for its API version
and the local busybox image, made to run ``echo hi``, and stopped; nothing it
started may survive. One test runs all kinds at once.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from . import daemons

AVAILABLE = daemons.available_kinds()

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(os.geteuid() != 0, reason="private dockerd needs root"),
    pytest.mark.skipif(not AVAILABLE, reason="no daemons installed (.ci/install-daemons.sh)"),
]


def _require(kind: str) -> None:
    if kind not in AVAILABLE:
        message = f"daemon kind {kind} not installed (.ci/install-daemons.sh)"
        if os.environ.get("DOCKER_ENGINE_REQUIRE_DAEMONS"):
            pytest.fail(message)
        pytest.skip(message)


def _run_echo(daemon: daemons.Daemon) -> bytes:
    """Create, start and wait for ``echo hi`` without a network; return its logs."""
    sock = daemon.socket_path
    created = daemons.request_json(
        sock,
        "POST",
        "/containers/create",
        {
            "Image": daemon.busybox_image,
            "Cmd": ["echo", "hi"],
            "HostConfig": {"NetworkMode": "none"},
        },
    )
    assert isinstance(created, dict)
    cid = created["Id"]
    assert isinstance(cid, str)
    daemons.request_json(sock, "POST", f"/containers/{cid}/start")
    waited = daemons.request_json(sock, "POST", f"/containers/{cid}/wait", timeout=60)
    assert isinstance(waited, dict)
    assert waited["StatusCode"] == 0
    status, _, logs = daemons.raw_request(sock, "GET", f"/containers/{cid}/logs?stdout=1")
    assert status == 200
    daemons.request_json(sock, "DELETE", f"/containers/{cid}")
    return logs


def _check_busybox(daemon: daemons.Daemon) -> None:
    ref = urllib.parse.quote(daemon.busybox_image, safe="")
    image = daemons.request_json(daemon.socket_path, "GET", f"/images/{ref}/json")
    assert isinstance(image, dict)
    assert daemon.busybox_image in image["RepoTags"]
    assert image["Config"]["Cmd"] == ["sh"]


def _check_gone(daemon: daemons.Daemon) -> None:
    assert daemon.owned_pids() == []
    assert not os.path.exists(daemon.socket_path)
    assert not os.path.exists(daemon.root_dir)
    mounts = Path("/proc/self/mountinfo").read_text()
    assert daemon.root_dir not in mounts
    assert daemon.exec_root not in mounts


def _exercise(kind: str, workdir: Path, tcp_port: int | None = None) -> daemons.Daemon:
    daemon = daemons.start_daemon(kind, workdir, tcp_port=tcp_port)
    try:
        assert daemon.name == kind
        assert daemon.api_version == daemons.EXPECTED_API_VERSIONS[kind]
        _check_busybox(daemon)
        # Logs come multiplexed: an 8-byte frame header, then the payload.
        assert _run_echo(daemon).endswith(b"hi\n")
        if tcp_port is not None:
            conn = http.client.HTTPConnection("127.0.0.1", tcp_port, timeout=10)
            try:
                conn.request("GET", "/version")
                response = conn.getresponse()
                assert response.status == 200
                assert json.loads(response.read())["ApiVersion"] == daemon.api_version
            finally:
                conn.close()
    finally:
        daemon.stop()
    return daemon


@pytest.mark.parametrize("kind", daemons.KINDS)
def test_daemon_runs_a_container(kind: str, tmp_path: Path) -> None:
    _require(kind)
    daemon = _exercise(kind, tmp_path)
    _check_gone(daemon)


@pytest.mark.parametrize("kind", daemons.KINDS)
def test_matching_docker_cli(kind: str, tmp_path: Path) -> None:
    _require(kind)
    with daemons.running_daemon(kind, tmp_path, with_busybox=False) as daemon:
        if daemon.docker_cli is None:
            pytest.skip("no docker CLI for this kind")
        out = subprocess.run(
            [daemon.docker_cli, "version", "--format", "{{.Client.Version}} {{.Server.APIVersion}}"],
            env=daemon.env,
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout.split()
        assert out[1] == daemon.api_version
        assert daemon.engine_version.startswith(out[0].split("+")[0])
    _check_gone(daemon)


def test_stop_kills_running_containers(tmp_path: Path) -> None:
    kind = AVAILABLE[-1]
    daemon = daemons.start_daemon(kind, tmp_path)
    try:
        created = daemons.request_json(
            daemon.socket_path,
            "POST",
            "/containers/create",
            {
                "Image": daemon.busybox_image,
                "Cmd": ["sleep", "300"],
                "HostConfig": {"NetworkMode": "none"},
            },
        )
        assert isinstance(created, dict)
        daemons.request_json(daemon.socket_path, "POST", f"/containers/{created['Id']}/start")
        assert len(daemon.owned_pids()) >= 4  # dockerd, containerd, shim, sleep
    finally:
        daemon.stop()
    _check_gone(daemon)


def test_all_kinds_concurrently(tmp_path: Path) -> None:
    if len(AVAILABLE) < 2:
        pytest.skip("fewer than two daemon kinds installed")
    ports = {kind: daemons.free_tcp_port() for kind in AVAILABLE}
    with ThreadPoolExecutor(max_workers=len(AVAILABLE)) as pool:
        futures = {
            kind: pool.submit(_exercise, kind, tmp_path / kind.replace(".", "_"), ports[kind]) for kind in AVAILABLE
        }
        stopped = {kind: future.result(timeout=300) for kind, future in futures.items()}
    for kind, daemon in stopped.items():
        assert daemon.api_version == daemons.EXPECTED_API_VERSIONS[kind]
        _check_gone(daemon)


_ORPHAN_SCRIPT = """
import json, os, sys
sys.path.insert(0, sys.argv[1])
import daemons
d = daemons.start_daemon(sys.argv[2], daemons.Path(sys.argv[3]), with_busybox=False)
print(json.dumps({"short": os.path.dirname(d.socket_path), "root": d.root_dir, "pid": d.pid}), flush=True)
if sys.argv[4] == "crash":
    os._exit(0)  # no atexit: the daemon is orphaned
"""


@pytest.mark.parametrize("how", ["exit", "crash"])
def test_no_daemon_outlives_its_starter(how: str, tmp_path: Path) -> None:
    """A normal exit stops daemons (atexit); after a crash, the next start reaps them."""
    kind = AVAILABLE[0]
    here = str(Path(__file__).resolve().parent)
    out = subprocess.run(
        [sys.executable, "-c", _ORPHAN_SCRIPT, here, kind, str(tmp_path), how],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    info = json.loads(out.splitlines()[-1])
    if how == "crash":
        assert daemons._pid_alive(info["pid"])
        assert info["short"] in daemons.reap_stale_daemons()
    assert not daemons._pid_alive(info["pid"])
    assert daemons._owned_pids(info["short"], info["root"], "") == []
    assert not os.path.exists(info["short"])
    assert not os.path.exists(info["root"])
