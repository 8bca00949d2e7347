"""One error boundary (issue #13): a success answer that cannot be read, a header that
would split the request, an odd Api-Version — each a DockerError subclass with the
cause chained, never a plain Python exception, and refused requests never sent."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from docker_engine import (
    Docker,
    DockerConnectionError,
    DockerError,
    InvalidRequestError,
    InvalidResponseError,
)
from docker_engine.v1_41 import AsyncDocker as AsyncDocker41
from docker_engine.v1_41 import Docker as Docker41

from .fake_server import Handler, Peer, Server


@pytest.fixture(autouse=True)
def _hermetic_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_TLS", "DOCKER_CERT_PATH", "DOCKER_CONTEXT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker-config"))


def answering(body: bytes) -> tuple[Docker41, list[httpx.Request]]:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, content=body, headers={"Content-Type": "application/json"})

    return Docker41("unix:///nowhere", transport=httpx.MockTransport(handler)), sent


@pytest.mark.parametrize(
    ("body", "cause"),
    [
        (b'{"Id": "x", ', ValueError),  # cut short
        (b"\xff\xfe{}", ValueError),  # not UTF-8
        (b"[" * 200_000 + b"]" * 200_000, RecursionError),  # deeper than the parser goes
        (b"[1, 2]", AttributeError),  # a list where the API promises an object
        (b"42", AttributeError),
    ],
    ids=["invalid", "not-utf8", "deep", "list", "number"],
)
def test_an_unreadable_answer_is_an_invalid_response_error(body: bytes, cause: type[BaseException]) -> None:
    docker, _ = answering(body)
    with pytest.raises(InvalidResponseError, match=r"GET /v1\.41/containers/x/json: the answer") as caught:
        docker.containers.inspect("x")
    assert isinstance(caught.value.__cause__, cause)
    assert isinstance(caught.value, DockerError)


def test_a_bad_timestamp_is_an_invalid_response_error() -> None:
    docker, _ = answering(json.dumps({"ID": "x", "CreatedAt": "yesterday"}).encode())
    with pytest.raises(InvalidResponseError, match="not a timestamp: 'yesterday'"):
        docker.services.inspect("x")


def test_async_an_unreadable_answer_is_an_invalid_response_error() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"not json", headers={"Content-Type": "application/json"})

    async def main() -> None:
        async with AsyncDocker41("unix:///nowhere", transport=httpx.MockTransport(handler)) as docker:
            with pytest.raises(InvalidResponseError, match="not valid JSON"):
                await docker.containers.inspect("x")

    asyncio.run(main())


@pytest.mark.parametrize("value", ["a\r\nX-Injected: yes", "a\nContent-Length: 0", "a\x00b"])
def test_a_control_character_in_a_header_is_refused_before_sending(value: str) -> None:
    docker, sent = answering(b"{}")
    with pytest.raises(InvalidRequestError, match="X-Registry-Auth: the value contains a control character"):
        docker.images.push("busybox", x_registry_auth=value)
    with pytest.raises(InvalidRequestError, match="control character"):
        docker.distribution.inspect("busybox", x_registry_auth=value)
    assert sent == []


def test_a_control_character_in_a_header_is_refused_on_the_socket_path(
    serve: Callable[[Handler], Server],
) -> None:
    def handler(peer: Peer, number: int) -> None:
        while peer.request() is not None:
            peer.answer_json({})

    server = serve(handler)
    with Docker41(server.url) as docker, pytest.raises(InvalidRequestError):
        docker.distribution.inspect("busybox", x_registry_auth="a\r\nX-Injected: yes")
    assert server.seen == []


def test_an_odd_api_version_is_a_connection_error(serve: Callable[[Handler], Server]) -> None:
    def handler(peer: Peer, number: int) -> None:
        while peer.request() is not None:
            peer.send(b"HTTP/1.1 200 OK\r\nApi-Version: \xff\xfe1\r\nContent-Length: 2\r\n\r\nOK")

    server = serve(handler)
    with Docker(server.url) as docker, pytest.raises(DockerConnectionError, match="Api-Version"):
        docker.system.ping()
