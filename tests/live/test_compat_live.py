"""Old (v1.25, v1.30) and new (v1.56) packages against the newest daemon (API 1.51),
for the operations they share: extra fields and values must not break them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .conftest import RoundTrip, version_package
from .daemons import Daemon


@pytest.fixture(params=["1.25", "1.30", "1.56"])
def other_client(request: pytest.FixtureRequest, daemon_28: Daemon, roundtrip: RoundTrip) -> Iterator[Any]:
    client = version_package(request.param).Docker(daemon_28.base_url)
    if request.param > daemon_28.api_version:
        # The daemon refuses paths newer than its own version; speak its
        # version on the wire and read the answers with the newer models.
        client._api.prefix = f"/v{daemon_28.api_version}"
    roundtrip.install(client)
    yield client
    client.close()


def test_shared_operations(other_client: Any, daemon_28: Daemon, roundtrip: RoundTrip) -> None:
    docker = other_client
    assert docker.system.ping() == "OK"
    assert docker.system.version().api_version == daemon_28.api_version
    assert docker.system.info().driver == "vfs"
    created = docker.containers.create(
        body={"Image": daemon_28.busybox_image, "Cmd": ["true"], "HostConfig": {"NetworkMode": "none"}}
    )
    try:
        docker.containers.start(created.id)
        docker.containers.wait(created.id)
        inspected = docker.containers.inspect(created.id)
        assert inspected.state.status == "exited"
        assert [c.id for c in docker.containers.list(all=True)] == [created.id]
    finally:
        docker.containers.delete(created.id)
    assert any(daemon_28.busybox_image in (i.repo_tags or []) for i in docker.images.list())
    assert docker.images.inspect(daemon_28.busybox_image).os == "linux"
    assert {n.name for n in docker.networks.list()} >= {"none", "host"}
    docker.volumes.create(body={"Name": "compat-vol"})
    assert "compat-vol" in [v.name for v in docker.volumes.list().volumes]
    docker.volumes.delete("compat-vol")
    docker.system.data_usage()
    assert "GET /system/df" in roundtrip.checked
    assert len(roundtrip.checked) >= 10
