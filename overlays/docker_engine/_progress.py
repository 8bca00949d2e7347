"""Progress of pulls, pushes and builds: reading the daemon's JSON messages, showing them, and
the errors they report.

`images.pull`, `images.push_image` and `images.build_image` (in `_mixins`) take `progress=`:

- `True`: on a terminal, a live display, one line per layer rewritten in place (with `rich`
  when it is installed, else plain ANSI cursor movement); elsewhere (a pipe, a file, a CI
  log) the docker CLI's plain output: `<layer>: Pulling fs layer`, `<layer>: Pull complete`,
  `Digest: …`, `Status: …`, the byte counts of downloads and uploads left out;
- a text stream (`sys.stderr`, `io.StringIO`, an open file): those plain lines, written to it;
- a function: called with each typed message (`CreateImageInfo`, `PushImageInfo`,
  `BuildInfo` of the client's API version), the error message included, before it raises.

A message is read by its JSON keys, so that every API version reads alike: a field the
version's model lacks (`id` of `PushImageInfo`, `current`/`total` of v1.25's
`ProgressDetail`, `error` from v1.52 on) is taken from `additional_properties`.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Callable, Mapping
from typing import IO, TYPE_CHECKING, Any, Generic, NamedTuple, Protocol, TypeAlias, TypeVar, runtime_checkable

from ._errors import BuildError, StreamError

if TYPE_CHECKING:
    from types import TracebackType

__all__ = [
    "Message",
    "ProgressTarget",
    "StreamFollower",
    "TextWriter",
    "describe",
    "format_size",
    "plain_line",
    "progress_target",
]

E = TypeVar("E")


@runtime_checkable
class TextWriter(Protocol):
    """Where plain progress lines go: anything with `write(str)` (a text file, `io.StringIO`)."""

    def write(self, text: str, /) -> object: ...


ProgressTarget: TypeAlias = bool | TextWriter | Callable[[E], object] | None
"""What `progress=` takes: True (the terminal, or plain lines on stdout), a text stream (plain
lines), a function called with each typed message, or None/False (nothing shown)."""


# -- reading a message ------------------------------------------------------------------------------------------------

# JSON key → the generated models' attribute, where they differ.
_ATTRIBUTES = {"progressDetail": "progress_detail", "errorDetail": "error_detail", "ID": "id", "Digest": "digest"}


def field(obj: object, key: str) -> Any:
    """The value of JSON key `key` of a message (or a nested object): the model's attribute
    when this version's model has one, else its `additional_properties`; a plain mapping works too."""
    if obj is None:
        return None
    if isinstance(obj, Mapping):
        return obj.get(key)
    value = getattr(obj, _ATTRIBUTES.get(key, key), None)
    if value is None:
        extra = getattr(obj, "additional_properties", None)
        if isinstance(extra, Mapping):
            value = extra.get(key)
    return value


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _count(detail: object, key: str) -> int | None:
    value = field(detail, key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value)


class Message(NamedTuple):
    """What the displays need of one message, whatever its model and API version."""

    id: str
    status: str
    stream: str
    # progressDetail was there (even empty: a layer's line), and its byte counts.
    has_detail: bool
    current: int | None
    total: int | None
    # The deprecated pre-drawn bar (`progress`).
    bar: str
    aux: Any
    error: str | None

    @property
    def counting(self) -> bool:
        """Bytes are being counted (a download, an upload, an extraction): the CLI's plain
        output leaves such messages out."""
        return (self.current or 0) > 0 or (self.total or 0) > 0

    @property
    def layer(self) -> bool:
        """A layer's line, rewritten in place on a terminal."""
        return bool(self.id) and self.has_detail and not self.stream


def describe(event: object) -> Message:
    """Read a typed message (or its JSON mapping)."""
    detail = field(event, "progressDetail")
    error_detail = field(event, "errorDetail")
    error = field(event, "error") or field(error_detail, "message")
    if error is None and error_detail is not None:
        error = str(error_detail)
    return Message(
        id=_text(field(event, "id")),
        status=_text(field(event, "status")),
        stream=_text(field(event, "stream")),
        has_detail=detail is not None,
        current=_count(detail, "current"),
        total=_count(detail, "total"),
        bar=_text(field(event, "progress")),
        aux=field(event, "aux"),
        error=None if error is None else str(error),
    )


def format_size(size: int) -> str:
    """Bytes in decimal units, three significant digits: `512B`, `45.2kB`, `3.41MB`."""
    value = float(size)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(value) < 1000 or unit == "TB":
            break
        value /= 1000
    if unit == "B":
        return f"{int(value)}B"
    return f"{value:.3g}{unit}" if value < 100 else f"{value:.0f}{unit}"


def _amount(current: int | None, total: int | None) -> str:
    """`1.2MB/3.4MB`, or `1.2MB` when the total is not known."""
    done = format_size(current or 0)
    return f"{done}/{format_size(total)}" if total and total > 0 else done


