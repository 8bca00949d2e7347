"""The declarative, version-ranged patch layer (`patches.yaml`)."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PATCHES = Path(__file__).with_name("patches.yaml")
_BOUND = re.compile(r"^(>=|<=|<|>|==)(\d+)\.(\d+)$")


class PatchError(Exception):
    """A patch is malformed or does not apply."""


def parse_version(text: str) -> tuple[int, int]:
    major, minor = text.split(".")
    return int(major), int(minor)


@dataclass(frozen=True)
class Patch:
    why: str
    versions: str
    operation: str | None
    definition: str | None
    at: tuple[str, ...]
    set: dict[str, Any] = field(default_factory=dict)
    delete: tuple[str, ...] = ()
    append: dict[str, list[Any]] = field(default_factory=dict)

    def applies_to(self, version: str) -> bool:
        v = parse_version(version)
        for bound in self.versions.split():
            m = _BOUND.match(bound)
            if not m:
                raise PatchError(f"bad version bound {bound!r} in patch {self.why!r}")
            op, target = m.group(1), (int(m.group(2)), int(m.group(3)))
            ok = {
                ">=": v >= target,
                "<=": v <= target,
                "<": v < target,
                ">": v > target,
                "==": v == target,
            }[op]
            if not ok:
                return False
        return True

    def where(self) -> str:
        base = f"operation {self.operation}" if self.operation else f"definition {self.definition}"
        return base + ("/" + "/".join(self.at) if self.at else "")


def load_patches(path: Path = PATCHES) -> list[Patch]:
    raw = yaml.safe_load(path.read_text()) or []
    patches = []
    for i, entry in enumerate(raw):
        where = f"{path.name} entry #{i + 1}"
        if not isinstance(entry, dict) or "why" not in entry:
            raise PatchError(f"{where}: every patch needs a `why`")
        if ("operation" in entry) == ("definition" in entry):
            raise PatchError(f"{where}: give exactly one of `operation` or `definition`")
        unknown = set(entry) - {"why", "versions", "operation", "definition", "at", "set", "delete", "append"}
        if unknown:
            raise PatchError(f"{where}: unknown keys {sorted(unknown)}")
        if not entry.get("set") and not entry.get("delete") and not entry.get("append"):
            raise PatchError(f"{where}: a patch must `set`, `delete` or `append` something")
        patches.append(
            Patch(
                why=entry["why"],
                versions=entry.get("versions", ""),
                operation=entry.get("operation"),
                definition=entry.get("definition"),
                at=tuple(p for p in str(entry.get("at", "")).split("/") if p),
                set=entry.get("set") or {},
                delete=tuple(entry.get("delete") or ()),
                append=entry.get("append") or {},
            )
        )
    return patches


def _find_operation(swagger: dict[str, Any], op_id: str) -> dict[str, Any] | None:
    for item in swagger["paths"].values():
        for op in item.values():
            if isinstance(op, dict) and op.get("operationId") == op_id:
                return op
    return None


def apply_patches(swagger: dict[str, Any], version: str, patches: list[Patch]) -> dict[str, Any]:
    """Return a patched copy of `swagger`; raise PatchError naming a patch that does not apply."""
    doc = copy.deepcopy(swagger)
    for patch in patches:
        if not patch.applies_to(version):
            continue
        node: Any = (
            _find_operation(doc, patch.operation)
            if patch.operation
            else doc.get("definitions", {}).get(patch.definition or "")
        )
        for key in patch.at:
            if isinstance(node, list) and key.startswith("name="):
                # A parameter, chosen by its name: `parameters/name=changes`.
                node = next((p for p in node if isinstance(p, dict) and p.get("name") == key[5:]), None)
                continue
            if not isinstance(node, dict):
                node = None
                break
            # Response codes are integer keys in the YAML.
            node = node.get(key, node.get(int(key)) if key.isdigit() else None)
        if not isinstance(node, dict):
            raise PatchError(f"v{version}: patch {patch.why!r}: {patch.where()} does not exist")
        for key in patch.delete:
            if key not in node:
                raise PatchError(f"v{version}: patch {patch.why!r}: {patch.where()} has no key {key!r}")
            del node[key]
        node.update(copy.deepcopy(patch.set))
        for key, items in patch.append.items():
            node[key] = [*node.get(key, []), *copy.deepcopy(items)]
    return doc
