"""The response-type policy: which fields are typed as present, which as `X | None`.

Applied to the converted OpenAPI document before openapi-python-client parses it,
so that its type strings are the policy's (no `Unset` anywhere in a model):

* a list or a map is never absent: daemons send `null` (or nothing) for an
  empty Go slice or map, so `null` and a missing key read as `[]` / an empty
  map, as the Go client sees them;
* a field the servers always send is typed as present (`id: str`); which ones
  is evidence, not the spec's `required` (daemons of other versions omit
  "required" fields): `presence.yaml` lists them, recorded by the live suite
  against dockerd 20.10, 26, 28 and podman, and the live suite fails when a
  field so typed is missing from any response;
* every other field may be absent: `X | None`, one "absent" value.

Every property is marked `required` for the parser (present or nullable, never
unset); the templates give each a default (None, or an empty list or map), so
models can still be built field by field for requests.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from .convert import _pascal

PRESENCE = Path(__file__).resolve().parent / "presence.yaml"

Schema = dict[str, Any]


HEADER = """\
# Fields typed as present (`id: str`, not `str | None`) in the generated models:
# JSON keys, per model, that every server of the live suite (dockerd 20.10, 26,
# 28 and podman; each version package the suite drives) sent with a value in
# every response, at least twice. Written by
#   DOCKER_ENGINE_PRESENCE_LOG=obs.json make live
#   python -m generator presence obs.json
# (see generator/presence.py); the live suite fails when a server omits one.
"""


# Fields the live suite saw every time, that a server still omits in a state the suite
# did not reach: a task not yet placed on a node has no NodeID (seen against dockerd 28
# with an unsatisfiable placement constraint), a global service's task has no Slot, a
# worker node has no ManagerStatus (three-engine swarm test).
MAY_BE_ABSENT: dict[str, frozenset[str]] = {
    "Node": frozenset({"ManagerStatus"}),
    "Task": frozenset({"NodeID", "Slot"}),
}


def from_observations(observed: dict[str, list[int]], generated: Path) -> dict[str, list[str]]:
    """Model → JSON keys sent every time (and at least twice), from the live suite's counts
    (`Model.python_name` → [sent, absent]) and the generated models' JSON names."""
    json_names: dict[tuple[str, str], str] = {}
    for path in generated.glob("v1_*/models/*.py"):
        text = path.read_text(encoding="utf-8")
        found = re.search(r"^class (\w+)\(", text, re.M)
        if found:
            for key, name in re.findall(r'result\["(.+?)"\] = (?:self\.)?(\w+)\n', text):
                json_names[(found.group(1), name)] = key
    present: dict[str, set[str]] = {}
    for name, (sent, absent) in observed.items():
        model, _, field = name.partition(".")
        key = json_names.get((model, field))
        if key is not None and sent >= 2 and absent == 0 and key not in MAY_BE_ABSENT.get(model, ()):
            present.setdefault(model, set()).add(key)
    return {model: sorted(keys) for model, keys in sorted(present.items())}


def write_presence(present: dict[str, list[str]], path: Path = PRESENCE) -> None:
    path.write_text(HEADER + yaml.safe_dump({"present": present}, sort_keys=True, width=120), encoding="utf-8")


