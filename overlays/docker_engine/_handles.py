"""Handles: one resource (a container, an image, …) bound to the client that found it.

What docker-py users reach for first (`container.logs()`, `container.attrs`),
typed: each version package generates its handle classes from the spec (every
operation of a tag on `/<tag>/{id}…` is a method), and they inherit these bases.
A handle is cheap: an ID and the tag's operations; `.attrs` is the inspect
answer, fetched once, because a docker-py user expects `container.attrs` to be a
snapshot (`.reload()` refreshes it), not a request per read.
"""

from __future__ import annotations

import importlib
import re
import shlex
from collections.abc import Mapping, Sequence
from typing import Any, Generic, NamedTuple, TypedDict, TypeVar

from ._errors import InvalidRequestError
from ._hijack import collect
from ._streams import Frame

__all__ = [
    "AsyncHandle",
    "ExecOptions",
    "ExecResult",
    "Handle",
    "resource_key",
    "sibling_api",
]

Ops = TypeVar("Ops")  # the tag's operations class (ContainersAPI, …)
A = TypeVar("A")  # its inspect model
T = TypeVar("T")

_DIGEST_ID = re.compile(r"(sha256:)?[0-9a-f]{64}")


def resource_key(value: object, given: str) -> str:
    """The ID (or name) an inspect answer gives for its resource, else the one asked for:
    a handle made from a name keeps working after a rename."""
    return value if isinstance(value, str) and value else given


def sibling_api(ops: object, tag: str) -> Any:
    """The `tag` operations of the same version package (and mode) as `ops`, on the same connection."""
    bodies: Any = getattr(ops, "_bodies")  # noqa: B009 - the version package's table names the package
    prefix = "Async" if type(ops).__name__.startswith("Async") else ""
    api = getattr(importlib.import_module(f"{bodies.package}.api"), prefix + tag.capitalize() + "API")
    return api(getattr(ops, "_api"), bodies)  # noqa: B009


class _HandleBase(Generic[Ops, A]):
    __slots__ = ("_attrs", "_ops", "id")

    def __init__(self, ops: Ops, id: str, attrs: A | None = None) -> None:
        self._ops = ops
        self.id = id
        self._attrs = attrs

    @property
    def short_id(self) -> str:
        """An ID shortened as the CLI shows it (12 hex digits); a name as it is."""
        if _DIGEST_ID.fullmatch(self.id):
            return self.id.removeprefix("sha256:")[:12]
        return self.id

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _HandleBase) and type(other) is type(self) and other.id == self.id

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.id))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.short_id}>"


class Handle(_HandleBase[Ops, A]):
    """A resource of a sync client: `.attrs` is fetched on first use and kept."""

    __slots__ = ()

    @property
    def attrs(self) -> A:
        """The inspect answer, as of the last `reload()` (fetched on first use)."""
        if self._attrs is None:
            self._attrs = self._inspect()
        return self._attrs

    def reload(self) -> A:
        """Inspect the resource again; returns (and keeps) the fresh answer."""
        self._attrs = self._inspect()
        return self._attrs

    def _inspect(self) -> A:
        raise NotImplementedError


class AsyncHandle(_HandleBase[Ops, A]):
    """A resource of an asyncio client: reading `.attrs` cannot await, so it is filled by
    `await docker.<tag>.get(id)` or `await handle.reload()`."""

    __slots__ = ()

    @property
    def attrs(self) -> A:
        """The inspect answer, as of the last `reload()` (or the `get` that made this handle)."""
        if self._attrs is None:
            raise InvalidRequestError(
                f"{self!r} was not inspected yet: `await handle.reload()` first "
                "(a handle from `await docker.<tag>.get(id)` comes inspected)"
            )
        return self._attrs

    async def reload(self) -> A:
        """Inspect the resource again; returns (and keeps) the fresh answer."""
        self._attrs = await self._inspect()
        return self._attrs

    async def _inspect(self) -> A:
        raise NotImplementedError


class ExecResult(NamedTuple, Generic[T]):
    """What `Container.exec_run` returns (docker-py's shape): the exit code (None with
    `detach=True`) and the output: bytes in arrival order, or `Output(stdout, stderr)`
    with `demux=True`."""

    exit_code: int | None
    output: T


class ExecOptions(TypedDict, total=False):
    """The keywords of `Container.exec_run` besides the command and `demux`."""

    stdin: bytes | str | None
    stdout: bool
    stderr: bool
    tty: bool
    privileged: bool
    user: str | None
    workdir: str | None
    environment: Mapping[str, str | None] | Sequence[str] | None
    detach: bool
    detach_keys: str | None


_EXEC_KEYWORDS = ExecOptions.__optional_keys__


def _exec_body(command: str | Sequence[str], options: ExecOptions) -> dict[str, Any]:
    unknown = sorted(set(options) - _EXEC_KEYWORDS)
    if unknown:
        raise TypeError(f"exec_run() got an unexpected keyword argument {unknown[0]!r}")
    if isinstance(command, str):
        command = shlex.split(command)
    if not command:
        raise InvalidRequestError("exec_run: the command is empty")
    body: dict[str, Any] = {
        "Cmd": list(command),
        "AttachStdin": options.get("stdin") is not None,
        "AttachStdout": options.get("stdout", True),
        "AttachStderr": options.get("stderr", True),
        "Tty": options.get("tty", False),
        "Privileged": options.get("privileged", False),
    }
    for keyword, field in (("user", "User"), ("workdir", "WorkingDir"), ("detach_keys", "DetachKeys")):
        if options.get(keyword) is not None:
            body[field] = options.get(keyword)
    environment = options.get("environment")
    if isinstance(environment, Mapping):
        body["Env"] = [name if value is None else f"{name}={value}" for name, value in environment.items()]
    elif environment is not None:
        if isinstance(environment, str):
            raise InvalidRequestError("exec_run: environment is a dict or a list of 'NAME=value', not a str")
        body["Env"] = list(environment)
    return body


def _stdin_bytes(stdin: bytes | str | None) -> bytes | None:
    return stdin.encode() if isinstance(stdin, str) else stdin


def _result(exit_code: int | None, frames: list[Frame], demux: bool) -> ExecResult[Any]:
    if demux:
        return ExecResult(exit_code, collect(frames))
    return ExecResult(exit_code, b"".join(frame.data for frame in frames))
