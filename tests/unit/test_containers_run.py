"""`containers.run`: docker-py's keywords mapped to the create body (pure `plan_run`),
and the calls it makes over `httpx.MockTransport` (detach, output, removal, timeout)."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
import struct
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from docker_engine import ContainerError, DockerTimeoutError, InvalidRequestError, NotFoundError
from docker_engine._async_mixins import AsyncContainersMixin
from docker_engine._mixins import (
    _SCALARS,
    DOCKER_PY_SPELLINGS,
    RunOptions,
    parse_bytes,
    plan_run,
)
from docker_engine._streams import Frame
from docker_engine._sync_mixins import ContainersMixin

MULTIPLEXED = "application/vnd.docker.multiplexed-stream"


def body(command: Any = None, detach: bool = False, **options: Any) -> dict[str, Any]:
    return plan_run("busybox", command, detach, options).body


def host(**options: Any) -> dict[str, Any]:
    config: dict[str, Any] = body(**options)["HostConfig"]
    return config


# -- the body ---------------------------------------------------------------------------------------------------------


def test_image_alone() -> None:
    plan = plan_run("busybox", None, False, {})
    assert plan.body == {"Image": "busybox"}
    assert (plan.detach, plan.remove, plan.check, plan.on_output, plan.timeout) == (False, True, True, None, None)
    assert plan.logs == {"stdout": True, "stderr": True}
    assert plan.create_params == {}


def test_command_and_entrypoint_as_string_or_list() -> None:
    assert body("sh -c 'echo a b'")["Cmd"] == ["sh", "-c", "echo a b"]
    assert body(["echo", "a b"])["Cmd"] == ["echo", "a b"]
    assert body(entrypoint="/bin/sh -c")["Entrypoint"] == ["/bin/sh", "-c"]
    assert body(entrypoint=["/entry"])["Entrypoint"] == ["/entry"]


def test_environment_as_dict_or_list() -> None:
    assert body(environment={"A": "1", "PORT": 8080, "ONLY_NAME": None})["Env"] == ["A=1", "PORT=8080", "ONLY_NAME"]
    assert body(environment=["A=1", "B=2"])["Env"] == ["A=1", "B=2"]


def test_ports_in_every_docker_py_shape() -> None:
    b = body(
        ports={
            80: 8080,
            "53/udp": None,
            "22/tcp": ("127.0.0.1", 2222),
            "9000": ("::1",),
            443: [8443, "9443"],
            1234: {"HostIp": "10.0.0.1", "HostPort": "4321"},
        }
    )
    assert b["ExposedPorts"] == {
        "80/tcp": {},
        "53/udp": {},
        "22/tcp": {},
        "9000/tcp": {},
        "443/tcp": {},
        "1234/tcp": {},
    }
    assert b["HostConfig"]["PortBindings"] == {
        "80/tcp": [{"HostIp": "", "HostPort": "8080"}],
        "53/udp": [{"HostIp": "", "HostPort": ""}],
        "22/tcp": [{"HostIp": "127.0.0.1", "HostPort": "2222"}],
        "9000/tcp": [{"HostIp": "::1", "HostPort": ""}],
        "443/tcp": [{"HostIp": "", "HostPort": "8443"}, {"HostIp": "", "HostPort": "9443"}],
        "1234/tcp": [{"HostIp": "10.0.0.1", "HostPort": "4321"}],
    }
    with pytest.raises(InvalidRequestError, match="ports="):
        body(ports=["80:80"])


def test_volumes_as_list_or_docker_py_dict_and_binds() -> None:
    assert host(volumes=["/src:/dst", "/a:/b:ro"])["Binds"] == ["/src:/dst", "/a:/b:ro"]
    assert host(
        volumes={"/home/u": {"bind": "/mnt", "mode": "ro"}, "/var": {"bind": "/v"}, "/x": {"bind": "/y", "ro": True}}
    )["Binds"] == ["/home/u:/mnt:ro", "/var:/v:rw", "/x:/y:ro"]
    assert host(volumes={"data": "/data"})["Binds"] == ["data:/data:rw"]
    assert host(binds=["/s:/d:z"])["Binds"] == ["/s:/d:z"]
    with pytest.raises(InvalidRequestError, match="volumes="):
        body(volumes={"/s": {"mode": "ro"}})
    with pytest.raises(TypeError, match="give binds= or volumes=, not both"):
        body(binds=["/a:/b"], volumes=["/c:/d"])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1024, 1024),
        ("100", 100),
        ("100b", 100),
        ("512k", 512 * 1024),
        ("512m", 512 * 1024**2),
        ("512M", 512 * 1024**2),
        ("512mb", 512 * 1024**2),
        ("64MiB", 64 * 1024**2),
        ("1.5g", 3 * 1024**3 // 2),
        ("2 GB", 2 * 1024**3),
        ("1t", 1024**4),
        (-1, -1),
    ],
)
def test_sizes(value: int | str, expected: int) -> None:
    assert parse_bytes(value) == expected
    assert host(mem_limit=value)["Memory"] == expected
    assert host(memory=value)["Memory"] == expected


@pytest.mark.parametrize("value", ["", "lots", "12x", "m", "-5m", True, 1.5, None])
def test_bad_sizes(value: Any) -> None:
    with pytest.raises(InvalidRequestError, match="shm_size="):
        parse_bytes(value, "shm_size=")


def test_memory_keywords() -> None:
    assert host(memswap_limit="1g", mem_reservation="256m", shm_size="64m") == {
        "MemorySwap": 1024**3,
        "MemoryReservation": 256 * 1024**2,
        "ShmSize": 64 * 1024**2,
    }
    with pytest.raises(TypeError, match="give memory= or mem_limit=, not both"):
        body(memory=1, mem_limit=2)


def test_network_sets_the_mode_and_the_endpoint() -> None:
    b = body(network="backend")
    assert b["HostConfig"] == {"NetworkMode": "backend"}
    assert b["NetworkingConfig"] == {"EndpointsConfig": {"backend": {}}}
    assert host(network_mode="host") == {"NetworkMode": "host"}
    with pytest.raises(TypeError, match="give network= or network_mode=, not both"):
        body(network="a", network_mode="none")


def test_labels_user_and_groups() -> None:
    assert body(labels={"a": "1"})["Labels"] == {"a": "1"}
    assert body(labels=["x", "y"])["Labels"] == {"x": "", "y": ""}
    assert body(user=1000)["User"] == "1000"
    assert body(user="nobody:nogroup")["User"] == "nobody:nogroup"
    assert host(group_add=[10, "audio"])["GroupAdd"] == ["10", "audio"]


def test_docker_py_helper_dicts_with_lower_case_keys() -> None:
    b = body(
        healthcheck={"test": "wget -q localhost", "interval": 1_000_000_000, "retries": 3, "start_period": 5},
        log_config={"type": "json-file", "config": {"max-size": "1m"}},
        ulimits=[{"name": "nofile", "soft": 1024, "hard": 2048}, {"Name": "core", "Soft": 0, "Hard": 0}],
        restart_policy={"Name": "on-failure", "MaximumRetryCount": 3},
        device_requests=[{"count": -1, "capabilities": [["gpu"]]}],
    )
    assert b["Healthcheck"] == {
        "Test": ["CMD-SHELL", "wget -q localhost"],
        "Interval": 1_000_000_000,
        "Retries": 3,
        "StartPeriod": 5,
    }
    assert body(healthcheck={"Test": ["CMD", "true"]})["Healthcheck"] == {"Test": ["CMD", "true"]}
    h = b["HostConfig"]
    assert h["LogConfig"] == {"Type": "json-file", "Config": {"max-size": "1m"}}
    assert h["Ulimits"] == [{"Name": "nofile", "Soft": 1024, "Hard": 2048}, {"Name": "core", "Soft": 0, "Hard": 0}]
    assert h["RestartPolicy"] == {"Name": "on-failure", "MaximumRetryCount": 3}
    assert h["DeviceRequests"] == [{"Count": -1, "Capabilities": [["gpu"]]}]


def test_devices_hosts_tmpfs_sysctls_mounts() -> None:
    h = host(
        devices=["/dev/sda", "/dev/sdb:/dev/xvdb", "/dev/fuse:/dev/fuse:rw", {"PathOnHost": "/dev/a"}],
        extra_hosts={"db": "10.0.0.2", "v6": "::1"},
        tmpfs=["/run", "/tmp:size=64m,mode=1777"],
        sysctls={"net.core.somaxconn": 1024},
        mounts=[{"Type": "volume", "Source": "data", "Target": "/data", "ReadOnly": True}],
    )
    assert h["Devices"] == [
        {"PathOnHost": "/dev/sda", "PathInContainer": "/dev/sda", "CgroupPermissions": "rwm"},
        {"PathOnHost": "/dev/sdb", "PathInContainer": "/dev/xvdb", "CgroupPermissions": "rwm"},
        {"PathOnHost": "/dev/fuse", "PathInContainer": "/dev/fuse", "CgroupPermissions": "rw"},
        {"PathOnHost": "/dev/a"},
    ]
    assert h["ExtraHosts"] == ["db:10.0.0.2", "v6:::1"]
    assert h["Tmpfs"] == {"/run": "", "/tmp": "size=64m,mode=1777"}
    assert h["Sysctls"] == {"net.core.somaxconn": "1024"}
    assert h["Mounts"] == [{"Type": "volume", "Source": "data", "Target": "/data", "ReadOnly": True}]
    assert host(extra_hosts=["a:1.2.3.4"], tmpfs={"/x": "size=1m"}) == {
        "ExtraHosts": ["a:1.2.3.4"],
        "Tmpfs": {"/x": "size=1m"},
    }


SCALAR_VALUES = {bool: True, int: 7, str: "x"}


@pytest.mark.parametrize(("keyword", "place"), sorted(_SCALARS.items()))
def test_every_plain_keyword_lands_in_its_place(keyword: str, place: tuple[str, str]) -> None:
    value: Any = "value" if "str" in str(RunOptions.__annotations__[keyword]) else 7
    if "bool" in str(RunOptions.__annotations__[keyword]):
        value = True
    b = body(detach=True, auto_remove=value) if keyword == "auto_remove" else body(**{keyword: value})
    section, key = place
    assert (b["HostConfig"] if section else b)[key] == value
    assert len(b) == 2  # Image, and the field or HostConfig


def test_string_lists() -> None:
    assert host(cap_add=["NET_ADMIN"], cap_drop=["ALL"], security_opt=["no-new-privileges"]) == {
        "CapAdd": ["NET_ADMIN"],
        "CapDrop": ["ALL"],
        "SecurityOpt": ["no-new-privileges"],
    }
    assert host(dns=["1.1.1.1"], dns_search=["lan"], dns_opt=["ndots:1"], volumes_from=["other:ro"]) == {
        "Dns": ["1.1.1.1"],
        "DnsSearch": ["lan"],
        "DnsOptions": ["ndots:1"],
        "VolumesFrom": ["other:ro"],
    }
    # A lone string is a Sequence[str] to a type checker, so it is refused at run time.
    with pytest.raises(InvalidRequestError, match=r"cap_add=: expected a list of strings, got 'NET_ADMIN'"):
        body(cap_add="NET_ADMIN")


def test_none_means_not_given() -> None:
    plan = plan_run("busybox", None, False, {"name": None, "environment": None, "memory": None, "check": None})
    assert plan.body == {"Image": "busybox"}
    assert plan.create_params == {}
    assert plan.check is True


def test_name_platform_and_output_choices() -> None:
    plan = plan_run("busybox", None, False, {"name": "web", "platform": "linux/arm64", "stderr": False})
    assert plan.create_params == {"name": "web", "platform": "linux/arm64"}
    assert plan.logs == {"stdout": True, "stderr": False}
    assert plan_run("busybox", None, False, {"stdout": False, "stderr": False}).logs is None


def test_raw_config_and_host_config_add_any_field() -> None:
    b = body(
        tty=True,
        privileged=True,
        config={"MacAddress": "02:42:ac:11:00:02", "StopTimeout": 3},
        host_config={"CgroupParent": "/x", "OomScoreAdj": 5},
    )
    assert b == {
        "Image": "busybox",
        "Tty": True,
        "MacAddress": "02:42:ac:11:00:02",
        "StopTimeout": 3,
        "HostConfig": {"Privileged": True, "CgroupParent": "/x", "OomScoreAdj": 5},
    }
    assert body(host_config={"NetworkMode": "none"}) == {"Image": "busybox", "HostConfig": {"NetworkMode": "none"}}
    assert body(config={"HostConfig": {"Init": True}}) == {"Image": "busybox", "HostConfig": {"Init": True}}


def test_a_field_set_twice_is_refused() -> None:
    with pytest.raises(TypeError, match=r"'Env' is set both by a keyword and in config="):
        body(environment=["A=1"], config={"Env": ["B=2"]})
    with pytest.raises(TypeError, match=r"'Memory' is set both by a keyword and in host_config="):
        body(mem_limit="1g", host_config={"Memory": 5})
    with pytest.raises(TypeError, match=r"'HostConfig' is set both by a keyword and in config="):
        body(privileged=True, config={"HostConfig": {"Init": True}})


def test_detach() -> None:
    plan = plan_run("busybox", None, True, {})
    assert plan.detach and not plan.remove
    assert "HostConfig" not in plan.body
    plan = plan_run("busybox", None, True, {"remove": True})  # docker-py: the daemon removes it
    assert plan.remove and plan.body["HostConfig"] == {"AutoRemove": True}
    for keyword, value in [("on_output", print), ("timeout", 5), ("check", False), ("stdout", True)]:
        with pytest.raises(TypeError, match=rf"detach=True.*{keyword}= would be ignored"):
            plan_run("busybox", None, True, {keyword: value})


def test_auto_remove_without_detach_is_refused() -> None:
    for options in ({"auto_remove": True}, {"host_config": {"AutoRemove": True}}):
        with pytest.raises(TypeError, match="auto_remove=True has the daemon remove the container"):
            plan_run("busybox", None, False, options)
    assert plan_run("busybox", None, False, {"auto_remove": False}).body["HostConfig"] == {"AutoRemove": False}


@pytest.mark.parametrize(
    ("keyword", "hint"),
    [
        ("stream", "write on_output=callback"),
        ("env", "write environment="),
        ("enviroment", "write environment="),
        ("mem_limt", "write mem_limit="),
        ("cgroup_parent", "write host_config={'CgroupParent': ...}"),
        ("mac_address", "write config={'MacAddress': ...}"),
        ("zzz_unheard_of", "other create fields go in config={...} or host_config={...}"),
        # API names, as run(**config) took them before
        ("WorkingDir", "write working_dir="),
        ("Env", "write environment="),
        ("Memory", "write memory="),
        ("MacAddress", "write config={'MacAddress': ...} (or host_config= for a HostConfig field)"),
    ],
)
def test_an_unknown_keyword_is_a_type_error_saying_what_to_write(keyword: str, hint: str) -> None:
    with pytest.raises(
        TypeError, match=rf"^containers.run\(\) got an unexpected keyword argument '{keyword}'; "
    ) as info:
        plan_run("busybox", None, False, {keyword: True})
    assert hint in str(info.value)


DOCKER_PY_RUN_KEYWORDS = [
    "environment",
    "volumes",
    "mem_limit",
    "ports",
    "network_mode",
    "network",
    "remove",
    "auto_remove",
    "stdout",
    "stderr",
    "working_dir",
    "user",
    "entrypoint",
    "labels",
    "name",
    "hostname",
    "privileged",
    "cap_add",
    "cap_drop",
    "tty",
    "stdin_open",
    "init",
    "platform",
    "stop_signal",
    "restart_policy",
    "healthcheck",
    "mounts",
    "nano_cpus",
    "shm_size",
    "devices",
    "extra_hosts",
    "dns",
    "read_only",
    "pid_mode",
    "ipc_mode",
    "security_opt",
    "ulimits",
    "log_config",
    "sysctls",
    "tmpfs",
    "group_add",
    "userns_mode",
    "runtime",
    "dns_opt",
    "dns_search",
    "domainname",
    "cgroupns",
    "cpu_period",
    "cpu_quota",
    "cpu_shares",
    "cpuset_cpus",
    "device_requests",
    "mem_reservation",
    "memswap_limit",
    "oom_kill_disable",
    "pids_limit",
    "publish_all_ports",
    "uts_mode",
    "volumes_from",
    "stop_timeout",
]


def test_docker_py_keywords_are_taken_or_explained() -> None:
    keywords = set(RunOptions.__annotations__)
    assert set(DOCKER_PY_RUN_KEYWORDS) <= keywords
    assert not keywords & set(DOCKER_PY_SPELLINGS)  # an explained keyword is never also taken


def test_the_signature_shows_every_keyword() -> None:
    for run in (ContainersMixin.run, AsyncContainersMixin.run):
        parameters = inspect.signature(run).parameters
        assert list(parameters)[:4] == ["self", "image", "command", "detach"]
        assert set(parameters) == {"self", "image", "command", "detach", *RunOptions.__annotations__}
        assert parameters["mem_limit"].kind is inspect.Parameter.KEYWORD_ONLY
        assert parameters["mem_limit"].annotation == "int | str | None"
    assert "| `ports` |" in (ContainersMixin.run.__doc__ or "")


# -- over a scripted daemon -------------------------------------------------------------------------------------------


def frame(stream: int, data: bytes) -> bytes:
    return struct.pack(">BxxxL", stream, len(data)) + data


class Body(httpx.SyncByteStream, httpx.AsyncByteStream):
    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk


OUTPUT = frame(1, b"hello\n") + frame(2, b"oops\n")


class Daemon:
    """Answers create/start/logs/wait/kill/delete as a daemon would; records every request."""

    def __init__(self, exit_code: int = 0, start_status: int = 204) -> None:
        self.exit_code = exit_code
        self.start_status = start_status
        self.requests: list[httpx.Request] = []
        self.killed = threading.Event()
        self.hang = False  # wait blocks until a kill
        self.has_image = True  # False: create answers 404 "No such image" until a pull

    def answer(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path, method = request.url.path, request.method
        if path.endswith("/images/create"):  # a pull
            self.has_image = True
            return httpx.Response(200, content=b'{"status":"Pulling from library/busybox"}\n{"status":"Done"}\n')
        if path.endswith("/images/busybox:latest/json"):
            return httpx.Response(200, json={"Id": "sha256:" + "b" * 64, "RepoTags": ["busybox:latest"]})
        if path.endswith("/containers/create"):
            if not self.has_image:
                return httpx.Response(404, json={"message": "No such image: busybox:latest"})
            return httpx.Response(201, json={"Id": "c0ffee" * 10 + "abcd", "Warnings": []})
        if path.endswith("/start"):
            return httpx.Response(
                self.start_status, json={"message": "cannot start"} if self.start_status >= 400 else None
            )
        if path.endswith("/logs"):
            return httpx.Response(200, headers={"Content-Type": MULTIPLEXED}, stream=Body([OUTPUT[:5], OUTPUT[5:]]))
        if path.endswith("/kill"):
            self.killed.set()
            return httpx.Response(204)
        if path.endswith("/json") and "/containers/" in path:  # the TTY question of older API versions' logs
            return httpx.Response(200, json={"Id": CID, "Config": {"Tty": False}})
        if method == "DELETE":
            return httpx.Response(204)
        return httpx.Response(404, json={"message": f"unexpected {method} {path}"})

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/wait"):
            self.requests.append(request)
            if self.hang:
                assert self.killed.wait(10)
                return httpx.Response(200, json={"StatusCode": 137})
            return httpx.Response(200, json={"StatusCode": self.exit_code})
        return self.answer(request)

    async def ahandle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/wait"):
            self.requests.append(request)
            if self.hang:
                for _ in range(1000):
                    if self.killed.is_set():
                        return httpx.Response(200, json={"StatusCode": 137})
                    await asyncio.sleep(0.01)
                raise AssertionError("never killed")
            return httpx.Response(200, json={"StatusCode": self.exit_code})
        return self.answer(request)

    def calls(self) -> list[str]:
        """The requests, without the version prefix nor the inspect that asks whether the container has a TTY."""
        return [f"{r.method} {r.url.path.split('/', 2)[2]}" for r in self.requests if not r.url.path.endswith("/json")]

    def created(self) -> Any:
        return json.loads(self.requests[0].content)

    def client(self, version: str = "1.56") -> Any:
        package: Any = importlib.import_module("docker_engine.v" + version.replace(".", "_"))
        return package.Docker("unix:///nonexistent.sock", transport=httpx.MockTransport(self.handle))

    def async_client(self, version: str = "1.56") -> Any:
        package: Any = importlib.import_module("docker_engine.v" + version.replace(".", "_"))
        return package.AsyncDocker("unix:///nonexistent.sock", transport=httpx.MockTransport(self.ahandle))


CID = "c0ffee" * 10 + "abcd"


@pytest.mark.parametrize("version", ["1.41", "1.56"])
def test_detach_creates_starts_and_returns_a_handle(version: str) -> None:
    daemon = Daemon()
    with daemon.client(version) as docker:
        container = docker.containers.run(
            "busybox", "sleep 60", detach=True, name="web", network_mode="none", ports={80: 8080}
        )
        assert container == docker.containers.handle(CID)
    package = importlib.import_module(f"docker_engine.v{version.replace('.', '_')}")
    assert type(container) is importlib.import_module(package.__name__ + ".api").Container
    assert container._ops._bodies.package == package.__name__  # the version's own table (bodies, version)
    assert (container.id, container.short_id, repr(container)) == (CID, CID[:12], f"<Container {CID[:12]}>")
    assert daemon.calls() == ["POST containers/create", f"POST containers/{CID}/start"]
    assert daemon.requests[0].url.params["name"] == "web"
    assert daemon.created() == {
        "Image": "busybox",
        "Cmd": ["sleep", "60"],
        "ExposedPorts": {"80/tcp": {}},
        "HostConfig": {"NetworkMode": "none", "PortBindings": {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}},
    }


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_run_pulls_a_missing_image_like_docker_run(flavour: str) -> None:
    daemon = Daemon()
    daemon.has_image = False
    if flavour == "sync":
        with daemon.client() as docker:
            assert docker.containers.run("busybox", detach=True).id == CID
    else:

        async def main() -> str:
            async with daemon.async_client() as docker:
                return (await docker.containers.run("busybox", detach=True)).id

        assert asyncio.run(main()) == CID
    assert [c for c in daemon.calls() if not c.startswith("GET images")] == [
        "POST containers/create",
        "POST images/create",
        "POST containers/create",
        f"POST containers/{CID}/start",
    ]
    pulled = next(r for r in daemon.requests if r.url.path.endswith("/images/create"))
    assert (pulled.url.params["fromImage"], pulled.url.params["tag"]) == ("busybox", "latest")


def test_run_pull_never_and_always() -> None:
    daemon = Daemon()
    daemon.has_image = False
    with daemon.client() as docker, pytest.raises(NotFoundError, match="No such image"):
        docker.containers.run("busybox", detach=True, pull="never")
    assert "POST images/create" not in daemon.calls()
    daemon = Daemon()
    with daemon.client() as docker:
        docker.containers.run("busybox", detach=True, pull="always")
    assert daemon.calls()[0] == "POST images/create"
    with pytest.raises(InvalidRequestError, match='pull=: "missing", "always" or "never"'):
        plan_run("busybox", None, True, {"pull": "sometimes"})


def test_detach_with_remove_deletes_a_container_that_cannot_start() -> None:
    daemon = Daemon(start_status=500)
    with daemon.client() as docker, pytest.raises(Exception, match="cannot start"):
        docker.containers.run("busybox", detach=True, remove=True)
    assert daemon.created()["HostConfig"] == {"AutoRemove": True}
    assert daemon.calls()[-1] == f"DELETE containers/{CID}"


@pytest.mark.parametrize("version", ["1.41", "1.56"])
def test_run_maps_keywords_waits_collects_and_removes(version: str) -> None:
    daemon = Daemon()
    with daemon.client(version) as docker:
        result = docker.containers.run(
            "busybox",
            ["sh", "-c", "echo hello; echo oops >&2"],
            environment={"A": "1"},
            mem_limit="64m",
            network_mode="none",
            labels=["test"],
            working_dir="/tmp",
            user=0,
            cap_drop=["ALL"],
            read_only=True,
            healthcheck={"test": "true"},
            tmpfs=["/run"],
        )
    assert result == (CID, 0, b"hello\n", b"oops\n")
    calls = daemon.calls()
    assert calls[:2] == ["POST containers/create", f"POST containers/{CID}/start"]
    assert f"POST containers/{CID}/wait" in calls
    assert calls[-2:] == [f"GET containers/{CID}/logs", f"DELETE containers/{CID}"]
    assert daemon.created() == {
        "Image": "busybox",
        "Cmd": ["sh", "-c", "echo hello; echo oops >&2"],
        "Env": ["A=1"],
        "Labels": {"test": ""},
        "WorkingDir": "/tmp",
        "User": "0",
        "Healthcheck": {"Test": ["CMD-SHELL", "true"]},
        "HostConfig": {
            "Memory": 64 * 1024**2,
            "NetworkMode": "none",
            "CapDrop": ["ALL"],
            "ReadonlyRootfs": True,
            "Tmpfs": {"/run": ""},
        },
    }


def test_every_keyword_makes_a_body_the_client_accepts() -> None:
    # The generated create checks dict bodies: every key and value type the mapping makes must pass.
    options: dict[str, Any] = {
        "entrypoint": "/bin/sh",
        "environment": {"A": 1},
        "working_dir": "/",
        "user": 0,
        "hostname": "h",
        "domainname": "d",
        "labels": {"a": "b"},
        "tty": True,
        "stdin_open": True,
        "stop_signal": "SIGTERM",
        "stop_timeout": 3,
        "healthcheck": {"test": ["CMD", "true"], "interval": 10**9, "timeout": 10**9, "retries": 2},
        "ports": {80: 8080, "53/udp": ("127.0.0.1", 5353)},
        "volumes": {"/a": {"bind": "/b", "mode": "ro"}},
        "volumes_from": ["x"],
        "mounts": [{"Type": "tmpfs", "Target": "/t"}],
        "tmpfs": {"/run": ""},
        "network": "net",
        "publish_all_ports": False,
        "extra_hosts": {"h": "1.2.3.4"},
        "dns": ["1.1.1.1"],
        "dns_search": ["x"],
        "dns_opt": ["ndots:1"],
        "mem_limit": "1g",
        "memswap_limit": -1,
        "mem_reservation": "10m",
        "shm_size": "64m",
        "nano_cpus": 10**9,
        "cpu_shares": 512,
        "cpuset_cpus": "0",
        "cpu_period": 100000,
        "cpu_quota": 50000,
        "pids_limit": 100,
        "oom_kill_disable": False,
        "privileged": False,
        "cap_add": ["NET_ADMIN"],
        "cap_drop": ["MKNOD"],
        "security_opt": ["no-new-privileges"],
        "read_only": True,
        "devices": ["/dev/null:/dev/n:rwm"],
        "device_requests": [{"count": 1, "capabilities": [["gpu"]]}],
        "ulimits": [{"name": "nofile", "soft": 1, "hard": 2}],
        "log_config": {"type": "json-file", "config": {}},
        "sysctls": {"net.ipv4.ip_forward": 1},
        "group_add": [1],
        "restart_policy": {"Name": "no"},
        "init": True,
        "pid_mode": "host",
        "ipc_mode": "private",
        "uts_mode": "host",
        "userns_mode": "host",
        "cgroupns": "private",
        "runtime": "runc",
        "remove": True,
    }
    for version in ("1.41", "1.56"):
        daemon = Daemon()
        with daemon.client(version) as docker:
            assert docker.containers.run("busybox", detach=True, **options).id == CID
        sent = daemon.created()
        assert sent["HostConfig"]["AutoRemove"] is True
        assert sent["HostConfig"]["Memory"] == 1024**3


def test_failure_raises_container_error_after_removing() -> None:
    daemon = Daemon(exit_code=3)
    with daemon.client() as docker:
        with pytest.raises(ContainerError, match=r"exited with 3: oops") as info:
            docker.containers.run("busybox", "false")
        assert info.value.result.stdout == b"hello\n"
        assert daemon.calls()[-1] == f"DELETE containers/{CID}"
        result = docker.containers.run("busybox", "false", check=False, remove=False)
    assert result.exit_code == 3
    assert daemon.calls()[-1] == f"GET containers/{CID}/logs"


def test_on_output_streams_and_stdout_only() -> None:
    daemon = Daemon()
    seen: list[Frame] = []
    with daemon.client() as docker:
        result = docker.containers.run("busybox", on_output=seen.append, stderr=False)
    assert seen == [Frame(1, b"hello\n"), Frame(2, b"oops\n")]  # the daemon here ignores stderr=false
    logs = next(r for r in daemon.requests if r.url.path.endswith("/logs"))
    assert dict(logs.url.params) == {"follow": "true", "stdout": "true", "stderr": "false"}
    assert result.stdout == b"hello\n"


def test_no_output_wanted_reads_no_logs() -> None:
    daemon = Daemon()
    with daemon.client() as docker:
        assert docker.containers.run("busybox", stdout=False, stderr=False) == (CID, 0, b"", b"")
    assert not [r for r in daemon.requests if r.url.path.endswith("/logs")]


def test_timeout_kills_and_raises() -> None:
    daemon = Daemon()
    daemon.hang = True
    with daemon.client() as docker, pytest.raises(DockerTimeoutError, match=r"still ran after 0.05 s: killed"):
        docker.containers.run("busybox", "sleep 1000", timeout=0.05)
    calls = daemon.calls()
    assert f"POST containers/{CID}/kill" in calls
    assert calls[-1] == f"DELETE containers/{CID}"


def test_timeout_not_reached() -> None:
    daemon = Daemon()
    with daemon.client() as docker:
        assert docker.containers.run("busybox", timeout=30).exit_code == 0
    assert f"POST containers/{CID}/kill" not in daemon.calls()


def test_unknown_keyword_sends_nothing() -> None:
    daemon = Daemon()
    with daemon.client() as docker, pytest.raises(TypeError, match="unexpected keyword argument 'stream'"):
        docker.containers.run("busybox", stream=True)
    assert daemon.requests == []


def test_async_run() -> None:
    async def main() -> None:
        daemon = Daemon()
        async with daemon.async_client() as docker:
            container = await docker.containers.run("busybox", detach=True, network="backend")
            assert container.id == CID
            assert daemon.calls() == ["POST containers/create", f"POST containers/{CID}/start"]
            assert daemon.created()["NetworkingConfig"] == {"EndpointsConfig": {"backend": {}}}

            seen: list[Frame] = []
            result = await docker.containers.run("busybox", "echo", on_output=seen.append, privileged=True)
            assert result == (CID, 0, b"hello\n", b"oops\n")
            assert len(seen) == 2
            assert daemon.calls()[-1] == f"DELETE containers/{CID}"

            daemon.exit_code = 1
            with pytest.raises(ContainerError):
                await docker.containers.run("busybox")

            daemon.hang = True
            with pytest.raises(DockerTimeoutError, match="killed"):
                await docker.containers.run("busybox", timeout=0.05)
            assert daemon.calls()[-1] == f"DELETE containers/{CID}"

            with pytest.raises(TypeError, match="unexpected keyword argument 'stream'"):
                await docker.containers.run("busybox", stream=True)

    asyncio.run(main())
