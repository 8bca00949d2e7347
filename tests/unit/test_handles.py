"""Handles are generated from the spec: every operation of a tag on `/<tag>/{id}…` is a
method (without the ID), in every version package, sync and async."""

from __future__ import annotations

import asyncio
import importlib
import inspect
from typing import Any

import pytest
from docker_engine import InvalidRequestError
from docker_engine._handles import ExecResult, _exec_body

VERSIONS = ["1.25", "1.41", "1.51", "1.56"]
HANDLES = {
    "containers": "Container",
    "images": "Image",
    "networks": "Network",
    "volumes": "Volume",
    "exec": "Exec",
    "services": "Service",
    "nodes": "Node",
    "secrets": "Secret",
    "configs": "Config",
    "plugins": "Plugin",
    "tasks": "Task",
}


def _module(version: str) -> Any:
    """The version's `api` module: every tag's API classes and handles."""
    return importlib.import_module(f"docker_engine.v{version.replace('.', '_')}.api")


def _resource_operations(api: type, tag: str) -> set[str]:
    """The API's operations whose request path starts with `/<tag>/{…}`, read from their source."""
    found = set()
    for name, method in inspect.getmembers(api, inspect.isfunction):  # each from its operation's class
        if name.startswith("_"):
            continue
        source = inspect.getsource(getattr(inspect.getmodule(method), f"_{name}_request", lambda: None))
        if f'f"/{tag}/{{_q(' in source:
            found.add(name)
    return found


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("tag", sorted(HANDLES))
def test_a_handle_has_every_operation_on_its_resource(version: str, tag: str) -> None:
    module = _module(version)
    if not hasattr(module, tag.capitalize() + "API"):
        assert (version, tag) == ("1.25", "configs")  # configs came in v1.30
        return
    for prefix in ("", "Async"):
        api = getattr(module, prefix + tag.capitalize() + "API")
        handle = getattr(module, prefix + HANDLES[tag])
        expected = _resource_operations(api, tag)
        if tag == "images":
            expected = (expected - {"get", "push"}) | {"save"}
        methods = {n for n, v in vars(handle).items() if not n.startswith("_") and callable(v)}
        assert methods - {"exec_run"} == expected
        assert "inspect" in methods and hasattr(api, "handle")
        getter = "get_image" if tag == "images" else "get"
        assert inspect.iscoroutinefunction(getattr(api, getter)) == (prefix == "Async")
        # The same parameters as the tag's operation, less the resource's ID.
        for name in expected - {"save"}:
            want = list(inspect.signature(getattr(api, name)).parameters)[2:]
            got = list(inspect.signature(getattr(handle, name)).parameters)[1:]
            assert got == want, f"{handle.__name__}.{name}"


def test_the_handles_module_exports_them() -> None:
    handles = importlib.import_module("docker_engine.v1_51.handles")
    assert sorted(handles.__all__) == sorted(p + n for n in HANDLES.values() for p in ("", "Async"))
    assert handles.Network is _module("1.51").Network


def test_identity_repr_and_short_id() -> None:
    module = _module("1.51")
    api = module.ContainersAPI(None, None)
    a, b = api.handle("f" * 64), api.handle("f" * 64)
    assert a == b and hash(a) == hash(b) and a != module.AsyncContainersAPI(None, None).handle("f" * 64)
    assert (a.short_id, repr(a)) == ("f" * 12, f"<Container {'f' * 12}>")
    image = _module("1.51").ImagesAPI(None, None).handle("sha256:" + "a" * 64)
    assert image.short_id == "a" * 12
    assert _module("1.51").VolumesAPI(None, None).handle("data").short_id == "data"


def test_async_attrs_before_reload_say_what_to_do() -> None:
    handle = _module("1.51").AsyncContainersAPI(None, None).handle("web")
    with pytest.raises(InvalidRequestError, match=r"await handle.reload\(\)"):
        handle.attrs  # noqa: B018

    class Ops:
        async def inspect(self, id: str) -> str:
            return f"inspected {id}"

    handle._ops = Ops()
    assert asyncio.run(handle.reload()) == "inspected web"
    assert handle.attrs == "inspected web"


def test_sync_attrs_are_fetched_once_and_reload_refreshes() -> None:
    calls: list[str] = []

    class Ops:
        def inspect(self, id: str) -> str:
            calls.append(id)
            return f"inspected {id} #{len(calls)}"

    handle = _module("1.51").ContainersAPI(None, None).handle("web")
    handle._ops = Ops()
    assert handle.attrs == handle.attrs == "inspected web #1"
    assert handle.reload() == "inspected web #2" == handle.attrs
    assert calls == ["web", "web"]


def test_exec_body_like_docker_py() -> None:
    body = _exec_body(
        "sh -c 'echo $A'",
        {"stdin": b"x", "stderr": False, "user": "nobody", "workdir": "/tmp", "environment": {"A": "1", "B": None}},
    )
    assert body == {
        "Cmd": ["sh", "-c", "echo $A"],
        "AttachStdin": True,
        "AttachStdout": True,
        "AttachStderr": False,
        "Tty": False,
        "Privileged": False,
        "User": "nobody",
        "WorkingDir": "/tmp",
        "Env": ["A=1", "B"],
    }
    with pytest.raises(InvalidRequestError, match="command is empty"):
        _exec_body([], {})
    with pytest.raises(InvalidRequestError, match="environment is a dict or a list"):
        _exec_body("ls", {"environment": "A=1"})
    with pytest.raises(TypeError, match="unexpected keyword argument 'workingdir'"):
        _exec_body("ls", {"workingdir": "/"})  # type: ignore[typeddict-unknown-key]
    exit_code, output = ExecResult(0, b"x")
    assert (exit_code, output) == (0, b"x")


def test_exec_run_shows_its_keywords() -> None:
    handle = _module("1.51").Container
    parameters = inspect.signature(handle.exec_run).parameters
    assert {"command", "demux", "stdin", "user", "workdir", "environment", "detach"} <= set(parameters)
