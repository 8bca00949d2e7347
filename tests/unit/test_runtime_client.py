"""The generated clients (v1.41 and v1.56) over `httpx.MockTransport`: the exact
requests the generated methods send and how the runtime reads the answers."""

from __future__ import annotations

import asyncio
import base64
import importlib
import io
import json
import logging
import re
import struct
import tarfile
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from docker_engine._async_streams import AsyncFrameStream, AsyncJSONStream
from docker_engine._auth import AuthConfig
from docker_engine._errors import (
    APIError,
    ConflictError,
    DockerConnectionError,
    DockerError,
    DockerTimeoutError,
    NotFoundError,
    ServerError,
    StreamError,
)
from docker_engine._streams import Frame
from docker_engine._sync_streams import FrameStream, JSONStream

VERSIONS = ["1.41", "1.56"]
MULTIPLEXED = "application/vnd.docker.multiplexed-stream"
RAW = "application/vnd.docker.raw-stream"


def package(version: str) -> Any:
    return importlib.import_module("docker_engine.v" + version.replace(".", "_"))


def model(version: str, name: str) -> Any:
    return getattr(importlib.import_module(f"docker_engine.v{version.replace('.', '_')}.models"), name)


def frame(stream: int, data: bytes) -> bytes:
    return struct.pack(">BxxxL", stream, len(data)) + data


