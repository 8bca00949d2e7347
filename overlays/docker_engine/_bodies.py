"""Requests checked before they are sent: dict bodies, parameters of other API versions, timestamps.

A JSON body given as a dict is checked against the generated table of its
version package (`v1_XX/_bodies.py`): an unknown key is an
`InvalidRequestError` with the closest known keys, a key that exists in other
API versions only is a `VersionError` naming them, a value of the wrong JSON
type is an `InvalidRequestError` with its place (`HostConfig.Memory`).
`unchecked(body)` sends a body as it is, for a field this SDK does not know.
A generated model is trusted when it comes from the client's own version
package; one from another version is converted and checked like a dict.
"""

from __future__ import annotations

import datetime as _dt
import importlib
import re
from collections.abc import Mapping
from typing import Any, NoReturn

from ._errors import InvalidRequestError
from ._types import to_jsonable
from ._version import VersionError

__all__ = ["BodyTable", "Unchecked", "json_body", "refuse_params", "unchecked", "unix_time"]


class Unchecked(dict[str, Any]):
    """A JSON body sent as it is: made by `unchecked()`."""


def unchecked(body: Mapping[str, Any]) -> Unchecked:
    """Send `body` without checking its keys and types (fields newer than this SDK, say)."""
    return Unchecked(body)


class BodyTable:
    """What is one version package's own, for the operations it shares with other versions.

    The body table (loaded on first use), the package's name and its API version.
    """

    __slots__ = ("_elsewhere", "_fields", "_owned", "package", "version")

    def __init__(self, package: str, version: str) -> None:
        self.package = package
        self.version = version
        self._fields: dict[str, dict[str, str]] | None = None
        self._elsewhere: dict[str, dict[str, str]] = {}
        self._owned: dict[type, bool] = {}

    def fields(self) -> dict[str, dict[str, str]]:
        if self._fields is None:
            module = importlib.import_module(self.package + "._bodies")
            self._elsewhere = module.ELSEWHERE
            self._fields = module.FIELDS
        return self._fields

    def owns(self, cls: type) -> bool:
        """Whether `cls` is a model of this version (a model may be shared by several)."""
        owned = self._owned.get(cls)
        if owned is None:
            models = importlib.import_module(self.package + ".models")
            owned = self._owned[cls] = getattr(models, cls.__name__, None) is cls
        return owned

    def check(self, value: Any, kind: str, where: str) -> None:
        if value is None or kind == "any":
            return
        if kind[0] == "@":
            self._check_object(value, kind[1:], where)
        elif kind[0] == "[":
            if not isinstance(value, (list, tuple)):
                _wrong(where, "a list", value)
            for i, item in enumerate(value):
                self.check(item, kind[1:-1], f"{where}[{i}]")
        elif kind[0] == "{":
            if not isinstance(value, Mapping):
                _wrong(where, "an object (a dict)", value)
            for key, item in value.items():
                self.check(item, kind[1:-1], f"{where}[{key!r}]")
        elif not _SCALARS[kind](value):
            _wrong(where, _NAMES[kind], value)

    def _check_object(self, value: Any, model: str, where: str) -> None:
        if not isinstance(value, Mapping):
            _wrong(where, f"an object ({model})", value)
        fields = self.fields()[model]
        for key, item in value.items():
            kind = fields.get(key)
            if kind is None:
                kind = fields.get("*")
                if kind is None:
                    self._unknown(model, key, where, fields)
            self.check(item, kind, f"{where}.{key}" if where else key)

    def _unknown(self, model: str, key: Any, where: str, fields: dict[str, str]) -> NoReturn:
        last = where.rpartition(".")[2].partition("[")[0]
        place = (where or model) if last in ("", model) else f"{where} ({model})"
        versions = self._elsewhere.get(model, {}).get(key)
        if versions is not None:
            raise VersionError(
                f"field {key!r} of {place} exists in API {versions}, not in v{self.version} "
                "(the API version this client speaks)"
            )
        import difflib  # noqa: PLC0415 - only on this error path

        close = difflib.get_close_matches(str(key), [k for k in fields if k != "*"], n=3)
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        raise InvalidRequestError(
            f"unknown field {key!r} in {place}{hint} (docker_engine.unchecked(body) sends a body unchecked)"
        )


def _wrong(where: str, expected: str, value: Any) -> NoReturn:
    raise InvalidRequestError(f"{where or 'the body'}: expected {expected}, got {type(value).__name__} {value!r:.60}")


_SCALARS = {
    "str": lambda v: isinstance(v, str),
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "bool": lambda v: isinstance(v, bool),
}
_NAMES = {"str": "a string", "int": "an integer", "float": "a number", "bool": "a bool (True or False)"}


def json_body(body: Any, kind: str, table: BodyTable) -> Any:
    """The JSON data of a request body, checked unless it is a model of this version or `unchecked`."""
    if isinstance(body, Unchecked):
        return to_jsonable(body)
    to_dict = getattr(body, "to_dict", None)
    if to_dict is not None and table.owns(type(body)):
        return to_dict()
    data = to_jsonable(body)
    table.check(data, kind, kind[1:] if kind[0] == "@" else "")
    return data


def refuse_params(operation: str, given: Mapping[str, Any], elsewhere: Mapping[str, str], version: str) -> None:
    """Raise for keyword arguments that are parameters of other API versions only (or of none)."""
    for name in given:
        versions = elsewhere.get(name)
        if versions is not None:
            raise VersionError(
                f"{operation}: parameter {name!r} exists in API {versions}, not in v{version} "
                "(the API version this client speaks)"
            )
    raise TypeError(f"{operation}() got an unexpected keyword argument {next(iter(given))!r}")


_SECONDS = re.compile(r"-?\d+(\.\d+)?").fullmatch  # what the daemon reads: seconds[.fraction]


def unix_time(value: Any) -> Any:
    """A point in time for the query string: Unix seconds (fractions kept), from a datetime too."""
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.astimezone()  # a naive datetime is local time, as the docker CLI reads it
        seconds = value.timestamp()
        return f"{seconds:.9f}".rstrip("0").rstrip(".")
    if isinstance(value, str) and not _SECONDS(value):
        raise InvalidRequestError(
            f"a point in time is Unix seconds (int or float) or a datetime, not the text {value[:40]!r}"
        )
    return value
