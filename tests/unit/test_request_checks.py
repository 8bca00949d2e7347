"""Requests checked before sending (docker_engine._bodies): dict bodies against the
generated table, parameters of other API versions, timestamps, blank results."""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from docker_engine import InvalidRequestError, VersionError, unchecked
from docker_engine._bodies import unix_time
from docker_engine.v1_41 import Docker as Docker41
from docker_engine.v1_41.models import ContainerCreateRequest as Create41
from docker_engine.v1_41.models import HostConfig as HostConfig41
from docker_engine.v1_56.models import ContainerCreateRequest as Create56
from docker_engine.v1_56.models import HostConfig as HostConfig56


class Recorder:
    def __init__(self) -> None:
        self.sent: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        if request.url.path.endswith("/create"):
            return httpx.Response(201, json={"Id": "abc", "Warnings": None})
        if request.url.path.endswith("/json"):  # the one inspect that tells a container's framing
            return httpx.Response(200, json={"Id": "c", "Config": {"Tty": False}})
        if request.url.path.endswith("/logs"):
            return httpx.Response(200, content=b"", headers={"Content-Type": "application/vnd.docker.raw-stream"})
        return httpx.Response(204)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def docker(recorder: Recorder) -> Iterator[Docker41]:
    with Docker41("unix:///nonexistent.sock", transport=httpx.MockTransport(recorder)) as client:
        yield client


def refused(docker: Docker41, recorder: Recorder, body: Any, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        docker.containers.create(body=body)
    assert recorder.sent == []


@pytest.mark.parametrize(
    ("body", "error", "match"),
    [
        (
            {"Imagee": "x"},
            InvalidRequestError,
            r"unknown field 'Imagee' in ContainerCreateRequest; did you mean 'Image'\?",
        ),
        (
            {"HostConfig": {"NetworkMod": "none"}},
            InvalidRequestError,
            r"ContainerCreateRequest.HostConfig; did you mean",
        ),
        ({"Tty": "yes"}, InvalidRequestError, r"Tty: expected a bool \(True or False\), got str 'yes'"),
        ({"Cmd": "echo hi"}, InvalidRequestError, "Cmd: expected a list, got str"),
        ({"Cmd": ["echo", 1]}, InvalidRequestError, r"Cmd\[1\]: expected a string, got int"),
        ({"HostConfig": {"Memory": True}}, InvalidRequestError, "HostConfig.Memory: expected an integer"),
        ({"Labels": {"a": 1}}, InvalidRequestError, r"Labels\['a'\]: expected a string"),
        ({"HostConfig": []}, InvalidRequestError, r"HostConfig: expected an object \(HostConfig\)"),
        (
            {"HostConfig": {"Annotations": {}}},
            VersionError,
            r"'Annotations' .* exists in API v1\.43–v1\.56, not in v1\.41",
        ),
        ({"HostConfig": {"Mounts": [{"BindOptions": {"CreateMountpoint": True}}]}}, VersionError, r"Mounts\[0\]"),
        ({"HostConfig": {"KernelMemoryX": 1}}, InvalidRequestError, "did you mean 'KernelMemory'"),
    ],
)
def test_dict_bodies_are_checked_before_sending(
    docker: Docker41, recorder: Recorder, body: dict[str, Any], error: type[Exception], match: str
) -> None:
    refused(docker, recorder, body, error, match)


def test_good_bodies_pass_and_are_sent_as_written(docker: Docker41, recorder: Recorder) -> None:
    body = {
        "Image": "busybox",
        "Cmd": ["true"],
        "Env": None,  # null is fine anywhere
        "ExposedPorts": {"80/tcp": {}},
        "HostConfig": {"NetworkMode": "none", "Memory": 1 << 26, "PortBindings": {"80/tcp": [{"HostPort": "8080"}]}},
        "NetworkingConfig": {"EndpointsConfig": {"none": {"Aliases": ["a"]}}},
    }
    assert docker.containers.create(body=body).id == "abc"  # type: ignore[arg-type]
    assert json.loads(recorder.sent[0].content) == body


def test_unchecked_sends_anything(docker: Docker41, recorder: Recorder) -> None:
    docker.containers.create(body=unchecked({"Image": "x", "FromTheFuture": {"a": 1}}))
    assert json.loads(recorder.sent[0].content) == {"Image": "x", "FromTheFuture": {"a": 1}}


def test_models_of_the_same_version_are_trusted_others_are_checked(docker: Docker41, recorder: Recorder) -> None:
    docker.containers.create(body=Create41(image="x", host_config=HostConfig41(network_mode="none")))
    assert json.loads(recorder.sent[0].content) == {"Image": "x", "HostConfig": {"NetworkMode": "none"}}
    # A v1.56 model sent to v1.41: fine while it holds v1.41 fields only…
    docker.containers.create(body=Create56(image="x"))  # type: ignore[arg-type]
    # …refused when it holds a newer one.
    newer = Create56(image="x", host_config=HostConfig56(annotations=None, cgroupns_mode=None, init=True))
    newer.host_config.additional_properties["Annotations"] = {"a": "b"}
    with pytest.raises(VersionError, match="Annotations"):
        docker.containers.create(body=newer)  # type: ignore[arg-type]
    assert len(recorder.sent) == 2


def test_a_parameter_of_another_version_is_a_version_error(docker: Docker41, recorder: Recorder) -> None:
    with pytest.raises(
        VersionError, match=r"containers.stop: parameter 'signal' exists in API v1\.42–v1\.56, not in v1\.41"
    ):
        docker.containers.stop("c", signal="KILL")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected keyword argument 'sginal'"):
        docker.containers.stop("c", sginal="KILL")  # type: ignore[call-arg]
    assert recorder.sent == []


def test_logs_ask_for_both_streams_unless_one_is_given(docker: Docker41, recorder: Recorder) -> None:
    docker.containers.logs("c", follow=False)
    docker.containers.logs("c", stderr=True)
    both, one = (dict(r.url.params) for r in recorder.sent if r.url.path.endswith("/logs"))
    assert both["stdout"] == both["stderr"] == "true"
    assert one == {"stderr": "true"}


def test_since_and_until_take_datetimes(docker: Docker41, recorder: Recorder) -> None:
    when = _dt.datetime(2024, 5, 1, 10, 0, 0, 250000, tzinfo=_dt.UTC)
    docker.containers.logs("c", since=when, until=1714557600)
    params = dict(next(r for r in recorder.sent if r.url.path.endswith("/logs")).url.params)
    assert params["since"] == "1714557600.25"
    assert params["until"] == "1714557600"
    assert unix_time(_dt.datetime(2024, 5, 1, tzinfo=_dt.UTC)) == "1714521600"
