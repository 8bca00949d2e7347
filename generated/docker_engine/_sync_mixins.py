"""The sync twin of `docker_engine._async_mixins` (see its docstring), written from it by
`python -m generator unasync`: the same code without `await`; do not edit."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, Literal, Unpack, overload

from ._errors import BuildKitUnavailableError, InvalidRequestError, NotFoundError
from ._handles import ExecOptions, ExecResult, _exec_body, _result, _stdin_bytes, sibling_api
from ._hijack import Output
from ._mixins import (
    BuildOptions,
    BuildResult,
    Cancellable,
    H,
    I,
    M,
    RunOptions,
    RunPlan,
    RunResult,
    _attach_request,
    _build_plan,
    _buildkit_plan,
    _buildkit_progress,
    _buildkit_request,
    _Builds,
    _built_image,
    _exec_request,
    _no_such_image,
    _pull_plan,
    _Pulls,
    _push_plan,
    _Pushes,
    _sync_feed,
    _sync_watchdog,
    plan_run,
)
from ._progress import ProgressTarget, StreamFollower
from ._request import with_keywords as _with_keywords
from ._streams import Frame
from ._sync_hijack import HijackedStream
from ._sync_streams import BuildKitStream

if TYPE_CHECKING:
    from ._api import SyncAPI
    from ._auth import AuthConfig
    from ._bodies import BodyTable
    from ._build_status import BuildStatus
    from ._session import SecretSource
    from ._types import RequestContent

__all__ = ["ContainerHandleMixin", "ContainersMixin", "ExecMixin", "ImagesMixin"]


class ContainersMixin(Generic[H]):
    __slots__ = ()
    _api: SyncAPI
    _bodies: BodyTable

    def handle(self, id: str) -> H:
        raise NotImplementedError  # generated: the version's handle class

    @overload
    def run(
        self,
        image: str,
        command: str | Sequence[str] | None = None,
        *,
        detach: Literal[True],
        **options: Unpack[RunOptions],
    ) -> H: ...
    @overload
    def run(
        self,
        image: str,
        command: str | Sequence[str] | None = None,
        *,
        detach: Literal[False] = False,
        **options: Unpack[RunOptions],
    ) -> RunResult: ...
    @overload
    def run(
        self,
        image: str,
        command: str | Sequence[str] | None = None,
        *,
        detach: bool,
        **options: Unpack[RunOptions],
    ) -> H | RunResult: ...
    def run(
        self,
        image: str,
        command: str | Sequence[str] | None = None,
        *,
        detach: bool = False,
        **options: Unpack[RunOptions],
    ) -> H | RunResult:
        """Create and start a container; wait for it, collect its output and remove it (or, with
        `detach=True`, return a `Container` handle at once).

        `command` (and `entrypoint`) is a list, or a string split like a shell would.
        Without `detach`: the container's stdout and stderr are collected (`stdout=False`
        / `stderr=False` leave one out) and `on_output` receives each output frame as it
        comes; `remove` (default True) deletes the container afterwards; with `check`
        (default True) a non-zero exit raises `ContainerError` carrying the exit code and
        the end of stderr; `timeout` (seconds) kills a container still running then and
        raises `DockerTimeoutError`. With `detach=True`: returns the `Container` handle
        once it started (`.id`, `.logs()`, `.stop()`, `.exec_run()`, …); `remove=True` then sets `auto_remove` (the daemon removes it when it
        exits), as docker-py does.

        The keywords are docker-py's, with its value shapes, mapped to the create body:

        | keyword | body | value |
        |---|---|---|
        | `environment` | `Env` | dict (None value: the name alone) or list of `"K=V"` |
        | `ports` | `ExposedPorts`, `HostConfig.PortBindings` | `{8080: 80, "53/udp": None, "22/tcp": ("127.0.0.1", 2222), 80: [8080, 8081]}` |
        | `volumes` / `binds` | `HostConfig.Binds` | `["src:dst[:mode]"]`, or docker-py's `{src: {"bind": dst, "mode": "ro"}}` |
        | `mem_limit` / `memory`, `memswap_limit`, `mem_reservation`, `shm_size` | `HostConfig.Memory`, … | bytes: int or `"512m"`, `"2g"` |
        | `network` | `HostConfig.NetworkMode` + `NetworkingConfig` | a network name (not with `network_mode`) |
        | `labels` | `Labels` | dict, or list of names (empty values) |
        | `user`, `working_dir`, `hostname`, `domainname`, `tty`, `stdin_open` | `User`, `WorkingDir`, …, `OpenStdin` | |
        | `healthcheck`, `log_config`, `ulimits`, `restart_policy`, `device_requests` | `Healthcheck`, `HostConfig.…` | dicts with the API's keys or docker-py's lower-case ones |
        | `devices`, `extra_hosts`, `tmpfs`, `group_add`, `sysctls` | `HostConfig.…` | docker-py's shapes (`"/dev/x:/dev/y:rwm"`, `{host: ip}`, …) |
        | `read_only`, `cgroupns`, `pid_mode`, `ipc_mode`, `uts_mode`, `userns_mode`, `cap_add`, `cap_drop`, `security_opt`, `dns`, `dns_search`, `dns_opt`, `privileged`, `init`, `runtime`, `nano_cpus`, `cpu_*`, `pids_limit`, `oom_kill_disable`, `publish_all_ports`, `auto_remove`, `volumes_from`, `mounts`, `stop_signal`, `stop_timeout` | `HostConfig.ReadonlyRootfs`, `CgroupnsMode`, … | as the API |
        | `name`, `platform` | the create request's query | |
        | `config`, `host_config` | any other field, with the Docker API's names | `host_config={"CgroupParent": "x"}` |

        Not taken (a type error, and at run time a TypeError saying what to write):
        docker-py's `stream=True` (use `on_output=`, or `detach=True` and
        `containers.logs(..., follow=True)`), and its rarer keywords, which go in
        `config=`/`host_config=` (`DOCKER_PY_SPELLINGS` lists them).

        `pull`: `"missing"` (the default, as `docker run`) pulls the image when the daemon
        has none, with the docker config's credentials; `"always"` pulls first; `"never"`
        leaves a missing image a NotFoundError.
        """
        plan = plan_run(image, command, detach, options)
        ops: Any = self
        id = self._create(plan)
        if plan.detach:
            try:
                ops.start(id)
            except BaseException:
                if plan.remove:
                    ops.delete(id, force=True)
                raise
            return self.handle(id)
        killed: list[bool] = []
        watchdog: Cancellable | None = None
        try:
            ops.start(id)
            if plan.timeout is not None:
                watchdog = _sync_watchdog(plan.timeout, ops, id, killed)
            frames: list[Frame] = []
            if plan.on_output is not None and plan.logs is not None:
                for frame in ops.logs(id, follow=True, **plan.logs):
                    plan.on_output(frame)
                    frames.append(frame)
            # No request timeout: the container takes as long as it takes (see `timeout`).
            untimed: Any = type(self)(self._api.with_options(timeout=None), self._bodies)  # type: ignore[call-arg]
            exit_code = (untimed.wait(id)).status_code
            if plan.on_output is None and plan.logs is not None:
                frames = [f for f in ops.logs(id, **plan.logs)]
            result = plan.result(id, exit_code, frames)
        finally:
            if watchdog is not None:
                watchdog.cancel()
            if plan.remove:
                ops.delete(id, force=True)
        return plan.finish(result, bool(killed))

    def _create(self, plan: RunPlan) -> str:
        """Create the container, pulling its image first (`pull="always"`) or when the daemon
        has none (`"missing"`, as `docker run`), with the credentials of the docker config."""
        ops: Any = self
        platform = plan.create_params.get("platform")
        if plan.pull == "always":
            sibling_api(self, "images").pull(plan.image, platform=platform)
        try:
            return str((ops.create(body=plan.body, **plan.create_params)).id)
        except NotFoundError as exc:
            if plan.pull != "missing" or not _no_such_image(exc):
                raise
        sibling_api(self, "images").pull(plan.image, platform=platform)
        return str((ops.create(body=plan.body, **plan.create_params)).id)

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
        `with docker.exec.start_interactive(exec_id) as s: s.write(b"x"); …`."""
        return self._api.hijack(_exec_request(id, tty, detach_keys))


