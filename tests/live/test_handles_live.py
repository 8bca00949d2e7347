"""Handles against real daemons (issue #15): every method of every handle of v1.51 is
called here on dockerd 28 (the container handle on every daemon, with its own
version's package), except Node.delete, which needs a second engine: the three-engine
swarm test (tests/live/test_swarm_cluster_live.py::test_workers_leave_then_manager)
removes a node through its handle.

`HANDLE_METHODS` names the test that calls each method; a test without a daemon
checks it against the generated handles, so a method the spec adds is not left out.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import importlib
import inspect
import io
import tarfile
from pathlib import Path
from typing import Any

import pytest
from docker_engine import InvalidRequestError, NotFoundError, Output

from .conftest import version_package
from .daemons import Daemon, free_tcp_port
from .registry import Registry
from .test_every_operation_live import (
    PRIVILEGES,
    make_plugin,
    registry,  # noqa: F401 - the fixture
    registry_auth,
    serving_plugin_socket,
    tar_of,
    wait_for,
)

ON_28 = pytest.mark.parametrize("daemon", ["28"], indirect=True)
ROOT = Path(__file__).resolve().parents[2]

_CONTAINER = "test_container_handle"
_TTY = "test_container_and_exec_handles_on_a_tty"
_IMAGE = "test_image_handle"
_NETVOL = "test_network_and_volume_handles"
_SWARM = "test_swarm_handles"
_PLUGIN = "test_plugin_handle"
_CLUSTER = "tests/live/test_swarm_cluster_live.py::test_workers_leave_then_manager"

HANDLE_METHODS: dict[str, str] = {
    **{
        f"Container.{m}": _CONTAINER
        for m in (
            *("archive", "archive_info", "changes", "delete", "exec_run", "export", "inspect", "kill", "logs"),
            *("pause", "put_archive", "rename", "restart", "start", "stats", "stop", "top", "unpause", "update"),
            "wait",
        )
    },
    **{f"Container.{m}": _TTY for m in ("attach", "attach_websocket", "resize")},
    **{f"Exec.{m}": _TTY for m in ("inspect", "resize", "start")},
    **{f"Image.{m}": _IMAGE for m in ("delete", "history", "inspect", "save", "tag")},
    **{f"Network.{m}": _NETVOL for m in ("connect", "delete", "disconnect", "inspect")},
    **{f"Volume.{m}": _NETVOL for m in ("delete", "inspect", "update")},
    **{f"{h}.{m}": _SWARM for h in ("Secret", "Config") for m in ("delete", "inspect", "update")},
    **{f"Service.{m}": _SWARM for m in ("delete", "inspect", "logs", "update")},
    **{f"Task.{m}": _SWARM for m in ("inspect", "logs")},
    **{f"Node.{m}": _SWARM for m in ("inspect", "update")},
    "Node.delete": _CLUSTER,
    **{f"Plugin.{m}": _PLUGIN for m in ("delete", "disable", "enable", "inspect", "push", "set", "upgrade")},
}


def generated_handle_methods() -> set[str]:
    handles = importlib.import_module("docker_engine.v1_51.handles")
    found = set()
    for name in handles.__all__:
        if name.startswith("Async"):
            continue
        for method, _ in inspect.getmembers(getattr(handles, name), inspect.isfunction):
            if not method.startswith("_") and method != "reload":
                found.add(f"{name}.{method}")
    return found


def test_every_handle_method_has_a_live_test() -> None:
    assert set(HANDLE_METHODS) == generated_handle_methods()
    here = Path(__file__).read_text(encoding="utf-8")
    for key, test in HANDLE_METHODS.items():
        path, _, function = test.rpartition("::")
        source = (ROOT / path).read_text(encoding="utf-8") if path else here
        start = source.index(f"def {function}(")
        end = source.find("\ndef ", start + 1)
        body = source[start : end if end > 0 else None]
        assert f".{key.split('.')[1]}(" in body, f"{test} never calls {key}"


def _handles(api_version: str) -> Any:
    return importlib.import_module(f"docker_engine.v{api_version.replace('.', '_')}.handles")


def test_container_handle(docker: Any, daemon: Daemon, busybox: str) -> None:
    """run(detach=True) → Container, on every daemon with its own version's handle."""
    name = "handle-ops"
    container = docker.containers.run(
        busybox, ["sh", "-c", "echo started; exec sleep 300"], detach=True, name=name, network_mode="none"
    )
    try:
        assert isinstance(container, _handles(docker.api_version).Container)
        assert container.attrs.state.running is True and container.attrs.name == f"/{name}"
        same = docker.containers.get(name)
        assert same == container and same.attrs.id == container.id
        assert container.inspect().config.cmd == ["sh", "-c", "echo started; exec sleep 300"]
        wait_for("the first line", lambda: b"started" in container.logs(stdout=True).stdout())

        assert any("sleep" in " ".join(p) for p in container.top().processes)
        (stats,) = list(container.stats(stream=False))
        assert stats.to_dict()["read"].startswith("20")

        container.put_archive(path="/tmp", body=tar_of({"hello.txt": b"hi there\n"}))
        assert container.archive_info(path="/tmp/hello.txt").size == 9
        with tarfile.open(fileobj=io.BytesIO(container.archive(path="/tmp/hello.txt").read())) as tar:
            member = tar.extractfile("hello.txt")
            assert member is not None and member.read() == b"hi there\n"
        assert any(change.path == "/tmp/hello.txt" for change in container.changes() or [])
        with container.export() as exported:
            assert next(iter(exported))  # a tar stream of the filesystem; closed unread

        # exec_run as docker-py's: (exit_code, output), demux, stdin, environment, workdir, user.
        assert container.exec_run("echo hi") == (0, b"hi\n")
        code, output = container.exec_run(["sh", "-c", "echo out; echo err >&2; exit 3"], demux=True)
        assert (code, output) == (3, Output(b"out\n", b"err\n"))
        assert container.exec_run("cat", stdin=b"through stdin\n").output == b"through stdin\n"
        env = container.exec_run("sh -c 'echo $A-$B; pwd; id -u'", environment={"A": "1", "B": "2"}, workdir="/tmp", user="65534")  # fmt: skip
        assert env == (0, b"1-2\n/tmp\n65534\n")
        assert container.exec_run("touch /tmp/detached", detach=True) == (None, b"")
        wait_for("the detached exec", lambda: container.exec_run("test -e /tmp/detached").exit_code == 0)

        assert container.pause() is None
        assert container.reload().state.paused is True and container.attrs.state.status == "paused"
        assert container.unpause() is None
        answer = container.update(body={"CpuShares": 512})
        assert isinstance(answer.warnings, list)
        assert container.reload().host_config.cpu_shares == 512

        container.rename(name=f"{name}-renamed")
        assert container.reload().name == f"/{name}-renamed"
        before = container.attrs.state.started_at
        container.restart(t=0)
        assert container.reload().state.started_at != before
        container.kill(signal="SIGKILL")
        assert container.wait().status_code == 137
        container.start()
        assert container.reload().state.running is True
        container.stop(t=0)
        assert container.reload().state.running is False
    finally:
        container.delete(force=True)
    with pytest.raises(NotFoundError):
        container.reload()
    assert container.attrs.state.running is False  # the last answer is kept


