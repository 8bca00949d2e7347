"""Images: list, inspect, history, tag, delete."""

from __future__ import annotations

from typing import Any

import pytest
from docker_engine import NotFoundError

from .conftest import RoundTrip


def test_image_operations(docker: Any, busybox: str, roundtrip: RoundTrip) -> None:
    images = docker.images.list()
    mine = [img for img in images if busybox in (img.repo_tags or [])]
    assert len(mine) == 1
    inspected = docker.images.inspect(busybox)
    assert inspected.id == mine[0].id
    assert inspected.os == "linux"
    history = docker.images.history(busybox)
    assert history and history[0].id == inspected.id
    docker.images.tag(busybox, repo="local/tagged", tag="t1")
    assert docker.images.inspect("local/tagged:t1").id == inspected.id
    deleted = docker.images.delete("local/tagged:t1")
    assert [d.untagged for d in deleted if d.untagged] == ["local/tagged:t1"]
    with pytest.raises(NotFoundError):
        docker.images.inspect("local/tagged:t1")
    assert "GET /images/json" in roundtrip.checked
