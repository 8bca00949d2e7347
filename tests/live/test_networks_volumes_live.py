"""Networks (create/inspect/connect/disconnect/delete) and volumes (create/inspect/list/delete/prune)."""

from __future__ import annotations

from typing import Any

import pytest
from docker_engine import NotFoundError

from .conftest import RoundTrip


def test_network_operations(docker: Any, busybox: str, roundtrip: RoundTrip) -> None:
    first = docker.networks.create(body={"Name": "net-a", "Driver": "bridge", "Internal": True, "Labels": {"t": "1"}})
    second = docker.networks.create(body={"Name": "net-b", "Driver": "bridge", "Internal": True})
    container = docker.containers.create(
        body={"Image": busybox, "Cmd": ["true"], "HostConfig": {"NetworkMode": "net-a"}}
    )
    try:
        inspected = docker.networks.inspect(first.id)
        assert inspected.name == "net-a" and inspected.internal is True and inspected.labels["t"] == "1"
        docker.networks.connect(second.id, body={"Container": container.id})
        attached = docker.containers.inspect(container.id).network_settings.networks
        assert {"net-a", "net-b"} <= set(attached.additional_properties)
        docker.networks.disconnect(second.id, body={"Container": container.id})
        attached = docker.containers.inspect(container.id).network_settings.networks
        assert "net-b" not in attached.additional_properties
        names = {n.name for n in docker.networks.list(filters={"label": ["t=1"]})}
        assert names == {"net-a"}
    finally:
        docker.containers.delete(container.id, force=True)
        docker.networks.delete(first.id)
        docker.networks.delete(second.id)
    with pytest.raises(NotFoundError):
        docker.networks.inspect(first.id)


def test_volume_operations(docker: Any, roundtrip: RoundTrip) -> None:
    volume = docker.volumes.create(body={"Name": "vol-a", "Labels": {"keep": "no"}})
    assert volume.name == "vol-a" and volume.driver == "local"
    assert docker.volumes.inspect("vol-a").labels["keep"] == "no"
    listed = docker.volumes.list(filters={"name": ["vol-a"]})
    assert [v.name for v in listed.volumes] == ["vol-a"]
    docker.volumes.delete("vol-a")
    with pytest.raises(NotFoundError):
        docker.volumes.inspect("vol-a")
    docker.volumes.create(body={"Name": "vol-b", "Labels": {"prune": "yes"}})
    # API >= 1.42 prunes only anonymous volumes unless all=true; older daemons reject that filter.
    filters = {"label": ["prune=yes"]} | ({"all": ["true"]} if docker.api_version >= "1.42" else {})
    pruned = docker.volumes.prune(filters=filters)
    assert pruned.volumes_deleted == ["vol-b"]
    assert "POST /volumes/create" in roundtrip.checked