class Body(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body in the given chunks, recording whether it was closed."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


Reply = httpx.Response | Callable[[httpx.Request], httpx.Response]


@dataclass
class Daemon:
    """A scripted daemon: answers each request with the next reply, records the requests."""

    replies: list[Reply] = field(default_factory=list)
    requests: list[httpx.Request] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.replies.pop(0) if self.replies else httpx.Response(200, json={})
        return reply(request) if callable(reply) else reply

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    def client(self, version: str) -> Any:
        return package(version).Docker("unix:///nonexistent.sock", transport=httpx.MockTransport(self.handle))

    def async_client(self, version: str) -> Any:
        return package(version).AsyncDocker("unix:///nonexistent.sock", transport=httpx.MockTransport(self.handle))


def reply(status: int = 200, *, json_body: Any = None, text: str | None = None, **kwargs: Any) -> httpx.Response:
    if json_body is not None:
        return httpx.Response(status, json=json_body, **kwargs)
    if text is not None:
        return httpx.Response(status, text=text, **kwargs)
    return httpx.Response(status, **kwargs)


def query(request: httpx.Request) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in request.url.params.multi_items():
        out.setdefault(key, []).append(value)
    return out


@pytest.fixture(params=VERSIONS)
def version(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def daemon() -> Daemon:
    return Daemon()


@pytest.fixture(autouse=True)
def _hermetic_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    for name in ("DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_TLS", "DOCKER_CERT_PATH", "DOCKER_CONTEXT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker-config"))


# -- paths, parameters, bodies ---------------------------------------------------------------------------------------


def test_versioned_path_prefix(daemon: Daemon, version: str) -> None:
    daemon.replies.append(reply(json_body={"Version": "27.0.1", "ApiVersion": version}))
    with daemon.client(version) as docker:
        result = docker.system.version()
    assert daemon.last.method == "GET"
    assert daemon.last.url.raw_path == f"/v{version}/version".encode()
    assert result.api_version == version
    assert docker.api_version == version


def test_list_sends_true_and_compact_json_filters(daemon: Daemon, version: str) -> None:
    daemon.replies.append(reply(json_body=[{"Id": "abc", "Names": ["/web"], "State": "exited"}]))
    with daemon.client(version) as docker:
        result = docker.containers.list(all=True, filters={"status": ["exited"]})
    request = daemon.last
    assert request.url.path == f"/v{version}/containers/json"
    assert query(request) == {"all": ["true"], "filters": ['{"status":["exited"]}']}
    assert b"all=true" in request.url.query
    assert request.content == b""
    assert result is not None
    assert [c.id for c in result] == ["abc"]
    assert result[0].names == ["/web"]
    assert type(result[0]).__name__ == "ContainerSummary"


def test_parameters_not_given_are_not_sent(daemon: Daemon, version: str) -> None:
    daemon.replies.append(reply(json_body=[]))
    with daemon.client(version) as docker:
        assert docker.containers.list() == []
    assert daemon.last.url.query == b""
    assert "content-type" not in daemon.last.headers


def test_falsy_values_that_are_given_are_sent(daemon: Daemon, version: str) -> None:
    daemon.replies.append(reply(json_body=[]))
    with daemon.client(version) as docker:
        docker.containers.list(all=False, limit=0, size=False)
    assert query(daemon.last) == {"all": ["false"], "limit": ["0"], "size": ["false"]}


def test_filters_string_passes_through(daemon: Daemon, version: str) -> None:
    daemon.replies.append(reply(json_body=[]))
    with daemon.client(version) as docker:
        docker.images.list(filters='{"dangling": ["true"]}')
    assert query(daemon.last)["filters"] == ['{"dangling": ["true"]}']


def test_null_list_response_is_an_empty_list(daemon: Daemon, version: str) -> None:
    daemon.replies.append(reply(text="null", headers={"Content-Type": "application/json"}))
    with daemon.client(version) as docker:
        assert docker.containers.list() == []


def test_image_reference_stays_one_path(daemon: Daemon, version: str) -> None:
    daemon.replies.append(reply(json_body={"Id": "sha256:1"}))
    with daemon.client(version) as docker:
        docker.images.inspect("127.0.0.1:5000/team/app:1")
    assert daemon.last.url.raw_path == f"/v{version}/images/127.0.0.1:5000/team/app:1/json".encode()


@pytest.mark.parametrize(
    ("name", "quoted"),
    [("my container", b"my%20container"), ("a?b#c", b"a%3Fb%23c"), ("100%", b"100%25"), ("caf\u00e9", b"caf%C3%A9")],
)
def test_path_parameters_are_quoted(daemon: Daemon, name: str, quoted: bytes) -> None:
    daemon.replies.append(reply(json_body={"Id": "x"}))
    with daemon.client("1.41") as docker:
        docker.containers.inspect(name)
    assert daemon.last.url.raw_path == b"/v1.41/containers/" + quoted + b"/json"
    assert daemon.last.url.query == b""


def test_dot_segments_in_a_path_parameter_cannot_escape_the_resource(daemon: Daemon) -> None:
    daemon.replies.append(reply(204))
    with daemon.client("1.41") as docker:
        docker.containers.delete("../images/alpine")
    assert daemon.last.url.raw_path.startswith(b"/v1.41/containers/")


def test_create_sends_json_body_and_returns_typed_model(daemon: Daemon, version: str) -> None:
    daemon.replies.append(reply(201, json_body={"Id": "e90e34656806", "Warnings": []}))
    body = {"Image": "alpine:3.19", "Cmd": ["echo", "hi"], "Labels": {"a": "b"}, "HostConfig": {"AutoRemove": True}}
    with daemon.client(version) as docker:
        created = docker.containers.create(body=body, name="x")
    request = daemon.last
    assert request.method == "POST"
    assert request.url.path == f"/v{version}/containers/create"
    assert query(request) == {"name": ["x"]}
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == body
    assert created.id == "e90e34656806"
    assert created.warnings == []
    assert type(created).__name__ == "ContainerCreateResponse"


def test_create_with_a_generated_model_body(daemon: Daemon, version: str) -> None:
    create_request = model(version, "ContainerCreateRequest")
    host_config = model(version, "HostConfig")
    body = create_request(image="alpine", cmd=["true"], host_config=host_config(auto_remove=True))
    daemon.replies.append(reply(201, json_body={"Id": "abc", "Warnings": None}))
    with daemon.client(version) as docker:
        created = docker.containers.create(body=body)
    sent = json.loads(daemon.last.content)
    assert sent == body.to_dict()
    assert sent["Image"] == "alpine"
    assert sent["Cmd"] == ["true"]
    assert sent["HostConfig"]["AutoRemove"] is True
    assert daemon.last.url.query == b""
    assert created.id == "abc"
    assert created.warnings == []  # null reads as an empty list


def test_json_and_headers_not_mixed_with_binary_content_type(daemon: Daemon, version: str) -> None:
    daemon.replies.append(reply(200, json_body={"Warnings": []}))
    with daemon.client(version) as docker:
        docker.containers.update("c1", body={"Memory": 1024})
    assert daemon.last.headers["content-type"] == "application/json"
    assert json.loads(daemon.last.content) == {"Memory": 1024}


# -- error statuses ---------------------------------------------------------------------------------------------------


def test_404_raises_not_found_with_daemon_message(daemon: Daemon, version: str) -> None:
    daemon.replies.append(reply(404, json_body={"message": "No such container: nope"}))
    with daemon.client(version) as docker, pytest.raises(NotFoundError) as info:
        docker.containers.inspect("nope")
    err = info.value
    assert err.status_code == 404
    assert err.message == "No such container: nope"
    assert err.method == "GET"
    assert err.path == f"/v{version}/containers/nope/json"
    assert str(err) == f"404 GET /v{version}/containers/nope/json: No such container: nope"


def test_409_raises_conflict(daemon: Daemon, version: str) -> None:
    message = "You cannot remove a running container abc. Stop the container before attempting removal or force remove"
    daemon.replies.append(reply(409, json_body={"message": message}))
    with daemon.client(version) as docker, pytest.raises(ConflictError) as info:
        docker.containers.delete("abc")
    assert info.value.message == message
    assert info.value.method == "DELETE"
    assert info.value.path == f"/v{version}/containers/abc"


def test_500_raises_server_error_with_text_body(daemon: Daemon, version: str) -> None:
    daemon.replies.append(reply(500, text="internal failure\n"))
    with daemon.client(version) as docker, pytest.raises(ServerError) as info:
        docker.system.info()
    assert info.value.message == "internal failure"
    assert info.value.status_code == 500
    assert isinstance(info.value, DockerError)


def test_another_success_status_is_success(daemon: Daemon) -> None:
    # Podman answers secret create with 200 where dockerd says 201: the secret exists, and
    # its ID must not be lost in an error. Any 2xx is success, its body read as the spec's.
    daemon.replies.append(reply(200, json_body={"ID": "s3cr3t"}))
    daemon.replies.append(reply(201, json_body={"Id": "x", "Warnings": []}))
    with daemon.client("1.41") as docker:
        assert docker.secrets.create(body={"Name": "s", "Data": "eA=="}).id == "s3cr3t"
        assert docker.containers.create(body={"Image": "alpine"}).id == "x"
    # A 3xx other than the spec's 304 stays an error.
    daemon.replies.append(reply(302))
    with daemon.client("1.41") as docker, pytest.raises(APIError) as info:
        docker.containers.create(body={"Image": "alpine"})
    assert info.value.status_code == 302


@pytest.mark.parametrize("status", [204, 304])
def test_start_204_and_304_return_none(daemon: Daemon, version: str, status: int) -> None:
    daemon.replies.append(reply(status))
    with daemon.client(version) as docker:
        assert docker.containers.start("abc") is None
    assert daemon.last.method == "POST"
    assert daemon.last.url.path == f"/v{version}/containers/abc/start"


def test_stop_sends_timeout_param(daemon: Daemon, version: str) -> None:
    daemon.replies.append(reply(304))
    with daemon.client(version) as docker:
        assert docker.containers.stop("abc", t=5) is None
    assert query(daemon.last)["t"] == ["5"]


# -- response kinds ---------------------------------------------------------------------------------------------------


def test_ping_returns_ok_text(daemon: Daemon, version: str) -> None:
    daemon.replies.append(reply(text="OK", headers={"Api-Version": version, "Content-Type": "text/plain"}))
    with daemon.client(version) as docker:
        assert docker.system.ping() == "OK"
    assert daemon.last.url.path == f"/v{version}/_ping"


def test_head_returns_headers(daemon: Daemon, version: str) -> None:
    daemon.replies.append(reply(200, headers={"Api-Version": version, "Docker-Experimental": "false"}))
    with daemon.client(version) as docker:
        headers = docker.system.ping_head()
    assert daemon.last.method == "HEAD"
    assert headers["api-version"] == version


def test_binary_response(daemon: Daemon, version: str) -> None:
    daemon.replies.append(reply(200, content=b"\x00tar\xffdata", headers={"Content-Type": "application/x-tar"}))
    with daemon.client(version) as docker:
        assert docker.containers.archive("abc", path="/etc/hosts").read() == b"\x00tar\xffdata"
    assert query(daemon.last) == {"path": ["/etc/hosts"]}


def test_archive_info_is_a_head_request(daemon: Daemon, version: str) -> None:
    stat = base64.b64encode(
        json.dumps(
            {"name": "hosts", "size": 174, "mode": 420, "mtime": "2024-05-01T10:00:00Z", "linkTarget": ""}
        ).encode()
    ).decode()
    daemon.replies.append(reply(200, headers={"X-Docker-Container-Path-Stat": stat}))
    with daemon.client(version) as docker:
        decoded = docker.containers.archive_info("abc", path="/etc/hosts")
    assert daemon.last.method == "HEAD"
    assert (decoded.name, decoded.size, decoded.permissions) == ("hosts", 174, 0o644)


def test_plain_calls_have_a_read_timeout_and_streams_none(daemon: Daemon, version: str) -> None:
    daemon.replies += [reply(text="OK"), reply(200, stream=Body([]), headers={"Content-Type": MULTIPLEXED})]
    with daemon.client(version) as docker:
        docker.system.ping()
        list(docker.containers.logs("abc", stdout=True))
    plain, stream = daemon.requests[:2]  # (before 1.42 a Tty lookup follows the logs request)
    assert plain.extensions["timeout"]["read"] == 60.0
    assert stream.extensions["timeout"]["read"] is None
    assert stream.extensions["timeout"]["connect"] == 60.0


def test_with_timeout_shares_the_transport(daemon: Daemon, version: str) -> None:
    daemon.replies += [reply(text="OK"), reply(text="OK")]
    with daemon.client(version) as docker:
        quick = docker.with_timeout(2.5)
        assert quick.system.ping() == "OK"
        docker.system.ping()
    assert [r.extensions["timeout"]["read"] for r in daemon.requests] == [2.5, 60.0]


# -- JSON streams -----------------------------------------------------------------------------------------------------


PULL = [
    {"status": "Pulling from library/alpine", "id": "3.19"},
    {"status": "Downloading", "progressDetail": {"current": 1024, "total": 3000}, "progress": "[=>  ]", "id": "c6a8"},
    {"status": "Digest: sha256:abc"},
]


def ndjson(messages: list[Any]) -> bytes:
    return b"".join(json.dumps(m).encode() + b"\n" for m in messages)


def test_images_create_streams_typed_progress(daemon: Daemon, version: str) -> None:
    data = ndjson(PULL)
    daemon.replies.append(reply(200, stream=Body([data[:17], data[17:60], data[60:]])))
    with daemon.client(version) as docker:
        stream = docker.images.create(from_image="alpine", tag="3.19")
        assert isinstance(stream, JSONStream)
        items = list(stream)
    request = daemon.last
    assert request.method == "POST"
    assert request.url.path == f"/v{version}/images/create"
    assert query(request) == {"fromImage": ["alpine"], "tag": ["3.19"]}
    # No credentials given and none configured (DOCKER_CONFIG is empty): an anonymous auth header.
    anonymous = request.headers.get("x-registry-auth")
    assert anonymous is None or json.loads(base64.urlsafe_b64decode(anonymous)) == {}
    assert request.content == b""
    assert [type(i).__name__ for i in items] == ["CreateImageInfo"] * 3
    assert [i.status for i in items] == [m["status"] for m in PULL]
    assert items[0].id == "3.19"
    assert items[1].progress_detail.current == 1024
    assert items[1].progress_detail.total == 3000
    assert [i.to_dict() for i in items] == PULL


def test_images_create_error_inside_the_stream(daemon: Daemon, version: str) -> None:
    error = {"errorDetail": {"message": "manifest for alpine:nope not found"}, "error": "manifest unknown"}
    body = Body([ndjson(PULL[:1]), ndjson([error, PULL[2]])])
    daemon.replies.append(reply(200, stream=body))
    seen = []
    with daemon.client(version) as docker, pytest.raises(StreamError, match="manifest unknown"):
        for item in docker.images.create(from_image="alpine", tag="nope"):
            seen.append(item.status)
    assert seen == [PULL[0]["status"]]
    assert body.closed


def test_registry_auth_header_is_sent_as_given(daemon: Daemon, version: str) -> None:
    auth = "eyJ1c2VybmFtZSI6ImEiLCJwYXNzd29yZCI6ImIifQ=="
    daemon.replies.append(reply(200, stream=Body([ndjson(PULL)])))
    with daemon.client(version) as docker:
        list(docker.images.create(from_image="private/app", x_registry_auth=auth))
    assert daemon.last.headers["x-registry-auth"] == auth


def test_stream_endpoint_error_status_raises_before_streaming(daemon: Daemon, version: str) -> None:
    body = Body([b'{"message":"pull access denied for nope, repository does not exist"}'])
    daemon.replies.append(reply(404, stream=body, headers={"Content-Type": "application/json"}))
    with daemon.client(version) as docker, pytest.raises(NotFoundError) as info:
        docker.images.create(from_image="nope")
    assert info.value.message == "pull access denied for nope, repository does not exist"
    assert info.value.method == "POST"
    assert body.closed


EVENT = {
    "Type": "container",
    "Action": "start",
    "Actor": {"ID": "ede54ee1afda", "Attributes": {"image": "alpine", "name": "web"}},
    "scope": "local",
    "time": 1461943101,
    "timeNano": 1461943101381709551,
}


def test_events_yield_typed_event_messages(daemon: Daemon, version: str) -> None:
    unknown = {**EVENT, "Type": "volume-snapshot", "Action": "freeze"}
    data = ndjson([EVENT, unknown])
    daemon.replies.append(reply(200, stream=Body([data[:40], data[40:]])))
    with daemon.client(version) as docker:
        events = list(docker.system.events(since=1461943100, filters={"type": ["container"]}))
    assert query(daemon.last) == {"since": ["1461943100"], "filters": ['{"type":["container"]}']}
    assert daemon.last.extensions["timeout"]["read"] is None
    first, second = events
    assert type(first).__name__ == "EventMessage"
    assert first.type_ == "container"
    assert first.action == "start"
    assert first.actor.id == "ede54ee1afda"
    assert first.actor.attributes["name"] == "web"
    assert first.time_nano == 1461943101381709551
    assert second.type_ == "volume-snapshot"  # an open enum: a newer daemon's value is kept
    assert second.to_dict() == unknown


def test_stats_stream(daemon: Daemon, version: str) -> None:
    daemon.replies.append(reply(200, stream=Body([b'{"read":"2024-01-01T00:00:00Z","pids_stats":{"current":3}}\n'])))
    with daemon.client(version) as docker:
        stats = list(docker.containers.stats("abc", stream=False))
    assert query(daemon.last) == {"stream": ["false"]}
    # Typed (a model) or plain, the message keeps every field the daemon sent.
    as_dicts = [s.to_dict() if hasattr(s, "to_dict") else s for s in stats]
    assert as_dicts == [{"read": "2024-01-01T00:00:00Z", "pids_stats": {"current": 3}}]


# -- output frames ----------------------------------------------------------------------------------------------------


def test_logs_decode_multiplexed_frames(daemon: Daemon, version: str) -> None:
    data = frame(1, b"line 1\n") + frame(2, b"warning\n") + frame(1, b"line 2\n")
    body = Body([data[:3], data[3:20], data[20:]])
    daemon.replies.append(reply(200, stream=body, headers={"Content-Type": MULTIPLEXED}))
    with daemon.client(version) as docker:
        stream = docker.containers.logs("web", stdout=True, stderr=True, tail="10", timestamps=False)
        assert isinstance(stream, FrameStream)
        frames = list(stream)
    logs = daemon.requests[0]
    assert logs.url.path == f"/v{version}/containers/web/logs"
    assert query(logs) == {"stdout": ["true"], "stderr": ["true"], "timestamps": ["false"], "tail": ["10"]}
    assert frames == [Frame(1, b"line 1\n"), Frame(2, b"warning\n"), Frame(1, b"line 2\n")]
    assert body.closed
    # From 1.42 the Content-Type says how the output is framed; before, the container's Tty does.
    lookups = [(r.method, r.url.path) for r in daemon.requests[1:]]
    assert lookups == ([] if version == "1.56" else [("GET", "/v1.41/containers/web/json")])


def test_logs_stdout_helper(daemon: Daemon, version: str) -> None:
    data = frame(1, b"out ") + frame(2, b"err ") + frame(1, b"more")
    daemon.replies.append(reply(200, stream=Body([data]), headers={"Content-Type": MULTIPLEXED}))
    with daemon.client(version) as docker:
        assert docker.containers.logs("web", stdout=True, stderr=True).stdout() == b"out more"


def test_logs_raw_stream_from_api_1_42_yields_stdout_frames(daemon: Daemon) -> None:
    # From 1.42 the daemon labels a TTY container's logs raw-stream, and means it.
    payload = [b"\x01\x00\x00\x00 not a header", b"\r\nprompt$ "]
    daemon.replies.append(reply(200, stream=Body(payload), headers={"Content-Type": RAW}))
    with daemon.client("1.56") as docker:
        frames = list(docker.containers.logs("tty", stdout=True))
    assert {f.stream for f in frames} == {1}
    assert b"".join(f.data for f in frames) == b"".join(payload)


def test_logs_before_1_42_ignore_the_raw_stream_label(daemon: Daemon) -> None:
    # Before 1.42 the daemon labels every logs response raw-stream, multiplexed ones too.
    data = frame(1, b"out") + frame(2, b"err")
    daemon.replies += [
        reply(200, stream=Body([data]), headers={"Content-Type": RAW}),
        reply(json_body={"Id": "0123abcd", "Config": {"Tty": False}}),
    ]
    with daemon.client("1.41") as docker:
        frames = list(docker.containers.logs("web", stdout=True, stderr=True))
    assert frames == [Frame(1, b"out"), Frame(2, b"err")]


def test_logs_before_1_42_of_a_tty_container_are_raw(daemon: Daemon) -> None:
    payload = b"\x1b[1mbold\x1b[0m prompt$ "
    daemon.replies += [
        reply(200, stream=Body([payload]), headers={"Content-Type": RAW}),
        reply(json_body={"Id": "0123abcd", "Config": {"Tty": True}}),
    ]
    with daemon.client("1.41") as docker:
        frames = list(docker.containers.logs("web", stdout=True))
    assert frames == [Frame(1, payload)]
    assert [r.url.path for r in daemon.requests] == ["/v1.41/containers/web/logs", "/v1.41/containers/web/json"]


def test_tty_lookup_is_cached_by_id_not_by_name(daemon: Daemon) -> None:
    inspect = reply(json_body={"Id": "0123abcd" * 8, "Config": {"Tty": True}})
    for _ in range(3):
        daemon.replies += [reply(200, stream=Body([b"x"]), headers={"Content-Type": RAW}), inspect]
    daemon.replies += [reply(200, stream=Body([b"x"]), headers={"Content-Type": RAW})]
    with daemon.client("1.41") as docker:
        for container in ("web", "web", "0123abcd", "0123abcd"):
            assert docker.containers.logs(container, stdout=True).stdout() == b"x"
    paths = [r.url.path.rsplit("/", 1)[-1] for r in daemon.requests]
    # A name may later belong to another container: looked up each time. An ID: once.
    assert paths == ["logs", "json", "logs", "json", "logs", "json", "logs"]


def test_failed_tty_lookup_closes_the_logs_response(daemon: Daemon) -> None:
    body = Body([frame(1, b"x")])
    daemon.replies += [
        reply(200, stream=body, headers={"Content-Type": RAW}),
        reply(404, json_body={"message": "No such container: web"}),
    ]
    with daemon.client("1.41") as docker, pytest.raises(DockerError):
        docker.containers.logs("web", stdout=True)
    assert body.closed


def test_truncated_log_stream_raises(daemon: Daemon, version: str) -> None:
    data = frame(1, b"complete") + frame(2, b"cut off")[:-2]
    daemon.replies.append(reply(200, stream=Body([data]), headers={"Content-Type": MULTIPLEXED}))
    with daemon.client(version) as docker, pytest.raises(StreamError, match="left over"):
        list(docker.containers.logs("web", stdout=True))


def test_logs_of_missing_container(daemon: Daemon, version: str) -> None:
    body = Body([b'{"message":"No such container: gone"}'])
    daemon.replies.append(reply(404, stream=body, headers={"Content-Type": "application/json"}))
    with daemon.client(version) as docker, pytest.raises(NotFoundError, match="No such container: gone") as info:
        docker.containers.logs("gone", stdout=True)
    assert info.value.path == f"/v{version}/containers/gone/logs"
    assert body.closed


def test_exec_start_with_tty_is_raw(daemon: Daemon, version: str) -> None:
    # A POST is labelled raw-stream whatever it carries: the request's Tty decides.
    daemon.replies.append(reply(200, stream=Body([b"\x02raw tty bytes"]), headers={"Content-Type": RAW}))
    with daemon.client(version) as docker:
        frames = list(docker.exec.start("e1", body={"Detach": False, "Tty": True}))
    assert json.loads(daemon.last.content) == {"Detach": False, "Tty": True}
    assert frames == [Frame(1, b"\x02raw tty bytes")]


def test_exec_start_without_tty_is_multiplexed(daemon: Daemon, version: str) -> None:
    data = frame(1, b"hello\n") + frame(2, b"oops\n")
    daemon.replies.append(reply(200, stream=Body([data]), headers={"Content-Type": RAW}))
    with daemon.client(version) as docker:
        frames = list(docker.exec.start("e1", body={"Detach": False, "Tty": False}))
    assert frames == [Frame(1, b"hello\n"), Frame(2, b"oops\n")]


# -- binary request bodies ---------------------------------------------------------------------------------------------


def test_put_archive_bytes(daemon: Daemon, version: str) -> None:
    tar = b"hello.txt\x00" + bytes(range(256)) * 4
    daemon.replies.append(reply(200))
    with daemon.client(version) as docker:
        assert docker.containers.put_archive("abc", path="/tmp", body=tar) is None
    request = daemon.last
    assert request.method == "PUT"
    assert request.url.path == f"/v{version}/containers/abc/archive"
    assert query(request) == {"path": ["/tmp"]}
    assert request.headers["content-type"] == "application/x-tar"
    assert request.headers["content-length"] == str(len(tar))
    assert request.content == tar


def test_put_archive_file_object_is_streamed(daemon: Daemon, version: str) -> None:
    tar = bytes(range(256)) * 1000  # bigger than one read chunk
    source = io.BytesIO(tar)
    daemon.replies.append(reply(200))
    with daemon.client(version) as docker:
        docker.containers.put_archive("abc", path="/tmp", body=source)
    request = daemon.last
    assert request.headers["content-type"] == "application/x-tar"
    assert request.headers.get("transfer-encoding") == "chunked"
    assert "content-length" not in request.headers
    assert request.content == tar
    assert source.tell() == len(tar)


def test_put_archive_iterable_of_chunks(daemon: Daemon, version: str) -> None:
    chunks = [b"part1-", b"", b"part2-", b"part3"]
    daemon.replies.append(reply(200))
    with daemon.client(version) as docker:
        docker.containers.put_archive("abc", path="/srv", body=iter(chunks))
    assert daemon.last.content == b"part1-part2-part3"
    assert daemon.last.headers["content-type"] == "application/x-tar"


def test_put_archive_error(daemon: Daemon, version: str) -> None:
    daemon.replies.append(reply(400, json_body={"message": "not a directory"}))
    with daemon.client(version) as docker, pytest.raises(APIError, match="not a directory") as info:
        docker.containers.put_archive("abc", path="/etc/hosts", body=b"")
    assert info.value.status_code == 400
    assert info.value.method == "PUT"


# -- transport failures ------------------------------------------------------------------------------------------------


def failing(exc: type[httpx.TransportError]) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc("simulated", request=request)

    return handler


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (httpx.ConnectError, DockerConnectionError),
        (httpx.ConnectTimeout, DockerConnectionError),
        (httpx.ReadTimeout, DockerTimeoutError),
        (httpx.ReadError, DockerConnectionError),
        (httpx.RemoteProtocolError, DockerConnectionError),
    ],
)
def test_transport_errors_become_docker_errors(
    daemon: Daemon, exc: type[httpx.TransportError], expected: type[DockerError]
) -> None:
    daemon.replies.append(failing(exc))
    with daemon.client("1.41") as docker, pytest.raises(expected) as info:
        docker.system.ping()
    assert "unix:///nonexistent.sock" in str(info.value)
    assert isinstance(info.value.__cause__, exc)


