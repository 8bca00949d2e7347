"""Handwritten operations the spec cannot describe, added to the generated tag classes: what
the mixins of `_async_mixins` (and, written from them, `_sync_mixins`) share.

Every version's `ContainersAPI`/`ExecAPI`/`ImagesAPI` (and async twins) inherits those
mixins, so `docker.containers.run(...)`, `docker.exec.start_interactive(...)` and
`docker.images.pull(...)` exist on every version. Here: `run`'s options and plan, pull, push
and build plans, results and errors, and what differs between threads and tasks.
"""

from __future__ import annotations

import inspect
import json
import os
import re
import shlex
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Literal, NamedTuple, Protocol, TypedDict, TypeVar

from ._errors import BuildError, ContainerError, DockerError, DockerTimeoutError, InvalidRequestError, NotFoundError
from ._hijack import UPGRADE_HEADERS, collect
from ._progress import StreamFollower, TextWriter, progress_target
from ._request import Request, quote_path
from ._streams import Frame

if TYPE_CHECKING:
    from ._async_streams import AsyncJSONStream
    from ._auth import AuthConfig
    from ._sync_streams import JSONStream
    from ._types import JSONParam, RequestContent

__all__ = [
    "DOCKER_PY_SPELLINGS",
    "BuildOptions",
    "BuildResult",
    "Reference",
    "RunOptions",
    "RunResult",
    "parse_bytes",
    "parse_reference",
    "plan_run",
]


H = TypeVar("H")  # the version's Container handle


class RunResult(NamedTuple):
    """What `containers.run` returns."""

    id: str
    exit_code: int
    stdout: bytes
    stderr: bytes


# -- containers.run: its keywords, and the create body they make ---------------------------------------------------

PortTarget = int | str | tuple[str, int | str | None] | tuple[str] | None
"""Where a container port is published: a host port (`8080`, `"8080"`), None
for a random one, `(host_ip, host_port)`, or `(host_ip,)` (random port)."""
Ports = Mapping[int, PortTarget | list[PortTarget]] | Mapping[str, PortTarget | list[PortTarget]]


class RunOptions(TypedDict, total=False):
    """The keywords of `containers.run` besides `image`, `command` and `detach`:
    docker-py's names and value shapes. None (or leaving one out) means not set."""

    # What run() does
    name: str | None
    platform: str | None
    pull: Literal["missing", "always", "never"] | None
    remove: bool | None
    check: bool | None
    on_output: Callable[[Frame], object] | None
    stdout: bool | None
    stderr: bool | None
    timeout: float | None
    # The container (the create body)
    entrypoint: str | Sequence[str] | None
    environment: Mapping[str, str | int | float | None] | Sequence[str] | None
    working_dir: str | None
    user: str | int | None
    hostname: str | None
    domainname: str | None
    labels: Mapping[str, str] | Sequence[str] | None
    tty: bool | None
    stdin_open: bool | None
    stop_signal: str | None
    stop_timeout: int | None
    healthcheck: Mapping[str, object] | None
    ports: Ports | None
    # HostConfig
    binds: Sequence[str] | None
    volumes: Sequence[str] | Mapping[str, str | Mapping[str, str | bool]] | None
    volumes_from: Sequence[str] | None
    mounts: Sequence[Mapping[str, object]] | None
    tmpfs: Mapping[str, str] | Sequence[str] | None
    network_mode: str | None
    network: str | None
    publish_all_ports: bool | None
    extra_hosts: Mapping[str, str] | Sequence[str] | None
    dns: Sequence[str] | None
    dns_search: Sequence[str] | None
    dns_opt: Sequence[str] | None
    memory: int | str | None
    mem_limit: int | str | None
    memswap_limit: int | str | None
    mem_reservation: int | str | None
    shm_size: int | str | None
    nano_cpus: int | None
    cpu_shares: int | None
    cpuset_cpus: str | None
    cpu_period: int | None
    cpu_quota: int | None
    pids_limit: int | None
    oom_kill_disable: bool | None
    privileged: bool | None
    cap_add: Sequence[str] | None
    cap_drop: Sequence[str] | None
    security_opt: Sequence[str] | None
    read_only: bool | None
    devices: Sequence[str | Mapping[str, str]] | None
    device_requests: Sequence[Mapping[str, object]] | None
    ulimits: Sequence[Mapping[str, object]] | None
    log_config: Mapping[str, object] | None
    sysctls: Mapping[str, str | int] | None
    group_add: Sequence[str | int] | None
    restart_policy: Mapping[str, object] | None
    auto_remove: bool | None
    init: bool | None
    pid_mode: str | None
    ipc_mode: str | None
    uts_mode: str | None
    userns_mode: str | None
    cgroupns: str | None
    runtime: str | None
    # Any other field of the create body, with the Docker API's names
    config: Mapping[str, object] | None
    host_config: Mapping[str, object] | None


