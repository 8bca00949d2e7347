"""`docker_engine._errors`: the exception tree and `error_for_status`."""

from __future__ import annotations

import json

import docker_engine
import pytest
from docker_engine._errors import (
    MAX_ERROR_BODY,
    APIError,
    BadRequestError,
    ConflictError,
    DockerConnectionError,
    DockerError,
    ForbiddenError,
    NotFoundError,
    ServerError,
    StreamError,
    UnauthorizedError,
    daemon_message,
    error_for_status,
)
from hypothesis import given, settings
from hypothesis import strategies as st


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, UnauthorizedError),
        (403, ForbiddenError),
        (404, NotFoundError),
        (409, ConflictError),
        (500, ServerError),
        (502, ServerError),
        (503, ServerError),
        (599, ServerError),
    ],
)
def test_status_maps_to_class(status: int, cls: type[APIError]) -> None:
    err = error_for_status(status, b'{"message":"m"}', method="GET", path="/v1.41/x")
    assert type(err) is cls
    assert isinstance(err, APIError)
    assert isinstance(err, DockerError)


@pytest.mark.parametrize("status", [402, 405, 418, 422, 429, 300, 304])
def test_other_statuses_are_plain_api_errors(status: int) -> None:
    err = error_for_status(status, b"", method="GET", path="/p")
    assert type(err) is APIError
    assert err.status_code == status


def test_error_keeps_status_method_path_message() -> None:
    err = error_for_status(
        404, b'{"message":"No such container: nope"}', method="DELETE", path="/v1.41/containers/nope"
    )
    assert err.status_code == 404
    assert err.method == "DELETE"
    assert err.path == "/v1.41/containers/nope"
    assert err.message == "No such container: nope"
    assert str(err) == "404 DELETE /v1.41/containers/nope: No such container: nope"


def test_message_from_json_body_with_whitespace() -> None:
    assert daemon_message(b'\n  {"message": "conflict: name in use"}\n') == "conflict: name in use"


def test_message_from_non_json_text() -> None:
    err = error_for_status(500, b"page not found\n", method="GET", path="/x")
    assert err.message == "page not found"


def test_message_from_empty_body() -> None:
    assert error_for_status(500, b"", method="GET", path="/x").message == "(no message)"
    assert error_for_status(500, b"  \r\n", method="GET", path="/x").message == "(no message)"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"msg":"x"}', '{"msg":"x"}'),  # JSON without a message: the text
        (b'{"message": 5}', '{"message": 5}'),  # a non-string message: the text
        (b'["message"]', '["message"]'),
        (b"null", "null"),
        (b'"just a string"', '"just a string"'),
    ],
)
def test_message_from_json_without_a_message_string(body: bytes, expected: str) -> None:
    assert daemon_message(body) == expected


def test_message_with_invalid_utf8_is_replaced_not_raised() -> None:
    assert daemon_message(b"bad \xff byte") == "bad \ufffd byte"


def test_huge_body_is_capped() -> None:
    huge = b"x" * (MAX_ERROR_BODY * 16)
    err = error_for_status(500, huge, method="GET", path="/x")
    assert len(err.message) == MAX_ERROR_BODY
    assert len(str(err)) < MAX_ERROR_BODY + 100


def test_huge_json_message_is_capped() -> None:
    body = json.dumps({"message": "y" * (MAX_ERROR_BODY * 2)}).encode()
    message = daemon_message(body)
    assert len(message) <= MAX_ERROR_BODY
    assert message.startswith('{"message": "yyy')


def test_small_json_message_under_the_cap_is_exact() -> None:
    text = "z" * (MAX_ERROR_BODY - 100)
    assert daemon_message(json.dumps({"message": text}).encode()) == text


def test_exception_tree() -> None:
    for cls in (BadRequestError, UnauthorizedError, ForbiddenError, NotFoundError, ConflictError, ServerError):
        assert issubclass(cls, APIError)
    for cls in (APIError, DockerConnectionError, StreamError):
        assert issubclass(cls, DockerError)
    assert issubclass(DockerError, Exception)
    conn = DockerConnectionError("cannot connect", target="unix:///x.sock")
    assert conn.target == "unix:///x.sock"
    assert str(conn) == "cannot connect"


def test_public_package_exports_the_exceptions() -> None:
    for name in (
        "APIError",
        "BadRequestError",
        "ConflictError",
        "DockerConnectionError",
        "DockerError",
        "ForbiddenError",
        "NotFoundError",
        "ServerError",
        "StreamError",
        "UnauthorizedError",
    ):
        assert getattr(docker_engine, name).__name__ == name
    assert docker_engine.NotFoundError is NotFoundError


@settings(max_examples=300, deadline=None, database=None)
@given(status=st.integers(100, 999), body=st.binary(max_size=300))
def test_fuzz_error_for_status_never_fails(status: int, body: bytes) -> None:
    err = error_for_status(status, body, method="POST", path="/p")
    assert isinstance(err, APIError)
    assert err.status_code == status
    assert isinstance(err.message, str)
    assert err.message
    assert isinstance(err, ServerError) == (status >= 500)


@settings(max_examples=200, deadline=None, database=None)
@given(message=st.text(min_size=1, max_size=100).filter(lambda m: m.strip() == m))
def test_fuzz_message_round_trip(message: str) -> None:
    assert daemon_message(json.dumps({"message": message}).encode()) == message