@ON_28
def test_container_and_exec_handles_on_a_tty(docker: Any, busybox: str) -> None:
    """resize, attach and the websocket on a container's TTY; an Exec handle's resize/start/inspect."""
    container = docker.containers.run(
        busybox, ["sh", "-c", "echo started; exec cat"], detach=True, tty=True, stdin_open=True, network_mode="none"
    )
    try:
        assert container.resize(h=33, w=101) == ""
        assert container.exec_run("stty -F /dev/console size").output == b"33 101\n"
        frames = list(container.attach(logs=True, stream=False, stdout=True, stderr=True))
        assert b"started" in b"".join(f.data for f in frames)
        with container.attach_websocket(stream=True, stdin=True, stdout=True, stderr=True) as ws:
            ws.send(b"echoed\n")
            assert b"echoed" in ws.recv()

        created = docker.exec.create(
            container.id,
            body={"Cmd": ["sh", "-c", "while [ ! -e /tmp/go ]; do sleep 0.05; done; stty size"], "AttachStdout": True,
                  "Tty": True},
        )  # fmt: skip
        execution = docker.exec.get(created.id)
        assert execution.attrs.running is False and execution.attrs.container_id == container.id
        with execution.start(body={"Detach": False, "Tty": True}) as output:
            wait_for("the exec to run", lambda: execution.reload().running)
            assert execution.resize(h=21, w=77) is None
            container.exec_run("touch /tmp/go")
            assert b"".join(f.data for f in output).replace(b"\r\n", b"\n") == b"21 77\n"
        assert execution.inspect().exit_code == 0
    finally:
        container.delete(force=True)


