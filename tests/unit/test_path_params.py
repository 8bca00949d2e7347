"""Path parameters: escaped, and a blank one refused before anything is sent."""

from __future__ import annotations

import asyncio
import importlib
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from docker_engine import DockerError, InvalidRequestError
from docker_engine._request import quote_path
from hypothesis import given, settings
from hypothesis import strategies as st


def test_quote_path_keeps_references_and_escapes_dot_segments() -> None:
    assert quote_path("abc123") == "abc123"
    assert quote_path("registry:5000/app:tag") == "registry:5000/app:tag"
    assert quote_path("a b?c#d") == "a%20b%3Fc%23d"
    assert quote_path("../etc") == "%2E%2E/etc"
    assert quote_path(".") == "%2E"
    assert quote_path(42) == "42"


@pytest.mark.parametrize("value", ["", " ", "\t", "\n", "  \r\n "])
def test_blank_path_parameter_is_refused(value: str) -> None:
    with pytest.raises(InvalidRequestError, match=r"blank path parameter value=.*: give a non-empty value") as info:
        quote_path(value)  # named after the caller's argument holding it
    assert isinstance(info.value, DockerError)
    assert isinstance(info.value, ValueError)


def test_blank_path_parameter_named_after_the_callers_argument() -> None:
    def _thing_request(ref: str, *, other: str = "") -> str:
        return quote_path(ref)

    with pytest.raises(InvalidRequestError, match=r"^blank path parameter ref='': give a non-empty value$"):
        _thing_request("")
    with pytest.raises(InvalidRequestError, match=r"^blank path parameter id=' ': give a non-empty ID or name$"):
        quote_path(" ".strip() + " ")  # not an argument of the caller


def test_blank_path_parameter_names_the_parameter() -> None:
    with pytest.raises(InvalidRequestError, match=r"^blank path parameter name='': give a non-empty ID or name$"):
        quote_path("", "name")
    with pytest.raises(InvalidRequestError, match=r"^blank path parameter path=' ': give a non-empty value$"):
        quote_path(" ", name="path")


def test_blank_id_is_never_sent() -> None:
    sent: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(204)

    package: Any = importlib.import_module("docker_engine.v1_41")
    with package.Docker("unix:///nonexistent.sock", transport=httpx.MockTransport(handle)) as docker:
        for blank in ("", "   "):
            with pytest.raises(InvalidRequestError, match=r"^blank path parameter id='\s*' in containers.kill\(\): "):
                docker.containers.kill(blank)
            with pytest.raises(InvalidRequestError, match="blank path parameter"):
                docker.containers.delete(blank, force=True)
            with pytest.raises(
                InvalidRequestError, match=r"parameter name='\s*' in images.inspect\(\): give a non-empty ID"
            ):
                docker.images.inspect(blank)
        docker.containers.kill("abc")

    async def main() -> None:
        async with package.AsyncDocker("unix:///nonexistent.sock", transport=httpx.MockTransport(handle)) as docker:
            with pytest.raises(InvalidRequestError, match="blank path parameter"):
                await docker.containers.start("")

    asyncio.run(main())
    assert [(r.method, r.url.path) for r in sent] == [("POST", "/v1.41/containers/abc/kill")]


def _reference(value: object) -> str:
    """quote_path before its fast path for plain IDs and names."""
    quoted = quote(str(value), safe="/:@")
    return "/".join("%2E%2E" if seg == ".." else "%2E" if seg == "." else seg for seg in quoted.split("/"))


@settings(max_examples=2000, deadline=None, database=None)
@given(st.text(alphabet=st.sampled_from("aZ09_.-~:@/ %?#é\u20ac\t\n"), min_size=1, max_size=8))
def test_the_fast_path_escapes_as_quote_does(value: str) -> None:
    if not value.strip():
        return
    assert quote_path(value) == _reference(value)


def test_plain_ids_and_names_come_back_unchanged() -> None:
    for value in ("c0ffee" * 10 + "abcd", "my-web_1", "app:1.0", "a.b", "user@host", "~x"):
        assert quote_path(value) == _reference(value)
    assert quote_path(".") == "%2E" and quote_path("..") == "%2E%2E"