def test_transport_error_on_a_stream_endpoint(daemon: Daemon) -> None:
    daemon.replies.append(failing(httpx.ConnectError))
    with daemon.client("1.56") as docker, pytest.raises(DockerConnectionError, match=r"unix:///nonexistent\.sock"):
        docker.containers.logs("abc", stdout=True)


# -- client object -----------------------------------------------------------------------------------------------------


def test_client_basics(daemon: Daemon, version: str) -> None:
    docker = daemon.client(version)
    try:
        assert docker.api_version == version
        assert docker.base_url == "unix:///nonexistent.sock"
        assert repr(docker) == f"Docker('unix:///nonexistent.sock', api_version='{version}')"
        assert docker.containers is docker.containers  # built once
    finally:
        docker.close()


def test_request_repr_hides_registry_credentials() -> None:
    import importlib

    from docker_engine.v1_41.api import ImagesAPI

    # Each operation's request builder lives in the module of its own that versions share.
    _create_request = importlib.import_module(ImagesAPI.create.__module__)._create_request
    request = _create_request(from_image="a", x_registry_auth="c2VjcmV0")
    assert "c2VjcmV0" not in repr(request)
    assert repr(request) == "Request(POST /images/create, kind=json-stream)"
    assert request.headers == {"X-Registry-Auth": "c2VjcmV0"}


