"""Builds on real daemons (classic builder) from contexts streamed by
`build_context`: .dockerignore, build args, labels, target, a Dockerfile
outside the context, a failing RUN; and the context compared with what the
docker CLI itself sends."""

from __future__ import annotations

import http.server
import io
import json
import socketserver
import subprocess
import tarfile
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from docker_engine._archive import BuildContext, build_context, read_archive
from docker_engine._errors import ServerError, StreamError

from .daemons import KINDS, daemon_kind


def new_tag(tags: list[str]) -> str:
    tag = f"local/build-test-{uuid.uuid4().hex[:12]}:latest"
    tags.append(tag)
    return tag


def build(docker: Any, ctx: BuildContext, **params: Any) -> tuple[str, str]:
    """Run a build to its end: (the log, the image ID)."""
    log: list[str] = []
    image_id = ""
    for info in docker.images.build(body=ctx, dockerfile=ctx.dockerfile, **params):
        if info.stream:
            log.append(info.stream)
        if info.aux and info.aux.id:
            image_id = info.aux.id
    return "".join(log), image_id


def image_files(docker: Any, image: str, path: str) -> dict[str, bytes]:
    """The regular files under `path` in `image` (read from a created container)."""
    created = docker.containers.create(body={"Image": image, "Cmd": ["sh"]})
    try:
        return read_archive(docker.containers.archive(created.id, path=path))
    finally:
        docker.containers.delete(created.id, force=True)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_build_with_dockerignore_args_and_labels(docker: Any, busybox: str, tmp_path: Path, tags: list[str]) -> None:
    ctx_dir = tmp_path / "ctx"
    write(
        ctx_dir / "Dockerfile",
        f"FROM {busybox}\n"
        "ARG GREETING=unset\n"
        "COPY . /ctx\n"
        # Checked during the build too: a failing test fails the build.
        "RUN test ! -e /ctx/secret.txt && test ! -e /ctx/logs/a.log && test -e /ctx/logs/keep.log"
        ' && test ! -e /ctx/sub/x.tmp && ls -R /ctx > /listing && echo "$GREETING" > /greeting\n',
    )
    write(ctx_dir / ".dockerignore", "# not for the image\nsecret.txt\nlogs\n!logs/keep.log\n**/*.tmp\n")
    write(ctx_dir / "app.txt", "app")
    write(ctx_dir / "secret.txt", "do not ship")
    write(ctx_dir / "logs" / "a.log", "noise")
    write(ctx_dir / "logs" / "keep.log", "kept")
    write(ctx_dir / "sub" / "x.tmp", "tmp")
    write(ctx_dir / "sub" / "y.txt", "y")
    ctx = build_context(ctx_dir)
    assert "secret.txt" not in ctx.names() and "logs/keep.log" in ctx.names()

    tag = new_tag(tags)
    log, image_id = build(
        docker,
        ctx,
        t=tag,
        buildargs=json.dumps({"GREETING": "hello from buildargs"}),
        labels=json.dumps({"com.example.built-by": "docker-engine", "com.example.n": "1"}),
        rm=True,
    )
    assert "Successfully built" in log or image_id
    inspected = docker.images.inspect(tag)
    assert inspected.config.labels["com.example.built-by"] == "docker-engine"
    assert inspected.config.labels["com.example.n"] == "1"
    if image_id:
        assert inspected.id == image_id

    files = image_files(docker, tag, "/ctx")
    assert set(files) == {
        "ctx/.dockerignore",
        "ctx/Dockerfile",
        "ctx/app.txt",
        "ctx/logs/keep.log",
        "ctx/sub/y.txt",
    }
    assert files["ctx/logs/keep.log"] == b"kept"
    assert image_files(docker, tag, "/greeting") == {"greeting": b"hello from buildargs\n"}
    listing = image_files(docker, tag, "/listing")["listing"].decode()
    assert "secret.txt" not in listing and "a.log" not in listing and "keep.log" in listing