@ON_28
def test_image_handle(docker: Any, busybox: str) -> None:
    image = docker.images.get_image(busybox)
    assert image.id.startswith("sha256:") and busybox in (image.attrs.repo_tags or [])
    assert image.inspect().id == image.id
    assert image.history()[0].id == image.id
    assert image.tag(repo="handles/busybox", tag="copy") is None
    assert "handles/busybox:copy" in (image.reload().repo_tags or [])
    with tarfile.open(fileobj=io.BytesIO(image.save().read())) as tar:
        assert "manifest.json" in tar.getnames()
    tagged = docker.images.get_image("handles/busybox:copy")
    assert tagged == image  # the same image ID
    removed = docker.images.handle("handles/busybox:copy").delete()
    assert [r.untagged for r in removed] == ["handles/busybox:copy"]
    with pytest.raises(NotFoundError):
        docker.images.get_image("handles/busybox:copy")


@ON_28
def test_network_and_volume_handles(docker: Any, busybox: str) -> None:
    created = docker.networks.create(body={"Name": "handle-net", "Driver": "bridge", "Internal": True})
    network = docker.networks.get(created.id)
    home = docker.networks.create(body={"Name": "handle-home", "Driver": "bridge", "Internal": True})
    container = docker.containers.run(busybox, "sleep 300", detach=True, network="handle-home")
    try:
        assert network.attrs.name == "handle-net" and network.inspect().id == network.id
        assert network.connect(body={"Container": container.id}) is None
        assert container.id in (network.reload().containers or {})
        assert network.disconnect(body={"Container": container.id}) is None
        assert container.id not in (network.reload().containers or {})
    finally:
        container.delete(force=True)
        network.delete()
        docker.networks.delete(home.id)
    with pytest.raises(NotFoundError):
        network.reload()

    docker.volumes.create(body={"Name": "handle-volume", "Labels": {"made": "here"}})
    volume = docker.volumes.get("handle-volume")
    assert (volume.id, volume.short_id) == ("handle-volume", "handle-volume")
    assert volume.attrs.labels == {"made": "here"} and volume.inspect().name == "handle-volume"
    # PUT /volumes/{name} is for cluster (CSI) volumes: the daemon says so for a local one.
    with pytest.raises(Exception, match=r"(?i)swarm|cluster|not a manager"):
        volume.update(body={"Spec": {"Availability": "active"}}, version=1)
    volume.delete()
    with pytest.raises(NotFoundError):
        volume.reload()


