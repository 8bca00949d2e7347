"""The WebSocket codec (RFC 6455, client side): handshake, framing both ways,
fragmented messages, control frames, protocol errors, any split of the input."""

from __future__ import annotations

import pytest
from docker_engine._websocket import BINARY, CLOSE, CONTINUATION, PING, PONG, TEXT, WebSocketCodec, WebSocketError
from hypothesis import given, settings
from hypothesis import strategies as st


def server_frame(opcode: int, payload: bytes, fin: bool = True) -> bytes:
    """A frame as a server sends it: not masked."""
    n = len(payload)
    first = (0x80 if fin else 0) | opcode
    if n < 126:
        return bytes([first, n]) + payload
    if n < 1 << 16:
        return bytes([first, 126]) + n.to_bytes(2, "big") + payload
    return bytes([first, 127]) + n.to_bytes(8, "big") + payload


def unmask_client_frame(frame: bytes) -> tuple[int, bytes]:
    assert frame[0] & 0x80 and frame[1] & 0x80  # final, masked
    length, offset = frame[1] & 0x7F, 2
    if length == 126:
        length, offset = int.from_bytes(frame[2:4], "big"), 4
    elif length == 127:
        length, offset = int.from_bytes(frame[2:10], "big"), 10
    key = frame[offset : offset + 4]
    body = frame[offset + 4 :]
    assert len(body) == length
    return frame[0] & 0x0F, bytes(b ^ key[i % 4] for i, b in enumerate(body))


def test_handshake_accept_of_the_rfc_example() -> None:
    codec = WebSocketCodec()
    codec.key = "dGhlIHNhbXBsZSBub25jZQ=="  # RFC 6455, section 1.3
    codec.check_accept("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    with pytest.raises(WebSocketError, match="handshake failed"):
        codec.check_accept("wrong")
    with pytest.raises(WebSocketError, match="handshake failed"):
        codec.check_accept(None)
    headers = WebSocketCodec().request_headers()
    assert headers["Upgrade"] == "websocket" and headers["Sec-WebSocket-Version"] == "13"
    assert len(headers["Sec-WebSocket-Key"]) == 24


@pytest.mark.parametrize("size", [0, 1, 125, 126, 65535, 65536, 200_000])
def test_client_frames_are_masked_with_every_length_form(size: int) -> None:
    payload = bytes(range(256)) * (size // 256) + bytes(size % 256)
    opcode, body = unmask_client_frame(WebSocketCodec().frame(BINARY, payload))
    assert (opcode, body) == (BINARY, payload)
    # Our reader takes masked frames too: the codec reads its own output back.
    messages, reply = WebSocketCodec().feed(WebSocketCodec().frame(TEXT, payload))
    assert (messages, reply) == ([payload], b"")


def test_fragments_pings_and_the_closing_handshake() -> None:
    codec = WebSocketCodec()
    data = (
        server_frame(BINARY, b"hel", fin=False)
        + server_frame(PING, b"are you there")  # control frames may come between fragments
        + server_frame(CONTINUATION, b"lo", fin=False)
        + server_frame(CONTINUATION, b"\n")
        + server_frame(TEXT, b"second")
        + server_frame(PONG, b"")
        + server_frame(CLOSE, (1000).to_bytes(2, "big") + b"bye")
        + server_frame(BINARY, b"after the close: ignored")
    )
    messages, reply = codec.feed(data)
    assert messages == [b"hello\n", b"second"]
    frames = []
    while reply:
        n = reply[1] & 0x7F
        frames.append(unmask_client_frame(reply[: 6 + n]))
        reply = reply[6 + n :]
    assert frames == [(PONG, b"are you there"), (CLOSE, (1000).to_bytes(2, "big"))]
    assert codec.closed and codec.close_code == 1000
    assert codec.close_frame() == b""  # ours was sent already


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (bytes([0xC2, 0]), "reserved bits"),
        (server_frame(CONTINUATION, b"x"), "continuation frame without a message"),
        (server_frame(BINARY, b"a", fin=False) + server_frame(TEXT, b"b"), "new WebSocket message inside"),
        (server_frame(PING, b"x", fin=False), "fragmented or oversized"),
        (server_frame(PING, b"x" * 126), "fragmented or oversized"),
        (server_frame(0x3, b"x"), "unknown WebSocket opcode"),
        (server_frame(0xB, b""), "unknown WebSocket control opcode"),
        (bytes([0x82, 127]) + (1 << 40).to_bytes(8, "big"), "more than"),
    ],
)
def test_protocol_errors(data: bytes, message: str) -> None:
    with pytest.raises(WebSocketError, match=message):
        WebSocketCodec().feed(data)


def test_the_peer_vanishing_mid_message_is_an_error() -> None:
    codec = WebSocketCodec()
    assert codec.feed(server_frame(BINARY, b"part", fin=False)) == ([], b"")
    with pytest.raises(WebSocketError, match="in the middle of a WebSocket message"):
        codec.feed(b"")
    quiet = WebSocketCodec()
    assert quiet.feed(b"") == ([], b"") and quiet.closed and quiet.close_code is None


@settings(max_examples=200, deadline=None, database=None)
@given(
    payloads=st.lists(st.binary(max_size=300), min_size=1, max_size=6),
    cuts=st.lists(st.integers(0, 5000), max_size=10),
)
def test_any_split_gives_the_same_messages(payloads: list[bytes], cuts: list[int]) -> None:
    wire = b"".join(server_frame(BINARY, p) for p in payloads) + server_frame(CLOSE, b"\x03\xe8")
    points = sorted({c % (len(wire) + 1) for c in cuts})
    codec = WebSocketCodec()
    messages: list[bytes] = []
    for a, b in zip([0, *points], [*points, len(wire)], strict=True):
        if a < b:
            messages.extend(codec.feed(wire[a:b])[0])
    assert messages == payloads and codec.closed