# -- asyncio -----------------------------------------------------------------------------------------------------------


def test_async_requests_and_responses(daemon: Daemon, version: str) -> None:
    daemon.replies += [
        reply(json_body=[{"Id": "abc"}]),
        reply(201, json_body={"Id": "new", "Warnings": []}),
        reply(304),
        reply(text="OK"),
        reply(404, json_body={"message": "No such container: nope"}),
        reply(409, json_body={"message": "name in use"}),
        reply(200),
    ]

    async def main() -> None:
        async with daemon.async_client(version) as docker:
            listed = await docker.containers.list(all=True, filters={"status": ["exited"]})
            assert [c.id for c in listed] == ["abc"]
            created = await docker.containers.create(body={"Image": "alpine"}, name="x")
            assert created.id == "new"
            assert await docker.containers.start("new") is None
            assert await docker.system.ping() == "OK"
            with pytest.raises(NotFoundError) as info:
                await docker.containers.inspect("nope")
            assert (info.value.method, info.value.path) == ("GET", f"/v{version}/containers/nope/json")
            with pytest.raises(ConflictError, match="name in use"):
                await docker.containers.create(body={"Image": "alpine"}, name="x")
            await docker.containers.put_archive("abc", path="/tmp", body=io.BytesIO(b"t" * 100_000))
            assert docker.api_version == version
            assert repr(docker).startswith("AsyncDocker(")

    asyncio.run(main())
    listed, created, started, ping, _, _, archive = daemon.requests
    assert query(listed) == {"all": ["true"], "filters": ['{"status":["exited"]}']}
    assert listed.url.path == f"/v{version}/containers/json"
    assert json.loads(created.content) == {"Image": "alpine"}
    assert query(created) == {"name": ["x"]}
    assert started.url.path == f"/v{version}/containers/new/start"
    assert ping.url.path == f"/v{version}/_ping"
    assert archive.headers["content-type"] == "application/x-tar"
    assert archive.content == b"t" * 100_000


