"""The BuildKit session's parts without a daemon (issue #14): the gRPC server over HTTP/2 driven
by an h2 client as the daemon drives it, the file sync's order, modes and patterns, the
trace's decoding, the plain rendering, and the plan of a build."""

from __future__ import annotations

import base64
import io
import os
import pickle
import socket
import stat
import struct
import threading
from pathlib import Path
from typing import Any

import h2.config
import h2.connection
import h2.events
import pytest
from docker_engine._build_status import BuildKitError, BuildStatus, PlainProgress, Vertex, VertexLog, decode_trace
from docker_engine._buildkit import control_pb2, health_pb2, secrets_pb2, wire_pb2
from docker_engine._errors import InvalidRequestError
from docker_engine._filesync import go_mode, walk
from docker_engine._grpc import Server
from docker_engine._mixins import _buildkit_plan, buildkit_dirs
from docker_engine._session import BuildSession
from google.protobuf import timestamp_pb2


class Daemon:
    """The daemon's side of a session: an HTTP/2 client calling gRPC methods."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.h2 = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
        self.h2.initiate_connection()
        self.sock.sendall(self.h2.data_to_send())

    def open(self, method: str, metadata: list[tuple[str, str]] = ()) -> int:  # type: ignore[assignment]
        stream = self.h2.get_next_available_stream_id()
        headers = [(":method", "POST"), (":scheme", "http"), (":path", method), (":authority", "session")]
        self.h2.send_headers(stream, [*headers, ("content-type", "application/grpc"), *metadata])
        self.sock.sendall(self.h2.data_to_send())
        return stream

    def send(self, stream: int, message: bytes, *, end: bool = False) -> None:
        self.h2.send_data(stream, struct.pack(">BI", 0, len(message)) + message, end_stream=end)
        self.sock.sendall(self.h2.data_to_send())

    def read(self, stream: int, until: Any) -> tuple[list[bytes], dict[str, str]]:
        """Messages and trailers of `stream` until `until(messages)` or the trailers."""
        buffer, messages, trailers = b"", [], {}
        while not trailers and not until(messages):
            data = self.sock.recv(65536)
            assert data, "the session closed the connection"
            for event in self.h2.receive_data(data):
                if isinstance(event, h2.events.DataReceived) and event.stream_id == stream:
                    self.h2.acknowledge_received_data(event.flow_controlled_length, stream)
                    buffer += event.data
                    while len(buffer) >= 5 and len(buffer) >= 5 + struct.unpack(">I", buffer[1:5])[0]:
                        length = struct.unpack(">I", buffer[1:5])[0]
                        messages.append(buffer[5 : 5 + length])
                        buffer = buffer[5 + length :]
                elif isinstance(event, h2.events.TrailersReceived) and event.stream_id == stream:
                    trailers = dict(event.headers)
            self.sock.sendall(self.h2.data_to_send())
        return messages, trailers


@pytest.fixture
def served(tmp_path: Path) -> Any:
    ours, theirs = socket.socketpair()
    session = BuildSession(None, "", context=tmp_path, secrets={"token": b"s3cret"})  # type: ignore[arg-type]

    server = Server(ours, session.handlers())
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    yield Daemon(theirs), tmp_path, session
    server.close()
    thread.join(5)
    theirs.close()


def test_health_and_secrets_are_answered_and_an_unknown_secret_is_not_found(served: Any) -> None:
    daemon, _, _ = served
    stream = daemon.open("/grpc.health.v1.Health/Check")
    daemon.send(stream, health_pb2.HealthCheckRequest().SerializeToString(), end=True)
    messages, trailers = daemon.read(stream, lambda m: False)
    assert health_pb2.HealthCheckResponse.FromString(messages[0]).status == health_pb2.HealthCheckResponse.SERVING
    assert trailers["grpc-status"] == "0"

    stream = daemon.open("/moby.buildkit.secrets.v1.Secrets/GetSecret")
    daemon.send(stream, secrets_pb2.GetSecretRequest(ID="token").SerializeToString(), end=True)
    messages, trailers = daemon.read(stream, lambda m: False)
    assert secrets_pb2.GetSecretResponse.FromString(messages[0]).data == b"s3cret"

    stream = daemon.open("/moby.buildkit.secrets.v1.Secrets/GetSecret")
    daemon.send(stream, secrets_pb2.GetSecretRequest(ID="nope").SerializeToString(), end=True)
    messages, trailers = daemon.read(stream, lambda m: False)
    assert (messages, trailers["grpc-status"]) == ([], "5")
    assert "nope" in trailers["grpc-message"]

    stream = daemon.open("/moby.Unknown/Method")
    daemon.send(stream, b"", end=True)
    assert daemon.read(stream, lambda m: False)[1]["grpc-status"] == "12"


def test_diffcopy_sends_stats_in_order_then_the_files_asked_for(served: Any) -> None:
    daemon, root, session = served
    (root / "b.txt").write_bytes(b"bee" * 100_000)  # larger than one message and one HTTP/2 window
    (root / "a").mkdir()
    (root / "a" / "inner.txt").write_text("inner")
    (root / "a.txt").write_text("a")
    (root / "skip.log").write_text("skipped")
    os.symlink("b.txt", root / "link")
    stream = daemon.open(
        "/moby.filesync.v1.FileSync/DiffCopy", [("dir-name", "context"), ("exclude-patterns", "*.log")]
    )
    messages, _ = daemon.read(stream, lambda m: m and wire_pb2.Packet.FromString(m[-1]).stat.path == "")
    stats = [wire_pb2.Packet.FromString(m).stat for m in messages[:-1]]
    assert [s.path for s in stats] == ["a", "a/inner.txt", "a.txt", "b.txt", "link"]  # parents first, byte order
    assert stats[0].mode & (1 << 31) and stats[4].mode & (1 << 27) and stats[4].linkname == "b.txt"
    assert stats[3].size == 300_000
    # The receiver asks for files by their index among the stats.
    for ident in (3, 1):
        daemon.send(stream, wire_pb2.Packet(type=wire_pb2.Packet.PACKET_REQ, ID=ident).SerializeToString())
    data: dict[int, bytes] = {3: b"", 1: b""}
    ended: set[int] = set()

    def complete(found: list[bytes]) -> bool:
        for message in found[len(complete.seen) :]:  # type: ignore[attr-defined]
            packet = wire_pb2.Packet.FromString(message)
            if packet.data:
                data[packet.ID] += packet.data
            else:
                ended.add(packet.ID)
        complete.seen = list(found)  # type: ignore[attr-defined]
        return ended == {1, 3}

    complete.seen = []  # type: ignore[attr-defined]
    daemon.read(stream, complete)
    assert data == {3: b"bee" * 100_000, 1: b"inner"}
    daemon.send(stream, wire_pb2.Packet(type=wire_pb2.Packet.PACKET_FIN).SerializeToString(), end=True)
    messages, trailers = daemon.read(stream, lambda m: False)
    assert wire_pb2.Packet.FromString(messages[-1]).type == wire_pb2.Packet.PACKET_FIN
    assert trailers["grpc-status"] == "0"
    assert session.sent[0] == 300_000 + 5


def test_a_directory_the_session_does_not_serve_is_not_found(served: Any) -> None:
    daemon, _, _ = served
    stream = daemon.open("/moby.filesync.v1.FileSync/DiffCopy", [("dir-name", "elsewhere")])
    _, trailers = daemon.read(stream, lambda m: False)
    assert trailers["grpc-status"] == "5" and "elsewhere" in trailers["grpc-message"]


def test_go_modes_are_what_fsutil_sends() -> None:
    assert go_mode(stat.S_IFREG | 0o644) == 0o644
    assert go_mode(stat.S_IFDIR | 0o755) == (1 << 31) | 0o755
    assert go_mode(stat.S_IFLNK | 0o777) == (1 << 27) | 0o777
    assert go_mode(stat.S_IFREG | stat.S_ISUID | 0o755) == (1 << 23) | 0o755
    assert go_mode(stat.S_IFCHR | 0o600) == (1 << 26) | (1 << 21) | 0o600


def test_walk_applies_dockerignore_exceptions_and_include_patterns(tmp_path: Path) -> None:
    for name in ("logs/a.log", "logs/keep.log", "app.txt", "secret.txt", "sub/x.tmp", "sub/y.txt", ".dockerignore"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(name)
    excludes = ["secret.txt", "logs", "!logs/keep.log", "**/*.tmp"]
    assert [p for p, _ in walk(tmp_path, excludes=excludes)] == [
        ".dockerignore",
        "app.txt",
        "logs",
        "logs/keep.log",
        "sub",
        "sub/y.txt",
    ]
    # The frontend first asks for the .dockerignore alone.
    assert [p for p, _ in walk(tmp_path, includes=[".dockerignore"])] == [".dockerignore"]


def _stamp(seconds: int) -> timestamp_pb2.Timestamp:
    return timestamp_pb2.Timestamp(seconds=seconds)


def test_trace_messages_decode_to_typed_statuses_and_render_as_plain_text() -> None:
    response = control_pb2.StatusResponse(
        vertexes=[
            control_pb2.Vertex(digest="sha256:1", name="[1/2] FROM busybox", started=_stamp(10), completed=_stamp(11)),
            control_pb2.Vertex(digest="sha256:2", name="[2/2] RUN false", started=_stamp(11), error="exit code: 1"),
        ],
        logs=[control_pb2.VertexLog(vertex="sha256:2", stream=2, msg=b"oops\n")],
    )
    status = decode_trace(base64.b64encode(response.SerializeToString()).decode())
    assert status.vertexes[0] == Vertex(
        "sha256:1",
        "[1/2] FROM busybox",
        started=status.vertexes[0].started,
        completed=status.vertexes[0].completed,
    )
    assert status.vertexes[0].completed is not None and status.vertexes[0].completed.timestamp() == 11
    assert status.logs == (VertexLog("sha256:2", 2, b"oops\n", None),)
    out = io.StringIO()
    PlainProgress.to(out)(status)
    lines = out.getvalue().splitlines()
    assert lines[:2] == ["#1 [1/2] FROM busybox", "#1 DONE 1.0s"]
    assert "#2 [2/2] RUN false" in lines and "#2 ERROR: exit code: 1" in lines
    assert any(line.startswith("#2 ") and line.endswith(" oops") for line in lines)


def test_a_buildkit_error_keeps_its_step_and_log_through_pickling() -> None:
    error = BuildKitError("exit code: 3", build_log=[BuildStatus()], step="[2/2] RUN x", log=b"boom\n")
    copy = pickle.loads(pickle.dumps(error))
    assert (type(copy), copy.step, copy.log, copy.output(), str(copy)) == (
        BuildKitError,
        "[2/2] RUN x",
        b"boom\n",
        "boom\n",
        str(error),
    )


def test_a_buildkit_plan_needs_a_directory_and_a_dockerfile(tmp_path: Path) -> None:
    with pytest.raises(InvalidRequestError, match="must be a directory"):
        _buildkit_plan(b"a tar", None, {})
    with pytest.raises(InvalidRequestError, match="no Dockerfile"):
        _buildkit_plan(tmp_path, None, {})
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    elsewhere = tmp_path.parent / f"{tmp_path.name}-df" / "build.Dockerfile"
    elsewhere.parent.mkdir()
    elsewhere.write_text("FROM scratch\n")
    plan = _buildkit_plan(str(tmp_path), "app:1", {"dockerfile": str(elsewhere), "target": "x"})
    assert plan.context == tmp_path
    assert plan.params == {"dockerfile": str(elsewhere), "t": "app:1", "target": "x"}
    assert buildkit_dirs(tmp_path, str(elsewhere)) == (tmp_path, elsewhere.parent, "build.Dockerfile")
    assert buildkit_dirs(tmp_path, None) == (tmp_path, tmp_path, "Dockerfile")


def test_an_ssh_agent_is_forwarded_both_ways(tmp_path: Path) -> None:
    from docker_engine._buildkit import ssh_pb2

    path = tmp_path / "agent.sock"
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(path))
    listener.listen()

    def agent() -> None:  # answers one request with "no identities", then hangs up
        conn, _ = listener.accept()
        with conn:
            assert conn.recv(5) == bytes([0, 0, 0, 1, 11])
            conn.sendall(bytes([0, 0, 0, 5, 12, 0, 0, 0, 0]))

    threading.Thread(target=agent, daemon=True).start()
    ours, theirs = socket.socketpair()
    session = BuildSession(None, "", ssh={"default": path})  # type: ignore[arg-type]
    server = Server(ours, session.handlers())
    threading.Thread(target=server.serve, daemon=True).start()
    try:
        daemon = Daemon(theirs)
        stream = daemon.open("/moby.sshforward.v1.SSH/CheckAgent")
        daemon.send(stream, ssh_pb2.CheckAgentRequest(ID="other").SerializeToString(), end=True)
        assert daemon.read(stream, lambda m: False)[1]["grpc-status"] == "5"
        stream = daemon.open("/moby.sshforward.v1.SSH/ForwardAgent", [("buildkit.ssh.id", "default")])
        daemon.send(stream, ssh_pb2.BytesMessage(data=bytes([0, 0, 0, 1, 11])).SerializeToString(), end=True)
        messages, trailers = daemon.read(stream, lambda m: False)
        assert b"".join(ssh_pb2.BytesMessage.FromString(m).data for m in messages) == bytes(
            [0, 0, 0, 5, 12, 0, 0, 0, 0]
        )
        assert trailers["grpc-status"] == "0"
    finally:
        server.close()
        theirs.close()
        listener.close()
