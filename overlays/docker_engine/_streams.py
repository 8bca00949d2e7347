"""Stream bodies decoded without I/O: JSON message streams and multiplexed/raw output frames.

Decoding is pure (`JSONMessageDecoder`, `FrameDecoder`, `LineSplitter` take bytes and
return items), so the streams that read a response (`_async_streams`, and
`_sync_streams` written from it) are thin loops around the same code.
"""

from __future__ import annotations

import codecs
import inspect
import json
import re
import struct
from collections.abc import Callable
from typing import Any, Generic, NamedTuple, NoReturn, Protocol, TypeVar

import httpx

from ._errors import StreamError

__all__ = [
    "MAX_FRAME",
    "MAX_LINE",
    "MAX_MESSAGE",
    "BinaryBody",
    "BinaryWriter",
    "Frame",
    "FrameDecoder",
    "JSONMessageDecoder",
    "LineSplitter",
    "StreamBase",
    "awritten",
    "written",
]

T = TypeVar("T")

STDIN, STDOUT, STDERR, SYSTEMERR = 0, 1, 2, 3
_HEADER = struct.Struct(">BxxxL")
RAW_STREAM = "application/vnd.docker.raw-stream"


class Frame(NamedTuple):
    """A piece of container output: `stream` is 1 (stdout) or 2 (stderr)."""

    stream: int
    data: bytes


_WORDS = struct.Struct(">II")
_new_frame = tuple.__new__

# The limits below bound what a broken or hostile server can make a decoder
# buffer; each is far above anything dockerd sends, so no honest stream meets one.
#
# One frame of a multiplexed stream: dockerd sends at most 32 KiB per frame, and
# the header's uint32 could announce 4 GiB.
MAX_FRAME = 16 * 1024 * 1024
# One line of `text_lines()`; longer output is better read as frames.
MAX_LINE = 16 * 1024 * 1024
# One message of a JSON stream (progress, events, stats: a few hundred bytes each).
MAX_MESSAGE = 16 * 1024 * 1024


class FrameDecoder:
    """Splits the multiplexed format: an 8-byte header (stream type, 3 zero
    bytes, big-endian uint32 length), then that many bytes.

    A header announcing more than `max_frame` bytes is a StreamError as soon as
    it is read, before any of its payload is buffered."""

    __slots__ = ("_max_frame", "_more", "_need", "_rest", "_size")

    def __init__(self, *, max_frame: int = MAX_FRAME) -> None:
        self._max_frame = max_frame
        # A cut frame (or header) waits: its start in `_rest`, what came after it
        # in `_more` while still short of `_need` bytes. All is joined once, as
        # growing one bytes object would copy all of it again for every chunk,
        # quadratic in the size of the frame.
        self._rest = b""
        self._more: list[bytes] = []
        self._size = 0
        self._need = 0

    def feed(self, chunk: bytes) -> list[Frame]:
        if len(chunk) > self._max_frame + 1:
            # Fed in pieces of at most `max_frame + 1` bytes, a frame found whole
            # cannot be over the limit (a frame begun earlier had its header
            # checked then, or fewer than 8 bytes of it were kept): so only a cut
            # frame's length needs checking, and nothing on the hot path.
            step = self._max_frame + 1
            return [f for i in range(0, len(chunk), step) for f in self.feed(chunk[i : i + step])]
        data = chunk
        if self._rest:
            self._size += len(chunk)
            if self._size < self._need:
                self._more.append(chunk)
                return []
            if self._more:
                data = b"".join([self._rest, *self._more, chunk])
                self._more = []
            else:
                data = self._rest + chunk
        # The hot path (many small frames per chunk): locals, one unpack per
        # header, and Frame built without NamedTuple's argument handling.
        frames: list[Frame] = []
        append = frames.append
        unpack = _WORDS.unpack_from
        pos = 0
        end = len(data)
        need = 8
        while end - pos >= 8:
            word, length = unpack(data, pos)
            if word & 0xFCFFFFFF:  # a stream type above 3, or padding that is not zero
                raise StreamError(f"bad frame header {data[pos : pos + 8]!r}: not a multiplexed stream")
            start = pos + 8
            stop = start + length
            if stop > end:
                if length > self._max_frame:
                    raise self._too_large(length)
                need += length
                break
            kind = word >> 24
            if kind == SYSTEMERR:
                raise StreamError(f"the daemon reported: {data[start:stop].decode('utf-8', 'replace').strip()}")
            append(_new_frame(Frame, (kind, data[start:stop])))
            pos = stop
        # What is left is the start of a frame: kept until `need` bytes of it came.
        self._rest = data[pos:]
        self._size = end - pos
        self._need = need
        return frames

    def _too_large(self, length: int) -> StreamError:
        return StreamError(
            f"a frame header announces {length} bytes, over the limit of {self._max_frame}"
            " (dockerd sends at most 32 KiB per frame): a broken stream"
        )

    def close(self) -> None:
        if self._rest:
            raise StreamError(f"stream ended inside a frame ({self._size} bytes left over)")


