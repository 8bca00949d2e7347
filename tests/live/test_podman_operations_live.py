"""Every operation of v1.51 against podman (issue #12), through the negotiating facade
(`docker_engine.Docker`, which speaks podman's API 1.41): each one podman implements is called
with realistic arguments and its typed answer read (JSON answers round-trip checked against what
podman sent); each one it does not is listed with the answer podman gives, and a test sends it
and checks that podman still answers so (a newer podman that implements it fails that test, and
the table is then to be updated).

`PODMAN` maps an operationId to the test that calls it, or to why it cannot run on podman 4.3.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import os
import re
import shutil
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from docker_engine import AuthConfig, Docker, NotFoundError

from .conftest import RoundTrip
from .daemons import BUSYBOX_IMAGE, import_busybox, raw_request
from .peers import PodmanPeer, start_podman
from .registry import Registry, registry_available, start_registry
from .test_operations_table import spec_operations

LIMITS = [{"Name": "nofile", "Soft": 1024, "Hard": 1024}, {"Name": "nproc", "Soft": 1000, "Hard": 1000}]
HOST_CONFIG = {"NetworkMode": "none", "Ulimits": LIMITS}
QUALIFIED = f"docker.io/{BUSYBOX_IMAGE}"
USERNAME, PASSWORD = "podman-tester", "podman-pw"

_NOT_SWARM = "podman has no swarm mode: answers 503 'Podman does not support service' (or 404 for the lists)"
_NOT_PLUGINS = "podman has no plugins: the route is not served (404 Not Found)"

# operationId → the test here that calls it, or why podman 4.3 cannot run it.
PODMAN: dict[str, str] = {
    **dict.fromkeys(("SystemPing", "SystemPingHead", "SystemVersion", "SystemInfo"), "test_system"),
    **dict.fromkeys(("SystemDataUsage", "SystemEvents"), "test_system"),
    **dict.fromkeys(
        (
            "ContainerCreate",
            "ContainerStart",
            "ContainerInspect",
            "ContainerList",
            "ContainerTop",
            "ContainerLogs",
            "ContainerStats",
            "ContainerChanges",
            "ContainerPause",
            "ContainerUnpause",
            "ContainerRename",
            "ContainerRestart",
            "ContainerKill",
            "ContainerWait",
            "ContainerStop",
            "ContainerDelete",
            "ContainerPrune",
            "ContainerAttach",
            "ContainerResize",
            "ContainerExport",
            "ContainerArchive",
            "ContainerArchiveInfo",
            "PutContainerArchive",
        ),
        "test_containers",
    ),
    **dict.fromkeys(("ContainerExec", "ExecStart", "ExecInspect", "ExecResize"), "test_exec"),
    **dict.fromkeys(
        (
            "ImageList",
            "ImageInspect",
            "ImageHistory",
            "ImageTag",
            "ImageGet",
            "ImageGetAll",
            "ImageLoad",
            "ImageDelete",
            "ImagePrune",
            "ImageCommit",
            "ImageBuild",
        ),
        "test_images",
    ),
    **dict.fromkeys(("ImageCreate", "ImagePush"), "test_registry"),
    "SystemAuth": (
        "podman 4.3 logs in over HTTPS only (its registries.conf `insecure` is not read for /auth), and the"
        " registry here is plain HTTP: 'server gave HTTP response to HTTPS client'"
    ),
    **dict.fromkeys(
        ("NetworkCreate", "NetworkInspect", "NetworkList", "NetworkConnect", "NetworkDisconnect", "NetworkDelete"),
        "test_networks",
    ),
    "NetworkPrune": "test_networks",
    **dict.fromkeys(("VolumeCreate", "VolumeInspect", "VolumeList", "VolumeDelete", "VolumePrune"), "test_volumes"),
    **dict.fromkeys(("SecretCreate", "SecretInspect", "SecretList", "SecretDelete"), "test_secrets"),
    # Not in podman 4.3's compatible API: what it answers (checked by test_what_podman_lacks).
    "BuildPrune": "podman 4.3 does not serve POST /build/prune (404 Not Found)",
    "ContainerAttachWebsocket": "podman 4.3 does not serve GET /containers/{id}/attach/ws (404 Not Found)",
    "ContainerUpdate": "podman 4.3 does not serve POST /containers/{id}/update (404 Not Found)",
    "DistributionInspect": "podman 4.3 answers 404 'Path /v1.41/distribution/… is not supported'",
    "ImageSearch": "searches the registries of podman's registries.conf (docker.io, quay.io): needs the internet",
    "SecretUpdate": "podman 4.3 answers 501 'update is not supported'",
    "Session": "podman 4.3 does not serve POST /session (BuildKit sessions; 404 Not Found)",
    "VolumeUpdate": "podman 4.3 does not serve PUT /volumes/{name} (405 Method Not Allowed; cluster volumes)",
    **dict.fromkeys(
        ("PluginCreate", "PluginDelete", "PluginDisable", "PluginEnable", "PluginInspect", "PluginList"),
        _NOT_PLUGINS,
    ),
    **dict.fromkeys(("PluginPull", "PluginPush", "PluginSet", "PluginUpgrade", "GetPluginPrivileges"), _NOT_PLUGINS),
    **dict.fromkeys(
        (
            "ConfigCreate",
            "ConfigDelete",
            "ConfigInspect",
            "ConfigList",
            "ConfigUpdate",
            "NodeDelete",
            "NodeInspect",
            "NodeList",
            "NodeUpdate",
            "ServiceCreate",
            "ServiceDelete",
            "ServiceInspect",
            "ServiceList",
            "ServiceLogs",
            "ServiceUpdate",
            "SwarmInit",
            "SwarmInspect",
            "SwarmJoin",
            "SwarmLeave",
            "SwarmUnlock",
            "SwarmUnlockkey",
            "SwarmUpdate",
            "TaskInspect",
            "TaskList",
            "TaskLogs",
        ),
        _NOT_SWARM,
    ),
}

# What podman answers to an operation it lacks: (method, path, statuses, words in the answer).
LACKS: dict[str, tuple[str, str, tuple[int, ...], str]] = {
    "BuildPrune": ("POST", "/build/prune", (404,), "Not Found"),
    "ContainerAttachWebsocket": ("GET", "/containers/x/attach/ws", (404,), "Not Found"),
    "ContainerUpdate": ("POST", "/containers/x/update", (404,), "Not Found"),
    "DistributionInspect": ("GET", "/distribution/busybox/json", (404,), "is not supported"),
    "SecretUpdate": ("POST", "/secrets/x/update?version=1", (501,), "update is not supported"),
    "Session": ("POST", "/session", (404,), "Not Found"),
    "VolumeUpdate": ("PUT", "/volumes/x?version=1", (405,), "Method Not Allowed"),
    "PluginList": ("GET", "/plugins", (404,), "not supported"),
    "PluginInspect": ("GET", "/plugins/x/json", (404,), "Not Found"),
    "GetPluginPrivileges": ("GET", "/plugins/privileges?remote=x", (404,), "Not Found"),
    "SwarmInit": ("POST", "/swarm/init", (503,), "does not support service"),
    "SwarmInspect": ("GET", "/swarm", (404,), "Not Found"),
    "ServiceCreate": ("POST", "/services/create", (503,), "does not support service"),
    "ServiceList": ("GET", "/services", (404,), "Not Found"),
    "NodeInspect": ("GET", "/nodes/x", (503,), "does not support service"),
    "TaskLogs": ("GET", "/tasks/x/logs", (503,), "does not support service"),
    "ConfigCreate": ("POST", "/configs/create", (503,), "does not support service"),
}


def tar_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    problem = registry_available()
    if problem:
        pytest.fail(problem)
    started = start_registry(tmp_path_factory.mktemp("podman-registry"), username=USERNAME, password=PASSWORD)
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture(scope="module")
def podman(tmp_path_factory: pytest.TempPathFactory, registry: Registry) -> Iterator[PodmanPeer]:
    if shutil.which("podman") is None:
        if os.environ.get("DOCKER_ENGINE_REQUIRE_DAEMONS"):
            pytest.fail("podman is not installed: run `bash .ci/install-daemons.sh` as root")
        pytest.skip("podman is not installed")
    peer = start_podman(Path(tmp_path_factory.mktemp("podman-ops")), insecure_registries=[registry.host])
    try:
        import_busybox(peer.socket_path)
        yield peer
    finally:
        peer.stop()


@pytest.fixture
def docker(podman: PodmanPeer, roundtrip: RoundTrip) -> Iterator[Any]:
    """The negotiating facade, as a user points it at podman (DOCKER_HOST)."""
    with Docker(podman.host) as client:
        assert client.api_version == "1.41"
        roundtrip.install(client._negotiated())
        yield client


def raw_json(podman: PodmanPeer, path: str) -> Any:
    status, _, body = raw_request(podman.socket_path, "GET", f"/v1.41{path}")
    assert status == 200, body
    return json.loads(body)


# --------------------------------------------------------------------------


def test_the_table_covers_every_operation() -> None:
    assert set(PODMAN) == spec_operations()
    here = Path(__file__).read_text(encoding="utf-8")
    for op, entry in PODMAN.items():
        if entry.startswith("test_"):
            assert f"\ndef {entry}(" in here, f"{op}: no test {entry}"
        else:
            assert len(entry.split()) >= 5, f"{op}: say why"
    assert set(LACKS) <= {op for op, entry in PODMAN.items() if not entry.startswith("test_")}


@pytest.mark.parametrize("op", sorted(LACKS))
def test_what_podman_lacks(podman: PodmanPeer, op: str) -> None:
    method, path, statuses, words = LACKS[op]
    status, _, body = raw_request(podman.socket_path, method, f"/v1.41{path}", b"{}" if method != "GET" else None)
    assert status in statuses and words in body.decode(errors="replace"), (
        f"{op}: podman now answers {status} {body[:200]!r}"
    )


def test_system(docker: Any, podman: PodmanPeer) -> None:
    assert docker.system.ping() == "OK"
    assert docker.system.ping_head() is not None
    version = docker.system.version()
    assert version.api_version == "1.41" and any("Podman" in (c.name or "") for c in version.components or [])
    info = docker.system.info()
    assert info.driver == "vfs" and info.images >= 1
    usage = docker.system.data_usage()
    assert [i.id.removeprefix("sha256:") for i in usage.images] == [docker.images.list()[0].id.removeprefix("sha256:")]
    since = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    docker.volumes.create(body={"Name": "event-probe"})
    docker.volumes.delete("event-probe")
    until = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    events = list(docker.system.events(since=since, until=until, filters={"type": ["volume"]}))
    assert [e.action for e in events if e.actor.id == "event-probe" or e.actor.attributes.get("name") == "event-probe"]


def test_containers(docker: Any, podman: PodmanPeer) -> None:
    created = docker.containers.create(
        name="ops",
        body={
            "Image": BUSYBOX_IMAGE,
            "Cmd": ["sh", "-c", "echo started; exec sleep 300"],
            "Tty": True,
            "OpenStdin": True,
            "HostConfig": HOST_CONFIG,
        },
    )
    cid = created.id
    try:
        docker.containers.start(cid)
        inspected = docker.containers.inspect(cid)
        assert inspected.state.running is True and inspected.name.lstrip("/") == "ops"
        assert [c.id for c in docker.containers.list(filters={"name": ["ops"]})] == [cid]
        assert any("sleep" in " ".join(p) for p in docker.containers.top(cid).processes)
        deadline = time.monotonic() + 10
        while b"started" not in b"".join(f.data for f in docker.containers.logs(cid, stdout=True)):
            assert time.monotonic() < deadline, "no output"
            time.sleep(0.1)
        (sample,) = list(docker.containers.stats(cid, stream=False))
        assert sample.to_dict()["read"]
        docker.containers.resize(cid, h=30, w=90)
        frames = list(docker.containers.attach(cid, logs=True, stream=False, stdout=True))
        assert b"started" in b"".join(f.data for f in frames)

        docker.containers.put_archive(cid, path="/tmp", body=tar_of({"hello.txt": b"hi there\n"}))
        assert docker.containers.archive_info(cid, path="/tmp/hello.txt").size == 9
        with tarfile.open(fileobj=io.BytesIO(docker.containers.archive(cid, path="/tmp/hello.txt").read())) as tar:
            member = tar.extractfile("hello.txt")
            assert member is not None and member.read() == b"hi there\n"
        assert any(c.path == "/tmp/hello.txt" for c in docker.containers.changes(cid) or [])
        with docker.containers.export(cid) as exported:
            assert next(iter(exported))

        docker.containers.pause(cid)
        assert docker.containers.inspect(cid).state.paused is True
        docker.containers.unpause(cid)
        docker.containers.rename(cid, name="ops-renamed")
        assert docker.containers.inspect("ops-renamed").id == cid
        docker.containers.restart(cid, t=0)
        assert docker.containers.inspect(cid).state.running is True
        docker.containers.kill(cid, signal="SIGKILL")
        assert docker.containers.wait(cid).status_code == 137
        docker.containers.start(cid)
        docker.containers.stop(cid, t=0)
        assert docker.containers.inspect(cid).state.running is False
    finally:
        docker.containers.delete(cid, force=True)
    with pytest.raises(NotFoundError):
        docker.containers.inspect(cid)
    stopped = docker.containers.create(body={"Image": BUSYBOX_IMAGE, "Cmd": ["true"], "HostConfig": HOST_CONFIG})
    pruned = docker.containers.prune()
    assert stopped.id in (pruned.containers_deleted or [])


def test_exec(docker: Any) -> None:
    created = docker.containers.create(
        body={"Image": BUSYBOX_IMAGE, "Cmd": ["sleep", "300"], "HostConfig": HOST_CONFIG}
    )
    try:
        docker.containers.start(created.id)
        made = docker.exec.create(created.id, body={"Cmd": ["sh", "-c", "echo in-exec; exit 4"], "AttachStdout": True})
        assert docker.exec.inspect(made.id).running is False
        frames = list(docker.exec.start(made.id, body={"Detach": False, "Tty": False}))
        assert b"".join(f.data for f in frames) == b"in-exec\n"
        assert docker.exec.inspect(made.id).exit_code == 4
        waiting = docker.exec.create(
            created.id, body={"Cmd": ["sh", "-c", "sleep 1; stty size"], "AttachStdout": True, "Tty": True}
        )
        with docker.exec.start_interactive(waiting.id, tty=True) as stream:
            docker.exec.resize(waiting.id, h=21, w=77)
            assert stream.read_all().stdout.replace(b"\r\n", b"\n") == b"21 77\n"
    finally:
        docker.containers.delete(created.id, force=True)


def test_images(docker: Any, podman: PodmanPeer, tmp_path: Path) -> None:
    assert [i.repo_tags for i in docker.images.list()] == [[QUALIFIED]]
    image = docker.images.inspect(BUSYBOX_IMAGE)
    assert image.repo_tags == [QUALIFIED] and image.to_dict() == raw_json(podman, f"/images/{BUSYBOX_IMAGE}/json")
    # podman gives the history's IDs without their "sha256:".
    assert docker.images.history(BUSYBOX_IMAGE)[0].id.removeprefix("sha256:") == image.id.removeprefix("sha256:")
    docker.images.tag(BUSYBOX_IMAGE, repo="local/copy", tag="1")
    assert docker.images.inspect("local/copy:1").id == image.id
    saved = docker.images.get("local/copy:1").read()
    with tarfile.open(fileobj=io.BytesIO(saved)) as tar:
        assert "manifest.json" in tar.getnames()
    both = docker.images.get_all(names=[BUSYBOX_IMAGE, "local/copy:1"]).read()
    assert len(both) > 1000
    removed = docker.images.delete("local/copy:1")
    assert any(r.untagged for r in removed)
    loaded = list(docker.images.load(body=saved))
    assert any("Loaded image" in (m.stream or "") for m in loaded)
    assert docker.images.inspect("local/copy:1").id == image.id

    container = docker.containers.create(body={"Image": BUSYBOX_IMAGE, "Cmd": ["sh"], "HostConfig": HOST_CONFIG})
    try:
        # podman reads a body here (500 "Decode(): EOF" without one), where dockerd takes none.
        committed = docker.images.commit(
            container=container.id, repo="local/committed", tag="1", comment="made here", body={"Labels": {"c": "1"}}
        )
        assert docker.images.inspect("local/committed:1").id.endswith(committed.id.split(":")[-1])
    finally:
        docker.containers.delete(container.id, force=True)

    context = tar_of({"Dockerfile": f"FROM {BUSYBOX_IMAGE}\nLABEL built=here\n".encode()})
    messages = list(docker.images.build(body=context, t="local/built:1", networkmode="none"))
    assert messages and docker.images.inspect("local/built:1").config.labels["built"] == "here"
    for name in ("local/built:1", "local/committed:1", "local/copy:1"):
        docker.images.delete(name, force=True)
    pruned = docker.images.prune(filters={"dangling": ["true"]})
    assert isinstance(pruned.images_deleted, list)


def test_registry(docker: Any, registry: Registry) -> None:
    auth = AuthConfig(username=USERNAME, password=PASSWORD, serveraddress=registry.host)
    target = f"{registry.host}/podman/busybox"
    docker.images.tag(BUSYBOX_IMAGE, repo=target, tag="1")
    pushed = list(docker.images.push(target, tag="1", auth=auth))
    assert pushed
    docker.images.delete(f"{target}:1")
    pulled = list(docker.images.create(from_image=target, tag="1", auth=auth))
    assert pulled and docker.images.inspect(f"{target}:1").repo_tags
    docker.images.delete(f"{target}:1")


def test_networks(docker: Any, podman: PodmanPeer) -> None:
    made = docker.networks.create(body={"Name": "ops-net", "Labels": {"t": "1"}})
    network = docker.networks.inspect(made.id)
    assert network.name == "ops-net" and network.labels == {"t": "1"}
    assert "ops-net" in [n.name for n in docker.networks.list()]
    container = docker.containers.create(
        body={"Image": BUSYBOX_IMAGE, "Cmd": ["sleep", "60"], "HostConfig": {"Ulimits": LIMITS}}
    )
    try:
        docker.networks.connect(made.id, body={"Container": container.id})
        assert "ops-net" in docker.containers.inspect(container.id).network_settings.networks
        docker.networks.disconnect(made.id, body={"Container": container.id})
        assert "ops-net" not in docker.containers.inspect(container.id).network_settings.networks
    finally:
        docker.containers.delete(container.id, force=True)
    docker.networks.delete(made.id)
    with pytest.raises(NotFoundError):
        docker.networks.inspect(made.id)
    docker.networks.create(body={"Name": "ops-unused"})
    assert "ops-unused" in (docker.networks.prune().networks_deleted or [])


def test_volumes(docker: Any, podman: PodmanPeer) -> None:
    volume = docker.volumes.create(body={"Name": "ops-volume", "Labels": {"keep": "no"}})
    assert volume.name == "ops-volume"
    inspected = docker.volumes.inspect("ops-volume")
    assert inspected.labels == {"keep": "no"} and inspected.to_dict() == raw_json(podman, "/volumes/ops-volume")
    assert "ops-volume" in [v.name for v in docker.volumes.list().volumes]
    docker.volumes.delete("ops-volume")
    with pytest.raises(NotFoundError):
        docker.volumes.inspect("ops-volume")
    docker.volumes.create(body={"Name": "ops-unused"})
    assert "ops-unused" in (docker.volumes.prune().volumes_deleted or [])


def test_secrets(docker: Any) -> None:
    made = docker.secrets.create(body={"Name": "ops-secret", "Data": base64.b64encode(b"hush").decode()})
    secret = docker.secrets.inspect(made.id)
    assert secret.spec.name == "ops-secret" and re.fullmatch(r"[0-9a-f]{25,64}", secret.id)
    assert [s.id for s in docker.secrets.list()] == [made.id]
    docker.secrets.delete(made.id)
    with pytest.raises(NotFoundError):
        docker.secrets.inspect(made.id)
