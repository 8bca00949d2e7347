"""Keeping secrets out of what the SDK shows.

- `redact_host`: a Docker host address for display (reprs, `base_url`, error
  messages, `DockerConnectionError.target`): the password of its userinfo
  becomes ``***`` (``tcp://user:***@host:2375``); the user name stays, as in
  ``ssh://user@host``.
- `redact_text`: the same, for every address inside a free text (an error
  message).
- `redact_url`: a request URL for a log record: no userinfo at all, the values
  of ``buildargs`` masked (their names kept), and any userinfo inside another
  query value (``remote=https://token@github.com/…``, ``fromSrc=``) masked.
- `install_log_filter`: puts `RedactingFilter` on the ``httpx`` logger, which
  logs ``HTTP Request: METHOD URL "HTTP/1.1 200 OK"`` at INFO for every request
  sent through an ``httpx.Client`` — with the whole query string. The SDK's own
  requests (`own_request`) leave no such line: they have their DEBUG record on
  ``docker_engine.http``, and a dependency says nothing at INFO.

Nothing here imports httpx: the filter recognises URLs by their text.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = [
    "MASK",
    "RedactingFilter",
    "has_password",
    "has_userinfo",
    "install_log_filter",
    "own_request",
    "redact_host",
    "redact_text",
    "redact_url",
]

MASK = "***"
# Query parameters whose values are secrets as a whole (their JSON keys are kept).
SECRET_PARAMS = frozenset({"buildargs"})
# The loggers the filter is installed on.
FILTERED_LOGGERS = ("httpx",)

_ADDRESS = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s'\"<>]+")


def _split_userinfo(address: str) -> tuple[str, str | None, str]:
    """(``scheme://``, userinfo or None, the rest). The userinfo ends at the last ``@``
    (a careless password may hold ``@`` or ``/``); for ``unix://`` only the
    authority (before the path) can hold one."""
    scheme, sep, rest = address.partition("://")
    if not sep:
        return "", None, address
    if scheme.lower() == "unix":
        authority, slash, path = rest.partition("/")
        userinfo, at, host = authority.rpartition("@")
        return (scheme + sep, userinfo, host + slash + path) if at else (scheme + sep, None, rest)
    userinfo, at, host = rest.rpartition("@")
    return (scheme + sep, userinfo, host) if at else (scheme + sep, None, rest)


def has_password(address: str) -> bool:
    """Whether the userinfo of ``address`` has a password part (``user:pw@``, even an empty one)."""
    _, userinfo, _ = _split_userinfo(address)
    return userinfo is not None and ":" in userinfo


def has_userinfo(address: str) -> bool:
    """Whether ``address`` has a userinfo part (``user@``, ``user:pw@``)."""
    return _split_userinfo(address)[1] is not None


def redact_host(address: str) -> str:
    """``address`` with the password of its userinfo replaced by ``***``
    (``ssh://me:pw@box`` -> ``ssh://me:***@box``); unchanged without one."""
    prefix, userinfo, rest = _split_userinfo(address)
    if userinfo is None or ":" not in userinfo:
        return address
    user = userinfo.partition(":")[0]
    return f"{prefix}{user}:{MASK}@{rest}"


def redact_text(text: str) -> str:
    """Every ``scheme://…`` address in ``text`` through `redact_host`."""
    if "://" not in text:
        return text
    return _ADDRESS.sub(lambda match: redact_host(match.group(0)), text)


def _mask_userinfo(text: str) -> str:
    """Every address in ``text`` with its whole userinfo masked: in a URL given to
    the daemon (a git remote), a lone user name is often a token."""

    def mask(match: re.Match[str]) -> str:
        prefix, userinfo, rest = _split_userinfo(match.group(0))
        return match.group(0) if userinfo is None else f"{prefix}{MASK}@{rest}"

    return _ADDRESS.sub(mask, text) if "://" in text else text


def _mask_buildargs(value: str) -> str:
    try:
        data = json.loads(value)
    except ValueError:
        return MASK
    if isinstance(data, dict):
        return json.dumps(dict.fromkeys(data, MASK), separators=(",", ":"))
    return MASK


def redact_url(url: str) -> str:
    """A request URL fit for a log: no userinfo, ``buildargs`` values masked, userinfo
    inside query values masked. A URL that cannot be parsed is withheld whole."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc.rpartition("@")[2]
        pairs = parse_qsl(parts.query, keep_blank_values=True)
    except ValueError:
        return "<URL withheld>"
    masked = [(key, _mask_buildargs(value) if key in SECRET_PARAMS else _mask_userinfo(value)) for key, value in pairs]
    # Masks and JSON punctuation stay readable: `buildargs={"TOKEN":"***"}`.
    query = urlencode(masked, safe='*{}":,/@')
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


# Set while the SDK sends a request through httpx (per thread and per asyncio task).
own_request: contextvars.ContextVar[bool] = contextvars.ContextVar("docker_engine_own_request", default=False)


class RedactingFilter(logging.Filter):
    """Rewrites the arguments of a record: every argument whose text holds a URL
    (httpx passes an ``httpx.URL``) is replaced by `redact_url` of it. Drops only
    httpx's INFO line for a request the SDK sent (see `own_request`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.INFO and own_request.get():
            return False
        args = record.args
        if isinstance(args, tuple) and args:
            record.args = tuple(_redacted_arg(arg) for arg in args)
        elif isinstance(args, dict) and args:
            record.args = {key: _redacted_arg(value) for key, value in args.items()}
        return True


_WHOLE_URL = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.\-]*://|/)\S*").fullmatch


def _redacted_arg(arg: object) -> object:
    """A URL (absolute, or a path with a query) through `redact_url`; any other text
    holding an address with its userinfo masked; anything else as it is."""
    if arg is None or isinstance(arg, (bool, int, float)):
        return arg
    text = str(arg)
    if "://" not in text and "?" not in text:
        return arg
    return redact_url(text) if _WHOLE_URL(text) else _mask_userinfo(text)


_FILTER = RedactingFilter()


def install_log_filter() -> None:
    """Put `RedactingFilter` on the ``httpx`` logger (once: installing again is a no-op)."""
    for name in FILTERED_LOGGERS:
        logging.getLogger(name).addFilter(_FILTER)
