"""A container's life: create → start → top/changes/inspect → kill/stop → wait → delete."""

from __future__ import annotations

from typing import Any

import pytest
from docker_engine import ConflictError, NotFoundError

from .conftest import RoundTrip


def test_container_lifecycle(docker: Any, busybox: str, roundtrip: RoundTrip) -> None:
    created = docker.containers.create(
        name="lifecycle",
        body={
            "Image": busybox,
            "Cmd": ["sh", "-c", "touch /tmp/made-here; sleep 300"],
            "Labels": {"com.example.test": "lifecycle"},
            "HostConfig": {"NetworkMode": "none", "Memory": 64 * 1024 * 1024},
        },
    )
    assert len(created.id) == 64
    try:
        assert docker.containers.start(created.id) is None
        assert docker.containers.start(created.id) is None  # 304: already started
        inspected = docker.containers.inspect(created.id)
        assert inspected.state.running is True
        assert inspected.config.labels["com.example.test"] == "lifecycle"
        assert inspected.host_config.memory == 64 * 1024 * 1024
        assert inspected.name == "/lifecycle"
        top = docker.containers.top(created.id)
        assert any("sleep" in " ".join(proc) for proc in top.processes)
        changes = docker.containers.changes(created.id) or []
        assert any(change.path == "/tmp/made-here" for change in changes) or any(
            change.path == "/tmp" for change in changes
        )
        listed = docker.containers.list(filters={"label": ["com.example.test=lifecycle"]})
        assert [c.id for c in listed] == [created.id]
        with pytest.raises(ConflictError, match="running"):
            docker.containers.delete(created.id)
        docker.containers.kill(created.id, signal="SIGKILL")
        assert docker.containers.wait(created.id).status_code == 137
        docker.containers.stop(created.id)  # 304: already stopped
        assert docker.containers.inspect(created.id).state.status == "exited"
    finally:
        docker.containers.delete(created.id, force=True)
    with pytest.raises(NotFoundError) as info:
        docker.containers.inspect(created.id)
    assert info.value.status_code == 404 and info.value.method == "GET"
    assert created.id in info.value.message
    assert {"POST /containers/create", "GET /containers/{id}/json".replace("{id}", created.id)} & set(roundtrip.checked)


def test_run_to_completion_and_logs(docker: Any, busybox: str) -> None:
    created = docker.containers.create(
        body={
            "Image": busybox,
            "Cmd": ["sh", "-c", "echo out; echo err >&2; exit 3"],
            "HostConfig": {"NetworkMode": "none"},
        }
    )
    try:
        docker.containers.start(created.id)
        assert docker.containers.wait(created.id).status_code == 3
        frames = list(docker.containers.logs(created.id, stdout=True, stderr=True))
        # stdout and stderr are separate pipes: their relative order is not kept.
        assert sorted((f.stream, f.data) for f in frames) == [(1, b"out\n"), (2, b"err\n")]
    finally:
        docker.containers.delete(created.id)


def test_list_and_prune(docker: Any, busybox: str, roundtrip: RoundTrip) -> None:
    ids = [
        docker.containers.create(body={"Image": busybox, "Cmd": ["true"], "Labels": {"prune-me": "1"}}).id
        for _ in range(2)
    ]
    listed = docker.containers.list(all=True, filters={"label": ["prune-me=1"]})
    assert sorted(c.id for c in listed) == sorted(ids)
    pruned = docker.containers.prune(filters={"label": ["prune-me=1"]})
    assert sorted(pruned.containers_deleted) == sorted(ids)
    assert docker.containers.list(all=True, filters={"label": ["prune-me=1"]}) == []