class ImagesMixin:
    """`pull`, `push_image` and `build_image`: the streamed operations followed to their end,
    with progress shown (`_progress`), returning what they made."""

    __slots__ = ()
    _api: SyncAPI

    def pull(
        self: _Pulls[M, I],
        ref: str,
        *,
        tag: str | None = None,
        platform: str | None = None,
        auth: AuthConfig | Literal["config"] | None = "config",
        progress: ProgressTarget[M] = None,
    ) -> I:
        """Pull an image, follow the pull to its end, and return the pulled image: an `Image` handle
        (`.attrs` is its `images.inspect`).

        `ref` is split as the docker CLI splits it: `busybox` pulls `busybox:latest`,
        `localhost:5000/team/app:2` the tag `2` from that registry, `app@sha256:…` by digest;
        `tag=` (docker-py's) names the tag apart. `platform` is `os[/arch[/variant]]`.
        `auth`: registry credentials (`AuthConfig`); by default resolved from the docker config
        for the image's registry, like the CLI; None for an anonymous pull.

        `progress`: True shows the pull on stdout (a live display per layer on a terminal,
        else the CLI's plain lines), a text stream gets the plain lines, a function gets each
        `CreateImageInfo` message. An error message in the stream (a missing tag, a refused
        login) raises `StreamError`; a refusal before the stream starts raises `APIError`.
        """
        params, name = _pull_plan(ref, tag, platform, auth)
        with StreamFollower(progress) as follower, (self.create(**params)).yield_errors() as stream:
            for event in stream:
                _sync_feed(follower, event)
        return self.get_image(name)

    def push_image(
        self: _Pushes[M],
        ref: str,
        *,
        tag: str | None = None,
        auth: AuthConfig | Literal["config"] | None = "config",
        progress: ProgressTarget[M] = None,
    ) -> str | None:
        """Push an image, follow the push to its end, and return the digest the registry gave
        the pushed manifest (`sha256:…`; None if the daemon reported none).

        `ref` is `name[:tag]` (`localhost:5000/team/app:2`; no tag pushes `latest`, as the CLI
        does), or `tag=` names the tag apart. `auth` and `progress` as for `pull` (the function
        gets each `PushImageInfo`); a refused push raises `StreamError`. `images.push` is the
        operation itself: its stream of messages, not followed.
        """
        name, params = _push_plan(ref, tag, auth)
        with StreamFollower(progress) as follower, (self.push(name, **params)).yield_errors() as stream:
            for event in stream:
                _sync_feed(follower, event)
        return follower.digest

    def buildkit_stream(
        self,
        context: str | os.PathLike[str],
        *,
        tag: str | None = None,
        secrets: Mapping[str, SecretSource] | None = None,
        ssh: Mapping[str, str | os.PathLike[str]] | None = None,
        **options: Unpack[BuildOptions],
    ) -> BuildKitStream:
        """Start a BuildKit build and return it as it runs: `with await
        docker.images.buildkit_stream("app", tag="app:1") as build: for status in build: …`,
        then `build.image_id`. The keywords are `build_image(…, buildkit=True)`'s (which follows
        this stream to its end); closing the stream before the end cancels the build."""
        return _open_buildkit(self, context, tag, secrets, ssh, options)

    @overload
    def build_image(
        self: _Builds[M, I],
        context: RequestContent | str | None = None,
        *,
        tag: str | None = None,
        progress: ProgressTarget[M] = None,
        buildkit: Literal[False] = False,
        **options: Unpack[BuildOptions],
    ) -> BuildResult[I, M]: ...
    @overload
    def build_image(
        self: _Builds[M, I],
        context: str | os.PathLike[str],
        *,
        tag: str | None = None,
        progress: ProgressTarget[BuildStatus] = None,
        buildkit: Literal[True],
        secrets: Mapping[str, SecretSource] | None = None,
        ssh: Mapping[str, str | os.PathLike[str]] | None = None,
        **options: Unpack[BuildOptions],
    ) -> BuildResult[I, BuildStatus]: ...
    @overload
    def build_image(
        self: _Builds[M, I],
        context: str | os.PathLike[str],
        *,
        tag: str | None = None,
        progress: ProgressTarget[Any] = None,
        buildkit: Literal["auto"],
        **options: Unpack[BuildOptions],
    ) -> BuildResult[I, BuildStatus] | BuildResult[I, M]: ...
    def build_image(
        self: _Builds[M, I],
        context: Any = None,
        *,
        tag: str | None = None,
        progress: Any = None,
        buildkit: bool | Literal["auto"] = False,
        secrets: Mapping[str, SecretSource] | None = None,
        ssh: Mapping[str, str | os.PathLike[str]] | None = None,
        **options: Unpack[BuildOptions],
    ) -> BuildResult[I, Any]:
        """Build an image, follow the build to its end, and return `(image, build_log)`: the
        built image (an `Image` handle) and every message of the build.

        `context`: a directory (`pathlib.Path`, or a `str` path as with docker-py; tarred on the
        fly honouring `.dockerignore`), a `build_context(...)` (its `dockerfile` is sent), a tar
        as bytes or a binary file; None with `remote=`. `tag` names the image (`t`); the other
        keywords are those of `images.build`. `progress` as for `pull` (the build's output,
        and the pulls of its base images; a function gets each `BuildInfo`).

        With `buildkit=True` the daemon's BuildKit builds it (`RUN --mount=type=secret`,
        `--mount=type=cache`, multi-stage builds that skip unused stages): the context is a
        directory served through a session (`.dockerignore` honoured, only what the build
        reads is sent), a relative `dockerfile=` is in it and an absolute one may be anywhere,
        `secrets={"id": b"value" or a file path}` feed `RUN --mount=type=secret,id=…`, and
        `ssh={"default": os.environ["SSH_AUTH_SOCK"]}` forwards an SSH agent to
        `RUN --mount=type=ssh` (`id=` names another than `default`). A daemon without BuildKit
        raises `BuildKitUnavailableError` before anything is built; `buildkit="auto"` builds
        with the classic builder there (without secrets or SSH). The
        log is then `BuildStatus` events; `progress=True` (or a text stream) shows them as
        `docker build --progress=plain` does. Needs the `buildkit` extra (h2, protobuf).

        A build step that fails raises `BuildError` (with BuildKit `BuildKitError`), a
        `StreamError` with `build_log` (the messages so far) and `step` (the failing step).
        """
        if buildkit == "auto":
            try:
                return _build_with_buildkit(self, context, tag, progress, secrets, ssh, options)
            except BuildKitUnavailableError:
                pass  # the caller chose the classic builder for a daemon without BuildKit
        elif buildkit:
            return _build_with_buildkit(self, context, tag, progress, secrets, ssh, options)
        if secrets or ssh:
            raise InvalidRequestError(
                "images.build_image(): secrets= and ssh= need buildkit=True (the classic builder has neither)"
            )
        params = _build_plan(context, tag, options)
        with StreamFollower(progress, build=True) as follower, (self.build(**params)).yield_errors() as stream:
            for event in stream:
                _sync_feed(follower, event)
        return BuildResult(self.get_image(_built_image(follower, tag)), follower.build_log)


