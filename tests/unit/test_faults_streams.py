"""The stream decoders against broken or hostile servers (issue #13): every length
is bounded (frames, lines, JSON messages, WebSocket messages), buffering is linear
in what comes, a bound is enforced as soon as it is known to be crossed, and
garbage ends in StreamError, the same whatever the chunking, sync or async."""

from __future__ import annotations

import asyncio
import json
import re
import struct
import tracemalloc
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
from docker_engine import _websocket
from docker_engine._async_hijack import AsyncHijackedStream
from docker_engine._async_streams import AsyncFrameStream, AsyncJSONStream
from docker_engine._errors import StreamError
from docker_engine._streams import (
    MAX_FRAME,
    MAX_LINE,
    MAX_MESSAGE,
    Frame,
    FrameDecoder,
    JSONMessageDecoder,
    LineSplitter,
)
from docker_engine._sync_hijack import HijackedStream
from docker_engine._sync_streams import FrameStream, JSONStream
from docker_engine._websocket import BINARY, CLOSE, CONTINUATION, PING, PONG, WebSocketCodec, WebSocketError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FUZZ = settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
MiB = 1024 * 1024
PIECE = 4096


def frame(stream: int, data: bytes) -> bytes:
    return struct.pack(">BxxxL", stream, len(data)) + data


def split_at(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({min(max(c, 0), len(data)) for c in cuts})
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]


def pieces(data: bytes, size: int = PIECE) -> Iterator[bytes]:
    return (data[i : i + size] for i in range(0, len(data), size))


def decode_frames(chunks: list[bytes], **kwargs: Any) -> list[Frame]:
    decoder = FrameDecoder(**kwargs)
    out = [f for chunk in chunks for f in decoder.feed(chunk)]
    decoder.close()
    return out


def decode_json(chunks: list[bytes], **kwargs: Any) -> list[Any]:
    decoder: JSONMessageDecoder[Any] = JSONMessageDecoder(lambda value: value, **kwargs)
    out = [item for chunk in chunks for item in decoder.feed(chunk)]
    return out + decoder.close()


def split_lines(frames: list[Frame], stream: int | None = None, **kwargs: Any) -> list[str]:
    splitter = LineSplitter(stream, **kwargs)
    return [line for f in frames for line in splitter.feed(f)] + splitter.close()


def outcome(decode: Callable[[], list[Any]]) -> tuple[str, list[Any]]:
    """("ok", items) or ("StreamError", []): any other exception escapes and fails the test."""
    try:
        return "ok", decode()
    except StreamError:
        return "StreamError", []


def peak_memory(action: Callable[[], object]) -> int:
    """The peak of Python allocations while `action` runs."""
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# -- multiplexed frames -----------------------------------------------------------------------------------------------

HUGE_HEADER = struct.pack(">BxxxL", 1, 2**32 - 1)


def test_the_limit_is_far_above_what_dockerd_sends() -> None:
    assert MAX_FRAME >= 512 * 32 * 1024  # dockerd: at most 32 KiB per frame


@pytest.mark.parametrize("cut", [0, 1, 4, 7])
def test_a_4_gib_frame_header_fails_at_once_without_buffering(cut: int) -> None:
    data = HUGE_HEADER + b"x" * PIECE
    decoder = FrameDecoder()

    def feed() -> None:
        assert decoder.feed(data[:cut]) == []  # an incomplete header waits
        with pytest.raises(StreamError, match=rf"announces {2**32 - 1} bytes, over the limit of {MAX_FRAME}"):
            decoder.feed(data[cut:])  # the header is complete in here

    assert peak_memory(feed) < MiB  # far below the 4 GiB announced
    with pytest.raises(StreamError, match="over the limit"):
        FrameDecoder().feed(data)


def test_a_frame_over_the_limit_fails_even_when_whole_in_one_chunk() -> None:
    data = frame(2, b"e" * 65)
    with pytest.raises(StreamError, match="65 bytes, over the limit of 64"):
        decode_frames([frame(1, b"ok") + data + frame(1, b"after")], max_frame=64)
    assert decode_frames([data], max_frame=65) == [Frame(2, b"e" * 65)]


