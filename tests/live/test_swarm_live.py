"""Swarm mode: init/inspect/leave, a service and its tasks, secret and config CRUD."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from docker_engine import NotFoundError

from .conftest import RoundTrip


def test_swarm_service_secret_config(docker: Any, busybox: str, roundtrip: RoundTrip) -> None:
    node_id = docker.swarm.init(body={"ListenAddr": "127.0.0.1:0", "AdvertiseAddr": "127.0.0.1"})
    try:
        assert isinstance(node_id, str) and node_id
        swarm = docker.swarm.inspect()
        assert swarm.id and swarm.join_tokens.worker.startswith("SWMTKN-")
        assert docker.nodes.inspect(node_id).id == node_id
        service = docker.services.create(
            body={
                "Name": "svc",
                "TaskTemplate": {"ContainerSpec": {"Image": busybox, "Command": ["sleep", "300"]}},
                "Mode": {"Replicated": {"Replicas": 1}},
            }
        )
        assert docker.services.inspect(service.id).spec.name == "svc"
        assert [s.id for s in docker.services.list()] == [service.id]
        tasks = docker.tasks.list(filters={"service": ["svc"]})
        for task in tasks:
            assert task.service_id == service.id
        secret = docker.secrets.create(body={"Name": "s1", "Data": base64.b64encode(b"hush").decode()})
        assert docker.secrets.inspect(secret.id).spec.name == "s1"
        assert [s.id for s in docker.secrets.list()] == [secret.id]
        docker.secrets.delete(secret.id)
        with pytest.raises(NotFoundError):
            docker.secrets.inspect(secret.id)
        config = docker.configs.create(body={"Name": "c1", "Data": base64.b64encode(b"x=1").decode()})
        assert docker.configs.inspect(config.id).spec.name == "c1"
        assert [c.id for c in docker.configs.list()] == [config.id]
        docker.configs.delete(config.id)
        docker.services.delete(service.id)
    finally:
        docker.swarm.leave(force=True)
    assert "GET /swarm" in roundtrip.checked
