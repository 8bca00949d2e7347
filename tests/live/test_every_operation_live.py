"""The operations no other live test calls (issue #12; the table is tests/live/operations.py).

Each is called through its generated method with realistic arguments and its typed
answer decoded; every JSON answer is checked by the `roundtrip` fixture, and each
inspect-style answer is also compared, as `to_dict()`, with the JSON of the same
GET sent separately over the daemon's socket (`same_as_raw`).

Container, image, network, build-cache and search operations run on every daemon
(20.10, 26, 28); swarm and plugins on dockerd 28: a single-node swarm, a swarm locked
by a restart (two daemons on one data root), and a volume plugin built here from a
static busybox, pushed to and pulled from the private registry (tests/live/registry.py).

Regression tests for the SDK bugs these tests found: plugins.privileges() sent no
credentials (a private registry's plugin seemed to need none), Task.NodeID was typed as
always sent (a pending task has none), images.get_all comma-joined its names.
"""

from __future__ import annotations

import base64
import contextlib
import http.server
import io
import json
import os
import shutil
import socketserver
import subprocess
import tarfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from docker_engine import AuthConfig, NotFoundError, ServerError, UnauthorizedError
from docker_engine._auth import encode_auth_header

from .conftest import RoundTrip, to_plain, version_package
from .daemons import BUSYBOX_BINARY, Daemon, _mount_points_under, free_tcp_port, raw_request, request_json, start_daemon
from .registry import Registry, registry_available, start_registry

NO_NET = {"NetworkMode": "none"}
# Swarm and plugins: on the newest daemon only (the session's shared dockerd 28).
ON_28 = pytest.mark.parametrize("daemon", ["28"], indirect=True)


def api_at_least(docker: Any, version: str) -> bool:
    have = tuple(int(part) for part in docker.api_version.split("."))
    return have >= tuple(int(part) for part in version.split("."))


def raw_json(daemon: Daemon, path: str) -> Any:
    """The daemon's own JSON for `GET path`, over the socket, without the SDK."""
    return request_json(daemon.socket_path, "GET", f"/v{daemon.api_version}{path}")


def same_as_raw(daemon: Daemon, path: str, fetch: Callable[[], Any]) -> Any:
    """`fetch()` (the SDK's call), with `to_dict()` equal to the raw JSON of `GET path`;
    tried again a few times, as the object may change between the two requests."""
    for _ in range(10):
        model = fetch()
        raw = raw_json(daemon, path)
        if to_plain(model) == raw:
            return model
        time.sleep(0.2)
    assert to_plain(model) == raw, f"GET {path}: to_dict() is not the daemon's JSON"
    return model