def test_a_frame_at_the_limit_comes_whole_from_4_kib_pieces() -> None:
    payload = b"\x00\xff" * (MAX_FRAME // 2)
    frames = decode_frames([*pieces(frame(1, payload)), *pieces(frame(2, b"tail"))])
    assert [f.stream for f in frames] == [1, 2]
    assert frames[0].data == payload and frames[1].data == b"tail"


def test_a_50_mib_frame_in_4_kib_pieces_decodes_in_linear_time() -> None:
    # Quadratic buffering (the whole frame copied again for every piece) would
    # copy about 300 GB here: the test would not end.
    size = 50 * MiB
    piece = b"z" * PIECE
    decoder = FrameDecoder(max_frame=64 * MiB)
    frames = decoder.feed(struct.pack(">BxxxL", 1, size))
    for _ in range(size // PIECE):
        frames += decoder.feed(piece)
    decoder.close()
    assert len(frames) == 1 and frames[0].stream == 1 and len(frames[0].data) == size
    assert frames[0].data.count(b"z") == size


def test_many_small_frames_and_large_chunks_decode_alike() -> None:
    data = b"".join(frame(1 + i % 2, bytes([i % 256]) * (i % 50)) for i in range(3000))
    expected = decode_frames([data])
    assert len(expected) == 3000
    # Chunks over the limit are decoded in pieces of the limit: same frames.
    assert decode_frames([data], max_frame=100) == expected
    assert decode_frames(list(pieces(data, 7)), max_frame=100) == expected


frame_lists = st.lists(st.tuples(st.sampled_from([0, 1, 2]), st.binary(max_size=40)), max_size=8)


@FUZZ
@given(frames=frame_lists, limit=st.integers(0, 45), cuts=st.lists(st.integers(0, 400), max_size=12))
def test_fuzz_the_frame_limit_holds_in_any_chunking(
    frames: list[tuple[int, bytes]], limit: int, cuts: list[int]
) -> None:
    data = b"".join(frame(s, d) for s, d in frames)
    expected = [Frame(s, d) for s, d in frames]
    if all(len(d) <= limit for _, d in frames):
        assert decode_frames(split_at(data, cuts), max_frame=limit) == expected
    else:
        with pytest.raises(StreamError, match=f"over the limit of {limit}"):
            decode_frames(split_at(data, cuts), max_frame=limit)


@FUZZ
@given(garbage=st.binary(max_size=300), limit=st.integers(0, 64), cuts=st.lists(st.integers(0, 300), max_size=10))
def test_fuzz_garbage_frames_give_one_verdict_in_any_chunking(garbage: bytes, limit: int, cuts: list[int]) -> None:
    whole = outcome(lambda: decode_frames([garbage], max_frame=limit))
    assert outcome(lambda: decode_frames(split_at(garbage, cuts), max_frame=limit)) == whole
    assert outcome(lambda: decode_frames(list(pieces(garbage, 1)), max_frame=limit)) == whole


# -- text lines -------------------------------------------------------------------------------------------------------


def test_a_line_over_the_limit_fails_as_soon_as_that_much_came() -> None:
    splitter = LineSplitter(max_line=10)
    assert splitter.feed(Frame(1, b"0123456789")) == []  # at the limit: still fine
    with pytest.raises(StreamError, match="longer than the limit of 10 bytes"):
        splitter.feed(Frame(1, b"x"))  # no newline yet, but already too long


def test_the_line_limit_holds_for_a_line_whole_in_one_frame() -> None:
    with pytest.raises(StreamError, match="limit of 10"):
        split_lines([Frame(1, b"short\n" + b"y" * 11 + b"\nshort\n")], max_line=10)
    assert split_lines([Frame(1, b"short\n" + b"y" * 9 + b"\r\n")], max_line=10) == ["short", "y" * 9]


def test_the_line_limit_counts_each_stream_apart() -> None:
    frames = [Frame(1, b"a" * 8), Frame(2, b"b" * 8), Frame(1, b"a\n"), Frame(2, b"b\n")]
    assert split_lines(frames, max_line=9) == ["a" * 9, "b" * 9]
    assert split_lines(frames, 2, max_line=9) == ["b" * 9]


def test_a_line_at_the_default_limit_comes_whole_from_4_kib_frames() -> None:
    line = b"L" * MAX_LINE
    assert split_lines([Frame(1, piece) for piece in pieces(line + b"\nnext")]) == ["L" * MAX_LINE, "next"]
    splitter = LineSplitter()
    for piece in pieces(line):
        assert splitter.feed(Frame(1, piece)) == []
    with pytest.raises(StreamError, match=f"limit of {MAX_LINE} bytes"):
        splitter.feed(Frame(1, b"L"))


def test_an_endless_line_stops_near_the_limit() -> None:
    splitter = LineSplitter(max_line=MiB)
    piece = Frame(1, b"e" * PIECE)

    def endless() -> None:
        with pytest.raises(StreamError, match="limit of 1048576 bytes"):
            for _ in range(16 * MiB // PIECE):
                splitter.feed(piece)

    assert peak_memory(endless) < 3 * MiB


line_frames = st.lists(
    st.tuples(st.sampled_from([1, 2]), st.lists(st.sampled_from(list(b"ab\r\n\xc3\xa9\xff")), max_size=30).map(bytes)),
    max_size=10,
)


def reframe(frames: list[tuple[int, bytes]], cuts: list[int]) -> list[Frame]:
    """The same bytes of each stream, in other frames (cut at other places)."""
    return [Frame(s, piece) for s, d in frames for piece in split_at(d, cuts)]


@FUZZ
@given(
    frames=line_frames,
    stream=st.sampled_from([1, 2]),
    limit=st.integers(0, 40),
    cuts=st.lists(st.integers(0, 30), max_size=6),
)
def test_fuzz_lines_are_the_bytes_of_their_stream_in_any_framing(
    frames: list[tuple[int, bytes]], stream: int, limit: int, cuts: list[int]
) -> None:
    *complete, last = b"".join(d for s, d in frames if s == stream).split(b"\n")
    got = outcome(lambda: split_lines(reframe(frames, cuts), stream, max_line=limit))
    if max(map(len, [*complete, last])) > limit:
        assert got == ("StreamError", [])
    else:
        lines = [line.decode("utf-8", "replace").removesuffix("\r") for line in complete]
        assert got == ("ok", lines + ([last.decode("utf-8", "replace")] if last else []))


@FUZZ
@given(frames=line_frames, limit=st.integers(0, 40), cuts=st.lists(st.integers(0, 30), max_size=6))
def test_fuzz_lines_of_both_streams_are_the_same_in_any_framing(
    frames: list[tuple[int, bytes]], limit: int, cuts: list[int]
) -> None:
    whole = outcome(lambda: split_lines([Frame(s, d) for s, d in frames], max_line=limit))
    assert outcome(lambda: split_lines(reframe(frames, cuts), max_line=limit)) == whole


# -- JSON messages ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"42\n", "a stream message is a number, not a JSON object: '4"),
        (b'{"a":1}\n-1.5e3\n', "is a number, not a JSON object"),
        (b'["status"]\n', "is a list, not a JSON object"),
        (b'"Pulling"\n', "is a string, not a JSON object"),
        (b"null\n", "is null, not a JSON object"),
    ],
)
def test_a_message_that_is_not_an_object_says_what_came(body: bytes, message: str) -> None:
    with pytest.raises(StreamError, match=message):
        decode_json([body])
    with pytest.raises(StreamError, match=message):
        decode_json(list(pieces(body, 1)))


def test_invalid_json_is_a_stream_error_with_the_cause() -> None:
    with pytest.raises(StreamError, match="invalid JSON") as info:
        decode_json([b'{"a": 1,, "b": 2}\n'])
    assert isinstance(info.value.__cause__, json.JSONDecodeError)
    with pytest.raises(StreamError, match="invalid JSON") as info:
        decode_json([b"{no json at all}\n"])
    assert isinstance(info.value.__cause__, json.JSONDecodeError)


@pytest.mark.parametrize("cut", [None, 1, 7, 9])
def test_a_line_that_is_not_utf8_is_a_stream_error_with_the_cause(cut: int | None) -> None:
    body = b'{"status":"ok"}\n{"status":"caf\xe9 \xff"}\n'
    chunks = [body] if cut is None else list(pieces(body, cut))
    with pytest.raises(StreamError, match="not UTF-8") as info:
        decode_json(chunks)
    assert isinstance(info.value.__cause__, UnicodeDecodeError)


DEEP_LIST = b"[" * 10_000 + b"]" * 10_000


@pytest.mark.parametrize("size", [None, 1, 100, PIECE])
def test_a_10000_deep_list_is_a_stream_error(size: int | None) -> None:
    body = DEEP_LIST + b"\n"
    with pytest.raises(StreamError, match="a stream message is a list, not a JSON object: '\\["):
        decode_json([body] if size is None else list(pieces(body, size)))


@pytest.mark.parametrize("size", [None, 1, 100, PIECE])
def test_a_10000_deep_list_in_an_object_is_a_stream_error_with_the_cause(size: int | None) -> None:
    body = b'{"status":"ok"}\n{"aux":' + DEEP_LIST + b"}\n"
    with pytest.raises(StreamError, match="nested too deeply") as info:
        decode_json([body] if size is None else list(pieces(body, size)))
    assert isinstance(info.value.__cause__, RecursionError)


def test_a_message_over_the_limit_fails_whole_or_in_pieces() -> None:
    message = json.dumps({"stream": "x" * 100}).encode()
    for chunks in ([message + b"\n"], list(pieces(message, 7)), list(pieces(message, 1))):
        with pytest.raises(StreamError, match="longer than the limit of 100 characters"):
            decode_json(chunks, max_message=100)
    assert decode_json([message], max_message=len(message)) == [{"stream": "x" * 100}]


@pytest.mark.parametrize("start", [b'{"stream": "', b'{"list": [1', b"{" + b" " * 100])
def test_an_endless_message_stops_near_the_limit(start: bytes) -> None:
    decoder: JSONMessageDecoder[Any] = JSONMessageDecoder(dict, max_message=MiB)
    decoder.feed(start)
    piece = (b"e" if start.endswith(b'"') else b",1" if start.endswith(b"1") else b" ") * PIECE

    def endless() -> None:
        with pytest.raises(StreamError, match="longer than the limit of 1048576 characters"):
            for _ in range(16 * MiB // PIECE):
                decoder.feed(piece)

    assert peak_memory(endless) < 4 * MiB


def test_the_default_message_limit() -> None:
    decoder: JSONMessageDecoder[Any] = JSONMessageDecoder(dict)
    decoder.feed(b'{"stream": "')
    piece = b"s" * 65536
    with pytest.raises(StreamError, match=f"limit of {MAX_MESSAGE} characters"):
        for _ in range(MAX_MESSAGE // len(piece) + 1):
            decoder.feed(piece)


CUT_OBJECTS = {
    # The kept text is no longer than the next chunk: both are parsed together.
    "parsed again": [b'{"a": [1, 2', b', 3]}\n{"b": 1}\n'],
    # The next chunks are shorter than the kept text: a scan finds the end.
    "scanned": [b'{"a": [1, 2', b", 3", b"]}", b'{"b": 1}\n'],
    "scanned, then more in the same chunk": [b'{"a": [1, 2', b", 3", b']}{"b": 1}\n'],
}


@pytest.mark.parametrize("name", list(CUT_OBJECTS))
def test_an_object_cut_by_chunks_comes_whole(name: str) -> None:
    assert decode_json(CUT_OBJECTS[name]) == [{"a": [1, 2, 3]}, {"b": 1}]


def test_an_escape_cut_between_its_backslash_and_its_character() -> None:
    chunks = [b'{"a": "x\\', b'"', b"", b'}"}', b'{"b": "\\', b"\\", b'"}\n']
    assert decode_json(chunks) == [{"a": 'x"}'}, {"b": "\\"}]


def test_invalid_json_taken_for_cut_fails_once_its_brackets_close() -> None:
    # "{]" may be the start of an object as far as the parser can tell at the end
    # of a chunk; the scan then finds its brackets closed, and it is invalid.
    with pytest.raises(StreamError, match=re.escape("invalid JSON in stream at '{]'")) as info:
        decode_json([b"{]", b"x"])
    assert isinstance(info.value.__cause__, json.JSONDecodeError)


def test_the_limit_holds_when_the_object_is_parsed_again() -> None:
    with pytest.raises(StreamError, match="longer than the limit of 100 characters"):
        decode_json([b'{"a":', b'"' + b"x" * 200 + b'"}\n'], max_message=100)


LARGE_MESSAGES: dict[str, Callable[[], Any]] = {
    "a long string": lambda: {"stream": "s" * 12 * MiB},
    "closing brackets in a string": lambda: {"stream": "}]" * 6 * MiB},
    "escapes": lambda: {"stream": '\\"\n' * MiB},
    "many lines": lambda: {"list": list(range(MiB))},
    "many small members": lambda: {f"k{i}": [i, {"v": "}"}] for i in range(MiB // 8)},
}


@pytest.mark.parametrize("shape", list(LARGE_MESSAGES))
def test_a_large_message_in_4_kib_pieces_decodes_in_linear_time(shape: str) -> None:
    # Parsing the growing message again with each piece would be quadratic: for
    # 12 MB in 4 KiB pieces, some 20 GB of text parsed.
    value = LARGE_MESSAGES[shape]()
    text = json.dumps(value, indent=1 if shape == "many lines" else None).encode()
    assert MiB < len(text) < MAX_MESSAGE
    chunks = [b'{"status": "before"}\n', *pieces(text), b'\n{"status": "after"}\n']
    assert decode_json(chunks) == [{"status": "before"}, value, {"status": "after"}]


def test_messages_decode_alike_in_small_and_large_pieces() -> None:
    messages = [{"id": str(i), "progress": "[" + "=" * (i % 50) + ">]", "detail": {"n": i}} for i in range(2000)]
    data = b"".join(json.dumps(m).encode() + b"\r\n" for m in messages)
    for size in (1, 3, 64, 1000, PIECE, len(data)):
        assert decode_json(list(pieces(data, size))) == messages, size


# Strings that exercise the scan for an object's end: quotes, backslashes and
# brackets inside them, escapes cut in the middle, characters beyond ASCII.
tricky_text = st.text(alphabet=st.sampled_from(list('ab{}[]"\\\n\t/é\U0001f433\x00 ,:')), max_size=12)
tricky_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**12), 10**12) | tricky_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(tricky_text, inner, max_size=3),
    max_leaves=12,
)
tricky_objects = st.dictionaries(
    tricky_text.filter(lambda key: key not in ("error", "errorDetail")), tricky_values, max_size=4
)


@FUZZ
@given(
    messages=st.lists(tricky_objects, min_size=1, max_size=5),
    indent=st.sampled_from([None, 1]),
    ascii_only=st.booleans(),
    sizes=st.lists(st.integers(1, 9), min_size=1, max_size=8),
)
def test_fuzz_messages_in_small_pieces_of_any_size(
    messages: list[dict[str, Any]], indent: int | None, ascii_only: bool, sizes: list[int]
) -> None:
    data = b"".join(json.dumps(m, indent=indent, ensure_ascii=ascii_only).encode() + b"\n" for m in messages)
    chunks, pos = [], 0
    while pos < len(data):
        size = sizes[len(chunks) % len(sizes)]
        chunks.append(data[pos : pos + size])
        pos += size
    assert decode_json(chunks) == messages


json_garbage = st.text(alphabet=st.sampled_from(list('{}[]":,0123456789 \n\x1eabenrtul-.\\')), max_size=80)


@FUZZ
@given(
    text=json_garbage | st.binary(max_size=120).map(lambda b: b.decode("latin-1")),
    raw=st.booleans(),
    limit=st.sampled_from([8, 40, MAX_MESSAGE]),
    cuts=st.lists(st.integers(0, 120), max_size=10),
)
def test_fuzz_garbage_json_gives_one_verdict_in_any_chunking(text: str, raw: bool, limit: int, cuts: list[int]) -> None:
    data = text.encode("latin-1") if raw else text.encode()
    whole = outcome(lambda: decode_json([data], max_message=limit, raise_errors=False))
    split = outcome(lambda: decode_json(split_at(data, cuts), max_message=limit, raise_errors=False))
    single = outcome(lambda: decode_json(list(pieces(data, 1)), max_message=limit, raise_errors=False))
    assert split == whole == single
    if whole[0] == "ok":
        assert all(isinstance(item, dict) for item in whole[1])


# -- WebSocket messages -----------------------------------------------------------------------------------------------


def server_frame(opcode: int, payload: bytes, fin: bool = True) -> bytes:
    first = (0x80 if fin else 0) | opcode
    n = len(payload)
    if n < 126:
        return bytes([first, n]) + payload
    if n < 1 << 16:
        return bytes([first, 126]) + n.to_bytes(2, "big") + payload
    return bytes([first, 127]) + n.to_bytes(8, "big") + payload


def test_a_websocket_message_in_many_fragments_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_websocket, "MAX_MESSAGE", 100)
    fragments = server_frame(BINARY, b"x" * 60, fin=False) + server_frame(CONTINUATION, b"y" * 40, fin=False)
    codec = WebSocketCodec()
    assert codec.feed(fragments) == ([], b"")  # 100 bytes: at the limit
    with pytest.raises(WebSocketError, match="101 bytes or more"):
        codec.feed(server_frame(CONTINUATION, b"z"))


def test_an_oversized_control_frame_fails_at_its_header() -> None:
    header = bytes([0x80 | PING, 127]) + (1 << 40).to_bytes(8, "big")
    with pytest.raises(WebSocketError, match="oversized WebSocket control frame"):
        WebSocketCodec().feed(header)


def test_a_read_full_of_pings_is_answered_in_linear_time() -> None:
    n = 200_000
    _, reply = WebSocketCodec().feed(server_frame(PING, b"") * n + server_frame(BINARY, b"after"))
    assert len(reply) == 6 * n  # one masked pong each: 2 bytes of header, 4 of key


def test_nothing_is_kept_after_the_closing_handshake() -> None:
    codec = WebSocketCodec()
    messages, reply = codec.feed(server_frame(BINARY, b"last") + server_frame(CLOSE, b"\x03\xe8"))
    assert messages == [b"last"] and reply and codec.closed
    assert codec.feed(b"\x82\x7f" + b"\xff" * 100_000) == ([], b"")
    assert codec.feed(b"") == ([], b"")


ws_frames = st.lists(
    st.tuples(
        st.sampled_from([CONTINUATION, BINARY, 0x1, PING, PONG, CLOSE, 0x3]), st.binary(max_size=20), st.booleans()
    ),
    max_size=6,
)


@FUZZ
@given(
    data=st.binary(max_size=200) | ws_frames.map(lambda fs: b"".join(server_frame(o, p, f) for o, p, f in fs)),
    cuts=st.lists(st.integers(0, 200), max_size=10),
)
def test_fuzz_websocket_garbage_gives_one_verdict_in_any_chunking(data: bytes, cuts: list[int]) -> None:
    def decode(chunks: list[bytes]) -> list[Any]:
        codec = WebSocketCodec()
        out: list[Any] = []
        for chunk in chunks:
            if chunk:
                messages, _ = codec.feed(chunk)
                out += messages
        codec.feed(b"")
        return out

    whole = outcome(lambda: decode([data]))
    assert outcome(lambda: decode(split_at(data, cuts))) == whole
    assert outcome(lambda: decode(list(pieces(data, 1)))) == whole


# -- the streams, sync and async alike --------------------------------------------------------------------------------


class Chunks(httpx.SyncByteStream, httpx.AsyncByteStream):
    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


def response(body: Chunks) -> httpx.Response:
    return httpx.Response(200, stream=body, request=httpx.Request("GET", "http://docker/x"))


def sync_and_async(
    body: list[bytes],
    sync_items: Callable[[httpx.Response], Iterator[Any]],
    async_items: Callable[[httpx.Response], Any],
) -> tuple[tuple[list[Any], str], tuple[list[Any], str]]:
    """What each twin yielded before it stopped, and how it stopped (the error's text, or "");
    both must close the response."""
    chunks = Chunks(body)
    seen: list[Any] = []
    try:
        for item in sync_items(response(chunks)):
            seen.append(item)
        sync = (seen, "")
    except StreamError as exc:
        sync = (seen, str(exc))
    assert chunks.closed

    async def main() -> tuple[list[Any], str]:
        chunks = Chunks(body)
        seen: list[Any] = []
        try:
            async for item in async_items(response(chunks)):
                seen.append(item)
        except StreamError as exc:
            return seen, str(exc)
        finally:
            assert chunks.closed
        return seen, ""

    return sync, asyncio.run(main())


HOSTILE_JSON = {
    "number": [b'{"status":"a"}\n42\n'],
    "list": [b'{"status":"a"}\n', b"[1, 2]\n"],
    "not utf-8": [b'{"status":"a"}\n', b'{"status":"\xff"}\n'],
    "deep": [b'{"status":"a"}\n{"a":', DEEP_LIST, b"}\n"],
    "invalid": [b'{"status":"a"}\n{"a":1,,}\n'],
    "cut": [b'{"status":"a"}\n{"a":'],
    "too long": [b'{"status":"a"}\n{"a":"', *[b"x" * 65536] * (MAX_MESSAGE // 65536 + 1)],
}


@pytest.mark.parametrize("name", list(HOSTILE_JSON))
def test_json_streams_fail_alike_sync_and_async(name: str) -> None:
    body = HOSTILE_JSON[name]
    sync, asynchronous = sync_and_async(body, lambda r: iter(JSONStream(r, dict)), lambda r: AsyncJSONStream(r, dict))
    assert sync == asynchronous
    assert sync[0] == [{"status": "a"}] and sync[1]


HOSTILE_FRAMES = {
    "4 GiB header": [frame(1, b"ok"), HUGE_HEADER, b"x" * 100],
    "header cut before the size": [frame(1, b"ok") + HUGE_HEADER[:5], HUGE_HEADER[5:]],
    "bad header": [frame(1, b"ok"), b"HTTP/1.1 200 OK\r\n"],
    "cut": [frame(1, b"ok"), frame(2, b"cut")[:-1]],
    "daemon error": [frame(1, b"ok"), frame(3, b"boom")],
}


@pytest.mark.parametrize("name", list(HOSTILE_FRAMES))
def test_frame_streams_fail_alike_sync_and_async(name: str) -> None:
    body = HOSTILE_FRAMES[name]
    sync, asynchronous = sync_and_async(
        body, lambda r: iter(FrameStream(r, raw=False)), lambda r: AsyncFrameStream(r, raw=False)
    )
    assert sync == asynchronous
    assert sync[0] == [Frame(1, b"ok")] and sync[1]


def test_text_lines_fail_alike_sync_and_async_on_an_endless_line() -> None:
    body = [frame(1, b"first\n"), *[frame(1, b"n" * 32768)] * (MAX_LINE // 32768 + 1)]
    sync, asynchronous = sync_and_async(
        body,
        lambda r: FrameStream(r, raw=False).text_lines(),
        lambda r: AsyncFrameStream(r, raw=False).text_lines(),
    )
    assert sync == asynchronous
    assert sync[0] == ["first"] and "longer than the limit" in sync[1]


class Upgraded:
    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = list(chunks)

    def read(self) -> bytes:
        return self.chunks.pop(0) if self.chunks else b""

    def close(self) -> None:
        pass


class AsyncUpgraded(Upgraded):
    async def read(self) -> bytes:  # type: ignore[override]
        return super().read()

    async def aclose(self) -> None:
        pass


@pytest.mark.parametrize("name", list(HOSTILE_FRAMES))
def test_hijacked_streams_fail_alike_sync_and_async(name: str) -> None:
    body = HOSTILE_FRAMES[name]
    with pytest.raises(StreamError) as sync:
        HijackedStream(Upgraded(body), raw=False).read_all()  # type: ignore[arg-type]

    async def main() -> None:
        await AsyncHijackedStream(AsyncUpgraded(body), raw=False).read_all()  # type: ignore[arg-type]

    with pytest.raises(StreamError) as asynchronous:
        asyncio.run(main())
    assert str(sync.value) == str(asynchronous.value)
