"""The sync and async twins have the same public surface (issue #16): the facades, every version's
clients, tag APIs (same methods, same parameters) and handles, and the streams; the only difference
is `close()` / `aclose()`."""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import pytest
from docker_engine import (
    AsyncDocker,
    Docker,
    _async_hijack,
    _async_streams,
    _async_websocket,
    _sync_hijack,
    _sync_streams,
    _sync_websocket,
)

CLOSE = ({"close"}, {"aclose"})


def public(cls: type) -> set[str]:
    return {name for name in dir(cls) if not name.startswith("_")}


def differences(sync: type, asynchronous: type) -> tuple[set[str], set[str]]:
    return public(sync) - public(asynchronous), public(asynchronous) - public(sync)


@pytest.mark.parametrize(
    ("sync", "asynchronous"),
    [
        (Docker, AsyncDocker),
        (_sync_streams.FrameStream, _async_streams.AsyncFrameStream),
        (_sync_streams.JSONStream, _async_streams.AsyncJSONStream),
        (_sync_streams.BinaryStream, _async_streams.AsyncBinaryStream),
        (_sync_hijack.HijackedStream, _async_hijack.AsyncHijackedStream),
        (_sync_websocket.WebSocketStream, _async_websocket.AsyncWebSocketStream),
    ],
    ids=lambda c: c.__name__,
)
def test_runtime_twins(sync: type, asynchronous: type) -> None:
    assert differences(sync, asynchronous) == CLOSE


def _parameters(function: Any) -> list[tuple[str, Any, Any]]:
    return [(p.name, p.kind, p.annotation) for p in inspect.signature(function).parameters.values()]


@pytest.mark.parametrize("version", ["1.25", "1.41", "1.51", "1.56"])
def test_generated_twins(version: str) -> None:
    package = "docker_engine.v" + version.replace(".", "_")
    client = importlib.import_module(package + ".client")
    assert differences(client.Docker, client.AsyncDocker) == CLOSE
    for value in vars(client.Docker).values():
        if not hasattr(value, "func"):
            continue
        module = importlib.import_module(f"{package}.api")
        name = str(value.func.__annotations__["return"])
        pairs = [(getattr(module, name), getattr(module, "Async" + name))]
        if "handle" in vars(pairs[0][0]):
            handle = str(inspect.get_annotations(pairs[0][0].handle)["return"])
            pairs.append((getattr(module, handle), getattr(module, "Async" + handle)))
        for sync, asynchronous in pairs:
            assert public(sync) == public(asynchronous), sync.__name__
            for method in public(sync):
                one, other = getattr(sync, method), getattr(asynchronous, method)
                if not callable(one):
                    continue
                # The same parameters, in the same order, of the same kinds (annotations may say Async…).
                names = [(n, k) for n, k, _ in _parameters(one)]
                assert names == [(n, k) for n, k, _ in _parameters(other)], f"{sync.__name__}.{method}"
