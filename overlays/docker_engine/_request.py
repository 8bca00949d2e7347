"""What a generated method hands to the runtime: one request, described without I/O."""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Callable
from types import FrameType
from typing import Any, ParamSpec, TypeVar
from urllib.parse import quote

from ._errors import InvalidRequestError

__all__ = ["Request", "in_thread", "quote_path", "with_keywords"]

_P = ParamSpec("_P")
_T = TypeVar("_T")

# What `quote` leaves as it is, without `/`: IDs and most names need no escaping.
_plain = re.compile(r"[A-Za-z0-9_.~:@-]+").fullmatch


def quote_path(value: object, name: str = "") -> str:
    """One path parameter, escaped; a blank one (`kill("")` would send
    `POST /containers//kill`) raises `InvalidRequestError` before anything is sent;
    `name` (else found from the caller's arguments) is the parameter it names."""
    text = value if type(value) is str else str(value)
    if _plain(text) and text != "." and text != "..":
        return text
    if not text or text.isspace():
        caller = sys._getframe(1)
        name = name or _argument_name(caller, value)
        what = "a non-empty ID or name" if name in ("id", "name") else "a non-empty value"
        raise InvalidRequestError(f"blank path parameter {name}={text!r}{_operation(caller)}: give {what}")
    # `/` and `:` stay: image references (`registry:5000/app:tag`) are path
    # segments the daemon's router takes whole. `.` and `..` segments are
    # escaped so that a name can never climb to another resource.
    quoted = quote(text, safe="/:@")
    return "/".join("%2E%2E" if seg == ".." else "%2E" if seg == "." else seg for seg in quoted.split("/"))


# The error path of quote_path: what the caller (a generated request builder) calls the value and itself.


def _argument_name(caller: FrameType, value: object) -> str:
    code = caller.f_code
    for argument in code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]:
        if caller.f_locals.get(argument) is value:
            return argument
    return "id"


def _operation(caller: FrameType) -> str:
    """` in containers.kill()` for `_kill_request` in `docker_engine._shared.ops.containers_kill_<hash>`."""
    function, module = caller.f_code.co_name, str(caller.f_globals.get("__name__", ""))
    if function.startswith("_") and function.endswith("_request") and "._shared.ops." in module:
        operation = function[1:-8]
        tag = module.rpartition(".")[2].rpartition("_")[0].removesuffix("_" + operation)  # name: tag_op_hash
        return f" in {tag}.{operation}()"
    return ""


class Request:
    """Method, versionless path and parameters of one operation call.

    `kind` tells the runtime how to read the response: `json` (parsed by
    `parse`), `empty`, `text`, `head` (headers), `binary`, `json-stream`
    (items parsed by `parse`) or `multiplexed` (frames).
    """

    __slots__ = ("content", "content_type", "headers", "json", "kind", "method", "ok", "params", "parse", "path")

    def __init__(
        self,
        method: str,
        path: str,
        ok: tuple[int, ...],
        *,
        kind: str,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        json: Any = None,
        content: Any = None,
        content_type: str | None = None,
        parse: Callable[[Any], Any] | None = None,
    ) -> None:
        self.method = method
        self.path = path
        self.ok = ok
        self.kind = kind
        self.params = params
        self.headers = headers
        self.json = json
        self.content = content
        self.content_type = content_type
        self.parse = parse

    def __repr__(self) -> str:
        # Headers may carry credentials (X-Registry-Auth): never shown.
        return f"Request({self.method} {self.path}, kind={self.kind})"


async def in_thread(function: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs) -> _T:
    """`asyncio.to_thread`, with asyncio imported on first use: sync use never imports it.
    (Credential helpers are programs, a keychain may even prompt: not in the event loop.)"""
    import asyncio  # noqa: PLC0415

    return await asyncio.to_thread(function, *args, **kwargs)


def in_place(function: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs) -> _T:
    """`in_thread`'s sync twin (what `python -m generator unasync` writes for it): a call."""
    return function(*args, **kwargs)


def with_keywords(method: Callable[..., Any], options: Any) -> None:
    """`help()`, `inspect.signature()` and REPL completion show every keyword of `options` (a TypedDict)."""
    signature = inspect.signature(method)
    parameters = [p for p in signature.parameters.values() if p.kind is not inspect.Parameter.VAR_KEYWORD]
    parameters += [
        inspect.Parameter(
            name,
            inspect.Parameter.KEYWORD_ONLY,
            default=None,
            annotation=getattr(annotation, "__forward_arg__", annotation),
        )
        for name, annotation in options.__annotations__.items()
    ]
    method.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
