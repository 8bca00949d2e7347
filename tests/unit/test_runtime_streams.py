"""The pure stream decoders (`FrameDecoder`, `JSONMessageDecoder`) and the
sync/async stream wrappers around an `httpx.Response`."""

from __future__ import annotations

import asyncio
import json
import struct
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from docker_engine._async_streams import AsyncFrameStream, AsyncJSONStream
from docker_engine._errors import DockerError, StreamError
from docker_engine._streams import MAX_FRAME, RAW_STREAM, Frame, FrameDecoder, JSONMessageDecoder
from docker_engine._sync_streams import FrameStream, JSONStream
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FUZZ = settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def frame(stream: int, data: bytes) -> bytes:
    return struct.pack(">BxxxL", stream, len(data)) + data


def feed_frames(chunks: list[bytes]) -> list[Frame]:
    decoder = FrameDecoder()
    out: list[Frame] = []
    for chunk in chunks:
        out += decoder.feed(chunk)
    decoder.close()
    return out


def split_at(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({min(max(c, 0), len(data)) for c in cuts})
    pieces, start = [], 0
    for p in points:
        pieces.append(data[start:p])
        start = p
    pieces.append(data[start:])
    return pieces


def identity(value: Any) -> Any:
    return value


def feed_json(chunks: list[bytes], **kwargs: Any) -> list[Any]:
    decoder: JSONMessageDecoder[Any] = JSONMessageDecoder(identity, **kwargs)
    out: list[Any] = []
    for chunk in chunks:
        out += decoder.feed(chunk)
    out += decoder.close()
    return out


# -- FrameDecoder ---------------------------------------------------------------------------------------------------

STREAM_SAMPLE = [
    (1, b"hello\n"),
    (2, b"oops: something failed\n"),
    (1, b""),
    (1, b"\x00\xff binary \r\n"),
    (2, b"x" * 300),
]
ENCODED_SAMPLE = b"".join(frame(s, d) for s, d in STREAM_SAMPLE)


def test_frame_header_layout() -> None:
    # Type byte, three zero bytes, big-endian uint32 length.
    assert frame(2, b"abc") == b"\x02\x00\x00\x00\x00\x00\x00\x03abc"
    assert feed_frames([b"\x01\x00\x00\x00\x00\x00\x01\x00" + b"z" * 256]) == [Frame(1, b"z" * 256)]


def test_frames_decode_whole() -> None:
    assert feed_frames([ENCODED_SAMPLE]) == [Frame(s, d) for s, d in STREAM_SAMPLE]


def test_frames_split_at_every_boundary_give_the_same_result() -> None:
    expected = [Frame(s, d) for s, d in STREAM_SAMPLE]
    for cut in range(len(ENCODED_SAMPLE) + 1):
        assert feed_frames([ENCODED_SAMPLE[:cut], ENCODED_SAMPLE[cut:]]) == expected, cut


def test_frames_fed_byte_by_byte() -> None:
    chunks = [ENCODED_SAMPLE[i : i + 1] for i in range(len(ENCODED_SAMPLE))]
    assert feed_frames(chunks) == [Frame(s, d) for s, d in STREAM_SAMPLE]


def test_frame_feed_returns_only_complete_frames() -> None:
    decoder = FrameDecoder()
    data = frame(1, b"abcdef")
    assert decoder.feed(data[:7]) == []  # inside the header
    assert decoder.feed(data[7:10]) == []  # inside the payload
    assert decoder.feed(data[10:] + frame(2, b"e")[:3]) == [Frame(1, b"abcdef")]
    assert decoder.feed(frame(2, b"e")[3:]) == [Frame(2, b"e")]
    decoder.close()


def test_stdout_and_stderr_are_kept_apart() -> None:
    frames = feed_frames([frame(1, b"out1"), frame(2, b"err1"), frame(1, b"out2"), frame(2, b"err2")])
    assert [f.stream for f in frames] == [1, 2, 1, 2]
    assert b"".join(f.data for f in frames if f.stream == 1) == b"out1out2"
    assert b"".join(f.data for f in frames if f.stream == 2) == b"err1err2"


def test_stdin_frames_are_passed_through() -> None:
    assert feed_frames([frame(0, b"in")]) == [Frame(0, b"in")]


def test_systemerr_frame_raises_with_the_message() -> None:
    decoder = FrameDecoder()
    with pytest.raises(StreamError, match="exec failed: no such file") as info:
        decoder.feed(frame(1, b"before") + frame(3, b"exec failed: no such file\n"))
    assert isinstance(info.value, DockerError)


def test_systemerr_split_across_chunks_still_raises() -> None:
    data = frame(3, b"boom")
    decoder = FrameDecoder()
    assert decoder.feed(data[:9]) == []
    with pytest.raises(StreamError, match="boom"):
        decoder.feed(data[9:])


@pytest.mark.parametrize("kind", [4, 5, 0x7F, 0xFF])
def test_bad_stream_type_raises(kind: int) -> None:
    with pytest.raises(StreamError, match="bad frame header"):
        FrameDecoder().feed(bytes([kind, 0, 0, 0, 0, 0, 0, 1]) + b"x")


@pytest.mark.parametrize("padding", [b"\x01\x00\x00", b"\x00\x01\x00", b"\x00\x00\x01", b"\xff\xff\xff"])
def test_non_zero_padding_raises(padding: bytes) -> None:
    with pytest.raises(StreamError, match="not a multiplexed stream"):
        FrameDecoder().feed(b"\x01" + padding + b"\x00\x00\x00\x01x")


def test_plain_text_is_not_taken_for_frames() -> None:
    # What a TTY (raw) stream looks like when mistaken for a multiplexed one.
    with pytest.raises(StreamError):
        FrameDecoder().feed(b"total 0\ndrwxr-xr-x 2 root root\n")


def test_bad_header_after_good_frames_raises() -> None:
    with pytest.raises(StreamError):
        FrameDecoder().feed(frame(1, b"ok") + b"\x09\x00\x00\x00\x00\x00\x00\x00")


@pytest.mark.parametrize("leftover", [b"\x01", b"\x01\x00\x00\x00\x00\x00\x00", frame(1, b"abcdef")[:-1]])
def test_close_with_leftover_bytes_raises(leftover: bytes) -> None:
    decoder = FrameDecoder()
    assert decoder.feed(frame(1, b"done") + leftover) == [Frame(1, b"done")]
    with pytest.raises(StreamError, match=f"{len(leftover)} bytes left over"):
        decoder.close()


def test_close_after_complete_frames_is_quiet() -> None:
    decoder = FrameDecoder()
    decoder.feed(frame(1, b"a"))
    decoder.close()
    FrameDecoder().close()  # an empty stream is a complete stream


def test_frame_length_over_the_limit_fails_at_the_header() -> None:
    # A length of 4 GiB fits the header, but no daemon sends it: fail before buffering anything.
    decoder = FrameDecoder()
    with pytest.raises(StreamError, match=f"announces 4294967295 bytes, over the limit of {MAX_FRAME}"):
        decoder.feed(b"\x01\x00\x00\x00\xff\xff\xff\xff" + b"partial")


def test_frame_length_limit_holds_whatever_the_chunking() -> None:
    data = frame(1, b"x" * 11)
    for cut in range(len(data) + 1):
        decoder = FrameDecoder(max_frame=10)
        with pytest.raises(StreamError, match="over the limit of 10"):
            decoder.feed(data[:cut])
            decoder.feed(data[cut:])
    assert feed_frames([data]) == [Frame(1, b"x" * 11)]  # the default limit is far higher


frames_strategy = st.lists(st.tuples(st.sampled_from([1, 2]), st.binary(max_size=64)), max_size=12)


@FUZZ
@given(frames=frames_strategy, cuts=st.lists(st.integers(min_value=0, max_value=2000), max_size=20))
def test_fuzz_frames_round_trip_in_any_chunking(frames: list[tuple[int, bytes]], cuts: list[int]) -> None:
    data = b"".join(frame(s, d) for s, d in frames)
    assert feed_frames(split_at(data, cuts)) == [Frame(s, d) for s, d in frames]


@FUZZ
@given(frames=frames_strategy, data=st.data())
def test_fuzz_frames_round_trip_with_empty_chunks(frames: list[tuple[int, bytes]], data: st.DataObject) -> None:
    encoded = b"".join(frame(s, d) for s, d in frames)
    cuts = data.draw(st.lists(st.integers(0, len(encoded)), max_size=10))
    chunks = [piece for p in split_at(encoded, cuts) for piece in (p, b"")]
    out = feed_frames(chunks)
    assert [(f.stream, f.data) for f in out] == frames


@FUZZ
@given(garbage=st.binary(max_size=200), cuts=st.lists(st.integers(min_value=0, max_value=200), max_size=8))
def test_fuzz_garbage_frames_decode_or_raise_stream_error(garbage: bytes, cuts: list[int]) -> None:
    chunks = split_at(garbage, cuts)
    try:
        whole = feed_frames(chunks)
    except StreamError:
        # Chunking must not change the verdict.
        with pytest.raises(StreamError):
            feed_frames([garbage])
        return
    assert whole == feed_frames([garbage])
    assert b"".join(frame(f.stream, f.data) for f in whole) == garbage


# -- JSONMessageDecoder ---------------------------------------------------------------------------------------------

MESSAGES = [
    {"status": "Pulling from library/alpine", "id": "latest"},
    {"status": "Downloading", "progressDetail": {"current": 1024, "total": 3000}, "id": "abc"},
    {"stream": "Step 1/2 : FROM alpine\n"},
    {"aux": {"ID": "sha256:0123"}},
    {"status": "unicode: \u00e9\u4e2d\U0001f433"},
]


def ndjson(messages: list[Any]) -> bytes:
    return b"".join(json.dumps(m).encode() + b"\n" for m in messages)


def test_newline_delimited_messages() -> None:
    assert feed_json([ndjson(MESSAGES)]) == MESSAGES


def test_crlf_and_blank_lines_are_skipped() -> None:
    data = b'\r\n{"a": 1}\r\n\r\n\n  {"b": 2}\t\r\n'
    assert feed_json([data]) == [{"a": 1}, {"b": 2}]


def test_several_objects_on_one_line() -> None:
    assert feed_json([b'{"a":1}{"b":2} {"c":3}\n']) == [{"a": 1}, {"b": 2}, {"c": 3}]


def test_json_seq_record_separators() -> None:
    data = b'\x1e{"a":1}\n\x1e{"b":[1,2]}\n\x1e\x1e{"c":null}\n'
    assert feed_json([data]) == [{"a": 1}, {"b": [1, 2]}, {"c": None}]


def test_messages_split_at_every_boundary() -> None:
    data = ndjson(MESSAGES) + b'{"x":1}{"y":2}\n\x1e{"z":3}\n'
    expected = [*MESSAGES, {"x": 1}, {"y": 2}, {"z": 3}]
    for cut in range(len(data) + 1):
        assert feed_json([data[:cut], data[cut:]]) == expected, cut


def test_messages_fed_byte_by_byte() -> None:
    data = ndjson(MESSAGES)
    assert feed_json([data[i : i + 1] for i in range(len(data))]) == MESSAGES


def test_multibyte_utf8_split_across_chunks() -> None:
    data = json.dumps({"s": "\u00e9\U0001f433"}, ensure_ascii=False).encode() + b"\n"
    for cut in range(len(data) + 1):
        assert feed_json([data[:cut], data[cut:]]) == [{"s": "\u00e9\U0001f433"}]


def test_feed_holds_an_incomplete_line() -> None:
    decoder: JSONMessageDecoder[Any] = JSONMessageDecoder(identity)
    assert decoder.feed(b'{"a":') == []
    assert decoder.feed(b"1}") == [{"a": 1}]  # complete: returned at once, no need to wait for the newline
    assert decoder.feed(b'\n{"b":2') == []
    assert decoder.feed(b"}") == [{"b": 2}]
    assert decoder.close() == []


def test_truncated_trailing_object_raises_on_close() -> None:
    decoder: JSONMessageDecoder[Any] = JSONMessageDecoder(identity)
    decoder.feed(b'{"a":1}\n{"b":')
    with pytest.raises(StreamError, match="invalid JSON"):
        decoder.close()


def test_trailing_object_without_newline_is_returned_by_close() -> None:
    decoder: JSONMessageDecoder[Any] = JSONMessageDecoder(identity)
    assert decoder.feed(b'{"a":1}\n{"b":') == [{"a": 1}]
    assert decoder.feed(b"2}") == [{"b": 2}]
    assert decoder.close() == []  # and only once


def test_close_ignores_trailing_whitespace_and_separators() -> None:
    decoder: JSONMessageDecoder[Any] = JSONMessageDecoder(identity)
    assert decoder.feed(b'{"a":1}\n \t\r\x1e') == [{"a": 1}]
    assert decoder.close() == []


@pytest.mark.parametrize("bad", [b"{not json}\n", b'{"a":1,}\n', b'{"a":1\n', b'{"a":1} garbage\n', b"}\n"])
def test_invalid_json_raises_stream_error(bad: bytes) -> None:
    with pytest.raises(StreamError, match="invalid JSON in stream"):
        feed_json([bad])


def test_error_message_raises_with_its_text() -> None:
    with pytest.raises(StreamError) as info:
        feed_json([b'{"status":"Pulling"}\n{"error":"pull access denied for nope"}\n'])
    assert str(info.value) == "pull access denied for nope"


def test_error_detail_message_raises_with_its_text() -> None:
    with pytest.raises(StreamError) as info:
        feed_json([b'{"errorDetail":{"code":1,"message":"manifest unknown"}}\n'])
    assert str(info.value) == "manifest unknown"


def test_error_wins_over_error_detail() -> None:
    data = b'{"errorDetail":{"message":"detail text"},"error":"short text"}\n'
    with pytest.raises(StreamError, match=r"^short text$"):
        feed_json([data])


def test_error_detail_without_message_still_raises() -> None:
    with pytest.raises(StreamError, match="errorDetail"):
        feed_json([b'{"errorDetail":{"code":7}}\n'])


def test_error_in_trailing_object_raises_on_close() -> None:
    decoder: JSONMessageDecoder[Any] = JSONMessageDecoder(identity)
    assert decoder.feed(b'{"status":"pulling"}\n{"error":"disk') == [{"status": "pulling"}]
    with pytest.raises(StreamError, match="disk full"):
        decoder.feed(b' full"}')


def test_empty_error_fields_are_not_errors() -> None:
    assert feed_json([b'{"error":"","status":"ok"}\n{"errorDetail":null}\n']) == [
        {"error": "", "status": "ok"},
        {"errorDetail": None},
    ]


def test_raise_errors_false_yields_error_messages() -> None:
    data = b'{"status":"a"}\n{"error":"boom"}\n{"errorDetail":{"message":"bang"}}\n'
    assert feed_json([data], raise_errors=False) == [
        {"status": "a"},
        {"error": "boom"},
        {"errorDetail": {"message": "bang"}},
    ]


def test_parse_callback_is_applied_to_every_message() -> None:
    seen: list[Any] = []

    def parse(value: Any) -> tuple[str, Any]:
        seen.append(value)
        return ("parsed", value["n"])

    decoder = JSONMessageDecoder(parse)
    assert decoder.feed(b'{"n":1}\n{"n":2}\n{"n"') == [("parsed", 1), ("parsed", 2)]
    assert decoder.feed(b":3}") == [("parsed", 3)]
    assert decoder.close() == []
    assert seen == [{"n": 1}, {"n": 2}, {"n": 3}]


def test_parse_is_not_called_for_error_messages() -> None:
    calls: list[Any] = []
    decoder = JSONMessageDecoder(calls.append)
    with pytest.raises(StreamError):
        decoder.feed(b'{"error":"x"}\n')
    assert calls == []


@pytest.mark.parametrize(
    ("message", "kind"),
    [(b"1", "a number"), (b'"two"', "a string"), (b"[3]", "a list"), (b"null", "null"), (b"true", "a boolean")],
)
def test_non_object_messages_raise_saying_what_came(message: bytes, kind: str) -> None:
    calls: list[Any] = []
    decoder = JSONMessageDecoder(calls.append, raise_errors=False)
    with pytest.raises(StreamError, match=f"is {kind}, not a JSON object"):
        decoder.feed(message + b"\n")
    assert calls == []


def test_invalid_utf8_raises_stream_error() -> None:
    with pytest.raises(StreamError):
        feed_json([b'{"a":"\xff\xfe"}\n'])


def test_invalid_utf8_in_trailing_object_raises_stream_error() -> None:
    decoder: JSONMessageDecoder[Any] = JSONMessageDecoder(identity)
    with pytest.raises(StreamError, match="not UTF-8"):  # at once, or at the latest on close
        decoder.feed(b'{"a":"\xc3"}')
        decoder.close()


def test_deeply_nested_json_raises_stream_error() -> None:
    with pytest.raises(StreamError):
        feed_json([b"[" * 100_000 + b"\n"])


def test_multi_line_object_split_at_an_inner_newline() -> None:
    # Concatenated JSON may contain whitespace, newlines included, between tokens;
    # the result must not depend on where the chunks happen to end.
    data = json.dumps({"status": "Downloading", "progressDetail": {"current": 1}}, indent=2).encode() + b"\n"
    assert feed_json([data]) == [{"status": "Downloading", "progressDetail": {"current": 1}}]
    cut = data.index(b"\n") + 1
    assert feed_json([data[:cut], data[cut:]]) == [{"status": "Downloading", "progressDetail": {"current": 1}}]


json_scalars = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=20)
json_values = st.recursive(
    json_scalars | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=15,
)
# Objects that are not error messages (those raise by design).
json_objects = st.dictionaries(
    st.text(max_size=10).filter(lambda k: k not in ("error", "errorDetail")), json_values, max_size=5
)


