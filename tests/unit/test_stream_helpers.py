"""FrameStream.text_lines and JSONStream.yield_errors, over canned responses."""

from __future__ import annotations

import struct

import httpx
import pytest
from docker_engine import StreamError
from docker_engine._sync_streams import FrameStream, JSONStream


def frame(stream: int, data: bytes) -> bytes:
    return struct.pack(">BxxxL", stream, len(data)) + data


def response(body: bytes) -> httpx.Response:
    return httpx.Response(200, stream=httpx.ByteStream(body))


def test_text_lines_joins_split_lines_per_stream() -> None:
    body = frame(1, b"first li") + frame(2, b"oops\n") + frame(1, b"ne\nsecond\r\nthird") + frame(2, b"tail")
    assert list(FrameStream(response(body), raw=False).text_lines(1)) == ["first line", "second", "third"]
    assert list(FrameStream(response(body), raw=False).text_lines()) == [
        "oops",
        "first line",
        "second",
        "third",
        "tail",
    ]
    assert list(FrameStream(response(b"a\nb"), raw=True).text_lines()) == ["a", "b"]


def test_errors_raise_unless_yielded() -> None:
    body = b'{"status":"pulling"}\n{"error":"denied","errorDetail":{"message":"denied"}}\n'
    with pytest.raises(StreamError, match="denied"):
        list(JSONStream(response(body), dict))
    messages = list(JSONStream(response(body), dict).yield_errors())
    assert messages == [{"status": "pulling"}, {"error": "denied", "errorDetail": {"message": "denied"}}]
