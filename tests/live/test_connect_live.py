"""Connecting like the docker CLI, against real peers: unix, tcp, TLS, ssh,
contexts, version negotiation, and concurrency without leaks."""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import json
import os
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from docker_engine import AsyncDocker, Docker, DockerConnectionError, TLSConfig, VersionError

from .daemons import Daemon, free_tcp_port, start_daemon
from .peers import make_certs, start_sshd


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.fixture(scope="module")
def tcp_daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Daemon]:
    d = start_daemon("28", tmp_path_factory.mktemp("tcp"), tcp_port=free_tcp_port(), extra_args=["--tls=false"])
    yield d
    d.stop()


def test_unix_and_tcp(tcp_daemon: Daemon, monkeypatch: pytest.MonkeyPatch) -> None:
    assert tcp_daemon.tcp_url is not None
    for url in (tcp_daemon.base_url, tcp_daemon.tcp_url):
        with Docker(url) as docker:
            assert docker.system.ping() == "OK"
            assert docker.api_version == "1.51"
            assert any(tcp_daemon.busybox_image in (i.repo_tags or []) for i in docker.images.list())
    monkeypatch.setenv("DOCKER_HOST", tcp_daemon.tcp_url)
    with Docker.from_env() as docker:
        assert docker.base_url == tcp_daemon.tcp_url
        assert docker.system.version().api_version == "1.51"


@pytest.fixture(scope="module")
def tls_daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Daemon, Path]]:
    certs = make_certs(tmp_path_factory.mktemp("certs"))
    args = [
        "--tlsverify",
        f"--tlscacert={certs / 'ca.pem'}",
        f"--tlscert={certs / 'server-cert.pem'}",
        f"--tlskey={certs / 'server-key.pem'}",
    ]
    d = start_daemon("28", tmp_path_factory.mktemp("tls"), tcp_port=free_tcp_port(), extra_args=args)
    yield d, certs
    d.stop()


def test_tls_with_client_certificates(tls_daemon: tuple[Daemon, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    daemon, certs = tls_daemon
    assert daemon.tcp_url is not None
    with Docker(daemon.tcp_url, tls=TLSConfig.from_cert_path(certs)) as docker:
        assert docker.system.ping() == "OK"
        assert docker.containers.list(all=True) == []
    monkeypatch.setenv("DOCKER_HOST", daemon.tcp_url)
    monkeypatch.setenv("DOCKER_TLS_VERIFY", "1")
    monkeypatch.setenv("DOCKER_CERT_PATH", str(certs))
    with Docker.from_env() as docker:
        assert docker.api_version == "1.51"

    async def async_ping() -> str:
        async with AsyncDocker.from_env() as adocker:
            return await adocker.system.ping()

    assert asyncio.run(async_ping()) == "OK"


def test_tls_failures_are_clear(tls_daemon: tuple[Daemon, Path], tmp_path: Path) -> None:
    daemon, certs = tls_daemon
    assert daemon.tcp_url is not None
    other_ca = make_certs(tmp_path / "other", name="other-ca")
    with (
        pytest.raises(DockerConnectionError, match="certificate verify failed") as info,
        Docker(daemon.tcp_url, tls=TLSConfig(ca_cert=str(other_ca / "ca.pem"))) as docker,
    ):
        docker.system.ping()
    assert daemon.tcp_url in str(info.value) and "TLS" in str(info.value)
    no_client_cert = TLSConfig(ca_cert=str(certs / "ca.pem"))
    with (
        pytest.raises(DockerConnectionError, match=daemon.tcp_url.replace(".", r"\.")),
        Docker(daemon.tcp_url, tls=no_client_cert) as docker,
    ):
        docker.system.ping()
    plain = daemon.tcp_url.replace("tcp://", "http://")
    with (
        pytest.raises(DockerConnectionError, match="HTTP request to an HTTPS server"),
        Docker(plain, tls=False) as docker,
    ):
        docker.system.ping()


@pytest.fixture(scope="module")
def ssh_daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Daemon]:
    d = start_daemon("20.10", tmp_path_factory.mktemp("ssh-daemon"))
    yield d
    d.stop()


def _ssh_children() -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(os.getpid()), "-x", "ssh"], capture_output=True, text=True).stdout
    wrappers = subprocess.run(["pgrep", "-P", str(os.getpid()), "-x", "sh"], capture_output=True, text=True).stdout
    return [int(p) for p in (out + wrappers).split()]


