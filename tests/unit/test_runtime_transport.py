"""Where the client connects (`_config.from_env` / `ConnectionConfig.validate`, the
Host/base URL, the default TCP ports) and connection errors against real sockets."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import Any

import pytest
from docker_engine._api_base import _base_url
from docker_engine._config import DEFAULT_HOST, ConfigError, ConnectionConfig, TLSConfig, from_env
from docker_engine._errors import DockerConnectionError, DockerError
from docker_engine._transports import Dialer


@pytest.fixture(autouse=True)
def _hermetic_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_TLS", "DOCKER_CERT_PATH", "DOCKER_CONTEXT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("DOCKER_API_VERSION", raising=False)
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker-config"))


def test_unix_socket() -> None:
    config = from_env("unix:///var/run/docker.sock", environ={})
    assert config.host == "unix:///var/run/docker.sock"
    assert config.scheme == "unix"
    assert config.tls is None
    assert config.source == "argument"
    assert _base_url(config) == "http://docker"
    assert Dialer(config).path == "/var/run/docker.sock"


def test_unix_without_a_path_is_rejected() -> None:
    with pytest.raises(ConfigError, match="needs a socket path"):
        from_env("unix://", environ={})


@pytest.mark.parametrize(
    ("host", "base_url"),
    [
        ("tcp://127.0.0.1:2375", "http://127.0.0.1:2375"),
        ("tcp://docker.example.com:2376", "http://docker.example.com:2376"),
        ("tcp://[::1]:2375", "http://[::1]:2375"),
        ("http://localhost:2375", "http://localhost:2375"),
        ("https://docker.example.com:2376", "https://docker.example.com:2376"),
    ],
)
def test_tcp_http_https_base_url(host: str, base_url: str) -> None:
    config = from_env(host, environ={})
    assert config.host == host
    assert _base_url(config) == base_url


def test_tcp_with_tls_uses_https() -> None:
    config = from_env("tcp://docker.example.com:2376", tls=TLSConfig(verify=False), environ={})
    assert _base_url(config) == "https://docker.example.com:2376"


class Refused(Exception):
    pass


@pytest.mark.parametrize(("tls", "port"), [(None, 2375), (TLSConfig(verify=False), 2376)])
def test_tcp_without_port_dials_the_docker_default_port(
    monkeypatch: pytest.MonkeyPatch, tls: TLSConfig | None, port: int
) -> None:
    dialed: list[Any] = []

    def fake_create_connection(address: Any, timeout: Any = None) -> socket.socket:
        dialed.append(address)
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(socket, "create_connection", fake_create_connection)
    dialer = Dialer(from_env("tcp://docker.example.com", tls=tls, environ={}))
    with pytest.raises(Exception, match="refused"):
        dialer.connect(1.0)
    assert dialed == [("docker.example.com", port)]


def test_npipe_is_rejected_with_a_clear_message() -> None:
    with pytest.raises(ConfigError, match="named pipes are not supported") as info:
        from_env("npipe:////./pipe/docker_engine", environ={})
    assert "npipe:////./pipe/docker_engine" in str(info.value)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, DockerError)


@pytest.mark.parametrize("host", ["fd://", "ftp://host", "garbage", "/var/run/docker.sock", "::"])
def test_unsupported_addresses_are_rejected(host: str) -> None:
    with pytest.raises(ConfigError, match="unsupported Docker host") as info:
        from_env(host, environ={})
    assert repr(host) in str(info.value)
    assert "unix:///" in str(info.value)  # says what would work


@pytest.mark.parametrize("host", ["tcp://", "tcp://:2375", "https://"])
def test_tcp_without_a_host_is_rejected(host: str) -> None:
    with pytest.raises(ConfigError, match="no host name"):
        from_env(host, environ={})


def test_default_without_argument_or_env() -> None:
    config = from_env(environ={})
    assert config.host == DEFAULT_HOST == "unix:///var/run/docker.sock"
    assert config.source == "default"


def test_docker_host_env_is_honoured() -> None:
    config = from_env(environ={"DOCKER_HOST": "tcp://10.1.2.3:2375"})
    assert config.host == "tcp://10.1.2.3:2375"
    assert _base_url(config) == "http://10.1.2.3:2375"
    assert from_env(None, environ={"DOCKER_HOST": "unix:///run/user/1000/docker.sock"}).host == (
        "unix:///run/user/1000/docker.sock"
    )


def test_empty_docker_host_env_means_the_default() -> None:
    assert from_env(environ={"DOCKER_HOST": ""}).host == DEFAULT_HOST


def test_explicit_argument_beats_env() -> None:
    config = from_env("unix:///tmp/other.sock", environ={"DOCKER_HOST": "tcp://10.1.2.3:2375"})
    assert config.host == "unix:///tmp/other.sock"
    assert config.source == "argument"


def test_bad_docker_host_env_is_reported() -> None:
    with pytest.raises(ConfigError, match="ftp://box"):
        from_env(environ={"DOCKER_HOST": "ftp://box"})


def test_process_environment_is_read_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "tcp://10.9.8.7:2375")
    assert from_env().host == "tcp://10.9.8.7:2375"


def test_tls_is_dropped_for_unix_sockets() -> None:
    config = from_env("unix:///x.sock", tls=TLSConfig(verify=False), environ={})
    assert config.tls is None


def test_validate_is_idempotent() -> None:
    config = ConnectionConfig("tcp://h:1")
    assert config.validate() is config


def test_generated_client_uses_docker_host_env(monkeypatch: pytest.MonkeyPatch) -> None:
    from docker_engine.v1_41 import Docker

    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:2375")
    with Docker() as docker:
        assert docker.base_url == "tcp://127.0.0.1:2375"
        assert str(docker._api.client.base_url) == "http://127.0.0.1:2375"
    with Docker("unix:///tmp/explicit.sock") as docker:
        assert docker.base_url == "unix:///tmp/explicit.sock"


def test_generated_client_rejects_a_bad_host() -> None:
    from docker_engine.v1_41 import Docker

    with pytest.raises(ConfigError, match="named pipes"):
        Docker("npipe:////./pipe/docker_engine")


# -- connection errors ---------------------------------------------------------------------------------------------


def test_missing_unix_socket_raises_connection_error(tmp_path: Path) -> None:
    from docker_engine.v1_41 import Docker

    sock = tmp_path / "nonexistent.sock"
    with Docker(f"unix://{sock}") as docker, pytest.raises(DockerConnectionError) as info:
        docker.system.ping()
    message = str(info.value)
    assert str(sock) in message
    assert "DOCKER_HOST" in message
    assert info.value.target == f"unix://{sock}"


def test_missing_unix_socket_on_a_stream_endpoint(tmp_path: Path) -> None:
    from docker_engine.v1_56 import Docker

    sock = tmp_path / "gone.sock"
    with Docker(f"unix://{sock}") as docker, pytest.raises(DockerConnectionError, match="DOCKER_HOST") as info:
        docker.containers.logs("c", stdout=True)
    assert str(sock) in str(info.value)


def test_missing_unix_socket_async(tmp_path: Path) -> None:
    from docker_engine.v1_41 import AsyncDocker

    sock = tmp_path / "nonexistent.sock"

    async def main() -> DockerConnectionError:
        async with AsyncDocker(f"unix://{sock}") as docker:
            with pytest.raises(DockerConnectionError) as info:
                await docker.system.ping()
            return info.value

    err = asyncio.run(main())
    assert str(sock) in str(err)
    assert "DOCKER_HOST" in str(err)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def test_refused_tcp_connection_raises_connection_error() -> None:
    from docker_engine.v1_41 import Docker

    port = free_port()
    with Docker(f"tcp://127.0.0.1:{port}") as docker, pytest.raises(DockerConnectionError) as info:
        docker.system.version()
    assert f"127.0.0.1:{port}" in str(info.value)
    assert "refused" in str(info.value).lower()
    assert "DOCKER_HOST" in str(info.value)


def test_refused_tcp_connection_async_is_a_connection_error() -> None:
    from docker_engine.v1_56 import AsyncDocker

    port = free_port()

    async def main() -> DockerConnectionError:
        async with AsyncDocker(f"tcp://127.0.0.1:{port}") as docker:
            with pytest.raises(DockerConnectionError) as info:
                await docker.system.ping()
            return info.value

    err = asyncio.run(main())
    assert f"127.0.0.1:{port}" in str(err)
    assert isinstance(err.__cause__.__cause__, ConnectionRefusedError)  # type: ignore[union-attr]


def test_refused_tcp_connection_async_says_why() -> None:
    from docker_engine.v1_56 import AsyncDocker

    port = free_port()

    async def main() -> DockerConnectionError:
        async with AsyncDocker(f"tcp://127.0.0.1:{port}") as docker:
            with pytest.raises(DockerConnectionError) as info:
                await docker.system.ping()
            return info.value

    err = asyncio.run(main())
    assert "refused" in str(err).lower()
    assert "DOCKER_HOST" in str(err)


def stale_socket(tmp_path: Path) -> Path:
    # A socket file nobody listens on any more (the daemon died).
    path = tmp_path / "stale.sock"
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(path))
    return path


def test_socket_file_that_is_not_listening(tmp_path: Path) -> None:
    from docker_engine.v1_41 import Docker

    path = stale_socket(tmp_path)
    with Docker(f"unix://{path}") as docker, pytest.raises(DockerConnectionError) as info:
        docker.system.ping()
    assert str(path) in str(info.value)
    assert "DOCKER_HOST" in str(info.value)


def test_socket_file_that_is_not_listening_async(tmp_path: Path) -> None:
    from docker_engine.v1_41 import AsyncDocker

    path = stale_socket(tmp_path)

    async def main() -> None:
        async with AsyncDocker(f"unix://{path}") as docker:
            with pytest.raises(DockerConnectionError, match="DOCKER_HOST"):
                await docker.system.ping()

    asyncio.run(main())


def test_body_reader_caps_a_body_or_cuts_an_error_message_short() -> None:
    from docker_engine._http11 import Body, End
    from docker_engine._transports import BodyReader, ResponseTooLarge

    whole = BodyReader(10, truncate=False)
    assert [whole.take(Body(b"12345")), whole.take(Body(b"67890"))] == [b"12345", b"67890"]
    assert not whole.done
    assert whole.take(End(reusable=True)) == b"" and whole.done and whole.reusable

    too_large = BodyReader(10, truncate=False)
    too_large.take(Body(b"12345"))
    with pytest.raises(ResponseTooLarge, match="max_body=10"):
        too_large.take(Body(b"678901"))

    message = BodyReader(10, truncate=True)  # an error's body: its start, then read no further
    assert message.take(Body(b"12345678")) == b"12345678"
    assert message.take(Body(b"9012")) == b"90"
    assert message.done and not message.reusable

    stream = BodyReader(None, truncate=False)
    assert stream.take(Body(b"x" * 100_000)) == b"x" * 100_000 and not stream.done
