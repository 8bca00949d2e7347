"""Requests refused before they reach the daemon (#11): a parameter or body field
newer than the daemon's API version is a VersionError, an unknown or mistyped
body field an InvalidRequestError; nothing is sent and nothing is silently
ignored. Against the API 1.41 daemon (dockerd 20.10), through the negotiating
facade (typed as the newest version) and the pinned v1.41 package."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator
from typing import Any

import pytest
from docker_engine import Docker, InvalidRequestError, VersionError, unchecked
from docker_engine.v1_41 import Docker as Docker41

from .daemons import Daemon


@pytest.fixture
def facade(daemon: Daemon) -> Iterator[Docker]:
    with Docker(daemon.base_url) as client:
        yield client


def _containers(daemon: Daemon) -> int:
    with Docker41(daemon.base_url) as docker:
        return len(docker.containers.list(all=True))


@pytest.mark.parametrize("daemon", ["20.10"], indirect=True)
def test_a_parameter_newer_than_the_daemon_is_refused(daemon: Daemon, facade: Any, busybox: str) -> None:
    assert facade.api_version == "1.41"
    created = facade.containers.create(
        body={"Image": busybox, "Cmd": ["sleep", "30"], "HostConfig": {"NetworkMode": "none"}}
    )
    try:
        facade.containers.start(created.id)
        with pytest.raises(
            VersionError, match=r"containers.stop: parameter 'signal' exists in API v1\.42.*not in v1\.41"
        ):
            facade.containers.stop(created.id, signal="SIGKILL")
        assert facade.containers.inspect(created.id).state.running is True  # nothing was sent
        with Docker41(daemon.base_url) as pinned, pytest.raises(VersionError, match="'signal'"):
            pinned.containers.stop(created.id, signal="SIGKILL")  # type: ignore[call-arg]
    finally:
        facade.containers.delete(created.id, force=True)


@pytest.mark.parametrize("daemon", ["20.10"], indirect=True)
def test_a_body_field_newer_than_the_daemon_is_refused(daemon: Daemon, facade: Any, busybox: str) -> None:
    before = _containers(daemon)
    body = {"Image": busybox, "HostConfig": {"NetworkMode": "none", "Annotations": {"a": "b"}}}
    with pytest.raises(
        VersionError,
        match=r"field 'Annotations' of ContainerCreateRequest.HostConfig exists in API v1\.43.*not in v1\.41",
    ):
        facade.containers.create(body=body)
    with Docker41(daemon.base_url) as pinned, pytest.raises(VersionError, match="Annotations"):
        pinned.containers.create(body=body)  # type: ignore[typeddict-unknown-key]
    assert _containers(daemon) == before


@pytest.mark.parametrize("daemon", ["20.10"], indirect=True)
def test_unknown_and_mistyped_fields_are_refused_before_sending(daemon: Daemon, facade: Any, busybox: str) -> None:
    before = _containers(daemon)
    with pytest.raises(
        InvalidRequestError, match="unknown field 'Imagee' in ContainerCreateRequest; did you mean 'Image'"
    ):
        facade.containers.create(body={"Imagee": busybox})
    with pytest.raises(
        InvalidRequestError,
        match=r"unknown field 'NetworkMod' in ContainerCreateRequest.HostConfig; did you mean 'NetworkMode'",
    ):
        facade.containers.create(body={"Image": busybox, "HostConfig": {"NetworkMod": "none"}})
    with pytest.raises(InvalidRequestError, match="Tty: expected a bool"):
        facade.containers.create(body={"Image": busybox, "Tty": "yes"})
    assert _containers(daemon) == before
    # The explicit way to send what this SDK does not know: the daemon ignores the key.
    created = facade.containers.create(
        body=unchecked({"Image": busybox, "NotAField": 1, "HostConfig": {"NetworkMode": "none"}})
    )
    facade.containers.delete(created.id)


@pytest.mark.parametrize("daemon", ["20.10"], indirect=True)
def test_logs_default_to_both_streams_and_take_datetimes(daemon: Daemon, facade: Any, busybox: str) -> None:
    created = facade.containers.create(
        body={"Image": busybox, "Cmd": ["sh", "-c", "echo out; echo err >&2"], "HostConfig": {"NetworkMode": "none"}}
    )
    try:
        facade.containers.start(created.id)
        facade.containers.wait(created.id)
        frames = list(facade.containers.logs(created.id))
        assert {(f.stream, f.data) for f in frames} == {(1, b"out\n"), (2, b"err\n")}
        future = _dt.datetime.now(_dt.UTC) + _dt.timedelta(hours=1)
        assert list(facade.containers.logs(created.id, since=future)) == []
        assert [f.data for f in facade.containers.logs(created.id, stderr=True)] == [b"err\n"]
    finally:
        facade.containers.delete(created.id, force=True)