_RUN_KEYWORDS = RunOptions.__optional_keys__ | RunOptions.__required_keys__
_BEHAVIOUR = ("check", "on_output", "stdout", "stderr", "timeout")

# Keywords that are plain copies into the body: (section, API key); section "" is the top level.
_SCALARS: dict[str, tuple[str, str]] = {
    "working_dir": ("", "WorkingDir"),
    "hostname": ("", "Hostname"),
    "domainname": ("", "Domainname"),
    "tty": ("", "Tty"),
    "stdin_open": ("", "OpenStdin"),
    "stop_signal": ("", "StopSignal"),
    "stop_timeout": ("", "StopTimeout"),
    "network_mode": ("HostConfig", "NetworkMode"),
    "publish_all_ports": ("HostConfig", "PublishAllPorts"),
    "nano_cpus": ("HostConfig", "NanoCpus"),
    "cpu_shares": ("HostConfig", "CpuShares"),
    "cpuset_cpus": ("HostConfig", "CpusetCpus"),
    "cpu_period": ("HostConfig", "CpuPeriod"),
    "cpu_quota": ("HostConfig", "CpuQuota"),
    "pids_limit": ("HostConfig", "PidsLimit"),
    "oom_kill_disable": ("HostConfig", "OomKillDisable"),
    "privileged": ("HostConfig", "Privileged"),
    "read_only": ("HostConfig", "ReadonlyRootfs"),
    "auto_remove": ("HostConfig", "AutoRemove"),
    "init": ("HostConfig", "Init"),
    "pid_mode": ("HostConfig", "PidMode"),
    "ipc_mode": ("HostConfig", "IpcMode"),
    "uts_mode": ("HostConfig", "UTSMode"),
    "userns_mode": ("HostConfig", "UsernsMode"),
    "cgroupns": ("HostConfig", "CgroupnsMode"),
    "runtime": ("HostConfig", "Runtime"),
}
_STRING_LISTS = {
    "binds": "Binds",
    "volumes_from": "VolumesFrom",
    "dns": "Dns",
    "dns_search": "DnsSearch",
    "dns_opt": "DnsOptions",
    "cap_add": "CapAdd",
    "cap_drop": "CapDrop",
    "security_opt": "SecurityOpt",
}
_SIZES = {
    "memory": "Memory",
    "mem_limit": "Memory",
    "memswap_limit": "MemorySwap",
    "mem_reservation": "MemoryReservation",
    "shm_size": "ShmSize",
}
# Two spellings of one thing: give one.
_SAME = (("memory", "mem_limit"), ("binds", "volumes"), ("network", "network_mode"))
# docker-py's lower-case keys of its helper objects (Healthcheck, LogConfig, Ulimit, RestartPolicy, DeviceRequest).
_HELPER_KEYS = {
    "healthcheck": {
        "test": "Test",
        "interval": "Interval",
        "timeout": "Timeout",
        "retries": "Retries",
        "start_period": "StartPeriod",
        "start_interval": "StartInterval",
    },
    "log_config": {"type": "Type", "config": "Config"},
    "ulimits": {"name": "Name", "soft": "Soft", "hard": "Hard"},
    "restart_policy": {"name": "Name", "maximum_retry_count": "MaximumRetryCount"},
    "device_requests": {
        "driver": "Driver",
        "count": "Count",
        "device_ids": "DeviceIDs",
        "capabilities": "Capabilities",
        "options": "Options",
    },
}

