"""examples/ run as a user runs them (issue #15): each script in its own process, in an empty
working directory, against a private dockerd 28 found through DOCKER_HOST, with a private
registry whose credentials are in DOCKER_CONFIG (`docker login`'s config.json). Output
goes to a pipe: the progress displays print the CLI's plain lines."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .daemons import Daemon
from .registry import Registry, registry_available, start_registry

ROOT = Path(__file__).resolve().parents[2]
USERNAME, PASSWORD = "examples", "examples-pw"


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    problem = registry_available()
    if problem:
        pytest.fail(problem)
    started = start_registry(tmp_path_factory.mktemp("registry-examples"), username=USERNAME, password=PASSWORD)
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture
def run_example(daemon_28: Daemon, registry: Registry, tmp_path: Path) -> Iterator[Any]:
    # The examples say "busybox", as a user's would; the private daemon has it under another name.
    subprocess_env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    config = tmp_path / "docker-config"
    config.mkdir()
    basic = base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
    (config / "config.json").write_text(json.dumps({"auths": {registry.host: {"auth": basic}}}))
    subprocess_env.update(DOCKER_HOST=daemon_28.base_url, DOCKER_CONFIG=str(config))
    status, _, body = daemon_28.request("POST", f"/images/{daemon_28.busybox_image}/tag?repo=busybox&tag=latest")
    assert status == 201, body
    work = tmp_path / "work"
    work.mkdir()

    def run(name: str, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, str(ROOT / "examples" / f"{name}.py"), *args],
            cwd=work,
            env=subprocess_env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, f"examples/{name}.py failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
        return done.stdout

    yield run
    assert work.is_dir()


def test_run_and_read(run_example: Any) -> None:
    assert run_example("run_and_read") == "hello from busybox\n"


def test_detached_logs(run_example: Any) -> None:
    assert run_example("detached_logs") == "line 1\nline 2\nline 3\n"


def test_exec_stdin(run_example: Any) -> None:
    assert run_example("exec_stdin") == "0 HELLO THROUGH STDIN\n"


def test_copy_in_out(run_example: Any, tmp_path: Path) -> None:
    assert run_example("copy_in_out") == "['greeting.copy']\n"
    assert (tmp_path / "work" / "copied-out" / "greeting.copy").read_text() == "hello from the host\n"


def test_build(run_example: Any, daemon_28: Daemon) -> None:
    output = run_example("build")
    assert "Step 1/3 : FROM busybox\n" in output and "Step 2/3 : RUN echo built > /built\n" in output
    short_id, tags, count, _ = output.splitlines()[-1].split(" ", 3)
    assert len(short_id) == 12 and tags == "['example/app:1']" and int(count) >= 3
    status, _, body = daemon_28.request("GET", "/images/example/app:1/json")
    assert status == 200 and json.loads(body)["Id"].startswith(f"sha256:{short_id}")


def test_tag_push_pull(run_example: Any, registry: Registry) -> None:
    output = run_example("tag_push_pull", registry.host)
    lines = output.splitlines()
    assert f"The push refers to repository [{registry.host}/busybox]" in lines
    assert any(line.startswith("example: digest: sha256:") for line in lines)
    assert any(line == f"Status: Downloaded newer image for {registry.host}/busybox:example" for line in lines)
    short_id, digests = lines[-1].split(" ", 1)
    assert len(short_id) == 12 and f"{registry.host}/busybox@sha256:" in digests
