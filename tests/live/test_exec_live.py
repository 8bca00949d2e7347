"""Exec instances: create, start (run to completion, no stdin), inspect."""

from __future__ import annotations

from typing import Any

from .conftest import RoundTrip


def test_exec_create_start_inspect(docker: Any, busybox: str, roundtrip: RoundTrip) -> None:
    container = docker.containers.create(
        body={"Image": busybox, "Cmd": ["sleep", "300"], "HostConfig": {"NetworkMode": "none"}}
    )
    try:
        docker.containers.start(container.id)
        created = docker.exec.create(
            container.id,
            body={
                "Cmd": ["sh", "-c", "echo to-out; echo to-err >&2; exit 5"],
                "AttachStdout": True,
                "AttachStderr": True,
            },
        )
        before = docker.exec.inspect(created.id)
        assert before.running is False and before.container_id == container.id
        frames = list(docker.exec.start(created.id, body={"Detach": False, "Tty": False}))
        assert sorted((f.stream, f.data) for f in frames) == [(1, b"to-out\n"), (2, b"to-err\n")]
        assert docker.exec.inspect(created.id).exit_code == 5
    finally:
        docker.containers.delete(container.id, force=True)
    assert f"GET /exec/{created.id}/json" in roundtrip.checked