DOCKER_PY_SPELLINGS: dict[str, str] = {
    # docker-py keywords (and near misses) that containers.run does not take, and what to write instead.
    "stream": "on_output=callback (called with each Frame as it comes), or detach=True and then "
    "containers.logs(id, follow=True, stdout=True, stderr=True)",
    "env": "environment=",
    "cmd": "command=",
    "mem": "memory= (or mem_limit=)",
    "ports_bindings": "ports=",
    "port_bindings": "ports={container_port: host_port}",
    "links": "host_config={'Links': ['name:alias']}",
    "mac_address": "config={'MacAddress': ...}",
    "network_disabled": "config={'NetworkDisabled': True}",
    "network_driver_opt": "config={'NetworkingConfig': {'EndpointsConfig': {network: {'DriverOpts': {...}}}}}",
    "cgroup_parent": "host_config={'CgroupParent': ...}",
    "cpuset_mems": "host_config={'CpusetMems': ...}",
    "cpu_rt_period": "host_config={'CpuRealtimePeriod': ...}",
    "cpu_rt_runtime": "host_config={'CpuRealtimeRuntime': ...}",
    "cpu_count": "host_config={'CpuCount': ...}",
    "cpu_percent": "host_config={'CpuPercent': ...}",
    "blkio_weight": "host_config={'BlkioWeight': ...}",
    "blkio_weight_device": "host_config={'BlkioWeightDevice': [...]}",
    "device_read_bps": "host_config={'BlkioDeviceReadBps': [...]}",
    "device_write_bps": "host_config={'BlkioDeviceWriteBps': [...]}",
    "device_read_iops": "host_config={'BlkioDeviceReadIOps': [...]}",
    "device_write_iops": "host_config={'BlkioDeviceWriteIOps': [...]}",
    "device_cgroup_rules": "host_config={'DeviceCgroupRules': [...]}",
    "mem_swappiness": "host_config={'MemorySwappiness': ...}",
    "kernel_memory": "host_config={'KernelMemory': ...} (removed from recent daemons)",
    "oom_score_adj": "host_config={'OomScoreAdj': ...}",
    "storage_opt": "host_config={'StorageOpt': {...}}",
    "volume_driver": "host_config={'VolumeDriver': ...}",
    "isolation": "host_config={'Isolation': ...}",
    "use_config_proxy": "environment={'HTTP_PROXY': ...} (the client's proxy config is not read)",
    "version": "the client's API version: Docker(version=...) or a version package",
    "lxc_conf": "nothing: LXC options are gone from the Docker API",
    "init_path": "nothing: InitPath is gone from the Docker API",
}