def test_async_streams(daemon: Daemon, version: str) -> None:
    pull = ndjson(PULL)
    logs = frame(1, b"out") + frame(2, b"err")
    error = ndjson([PULL[0]]), ndjson([{"error": "unauthorized"}])
    tty_lookup = [] if version == "1.56" else [reply(json_body={"Id": "0123", "Config": {"Tty": False}})]
    daemon.replies += [
        reply(200, stream=Body([pull[:25], pull[25:]])),
        reply(200, stream=Body([logs[:5], logs[5:]]), headers={"Content-Type": MULTIPLEXED}),
        *tty_lookup,
        reply(200, stream=Body(list(error))),
        reply(200, stream=Body([ndjson([EVENT])])),
        reply(404, stream=Body([b'{"message":"No such container: x"}'])),
    ]

    async def main() -> None:
        async with daemon.async_client(version) as docker:
            stream = await docker.images.create(from_image="alpine", tag="3.19", x_registry_auth="YXV0aA==")
            assert isinstance(stream, AsyncJSONStream)
            items = [item async for item in stream]
            assert [i.to_dict() for i in items] == PULL
            assert type(items[0]).__name__ == "CreateImageInfo"

            frames = await docker.containers.logs("web", stdout=True, stderr=True)
            assert isinstance(frames, AsyncFrameStream)
            assert [f async for f in frames] == [Frame(1, b"out"), Frame(2, b"err")]

            seen = []
            with pytest.raises(StreamError, match="unauthorized"):
                async for item in await docker.images.create(from_image="private"):
                    seen.append(item.status)
            assert seen == [PULL[0]["status"]]

            events = [e async for e in await docker.system.events()]
            assert events[0].actor.id == "ede54ee1afda"
            assert type(events[0]).__name__ == "EventMessage"

            with pytest.raises(NotFoundError, match="No such container: x"):
                await docker.containers.logs("x", stdout=True)

    asyncio.run(main())
    pull_request = daemon.requests[0]
    assert query(pull_request) == {"fromImage": ["alpine"], "tag": ["3.19"]}
    assert pull_request.headers["x-registry-auth"] == "YXV0aA=="
    assert daemon.requests[1].extensions["timeout"]["read"] is None


