"""`images.pull`, `images.push_image`, `images.build_image` over `httpx.MockTransport`: the requests
they send, what `progress=` shows (plain lines, a function, a text stream, a live display on a
pty), what they return, and the errors a stream reports (`StreamError`, `BuildError`)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import fcntl
import importlib
import inspect
import io
import json
import os
import pickle
import pty
import re
import struct
import sys
import termios
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from docker_engine import BuildError, BuildResult, InvalidRequestError, StreamError, versions
from docker_engine import _progress as progress_module
from docker_engine._async_mixins import AsyncImagesMixin
from docker_engine._auth import AuthConfig
from docker_engine._mixins import (
    BuildOptions,
    Reference,
    parse_reference,
)
from docker_engine._progress import describe, format_size, plain_line
from docker_engine._sync_mixins import ImagesMixin

from .test_runtime_client import Body, Daemon, query, reply

VERSIONS = ["1.25", "1.41", "1.51", "1.56"]
LAYER_A, LAYER_B = "9ad63333ebc9", "ec562eabd705"
DIGEST = "sha256:" + "ab" * 32
IMAGE_ID = "sha256:" + "cd" * 32


def ndjson(messages: list[dict[str, Any]]) -> bytes:
    return b"".join(json.dumps(m).encode() + b"\r\n" for m in messages)


def counting(status: str, layer: str, current: int, total: int) -> dict[str, Any]:
    return {
        "status": status,
        "progressDetail": {"current": current, "total": total},
        "progress": f"[=>   ] {current}B/{total}B",
        "id": layer,
    }


def layer(status: str, layer: str) -> dict[str, Any]:
    return {"status": status, "progressDetail": {}, "id": layer}


PULL = [
    {"status": "Pulling from library/busybox", "id": "latest"},
    layer("Pulling fs layer", LAYER_A),
    layer("Pulling fs layer", LAYER_B),
    counting("Downloading", LAYER_A, 32768, 2152262),
    counting("Downloading", LAYER_B, 1000, 5000),
    counting("Downloading", LAYER_A, 2152262, 2152262),
    layer("Verifying Checksum", LAYER_A),
    layer("Download complete", LAYER_A),
    counting("Extracting", LAYER_A, 65536, 2152262),
    layer("Download complete", LAYER_B),
    layer("Pull complete", LAYER_A),
    layer("Pull complete", LAYER_B),
    {"status": f"Digest: {DIGEST}"},
    {"status": "Status: Downloaded newer image for busybox:latest"},
]
PULL_LINES = [
    "latest: Pulling from library/busybox",
    f"{LAYER_A}: Pulling fs layer",
    f"{LAYER_B}: Pulling fs layer",
    f"{LAYER_A}: Verifying Checksum",
    f"{LAYER_A}: Download complete",
    f"{LAYER_B}: Download complete",
    f"{LAYER_A}: Pull complete",
    f"{LAYER_B}: Pull complete",
    f"Digest: {DIGEST}",
    "Status: Downloaded newer image for busybox:latest",
]

PUSH = [
    {"status": "The push refers to repository [127.0.0.1:5000/team/app]"},
    layer("Preparing", LAYER_A),
    layer("Waiting", LAYER_A),
    counting("Pushing", LAYER_A, 512, 2000),
    counting("Pushing", LAYER_A, 2000, 2000),
    layer("Pushed", LAYER_A),
    {"status": f"2: digest: {DIGEST} size: 527"},
    {"progressDetail": {}, "aux": {"Tag": "2", "Digest": DIGEST, "Size": 527}},
]
PUSH_LINES = [
    "The push refers to repository [127.0.0.1:5000/team/app]",
    f"{LAYER_A}: Preparing",
    f"{LAYER_A}: Waiting",
    f"{LAYER_A}: Pushed",
    f"2: digest: {DIGEST} size: 527",
]

BUILD_FAILS = [
    {"stream": "Step 1/3 : FROM busybox\n"},
    {"stream": " ---> 3f57d9401f8d\n"},
    {"stream": "Step 2/3 : RUN echo hi && exit 3\n"},
    {"stream": " ---> Running in 6c1e0bd36a18\n"},
    {"stream": "hi\n"},
    {
        "errorDetail": {"code": 3, "message": "The command '/bin/sh -c echo hi && exit 3' returned a non-zero code: 3"},
        "error": "The command '/bin/sh -c echo hi && exit 3' returned a non-zero code: 3",
    },
]
BUILD_OK = [
    {"stream": "Step 1/2 : FROM busybox\n"},
    {"stream": " ---> 3f57d9401f8d\n"},
    {"stream": "Step 2/2 : LABEL a=b\n"},
    {"stream": " ---> Running in 6c1e0bd36a18\n"},
    {"stream": " ---> 1a2b3c4d5e6f\n"},
    {"aux": {"ID": IMAGE_ID}},
    {"stream": "Successfully built 1a2b3c4d5e6f\n"},
    {"stream": "Successfully tagged demo:1\n"},
]


def inspect_reply(image_id: str = IMAGE_ID) -> httpx.Response:
    return reply(200, json_body={"Id": image_id, "RepoTags": ["busybox:latest"]})


def stream_reply(messages: list[dict[str, Any]], cut: int = 7) -> httpx.Response:
    data = ndjson(messages)
    return reply(200, stream=Body([data[i : i + cut * 50] for i in range(0, len(data), cut * 50)]))


def models(version: str) -> Any:
    return importlib.import_module(f"docker_engine.v{version.replace('.', '_')}.models")


def images(client: Any) -> Any:
    """`client.images`: the generated images API with the handwritten images mixin."""
    api = client.images
    assert isinstance(api, ImagesMixin | AsyncImagesMixin)
    return api


@pytest.fixture(params=VERSIONS)
def version(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def daemon() -> Daemon:
    return Daemon()


def test_the_generated_images_api_inherits_the_mixin() -> None:
    from docker_engine.v1_51.api import AsyncImagesAPI, ImagesAPI

    assert issubclass(ImagesAPI, ImagesMixin)
    assert issubclass(AsyncImagesAPI, AsyncImagesMixin)


# -- references ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ref", "parsed"),
    [
        ("busybox", Reference("busybox", None, None)),
        ("busybox:1.36", Reference("busybox", "1.36", None)),
        ("library/busybox:latest", Reference("library/busybox", "latest", None)),
        ("localhost:5000/team/app", Reference("localhost:5000/team/app", None, None)),
        ("localhost:5000/team/app:2", Reference("localhost:5000/team/app", "2", None)),
        ("127.0.0.1:5000/app:v1.2", Reference("127.0.0.1:5000/app", "v1.2", None)),
        (f"busybox@{DIGEST}", Reference("busybox", None, DIGEST)),
        (f"host:5000/a/b:tag@{DIGEST}", Reference("host:5000/a/b", "tag", DIGEST)),
    ],
)
def test_references_split_like_the_cli(ref: str, parsed: Reference) -> None:
    assert parse_reference(ref) == parsed


@pytest.mark.parametrize("ref", ["", " busybox", "busybox:", "busybox@", "busybox@nodigest", ":1", "@" + DIGEST])
def test_bad_references(ref: str) -> None:
    with pytest.raises(InvalidRequestError):
        parse_reference(ref)


# -- reading messages ---------------------------------------------------------------------------------------------------


def test_messages_read_alike_in_every_version(version: str) -> None:
    pushed = models(version).PushImageInfo.from_dict(counting("Pushing", LAYER_A, 5, 10))
    pulled = models(version).CreateImageInfo.from_dict(counting("Extracting", LAYER_B, 7, 9))
    # PushImageInfo has no `id` field in any version, v1.25's ProgressDetail no current/total:
    # those come from additional_properties.
    assert describe(pushed)[:6] == (LAYER_A, "Pushing", "", True, 5, 10)
    assert describe(pulled)[:6] == (LAYER_B, "Extracting", "", True, 7, 9)
    error = {"errorDetail": {"message": "denied: no"}, "error": "denied: no"}
    assert describe(models(version).BuildInfo.from_dict(error)).error == "denied: no"
    only_detail = {"errorDetail": {"message": "only in the detail"}}
    assert describe(models(version).PushImageInfo.from_dict(only_detail)).error == ("only in the detail")
    aux = models(version).PushImageInfo.from_dict(PUSH[-1])
    assert plain_line(describe(aux)) is None


def test_plain_lines_are_the_clis() -> None:
    assert [plain_line(describe(m)) for m in PULL] == [
        *(line + "\n" for line in PULL_LINES[:3]),
        None,
        None,
        None,
        *(line + "\n" for line in PULL_LINES[3:5]),
        None,
        *(line + "\n" for line in PULL_LINES[5:]),
    ]
    assert plain_line(describe({"stream": "Step 1/2 : FROM x\n"})) == "Step 1/2 : FROM x\n"
    assert plain_line(describe({"status": "Downloading", "progress": "1.2MB", "id": "x"})) == "x: Downloading 1.2MB\n"


def test_sizes() -> None:
    assert [format_size(n) for n in (0, 999, 1000, 45_200, 2_152_262, 987_654_321, 10**13)] == [
        "0B",
        "999B",
        "1kB",
        "45.2kB",
        "2.15MB",
        "988MB",
        "10TB",
    ]


# -- pull -----------------------------------------------------------------------------------------------------------------


def test_pull_writes_the_clis_plain_lines_to_a_text_stream(daemon: Daemon, version: str) -> None:
    daemon.replies += [stream_reply(PULL), inspect_reply()]
    out = io.StringIO()
    with daemon.client(version) as docker:
        image = images(docker).pull("busybox", progress=out)
    assert out.getvalue().splitlines() == PULL_LINES
    assert "\r" not in out.getvalue() and "\x1b" not in out.getvalue()
    images_module = importlib.import_module(f"docker_engine.v{version.replace('.', '_')}.api")
    assert type(image) is images_module.Image  # an Image handle of that version
    assert image.id == image.attrs.id == IMAGE_ID
    create, get = daemon.requests
    assert (create.method, create.url.path) == ("POST", f"/v{version}/images/create")
    assert query(create) == {"fromImage": ["busybox"], "tag": ["latest"]}
    assert (get.method, get.url.path) == ("GET", f"/v{version}/images/busybox:latest/json")


def test_pull_calls_the_function_with_each_typed_message(daemon: Daemon, version: str) -> None:
    daemon.replies += [stream_reply(PULL), inspect_reply()]
    seen: list[Any] = []
    with daemon.client(version) as docker:
        images(docker).pull("localhost:5000/team/app:2", progress=seen.append)
    model = models(version).CreateImageInfo
    assert all(type(m) is model for m in seen)
    assert [m.to_dict() for m in seen] == PULL
    assert query(daemon.requests[0]) == {"fromImage": ["localhost:5000/team/app"], "tag": ["2"]}
    assert daemon.requests[1].url.path == f"/v{version}/images/localhost:5000/team/app:2/json"


def test_pull_by_digest_tag_keyword_and_platform(daemon: Daemon) -> None:
    daemon.replies += [stream_reply(PULL), inspect_reply(), stream_reply(PULL), inspect_reply()]
    with daemon.client("1.51") as docker:
        images(docker).pull(f"busybox@{DIGEST}", platform="linux/arm64")
        images(docker).pull("busybox", tag="1.36", auth=AuthConfig(username="u", password="p"))
    by_digest, inspect_digest, by_tag, _ = daemon.requests
    assert query(by_digest) == {"fromImage": ["busybox"], "tag": [DIGEST], "platform": ["linux/arm64"]}
    assert inspect_digest.url.path == f"/v1.51/images/busybox@{DIGEST}/json"
    assert query(by_tag) == {"fromImage": ["busybox"], "tag": ["1.36"]}
    sent = json.loads(base64.urlsafe_b64decode(by_tag.headers["x-registry-auth"] + "=="))
    assert (sent["username"], sent["password"]) == ("u", "p")
    with pytest.raises(InvalidRequestError, match="not both"):
        images(docker).pull(f"busybox@{DIGEST}", tag="1")


def test_pull_error_in_the_stream_raises_after_showing_what_came(daemon: Daemon, version: str) -> None:
    error = {"errorDetail": {"message": "manifest for busybox:nope not found"}, "error": "manifest unknown"}
    body = Body([ndjson([*PULL[:2], error, PULL[3]])])
    daemon.replies.append(reply(200, stream=body))
    out = io.StringIO()
    seen: list[Any] = []
    with daemon.client(version) as docker:
        with pytest.raises(StreamError, match="manifest unknown") as info:
            images(docker).pull("busybox:nope", progress=out)
        daemon.replies.append(reply(200, stream=Body([ndjson([*PULL[:2], error])])))
        with pytest.raises(StreamError):
            images(docker).pull("busybox:nope", progress=seen.append)
    assert type(info.value) is StreamError
    assert out.getvalue().splitlines() == PULL_LINES[:2]
    assert [describe(m).error for m in seen] == [None, None, "manifest unknown"]  # the error message too
    assert body.closed
    assert [r.url.path for r in daemon.requests] == [f"/v{version}/images/create"] * 2  # no inspect


def test_pull_refused_before_the_stream_is_an_api_error(daemon: Daemon) -> None:
    from docker_engine import NotFoundError

    daemon.replies.append(reply(404, json_body={"message": "pull access denied for nope"}))
    with daemon.client("1.51") as docker, pytest.raises(NotFoundError):
        images(docker).pull("nope", progress=io.StringIO())


def test_progress_takes_nothing_else(daemon: Daemon, capsys: pytest.CaptureFixture[str]) -> None:
    with daemon.client("1.51") as docker:
        with pytest.raises(TypeError, match="progress="):
            images(docker).pull("busybox", progress=3)
        assert not daemon.requests
        for quiet in (None, False):
            daemon.replies += [stream_reply(PULL), inspect_reply()]
            assert images(docker).pull("busybox", progress=quiet).id == IMAGE_ID
    assert capsys.readouterr() == ("", "")


# -- push -----------------------------------------------------------------------------------------------------------------


def test_push_returns_the_digest_and_shows_lines(daemon: Daemon, version: str) -> None:
    daemon.replies.append(stream_reply(PUSH))
    out = io.StringIO()
    with daemon.client(version) as docker:
        digest = images(docker).push_image("127.0.0.1:5000/team/app:2", progress=out)
    assert digest == DIGEST
    assert out.getvalue().splitlines() == PUSH_LINES
    (request,) = daemon.requests
    assert (request.method, request.url.path) == ("POST", f"/v{version}/images/127.0.0.1:5000/team/app/push")
    assert query(request) == {"tag": ["2"]}


def test_push_digest_from_the_status_line_and_default_tag(daemon: Daemon) -> None:
    daemon.replies += [stream_reply(PUSH[:-1]), stream_reply(PUSH[:1])]
    seen: list[Any] = []
    with daemon.client("1.41") as docker:
        assert images(docker).push_image("team/app", progress=seen.append) == DIGEST
        assert images(docker).push_image("team/app", tag="3") is None
    assert [query(r) for r in daemon.requests] == [{"tag": ["latest"]}, {"tag": ["3"]}]
    model = models("1.41").PushImageInfo
    assert [type(m) for m in seen] == [model] * (len(PUSH) - 1)
    with pytest.raises(InvalidRequestError, match="not a digest"):
        images(docker).push_image(f"team/app@{DIGEST}")


def test_push_refused_in_the_stream(daemon: Daemon, version: str) -> None:
    refused = {"errorDetail": {"message": "unauthorized: authentication required"}, "error": "unauthorized: auth"}
    daemon.replies.append(stream_reply([*PUSH[:2], refused]))
    out = io.StringIO()
    with daemon.client(version) as docker, pytest.raises(StreamError, match="unauthorized"):
        images(docker).push_image("127.0.0.1:5000/team/app:2", progress=out)
    assert out.getvalue().splitlines() == PUSH_LINES[:2]


# -- build ----------------------------------------------------------------------------------------------------------------


def test_build_image_returns_the_image_and_the_log(daemon: Daemon, version: str) -> None:
    daemon.replies += [stream_reply(BUILD_OK), inspect_reply()]
    out = io.StringIO()
    with daemon.client(version) as docker:
        result = images(docker).build_image(b"tar", tag="demo:1", nocache=True, pull=True, progress=out)
    assert isinstance(result, BuildResult)
    image, log = result
    assert image.id == IMAGE_ID
    assert [m.to_dict() for m in log] == BUILD_OK
    assert out.getvalue() == "".join(m.get("stream", "") for m in BUILD_OK)
    build, get = daemon.requests
    assert build.url.path == f"/v{version}/build"
    assert query(build) == {"t": ["demo:1"], "nocache": ["true"], "pull": ["1"]}
    assert build.content == b"tar"
    # The ID of the aux message (1.25 has no aux model: it is read from additional_properties).
    assert get.url.path == f"/v{version}/images/{IMAGE_ID}/json"


def test_build_image_without_aux_inspects_the_id_it_printed(daemon: Daemon) -> None:
    daemon.replies += [stream_reply([m for m in BUILD_OK if "aux" not in m]), inspect_reply()]
    with daemon.client("1.25") as docker:
        images(docker).build_image(b"tar")
    assert daemon.requests[1].url.path == "/v1.25/images/1a2b3c4d5e6f/json"


def test_build_error_carries_the_log_and_the_step(daemon: Daemon, version: str) -> None:
    daemon.replies.append(stream_reply(BUILD_FAILS))
    out = io.StringIO()
    with daemon.client(version) as docker, pytest.raises(BuildError) as info:
        images(docker).build_image(b"tar", tag="demo:1", progress=out)
    error = info.value
    assert isinstance(error, StreamError)
    assert error.step == "Step 2/3 : RUN echo hi && exit 3"
    assert error.message == BUILD_FAILS[-1]["error"]
    assert str(error) == f"build failed at {error.step}: {error.message}"
    model = models(version).BuildInfo
    assert [type(m) for m in error.build_log] == [model] * len(BUILD_FAILS)
    assert [m.to_dict() for m in error.build_log] == BUILD_FAILS
    assert error.output().endswith("hi\n")
    assert out.getvalue() == error.output()
    assert len(daemon.requests) == 1
    copy = pickle.loads(pickle.dumps(error))
    assert (type(copy), str(copy), copy.step, copy.build_log) == (BuildError, str(error), error.step, error.build_log)


def test_build_error_before_any_step(daemon: Daemon) -> None:
    daemon.replies.append(stream_reply([{"errorDetail": {"message": "dockerfile parse error"}}]))
    with daemon.client("1.56") as docker, pytest.raises(BuildError) as info:
        images(docker).build_image(b"tar")
    assert (info.value.step, str(info.value)) == (None, "build failed: dockerfile parse error")


def test_build_image_keywords(daemon: Daemon, tmp_path: Any) -> None:
    from docker_engine import build_context

    (tmp_path / "ctx").mkdir()
    (tmp_path / "ctx" / "app.txt").write_text("x")
    (tmp_path / "Containerfile").write_text("FROM busybox\n")
    daemon.replies += [stream_reply(BUILD_OK), inspect_reply()]
    with daemon.client("1.51") as docker:
        context = build_context(tmp_path / "ctx", dockerfile=tmp_path / "Containerfile")
        images(docker).build_image(context)
        assert query(daemon.requests[0]) == {"dockerfile": [context.dockerfile]}  # the name it has in the tar
        with pytest.raises(TypeError, match="write cachefrom="):
            images(docker).build_image(b"tar", cache_from=["x"])
        with pytest.raises(InvalidRequestError, match="remote="):
            images(docker).build_image()
    for method in (ImagesMixin.build_image, AsyncImagesMixin.build_image):
        parameters = inspect.signature(method).parameters
        assert set(parameters) == {
            "self",
            "context",
            "tag",
            "progress",
            "buildkit",
            "secrets",
            "ssh",
            *BuildOptions.__annotations__,
        }


# -- progress=True: a pipe, a terminal ------------------------------------------------------------------------------------


def test_progress_true_on_a_pipe_is_plain(daemon: Daemon, monkeypatch: pytest.MonkeyPatch) -> None:
    read, write = os.pipe()
    daemon.replies += [stream_reply(PULL), inspect_reply()]
    with os.fdopen(write, "w") as out, os.fdopen(read, "rb") as source:
        monkeypatch.setattr(sys, "stdout", out)
        with daemon.client("1.51") as docker:
            images(docker).pull("busybox", progress=True)
        out.close()
        data = source.read()
    assert data.decode().splitlines() == PULL_LINES
    assert b"\r" not in data and b"\x1b" not in data


@contextlib.contextmanager
def terminal(monkeypatch: pytest.MonkeyPatch, columns: int = 100) -> Iterator[bytearray]:
    """sys.stdout on a pty `columns` wide; yields the bytes read from its other end (complete on exit)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    for name in ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "COLUMNS", "LINES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm")
    received = bytearray()

    def drain() -> None:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the slave side closed
                return
            if not chunk:
                return
            received.extend(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    out = os.fdopen(slave, "w")
    try:
        monkeypatch.setattr(sys, "stdout", out)
        yield received
    finally:
        monkeypatch.undo()
        out.close()
        reader.join(10)
        os.close(master)


def screen(data: bytes) -> list[str]:
    """What a terminal shows after `data`: line feeds, carriage returns, cursor up/down, erase line."""
    lines = [""]
    row = col = 0
    for token in re.findall(rb"\x1b\[\??[0-9;]*[A-Za-z]|\r|\n|[^\x1b\r\n]+", data):
        if token == b"\n":
            row += 1
            lines.extend([""] * (row + 1 - len(lines)))
        elif token == b"\r":
            col = 0
        elif token.startswith(b"\x1b["):
            count = int(token[2:-1] or b"1") if token[2:-1].isdigit() else 1
            if token.endswith(b"A"):
                row = max(0, row - count)
            elif token.endswith(b"B"):
                row += count
                lines.extend([""] * (row + 1 - len(lines)))
            elif token == b"\x1b[2K":
                lines[row] = ""
        else:
            text = token.decode()
            line = lines[row].ljust(col)
            lines[row] = line[:col] + text + line[col + len(text) :]
            col += len(text)
    return [line.rstrip() for line in lines if line.strip()]


def test_progress_true_on_a_terminal_without_rich(daemon: Daemon, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress_module, "_rich_available", lambda: False)
    daemon.replies += [stream_reply(PULL), inspect_reply()]
    with terminal(monkeypatch, columns=60) as received, daemon.client("1.51") as docker:
        images(docker).pull("busybox", progress=True)
    data = bytes(received)
    assert b"\x1b[2A" in data and b"\x1b[2B" in data and b"\r\x1b[2K" in data  # back up to a layer's line
    assert f"{LAYER_A}: Downloading [".encode() in data  # a bar while counting
    assert b"2.15MB/2.15MB" in data
    assert screen(data) == [
        "latest: Pulling from library/busybox",
        f"{LAYER_A}: Pull complete",
        f"{LAYER_B}: Pull complete",
        f"Digest: {DIGEST}",
        "Status: Downloaded newer image for busybox:latest",
    ]
    rewritten = re.findall(rb"\r\x1b\[2K([^\r]*)\r", data)
    assert len(rewritten) == len(PULL) - 5 and all(len(line) < 60 for line in rewritten)  # never wraps


def test_progress_true_on_a_terminal_with_rich(daemon: Daemon, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("rich")
    daemon.replies += [stream_reply(PULL), inspect_reply()]
    with terminal(monkeypatch) as received, daemon.client("1.51") as docker:
        images(docker).pull("busybox", progress=True)
    data = bytes(received)
    assert b"\r" in data and re.search(rb"\x1b\[\d*A|\x1b\[2K", data)  # redrawn in place
    text = data.decode("utf-8", "replace")
    for line in ("latest: Pulling from library/busybox", f"Digest: {DIGEST}", f"{LAYER_B}: Pull complete"):
        assert line in text


def test_text_stream_on_a_terminal_still_gets_plain_lines(monkeypatch: pytest.MonkeyPatch, daemon: Daemon) -> None:
    daemon.replies += [stream_reply(PUSH)]
    with terminal(monkeypatch) as received, daemon.client("1.51") as docker:
        images(docker).push_image("team/app:2", progress=sys.stdout)
    assert bytes(received).decode().splitlines() == PUSH_LINES  # the pty turns \n into \r\n; splitlines takes both
    assert b"\x1b" not in bytes(received)


def test_build_on_a_terminal_prints_the_output_and_layers_in_place(
    daemon: Daemon, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(progress_module, "_rich_available", lambda: False)
    pulling = [{"stream": "Step 1/2 : FROM busybox\n"}, *PULL, {"stream": "partial"}, layer("Waiting", "x")]
    daemon.replies += [stream_reply([*pulling, *BUILD_OK[2:]]), inspect_reply()]
    with terminal(monkeypatch) as received, daemon.client("1.51") as docker:
        images(docker).build_image(b"tar", progress=True)
    shown = screen(bytes(received))
    assert shown[:2] == ["Step 1/2 : FROM busybox", "latest: Pulling from library/busybox"]
    assert shown[2:4] == [f"{LAYER_A}: Pull complete", f"{LAYER_B}: Pull complete"]
    assert shown[6:8] == ["partial", "x: Waiting"]  # a layer line never starts inside a line
    assert shown[-1] == "Successfully tagged demo:1"


# -- asyncio ----------------------------------------------------------------------------------------------------------------


def test_async_twins(daemon: Daemon, version: str) -> None:
    refused = {"errorDetail": {"message": "unauthorized: authentication required"}}
    daemon.replies += [
        stream_reply(PULL),
        inspect_reply(),
        stream_reply(PUSH),
        stream_reply([*PUSH[:2], refused]),
        stream_reply(BUILD_OK),
        inspect_reply(),
        stream_reply(BUILD_FAILS),
    ]
    seen: list[str] = []

    async def on_message(message: Any) -> None:
        await asyncio.sleep(0)
        seen.append(describe(message).status)

    async def main() -> None:
        async with daemon.async_client(version) as docker:
            api = images(docker)
            out = io.StringIO()
            image = await api.pull("busybox", progress=on_message)
            assert image.id == IMAGE_ID
            assert await api.push_image("127.0.0.1:5000/team/app:2", progress=out) == DIGEST
            assert out.getvalue().splitlines() == PUSH_LINES
            with pytest.raises(StreamError, match="unauthorized"):
                await api.push_image("127.0.0.1:5000/team/app:2", progress=out)
            image, log = await api.build_image(b"tar", tag="demo:1", progress=lambda m: None)
            assert len(log) == len(BUILD_OK)
            with pytest.raises(BuildError) as info:
                await api.build_image(b"tar")
            assert info.value.step == "Step 2/3 : RUN echo hi && exit 3"
            assert len(info.value.build_log) == len(BUILD_FAILS)

    asyncio.run(main())
    assert seen == [m["status"] for m in PULL]
    assert [r.url.path.split("/", 2)[2] for r in daemon.requests] == [
        "images/create",
        "images/busybox:latest/json",
        "images/127.0.0.1:5000/team/app/push",
        "images/127.0.0.1:5000/team/app/push",
        "build",
        f"images/{IMAGE_ID}/json",
        "build",
    ]


@pytest.mark.parametrize("version", versions.api_versions())
def test_layer_progress_is_typed_in_every_version(version: str) -> None:
    """Issue #15: a pull or push message's layer and its bytes are fields, in every version."""
    models = importlib.import_module(f"docker_engine.v{version.replace('.', '_')}.models")
    wire = {"status": "Pushing", "id": "a1b2c3d4e5f6", "progressDetail": {"current": 512, "total": 2048}}
    for name in ("PushImageInfo", "CreateImageInfo"):
        message = getattr(models, name).from_dict(wire)
        assert message.id == "a1b2c3d4e5f6" and message.additional_properties == {}
        assert (message.progress_detail.current, message.progress_detail.total) == (512, 2048)
        assert message.to_dict() == wire