def _open_buildkit(
    images: Any,
    context: Any,
    tag: str | None,
    secrets: Mapping[str, SecretSource] | None,
    ssh: Mapping[str, str | os.PathLike[str]] | None,
    options: Mapping[str, Any],
) -> BuildKitStream:
    plan = _buildkit_plan(context, tag, options)
    api: SyncAPI = images._api
    return api.buildkit(_buildkit_request(plan.params), plan.context, secrets=secrets, ssh=ssh)


def _build_with_buildkit(
    images: _Builds[M, I],
    context: Any,
    tag: str | None,
    progress: Any,
    secrets: Mapping[str, SecretSource] | None,
    ssh: Mapping[str, str | os.PathLike[str]] | None,
    options: Mapping[str, Any],
) -> BuildResult[I, BuildStatus]:
    show = _buildkit_progress(progress)
    with _open_buildkit(images, context, tag, secrets, ssh, options) as build:
        for status in build:
            if show is not None:
                show(status)
    name = build.image_id or tag
    if name is None:
        raise build.ledger.failure("the build ended without reporting an image ID")
    return BuildResult(images.get_image(name), build.statuses)


class ContainerHandleMixin:
    """Handwritten methods of the `Container` handles (`Container`)."""

    __slots__ = ()
    id: str
    _ops: Any

    @overload
    def exec_run(
        self, command: str | Sequence[str], *, demux: Literal[False] = False, **options: Unpack[ExecOptions]
    ) -> ExecResult[bytes]: ...
    @overload
    def exec_run(
        self, command: str | Sequence[str], *, demux: Literal[True], **options: Unpack[ExecOptions]
    ) -> ExecResult[Output]: ...
    def exec_run(
        self, command: str | Sequence[str], *, demux: bool = False, **options: Unpack[ExecOptions]
    ) -> ExecResult[Any]:
        """Run a command in the container and collect its output, as `docker exec` does.

        `command` is a list, or a string split like a shell would; `stdin` (bytes or text) is
        written to the command's standard input, which is then closed. `environment` is a dict
        (a None value: the name alone) or a list of "NAME=value"; `user`, `workdir`, `tty`,
        `privileged`, `detach_keys` as `docker exec`'s; `stdout=False` / `stderr=False` leave one
        out. Returns `ExecResult(exit_code, output)`: the output in arrival order, or with
        `demux=True` an `Output(stdout, stderr)`; with `detach=True` the command is started and
        `(None, b"")` returned.
        """
        data = _stdin_bytes(options.get("stdin"))
        body = _exec_body(command, options)
        tty = bool(body["Tty"])
        execs = sibling_api(self._ops, "exec")
        exec_id = str((execs.create(self.id, body=body)).id)
        if options.get("detach"):
            (execs.start(exec_id, body={"Detach": True, "Tty": tty})).close()
            return _result(None, [], demux)
        frames: list[Frame] = []
        if data is not None:
            detach_keys = options.get("detach_keys")
            with execs.start_interactive(exec_id, tty=tty, detach_keys=detach_keys) as stream:
                stream.write(data)
                stream.close_stdin()
                frames = [frame for frame in stream.frames()]
        else:
            with execs.start(exec_id, body={"Detach": False, "Tty": tty}) as output:
                frames = [frame for frame in output]
        return _result((execs.inspect(exec_id)).exit_code, frames, demux)


_with_keywords(ContainersMixin.run, RunOptions)
_with_keywords(ContainerHandleMixin.exec_run, ExecOptions)
# Taken from the class dict: `self` is typed as a protocol the mixin alone does not satisfy.
_with_keywords(vars(ImagesMixin)["build_image"], BuildOptions)