def test_async_transport_errors(daemon: Daemon) -> None:
    daemon.replies += [failing(httpx.ConnectError), failing(httpx.ReadTimeout)]

    async def main() -> None:
        async with daemon.async_client("1.41") as docker:
            with pytest.raises(DockerConnectionError):
                await docker.system.ping()
            with pytest.raises(DockerTimeoutError):
                await docker.system.ping()

    asyncio.run(main())


def test_plugin_create_sends_the_directory_contents(daemon: Daemon, tmp_path: Path) -> None:
    """As `docker plugin create`: config.json and rootfs/ at the top of the tar (a tar
    file is sent as it is)."""
    plugin = tmp_path / "plugin"
    (plugin / "rootfs" / "bin").mkdir(parents=True)
    (plugin / "config.json").write_text('{"Interface": {"Types": ["docker.volumedriver/1.0"]}}')
    (plugin / "rootfs" / "bin" / "tool").write_bytes(b"#!/bin/sh\n")
    daemon.replies += [reply(204), reply(204)]
    with daemon.client("1.41") as docker:
        docker.plugins.create(name="sample", body=plugin)
        sent = daemon.last.read()
        with tarfile.open(fileobj=io.BytesIO(sent)) as tar:
            names = tar.getnames()
        assert {n.removeprefix("./") for n in names} >= {"config.json", "rootfs", "rootfs/bin", "rootfs/bin/tool"}
        (tmp_path / "plugin.tar").write_bytes(sent)
        docker.plugins.create(name="sample", body=tmp_path / "plugin.tar")
        assert daemon.last.read() == sent


