"""Fixtures for the live tests: private daemons, the matching generated package,
and a check that every JSON response round-trips through its model."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from docker_engine._request import Request

from . import presence
from .daemons import Daemon, available_kinds, start_daemon

KINDS = ["20.10", "26", "28"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.live)


@pytest.fixture(scope="session", params=KINDS)
def daemon(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Daemon]:
    kind = request.param
    if kind not in available_kinds():
        pytest.fail(f"daemon {kind} is not installed: run `bash .ci/install-daemons.sh` as root")
    d = start_daemon(kind, tmp_path_factory.mktemp(f"dockerd-{kind}"))
    try:
        yield d
    finally:
        d.stop()


@pytest.fixture(scope="session")
def daemon_28(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Daemon]:
    """The newest daemon on its own, for the cross-version tests."""
    d = start_daemon("28", tmp_path_factory.mktemp("dockerd-28-compat"))
    try:
        yield d
    finally:
        d.stop()


def pytest_sessionfinish(session: pytest.Session) -> None:
    presence.dump()


def to_plain(value: Any) -> Any:
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    return value


class RoundTrip:
    """Wraps a client's runtime so that each parsed JSON value is checked:
    `to_dict()` of the model must equal the JSON the daemon sent."""

    def __init__(self) -> None:
        self.checked: list[str] = []
        self.failures: list[str] = []

    def wrap(self, request: Request) -> Request:
        parse = request.parse
        if parse is None:
            return request

        def checking(data: Any) -> Any:
            result = parse(data)
            if isinstance(result, tuple):
                return result  # the runtime's own probe (a container's Tty), not a model
            presence.record(result, self.failures, f"{request.method} {request.path}")
            if to_plain(result) != data:
                self.failures.append(f"{request.method} {request.path}: {data!r:.300} != {to_plain(result)!r:.300}")
            self.checked.append(f"{request.method} {request.path}")
            return result

        request.parse = checking
        return request

    def install(self, client: Any) -> None:
        api = client._api
        call, stream = api.call, api.stream
        api.call = lambda request: call(self.wrap(request))
        api.stream = lambda request: stream(self.wrap(request))


def version_package(api_version: str) -> Any:
    return importlib.import_module("docker_engine.v" + api_version.replace(".", "_"))


@pytest.fixture
def roundtrip() -> Iterator[RoundTrip]:
    checker = RoundTrip()
    yield checker
    assert not checker.failures, "responses that did not round-trip:\n" + "\n".join(checker.failures)


@pytest.fixture
def docker(daemon: Daemon, roundtrip: RoundTrip) -> Iterator[Any]:
    """The generated client of the daemon's own API version, round-trip checked."""
    client = version_package(daemon.api_version).Docker(daemon.base_url)
    roundtrip.install(client)
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def busybox(daemon: Daemon) -> str:
    return daemon.busybox_image


@pytest.fixture
def tags(docker: Any) -> Iterator[list[str]]:
    """Image tags to remove after the test (`new_tag` of test_build_live adds them)."""
    import contextlib

    from docker_engine._errors import NotFoundError

    made: list[str] = []
    yield made
    for tag in made:
        with contextlib.suppress(NotFoundError):
            docker.images.delete(tag, force=True)
