"""The sans-IO HTTP/1.1 response parser: every framing, fed whole and in
arbitrary pieces (hypothesis), with the same result."""

from __future__ import annotations

import pytest
from docker_engine._http11 import Body, End, Head, ProtocolError, ResponseParser, encode_chunk
from hypothesis import given, settings
from hypothesis import strategies as st

HEAD = b"HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\nX-Dup: 1\r\nx-dup: 2\r\n"


def chunked(*pieces: bytes) -> bytes:
    return b"".join(encode_chunk(p) for p in pieces) + b"0\r\n\r\n"


CASES: dict[str, tuple[str, bytes, bytes, bool, bytes]] = {
    # name: (method, wire bytes, body, reusable, leftover)
    "length": ("GET", HEAD + b"Content-Length: 11\r\n\r\nhello world", b"hello world", True, b""),
    "empty length": ("GET", HEAD + b"Content-Length: 0\r\n\r\n", b"", True, b""),
    "chunked": (
        "GET",
        HEAD + b"Transfer-Encoding: chunked\r\n\r\n" + chunked(b"hel", b"lo ", b"world" * 100),
        b"hello " + b"world" * 100,
        True,
        b"",
    ),
    "chunk extension and trailer": (
        "GET",
        HEAD + b"Transfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n0\r\nTrailer: x\r\n\r\n",
        b"hello",
        True,
        b"",
    ),
    "connection close": ("GET", HEAD + b"Connection: close\r\nContent-Length: 2\r\n\r\nok", b"ok", False, b""),
    "head request": ("HEAD", HEAD + b"Content-Length: 99\r\n\r\n", b"", True, b""),
    "no content": ("DELETE", b"HTTP/1.1 204 No Content\r\n\r\n", b"", True, b""),
    "upgrade": (
        "POST",
        b"HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n\x01\x00\x00\x00\x00\x00\x00\x02hi",
        b"",
        False,
        b"\x01\x00\x00\x00\x00\x00\x00\x02hi",
    ),
}


def parse(method: str, pieces: list[bytes], close_at_end: bool) -> tuple[Head, bytes, bool, bytes]:
    parser = ResponseParser(method, upgrade=b"".join(pieces).startswith(b"HTTP/1.1 101"))
    events: list[Head | Body | End] = []
    for piece in pieces:
        if piece:
            events.extend(parser.feed(piece))
    if close_at_end and not parser.done:
        events.extend(parser.feed(b""))
    assert parser.done
    heads = [e for e in events if isinstance(e, Head)]
    ends = [e for e in events if isinstance(e, End)]
    assert len(heads) == 1 and len(ends) == 1 and isinstance(events[-1], End)
    body = b"".join(e.data for e in events if isinstance(e, Body))
    return heads[0], body, ends[0].reusable, parser.leftover()


@pytest.mark.parametrize("name", sorted(CASES))
def test_whole_response(name: str) -> None:
    method, wire, body, reusable, leftover = CASES[name]
    head, got, got_reusable, got_leftover = parse(method, [wire], close_at_end=False)
    assert (got, got_reusable, got_leftover) == (body, reusable, leftover)
    if name != "no content" and name != "upgrade":
        assert head.status == 200 and head.get(b"api-version") == b"1.41"
        assert head.get(b"x-dup") == b"1"  # the first of repeated headers
        assert (b"X-Dup", b"1") in head.headers and (b"x-dup", b"2") in head.headers


@settings(max_examples=300, deadline=None, database=None)
@given(name=st.sampled_from(sorted(CASES)), cuts=st.lists(st.integers(0, 2000), max_size=12))
def test_any_split_gives_the_same_result(name: str, cuts: list[int]) -> None:
    method, wire, body, reusable, leftover = CASES[name]
    points = sorted({c % (len(wire) + 1) for c in cuts})
    pieces = [wire[a:b] for a, b in zip([0, *points], [*points, len(wire)], strict=True)]
    head, got, got_reusable, got_leftover = parse(method, pieces, close_at_end=False)
    assert (got, got_reusable, got_leftover) == (body, reusable, leftover)
    assert head.headers == parse(method, [wire], close_at_end=False)[0].headers


@settings(max_examples=100, deadline=None, database=None)
@given(body=st.binary(max_size=3000), cuts=st.lists(st.integers(0, 4000), max_size=8))
def test_close_delimited_body(body: bytes, cuts: list[int]) -> None:
    wire = b"HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n" + body
    points = sorted({c % (len(wire) + 1) for c in cuts})
    pieces = [wire[a:b] for a, b in zip([0, *points], [*points, len(wire)], strict=True)]
    _, got, reusable, _ = parse("GET", pieces, close_at_end=True)
    assert got == body and reusable is False


def test_a_whole_body_in_one_feed_is_not_copied() -> None:
    parser = ResponseParser("GET")
    parser.feed(HEAD + b"Content-Length: 100000\r\n\r\n")
    data = b"x" * 100000
    (body, end) = parser.feed(data)
    assert isinstance(body, Body) and body.data is data and isinstance(end, End)


@pytest.mark.parametrize(
    ("wire", "message"),
    [
        (b"SSH-2.0-OpenSSH\r\n\r\n", "not an HTTP/1.x response"),
        (b"HTTP/1.1 abc OK\r\n\r\n", "bad status line"),
        (b"HTTP/1.1 200 OK\r\nno colon\r\n\r\n", "bad header line"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", "bad Content-Length"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "bad chunk size"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY", "chunk not followed by CRLF"),
    ],
)
def test_protocol_errors(wire: bytes, message: str) -> None:
    with pytest.raises(ProtocolError, match=message):
        ResponseParser("GET").feed(wire)


def test_closed_early() -> None:
    parser = ResponseParser("GET")
    with pytest.raises(ProtocolError, match="before the response head"):
        parser.feed(b"")
    parser = ResponseParser("GET")
    parser.feed(HEAD + b"Content-Length: 10\r\n\r\nabc")
    with pytest.raises(ProtocolError, match="inside the response body"):
        parser.feed(b"")
    with pytest.raises(ProtocolError, match="larger than"):
        ResponseParser("GET").feed(b"HTTP/1.1 200 OK\r\n" + b"X: y\r\n" * 20000)