# Issue #12: faults found by calling every operation against real daemons.


def test_list_query_parameters_are_repeated_not_comma_joined(daemon: Daemon) -> None:
    daemon.replies += [reply(200, json_body={"status": "done"}), reply(200, content=b""), reply(200, json_body=[])]
    with daemon.client("1.51") as docker:
        list(docker.images.create(from_src="-", body=b"tar", changes=['CMD ["/bin/sh"]', "ENV SWEEP=1"]))
        assert query(daemon.last)["changes"] == ['CMD ["/bin/sh"]', "ENV SWEEP=1"]
        docker.images.get_all(names=["busybox:latest", "alpine:3"]).read()
        assert query(daemon.last)["names"] == ["busybox:latest", "alpine:3"]
        docker.images.delete("busybox", platforms=['{"os":"linux","architecture":"amd64"}', '{"os":"linux"}'])
        assert len(query(daemon.last)["platforms"]) == 2


def test_plugin_pull_and_upgrade_stream_their_progress(daemon: Daemon) -> None:
    progress = b'{"status":"Downloading"}\n{"status":"Installed plugin sample"}\n'
    daemon.replies += [reply(200, content=progress), reply(200, content=progress)]
    with daemon.client("1.41") as docker:
        assert [p.status for p in docker.plugins.pull(remote="localhost:5000/sample", auth=None)][-1] == (
            "Installed plugin sample"
        )
        assert len(list(docker.plugins.upgrade("sample", remote="localhost:5000/sample:2", auth=None))) == 2