@FUZZ
@given(
    messages=st.lists(json_objects, max_size=8),
    style=st.sampled_from(["ndjson", "concat", "seq", "crlf"]),
    ascii_only=st.booleans(),
    trailing_newline=st.booleans(),
    cuts=st.lists(st.integers(min_value=0, max_value=4000), max_size=20),
)
def test_fuzz_json_messages_round_trip_in_any_chunking(
    messages: list[dict[str, Any]], style: str, ascii_only: bool, trailing_newline: bool, cuts: list[int]
) -> None:
    texts = [json.dumps(m, ensure_ascii=ascii_only).encode() for m in messages]
    data = {
        "ndjson": b"".join(t + b"\n" for t in texts),
        "concat": b"".join(texts) + b"\n",
        "seq": b"".join(b"\x1e" + t + b"\n" for t in texts),
        "crlf": b"".join(t + b"\r\n" for t in texts),
    }[style]
    if not trailing_newline:
        data = data.rstrip(b"\r\n")
    assert feed_json(split_at(data, cuts)) == messages


@FUZZ
@given(errors=st.lists(st.text(min_size=1, max_size=30), min_size=1, max_size=3), cuts=st.lists(st.integers(0, 300)))
def test_fuzz_error_messages_raise_or_pass_through(errors: list[str], cuts: list[int]) -> None:
    data = b"".join(json.dumps({"error": e}).encode() + b"\n" for e in errors)
    with pytest.raises(StreamError) as info:
        feed_json(split_at(data, cuts))
    assert str(info.value) == errors[0]
    assert feed_json(split_at(data, cuts), raise_errors=False) == [{"error": e} for e in errors]


