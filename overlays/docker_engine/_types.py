"""Types shared by the runtime and every generated version package."""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from enum import Enum, IntEnum, StrEnum
from typing import IO, TYPE_CHECKING, Any, ClassVar, Literal, Self

import httpx

from ._errors import InvalidResponseError

__all__ = [
    "ABSENT",
    "NOT_LAZY",
    "UNSET",
    "Filters",
    "Headers",
    "JSONParam",
    "LazyModel",
    "OpenIntEnum",
    "OpenStrEnum",
    "RequestContent",
    "Timestamp",
    "UnixTime",
    "Unset",
    "encode_json_param",
    "format_timestamp",
    "parse_timestamp",
    "to_jsonable",
]


class Unset:
    """The type of `UNSET`: "not given", as opposed to `None`, which is JSON null."""

    __slots__ = ()

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "UNSET"

    def __reduce__(self) -> str:
        # copy, deepcopy and pickle keep the singleton: models test `is UNSET`.
        return "UNSET"


UNSET: Unset = Unset()


NOT_LAZY: Any = object()

# The default of a field typed as present (`id: str`) in a model built by hand
# for a request: None, so that it is not sent. Typed Any so that the field's
# type stays what a daemon's answer has.
ABSENT: Any = None


class LazyModel:
    """Base of the generated models: nested objects are built on first access.

    `from_dict` sets the plain fields (strings, numbers, enums, timestamps) and
    keeps the source mapping; a field holding models (a nested object, a list
    or map of them) and `additional_properties` stay empty until read, when
    the class's `_lazy_field` builds them from that mapping and stores them.
    Listing 300 containers then costs no more than their top-level fields,
    while `repr`, `==`, `to_dict` and pickling read every field as usual.
    Two threads reading the same unbuilt field may both build it: they get
    equal objects, and the slot keeps the second.
    """

    __slots__ = ("_json",)
    _json: Mapping[str, Any]

    @classmethod
    def _lazy_new(cls, src: Mapping[str, Any]) -> Self:
        """An instance with no field set, to be filled from `src`."""
        # Here rather than in the generated from_dict: mypy's attrs plugin does
        # not see a base class's __slots__.
        obj = object.__new__(cls)
        obj._json = src
        return obj

    def _lazy_field(self, name: str, src: Mapping[str, Any]) -> Any:
        """The value of field `name` built from `src`, or NOT_LAZY if `name` is not a lazy field."""
        entry = self._LAZY.get(name)
        if entry is not None:
            key, held, empty = entry
            value = src.get(key)
            if value is None:  # absent or null: an empty list, an empty map model, or None
                return [] if empty == 1 else self._names()[held]() if empty == 2 else None
            return _build(held, value, self._names())
        if name == "additional_properties" and self._EXTRA is not None:
            keys, held = self._json_keys(), self._EXTRA
            if not held:
                return {k: v for k, v in src.items() if k not in keys}
            names = self._names()
            return {k: _build(held, v, names) for k, v in src.items() if k not in keys}
        return NOT_LAZY

    @classmethod
    def _json_keys(cls) -> frozenset[str]:
        """The JSON keys of the fields: any other key is an additional property."""
        keys: frozenset[str] | None = cls.__dict__.get("_JSON_KEYS_")
        if keys is None:
            keys = frozenset(key for _, key, _ in cls._FIELDS)
            type.__setattr__(cls, "_JSON_KEYS_", keys)
        return keys

    @classmethod
    def _names(cls) -> dict[str, Any]:
        """The names the model's module defines and imports: its shapes name models there."""
        return vars(sys.modules[cls.__module__])

    # Set by each generated model: (attribute, JSON key, sent when truthy rather than when not
    # None) of its fields in the spec's order, and whether it keeps additional properties.
    _FIELDS: ClassVar[tuple[tuple[str, str, bool], ...]] = ()
    # The fields built on first read: attribute → (JSON key, shape, empty form), and the shape
    # of additional properties (None: the model keeps none). A shape is "" (a JSON value as it
    # is), a model's or enum's name in the model's module, "@" (a timestamp), "[shape]" a list.
    _LAZY: ClassVar[Mapping[str, tuple[str, str, int]]] = {}
    _EXTRA: ClassVar[str | None] = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of this object, as the daemon expects it."""
        result: dict[str, Any] = {}
        for name, key, truthy in self._FIELDS:
            value = getattr(self, name)
            if value if truthy else value is not None:
                result[key] = json_value(value)
            else:
                self._keep_empty(key, result)
        if self._EXTRA is not None:
            extra: dict[str, Any] = getattr(self, "additional_properties")  # noqa: B009 - an attrs field of the model
            for key, value in extra.items():
                result[key] = json_value(value)
        return result

    def _keep_empty(self, key: str, result: dict[str, Any]) -> None:
        """Give back the daemon's own form of a field read as empty or absent (null, [] or {}),
        so that `from_dict(x).to_dict() == x`; a model built by hand sends nothing for it."""
        try:
            src = self._json
        except AttributeError:
            return
        if key in src:
            value = src[key]
            if value is None or (type(value) in (list, dict) and not value):
                result[key] = value

    if not TYPE_CHECKING:  # hidden from type checkers: a typo must stay a type error

        def __getattr__(self, name: str) -> Any:
            # Only reached when normal lookup failed: an unbuilt field, or a name the class lacks.
            if name != "_json":
                try:
                    src = self._json
                except AttributeError:
                    pass  # built by __init__: every field is set
                else:
                    value = self._lazy_field(name, src)
                    if value is not NOT_LAZY:
                        setattr(self, name, value)
                        return value
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}", name=name, obj=self)


class _ByValue:
    """An open enum's members are copied and pickled by value (`cls(value)`): one made for
    an unlisted value is not an attribute of its class."""

    _value_: Any

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        return type(self), (self._value_,)

    def __copy__(self) -> Self:
        return self

    def __deepcopy__(self, memo: Any) -> Self:
        return self


class OpenStrEnum(_ByValue, StrEnum):
    """Base of the generated string enums. The enum is open: a value the spec does not
    list (a newer daemon's) becomes a member named after it, and is sent back unchanged.

    Such a member is not an attribute of its class, so it is copied and pickled by
    value (`cls(value)`), not by name as `Enum` does up to Python 3.11.4 (where
    `copy.deepcopy` and `pickle` of it raise `AttributeError`).
    """

    @classmethod
    def _missing_(cls, value: Any) -> Self | None:
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = value
        member._value_ = value
        return member

    def __str__(self) -> str:
        return str(self._value_)


class OpenIntEnum(_ByValue, IntEnum):
    """Base of the generated integer enums: open as `OpenStrEnum`; an unlisted value
    `n` becomes a member named `VALUE_n` (`VALUE_MINUS_n` when negative)."""

    @classmethod
    def _missing_(cls, value: Any) -> Self | None:
        if not isinstance(value, int) or isinstance(value, bool):
            return None
        member = int.__new__(cls, value)
        member._name_ = f"VALUE_{value}".replace("-", "MINUS_")
        member._value_ = value
        return member


# `filters={"label": ["a=b"], "status": ["exited"]}`; the older map form and a
# ready JSON string pass through too.
Filters = Mapping[str, Sequence[str]] | Mapping[str, Mapping[str, bool]] | str
# Query parameters the spec declares as JSON text (buildargs, labels, …).
JSONParam = Mapping[str, Any] | Sequence[Any] | str
# A request body sent as bytes: whole, from a binary file, as chunks, or a
# local path tarred on the fly (a build context, or what put_archive copies).
RequestContent = bytes | IO[bytes] | Iterable[bytes] | os.PathLike[str]
Headers = httpx.Headers
# A point in time as a query parameter (logs `since`, events `until`): Unix
# seconds, or a datetime (a naive one is local time, as the CLI reads it). Not
# text: the daemon reads only seconds, and "2024-01-01" would be a 400 or 500.
UnixTime = int | float | _dt.datetime


def encode_json_param(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def _build(held: str, value: Any, names: Mapping[str, Any]) -> Any:
    """`value` from the daemon's JSON as a field of shape `held` (see LazyModel._LAZY)."""
    if not held:
        return value
    if held[0] == "[":
        return [_build(held[1:-1], item, names) for item in value] if isinstance(value, list) else value
    if held == "@":
        return parse_timestamp(value) if isinstance(value, str) else value
    cls = names[held]
    if isinstance(value, dict):
        return cls.from_dict(value) if issubclass(cls, LazyModel) else value
    if isinstance(value, (str, int)) and issubclass(cls, Enum):
        return cls(value)
    return value


def json_value(value: Any) -> Any:
    """A field's value as the daemon reads it: models as dicts, enums as their values, timestamps as text."""
    if isinstance(value, (str, int, float, bool)):  # before Enum: the open enums are str subclasses
        return value.value if isinstance(value, Enum) else value
    if isinstance(value, LazyModel):
        return value.to_dict()
    if isinstance(value, list):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: json_value(v) for k, v in value.items()}
    if isinstance(value, _dt.datetime):
        return format_timestamp(value)
    return value