def _bar(current: int | None, total: int | None, width: int = 30) -> str:
    if not total or total <= 0:
        return _amount(current, total)
    filled = min(width, max(current or 0, 0) * width // total)
    arrow = ">" if filled < width else ""
    return f"[{'=' * filled}{arrow}{' ' * (width - filled - len(arrow))}] {_amount(current, total)}"


def plain_line(message: Message) -> str | None:
    """The line (newline included) the docker CLI prints for a message when its output is not
    a terminal, or None when it prints none: counting messages, `aux` messages, errors (raised)."""
    if message.error is not None:
        return None
    if message.stream:
        return message.stream
    if message.counting:
        return None
    if not message.status:
        return None
    text = f"{message.status} {message.bar}" if message.bar else message.status
    return f"{message.id}: {text}\n" if message.id else text + "\n"


def _layer_text(message: Message, width: int = 100) -> str:
    """A layer's line on a terminal `width` columns wide: `<id>: <status> [===>   ] 1.2MB/3.4MB`,
    the bar narrowed (or left out) to fit."""
    text = f"{message.id}: {message.status}"
    if not message.counting:
        return text[:width]
    amount = _amount(message.current, message.total)
    room = width - len(text) - len(amount) - 4  # the spaces and brackets around the bar
    if message.total and message.total > 0 and room >= 10:
        return f"{text} {_bar(message.current, message.total, min(room, 30))}"
    return f"{text} {amount}"[:width]


# -- where messages go ------------------------------------------------------------------------------------------------


class _Display:
    """Shows messages; `close()` leaves the output in its final state."""

    def show(self, message: Message) -> None:
        raise NotImplementedError

    def close(self) -> None:
        pass


class _Plain(_Display):
    def __init__(self, out: TextWriter) -> None:
        self._out = out
        self._flush: Callable[[], object] | None = getattr(out, "flush", None)

    def show(self, message: Message) -> None:
        line = plain_line(message)
        if line is not None:
            self._out.write(line)
            if self._flush is not None:
                self._flush()


_UP, _DOWN, _CLEAR = "\x1b[{}A", "\x1b[{}B", "\r\x1b[2K"


class _Lines(_Display):
    """A live display with nothing but ANSI escapes: each layer gets a line, rewritten in place
    (the cursor goes up to it and back down); any other line is printed below and starts a new
    block of layer lines."""

    def __init__(self, out: IO[str]) -> None:
        self._out = out
        self._rows: dict[str, int] = {}  # layer id → its line in the block; the cursor sits below the block
        self._line_start = True

    def _width(self) -> int:
        try:
            columns = os.get_terminal_size(self._out.fileno()).columns
        except (OSError, ValueError, AttributeError):
            columns = 0
        return max(columns or 80, 20) - 1  # never the last column: a wrapped line breaks the cursor arithmetic

    def _write(self, text: str) -> None:
        self._out.write(text)
        self._out.flush()

    def show(self, message: Message) -> None:
        if message.error is not None:
            return
        if message.layer:
            self._layer(message.id, _layer_text(message, self._width()))
            return
        line = plain_line(message)
        if line is None:
            return
        self._rows.clear()  # the block ends: its lines stay as they are
        self._write(line)
        self._line_start = line.endswith("\n")

    def _layer(self, key: str, text: str) -> None:
        row = self._rows.get(key)
        if row is None:
            self._rows[key] = len(self._rows)
            self._write(("" if self._line_start else "\n") + text + "\n")
            self._line_start = True
            return
        up = len(self._rows) - row
        self._write(_UP.format(up) + _CLEAR + text + "\r" + _DOWN.format(up))


_DONE = re.compile(r"complete$|exists$|^Pushed$|^Mounted from ", re.IGNORECASE)
_REFRESH = 0.1  # seconds between redraws of the rich display


class _Rich(_Display):
    """The live display drawn by `rich` (an optional dependency): a bar per layer."""

    def __init__(self, out: IO[str]) -> None:
        from rich.console import Console  # noqa: PLC0415 - optional, only for a terminal

        self._console = Console(file=out, highlight=False)
        self._progress: Any = None
        self._tasks: dict[str, Any] = {}  # layer id → rich's task
        self._totals: dict[str, float] = {}  # layer id → the bar's total, once known
        self._drawn = 0.0

    def _start(self) -> Any:
        from rich.progress import BarColumn, Progress, TextColumn  # noqa: PLC0415

        progress = Progress(
            TextColumn("{task.description}", markup=False),
            BarColumn(bar_width=30),
            TextColumn("{task.fields[size]}", markup=False),
            console=self._console,
            auto_refresh=False,  # redrawn as messages come: no thread of its own
            redirect_stdout=False,
            redirect_stderr=False,
        )
        progress.start()
        self._progress, self._tasks, self._totals = progress, {}, {}
        return progress

    def show(self, message: Message) -> None:
        if message.error is not None:
            return
        if message.layer:
            self._layer(message)
            return
        line = plain_line(message)
        if line is None:
            return
        self._stop()  # the layers drawn so far stay above the line
        self._console.print(line, end="", markup=False, highlight=False, soft_wrap=True)

    def _layer(self, message: Message) -> None:
        progress = self._progress or self._start()
        description = f"{message.id}: {message.status}"
        task = self._tasks.get(message.id)
        if task is None:
            task = self._tasks[message.id] = progress.add_task(description, total=None, size="")
        if message.counting:
            total = float(message.total) if message.total and message.total > 0 else None
            if total is not None:
                self._totals[message.id] = total
            progress.update(
                task,
                description=description,
                total=total,
                completed=message.current or 0,
                size=_amount(message.current, message.total),
            )
        elif _DONE.search(message.status):
            total = self._totals.setdefault(message.id, 1.0)
            progress.update(task, description=description, total=total, completed=total, size="")
        else:
            progress.update(task, description=description)
        now = time.monotonic()
        if now - self._drawn >= _REFRESH:
            self._drawn = now
            progress.refresh()

    def _stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()  # draws the final state
            self._progress = None

    def close(self) -> None:
        self._stop()


def _rich_available() -> bool:
    try:
        import rich.progress  # noqa: F401, PLC0415
    except ImportError:
        return False
    return True


def is_terminal(out: object) -> bool:
    """Whether `out` is an interactive terminal that takes cursor movement."""
    isatty = getattr(out, "isatty", None)
    try:
        tty = bool(isatty()) if callable(isatty) else False
    except (OSError, ValueError):
        return False
    return tty and os.environ.get("TERM", "") not in ("dumb", "unknown")


def terminal_display(out: IO[str]) -> _Display:
    """The live display for a terminal: rich's if it is installed, else the ANSI one."""
    return _Rich(out) if _rich_available() else _Lines(out)


def progress_target(progress: ProgressTarget[E]) -> TextWriter | Callable[[E], object] | None:
    """Where `progress=` sends a stream's messages: nowhere, a text stream (`True`: stdout),
    or a function taking each message."""
    if progress is None or progress is False:
        return None
    if progress is True:
        return sys.stdout
    if isinstance(progress, TextWriter) or callable(progress):
        return progress
    raise TypeError(
        f"progress=: expected True, a text stream or a function taking each message, got {type(progress).__name__}"
    )


def _targets(progress: ProgressTarget[E]) -> tuple[_Display | None, Callable[[E], object] | None]:
    """The display, or the function, that `progress=` names (`True` on a terminal: the live one)."""
    target = progress_target(progress)
    if target is None:
        return None, None
    if isinstance(target, TextWriter):
        live = progress is True and is_terminal(sys.stdout)
        return (terminal_display(sys.stdout) if live else _Plain(target)), None
    return None, target


# -- following a stream to its end ------------------------------------------------------------------------------------

_STEP = re.compile(r"^Step \d+(?:/\d+)? : .*", re.MULTILINE)
_DIGEST = re.compile(r"\bdigest: (sha256:[0-9a-f]{64})\b")
_BUILT = re.compile(r"^(?:Successfully built ([0-9a-f]{12,64})|(sha256:[0-9a-f]{64}))\s*$", re.MULTILINE)


class StreamFollower(Generic[E]):
    """Follows the messages of a pull, push or build (fed one by one by the sync or async
    loop): shows them as `progress=` says, keeps what the result needs (the pushed digest,
    the built image's ID, the last build step), and raises at an error message.

    `feed` returns what the progress function returned (the async loop awaits a coroutine),
    `check` then raises for an error message: `StreamError`, or `BuildError` for a build."""

    def __init__(self, progress: ProgressTarget[E], *, build: bool = False) -> None:
        self._display, self._callback = _targets(progress)
        self._build = build
        self.build_log: list[E] = []
        self.digest: str | None = None
        self.image_id: str | None = None
        self.step: str | None = None
        self.error: str | None = None

    def feed(self, event: E) -> object:
        message = describe(event)
        if self._build:
            self.build_log.append(event)
        if message.error is not None:
            self.error = message.error
        self._keep(message)
        if self._display is not None:
            self._display.show(message)
        return self._callback(event) if self._callback is not None else None

    def _keep(self, message: Message) -> None:
        digest = field(message.aux, "Digest")
        if isinstance(digest, str) and digest:
            self.digest = digest
        elif match := _DIGEST.search(message.status):
            self.digest = match[1]
        image_id = field(message.aux, "ID")
        if isinstance(image_id, str) and image_id:
            self.image_id = image_id
        if message.stream:
            if steps := _STEP.findall(message.stream):
                self.step = steps[-1].strip()
            if built := _BUILT.findall(message.stream):
                short, full = built[-1]
                self.image_id = self.image_id or full or short

    def check(self) -> None:
        if self.error is None:
            return
        if self._build:
            raise BuildError(self.error, build_log=self.build_log, step=self.step)
        raise StreamError(self.error)

    def close(self) -> None:
        if self._display is not None:
            self._display.close()

    def __enter__(self) -> StreamFollower[E]:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
