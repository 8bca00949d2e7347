"""In which Engine API versions each operation, parameter, model and field exists.

Computed by the generator from all the specs (v1.25 … v1.56) and shipped as
`_api_history.json`::

    from docker_engine import versions
    versions.added_in("GET /containers/json")                 # "1.25" (= 1.25 or earlier)
    versions.added_in("ContainerInspectResponse.ImageManifestDescriptor")   # "1.48"
    versions.removed_after("HostConfig.KernelMemory")          # "1.41"
    versions.exists_in("param:ContainerStop:query:signal", "1.41")          # False

A key is one of `op:<OperationId>`, `route:<METHOD> <path>`,
`param:<OperationId>:<query|path|header|body>:<name>`, `model:<Definition>`,
`field:<Model>.<dotted.path>`; the short forms `METHOD /path`, `OperationId`
and `Model.Field` are accepted too.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["added_in", "api_versions", "exists_in", "keys", "removed_after", "versions_of"]


@cache
def _data() -> tuple[tuple[str, ...], dict[str, str]]:
    import docker_engine  # noqa: PLC0415 - the package's directories, once it is imported

    # In a development checkout the package spans overlays/ and generated/.
    for directory in docker_engine.__path__:
        path = Path(directory) / "_api_history.json"
        if path.is_file():
            raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            break
    else:
        raise FileNotFoundError("_api_history.json is missing from docker_engine: regenerate with `make generate`")
    return tuple(raw["versions"]), dict(raw["keys"])


def _key(text: str) -> str:
    _, table = _data()
    if text in table:
        return text
    for candidate in (f"route:{text}", f"op:{text}", f"model:{text}", f"field:{text}"):
        if candidate in table:
            return candidate
    raise KeyError(f"{text!r} exists in no API version (keys look like 'op:ContainerList' or 'HostConfig.Init')")


def api_versions() -> tuple[str, ...]:
    """Every API version this SDK has a package for, oldest first ("1.25", …)."""
    return _data()[0]


def versions_of(key: str) -> list[str]:
    all_versions, table = _data()
    found: list[str] = []
    for span in table[_key(key)].split(","):
        first, _, last = span.partition("-")
        start, end = all_versions.index(first), all_versions.index(last or first)
        found.extend(all_versions[start : end + 1])
    return found


def added_in(key: str) -> str:
    """The first API version with `key` ("1.25" means 1.25 or earlier)."""
    return versions_of(key)[0]


def removed_after(key: str) -> str | None:
    """The last API version with `key`, or None when the newest still has it."""
    all_versions, _ = _data()
    last = versions_of(key)[-1]
    return None if last == all_versions[-1] else last


def exists_in(key: str, version: str) -> bool:
    return version.removeprefix("v") in versions_of(key)


def keys(prefix: str = "") -> list[str]:
    _, table = _data()
    return sorted(k for k in table if k.startswith(prefix))
