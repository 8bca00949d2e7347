"""System operations against each daemon, with the package of its own API version."""

from __future__ import annotations

import time
from typing import Any

from .conftest import RoundTrip
from .daemons import EXPECTED_API_VERSIONS, Daemon


def test_ping_version_info(docker: Any, daemon: Daemon, roundtrip: RoundTrip) -> None:
    assert docker.system.ping() == "OK"
    version = docker.system.version()
    assert version.api_version == daemon.api_version == EXPECTED_API_VERSIONS[daemon.name]
    assert version.version == daemon.engine_version
    info = docker.system.info()
    assert info.driver == "vfs"
    assert info.images >= 1  # the imported busybox
    assert roundtrip.checked.count("GET /info") == 1


def test_data_usage(docker: Any, busybox: str, roundtrip: RoundTrip) -> None:
    usage = docker.system.data_usage()
    assert any(busybox in (img.repo_tags or []) for img in usage.images)
    assert usage.layers_size > 0
    assert roundtrip.checked == ["GET /system/df"]


def test_events_between_two_timestamps(docker: Any, busybox: str, roundtrip: RoundTrip) -> None:
    since = int(time.time()) - 1
    created = docker.containers.create(body={"Image": busybox, "Cmd": ["true"], "HostConfig": {"NetworkMode": "none"}})
    docker.containers.start(created.id)
    docker.containers.wait(created.id)
    docker.containers.delete(created.id)
    until = int(time.time()) + 1
    events = list(docker.system.events(since=str(since), until=str(until), filters={"type": ["container"]}))
    ours = [e.action for e in events if e.actor is not None and e.actor.id == created.id]
    assert ours[:1] == ["create"]
    assert {"create", "start", "die", "destroy"} <= set(ours)
    assert roundtrip.checked.count("GET /events") == len(events)