def test_build_target_stage(docker: Any, busybox: str, tmp_path: Path, tags: list[str]) -> None:
    write(
        tmp_path / "Dockerfile",
        f"FROM {busybox} AS base\nRUN echo base > /stage\n"
        "FROM base AS dev\nRUN echo dev > /stage\n"
        "FROM base AS prod\nRUN echo prod > /stage\n",
    )
    for target in ("dev", "base", "prod"):
        tag = new_tag(tags)
        build(docker, build_context(tmp_path), t=tag, target=target)
        assert image_files(docker, tag, "/stage") == {"stage": f"{target}\n".encode()}


def test_build_with_dockerfile_outside_the_context(docker: Any, busybox: str, tmp_path: Path, tags: list[str]) -> None:
    write(tmp_path / "ctx" / "only.txt", "only")
    write(tmp_path / "ctx" / ".dockerignore", "ignored.txt\n")
    write(tmp_path / "ctx" / "ignored.txt", "no")
    outside = tmp_path / "dockerfiles" / "Dockerfile.outside"
    write(outside, f"FROM {busybox}\nCOPY . /ctx\nLABEL from=outside\n")
    ctx = build_context(tmp_path / "ctx", dockerfile=outside)
    assert ctx.dockerfile.startswith(".dockerfile.")
    tag = new_tag(tags)
    build(docker, ctx, t=tag)
    assert docker.images.inspect(tag).config.labels.to_dict() == {"from": "outside"}
    # The daemon left the generated Dockerfile (listed in .dockerignore) out of COPY.
    assert image_files(docker, tag, "/ctx") == {
        "ctx/.dockerignore": b"ignored.txt\n" + f"\n{ctx.dockerfile}\n".encode(),
        "ctx/only.txt": b"only",
    }


