"""The generated clients over the real transports, against a scripted fake daemon
on a unix socket: the fast path of `SyncAPI.call`, the httpx path (streams,
uploads), the asyncio transport, keep-alive, chunked bodies."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import socket
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from docker_engine._config import from_env
from docker_engine._errors import (
    APIError,
    ConflictError,
    DockerConnectionError,
    DockerError,
    DockerTimeoutError,
    NotFoundError,
    StreamError,
)
from docker_engine._streams import Frame
from docker_engine._transports import DockerTransport
from docker_engine.v1_41 import AsyncDocker as AsyncDocker41
from docker_engine.v1_41 import Docker as Docker41
from docker_engine.v1_56 import Docker as Docker56


@pytest.fixture(autouse=True)
def _hermetic_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_TLS", "DOCKER_CERT_PATH", "DOCKER_CONTEXT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker-config"))


def frame(stream: int, data: bytes) -> bytes:
    return struct.pack(">BxxxL", stream, len(data)) + data


@dataclass
class Seen:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes
    connection: int

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.target).query, keep_blank_values=True)


@dataclass
class Answer:
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes | list[bytes] = b""  # a list is sent chunked
    close_delimited: bool = False  # no length: the body ends when the connection closes
    close_after: bool = False
    stall_after: int | None = None  # send this many bytes, then nothing until the test ends

    def encode(self, method: str) -> bytes:
        lines = [f"HTTP/1.1 {self.status} X", *(f"{k}: {v}" for k, v in self.headers)]
        if isinstance(self.body, list):
            lines.append("Transfer-Encoding: chunked")
            payload = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in self.body if c) + b"0\r\n\r\n"
        elif self.close_delimited:
            lines.append("Connection: close")
            payload = self.body
        else:
            if self.status not in (204, 304):
                lines.append(f"Content-Length: {len(self.body)}")
            payload = self.body
        if self.close_after and not self.close_delimited:
            lines.append("Connection: close")
        if method == "HEAD" or self.status in (204, 304):
            payload = b""
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


def json_answer(data: Any, status: int = 200) -> Answer:
    return Answer(status, [("Content-Type", "application/json")], json.dumps(data).encode())


class FakeDaemon:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.answers: list[Answer] = []
        self.seen: list[Seen] = []
        self.connections = 0
        self._open: list[socket.socket] = []
        self._stop = threading.Event()
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(str(path))
        self._listener.listen(16)
        self._listener.settimeout(0.05)
        self._threads = [threading.Thread(target=self._serve, daemon=True)]
        self._threads[0].start()

    @property
    def url(self) -> str:
        return f"unix://{self.path}"

    @property
    def last(self) -> Seen:
        return self.seen[-1]

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            self._open.append(conn)
            thread = threading.Thread(target=self._handle, args=(conn, self.connections), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _handle(self, conn: socket.socket, number: int) -> None:
        conn.settimeout(5)
        reader = conn.makefile("rb")
        try:
            while True:
                line = reader.readline()
                if not line:
                    return
                method, target, _ = line.decode("latin-1").split(" ", 2)
                headers: dict[str, str] = {}
                while (header := reader.readline()) not in (b"\r\n", b""):
                    key, _, value = header.decode("latin-1").partition(":")
                    headers[key.strip().lower()] = value.strip()
                body = b""
                if headers.get("transfer-encoding", "").lower() == "chunked":
                    while True:
                        size = int(reader.readline().split(b";")[0], 16)
                        if size == 0:
                            reader.readline()
                            break
                        body += reader.read(size)
                        reader.readline()
                elif "content-length" in headers:
                    body = reader.read(int(headers["content-length"]))
                self.seen.append(Seen(method, target, headers, body, number))
                answer = self.answers.pop(0) if self.answers else json_answer({})
                encoded = answer.encode(method)
                if answer.stall_after is not None:
                    conn.sendall(encoded[: answer.stall_after])
                    self._stop.wait()
                    return
                conn.sendall(encoded)
                if answer.close_delimited or answer.close_after:
                    return
        except OSError:
            return
        finally:
            reader.close()
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._listener.close()
        for conn in self._open:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        for thread in self._threads:
            thread.join(timeout=5)


class Delegating(httpx.BaseTransport):
    """The real transport, hidden from `SyncAPI`: every call then takes the httpx path."""

    def __init__(self, url: str) -> None:
        self.inner = DockerTransport(from_env(url, environ={}))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def httpx_path_client(url: str) -> Docker41:
    return Docker41(url, transport=Delegating(url))


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[FakeDaemon]:
    fake = FakeDaemon(tmp_path / "docker.sock")
    try:
        yield fake
    finally:
        fake.close()


# -- the fast path (plain calls on the real sync transport) -------------------------------------------------------------


def test_ping(daemon: FakeDaemon) -> None:
    daemon.answers.append(Answer(200, [("Content-Type", "text/plain"), ("Api-Version", "1.41")], b"OK"))
    with Docker41(daemon.url) as docker:
        assert docker.system.ping() == "OK"
    assert daemon.last.method == "GET"
    assert daemon.last.target == "/v1.41/_ping"
    assert daemon.last.body == b""


def test_list_query_and_typed_result(daemon: FakeDaemon) -> None:
    daemon.answers.append(json_answer([{"Id": "abc", "Names": ["/web"]}]))
    with Docker41(daemon.url) as docker:
        result = docker.containers.list(all=True, filters={"status": ["exited"]}, limit=0)
    assert daemon.last.path == "/v1.41/containers/json"
    assert daemon.last.query == {"all": ["true"], "filters": ['{"status":["exited"]}'], "limit": ["0"]}
    assert result is not None
    assert result[0].id == "abc"
    assert result[0].names == ["/web"]


def test_no_parameters_no_query(daemon: FakeDaemon) -> None:
    daemon.answers.append(json_answer([]))
    with Docker41(daemon.url) as docker:
        docker.containers.list()
    assert daemon.last.target == "/v1.41/containers/json"


def test_quoted_path_is_sent_verbatim(daemon: FakeDaemon) -> None:
    daemon.answers += [json_answer({"Id": "1"}), json_answer({"Id": "2"})]
    with Docker41(daemon.url) as docker:
        docker.images.inspect("127.0.0.1:5000/app:1")
        docker.containers.inspect("a b?")
    assert [s.target for s in daemon.seen] == [
        "/v1.41/images/127.0.0.1:5000/app:1/json",
        "/v1.41/containers/a%20b%3F/json",
    ]


def test_create_json_body(daemon: FakeDaemon) -> None:
    daemon.answers.append(json_answer({"Id": "new", "Warnings": []}, status=201))
    body = {"Image": "alpine", "Cmd": ["echo", "h\u00e9"], "Env": None}
    with Docker56(daemon.url) as docker:
        created = docker.containers.create(body=body, name="web")
    seen = daemon.last
    assert (seen.method, seen.path, seen.query) == ("POST", "/v1.56/containers/create", {"name": ["web"]})
    assert seen.headers["content-type"] == "application/json"
    assert int(seen.headers["content-length"]) == len(seen.body)
    assert json.loads(seen.body) == body
    assert created.id == "new"


def test_error_statuses(daemon: FakeDaemon) -> None:
    daemon.answers += [
        json_answer({"message": "No such container: nope"}, status=404),
        json_answer({"message": "name in use"}, status=409),
    ]
    with Docker41(daemon.url) as docker:
        with pytest.raises(NotFoundError) as info:
            docker.containers.inspect("nope")
        assert (info.value.message, info.value.method) == ("No such container: nope", "GET")
        assert info.value.path == "/v1.41/containers/nope/json"
        with pytest.raises(ConflictError, match="name in use"):
            docker.containers.create(body={"Image": "alpine"}, name="taken")


def test_error_is_the_same_on_both_code_paths(daemon: FakeDaemon) -> None:
    daemon.answers += [json_answer({"message": "gone"}, status=404), json_answer({"message": "gone"}, status=404)]
    with Docker41(daemon.url) as docker, pytest.raises(NotFoundError) as fast:
        docker.containers.inspect("web")
    with httpx_path_client(daemon.url) as docker, pytest.raises(NotFoundError) as slow:
        docker.containers.inspect("web")
    assert daemon.seen[0].target == daemon.seen[1].target == "/v1.41/containers/web/json"
    assert (fast.value.path, fast.value.message, fast.value.method) == (
        slow.value.path,
        slow.value.message,
        slow.value.method,
    )
    assert str(fast.value) == str(slow.value)


def test_error_path_for_a_quoted_name_is_the_same_on_both_code_paths(daemon: FakeDaemon) -> None:
    daemon.answers += [json_answer({"message": "gone"}, status=404), json_answer({"message": "gone"}, status=404)]
    with Docker41(daemon.url) as docker, pytest.raises(NotFoundError) as fast:
        docker.containers.inspect("my web")
    with httpx_path_client(daemon.url) as docker, pytest.raises(NotFoundError) as slow:
        docker.containers.inspect("my web")
    assert fast.value.path == slow.value.path


def test_start_304_and_delete_204(daemon: FakeDaemon) -> None:
    daemon.answers += [Answer(304), Answer(204), json_answer({"Id": "x"})]
    with Docker41(daemon.url) as docker:
        assert docker.containers.start("web") is None
        assert docker.containers.delete("web", force=True) is None
        docker.containers.inspect("x")  # the connection is still in step
    assert [s.method for s in daemon.seen] == ["POST", "DELETE", "GET"]
    assert daemon.seen[1].query == {"force": ["true"]}
    assert daemon.connections == 1


def test_head_request(daemon: FakeDaemon) -> None:
    daemon.answers += [Answer(200, [("Api-Version", "1.41"), ("Content-Length", "2")]), json_answer({"Id": "x"})]
    with Docker41(daemon.url) as docker:
        headers = docker.system.ping_head()
        docker.containers.inspect("x")
    assert headers["api-version"] == "1.41"
    assert daemon.seen[0].method == "HEAD"
    assert daemon.connections == 1


def test_keep_alive_reuses_one_connection(daemon: FakeDaemon) -> None:
    daemon.answers += [Answer(200, body=b"OK") for _ in range(5)]
    with Docker41(daemon.url) as docker:
        assert [docker.system.ping() for _ in range(5)] == ["OK"] * 5
    assert daemon.connections == 1
    assert {s.connection for s in daemon.seen} == {1}


def test_connection_close_is_honoured(daemon: FakeDaemon) -> None:
    daemon.answers += [Answer(200, body=b"OK", close_after=True), Answer(200, body=b"OK")]
    with Docker41(daemon.url) as docker:
        assert docker.system.ping() == "OK"
        assert docker.system.ping() == "OK"
    assert daemon.connections == 2


def test_close_delimited_and_chunked_responses(daemon: FakeDaemon) -> None:
    daemon.answers += [
        Answer(200, [("Content-Type", "application/json")], b'{"Id": "a"}', close_delimited=True),
        Answer(200, [("Content-Type", "application/json")], [b'{"Id"', b': "b"}']),
    ]
    with Docker41(daemon.url) as docker:
        assert docker.containers.inspect("a").id == "a"
        assert docker.containers.inspect("b").id == "b"


def test_daemon_closing_mid_response_is_a_docker_error(daemon: FakeDaemon) -> None:
    daemon.answers.append(Answer(200, [("Content-Length", "100")], b'{"Id":', close_delimited=True))
    with Docker41(daemon.url) as docker, pytest.raises(DockerConnectionError, match="closed"):
        docker.containers.inspect("a")


def test_daemon_closing_mid_response_async(daemon: FakeDaemon) -> None:
    daemon.answers.append(Answer(200, [("Content-Length", "100")], b'{"Id":', close_delimited=True))
    stream_answer = Answer(200, [("Content-Type", "application/x-tar")], [b"abc"])
    stream_answer.stall_after = len(stream_answer.encode("GET")) - len(b"0\r\n\r\n")  # all but the last chunk
    daemon.answers.append(stream_answer)

    async def main() -> None:
        async with AsyncDocker41(daemon.url) as docker:
            with pytest.raises(DockerConnectionError, match="inside the response body"):
                await docker.containers.inspect("a")
            stream = await docker.containers.export("b")
            daemon.close()  # the daemon goes away in the middle of a stream
            received = []
            with pytest.raises(StreamError, match="stream broken: connection closed inside the response body"):
                async for chunk in stream:
                    received.append(chunk)
            assert received == [b"abc"]

    asyncio.run(main())


# -- the httpx path on the real transport: streams and uploads ---------------------------------------------------------


def test_logs_stream_chunked(daemon: FakeDaemon) -> None:
    data = frame(1, b"one\n") + frame(2, b"two\n") + frame(1, b"three\n")
    daemon.answers += [
        Answer(200, [("Content-Type", "application/vnd.docker.multiplexed-stream")], [data[:5], data[5:17], data[17:]]),
        Answer(200, body=b"OK"),
    ]
    with Docker56(daemon.url) as docker:
        frames = list(docker.containers.logs("web", stdout=True, stderr=True, follow=True))
        assert docker.system.ping() == "OK"
    assert daemon.seen[0].query == {"stdout": ["true"], "stderr": ["true"], "follow": ["true"]}
    assert frames == [Frame(1, b"one\n"), Frame(2, b"two\n"), Frame(1, b"three\n")]
    assert daemon.connections == 1  # the stream ended cleanly: its connection was reused


def test_json_stream_with_error(daemon: FakeDaemon) -> None:
    lines = [b'{"status":"Pulling"}\n', b'{"errorDetail":{"message":"denied"},"error":"denied"}\n']
    daemon.answers.append(Answer(200, [("Content-Type", "application/json")], lines))
    seen = []
    with Docker41(daemon.url) as docker, pytest.raises(StreamError, match="denied"):
        for item in docker.images.create(from_image="private/app", x_registry_auth="YXV0aA=="):
            seen.append(item.status)
    assert seen == ["Pulling"]
    assert daemon.last.headers["x-registry-auth"] == "YXV0aA=="
    assert daemon.last.query == {"fromImage": ["private/app"]}


def test_put_archive_file_object_is_chunked(daemon: FakeDaemon) -> None:
    tar = bytes(range(256)) * 1200
    daemon.answers += [Answer(200), Answer(200, body=b"OK")]
    with Docker41(daemon.url) as docker:
        docker.containers.put_archive("web", path="/tmp", body=io.BytesIO(tar))
        assert docker.system.ping() == "OK"
    seen = daemon.seen[0]
    assert (seen.method, seen.path, seen.query) == ("PUT", "/v1.41/containers/web/archive", {"path": ["/tmp"]})
    assert seen.headers["content-type"] == "application/x-tar"
    assert seen.headers["transfer-encoding"] == "chunked"
    assert seen.body == tar


def test_put_archive_bytes_have_a_length(daemon: FakeDaemon) -> None:
    daemon.answers.append(Answer(200))
    with Docker41(daemon.url) as docker:
        docker.containers.put_archive("web", path="/tmp", body=b"tar bytes")
    assert daemon.last.headers["content-length"] == "9"
    assert daemon.last.body == b"tar bytes"


def test_stale_pooled_connection_is_replaced(daemon: FakeDaemon) -> None:
    daemon.answers += [Answer(200, body=b"OK"), Answer(200, body=b"OK")]
    with Docker41(daemon.url) as docker:
        assert docker.system.ping() == "OK"
        for conn in daemon._open:  # the daemon drops the idle keep-alive connection
            conn.shutdown(socket.SHUT_RDWR)
        assert docker.system.ping() == "OK"
    assert daemon.connections == 2


# -- asyncio transport ----------------------------------------------------------------------------------------------


def test_async_stale_pooled_connection_is_replaced(daemon: FakeDaemon) -> None:
    daemon.answers += [Answer(200, body=b"OK"), Answer(200, body=b"OK")]

    async def main() -> None:
        async with AsyncDocker41(daemon.url) as docker:
            assert await docker.system.ping() == "OK"
            for conn in daemon._open:  # the daemon drops the idle keep-alive connection
                conn.shutdown(socket.SHUT_RDWR)
            await asyncio.sleep(0.05)  # its end reaches our side while the connection is idle
            assert await docker.system.ping() == "OK"

    asyncio.run(main())
    assert daemon.connections == 2
    assert [s.connection for s in daemon.seen] == [1, 2]


def test_async_client_over_the_socket(daemon: FakeDaemon) -> None:
    logs = frame(1, b"out") + frame(2, b"err")
    daemon.answers += [
        Answer(200, body=b"OK"),
        json_answer([{"Id": "abc"}]),
        json_answer({"Id": "new", "Warnings": None}, status=201),
        Answer(200, [("Content-Type", "application/vnd.docker.raw-stream")], [logs[:4], logs[4:]]),
        json_answer({"Id": "0123abcd", "Config": {"Tty": False}}),  # before 1.42: the Tty lookup
        Answer(200),
        json_answer({"message": "No such container: x"}, status=404),
    ]

    async def main() -> None:
        async with AsyncDocker41(daemon.url) as docker:
            assert await docker.system.ping() == "OK"
            listed = await docker.containers.list(filters={"name": ["web"]})
            assert [c.id for c in listed] == ["abc"]
            assert (await docker.containers.create(body={"Image": "alpine"})).id == "new"
            frames = [f async for f in await docker.containers.logs("web", stdout=True, stderr=True)]
            assert frames == [Frame(1, b"out"), Frame(2, b"err")]
            await docker.containers.put_archive("web", path="/tmp", body=io.BytesIO(b"z" * 200_000))
            with pytest.raises(NotFoundError, match="No such container: x"):
                await docker.containers.inspect("x")

    asyncio.run(main())
    targets = [(s.method, s.path) for s in daemon.seen]
    assert targets == [
        ("GET", "/v1.41/_ping"),
        ("GET", "/v1.41/containers/json"),
        ("POST", "/v1.41/containers/create"),
        ("GET", "/v1.41/containers/web/logs"),
        ("GET", "/v1.41/containers/web/json"),
        ("PUT", "/v1.41/containers/web/archive"),
        ("GET", "/v1.41/containers/x/json"),
    ]
    assert daemon.seen[1].query == {"filters": ['{"name":["web"]}']}
    assert json.loads(daemon.seen[2].body) == {"Image": "alpine"}
    assert daemon.seen[5].body == b"z" * 200_000
    # The lookup ran while the logs response held the first connection: a second one, then both reused.
    assert daemon.connections == 2


@pytest.mark.parametrize(
    "call",
    [
        lambda d: d.containers.list(all=True, filters={"label": ["a=b c"], "status": ["exited"]}, size=False),
        lambda d: d.containers.create(body={"Image": "alpine", "Env": ["A=\u00e9"]}, name="web"),
        lambda d: d.containers.inspect("127.0.0.1:5000/x"),
        lambda d: d.containers.delete("web", v=True, force=False),
        lambda d: d.system.ping_head(),
        lambda d: d.containers.wait("web", condition="next-exit"),
        lambda d: d.services.create(body={"Name": "web"}, x_registry_auth="eyJ1c2VybmFtZSI6ImEifQ=="),
    ],
)
def test_fast_path_and_httpx_path_send_the_same_request(daemon: FakeDaemon, call: Any) -> None:
    # One answer for all: where the op expects another status, both paths must fail alike.
    for _ in range(2):
        daemon.answers.append(json_answer({"Id": "x", "Warnings": [], "StatusCode": 0}, status=200))
    with Docker41(daemon.url) as docker:
        try:
            fast_result = call(docker)
        except APIError as exc:  # a status the op does not expect: compare the errors instead
            fast_result = (exc.status_code, exc.message)
        except DockerError as exc:  # an answer of the wrong shape (an object for a list)
            fast_result = str(exc)
    with httpx_path_client(daemon.url) as docker:
        try:
            slow_result = call(docker)
        except APIError as exc:
            slow_result = (exc.status_code, exc.message)
        except DockerError as exc:
            slow_result = str(exc)
    fast, slow = daemon.seen
    assert (fast.method, fast.path, fast.query) == (slow.method, slow.path, slow.query)
    # The same JSON, whatever the spacing and escaping.
    assert (json.loads(fast.body) if fast.body else None) == (json.loads(slow.body) if slow.body else None)
    assert fast.headers.get("content-type") == slow.headers.get("content-type")
    assert fast.headers.get("x-registry-auth") == slow.headers.get("x-registry-auth")
    if isinstance(fast_result, httpx.Headers):
        assert fast_result["content-type"] == slow_result["content-type"]
    elif hasattr(fast_result, "to_dict"):
        assert fast_result.to_dict() == slow_result.to_dict()
    else:
        assert fast_result == slow_result


def test_dot_segments_in_a_name_stay_inside_the_resource(daemon: FakeDaemon) -> None:
    daemon.answers += [Answer(204), Answer(200)]
    with Docker41(daemon.url) as docker:
        docker.containers.delete("../images/alpine")  # fast path
        docker.containers.put_archive("../images/alpine", path="/", body=b"")  # httpx path
    for seen in daemon.seen:
        assert seen.path.startswith("/v1.41/containers/")
        assert ".." not in seen.path.split("/")


def test_async_calls_start_no_tasks(daemon: FakeDaemon) -> None:
    # An async generator left unfinished per response would be finalized by a
    # task (and a self-pipe wake-up) each: a third of a ping's cost.
    daemon.answers += [Answer(200, body=b"OK")] * 50 + [json_answer([{"Id": "a"}] * 50)]
    created: list[Any] = []

    async def main() -> None:
        loop = asyncio.get_running_loop()

        def factory(loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> asyncio.Task[Any]:
            created.append(coro)
            return asyncio.Task(coro, loop=loop, **kwargs)

        async with AsyncDocker41(daemon.url) as docker:
            await docker.system.ping()
            loop.set_task_factory(factory)  # type: ignore[arg-type]
            for _ in range(49):
                assert await docker.system.ping() == "OK"
            assert len(await docker.containers.list()) == 50
            await asyncio.sleep(0)  # where finalizer tasks would have been scheduled
            loop.set_task_factory(None)

    asyncio.run(main())
    assert created == []
    assert daemon.connections == 1


@pytest.mark.parametrize("stall_after", [0, 20, 120])  # before the head, in the head, in the body
def test_a_stalled_response_times_out_on_the_fast_paths(daemon: FakeDaemon, stall_after: int) -> None:
    body = json.dumps([{"Id": "a" * 64}] * 20).encode()
    assert len(body) > 120
    stalled = Answer(200, [("Content-Type", "application/json")], body, stall_after=stall_after)
    daemon.answers += [stalled, stalled]
    with Docker41(daemon.url).with_timeout(0.3) as docker, pytest.raises(DockerTimeoutError):
        docker.containers.list()

    async def main() -> None:
        async with AsyncDocker41(daemon.url) as docker:
            with pytest.raises(DockerTimeoutError):
                await docker.with_timeout(0.3).containers.list()

    asyncio.run(main())


def test_async_uploads_are_read_off_the_event_loop(daemon: FakeDaemon) -> None:
    threads: list[str] = []

    def body() -> Iterator[bytes]:
        for piece in (b"a" * 100, b"b" * 100):
            threads.append(threading.current_thread().name)
            yield piece

    async def main() -> None:
        async with AsyncDocker41(daemon.url) as docker:
            await docker.containers.put_archive("web", path="/tmp", body=body())

    asyncio.run(main())
    assert daemon.last.body == b"a" * 100 + b"b" * 100
    assert threads and threading.main_thread().name not in threads


def test_async_credentials_are_resolved_off_the_event_loop(daemon: FakeDaemon, monkeypatch: pytest.MonkeyPatch) -> None:
    import docker_engine._auth as auth_module
    from docker_engine._auth import AuthConfig

    threads: list[str] = []

    def resolve(reference: str, **_: Any) -> AuthConfig:
        threads.append(threading.current_thread().name)
        return AuthConfig(username="u", password="p", serveraddress="localhost:5000")

    monkeypatch.setattr(auth_module, "resolve_auth", resolve)
    daemon.answers.append(Answer(200, [("Content-Type", "application/json")], b'{"status":"Pulled"}\n'))

    async def main() -> None:
        async with AsyncDocker41(daemon.url) as docker:
            stream = await docker.images.create(from_image="localhost:5000/app", tag="1")
            assert [m.status async for m in stream] == ["Pulled"]

    asyncio.run(main())
    assert threads and threading.main_thread().name not in threads
    assert "x-registry-auth" in daemon.last.headers


def test_async_large_bodies_both_ways_with_flow_control(daemon: FakeDaemon, monkeypatch: pytest.MonkeyPatch) -> None:
    import docker_engine._async_transports as transports

    seen_buffered: list[int] = []
    received = transports._Protocol.data_received

    def recording(self: Any, data: bytes) -> None:
        received(self, data)
        seen_buffered.append(self.buffered)

    monkeypatch.setattr(transports._Protocol, "data_received", recording)
    upload = bytes(range(256)) * (4 * 4096)  # 4 MiB
    download = [bytes([i % 251]) * 65536 for i in range(64)]  # 4 MiB in 64 chunks
    daemon.answers += [Answer(200), Answer(200, [("Content-Type", "application/x-tar")], download)]

    async def main() -> bytes:
        async with AsyncDocker41(daemon.url) as docker:
            await docker.containers.put_archive("web", path="/tmp", body=upload)
            stream = await docker.containers.export("web")
            out = bytearray()
            async for chunk in stream:
                out += chunk
                await asyncio.sleep(0.002)  # a slow consumer: the daemon must wait, not fill our memory
            return bytes(out)

    assert asyncio.run(main()) == b"".join(download)
    assert daemon.seen[0].body == upload
    # Reading pauses past 2 * READ_SIZE buffered; one more read may land first.
    assert 2 * transports.READ_SIZE < max(seen_buffered) <= 3 * transports.READ_SIZE