def parse_bytes(value: int | str, what: str = "size") -> int:
    """A byte count from an int or a docker-style string: `"512m"`, `"1.5g"`, `"64MiB"`, `"100"` (1024-based)."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise InvalidRequestError(f"{what}: expected bytes as an int or a string like '512m', got {value!r}")
    if isinstance(value, int):
        return value
    match = _SIZE.fullmatch(value.strip())
    if match is None:
        raise InvalidRequestError(f"{what}: {value!r} is not a size (write an int, or e.g. '512m', '2g')")
    number, unit = match.groups()
    return int(float(number) * 1024 ** "bkmgtp".index((unit or "b").lower()))


_SIZE = re.compile(r"(\d+(?:\.\d+)?) ?([bkmgtp])?(?:i?b)?", re.IGNORECASE)


def _strings(keyword: str, value: object) -> list[str]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise InvalidRequestError(f"{keyword}=: expected a list of strings, got {value!r} (write [{value!r}]?)")
    return [str(item) for item in value]


def _api_keys(keyword: str, value: object) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidRequestError(f"{keyword}=: expected a dict, got {type(value).__name__} {value!r:.60}")
    keys = _HELPER_KEYS.get(keyword, {})
    return {keys.get(str(k), str(k)): v for k, v in value.items()}


def _port_key(port: object) -> str:
    text = str(port)
    return text if "/" in text else text + "/tcp"


def _port_binding(target: object) -> dict[str, str]:
    ip: object = ""
    port: object = None
    if isinstance(target, tuple):
        if len(target) == 2:
            ip, port = target
        elif len(target) == 1 and isinstance(target[0], str):
            ip = target[0]
        elif len(target) == 1:
            port = target[0]
        else:
            raise InvalidRequestError(f"ports=: {target!r} is not (host_ip, host_port) nor (host_ip,)")
    elif isinstance(target, Mapping):
        ip, port = target.get("HostIp", ""), target.get("HostPort")
    else:
        port = target
    return {"HostIp": str(ip or ""), "HostPort": "" if port is None else str(port)}


def _binds_of_volumes(volumes: object) -> list[str]:
    if not isinstance(volumes, Mapping):
        return _strings("volumes", volumes)
    binds = []
    for source, target in volumes.items():
        if isinstance(target, str):
            binds.append(f"{source}:{target}:rw")
        elif isinstance(target, Mapping) and "bind" in target:
            mode = ("ro" if target["ro"] else "rw") if "ro" in target else target.get("mode", "rw")
            binds.append(f"{source}:{target['bind']}:{mode}")
        else:
            raise InvalidRequestError(f"volumes=: {source!r} needs {{'bind': '/path', 'mode': 'rw'}}, got {target!r}")
    return binds


def _devices(devices: object) -> list[Any]:
    out: list[Any] = []
    for device in _list("devices", devices):
        if isinstance(device, Mapping):
            out.append(dict(device))
            continue
        host, _, rest = str(device).partition(":")
        inside, _, permissions = rest.partition(":")
        out.append({"PathOnHost": host, "PathInContainer": inside or host, "CgroupPermissions": permissions or "rwm"})
    return out


def _list(keyword: str, value: object) -> Sequence[Any]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise InvalidRequestError(f"{keyword}=: expected a list, got {type(value).__name__} {value!r:.60}")
    return value


def _healthcheck(value: object) -> dict[str, Any]:
    check = _api_keys("healthcheck", value)
    if isinstance(check.get("Test"), str):
        check["Test"] = ["CMD-SHELL", check["Test"]]  # as docker-py and `HEALTHCHECK CMD <shell>`
    return check


# The API's names of what a keyword sets, for `run(WorkingDir=...)` (how run() took raw fields before).
_API_NAMES = {
    **{key: keyword for keyword, (_, key) in _SCALARS.items()},
    **{key: keyword for keyword, key in _STRING_LISTS.items()},
    **{key: keyword for keyword, key in _SIZES.items() if keyword != "mem_limit"},
    "Cmd": "command",
    "Entrypoint": "entrypoint",
    "Env": "environment",
    "User": "user",
    "Labels": "labels",
    "Healthcheck": "healthcheck",
    "ExposedPorts": "ports",
    "PortBindings": "ports",
    "Mounts": "mounts",
    "Tmpfs": "tmpfs",
    "ExtraHosts": "extra_hosts",
    "Devices": "devices",
    "DeviceRequests": "device_requests",
    "Ulimits": "ulimits",
    "LogConfig": "log_config",
    "RestartPolicy": "restart_policy",
    "Sysctls": "sysctls",
    "GroupAdd": "group_add",
    "NetworkingConfig": "network",
    "HostConfig": "host_config",
}


def _unknown_keyword(name: str) -> TypeError:
    hint = DOCKER_PY_SPELLINGS.get(name)
    if hint is None and name[:1].isupper():  # a field of the create body, by the API's name
        keyword = _API_NAMES.get(name)
        hint = f"{keyword}=" if keyword else f"config={{{name!r}: ...}} (or host_config= for a HostConfig field)"
    if hint is None:
        import difflib  # noqa: PLC0415 - only on this error path

        close = difflib.get_close_matches(name, [*sorted(_RUN_KEYWORDS), "command", "detach"], n=2)
        hint = " or ".join(f"{c}=" for c in close) if close else None
    where = (
        f"; write {hint}"
        if hint
        else "; other create fields go in config={...} or host_config={...} with the Docker API's names"
    )
    return TypeError(f"containers.run() got an unexpected keyword argument {name!r}{where}")


class RunPlan(NamedTuple):
    """What `containers.run` will do: the create request and how to run the container."""

    image: str
    body: dict[str, Any]
    create_params: dict[str, str]  # name=, platform=
    detach: bool
    remove: bool
    check: bool
    on_output: Callable[[Frame], object] | None
    logs: dict[str, bool] | None  # stdout=/stderr= for containers.logs; None: no output wanted
    timeout: float | None
    pull: str = "missing"  # "missing": pull when create says there is no such image; "always"; "never"

    def result(self, id: str, exit_code: int, frames: list[Frame]) -> RunResult:
        output = collect(frames)
        return RunResult(id, exit_code, output.stdout, output.stderr)

    def finish(self, result: RunResult, killed: bool) -> RunResult:
        """Raise for a container killed at the timeout, or (with `check`) one that failed."""
        if killed:
            raise DockerTimeoutError(
                f"container {result.id[:12]} ({self.image}) still ran after {self.timeout:g} s: killed"
                f" (exit code {result.exit_code})"
            )
        if self.check and result.exit_code != 0:
            raise ContainerError(result, self.image)
        return result


def plan_run(image: str, command: str | Sequence[str] | None, detach: bool, options: Mapping[str, Any]) -> RunPlan:
    """The create body and the plan of `containers.run(image, command, detach=…, **options)`;
    pure: sync and async `run()` share it. Raises TypeError for an unknown or
    conflicting keyword, `InvalidRequestError` for a value it cannot map."""
    for name in options:
        if name not in _RUN_KEYWORDS:
            raise _unknown_keyword(name)
    given = {k: v for k, v in options.items() if v is not None}
    for one, other in _SAME:
        if one in given and other in given:
            raise TypeError(f"containers.run(): give {one}= or {other}=, not both")
    if detach:
        if extra := [k for k in _BEHAVIOUR if k in given]:
            raise TypeError(
                f"containers.run(detach=True) returns at once, so {', '.join(k + '=' for k in extra)} would be "
                "ignored: leave them out, or read the container with containers.wait/logs"
            )
        remove = bool(given.get("remove"))  # then deleted if it fails to start
        if remove:  # as docker-py: the daemon removes the container when it exits
            given.setdefault("auto_remove", True)
    else:
        remove = bool(given.get("remove", True))

    body: dict[str, Any] = {"Image": image}
    host: dict[str, Any] = {}
    if command is not None:
        body["Cmd"] = shlex.split(command) if isinstance(command, str) else _strings("command", command)
    for keyword, value in given.items():
        if keyword in _SCALARS:
            section, key = _SCALARS[keyword]
            (host if section else body)[key] = value
        elif keyword in _STRING_LISTS:
            host[_STRING_LISTS[keyword]] = _strings(keyword, value)
        elif keyword in _SIZES:
            host[_SIZES[keyword]] = parse_bytes(value, keyword + "=")
    if "entrypoint" in given:
        entrypoint = given["entrypoint"]
        body["Entrypoint"] = (
            shlex.split(entrypoint) if isinstance(entrypoint, str) else _strings("entrypoint", entrypoint)
        )
    if "environment" in given:
        env = given["environment"]
        body["Env"] = (
            [k if v is None else f"{k}={v}" for k, v in env.items()]
            if isinstance(env, Mapping)
            else _strings("environment", env)
        )
    if "user" in given:
        body["User"] = str(given["user"])
    if "labels" in given:
        labels = given["labels"]
        body["Labels"] = (
            {str(k): str(v) for k, v in labels.items()}
            if isinstance(labels, Mapping)
            else dict.fromkeys(_strings("labels", labels), "")
        )
    if "healthcheck" in given:
        body["Healthcheck"] = _healthcheck(given["healthcheck"])
    if "ports" in given:
        ports = given["ports"]
        if not isinstance(ports, Mapping):
            raise InvalidRequestError(f"ports=: expected a dict {{container_port: host_port}}, got {ports!r:.60}")
        bindings = {
            _port_key(port): [_port_binding(t) for t in (target if isinstance(target, list) else [target])]
            for port, target in ports.items()
        }
        body["ExposedPorts"] = {port: {} for port in bindings}
        host["PortBindings"] = bindings
    if "volumes" in given:
        host["Binds"] = _binds_of_volumes(given["volumes"])
    if "mounts" in given:
        host["Mounts"] = [dict(_api_keys("mounts", m)) for m in _list("mounts", given["mounts"])]
    if "tmpfs" in given:
        tmpfs = given["tmpfs"]
        host["Tmpfs"] = (
            {str(k): str(v) for k, v in tmpfs.items()}
            if isinstance(tmpfs, Mapping)
            else {path: options for path, _, options in (t.partition(":") for t in _strings("tmpfs", tmpfs))}
        )
    if "network" in given:
        host["NetworkMode"] = given["network"]
        body["NetworkingConfig"] = {"EndpointsConfig": {given["network"]: {}}}
    if "extra_hosts" in given:
        hosts = given["extra_hosts"]
        host["ExtraHosts"] = (
            [f"{k}:{v}" for k, v in hosts.items()] if isinstance(hosts, Mapping) else _strings("extra_hosts", hosts)
        )
    if "devices" in given:
        host["Devices"] = _devices(given["devices"])
    if "device_requests" in given:
        host["DeviceRequests"] = [
            _api_keys("device_requests", r) for r in _list("device_requests", given["device_requests"])
        ]
    if "ulimits" in given:
        host["Ulimits"] = [_api_keys("ulimits", u) for u in _list("ulimits", given["ulimits"])]
    if "log_config" in given:
        host["LogConfig"] = _api_keys("log_config", given["log_config"])
    if "restart_policy" in given:
        host["RestartPolicy"] = _api_keys("restart_policy", given["restart_policy"])
    if "sysctls" in given:
        host["Sysctls"] = {str(k): str(v) for k, v in _api_keys("sysctls", given["sysctls"]).items()}
    if "group_add" in given:
        host["GroupAdd"] = [str(g) for g in _list("group_add", given["group_add"])]

    for raw_name, raw, target in (
        ("config", given.get("config"), body),
        ("host_config", given.get("host_config"), host),
    ):
        if raw is None:
            continue
        for key, value in _api_keys(raw_name, raw).items():
            if key in target or (raw_name == "config" and key == "HostConfig" and host):
                raise TypeError(f"containers.run(): {key!r} is set both by a keyword and in {raw_name}=")
            target[key] = value
    if host:
        body["HostConfig"] = host
    if not detach and isinstance(body.get("HostConfig"), Mapping) and body["HostConfig"].get("AutoRemove"):
        raise TypeError(
            "containers.run(): auto_remove=True has the daemon remove the container as it exits, before run() "
            "reads its exit code and output: use remove=True (the default), or detach=True"
        )

    pull = given.get("pull", "missing")
    if pull not in ("missing", "always", "never"):
        raise InvalidRequestError(f'pull=: "missing", "always" or "never", not {pull!r:.40}')
    streams = {"stdout": bool(given.get("stdout", True)), "stderr": bool(given.get("stderr", True))}
    return RunPlan(
        image=image,
        body=body,
        create_params={k: str(given[k]) for k in ("name", "platform") if k in given},
        detach=detach,
        remove=remove,
        check=bool(given.get("check", True)),
        on_output=given.get("on_output"),
        logs=streams if any(streams.values()) else None,
        timeout=given.get("timeout"),
        pull=pull,
    )


def _no_such_image(exc: NotFoundError) -> bool:
    # The daemon's words for a create whose image is not here ("No such image: busybox:latest").
    return "no such image" in exc.message.lower()


def _kill(ops: Any, id: str, killed: list[bool]) -> None:
    """The `timeout` of `run()`: kill the container (one that just exited is not counted)."""
    try:
        ops.kill(id)
    except DockerError:
        return
    killed.append(True)


class Cancellable(Protocol):
    def cancel(self) -> object: ...


def _sync_watchdog(seconds: float, ops: Any, id: str, killed: list[bool]) -> Cancellable:
    """The `timeout` of `run()` (sync): a timer thread kills the container then."""
    timer = threading.Timer(seconds, _kill, (ops, id, killed))
    timer.daemon = True
    timer.start()
    return timer


def _async_watchdog(seconds: float, ops: Any, id: str, killed: list[bool]) -> Cancellable:
    """The `timeout` of `run()` (asyncio): a task kills the container then."""
    import asyncio  # noqa: PLC0415 - asyncio only for async use

    return asyncio.create_task(_kill_after(seconds, ops, id, killed))


async def _kill_after(seconds: float, ops: Any, id: str, killed: list[bool]) -> None:
    import asyncio  # noqa: PLC0415 - asyncio only for async use

    await asyncio.sleep(seconds)
    try:
        await ops.kill(id)
    except DockerError:
        return
    killed.append(True)


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


# -- images: pull, push and build, followed to their end, with progress --------------------------------------------------

# The message models and Image handle of the client's API version: the methods below take
# `self` as one of the protocols, so a type checker reads them off the generated class
# (`pull` of v1.51's ImagesAPI returns v1.51's `Image` handle, its
# `progress` function takes v1.51's `CreateImageInfo`).
M = TypeVar("M")
I = TypeVar("I")  # noqa: E741
I_co = TypeVar("I_co", covariant=True)


class _Pulls(Protocol[M, I_co]):
    def create(self, *args: Any, **kwargs: Any) -> JSONStream[M]: ...
    def get_image(self, name: str, /) -> I_co: ...


class _Pushes(Protocol[M]):
    def push(self, *args: Any, **kwargs: Any) -> JSONStream[M]: ...


class _Builds(Protocol[M, I_co]):
    def build(self, *args: Any, **kwargs: Any) -> JSONStream[M]: ...
    def get_image(self, name: str, /) -> I_co: ...


class _AsyncPulls(Protocol[M, I_co]):
    async def create(self, *args: Any, **kwargs: Any) -> AsyncJSONStream[M]: ...
    async def get_image(self, name: str, /) -> I_co: ...


class _AsyncPushes(Protocol[M]):
    async def push(self, *args: Any, **kwargs: Any) -> AsyncJSONStream[M]: ...


class _AsyncBuilds(Protocol[M, I_co]):
    async def build(self, *args: Any, **kwargs: Any) -> AsyncJSONStream[M]: ...
    async def get_image(self, name: str, /) -> I_co: ...


class Reference(NamedTuple):
    """An image reference split like the docker CLI splits it."""

    name: str
    tag: str | None
    digest: str | None


def parse_reference(ref: str) -> Reference:
    """Split `name[:tag][@digest]`: the tag is after the last `:` that follows the last `/`, so
    `localhost:5000/team/app` has no tag (the port is not one) and `busybox` has none either
    (pull and push then use `latest`, as the CLI does)."""
    if not isinstance(ref, str) or not ref.strip() or ref != ref.strip():
        raise InvalidRequestError(f"an image reference is a name like 'busybox:1.36', got {ref!r}")
    name, at, digest = ref.partition("@")
    tag = None
    if name.rfind(":") > name.rfind("/"):
        name, _, tag = name.rpartition(":")
    if not name or tag == "" or (at and ":" not in digest):
        raise InvalidRequestError(f"{ref!r} is not an image reference: write name[:tag] or name@sha256:<digest>")
    return Reference(name, tag, digest or None)


def _pull_plan(
    ref: str, tag: str | None, platform: str | None, auth: AuthConfig | Literal["config"] | None
) -> tuple[dict[str, Any], str]:
    """The `images.create` keywords of a pull, and the name to inspect afterwards."""
    parsed = parse_reference(ref)
    if tag is not None and parsed.digest is not None:
        raise InvalidRequestError(f"images.pull({ref!r}, tag={tag!r}): give a tag or a digest, not both")
    version = parsed.digest or tag or parsed.tag or "latest"
    params: dict[str, Any] = {"from_image": parsed.name, "tag": version, "auth": auth}
    if platform is not None:
        params["platform"] = platform  # a VersionError before API 1.32
    return params, f"{parsed.name}{'@' if ':' in version else ':'}{version}"


def _push_plan(ref: str, tag: str | None, auth: AuthConfig | Literal["config"] | None) -> tuple[str, dict[str, Any]]:
    parsed = parse_reference(ref)
    if parsed.digest is not None:
        raise InvalidRequestError(f"images.push_image({ref!r}): a push names a tag, not a digest")
    return parsed.name, {"tag": tag or parsed.tag or "latest", "auth": auth}


class BuildOptions(TypedDict, total=False):
    """The keywords of `images.build_image` besides `context`, `tag` and `progress`: the build's
    query parameters, with the names of `images.build` (the Docker API's). None means not set."""

    dockerfile: str | None
    extrahosts: str | None
    remote: str | None
    q: bool | None
    nocache: bool | None
    cachefrom: JSONParam | None
    pull: bool | str | None
    rm: bool | None
    forcerm: bool | None
    memory: int | None
    memswap: int | None
    cpushares: int | None
    cpusetcpus: str | None
    cpuperiod: int | None
    cpuquota: int | None
    buildargs: JSONParam | None
    shmsize: int | None
    squash: bool | None
    labels: JSONParam | None
    networkmode: str | None
    platform: str | None
    target: str | None
    outputs: JSONParam | None
    x_registry_config: str | None


_BUILD_KEYWORDS = BuildOptions.__optional_keys__ | BuildOptions.__required_keys__
# docker-py's build keywords that build_image spells otherwise, and what to write instead.
_DOCKER_PY_BUILD = {
    "path": "context=",
    "fileobj": "context=",
    "custom_context": "context= (a tar as bytes or a binary file)",
    "quiet": "q=",
    "cache_from": "cachefrom=",
    "network_mode": "networkmode=",
    "extra_hosts": "extrahosts=",
    "container_limits": "memory=, memswap=, cpushares=, cpusetcpus=",
    "t": "tag=",
    "version": "images.build(version=...): build_image runs classic builds",
}


class BuildResult(NamedTuple, Generic[I, M]):
    """What `images.build_image` returns: `image, log = docker.images.build_image(...)`, as with docker-py."""

    image: I
    """The built image: an `Image` handle (`.attrs` is its `images.inspect`)."""
    build_log: list[M]
    """Every message of the build (`BuildInfo`)."""


def _build_plan(context: RequestContent | str | None, tag: str | None, options: Mapping[str, Any]) -> dict[str, Any]:
    """The `images.build` keywords of a build."""
    for name in options:
        if name not in _BUILD_KEYWORDS:
            hint = _DOCKER_PY_BUILD.get(name)
            raise TypeError(
                f"images.build_image() got an unexpected keyword argument {name!r}"
                + (f"; write {hint}" if hint else "")
            )
    params = {k: v for k, v in options.items() if v is not None}
    pull = params.get("pull")
    if isinstance(pull, bool):  # docker-py's pull=True; the API reads a boolean string
        if pull:
            params["pull"] = "1"
        else:
            del params["pull"]
    if isinstance(context, str):  # docker-py's path=: a directory
        context = Path(context)
    if context is None and "remote" not in params:
        raise InvalidRequestError("images.build_image(): give a context (a directory, a tar), or remote=")
    dockerfile = getattr(context, "dockerfile", None)  # a BuildContext knows where its Dockerfile is
    if "dockerfile" not in params and isinstance(dockerfile, str):
        params["dockerfile"] = dockerfile
    if tag is not None:
        params["t"] = tag
    if context is not None:
        params["body"] = context
    return params


class BuildKitPlan(NamedTuple):
    """A BuildKit build: its context directory and the `images.build` query."""

    context: Path
    params: dict[str, Any]


def _buildkit_plan(context: RequestContent | str | None, tag: str | None, options: Mapping[str, Any]) -> BuildKitPlan:
    """The context and the query of `images.build_image(…, buildkit=True)`: the daemon reads
    the context and the Dockerfile through the session, not from a request body."""
    params = _build_plan(context, tag, options)
    directory = params.pop("body", None)
    if not isinstance(directory, Path):
        raise InvalidRequestError(
            "images.build_image(buildkit=True): the context must be a directory (a pathlib.Path or a str path);"
            f" got {type(directory).__name__}"
        )
    buildkit_dirs(directory, params.get("dockerfile"))  # a missing one fails before anything is sent
    return BuildKitPlan(directory, params)


def buildkit_dirs(context: str | os.PathLike[str] | None, dockerfile: str | None) -> tuple[Path, Path, str]:
    """(the context directory, the Dockerfile's directory, the Dockerfile's name there) of a
    BuildKit build: a relative `dockerfile` is in the context, as with the classic builder;
    an absolute one may be anywhere."""
    if context is None or not Path(context).is_dir():
        raise InvalidRequestError(f"a BuildKit build's context must be a directory; got {context!r}")
    directory = Path(context)
    name = Path(str(dockerfile or "Dockerfile"))
    path = name if name.is_absolute() else directory / name
    if not path.is_file():
        raise InvalidRequestError(f"a BuildKit build: no Dockerfile at {path}")
    return directory, path.parent, path.name


def _buildkit_request(params: Mapping[str, Any]) -> Request:
    """`POST /build` of a BuildKit build, its query as `images.build` would send it
    (`AsyncAPI.buildkit` adds the session)."""
    query = {k: (json.dumps(v) if isinstance(v, (dict, list)) else _query_value(v)) for k, v in params.items()}
    return Request("POST", "/build", (200,), kind="json-stream", params=query)


def _query_value(value: Any) -> str:
    return ("1" if value else "0") if isinstance(value, bool) else str(value)


def _buildkit_progress(progress: Any) -> Callable[[Any], object] | None:
    """What to call with each `BuildStatus`: `progress=` as for the classic build, a text
    stream (`True`: stdout) getting `--progress=plain` lines."""
    from ._build_status import PlainProgress  # noqa: PLC0415

    target = progress_target(progress)
    return PlainProgress.to(target) if isinstance(target, TextWriter) else target


def _built_image(follower: StreamFollower[Any], tag: str | None) -> str:
    """What to inspect after a build: the ID it reported, else its tag."""
    name = follower.image_id or tag
    if name is None:
        raise BuildError(
            "the build ended without reporting an image ID", build_log=follower.build_log, step=follower.step
        )
    return name


def _sync_feed(follower: StreamFollower[M], event: M) -> None:
    follower.feed(event)
    follower.check()


async def _async_feed(follower: StreamFollower[M], event: M) -> None:
    result = follower.feed(event)
    if inspect.isawaitable(result):
        await result
    follower.check()