def test_failing_run_raises_stream_error(docker: Any, busybox: str, tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", f"FROM {busybox}\nRUN echo before && false\n")
    with pytest.raises(StreamError, match=r"returned a non-zero code: 1"):
        build(docker, build_context(tmp_path))


def test_missing_dockerfile_is_the_daemons_error(docker: Any, busybox: str, tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", f"FROM {busybox}\n")
    with pytest.raises(ServerError, match=r"Cannot locate specified Dockerfile: Nope\.Dockerfile") as info:
        list(docker.images.build(body=build_context(tmp_path), dockerfile="Nope.Dockerfile"))
    assert info.value.status_code == 500


# --------------------------------------------------------------------------
# The same context as the docker CLI's
# --------------------------------------------------------------------------


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Just enough of a daemon for `docker build` (classic builder): keeps the context it is sent."""

    protocol_version = "HTTP/1.1"
    server: _RecordingServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _reply(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Api-Version", "1.41")
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() != "chunked":
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))
        out = bytearray()
        while size := int(self.rfile.readline().split(b";")[0], 16):
            out += self.rfile.read(size)
            self.rfile.readline()
        while self.rfile.readline().strip():
            pass
        return bytes(out)

    def do_HEAD(self) -> None:
        self._reply(200, b"OK", "text/plain")

    def do_GET(self) -> None:
        self._reply(200, b"OK", "text/plain") if self.path.endswith("/_ping") else self._reply(404, b"{}")

    def do_POST(self) -> None:
        body = self._body()
        if "/build" not in self.path:
            self._reply(404, b'{"message":"not here"}')
            return
        self.server.contexts.append(body)
        self._reply(200, b'{"stream":"done\\n"}\n{"aux":{"ID":"sha256:' + b"0" * 64 + b'"}}\n')


class _RecordingServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

    def __init__(self, path: str) -> None:
        super().__init__(path, _Recorder)
        self.contexts: list[bytes] = []


@pytest.fixture(scope="module")
def recorder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_RecordingServer]:
    server = _RecordingServer(str(tmp_path_factory.mktemp("fake-daemon") / "docker.sock"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _headers(data: bytes) -> list[tuple[str, bytes, int, int, str]]:
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        # (20.10's CLI writes the file type bits into the mode too)
        return [(m.name, m.type, m.mode & 0o7777, m.size, m.linkname) for m in tar]


DOCKERIGNORES = [
    "*.log\n!keep.log\n",
    "build\n!build/keep.txt\n",
    "**/*.tmp\n/sub/deep\n",
    "*\n!src\nsrc/**/*.tmp\n",
    "# comment\n  \n./dir/\n!dir/a?\n[a-b]*\n",
    "dir\n!**/keep.txt\n",
    "*/\n!sub/\n",
    "x*[0-9]\nDockerfile\n.dockerignore\n",
    "!keep.log\n*.log\n",
    "sub/*/\n!sub/deep/f\n",
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("ignore", DOCKERIGNORES)
def test_context_matches_the_docker_cli(kind: str, recorder: _RecordingServer, tmp_path: Path, ignore: str) -> None:
    """`build_context` sends the members `docker build` (classic builder) of
    each engine's CLI sends: names, order, types, permissions, sizes, link targets."""
    cli = daemon_kind(kind).docker_cli
    if cli is None:
        pytest.skip(f"no docker CLI installed for {kind}")
    ctx = tmp_path / "ctx"
    for name in (
        "Dockerfile",
        "a.log",
        "keep.log",
        "b",
        "x1",
        "x10",
        "build/x",
        "build/keep.txt",
        "dir/a1",
        "dir/ab",
        "dir/keep.txt",
        "sub/deep/f",
        "sub/deep/g.tmp",
        "sub/other/h",
        "src/m.py",
        "src/n/o.tmp",
        "src/n/p.py",
    ):
        write(ctx / name, name)
    (ctx / "empty").mkdir()
    (ctx / "link").symlink_to("a.log")
    (ctx / "src" / "m.py").chmod(0o750)
    write(ctx / ".dockerignore", ignore)
    env = {"DOCKER_BUILDKIT": "0", "DOCKER_CONFIG": str(tmp_path / "config"), "PATH": "/usr/bin:/bin"}
    before = len(recorder.contexts)
    result = subprocess.run(
        [str(cli), "-H", f"unix://{recorder.server_address}", "build", "-q", str(ctx)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert len(recorder.contexts) == before + 1
    assert _headers(b"".join(build_context(ctx))) == _headers(recorder.contexts[-1])


def test_path_bodies_and_json_parameters(docker: Any, busybox: str, tmp_path: Path) -> None:
    """A local path as the body is tarred on the fly; buildargs/labels take mappings."""
    context = tmp_path / "ctx"
    context.mkdir()
    (context / "Dockerfile").write_text(f"FROM {busybox}\nARG GREETING\nCOPY . /ctx\nRUN echo $GREETING > /greeting\n")
    (context / "kept.txt").write_text("kept")
    (context / "ignored.txt").write_text("ignored")
    (context / ".dockerignore").write_text("ignored.txt\n")
    tag = "local/path-body:1"
    list(docker.images.build(body=context, t=tag, buildargs={"GREETING": "hello"}, labels={"made-by": "path-body"}))
    assert docker.images.inspect(tag).config.labels["made-by"] == "path-body"
    result = docker.containers.run(tag, "sh -c 'cat /greeting; ls /ctx'", host_config={"NetworkMode": "none"})
    assert result.stdout.split() == [b"hello", b"Dockerfile", b"kept.txt"]
    container = docker.containers.create(body={"Image": busybox, "Cmd": ["true"]})
    try:
        docker.containers.put_archive(container.id, path="/tmp", body=context / "kept.txt")
        with tarfile.open(
            fileobj=io.BytesIO(docker.containers.archive(container.id, path="/tmp/kept.txt").read())
        ) as tar:
            member = tar.extractfile("kept.txt")
            assert member is not None and member.read() == b"kept"
    finally:
        docker.containers.delete(container.id, force=True)
        docker.images.delete(tag)