def test_ssh_reuses_one_process(ssh_daemon: Daemon, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert ssh_daemon.docker_cli is not None
    peer = start_sshd(tmp_path, f"DOCKER_HOST={ssh_daemon.base_url} {ssh_daemon.docker_cli} system dial-stdio")
    try:
        monkeypatch.setenv("PATH", f"{peer.bin_dir}:{os.environ['PATH']}")
        fds = open_fds()
        with Docker(peer.host) as docker:
            assert docker.api_version == ssh_daemon.api_version
            for _ in range(20):
                assert docker.system.ping() == "OK"
            assert [c.id for c in docker.containers.list(all=True)] == []
            assert peer.ssh_starts() == 1
        assert _ssh_children() == []
        assert open_fds() == fds
    finally:
        peer.stop()


def test_async_over_ssh_and_tls_streams(
    ssh_daemon: Daemon, tls_daemon: tuple[Daemon, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The asyncio transport over an ssh socketpair and over TLS: calls, a log stream, one ssh process."""
    assert ssh_daemon.docker_cli is not None
    peer = start_sshd(tmp_path, f"DOCKER_HOST={ssh_daemon.base_url} {ssh_daemon.docker_cli} system dial-stdio")
    tls, certs = tls_daemon
    assert tls.tcp_url is not None

    async def session(docker: AsyncDocker, image: str) -> list[bytes]:
        assert await asyncio.gather(*(docker.system.ping() for _ in range(10))) == ["OK"] * 10
        result = await docker.containers.run(
            image, ["sh", "-c", "seq 1 20000; echo done >&2"], host_config={"NetworkMode": "none"}
        )
        return [result.stdout.splitlines()[-1], result.stderr]

    async def main() -> None:
        async with AsyncDocker(peer.host) as docker:
            assert await session(docker, ssh_daemon.busybox_image) == [b"20000", b"done\n"]
        async with AsyncDocker(tls.tcp_url, tls=TLSConfig.from_cert_path(certs)) as docker:
            assert await session(docker, tls.busybox_image) == [b"20000", b"done\n"]

    try:
        monkeypatch.setenv("PATH", f"{peer.bin_dir}:{os.environ['PATH']}")
        fds = open_fds()
        asyncio.run(main())
        # Ten concurrent calls need ten connections, over ssh each its own dial-stdio process;
        # everything after reuses them.
        assert peer.ssh_starts() == 10
        assert _ssh_children() == []
        assert open_fds() == fds
    finally:
        peer.stop()


def test_ssh_failures_are_clear(ssh_daemon: Daemon, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    peer = start_sshd(tmp_path, "/nonexistent/docker system dial-stdio")
    try:
        monkeypatch.setenv("PATH", f"{peer.bin_dir}:{os.environ['PATH']}")
        with pytest.raises(DockerConnectionError, match="ssh exited with") as info, Docker(peer.host) as docker:
            docker.system.ping()
        assert "/nonexistent/docker" in str(info.value)
        monkeypatch.setenv("PATH", str(tmp_path / "empty"))
        with pytest.raises(DockerConnectionError, match="no `ssh` command"), Docker(peer.host) as docker:
            docker.system.ping()
    finally:
        peer.stop()


def test_contexts(ssh_daemon: Daemon, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "docker-config"
    meta_dir = config / "contexts" / "meta" / hashlib.sha256(b"private").hexdigest()
    meta_dir.mkdir(parents=True)
    (meta_dir / "meta.json").write_text(
        json.dumps({"Name": "private", "Metadata": {}, "Endpoints": {"docker": {"Host": ssh_daemon.base_url}}})
    )
    (config / "config.json").write_text(json.dumps({"currentContext": "private"}))
    monkeypatch.setenv("DOCKER_CONFIG", str(config))
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    monkeypatch.delenv("DOCKER_CONTEXT", raising=False)
    with Docker.from_env() as docker:
        assert docker.base_url == ssh_daemon.base_url
        assert docker.system.ping() == "OK"
    with Docker.from_context("private") as docker:
        assert docker.api_version == ssh_daemon.api_version
    # A context made by the real docker CLI.
    assert ssh_daemon.docker_cli is not None
    subprocess.run(
        [ssh_daemon.docker_cli, "--config", str(config), "context", "create", "made-by-cli",
         "--docker", f"host={ssh_daemon.base_url}"],
        check=True, capture_output=True, env={**os.environ, "DOCKER_CONFIG": str(config)},
    )  # fmt: skip
    monkeypatch.setenv("DOCKER_CONTEXT", "made-by-cli")
    with Docker.from_env() as docker:
        assert docker.system.ping() == "OK"
    with pytest.raises(Exception, match="context 'missing' not found"):
        Docker.from_context("missing")


def test_negotiation_picks_the_daemons_version(daemon: Daemon) -> None:
    with Docker(daemon.base_url) as docker:
        assert docker.api_version == daemon.api_version
        package = f"docker_engine.v{daemon.api_version.replace('.', '_')}"
        assert type(docker.containers) is importlib.import_module(package + ".api").ContainersAPI
        assert docker.containers._bodies.package == package
    with Docker(daemon.base_url, version="1.41") as docker:
        assert docker.api_version == "1.41"
        assert docker.system.version().api_version == daemon.api_version
    if daemon.api_version == "1.41":
        with (
            pytest.raises(VersionError, match=r"1\.47 was asked for, but the daemon supports at most 1\.41"),
            Docker(daemon.base_url, version="1.47") as docker,
        ):
            docker.system.ping()


def test_concurrency_without_leaks(tcp_daemon: Daemon) -> None:
    fds = open_fds()
    with Docker(tcp_daemon.base_url) as docker:
        with ThreadPoolExecutor(32) as pool:
            results = list(pool.map(lambda _: docker.system.ping(), range(640)))
        assert results == ["OK"] * 640
        listed = list(ThreadPoolExecutor(32).map(lambda _: len(docker.images.list()), range(64)))
        assert set(listed) == {1}

    async def many() -> list[str]:
        async with AsyncDocker(tcp_daemon.base_url) as adocker:
            return await asyncio.gather(*(adocker.system.ping() for _ in range(200)))

    assert asyncio.run(many()) == ["OK"] * 200
    assert open_fds() == fds