class LineSplitter:
    """Frames in, decoded lines out (without the newline, nor a `\\r` before it),
    each stream's lines kept apart; `stream` keeps one stream (None: both, as
    they come). Pure: `FrameStream.text_lines` and its async twin feed it.

    A line longer than `max_line` bytes is a StreamError, as soon as that much of it came."""

    __slots__ = ("_encoding", "_max_line", "_pending", "_stream")

    def __init__(self, stream: int | None = None, encoding: str = "utf-8", *, max_line: int = MAX_LINE) -> None:
        self._stream = stream
        self._encoding = encoding
        self._max_line = max_line
        # The start of each stream's unterminated line. A bytearray grows in place
        # (amortised linear) where `bytes + bytes` would copy the whole line again.
        self._pending: dict[int, bytearray] = {}

    def feed(self, frame: Frame) -> list[str]:
        stream, data = frame
        if self._stream is not None and stream != self._stream:
            return []
        lines = data.split(b"\n")
        rest = lines.pop()
        start = self._pending.pop(stream, None)
        if start is not None:
            if not lines:  # the line goes on
                start += rest
                self._keep(stream, start)
                return []
            start += lines[0]
            lines[0] = bytes(start)
        if rest:
            self._keep(stream, bytearray(rest))
        if start is not None or len(data) > self._max_line:  # else no line can be over the limit
            self._check(max(map(len, lines), default=0))
        encoding = self._encoding
        return [line.decode(encoding, "replace").removesuffix("\r") for line in lines]

    def close(self) -> list[str]:
        """The unterminated last line of each stream."""
        rest, self._pending = self._pending, {}
        return [data.decode(self._encoding, "replace") for data in rest.values()]

    def _keep(self, stream: int, start: bytearray) -> None:
        """Keep the start of a line until its end comes, within the limit."""
        self._check(len(start))
        self._pending[stream] = start

    def _check(self, length: int) -> None:
        if length > self._max_line:
            raise StreamError(
                f"a line of output is longer than the limit of {self._max_line} bytes (at least {length}):"
                " read such output as frames rather than with text_lines()"
            )


_TOO_DEEP = "a stream message is nested too deeply for the JSON parser"
# Outside strings: what starts a string or changes the nesting depth.
_STRUCTURE = re.compile(r'["{}\[\]]')
# Inside a string: what ends it, or escapes the next character.
_STRING_STOP = re.compile(r'["\\]')


class _ObjectEnd:
    """Finds where a JSON object that comes in pieces ends, looking at each piece
    once: it follows the nesting depth of brackets outside strings, and whether
    a piece stopped inside a string, or right after a backslash in one.
    Mismatched brackets are left to the parser."""

    __slots__ = ("depth", "escaped", "in_string")

    def __init__(self) -> None:
        self.depth = 0
        self.in_string = False
        self.escaped = False

    def scan(self, text: str) -> int:
        """The index just past the object's end in `text`, or -1: it goes on."""
        depth, in_string, end = self.depth, self.in_string, len(text)
        pos = 0
        if self.escaped and text:  # skip the character the last piece's backslash escapes
            self.escaped = False
            pos = 1
        while pos < end:
            match = (_STRING_STOP if in_string else _STRUCTURE).search(text, pos)
            if match is None:
                break
            pos = match.end()
            char = match[0]
            if char == "\\":
                self.escaped = pos == end  # the escaped character is in the next piece
                pos += 1
            elif char == '"':
                in_string = not in_string
            elif char in "{[":
                depth += 1
            else:
                depth -= 1
                if depth == 0:
                    return pos
        self.depth, self.in_string = depth, in_string
        return -1


def _maybe_cut(text: str, exc: json.JSONDecodeError) -> bool:
    """Whether a parse error may only mean that the object goes on in the next chunk."""
    if exc.pos >= len(text.rstrip()) - 6:
        return True  # at the end (within an escape's length)
    # A string runs to the end; JSON strings cannot hold a raw newline, so one
    # after its start proves the object broken.
    return exc.msg.startswith("Unterminated string") and "\n" not in text[exc.pos :]