def test_plugin_delete_enable_and_push(daemon: Daemon) -> None:
    daemon.replies += [reply(200), reply(200), reply(200, content=b'{"status":"pushed"}\n')]
    with daemon.client("1.41") as docker:
        assert docker.plugins.delete("sample", force=True) is None  # 200, empty body
        docker.plugins.enable("sample")
        assert query(daemon.last)["timeout"] == ["0"]  # the daemon cannot do without it
        list(docker.plugins.push("localhost:5000/sample", auth=AuthConfig(username="u", password="p")))
        assert "x-registry-auth" in daemon.last.headers


def test_each_call_is_one_debug_record(daemon: Daemon, caplog: pytest.LogCaptureFixture) -> None:
    daemon.replies += [reply(200, json_body=[]), reply(404, json_body={"message": "No such container: x"})]
    with caplog.at_level(logging.DEBUG, logger="docker_engine"), daemon.client("1.41") as docker:
        docker.containers.list(filters={"label": ["secret=hunter2"]})
        with pytest.raises(NotFoundError):
            docker.containers.inspect("x")
    ours = [r.getMessage() for r in caplog.records if r.name == "docker_engine.http"]
    assert len(ours) == 2
    assert re.fullmatch(r"GET /v1\.41/containers/json -> 200 in \d+\.\d ms", ours[0])
    assert ours[1].startswith("GET /v1.41/containers/x/json -> 404")
    assert "hunter2" not in caplog.text  # no query string in our records
