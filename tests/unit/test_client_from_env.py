"""`Docker.from_env()` / `Docker.from_context(name)` on every version package (sync and
async): where they connect, that they speak the package's own API version, and that
the keyword arguments reach the client."""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from docker_engine._config import ConfigError, TLSConfig

from generator.manifest import load_manifest

ALL_VERSIONS = [v.version for v in load_manifest()]


def package(version: str) -> Any:
    return importlib.import_module("docker_engine.v" + version.replace(".", "_"))


@pytest.fixture(autouse=True)
def _hermetic_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in ("DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_TLS", "DOCKER_CERT_PATH", "DOCKER_CONTEXT"):
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "docker-config"
    config.mkdir()
    monkeypatch.setenv("DOCKER_CONFIG", str(config))
    return config


def add_context(config: Path, name: str, host: str, *, tls: bool = False) -> None:
    digest = hashlib.sha256(name.encode()).hexdigest()
    meta = config / "contexts" / "meta" / digest / "meta.json"
    meta.parent.mkdir(parents=True)
    meta.write_text(json.dumps({"Name": name, "Metadata": {}, "Endpoints": {"docker": {"Host": host}}}))
    if tls:
        tls_dir = config / "contexts" / "tls" / digest / "docker"
        tls_dir.mkdir(parents=True)
        for pem in ("ca.pem", "cert.pem", "key.pem"):
            (tls_dir / pem).write_text("not read before connecting\n")


class Recorder:
    def __init__(self) -> None:
        self.paths: list[str] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        return httpx.Response(200, json=[], headers={"Api-Version": "1.99"})


@pytest.mark.parametrize("version", ALL_VERSIONS)
def test_every_version_package_has_from_env_and_from_context(version: str) -> None:
    pkg = package(version)
    for cls in (pkg.Docker, pkg.AsyncDocker):
        assert callable(cls.from_env)
        assert callable(cls.from_context)


@pytest.mark.parametrize("version", ["1.25", "1.41", "1.56"])
def test_from_env_reads_docker_host_and_keeps_the_package_version(
    version: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKER_HOST", "tcp://10.1.2.3:2375")
    monkeypatch.setenv("DOCKER_API_VERSION", "1.30")  # pins the facade, not a version package
    recorder = Recorder()
    with package(version).Docker.from_env(transport=httpx.MockTransport(recorder.handle), timeout=3) as docker:
        assert type(docker) is package(version).Docker
        assert docker.base_url == "tcp://10.1.2.3:2375"
        assert docker.api_version == version
        assert docker.containers.list() == []
    assert recorder.paths == [f"/v{version}/containers/json"]


def test_from_env_defaults_to_the_local_socket() -> None:
    docker = package("1.41").Docker.from_env(transport=httpx.MockTransport(Recorder().handle))
    assert docker.base_url == "unix:///var/run/docker.sock"


def test_from_env_uses_the_current_context(_hermetic_env: Path) -> None:
    add_context(_hermetic_env, "remote", "tcp://remote.example:2375")
    (_hermetic_env / "config.json").write_text(json.dumps({"currentContext": "remote"}))
    assert package("1.41").Docker.from_env().base_url == "tcp://remote.example:2375"


def test_from_env_tls_argument(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "tcp://10.1.2.3:2376")
    docker = package("1.41").Docker.from_env(tls=TLSConfig(verify=False))
    assert docker._api.config.tls == TLSConfig(verify=False)


def test_from_context_picks_that_context_over_docker_host(_hermetic_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    add_context(_hermetic_env, "ci", "tcp://ci.example:2376", tls=True)
    monkeypatch.setenv("DOCKER_HOST", "tcp://10.1.2.3:2375")
    recorder = Recorder()
    docker = package("1.47").Docker.from_context("ci", transport=httpx.MockTransport(recorder.handle))
    assert docker.base_url == "tcp://ci.example:2376"
    tls = docker._api.config.tls
    assert tls is not None and tls.verify and tls.ca_cert is not None and tls.ca_cert.endswith("ca.pem")
    assert docker.containers.list() == []
    assert recorder.paths == ["/v1.47/containers/json"]
    docker.close()


def test_from_context_default_is_docker_host_or_the_socket(monkeypatch: pytest.MonkeyPatch) -> None:
    assert package("1.41").Docker.from_context("default").base_url == "unix:///var/run/docker.sock"
    monkeypatch.setenv("DOCKER_HOST", "tcp://10.1.2.3:2375")
    assert package("1.41").Docker.from_context("default").base_url == "tcp://10.1.2.3:2375"


def test_from_context_unknown_name_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="context 'nope' not found"):
        package("1.41").Docker.from_context("nope")
    with pytest.raises(ConfigError, match="context 'nope' not found"):
        package("1.41").AsyncDocker.from_context("nope")


def test_async_from_env_and_from_context(_hermetic_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    add_context(_hermetic_env, "ci", "tcp://ci.example:2375")
    monkeypatch.setenv("DOCKER_HOST", "tcp://10.1.2.3:2375")
    recorder = Recorder()
    pkg = package("1.56")

    async def main() -> None:
        async with pkg.AsyncDocker.from_env(transport=httpx.MockTransport(recorder.handle)) as docker:
            assert type(docker) is pkg.AsyncDocker
            assert docker.base_url == "tcp://10.1.2.3:2375"
            assert await docker.containers.list() == []
        async with pkg.AsyncDocker.from_context("ci", transport=httpx.MockTransport(recorder.handle)) as docker:
            assert docker.base_url == "tcp://ci.example:2375"
            assert docker.api_version == "1.56"
            assert await docker.containers.list() == []

    asyncio.run(main())
    assert recorder.paths == ["/v1.56/containers/json"] * 2


def test_where_the_host_came_from(_hermetic_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Error messages name it: base_url=, DOCKER_HOST=, or the context.
    monkeypatch.setenv("DOCKER_HOST", "tcp://10.1.2.3:2375")
    assert package("1.41").Docker.from_env()._api.config.source == "DOCKER_HOST"
    assert package("1.41").Docker("tcp://10.1.2.3:2375")._api.config.source == "argument"
    add_context(_hermetic_env, "ci", "tcp://ci.example:2376", tls=True)
    mock = httpx.MockTransport(Recorder().handle)
    config = package("1.41").Docker.from_context("ci", transport=mock)._api.config
    assert config.source == "context ci"
    assert config.tls is not None and config.tls.source == "docker context 'ci'"
    # The TLS files are read when a transport is built, and a bad one is named with its context.
    with pytest.raises(ConfigError, match=r"the TLS CA certificate .*ca\.pem \(docker context 'ci'\) holds no PEM"):
        config.tls.load()


def test_bad_context_host_names_the_context(_hermetic_env: Path) -> None:
    add_context(_hermetic_env, "broken", "tcp://ci.example:port")
    for cls in (package("1.41").Docker, package("1.41").AsyncDocker):
        with pytest.raises(ConfigError, match=r"'tcp://ci.example:port' \(docker context broken\): the port") as info:
            cls.from_context("broken")
        assert type(info.value) is ConfigError