@ON_28
def test_swarm_handles(docker: Any, busybox: str) -> None:
    port = free_tcp_port()
    node_id = docker.swarm.init(body={"ListenAddr": f"127.0.0.1:{port}", "AdvertiseAddr": f"127.0.0.1:{port}"})
    try:
        node = docker.nodes.get(node_id)
        assert node.attrs.id == node_id and node.inspect().id == node_id
        spec = node.attrs.spec.to_dict()
        spec["Labels"] = {"disk": "ssd"}
        assert node.update(body=spec, version=node.attrs.version.index) is None
        assert node.reload().spec.labels.to_dict() == {"disk": "ssd"}

        created = docker.services.create(
            body={
                "Name": "handle-greeter",
                "TaskTemplate": {
                    "ContainerSpec": {"Image": busybox, "Command": ["sh", "-c", "echo hello; exec sleep 300"]},
                    "RestartPolicy": {"Condition": "none"},
                },
            }
        )
        service = docker.services.get(created.id)
        assert service.attrs.spec.name == "handle-greeter" and service.inspect().id == service.id

        def running_task() -> Any:
            tasks = docker.tasks.list(filters={"service": [service.id], "desired-state": ["running"]})
            states = [t for t in tasks if t.status.state.value == "running"]
            return docker.tasks.get(states[0].id) if states else None

        task = wait_for("the service's task to run", running_task)
        assert task.attrs.service_id == service.id and task.inspect().id == task.id
        wait_for("the task's logs", lambda: list(task.logs(stdout=True)))
        assert [f.data for f in task.logs(stdout=True)] == [b"hello\n"]
        assert [f.data for f in service.logs(stdout=True)] == [b"hello\n"]
        spec = service.attrs.spec.to_dict()
        spec["Labels"] = {"revision": "2"}
        assert isinstance(service.update(body=spec, version=service.attrs.version.index).warnings, list)
        assert service.reload().spec.labels.to_dict() == {"revision": "2"}

        for kind in ("secrets", "configs"):
            api = getattr(docker, kind)
            made = api.create(body={"Name": f"handle-{kind}", "Data": base64.b64encode(b"x").decode()})
            handle = api.get(made.id)
            assert handle.attrs.spec.name == f"handle-{kind}" and handle.inspect().id == handle.id
            spec = handle.attrs.spec.to_dict()
            spec["Labels"] = {"rotated": "yes"}
            assert handle.update(body=spec, version=handle.attrs.version.index) is None
            assert handle.reload().spec.labels.to_dict() == {"rotated": "yes"}
            handle.delete()
            with pytest.raises(NotFoundError):
                handle.reload()
        service.delete()
        with pytest.raises(NotFoundError):
            service.reload()
    finally:
        docker.swarm.leave(force=True)


@ON_28
def test_plugin_handle(docker: Any, registry: Registry, tmp_path: Path) -> None:  # noqa: F811
    name = f"{registry.host}/handle-volume:1"
    newer = f"{registry.host}/handle-volume:2"
    auth = registry_auth(registry)
    docker.plugins.create(name=name, body=make_plugin(tmp_path / "v1", "handle-1"))
    plugin = docker.plugins.get(name)
    try:
        assert plugin.id == name and plugin.attrs.enabled is False and plugin.inspect().name == name
        with serving_plugin_socket(plugin.attrs.id or "", plugin.attrs.config.interface.socket):
            assert plugin.enable(timeout=10) is None
            assert plugin.reload().enabled is True
            assert plugin.disable() is None
        assert plugin.set(body=["DEBUG=1"]) is None
        assert plugin.reload().settings.env == ["DEBUG=1"]
        assert any((m.additional_properties.get("aux") or {}).get("Digest") for m in plugin.push(auth=auth))

        docker.plugins.create(name=newer, body=make_plugin(tmp_path / "v2", "handle-2"))
        list(docker.plugins.push(newer, auth=auth))
        docker.plugins.delete(newer)
        upgraded = list(plugin.upgrade(remote=newer, body=PRIVILEGES, auth=auth))
        assert any("Digest: sha256:" in (m.status or "") for m in upgraded)
        assert plugin.reload().plugin_reference == newer
    finally:
        with contextlib.suppress(NotFoundError):
            plugin.delete(force=True)
    with pytest.raises(NotFoundError):
        plugin.reload()


@ON_28
def test_async_handles(daemon: Daemon, busybox: str) -> None:
    package = version_package(daemon.api_version)

    async def main() -> None:
        async with package.AsyncDocker(daemon.base_url) as docker:
            container = await docker.containers.run(busybox, "sleep 300", detach=True, network_mode="none")
            try:
                assert isinstance(container, _handles(daemon.api_version).AsyncContainer)
                with pytest.raises(InvalidRequestError, match="reload"):
                    container.attrs  # noqa: B018 - not inspected yet: run(detach=True) made it from the ID
                assert (await container.reload()).state.running is True
                found = await docker.containers.get(container.id)
                assert found == container and found.attrs.state.running is True
                assert await container.exec_run("echo hi") == (0, b"hi\n")
                result = await container.exec_run(["sh", "-c", "cat; echo e >&2"], stdin="in\n", demux=True)
                assert result == (0, Output(b"in\n", b"e\n"))
                await container.stop(t=0)
                assert (await container.reload()).state.running is False
            finally:
                await container.delete(force=True)

    asyncio.run(main())