@FUZZ
@given(garbage=st.binary(max_size=200), cuts=st.lists(st.integers(min_value=0, max_value=200), max_size=8))
def test_fuzz_garbage_json_raises_only_stream_error(garbage: bytes, cuts: list[int]) -> None:
    try:
        items = feed_json(split_at(garbage, cuts), raise_errors=False)
    except StreamError:
        return
    assert isinstance(items, list)


@FUZZ
@given(
    text=st.text(alphabet=st.sampled_from(list('{}[]":,0123456789 \n\x1eabenrtul-.')), max_size=80),
    cuts=st.lists(st.integers(min_value=0, max_value=80), max_size=8),
)
def test_fuzz_json_like_text_raises_only_stream_error(text: str, cuts: list[int]) -> None:
    try:
        items = feed_json(split_at(text.encode(), cuts), raise_errors=False)
    except StreamError:
        return
    assert isinstance(items, list)


# -- Stream wrappers over an httpx.Response -------------------------------------------------------------------------


class Chunks(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body delivered in the given chunks, optionally failing after them."""

    def __init__(self, chunks: list[bytes], fail: Exception | None = None) -> None:
        self.chunks = chunks
        self.fail = fail
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks
        if self.fail is not None:
            raise self.fail

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk
        if self.fail is not None:
            raise self.fail

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


def response(body: Chunks, content_type: str = "application/json") -> httpx.Response:
    return httpx.Response(
        200, headers={"Content-Type": content_type}, stream=body, request=httpx.Request("GET", "http://docker/x")
    )


def test_json_stream_iterates_typed_items_and_closes() -> None:
    data = ndjson(MESSAGES)
    body = Chunks([data[:10], data[10:33], data[33:]])
    stream = JSONStream(response(body), lambda v: sorted(v))
    assert list(stream) == [sorted(m) for m in MESSAGES]
    assert body.closed
    assert stream.headers["content-type"] == "application/json"


def test_json_stream_error_message_raises_and_closes() -> None:
    body = Chunks([b'{"status":"a"}\n', b'{"error":"no space left"}\n{"status":"never"}\n'])
    seen = []
    with pytest.raises(StreamError, match="no space left"):
        for item in JSONStream(response(body), identity):
            seen.append(item)
    assert seen == [{"status": "a"}]
    assert body.closed


def test_json_stream_delivers_messages_before_an_error_in_the_same_chunk() -> None:
    body = Chunks([b'{"stream":"Step 2/2 : RUN false"}\n{"errorDetail":{"message":"returned 1"}}\n'])
    seen = []
    with pytest.raises(StreamError, match="returned 1"):
        for item in JSONStream(response(body), identity):
            seen.append(item)
    assert seen == [{"stream": "Step 2/2 : RUN false"}]


def test_json_stream_broken_connection_raises_stream_error() -> None:
    body = Chunks([b'{"a":1}\n'], fail=httpx.ReadError("connection reset"))
    seen = []
    with pytest.raises(StreamError, match="stream broken: connection reset") as info:
        for item in JSONStream(response(body), identity):
            seen.append(item)
    assert seen == [{"a": 1}]
    assert isinstance(info.value.__cause__, httpx.ReadError)


def test_json_stream_context_manager_closes() -> None:
    body = Chunks([b'{"a":1}\n'])
    with JSONStream(response(body), identity) as stream:
        assert isinstance(stream, JSONStream)
    assert body.closed


def test_frame_stream_decodes_multiplexed_and_stdout_helper() -> None:
    data = frame(1, b"out1 ") + frame(2, b"err") + frame(1, b"out2")
    body = Chunks([data[:5], data[5:20], data[20:]])
    assert FrameStream(response(body, "application/vnd.docker.multiplexed-stream"), raw=False).stdout() == b"out1 out2"
    assert body.closed


def test_frame_stream_raw_content_type_yields_stdout_frames() -> None:
    body = Chunks([b"\x01\x00 raw tty output", b" more\r\n"])
    frames = list(FrameStream(response(body, RAW_STREAM), raw=True))
    assert all(f.stream == 1 for f in frames)
    assert b"".join(f.data for f in frames) == b"\x01\x00 raw tty output more\r\n"


def test_frame_stream_truncated_frame_raises() -> None:
    body = Chunks([frame(1, b"whole"), frame(2, b"cut short")[:-3]])
    seen = []
    with pytest.raises(StreamError, match="left over"):
        for item in FrameStream(response(body, "application/vnd.docker.multiplexed-stream"), raw=False):
            seen.append(item)
    assert seen == [Frame(1, b"whole")]
    assert body.closed


def test_frame_stream_broken_connection_raises_stream_error() -> None:
    body = Chunks([frame(1, b"a")], fail=httpx.RemoteProtocolError("peer closed"))
    with pytest.raises(StreamError, match="stream broken"):
        list(FrameStream(response(body, "application/vnd.docker.multiplexed-stream"), raw=False))


def test_async_streams() -> None:
    async def main() -> None:
        data = ndjson(MESSAGES)
        body = Chunks([data[:7], data[7:]])
        assert [m async for m in AsyncJSONStream(response(body), identity)] == MESSAGES
        assert body.closed

        body = Chunks([b'{"a":1}\n{"errorDetail":{"message":"bad"}}\n'])
        with pytest.raises(StreamError, match=r"^bad$"):
            [m async for m in AsyncJSONStream(response(body), identity)]
        assert body.closed

        body = Chunks([b'{"a":1}\n'], fail=httpx.ReadError("reset"))
        with pytest.raises(StreamError, match="stream broken"):
            [m async for m in AsyncJSONStream(response(body), identity)]

        data = frame(2, b"e") + frame(1, b"o")
        body = Chunks([data[:3], data[3:]])
        multiplexed = response(body, "application/vnd.docker.multiplexed-stream")
        assert [f async for f in AsyncFrameStream(multiplexed, raw=False)] == [Frame(2, b"e"), Frame(1, b"o")]
        assert body.closed

        body = Chunks([b"raw", b" bytes"])
        assert [f async for f in AsyncFrameStream(response(body, RAW_STREAM), raw=True)] == [
            Frame(1, b"raw"),
            Frame(1, b" bytes"),
        ]

        body = Chunks([frame(3, b"daemon failed")])
        with pytest.raises(StreamError, match="daemon failed"):
            [f async for f in AsyncFrameStream(response(body, "application/vnd.docker.multiplexed-stream"), raw=False)]

        body = Chunks([])
        async with AsyncJSONStream(response(body), identity) as stream:
            assert isinstance(stream, AsyncJSONStream)
        assert body.closed
        body = Chunks([])
        async with AsyncFrameStream(response(body), raw=False) as frames:
            assert isinstance(frames, AsyncFrameStream)
        assert body.closed

    asyncio.run(main())