def load_presence(path: Path = PRESENCE) -> dict[str, frozenset[str]]:
    """Model name → JSON keys always sent by every server the live suite talks to."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {
        str(model): frozenset(str(k) for k in keys) - MAY_BE_ABSENT.get(str(model), frozenset())
        for model, keys in raw.get("present", {}).items()
    }


def _target(schema: Schema) -> str | None:
    ref = schema.get("$ref")
    if ref is None:
        for member in schema.get("oneOf") or []:
            if "$ref" in member:
                ref = member["$ref"]
    return str(ref).rsplit("/", 1)[1] if ref else None


def is_map(schema: Schema) -> bool:
    """An object of additional properties only (labels, options, networks by name)."""
    return "additionalProperties" in schema and not schema.get("properties") and "allOf" not in schema


def _strip_null(schema: Schema) -> Schema:
    kind = schema.get("type")
    if isinstance(kind, list) and "null" in kind:
        rest = [k for k in kind if k != "null"]
        schema = {**schema, "type": rest[0] if len(rest) == 1 else rest}
        if "enum" in schema:
            schema["enum"] = [v for v in schema["enum"] if v is not None]
    members = schema.get("oneOf")
    if members and any(m.get("type") == "null" for m in members):
        rest = [m for m in members if m.get("type") != "null"]
        if len(rest) == 1:
            schema = {k: v for k, v in schema.items() if k != "oneOf"} | rest[0]
        else:
            schema = {**schema, "oneOf": rest}
    members = schema.get("anyOf")
    if members and any(m.get("type") == "null" for m in members):
        schema = {**schema, "anyOf": [m for m in members if m.get("type") != "null"]}
    return schema


def _add_null(schema: Schema) -> Schema:
    schema = _strip_null(schema)
    parts = schema.get("allOf")
    if parts and len(parts) == 1 and "$ref" in parts[0]:
        schema = {**{k: v for k, v in schema.items() if k != "allOf"}, "$ref": parts[0]["$ref"]}
    if "$ref" in schema:
        rest = {k: v for k, v in schema.items() if k != "$ref"}
        return {**rest, "oneOf": [{"$ref": schema["$ref"]}, {"type": "null"}]}
    if "oneOf" in schema:
        return {**schema, "oneOf": [*schema["oneOf"], {"type": "null"}]}
    if "anyOf" in schema:
        return {**schema, "anyOf": [*schema["anyOf"], {"type": "null"}]}
    kind = schema.get("type")
    if isinstance(kind, str):
        return {**schema, "type": [kind, "null"]}
    if isinstance(kind, list):
        return {**schema, "type": [*kind, "null"]}
    return schema  # any value: null included already


def property_kind(schema: Schema, components: dict[str, Schema]) -> str:
    """ "list", "map" or "value"."""
    bare = _strip_null(schema)
    if bare.get("type") == "array":
        return "list"
    target = _target(bare)
    if target is not None and is_map(components.get(target, {})):
        return "map"
    return "value"


def apply_presence(oas: dict[str, Any], present: dict[str, frozenset[str]]) -> dict[str, Any]:
    """Rewrite every object schema's properties to the policy (in place; returns `oas`)."""
    components: dict[str, Schema] = oas["components"]["schemas"]

    def rewrite(model: str, schema: Schema) -> None:
        for part in schema.get("allOf") or []:
            if "properties" in part:
                rewrite(model, part)
        props: dict[str, Schema] | None = schema.get("properties")
        if not props:
            return
        always = present.get(model, frozenset())
        for key, prop in list(props.items()):
            kind = property_kind(prop, components)
            if kind != "value" or key in always:
                props[key] = _strip_null(prop)
                continue
            prop = _strip_null(prop)
            if "enum" in prop and isinstance(prop.get("type"), str):
                # A nullable inline enum would be named `…Type0`: make it the component
                # `<Model><Key>`, the name openapi-python-client gives it when not nullable.
                name = hoisted_name(f"{model}{_pascal(key)}", prop)
                prop = {"$ref": f"#/components/schemas/{name}"} | {k: v for k, v in prop.items() if k == "description"}
            props[key] = _add_null(prop)
        schema["required"] = list(props)

    new: dict[str, Schema] = {}

    def hoisted_name(wanted: str, enum: Schema) -> str:
        body = {k: v for k, v in enum.items() if k != "description"}
        name, n = wanted, 2
        while (name in components or name in new) and new.get(name) != body:
            name, n = f"{wanted}{n}", n + 1
        new[name] = body
        return name

    for name, schema in list(components.items()):
        rewrite(name, schema)
    components.update(new)
    oas["components"]["schemas"] = dict(sorted(components.items()))
    # A JSON answer is there; a list answer is a list (null reads as []).
    for item in oas["paths"].values():
        for op in item.values():
            for code, response in op["responses"].items():
                content = response.get("content", {}).get("application/json")
                if code.startswith("2") and content is not None:
                    content["schema"] = _strip_null(content["schema"])
    return oas
