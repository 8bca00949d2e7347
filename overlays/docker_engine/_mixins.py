"""Handwritten operations the spec cannot describe, added to the generated tag classes.

Every version's `ContainersAPI`/`ExecAPI` (and async twins) inherits these
mixins, so `docker.containers.run(...)` and `docker.exec.start_interactive(...)`
exist on every version. They are built from the generated operations.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from ._errors import DockerError
from ._hijack import UPGRADE_HEADERS, AsyncHijackedStream, HijackedStream, collect
from ._request import Request, quote_path
from ._streams import Frame

if TYPE_CHECKING:
    from ._api import AsyncAPI, SyncAPI

__all__ = [
    "AsyncContainersMixin",
    "AsyncExecMixin",
    "ContainerError",
    "ContainersMixin",
    "ExecMixin",
    "RunResult",
]

STDERR_TAIL = 2000


class RunResult(NamedTuple):
    """What `containers.run` returns."""

    id: str
    exit_code: int
    stdout: bytes
    stderr: bytes


class ContainerError(DockerError):
    """A container run by `containers.run` exited with a non-zero code."""

    def __init__(self, result: RunResult, image: str) -> None:
        tail = result.stderr[-STDERR_TAIL:].decode("utf-8", "replace").strip()
        super().__init__(
            f"container {result.id[:12]} ({image}) exited with {result.exit_code}: {tail or '(no stderr)'}"
        )
        self.result = result
        self.exit_code = result.exit_code
        self.stderr = result.stderr


def _create_body(
    image: str,
    command: Sequence[str] | str | None,
    environment: Mapping[str, str] | Sequence[str] | None,
    host_config: Mapping[str, Any] | None,
    config: Mapping[str, Any],
) -> dict[str, Any]:
    body: dict[str, Any] = {"Image": image, **config}
    if command is not None:
        body["Cmd"] = shlex.split(command) if isinstance(command, str) else list(command)
    if environment is not None:
        body["Env"] = (
            [f"{k}={v}" for k, v in environment.items()] if isinstance(environment, Mapping) else list(environment)
        )
    if host_config is not None:
        body["HostConfig"] = dict(host_config)
    return body


def _attach_request(id: str, stdin: bool, stdout: bool, stderr: bool, logs: bool, detach_keys: str | None) -> Request:
    params: dict[str, Any] = {"stream": True, "stdin": stdin, "stdout": stdout, "stderr": stderr, "logs": logs}
    if detach_keys is not None:
        params["detachKeys"] = detach_keys
    return Request(
        "POST", f"/containers/{quote_path(id)}/attach", (101,), kind="upgrade", params=params, headers=UPGRADE_HEADERS
    )


def _exec_request(id: str, tty: bool, detach_keys: str | None) -> Request:
    body: dict[str, Any] = {"Detach": False, "Tty": tty}
    if detach_keys is not None:
        body["DetachKeys"] = detach_keys
    return Request("POST", f"/exec/{quote_path(id)}/start", (101,), kind="upgrade", json=body, headers=UPGRADE_HEADERS)


class ContainersMixin:
    __slots__ = ()
    _api: SyncAPI

    def run(
        self,
        image: str,
        command: Sequence[str] | str | None = None,
        *,
        name: str | None = None,
        environment: Mapping[str, str] | Sequence[str] | None = None,
        host_config: Mapping[str, Any] | None = None,
        remove: bool = True,
        check: bool = True,
        on_output: Callable[[Frame], None] | None = None,
        **config: Any,
    ) -> RunResult:
        """Create, start, wait for and (with `remove`) delete a container; return its exit code and output.

        `command` is a list, or a string split like a shell would. Other create
        fields go in `config` (`Labels=…`, `WorkingDir=…`) and `host_config`
        (`{"NetworkMode": "none"}`). `on_output` receives each output frame as
        it comes. With `check`, a non-zero exit raises `ContainerError`
        carrying the exit code and the end of stderr.
        """
        ops: Any = self
        created = ops.create(
            body=_create_body(image, command, environment, host_config, config), **({"name": name} if name else {})
        )
        try:
            ops.start(created.id)
            frames: list[Frame] = []
            if on_output is not None:
                for frame in ops.logs(created.id, follow=True, stdout=True, stderr=True):
                    on_output(frame)
                    frames.append(frame)
            exit_code = ops.wait(created.id).status_code
            if on_output is None:
                frames = list(ops.logs(created.id, stdout=True, stderr=True))
            output = collect(frames)
            result = RunResult(created.id, exit_code, output.stdout, output.stderr)
        finally:
            if remove:
                ops.delete(created.id, force=True)
        if check and result.exit_code != 0:
            raise ContainerError(result, image)
        return result

    def attach_interactive(
        self,
        id: str,
        *,
        stdin: bool = True,
        stdout: bool = True,
        stderr: bool = True,
        logs: bool = False,
        detach_keys: str | None = None,
    ) -> HijackedStream:
        """Attach to a container's stdin/stdout/stderr over an upgraded connection."""
        return self._api.hijack(_attach_request(id, stdin, stdout, stderr, logs, detach_keys), container=id)


class ExecMixin:
    __slots__ = ()
    _api: SyncAPI

    def start_interactive(self, id: str, *, tty: bool = False, detach_keys: str | None = None) -> HijackedStream:
        """Start an exec instance (created with AttachStdin) and talk to it:
        `with docker.exec.start_interactive(exec_id) as s: s.write(b"x"); s.close_stdin(); s.read_all()`."""
        return self._api.hijack(_exec_request(id, tty, detach_keys))


class AsyncContainersMixin:
    __slots__ = ()
    _api: AsyncAPI

    async def run(
        self,
        image: str,
        command: Sequence[str] | str | None = None,
        *,
        name: str | None = None,
        environment: Mapping[str, str] | Sequence[str] | None = None,
        host_config: Mapping[str, Any] | None = None,
        remove: bool = True,
        check: bool = True,
        on_output: Callable[[Frame], None] | None = None,
        **config: Any,
    ) -> RunResult:
        """The asyncio twin of `ContainersMixin.run`."""
        ops: Any = self
        created = await ops.create(
            body=_create_body(image, command, environment, host_config, config), **({"name": name} if name else {})
        )
        try:
            await ops.start(created.id)
            frames: list[Frame] = []
            if on_output is not None:
                async for frame in await ops.logs(created.id, follow=True, stdout=True, stderr=True):
                    on_output(frame)
                    frames.append(frame)
            exit_code = (await ops.wait(created.id)).status_code
            if on_output is None:
                frames = [f async for f in await ops.logs(created.id, stdout=True, stderr=True)]
            output = collect(frames)
            result = RunResult(created.id, exit_code, output.stdout, output.stderr)
        finally:
            if remove:
                await ops.delete(created.id, force=True)
        if check and result.exit_code != 0:
            raise ContainerError(result, image)
        return result

    async def attach_interactive(
        self,
        id: str,
        *,
        stdin: bool = True,
        stdout: bool = True,
        stderr: bool = True,
        logs: bool = False,
        detach_keys: str | None = None,
    ) -> AsyncHijackedStream:
        return await self._api.hijack(_attach_request(id, stdin, stdout, stderr, logs, detach_keys), container=id)


class AsyncExecMixin:
    __slots__ = ()
    _api: AsyncAPI

    async def start_interactive(
        self, id: str, *, tty: bool = False, detach_keys: str | None = None
    ) -> AsyncHijackedStream:
        return await self._api.hijack(_exec_request(id, tty, detach_keys))