# What a JSON value is, by its first character (numbers aside).
_KINDS = {"[": "a list", '"': "a string", "t": "a boolean", "f": "a boolean", "n": "null"}


class JSONMessageDecoder(Generic[T]):
    """Decodes a stream of JSON objects: newline-delimited, concatenated or
    json-seq (RS-prefixed), whatever the chunk boundaries (an object may span
    chunks and lines), in time linear in the length of the stream.

    Anything else is a StreamError: a message that is not an object (a number,
    a list, a string), invalid JSON or UTF-8, nesting too deep for the parser,
    an object longer than `max_message` characters. So is an `error`/`errorDetail`
    message, unless `raise_errors` is false. The messages before an error are
    returned first, and the error raised by the next call.
    """

    def __init__(self, parse: Callable[[Any], T], *, raise_errors: bool = True, max_message: int = MAX_MESSAGE) -> None:
        self._parse = parse
        self._raise = raise_errors
        self._max = max_message
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self._decoder = json.JSONDecoder()
        # An object a chunk cut: its text so far, in pieces. While that text is no
        # longer than the next chunk, both are parsed together (as one piece):
        # that costs about what the chunk does. Past that, parsing the growing
        # text again for every chunk would be quadratic, so `_end` takes over and
        # looks at each chunk once; the object is parsed when its end came.
        self._pieces: list[str] = []
        self._size = 0
        self._end: _ObjectEnd | None = None
        self._error: StreamError | None = None

    def feed(self, chunk: bytes) -> list[T]:
        if self._error is not None:
            self._raise_pending()
        items: list[T] = []
        try:
            self._decode(self._text(chunk), items)
        except StreamError as error:
            self._reset()
            if not items:
                raise
            # The messages before the error (a build's output that explains it) come first.
            self._error = error
        return items

    def close(self) -> list[T]:
        self._raise_pending()
        # At the end the UTF-8 decoder can only hold a cut character: that raises, or it returns "".
        self._text(b"", final=True)
        if not self._pieces:
            return []
        text = "".join(self._pieces)
        self._reset()
        items: list[T] = []
        self._take(self._load(text), items)  # an object that never ended does not parse: this raises
        return items

    def _raise_pending(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _reset(self) -> None:
        self._pieces = []
        self._size = 0
        self._end = None

    def _text(self, chunk: bytes, final: bool = False) -> str:
        try:
            return self._utf8.decode(chunk, final)
        except UnicodeDecodeError as exc:
            raise StreamError(f"stream is not UTF-8: {exc}") from exc

    def _decode(self, text: str, items: list[T]) -> None:
        pos = self._continue(text, items) if self._pieces else 0
        if pos < 0:
            return
        # The hot path (one object after another) inline, with locals: a call per message costs.
        end = len(text)
        raw_decode = self._decoder.raw_decode
        check_errors, parse, append, limit = self._raise, self._parse, items.append, self._max
        while pos < end:
            char = text[pos]
            if char in " \t\r\n\x1e":  # between messages: whitespace, json-seq's record separator
                pos += 1
                continue
            if char != "{":
                self._not_an_object(text, pos)
            try:
                value, after = raw_decode(text, pos)
            except json.JSONDecodeError as exc:
                self._keep_cut(text, pos, exc)
                return
            except RecursionError as exc:
                raise StreamError(_TOO_DEEP) from exc
            if after - pos > limit:
                raise self._too_long(after - pos)
            if check_errors and (value.get("error") or value.get("errorDetail")):
                self._take(value, items)  # raises
            append(parse(value))
            pos = after

    def _keep_cut(self, text: str, pos: int, exc: json.JSONDecodeError) -> None:
        """The object at `pos` did not parse: keep it if the end of the chunk may have cut it."""
        if not _maybe_cut(text, exc):
            raise self._invalid(text[pos:], exc) from exc
        self._keep(text[pos:] if pos else text)

    def _continue(self, text: str, items: list[T]) -> int:
        """Goes on with the object kept from earlier chunks: where it ends in `text`
        (taken then), or -1 when nothing of `text` is left to decode."""
        if self._end is None and self._size <= len(text):
            return self._parse_again(text, items)
        return self._follow(text, items)

    def _parse_again(self, text: str, items: list[T]) -> int:
        kept = self._pieces[0]
        joined = kept + text
        try:
            value, end = self._decoder.raw_decode(joined)
        except json.JSONDecodeError as exc:
            self._reset()
            self._keep_cut(joined, 0, exc)
            return -1
        except RecursionError as exc:
            raise StreamError(_TOO_DEEP) from exc
        self._reset()
        if end > self._max:
            raise self._too_long(end)
        self._take(value, items)
        return end - len(kept)

    def _follow(self, text: str, items: list[T]) -> int:
        if self._end is None:  # the scan starts: it reads the kept text (one piece) once
            self._end = _ObjectEnd()
            kept = self._pieces[0]
            end = self._end.scan(kept)
            if end >= 0:  # the brackets close inside it (invalid JSON the parser took for cut)
                self._reset()
                self._take(self._load(kept[:end]), items)
                self._decode(kept[end:] + text, items)
                return -1
        end = self._end.scan(text)
        self._keep(text if end < 0 else text[:end])
        if end < 0:
            return -1
        whole = "".join(self._pieces)
        self._reset()
        self._take(self._load(whole), items)
        return end

    def _keep(self, piece: str) -> None:
        """Keep a piece of an object that has not ended yet, within the limit."""
        self._pieces.append(piece)
        self._size += len(piece)
        if self._size > self._max:
            raise self._too_long(self._size)

    def _load(self, text: str) -> Any:
        """A whole object's text, parsed."""
        try:
            return self._decoder.decode(text)
        except json.JSONDecodeError as exc:
            raise self._invalid(text, exc) from exc
        except RecursionError as exc:
            raise StreamError(_TOO_DEEP) from exc

    def _take(self, value: Any, items: list[T]) -> None:
        """An object parsed: an error message raises (unless errors are yielded), the rest are parsed."""
        if self._raise and (value.get("error") or value.get("errorDetail")):
            detail = value.get("errorDetail") or {}
            message = value.get("error") or (detail.get("message") if isinstance(detail, dict) else None)
            raise StreamError(str(message or value))
        items.append(self._parse(value))

    @staticmethod
    def _not_an_object(text: str, pos: int) -> NoReturn:
        """Raise for what came where an object should have, named by its first character
        (whatever the chunking, without parsing what may be garbage, or nested too deeply)."""
        snippet = text[pos : pos + 60]
        kind = _KINDS.get(text[pos], "a number" if text[pos] in "-0123456789" else None)
        if kind is None:
            raise StreamError(f"invalid JSON in stream at {snippet!r}: not an object")
        raise StreamError(f"a stream message is {kind}, not a JSON object: {snippet!r}")

    def _too_long(self, size: int) -> StreamError:
        return StreamError(f"a stream message is longer than the limit of {self._max} characters (at least {size})")

    @staticmethod
    def _invalid(text: str, exc: json.JSONDecodeError) -> StreamError:
        return StreamError(f"invalid JSON in stream at {text[:60]!r}: {exc.msg}")


class StreamBase:
    """What the sync and async streams share: the response they read."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response

    @property
    def headers(self) -> httpx.Headers:
        return self.response.headers


class BinaryWriter(Protocol):
    """What `write_to` writes to: a binary file (`open(…, "wb")`, `io.BytesIO`, …)."""

    def write(self, data: bytes, /) -> object: ...


class BinaryBody(StreamBase):
    """What `BinaryStream` and `AsyncBinaryStream` share: the bytes read ahead by a
    sized `read()`, and the archive's `stat`."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(response)
        self._buffer = b""

    def _take_buffer(self) -> bytes:
        data, self._buffer = self._buffer, b""
        return data

    def _take(self, size: int) -> bytes:
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    @property
    def stat(self) -> Any:
        """`X-Docker-Container-Path-Stat` decoded (a `PathStat`; archive downloads only)."""
        from ._archive import path_stat_from_headers  # noqa: PLC0415 - only archive() needs it

        return path_stat_from_headers(self.response.headers)


async def awritten(result: object) -> None:
    """After `file.write(chunk)` in an async stream: a file whose `write` is a coroutine
    (aiofiles) is awaited; a plain file was written in the event loop (a local write
    lands in the page cache)."""
    if inspect.isawaitable(result):
        await result


def written(result: object) -> None:
    """After `file.write(chunk)` in a sync stream: an async file (aiofiles) cannot be written here."""
    if inspect.isawaitable(result):
        if inspect.iscoroutine(result):
            result.close()
        raise TypeError("write_to() of a sync stream got a file whose write() is a coroutine: use AsyncDocker")