def to_jsonable(value: Any) -> Any:
    """A request body as JSON data: generated models, mappings and sequences of them."""
    to_dict = getattr(value, "to_dict", None)
    if to_dict is not None:
        return to_dict()
    if isinstance(value, Mapping):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    return value


class Timestamp(_dt.datetime):
    """A timezone-aware datetime that keeps the daemon's text.

    Docker sends RFC 3339 with nanoseconds (`2024-05-01T10:00:00.123456789Z`),
    which `datetime` truncates to microseconds; `text` and `nanosecond` keep
    the full value, and `format_timestamp` sends the original text back.
    """

    text: str | None = None

    def __reduce_ex__(self, protocol: Any) -> str | tuple[Any, ...]:
        # datetime's own reduce would drop `text` (and with it the nanoseconds).
        if self.text:
            return (parse_timestamp, (self.text,))
        return super().__reduce_ex__(protocol)

    @property
    def nanosecond(self) -> int:
        if self.text:
            m = _RFC3339.match(self.text)
            if m and m.group(2):
                return int(m.group(2)[1:10].ljust(9, "0")) % 1000
        return 0


_RFC3339 = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|z|[+-]\d\d:\d\d)$")


def parse_timestamp(text: str) -> Timestamp:
    """Parse a Docker timestamp; the zero time `0001-01-01T00:00:00Z` included."""
    m = _RFC3339.match(text)
    if m:
        base = _dt.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S")
        micro = int(m.group(2)[1:7].ljust(6, "0")) if m.group(2) else 0
        zone = m.group(3)
        if zone in ("Z", "z"):
            tz = _dt.UTC
        else:
            sign = 1 if zone[0] == "+" else -1
            tz = _dt.timezone(sign * _dt.timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6])))
        value = Timestamp(base.year, base.month, base.day, base.hour, base.minute, base.second, micro, tzinfo=tz)
    else:
        from dateutil.parser import isoparse  # noqa: PLC0415 - rare path: non-RFC 3339 text

        try:
            parsed = isoparse(text)
        except (ValueError, OverflowError) as exc:
            # Only a daemon's answers are parsed here: its odd value is an unreadable answer.
            raise InvalidResponseError(f"not a timestamp: {text[:80]!r}") from exc
        value = Timestamp(
            parsed.year,
            parsed.month,
            parsed.day,
            parsed.hour,
            parsed.minute,
            parsed.second,
            parsed.microsecond,
            tzinfo=parsed.tzinfo,
        )
    value.text = text
    return value


def format_timestamp(value: _dt.datetime) -> str:
    """RFC 3339 text for a datetime; a parsed `Timestamp` gives back its original text."""
    text = getattr(value, "text", None)
    if isinstance(text, str) and type(value) is Timestamp:
        return text
    if value.tzinfo is not None and value.utcoffset() == _dt.timedelta(0):
        return value.replace(tzinfo=None).isoformat() + "Z"
    return value.isoformat()