def wait_for(what: str, probe: Callable[[], Any], timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def exec_output(docker: Any, container: str, cmd: list[str]) -> bytes:
    """Run `cmd` in the container to its end (no TTY); its stdout."""
    created = docker.exec.create(container, body={"Cmd": cmd, "AttachStdout": True, "AttachStderr": True})
    frames = list(docker.exec.start(created.id, body={"Detach": False, "Tty": False}))
    assert docker.exec.inspect(created.id).exit_code == 0, frames
    return b"".join(f.data for f in frames if f.stream == 1)


def tar_of(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


# --------------------------------------------------------------------------
# Containers and exec: every daemon
# --------------------------------------------------------------------------


def test_container_state_operations(docker: Any, daemon: Daemon, busybox: str) -> None:
    """resize, attach, pause/unpause, update, restart, rename on a TTY container; an exec's TTY resized."""
    created = docker.containers.create(
        name="state-ops",
        body={
            "Image": busybox,
            "Cmd": ["sh", "-c", "echo started; exec sleep 300"],
            "Tty": True,
            "OpenStdin": True,
            "HostConfig": NO_NET,
        },
    )
    cid = created.id
    try:
        docker.containers.start(cid)
        assert docker.containers.resize(cid, h=33, w=101) == ""
        assert exec_output(docker, cid, ["stty", "-F", "/dev/console", "size"]) == b"33 101\n"

        # An exec's own TTY: the command waits for /tmp/go, so the resize comes first.
        waiting = docker.exec.create(
            cid,
            body={
                "Cmd": ["sh", "-c", "while [ ! -e /tmp/go ]; do sleep 0.05; done; stty size"],
                "AttachStdout": True,
                "AttachStderr": True,
                "Tty": True,
            },
        )
        with docker.exec.start_interactive(waiting.id, tty=True) as stream:
            assert docker.exec.resize(waiting.id, h=21, w=77) is None
            exec_output(docker, cid, ["touch", "/tmp/go"])
            output = stream.read_all().stdout
        assert output.replace(b"\r\n", b"\n") == b"21 77\n"
        finished = same_as_raw(daemon, f"/exec/{waiting.id}/json", lambda: docker.exec.inspect(waiting.id))
        assert finished.exit_code == 0 and finished.process_config.tty is True

        assert docker.containers.pause(cid) is None
        paused = same_as_raw(daemon, f"/containers/{cid}/json", lambda: docker.containers.inspect(cid))
        assert paused.state.paused is True and paused.state.status == "paused"
        assert docker.containers.unpause(cid) is None
        assert docker.containers.inspect(cid).state.status == "running"

        answer = docker.containers.update(
            cid,
            body={
                "CpuShares": 512,
                "Memory": 96 * 1024 * 1024,
                "MemorySwap": -1,
                "RestartPolicy": {"Name": "on-failure", "MaximumRetryCount": 2},
            },
        )
        assert isinstance(answer.warnings, list)
        updated = same_as_raw(daemon, f"/containers/{cid}/json", lambda: docker.containers.inspect(cid))
        assert (updated.host_config.cpu_shares, updated.host_config.memory) == (512, 96 * 1024 * 1024)
        policy = updated.host_config.restart_policy
        assert (str(policy.name.value), policy.maximum_retry_count) == ("on-failure", 2)

        before = updated.state.started_at
        # t=0: no grace (sleep, PID 1, ignores SIGTERM); `signal` is a parameter from API 1.42.
        docker.containers.restart(cid, t=0, **({"signal": "SIGKILL"} if api_at_least(docker, "1.42") else {}))
        restarted = docker.containers.inspect(cid)
        assert restarted.state.running is True and restarted.state.started_at != before

        frames = list(docker.containers.attach(cid, logs=True, stream=False, stdout=True, stderr=True))
        assert b"".join(f.data for f in frames).count(b"started") == 2  # one per start, on the TTY

        assert docker.containers.rename(cid, name="state-ops-renamed") is None
        assert docker.containers.inspect("state-ops-renamed").id == cid
        with pytest.raises(NotFoundError):
            docker.containers.inspect("state-ops")
    finally:
        docker.containers.delete(cid, force=True)


# --------------------------------------------------------------------------
# Images, build cache, search, networks, ping: every daemon
# --------------------------------------------------------------------------


def test_commit_and_image_prune(docker: Any, daemon: Daemon, busybox: str) -> None:
    source = docker.containers.create(
        body={"Image": busybox, "Cmd": ["sh", "-c", "echo committed > /greeting"], "HostConfig": NO_NET}
    )
    tag = "local/committed:v1"
    try:
        docker.containers.start(source.id)
        assert docker.containers.wait(source.id).status_code == 0
        committed = docker.images.commit(
            container=source.id,
            repo="local/committed",
            tag="v1",
            comment="made by the live tests",
            author="Live Test <live@example.invalid>",
            changes="ENV GREETING=hello\nLABEL made.by=commit",
            body={"Cmd": ["cat", "/greeting"], "Labels": {"stage": "committed"}},
        )
        assert committed.id.startswith("sha256:")
        image = same_as_raw(daemon, f"/images/{tag}/json", lambda: docker.images.inspect(tag))
        assert image.id == committed.id and image.comment == "made by the live tests"
        assert image.author == "Live Test <live@example.invalid>"
        assert image.config.cmd == ["cat", "/greeting"] and "GREETING=hello" in image.config.env
        assert image.config.labels["made.by"] == "commit"
        assert docker.containers.run(tag, host_config=NO_NET).stdout == b"committed\n"

        # A dangling image (committed without a name), pruned by its label.
        dangling = docker.images.commit(container=source.id, changes="LABEL prune.me=yes")
        pruned = docker.images.prune(filters={"label": ["prune.me=yes"], "dangling": ["true"]})
        assert [d.deleted for d in pruned.images_deleted or [] if d.deleted] == [dangling.id]
        assert isinstance(pruned.space_reclaimed, int)
        with pytest.raises(NotFoundError):
            docker.images.inspect(dangling.id)
    finally:
        docker.containers.delete(source.id, force=True)
        with contextlib.suppress(NotFoundError):
            docker.images.delete(tag)


def test_save_several_images(docker: Any, daemon: Daemon, busybox: str, request: pytest.FixtureRequest) -> None:
    """images.get_all: one tarball (`docker save`) for several images."""
    tag = "local/saved-together:v1"
    docker.images.tag(busybox, repo="local/saved-together", tag="v1")
    try:
        saved = docker.images.get_all(names=[tag, busybox]).read()
    finally:
        docker.images.delete(tag)
    with tarfile.open(fileobj=io.BytesIO(saved)) as tar:
        member = tar.extractfile("manifest.json")
        assert member is not None
        manifest = json.load(member)
    # One image, two names: one manifest entry with both tags.
    assert {t for entry in manifest for t in entry["RepoTags"] or []} == {tag, busybox}
    assert len({entry["Config"] for entry in manifest}) == 1


def test_build_cache_prune(docker: Any, daemon: Daemon, busybox: str) -> None:
    """A BuildKit build (version=2) leaves build cache; build_prune removes it all."""
    tag = "local/buildkit-cache:1"
    context = tar_of({"Dockerfile": f"FROM {busybox}\nRUN echo cached > /cached\n".encode()})
    messages = list(docker.images.build(body=context, t=tag, version="2", networkmode="none"))
    assert messages
    try:
        cached = {entry.id for entry in docker.system.data_usage().build_cache or []}
        assert cached, "the build left no cache"
        pruned = docker.images.build_prune(all=True)
        # The IDs data_usage lists and those prune reports may differ (BuildKit records and
        # their snapshots): what holds is that cache was deleted and none is left.
        assert pruned.caches_deleted and pruned.space_reclaimed > 0
        assert not docker.system.data_usage().build_cache
    finally:
        docker.images.delete(tag)


class _SearchIndex(http.server.BaseHTTPRequestHandler):
    """The v1 search API of a registry index (what Docker Hub serves), on plain HTTP."""

    protocol_version = "HTTP/1.1"
    results: ClassVar[list[dict[str, Any]]] = [
        {"name": "tools/busybox", "description": "A static busybox", "star_count": 12},
        {"name": "tools/busybox-musl", "description": "Built with musl", "star_count": 1},
    ]

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        self.server.requests.append(self.path)  # type: ignore[attr-defined]
        if url.path == "/v1/_ping":
            body = {"standalone": True}
        elif url.path == "/v1/search":
            query = urllib.parse.parse_qs(url.query)
            results = [
                {**r, "is_official": False, "is_automated": False} for r in self.results if query["q"][0] in r["name"]
            ]
            body = {"num_results": len(results), "query": query["q"][0], "results": results}
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def search_index() -> Iterator[http.server.ThreadingHTTPServer]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _SearchIndex)
    server.requests = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_image_search_against_a_v1_index(docker: Any, search_index: http.server.ThreadingHTTPServer) -> None:
    """Search needs an index: Docker Hub is out of reach, so a v1 index on 127.0.0.1
    (an insecure registry to dockerd: HTTPS is tried, then HTTP) answers."""
    index = f"127.0.0.1:{search_index.server_address[1]}"
    found = docker.images.search(term=f"{index}/busybox", limit=5)
    assert [(r.name, r.star_count, r.description) for r in found] == [
        ("tools/busybox", 12, "A static busybox"),
        ("tools/busybox-musl", 1, "Built with musl"),
    ]
    assert all(r.is_official is False and r.is_automated is False for r in found)
    starred = docker.images.search(term=f"{index}/busybox", filters={"stars": ["3"]})
    assert [r.name for r in starred] == ["tools/busybox"]
    assert "/v1/search?q=busybox&n=5" in search_index.requests  # type: ignore[attr-defined]


def test_network_prune(docker: Any, busybox: str) -> None:
    labels = {"prune.test": "networks"}
    used = docker.networks.create(body={"Name": "prune-used", "Internal": True, "Labels": labels})
    unused = docker.networks.create(body={"Name": "prune-unused", "Internal": True, "Labels": labels})
    other = docker.networks.create(body={"Name": "prune-other-label", "Internal": True})
    container = docker.containers.create(
        body={"Image": busybox, "Cmd": ["sleep", "300"], "HostConfig": {"NetworkMode": "prune-used"}}
    )
    try:
        docker.containers.start(container.id)
        pruned = docker.networks.prune(filters={"label": ["prune.test=networks"]})
        assert pruned.networks_deleted == ["prune-unused"]
        with pytest.raises(NotFoundError):
            docker.networks.inspect(unused.id)
        assert docker.networks.inspect(used.id).name == "prune-used"
        assert docker.networks.inspect(other.id).name == "prune-other-label"
    finally:
        docker.containers.delete(container.id, force=True)
        docker.networks.delete(used.id)
        docker.networks.delete(other.id)


def test_ping_head(docker: Any, daemon: Daemon) -> None:
    headers = docker.system.ping_head()
    assert headers["api-version"] == daemon.api_version
    assert headers["ostype"] == "linux"
    assert headers["server"].startswith("Docker/")
    assert headers["content-length"] == "0"


# --------------------------------------------------------------------------
# Swarm: dockerd 28
# --------------------------------------------------------------------------


@ON_28
def test_single_node_swarm(docker: Any, daemon: Daemon, busybox: str) -> None:
    """update/unlockkey, node list/update, service update and logs, task inspect and logs,
    secret and config updates, on a swarm of one manager."""
    port = free_tcp_port()
    node_id = docker.swarm.init(
        body={
            "ListenAddr": f"127.0.0.1:{port}",
            "AdvertiseAddr": f"127.0.0.1:{port}",
            "Spec": {"Labels": {"purpose": "live-tests"}, "Orchestration": {"TaskHistoryRetentionLimit": 3}},
        }
    )
    try:
        swarm = same_as_raw(daemon, "/swarm", docker.swarm.inspect)
        assert swarm.spec.orchestration.task_history_retention_limit == 3
        spec = swarm.spec.to_dict()
        spec["EncryptionConfig"] = {"AutoLockManagers": True}
        spec["Labels"]["updated"] = "yes"
        assert docker.swarm.update(body=spec, version=swarm.version.index, rotate_worker_token=True) is None
        updated = same_as_raw(daemon, "/swarm", docker.swarm.inspect)
        assert updated.spec.encryption_config.auto_lock_managers is True
        assert updated.spec.labels["updated"] == "yes"
        assert updated.join_tokens.worker != swarm.join_tokens.worker
        assert updated.join_tokens.manager == swarm.join_tokens.manager
        assert docker.swarm.unlockkey().unlock_key.startswith("SWMKEY-1-")

        managers = docker.nodes.list(filters={"role": ["manager"]})
        assert [n.id for n in managers] == [node_id]
        assert docker.nodes.list(filters={"role": ["worker"]}) == []
        node = same_as_raw(daemon, f"/nodes/{node_id}", lambda: docker.nodes.inspect(node_id))
        node_spec = node.spec.to_dict()
        node_spec["Labels"] = {"disk": "ssd"}
        assert docker.nodes.update(node_id, body=node_spec, version=node.version.index) is None
        relabelled = same_as_raw(daemon, f"/nodes/{node_id}", lambda: docker.nodes.inspect(node_id))
        assert relabelled.spec.labels.to_dict() == {"disk": "ssd"}
        assert to_plain(docker.nodes.list()) == raw_json(daemon, "/nodes")

        service = docker.services.create(
            body={
                "Name": "greeter",
                "Labels": {"revision": "1"},
                "TaskTemplate": {
                    "ContainerSpec": {
                        "Image": busybox,
                        "Command": ["sh", "-c", "echo hello from $GREETING; echo to stderr >&2; exec sleep 300"],
                        "Env": ["GREETING=v1"],
                    },
                    "RestartPolicy": {"Condition": "none"},
                    "Placement": {"Constraints": ["node.labels.disk == ssd"]},
                },
                "Mode": {"Replicated": {"Replicas": 1}},
            }
        )

        # Waited for over the socket: a task not yet on a node has no NodeID, which the SDK
        # (see test_task_not_yet_on_a_node).
        def running_task() -> str | None:
            query = urllib.parse.urlencode({"filters": json.dumps({"service": [service.id]})})
            tasks = raw_json(daemon, f"/tasks?{query}")
            return next((t["ID"] for t in tasks if t["Status"]["State"] == "running"), None)

        task_id = wait_for("the service's task to run", running_task)
        listed = docker.tasks.list(filters={"service": [service.id], "desired-state": ["running"]})
        assert [t.id for t in listed] == [task_id]
        task = same_as_raw(daemon, f"/tasks/{task_id}", lambda: docker.tasks.inspect(task_id))
        assert task.service_id == service.id and task.node_id == node_id
        assert task.spec.container_spec.env == ["GREETING=v1"]

        def lines(stream: Any) -> list[tuple[int, bytes]]:
            return sorted((f.stream, f.data) for f in stream)

        expected = [(1, b"hello from v1\n"), (2, b"to stderr\n")]
        assert wait_for("the task's logs", lambda: lines(docker.tasks.logs(task.id, stdout=True, stderr=True)))
        assert lines(docker.tasks.logs(task.id, stdout=True, stderr=True)) == expected
        stamped = b"".join(f.data for f in docker.tasks.logs(task.id, stdout=True, timestamps=True))
        assert stamped.startswith(b"20") and stamped.endswith(b" hello from v1\n")
        assert lines(docker.services.logs(service.id, stdout=True, stderr=True)) == expected
        assert lines(docker.services.logs(service.id, stdout=True, stderr=False)) == expected[:1]

        current = same_as_raw(daemon, f"/services/{service.id}", lambda: docker.services.inspect(service.id))
        service_spec = current.spec.to_dict()
        service_spec["Labels"]["revision"] = "2"
        service_spec["TaskTemplate"]["ContainerSpec"]["Env"] = ["GREETING=v2"]
        answer = docker.services.update(service.id, body=service_spec, version=current.version.index)
        assert isinstance(answer.warnings, list)
        changed = same_as_raw(daemon, f"/services/{service.id}", lambda: docker.services.inspect(service.id))
        assert changed.spec.labels["revision"] == "2"
        assert changed.spec.task_template.container_spec.env == ["GREETING=v2"]
        assert changed.version.index > current.version.index

        secret = docker.secrets.create(
            body={"Name": "db-password", "Data": base64.b64encode(b"hush").decode(), "Labels": {"rotated": "no"}}
        )
        before = docker.secrets.inspect(secret.id)
        secret_spec = before.spec.to_dict()
        secret_spec["Labels"] = {"rotated": "yes"}
        assert docker.secrets.update(secret.id, body=secret_spec, version=before.version.index) is None
        after = same_as_raw(daemon, f"/secrets/{secret.id}", lambda: docker.secrets.inspect(secret.id))
        assert after.spec.labels.to_dict() == {"rotated": "yes"}

        config = docker.configs.create(
            body={"Name": "app.conf", "Data": base64.b64encode(b"level=debug\n").decode(), "Labels": {"v": "1"}}
        )
        before_config = docker.configs.inspect(config.id)
        config_spec = before_config.spec.to_dict()
        config_spec["Labels"] = {"v": "2"}
        assert docker.configs.update(config.id, body=config_spec, version=before_config.version.index) is None
        after_config = same_as_raw(daemon, f"/configs/{config.id}", lambda: docker.configs.inspect(config.id))
        assert after_config.spec.labels.to_dict() == {"v": "2"}
        assert base64.b64decode(after_config.spec.data) == b"level=debug\n"

        docker.services.delete(service.id)
        docker.secrets.delete(secret.id)
        docker.configs.delete(config.id)
    finally:
        docker.swarm.leave(force=True)


@ON_28
def test_task_not_yet_on_a_node(daemon: Daemon, busybox: str) -> None:
    """A task no node can take stays pending, with no node; its model must say so."""
    checker = RoundTrip()
    port = free_tcp_port()
    with version_package(daemon.api_version).Docker(daemon.base_url) as docker:
        checker.install(docker)
        docker.swarm.init(body={"ListenAddr": f"127.0.0.1:{port}", "AdvertiseAddr": f"127.0.0.1:{port}"})
        try:
            service = docker.services.create(
                body={
                    "Name": "unplaceable",
                    "TaskTemplate": {
                        "ContainerSpec": {"Image": busybox, "Command": ["sleep", "300"]},
                        "Placement": {"Constraints": ["node.labels.zone == nowhere"]},
                    },
                }
            )

            def pending() -> Any:
                tasks = docker.tasks.list(filters={"service": [service.id]})
                # Pending at once; the scheduler's "no suitable node" comes a moment later.
                return next(
                    (
                        t
                        for t in tasks
                        if t.status.state.value == "pending" and "no suitable node" in (t.status.err or "")
                    ),
                    None,
                )

            task = wait_for("a pending task no node can take", pending)
            assert task.service_id == service.id and task.node_id is None
            assert not task.to_dict().get("NodeID")
        finally:
            docker.swarm.leave(force=True)
    assert not checker.failures, "\n".join(checker.failures)


@pytest.mark.parametrize("kind", ["28"])
def test_swarm_unlock_after_a_restart(kind: str, tmp_path: Path) -> None:
    """An autolocked manager is locked after a restart until swarm.unlock gets its key:
    two daemons in turn on one data root (a later --data-root wins over start_daemon's)."""
    data_root = tmp_path / "data-root"
    data_root.mkdir()
    keep = ["--data-root", str(data_root)]
    port = free_tcp_port()
    package = version_package("1.51")
    checker = RoundTrip()
    try:
        first = start_daemon(kind, tmp_path / "first", extra_args=keep, with_busybox=False)
        try:
            with package.Docker(first.base_url) as docker:
                checker.install(docker)
                docker.swarm.init(
                    body={
                        "ListenAddr": f"127.0.0.1:{port}",
                        "AdvertiseAddr": f"127.0.0.1:{port}",
                        "Spec": {"EncryptionConfig": {"AutoLockManagers": True}},
                    }
                )
                key = docker.swarm.unlockkey().unlock_key
                assert key.startswith("SWMKEY-1-")
        finally:
            first.stop()

        second = start_daemon(kind, tmp_path / "second", extra_args=keep, with_busybox=False)
        try:
            with package.Docker(second.base_url) as docker:
                checker.install(docker)
                assert docker.system.info().swarm.local_node_state.value == "locked"
                with pytest.raises(ServerError) as locked:
                    docker.swarm.inspect()
                assert locked.value.status_code == 503 and "unlock" in locked.value.message
                with pytest.raises(UnauthorizedError):
                    docker.swarm.unlock(body={"UnlockKey": "SWMKEY-1-" + "A" * 43})
                assert docker.swarm.unlock(body={"UnlockKey": key}) is None
                assert docker.system.info().swarm.local_node_state.value == "active"
                swarm = same_as_raw(second, "/swarm", docker.swarm.inspect)
                assert swarm.spec.encryption_config.auto_lock_managers is True
                docker.swarm.leave(force=True)
        finally:
            second.stop()
    finally:
        for point in _mount_points_under([data_root]):
            subprocess.run(["umount", "-l", point], check=False, capture_output=True)
        shutil.rmtree(data_root, ignore_errors=True)
    assert not checker.failures, checker.failures
    assert "GET /swarm" in checker.checked


# --------------------------------------------------------------------------
# Plugins: dockerd 28
# --------------------------------------------------------------------------

REGISTRY_USER = "plugin-tester"
REGISTRY_PASSWORD = "plugin-pw+/~"
# What the plugin's config.json asks for (Network.Type "host"), as `docker plugin install` shows it.
PRIVILEGES = [{"Name": "network", "Description": "permissions to access a network", "Value": ["host"]}]
# dockerd runs managed plugins with this directory (on the host) as /run/docker/plugins.
PLUGIN_SOCKETS = Path("/run/docker/plugins")


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    problem = registry_available()
    if problem:
        pytest.fail(problem)
    started = start_registry(
        tmp_path_factory.mktemp("plugin-registry"), username=REGISTRY_USER, password=REGISTRY_PASSWORD
    )
    try:
        yield started
    finally:
        started.stop()


def make_plugin(directory: Path, version: str) -> Path:
    """What `docker plugin create` takes: config.json, and rootfs/ with a static busybox.

    The plugin is a volume driver whose process only waits (its socket is served by
    `VolumeDriverSocket`, in this process: busybox cannot listen on a unix socket).
    """
    rootfs = directory / "rootfs"
    for sub in ("bin", "etc", "tmp", "run/docker/plugins"):
        (rootfs / sub).mkdir(parents=True)
    shutil.copy2(BUSYBOX_BINARY, rootfs / "bin" / "busybox")
    for applet in ("sh", "sleep"):
        (rootfs / "bin" / applet).symlink_to("busybox")
    # A different rootfs per version: dockerd refuses to create a plugin whose layer it already holds.
    (rootfs / "etc" / "tiny-volume-version").write_text(version + "\n")
    config = {
        "Description": "A tiny volume driver for the live tests",
        "Documentation": "https://example.invalid/tiny-volume",
        "Interface": {"Types": ["docker.volumedriver/1.0"], "Socket": "tiny.sock"},
        "Entrypoint": ["/bin/sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1 & wait $!; done"],
        "WorkDir": "/",
        "Network": {"Type": "host"},
        "Env": [{"Name": "DEBUG", "Description": "log each call", "Settable": ["value"], "Value": "0"}],
        "Linux": {"Capabilities": None, "AllowAllDevices": False, "Devices": None},
        "Mounts": None,
        "PropagatedMount": "",
        "IpcHost": False,
        "PidHost": False,
        "Args": {"Name": "args", "Description": "", "Settable": None, "Value": None},
    }
    (directory / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    return directory


class _VolumeDriverHandler(http.server.BaseHTTPRequestHandler):
    """The volume plugin protocol (POST /Plugin.Activate, /VolumeDriver.*), volumes in memory."""

    def do_POST(self) -> None:
        server: VolumeDriverSocket = self.server  # type: ignore[assignment]
        length = int(self.headers.get("Content-Length") or 0)
        request = json.loads(self.rfile.read(length) or b"{}")
        server.calls.append(self.path)
        name = request.get("Name", "")
        volumes = server.volumes
        answer: dict[str, Any] = {"Err": ""}
        if self.path == "/Plugin.Activate":
            answer = {"Implements": ["VolumeDriver"]}
        elif self.path == "/VolumeDriver.Capabilities":
            answer = {"Capabilities": {"Scope": "local"}}
        elif self.path == "/VolumeDriver.Create":
            volumes[name] = f"/data/{name}"
        elif self.path == "/VolumeDriver.Remove":
            volumes.pop(name, None)
        elif self.path == "/VolumeDriver.Get":
            answer = {"Volume": {"Name": name, "Mountpoint": volumes[name]}} if name in volumes else {"Err": "no such"}
        elif self.path == "/VolumeDriver.List":
            answer = {"Volumes": [{"Name": n, "Mountpoint": m} for n, m in sorted(volumes.items())]}
        elif self.path == "/VolumeDriver.Path":
            answer = {"Mountpoint": volumes.get(name, "")}
        else:
            answer = {"Err": f"{self.path} is not implemented here"}
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/vnd.docker.plugins.v1.2+json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class VolumeDriverSocket(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    """Serves the plugin's socket once dockerd has made the plugin's directory."""

    daemon_threads = True

    def __init__(self, path: Path) -> None:
        super().__init__(str(path), _VolumeDriverHandler)
        self.calls: list[str] = []
        self.volumes: dict[str, str] = {}

    def get_request(self) -> tuple[Any, Any]:
        conn, _ = super().get_request()
        return conn, ("plugin-socket", 0)  # BaseHTTPRequestHandler wants a (host, port)


@contextlib.contextmanager
def serving_plugin_socket(plugin_id: str, socket_name: str) -> Iterator[list[VolumeDriverSocket]]:
    """In a thread: wait for /run/docker/plugins/<id>/ (made when the plugin is enabled), then serve."""
    directory = PLUGIN_SOCKETS / plugin_id
    holder: list[VolumeDriverSocket] = []
    stop = threading.Event()

    def serve() -> None:
        while not directory.is_dir():
            if stop.wait(0.01):
                return
        server = VolumeDriverSocket(directory / socket_name)
        holder.append(server)
        server.serve_forever(poll_interval=0.05)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield holder
    finally:
        stop.set()
        for server in holder:
            server.shutdown()
            server.server_close()
        thread.join(5)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(directory / socket_name)


def registry_auth(registry: Registry) -> AuthConfig:
    return AuthConfig(username=REGISTRY_USER, password=REGISTRY_PASSWORD, serveraddress=registry.host)


@ON_28
def test_plugin_lifecycle_with_a_registry(docker: Any, daemon: Daemon, registry: Registry, tmp_path: Path) -> None:
    """create → list/inspect → enable (a volume made with it) → disable → set → push →
    delete → pull → upgrade → delete."""
    name = f"{registry.host}/tiny-volume:1"
    newer = f"{registry.host}/tiny-volume:2"
    installed = "local/tiny-volume-installed:latest"
    auth = registry_auth(registry)
    made: list[str] = []
    try:
        assert docker.plugins.create(name=name, body=make_plugin(tmp_path / "v1", "1")) is None
        made.append(name)
        plugin = same_as_raw(daemon, f"/plugins/{name}/json", lambda: docker.plugins.inspect(name))
        assert plugin.enabled is False and plugin.name == name
        assert plugin.config.interface.types == ["docker.volumedriver/1.0"]
        assert plugin.settings.env == ["DEBUG=0"]
        listed = docker.plugins.list(filters={"capability": ["volumedriver"]})
        assert [p.id for p in listed] == [plugin.id]
        assert to_plain(listed) == raw_json(
            daemon, "/plugins?" + urllib.parse.urlencode({"filters": json.dumps({"capability": ["volumedriver"]})})
        )

        with serving_plugin_socket(plugin.id, plugin.config.interface.socket) as served:
            assert docker.plugins.enable(name, timeout=10) is None
            enabled = same_as_raw(daemon, f"/plugins/{name}/json", lambda: docker.plugins.inspect(name))
            assert enabled.enabled is True
            assert [p.name for p in docker.plugins.list(filters={"enabled": ["true"]})] == [name]
            # The plugin is a volume driver the daemon uses.
            volume = docker.volumes.create(body={"Name": "from-the-plugin", "Driver": name})
            assert (volume.name, volume.driver) == ("from-the-plugin", name)
            inspected = same_as_raw(
                daemon, "/volumes/from-the-plugin", lambda: docker.volumes.inspect("from-the-plugin")
            )
            assert (inspected.driver, inspected.mountpoint) == (name, "/data/from-the-plugin")  # from VolumeDriver.Get
            assert "from-the-plugin" in [v.name for v in docker.volumes.list().volumes]
            docker.volumes.delete("from-the-plugin")
            assert served and {"/VolumeDriver.Create", "/VolumeDriver.Remove"} <= set(served[0].calls)
            assert docker.plugins.disable(name) is None
        assert docker.plugins.inspect(name).enabled is False

        assert docker.plugins.set(name, body=["DEBUG=1"]) is None
        assert docker.plugins.inspect(name).settings.env == ["DEBUG=1"]

        pushed = list(docker.plugins.push(name, auth=auth))
        digests = [(m.additional_properties.get("aux") or {}).get("Digest") for m in pushed]
        assert [d for d in digests if d] and all(d.startswith("sha256:") for d in digests if d)
        assert docker.plugins.delete(name) is None
        made.remove(name)
        with pytest.raises(NotFoundError):
            docker.plugins.inspect(name)

        # What the daemon says the plugin needs, asked with the credentials by hand (the
        # SDK's own call: test_plugin_privileges_from_a_private_registry).
        query = urllib.parse.urlencode({"remote": name})
        status, _, body = raw_request(
            daemon.socket_path,
            "GET",
            f"/v{daemon.api_version}/plugins/privileges?{query}",
            headers={"X-Registry-Auth": encode_auth_header(auth)},
        )
        assert (status, json.loads(body)) == (200, PRIVILEGES)

        pulled = list(docker.plugins.pull(remote=name, name=installed, body=PRIVILEGES, auth=auth))
        made.append(installed)
        assert any("Digest: sha256:" in (m.status or "") for m in pulled)
        reinstalled = same_as_raw(daemon, f"/plugins/{installed}/json", lambda: docker.plugins.inspect(installed))
        # Settings stay with the installation: the registry has the config's default.
        assert reinstalled.plugin_reference == name and reinstalled.settings.env == ["DEBUG=0"]

        docker.plugins.create(name=newer, body=make_plugin(tmp_path / "v2", "2"))
        made.append(newer)
        list(docker.plugins.push(newer, auth=auth))
        docker.plugins.delete(newer)
        made.remove(newer)
        upgraded = list(docker.plugins.upgrade(installed, remote=newer, body=PRIVILEGES, auth=auth))
        assert any("Digest: sha256:" in (m.status or "") for m in upgraded)
        after = same_as_raw(daemon, f"/plugins/{installed}/json", lambda: docker.plugins.inspect(installed))
        assert after.plugin_reference == newer and after.id == reinstalled.id
        assert after.config.rootfs.diff_ids != reinstalled.config.rootfs.diff_ids

        assert docker.plugins.delete(installed, force=True) is None
        made.remove(installed)
        assert docker.plugins.list() == []
    finally:
        for leftover in made:
            with contextlib.suppress(NotFoundError):
                docker.plugins.delete(leftover, force=True)


@ON_28
def test_plugin_privileges_from_a_private_registry(
    docker: Any, daemon: Daemon, registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the credentials in the docker config, as every other registry operation finds them."""
    config_dir = tmp_path / "docker-config"
    config_dir.mkdir()
    basic = base64.b64encode(f"{REGISTRY_USER}:{REGISTRY_PASSWORD}".encode()).decode()
    (config_dir / "config.json").write_text(json.dumps({"auths": {registry.host: {"auth": basic}}}))
    monkeypatch.setenv("DOCKER_CONFIG", str(config_dir))
    name = f"{registry.host}/tiny-privileges:1"
    docker.plugins.create(name=name, body=make_plugin(tmp_path / "plugin", "privileges"))
    try:
        list(docker.plugins.push(name))  # the credentials come from the docker config
    finally:
        docker.plugins.delete(name, force=True)
    privileges = docker.plugins.privileges(remote=name)
    assert [p.to_dict() for p in privileges] == PRIVILEGES
