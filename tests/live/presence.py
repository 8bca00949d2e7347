"""Which model fields the servers really send: recorded from every parsed
response of the live suite (`DOCKER_ENGINE_PRESENCE_LOG=path`), the evidence
behind generator/presence.yaml, and the check that a field typed as present
was present in every response."""

from __future__ import annotations

import json
import os
from collections import defaultdict
from typing import Any

import attrs

# (model class, field) -> [times sent with a value, times absent or null]
SEEN: defaultdict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])


def record(value: Any, missing: list[str], where: str = "") -> None:
    """Count presence in `value` (a parsed response); append to `missing` each
    field typed as present that the server did not send."""
    if isinstance(value, list):
        for item in value:
            record(item, missing, where)
        return
    if isinstance(value, dict):
        for item in value.values():
            record(item, missing, where)
        return
    cls = type(value)
    if not attrs.has(cls):
        return
    present_typed = _present_typed(cls)
    for field in attrs.fields(cls):
        if field.name == "additional_properties":
            record(getattr(value, field.name), missing, where)
            continue
        item = getattr(value, field.name)
        sent = item is not None and repr(item) != "UNSET"
        SEEN[(cls.__name__, field.name)][0 if sent else 1] += 1
        if not sent and field.name in present_typed:
            missing.append(f"{where}: {cls.__name__}.{field.name} is typed as present but was not sent")
        record(item, missing, where)


def _present_typed(cls: type) -> set[str]:
    """The fields of a generated model typed as present: not `X | None`, not a list or map (those read empty)."""
    return {
        f.name
        for f in attrs.fields(cls)
        if not isinstance(f.default, attrs.Factory)  # type: ignore[arg-type]
        and isinstance(f.type, str)
        and "None" not in f.type.split(" | ")
        and f.type != "Any"
    }


def dump() -> None:
    path = os.environ.get("DOCKER_ENGINE_PRESENCE_LOG")
    if not path or not SEEN:
        return
    old: dict[str, list[int]] = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            old = json.load(f)
    for (cls, name), (yes, no) in SEEN.items():
        counts = old.setdefault(f"{cls}.{name}", [0, 0])
        counts[0] += yes
        counts[1] += no
    with open(path, "w", encoding="utf-8") as f:
        json.dump(dict(sorted(old.items())), f, indent=0)
