"""What a BuildKit build reports, typed: the `moby.buildkit.trace` messages of its stream
(each a base64 `StatusResponse` of BuildKit's control API) as `BuildStatus` events, and a
plain-text rendering of them like `docker build --progress=plain`.

A build is a graph of vertices (`[stage-0 2/3] COPY …`); each status message says which
vertices started, progressed (bytes transferred), logged output or warned, and which ended,
cached or with an error.
"""

from __future__ import annotations

import base64
import datetime as _dt
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._errors import BuildKitError

if TYPE_CHECKING:
    from ._progress import TextWriter

__all__ = [
    "BuildKitError",
    "BuildLedger",
    "BuildStatus",
    "PlainProgress",
    "Vertex",
    "VertexLog",
    "VertexStatus",
    "VertexWarning",
    "decode_trace",
]

TRACE_ID = "moby.buildkit.trace"
IMAGE_ID = "moby.image.id"


@dataclass(frozen=True, slots=True)
class Vertex:
    """A step of the build: `name` as the CLI shows it; `error` when it failed."""

    digest: str
    name: str
    inputs: tuple[str, ...] = ()
    cached: bool = False
    started: _dt.datetime | None = None
    completed: _dt.datetime | None = None
    error: str = ""


@dataclass(frozen=True, slots=True)
class VertexStatus:
    """Progress of one task of a vertex (`transferring context: 142B`): `current` of `total`."""

    id: str
    vertex: str
    name: str = ""
    current: int = 0
    total: int = 0
    completed: _dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class VertexLog:
    """Output of a vertex (a `RUN`'s stdout, `stream` 1, or stderr, 2)."""

    vertex: str
    stream: int
    data: bytes
    timestamp: _dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class VertexWarning:
    vertex: str
    level: int
    short: bytes
    detail: tuple[bytes, ...] = ()
    url: str = ""


@dataclass(frozen=True, slots=True)
class BuildStatus:
    """One status message of a BuildKit build."""

    vertexes: tuple[Vertex, ...] = ()
    statuses: tuple[VertexStatus, ...] = ()
    logs: tuple[VertexLog, ...] = ()
    warnings: tuple[VertexWarning, ...] = ()


def _time(message: Any, name: str) -> _dt.datetime | None:
    if not message.HasField(name):
        return None
    stamp = getattr(message, name)
    return _dt.datetime.fromtimestamp(stamp.seconds + stamp.nanos / 1e9, _dt.UTC)


def decode_trace(aux: str) -> BuildStatus:
    """A `moby.buildkit.trace` message's `aux` (base64 of a `StatusResponse`), typed."""
    from ._buildkit import control_pb2  # noqa: PLC0415 - protobuf: the `buildkit` extra

    response = control_pb2.StatusResponse.FromString(base64.b64decode(aux))
    return BuildStatus(
        vertexes=tuple(
            Vertex(v.digest, v.name, tuple(v.inputs), v.cached, _time(v, "started"), _time(v, "completed"), v.error)
            for v in response.vertexes
        ),
        statuses=tuple(
            VertexStatus(s.ID, s.vertex, s.name, s.current, s.total, _time(s, "completed")) for s in response.statuses
        ),
        logs=tuple(VertexLog(log.vertex, log.stream, log.msg, _time(log, "timestamp")) for log in response.logs),
        warnings=tuple(VertexWarning(w.vertex, w.level, w.short, tuple(w.detail), w.url) for w in response.warnings),
    )


def as_is(message: Any) -> Any:
    """A BuildKit build's stream messages are read as they are (see `BuildLedger.take`)."""
    return message


