"""Podman's Docker-compatible service (`podman system service`, API 1.41) as a
second real server: negotiation, the typed models (round-trip checked),
container lifecycle with multiplexed logs, exec, run, and the async client."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from docker_engine import AsyncDocker, Docker
from docker_engine.v1_41 import Docker as Docker41

from .conftest import RoundTrip
from .daemons import BUSYBOX_IMAGE, import_busybox
from .peers import PodmanPeer, start_podman

# Podman as root asks runc for nproc/nofile limits above what this sandbox
# allows; limits within the caller's own are accepted.
LIMITS = [{"Name": "nofile", "Soft": 1024, "Hard": 1024}, {"Name": "nproc", "Soft": 1000, "Hard": 1000}]
HOST_CONFIG = {"NetworkMode": "none", "Ulimits": LIMITS}
# Podman names images fully qualified (docker.io/ for a name without a registry).
QUALIFIED = f"docker.io/{BUSYBOX_IMAGE}"


@pytest.fixture(scope="module")
def podman(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PodmanPeer]:
    if shutil.which("podman") is None:
        if os.environ.get("DOCKER_ENGINE_REQUIRE_DAEMONS"):
            pytest.fail("podman is not installed: run `bash .ci/install-daemons.sh` as root")
        pytest.skip("podman is not installed")
    peer = start_podman(Path(tmp_path_factory.mktemp("podman")))
    try:
        import_busybox(peer.socket_path)
        yield peer
    finally:
        peer.stop()


@pytest.fixture
def docker(podman: PodmanPeer, roundtrip: RoundTrip) -> Iterator[Any]:
    client = Docker41(podman.host)
    roundtrip.install(client)
    try:
        yield client
    finally:
        client.close()


def test_negotiation_and_system(podman: PodmanPeer, docker: Any, roundtrip: RoundTrip) -> None:
    with Docker(podman.host) as facade:
        assert facade.api_version == "1.41"
    assert docker.system.ping() == "OK"
    version = docker.system.version()
    assert version.api_version == "1.41"
    assert any("Podman" in (c.name or "") for c in version.components or [])
    assert docker.system.info().driver == "vfs"
    assert [i.repo_tags for i in docker.images.list()] == [[QUALIFIED]]
    assert docker.images.inspect(BUSYBOX_IMAGE).config.cmd == ["sh"]
    assert len(roundtrip.checked) == 4  # every JSON answer (ping is text)


def test_container_lifecycle_with_logs(docker: Any, roundtrip: RoundTrip) -> None:
    created = docker.containers.create(
        body={"Image": BUSYBOX_IMAGE, "Cmd": ["sh", "-c", "echo out; echo err >&2; exit 3"], "HostConfig": HOST_CONFIG},
        name="lifecycle",
    )
    try:
        docker.containers.start(created.id)
        assert docker.containers.wait(created.id).status_code == 3
        frames = list(docker.containers.logs(created.id, stdout=True, stderr=True))
        assert [(f.stream, f.data) for f in frames] == [(1, b"out\n"), (2, b"err\n")]
        inspected = docker.containers.inspect(created.id)
        assert inspected.state.exit_code == 3
        assert inspected.host_config.network_mode == "none"
        listed = docker.containers.list(all=True, filters={"name": ["lifecycle"]})
        assert [(c.id, c.names) for c in listed] == [(created.id, ["/lifecycle"])]
        assert listed[0].image == QUALIFIED
    finally:
        docker.containers.delete(created.id, force=True)
    assert docker.containers.list(all=True) == []
    assert roundtrip.checked


def test_exec_and_run(docker: Any) -> None:
    result = docker.containers.run(BUSYBOX_IMAGE, ["sh", "-c", "echo hi; echo oops >&2"], host_config=HOST_CONFIG)
    assert (result.exit_code, result.stdout, result.stderr) == (0, b"hi\n", b"oops\n")
    created = docker.containers.create(body={"Image": BUSYBOX_IMAGE, "Cmd": ["sleep", "60"], "HostConfig": HOST_CONFIG})
    try:
        docker.containers.start(created.id)
        exec_ = docker.exec.create(
            created.id, body={"Cmd": ["sh", "-c", "echo in-exec; exit 4"], "AttachStdout": True, "AttachStderr": True}
        )
        frames = list(docker.exec.start(exec_.id, body={"Detach": False, "Tty": False}))
        assert b"".join(f.data for f in frames if f.stream == 1) == b"in-exec\n"
        assert docker.exec.inspect(exec_.id).exit_code == 4
    finally:
        docker.containers.delete(created.id, force=True)


def test_async_client(podman: PodmanPeer) -> None:
    async def main() -> None:
        async with AsyncDocker(podman.host) as docker:
            assert await docker.system.ping() == "OK"
            assert docker.api_version == "1.41"
            images = await docker.images.list()
            assert [i.repo_tags for i in images] == [[QUALIFIED]]
            result = await docker.containers.run(BUSYBOX_IMAGE, ["echo", "async"], host_config=HOST_CONFIG)
            assert result.stdout == b"async\n"

    asyncio.run(main())


def test_buildkit_on_a_server_without_it_says_so_or_falls_back_when_asked(docker: Any, tmp_path: Path) -> None:
    from docker_engine import BuildKitUnavailableError

    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "Dockerfile").write_text("FROM scratch\nCOPY Dockerfile /\n")
    with pytest.raises(BuildKitUnavailableError, match="offers no BuildKit session") as info:
        docker.images.build_image(ctx, buildkit=True)
    assert "404" in str(info.value) and 'buildkit="auto"' in str(info.value)
    image, log = docker.images.build_image(ctx, buildkit="auto", tag="localhost/auto-fallback:1")
    try:
        assert image.id and log  # the classic builder's messages
    finally:
        docker.images.delete("localhost/auto-fallback:1", force=True)
