"""Failure behaviour of the transports (issue #13), sync and async, against
scripted servers on a unix socket: no request that may have reached the daemon is
sent twice (unless it is a GET/HEAD), answers are bounded in size and time, 1xx
answers are skipped, connections are capped."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from docker_engine import BadRequestError, ConfigError, DockerError, DockerTimeoutError, Limits, ServerError
from docker_engine.v1_41 import AsyncDocker as AsyncDocker41
from docker_engine.v1_41 import Docker as Docker41

from .fake_server import Handler, Peer, Server


@pytest.fixture(autouse=True)
def _hermetic_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_TLS", "DOCKER_CERT_PATH", "DOCKER_CONTEXT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker-config"))


CREATED = {"Id": "c" * 64, "Warnings": []}


def keep_then_drop(peer: Peer, number: int) -> None:
    """The first connection answers one ping, then reads the next request and closes
    unanswered (as a daemon that restarted, or a proxy that cut the connection, would);
    later connections answer everything."""
    while (request := peer.request()) is not None:
        method, target, _ = request
        if number == 0 and not target.endswith("/_ping"):
            return
        if target.endswith("/_ping"):
            peer.answer_ok()
        elif method == "POST":
            peer.answer_json(CREATED, 201)
        else:
            peer.answer_json({"Id": "c" * 64, "Name": "/x"})


def test_a_post_whose_answer_is_lost_is_not_sent_again(serve: Callable[[Handler], Server]) -> None:
    server = serve(keep_then_drop)
    with Docker41(server.url, timeout=5) as docker:
        assert docker.system.ping() == "OK"
        with pytest.raises(DockerError, match=r"closed|connection"):
            docker.containers.create(body={"Image": "busybox"})
    assert server.methods() == ["POST"]


def test_a_get_whose_answer_is_lost_is_sent_once_more(serve: Callable[[Handler], Server]) -> None:
    server = serve(keep_then_drop)
    with Docker41(server.url, timeout=5) as docker:
        assert docker.system.ping() == "OK"
        assert docker.containers.inspect("x").id == "c" * 64
    assert server.methods() == ["GET", "GET"]
    assert server.connections == 2


def test_async_a_post_whose_answer_is_lost_is_not_sent_again(serve: Callable[[Handler], Server]) -> None:
    server = serve(keep_then_drop)

    async def main() -> None:
        async with AsyncDocker41(server.url, timeout=5) as docker:
            assert await docker.system.ping() == "OK"
            with pytest.raises(DockerError, match=r"closed|connection"):
                await docker.containers.create(body={"Image": "busybox"})
            assert await docker.containers.inspect("x") is not None

    asyncio.run(main())
    assert server.methods() == ["POST", "GET"]


def silent_after_ping(peer: Peer, number: int) -> None:
    while (request := peer.request()) is not None:
        if request[1].endswith("/_ping"):
            peer.answer_ok()
        else:
            server_waits(peer)
            return


def server_waits(peer: Peer) -> None:
    peer.server.stop.wait(10)


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_a_late_answer_times_out_once(serve: Callable[[Handler], Server], method: str) -> None:
    server = serve(silent_after_ping)
    with Docker41(server.url, timeout=1) as docker:
        docker.system.ping()  # the next call reuses this connection
        started = time.monotonic()
        with pytest.raises(DockerTimeoutError):
            if method == "POST":
                docker.containers.create(body={"Image": "busybox"})
            else:
                docker.containers.inspect("x")
        elapsed = time.monotonic() - started
    assert 0.9 < elapsed < 1.8, elapsed  # not once per attempt
    assert server.methods() == [method]


def drip(data: bytes, every: float) -> Handler:
    def handler(peer: Peer, number: int) -> None:
        if peer.request() is None:
            return
        for i in range(len(data)):
            if peer.server.stop.wait(every):
                return
            peer.send(data[i : i + 1])

    return handler


@pytest.mark.parametrize(
    "wire",
    [
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Slow: " + b"y" * 200 + b"\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 200\r\n\r\n" + b"O" * 200,
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nOK\r\n0\r\nX-Trailer: " + b"t" * 200,
    ],
    ids=["head", "body", "trailer"],
)
def test_a_dripping_answer_ends_at_the_deadline(serve: Callable[[Handler], Server], wire: bytes) -> None:
    """2 bytes a second in the head, the body or the trailers: the timeout is one deadline."""
    server = serve(drip(wire, 0.05))
    with Docker41(server.url, timeout=1) as docker:
        started = time.monotonic()
        with pytest.raises(DockerTimeoutError):
            docker.system.ping()
        elapsed = time.monotonic() - started
    assert elapsed < 1.8, elapsed


def answer_then_more(head: bytes, piece: bytes) -> Handler:
    """Answer with `head`, then send `piece` until the client hangs up (or 10 s)."""

    def handler(peer: Peer, number: int) -> None:
        if peer.request() is None:
            return
        peer.send(head)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not peer.server.stop.is_set():
            peer.send(piece)

    return handler


ENDLESS_CHUNK = b"%x\r\n%s\r\n" % (65536, b"x" * 65536)


def test_a_huge_content_length_is_refused_before_reading(serve: Callable[[Handler], Server]) -> None:
    server = serve(answer_then_more(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000000\r\n\r\n", b"x" * 65536))
    with Docker41(server.url, timeout=5) as docker, pytest.raises(DockerError, match="max_body"):
        docker.containers.inspect("x")


def test_an_endless_body_stops_at_max_body(serve: Callable[[Handler], Server]) -> None:
    server = serve(answer_then_more(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", ENDLESS_CHUNK))
    with Docker41(server.url, timeout=5, limits=Limits(max_body=1 << 20)) as docker:
        started = time.monotonic()
        with pytest.raises(DockerError, match="max_body=1048576"):
            docker.containers.inspect("x")
        assert time.monotonic() - started < 2


def test_async_an_endless_body_stops_at_max_body(serve: Callable[[Handler], Server]) -> None:
    server = serve(answer_then_more(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", ENDLESS_CHUNK))

    async def main() -> None:
        async with AsyncDocker41(server.url, timeout=5, limits=Limits(max_body=1 << 20)) as docker:
            with pytest.raises(DockerError, match="max_body=1048576"):
                await docker.containers.inspect("x")

    asyncio.run(main())


def test_an_endless_error_is_cut_at_the_error_cap(serve: Callable[[Handler], Server]) -> None:
    head = b"HTTP/1.1 500 X\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    server = serve(answer_then_more(head, ENDLESS_CHUNK))
    with Docker41(server.url, timeout=5) as docker:
        started = time.monotonic()
        with pytest.raises(ServerError) as caught:
            docker.containers.inspect("x")
        assert time.monotonic() - started < 2
    assert len(str(caught.value)) < 70 * 1024


def test_an_endless_error_on_a_stream_is_cut_too(serve: Callable[[Handler], Server]) -> None:
    head = b"HTTP/1.1 500 X\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    server = serve(answer_then_more(head, ENDLESS_CHUNK))
    with Docker41(server.url, timeout=5) as docker, pytest.raises(ServerError):
        docker.containers.logs("x", follow=True)


def interim_then_answer(peer: Peer, number: int) -> None:
    names = iter(("/first", "/second", "/third"))
    while (request := peer.request()) is not None:
        if request[1].endswith("/_ping"):
            peer.answer_ok()
            continue
        peer.send(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\nX: y\r\n\r\n")
        peer.answer_json({"Id": "c" * 64, "Name": next(names)})


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_interim_answers_are_skipped(serve: Callable[[Handler], Server], flavour: str) -> None:
    """Each call gets its own answer: none is left behind on the pooled connection."""
    server = serve(interim_then_answer)
    if flavour == "sync":
        with Docker41(server.url, timeout=5) as docker:
            names = [docker.containers.inspect("x").name for _ in range(3)]
    else:

        async def main() -> list[str | None]:
            async with AsyncDocker41(server.url, timeout=5) as docker:
                return [(await docker.containers.inspect("x")).name for _ in range(3)]

        names = asyncio.run(main())
    assert names == ["/first", "/second", "/third"]
    assert server.connections == 1


def slow_ok(peer: Peer, number: int) -> None:
    while peer.request() is not None:
        if peer.server.stop.wait(0.1):
            return
        peer.answer_ok()


def test_connections_are_capped_and_requests_wait(serve: Callable[[Handler], Server]) -> None:
    server = serve(slow_ok)
    results: list[str] = []
    with Docker41(server.url, timeout=10, limits=Limits(max_connections=2)) as docker:
        threads = [threading.Thread(target=lambda: results.append(docker.system.ping())) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert results == ["OK"] * 8
    assert server.most_open <= 2


def test_async_connections_are_capped_and_requests_wait(serve: Callable[[Handler], Server]) -> None:
    server = serve(slow_ok)

    async def main() -> list[str]:
        async with AsyncDocker41(server.url, timeout=10, limits=Limits(max_connections=3)) as docker:
            return list(await asyncio.gather(*(docker.system.ping() for _ in range(12))))

    assert asyncio.run(main()) == ["OK"] * 12
    assert server.most_open <= 3


def test_a_full_pool_times_out_naming_the_limit(serve: Callable[[Handler], Server]) -> None:
    def hold(peer: Peer, number: int) -> None:
        if peer.request() is not None:
            server_waits(peer)

    server = serve(hold)
    with Docker41(server.url, timeout=0.5, limits=Limits(max_connections=1)) as docker:
        blocked = threading.Thread(target=_call, args=(docker.with_timeout(3),))  # the same pool
        blocked.start()
        time.sleep(0.2)
        with pytest.raises(DockerTimeoutError, match="max_connections"):
            docker.system.ping()
        blocked.join()


def _call(docker: Docker41) -> None:
    with contextlib.suppress(DockerTimeoutError):
        docker.system.ping()


@pytest.mark.parametrize(
    ("limits", "message"),
    [
        ({"max_body": -1}, "max_body"),
        ({"max_connections": 0}, "max_connections"),
        ({"stream_timeout": 0}, "stream_timeout"),
    ],
)
def test_bad_limits_are_a_config_error(limits: dict[str, int], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Limits(**limits)


def test_a_control_character_in_the_address_is_refused() -> None:
    with pytest.raises(ConfigError, match="control character"):
        Docker41("unix:///tmp/docker.sock\x00x")


def silent_stream(peer: Peer, number: int) -> None:
    while (request := peer.request()) is not None:
        if request[1].split("?")[0].endswith("/json"):
            peer.answer_json({"Id": "c" * 64, "Config": {"Tty": True}})
            continue
        peer.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\nhello\n")
        server_waits(peer)
        return


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_a_silent_stream_ends_at_stream_timeout(serve: Callable[[Handler], Server], flavour: str) -> None:
    server = serve(silent_stream)
    limits = Limits(stream_timeout=0.5)
    started = time.monotonic()
    if flavour == "sync":
        with Docker41(server.url, timeout=5, limits=limits) as docker, pytest.raises(DockerError):
            for _ in docker.containers.logs("x", follow=True):
                pass
    else:

        async def main() -> None:
            async with AsyncDocker41(server.url, timeout=5, limits=limits) as docker:
                with pytest.raises(DockerError):
                    async for _ in await docker.containers.logs("x", follow=True):
                        pass

        asyncio.run(main())
    assert time.monotonic() - started < 2


def refuse_upload(peer: Peer, number: int) -> None:
    """Read the head and a little of the body, answer 400 and hang up (as dockerd does
    for a bad parameter of an import)."""
    sock = peer.sock
    data = b""
    while b"\r\n\r\n" not in data:
        piece = sock.recv(65536)
        if not piece:
            return
        data += piece
    with peer.server.lock:
        peer.server.seen.append(("POST", data.split(b" ", 2)[1].decode()))
    message = b'{"message":"ENV requires at least one argument"}'
    peer.send(
        b"HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
        % (len(message), message)
    )
    sock.shutdown(socket.SHUT_RDWR)


UPLOADS = {
    "bytes": lambda: b"x" * 8_000_000,
    "chunks": lambda: iter([b"x" * 65536] * 128),
}


@pytest.mark.parametrize("upload", sorted(UPLOADS))
def test_an_upload_refused_early_gives_the_daemons_answer(serve: Callable[[Handler], Server], upload: str) -> None:
    server = serve(refuse_upload)
    with Docker41(server.url, timeout=10) as docker, pytest.raises(BadRequestError, match="ENV requires"):
        docker.images.create(from_src="-", body=UPLOADS[upload](), changes=["ENV"])


@pytest.mark.parametrize("upload", sorted(UPLOADS))
def test_async_an_upload_refused_early_gives_the_daemons_answer(
    serve: Callable[[Handler], Server], upload: str
) -> None:
    server = serve(refuse_upload)

    async def main() -> None:
        async with AsyncDocker41(server.url, timeout=10) as docker:
            with pytest.raises(BadRequestError, match="ENV requires"):
                await docker.images.create(from_src="-", body=UPLOADS[upload](), changes=["ENV"])

    asyncio.run(main())