@dataclass
class BuildLedger:
    """What a build's statuses add up to: every vertex by digest (last seen), the logs of
    each, the image ID once reported, and the messages themselves."""

    vertexes: dict[str, Vertex] = field(default_factory=dict)
    logs: dict[str, bytearray] = field(default_factory=dict)
    statuses: list[BuildStatus] = field(default_factory=list)
    image_id: str | None = None

    def add(self, status: BuildStatus) -> None:
        self.statuses.append(status)
        for vertex in status.vertexes:
            self.vertexes[vertex.digest] = vertex
        for log in status.logs:
            self.logs.setdefault(log.vertex, bytearray()).extend(log.data)

    def take(self, message: Mapping[str, Any]) -> BuildStatus | None:
        """One message of the build's stream: a trace's `BuildStatus` (also added here), or
        None (the image ID, other messages); an error message raises `BuildKitError` naming
        the failed step, with its output."""
        ident = message.get("id")
        aux = message.get("aux")
        if ident == TRACE_ID and isinstance(aux, str):
            status = decode_trace(aux)
            self.add(status)
            return status
        if ident == IMAGE_ID and isinstance(aux, dict):
            self.image_id = aux.get("ID")
        elif message.get("error") or message.get("errorDetail"):
            detail = message.get("errorDetail") or {}
            raise self.failure(str(detail.get("message") or message.get("error")))
        return None

    def failure(self, message: str) -> BuildKitError:
        failed = next((v for v in reversed(self.vertexes.values()) if v.error), None)
        if failed is None:
            return BuildKitError(message, build_log=self.statuses, step=None)
        log = bytes(self.logs.get(failed.digest, b""))
        return BuildKitError(message, build_log=self.statuses, step=failed.name, log=log)


class PlainProgress:
    """Renders statuses as `docker build --progress=plain` does: `#N name`, its output lines
    with the seconds since it started, `#N DONE 0.4s`, `#N CACHED`, `#N ERROR: …`."""

    def __init__(self, write: Callable[[str], object]) -> None:
        self._write = write
        self._numbers: dict[str, int] = {}
        self._started: dict[str, float] = {}
        self._done: set[str] = set()

    @classmethod
    def to(cls, stream: TextWriter) -> PlainProgress:
        """Lines written to a text stream, flushed as they come when it can be."""
        flush = getattr(stream, "flush", None)

        def write(text: str) -> None:
            stream.write(text)
            if flush is not None:
                flush()

        return cls(write)

    def _number(self, vertex: Vertex | None, digest: str) -> int:
        number = self._numbers.get(digest)
        if number is None:
            number = self._numbers[digest] = len(self._numbers) + 1
            self._started[digest] = time.monotonic()
            if vertex is not None:
                self._write(f"#{number} {vertex.name}\n")
        return number

    def __call__(self, status: BuildStatus) -> None:
        for vertex in status.vertexes:
            if vertex.started is None and not vertex.cached and not vertex.error:
                continue  # known, not begun: the CLI shows a step once it starts
            number = self._number(vertex, vertex.digest)
            if vertex.digest in self._done:
                continue
            if vertex.cached:
                self._write(f"#{number} CACHED\n\n")
                self._done.add(vertex.digest)
            elif vertex.error:
                self._write(f"#{number} ERROR: {vertex.error}\n\n")
                self._done.add(vertex.digest)
            elif vertex.completed is not None and vertex.started is not None:
                took = (vertex.completed - vertex.started).total_seconds()
                self._write(f"#{number} DONE {took:.1f}s\n\n")
                self._done.add(vertex.digest)
        for item in status.statuses:
            if item.completed is not None:
                number = self._number(None, item.vertex)
                size = f"{_size(item.current)} " if item.current else ""
                self._write(f"#{number} {item.name or item.id} {size}done\n")
        for log in status.logs:
            number = self._number(None, log.vertex)
            since = time.monotonic() - self._started.get(log.vertex, time.monotonic())
            for line in log.data.decode("utf-8", "replace").splitlines():
                self._write(f"#{number} {since:.3f} {line}\n")
        for warning in status.warnings:
            self._write(f"WARNING: {warning.short.decode('utf-8', 'replace')}\n")


def _size(n: int) -> str:
    """As the CLI writes sizes: `142B`, `1.25kB`, `3.40MB`."""
    if n < 1000:
        return f"{n}B"
    size = float(n)
    for unit in ("kB", "MB", "GB"):
        size /= 1000
        if size < 1000 or unit == "GB":
            break
    return f"{size:.2f}{unit}"
