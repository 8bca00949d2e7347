"""A semantic diff between two Docker Engine API versions (issue #6).

`diff_versions("1.41", "1.47")` compares two versions of the manifest; `diff_specs(a, b)` compares two
Swagger documents. The result is a list of `Change`s, each classified `breaking`, `non-breaking`,
`deprecation` or `description` for a client moving from the first version to the second (swap the
arguments and every change is reversed). `render_markdown` and `render_json` print a list of `Step`s;
`write_changelog` writes `docs/api-changes/`. The rules and the JSON schema are documented in
`docs/api-changes.md`; `RULES` below is the same table in code.

**What is compared: the patched Swagger 2.0 document**, i.e. `apply_patches(load_swagger(path))`, and
not the converted OpenAPI 3.1 document (`normalised_spec`). Our patches fix defects of the upstream
specs (stream media types, the `Volumes` map, …), so they are applied: a user sees what the API really
does. The converter, on the other hand, deliberately rewrites the schemas for code generation: it drops
`required`, makes every array/map/object nullable, and hoists inline objects into named components. On
the converted document a diff would lose the spec's real `required`/nullability changes and report
renames of hoisted classes that are only converter noise. The one converter rule mirrored here is its
reading of the spec: a schema with only `x-go-type: {type: X}`, where X is a definition, refers to X.

Comparison is structural and order-free: mapping key order, list order of enums/`required`/media types
and parameters, YAML formatting and whitespace inside descriptions never show up. `$ref`s are resolved
when comparing, so a `$ref` and an inlined identical schema are equal. A `$ref` whose target is the
same name on both sides is not descended: that definition is compared once, as a model of its own.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .manifest import ROOT, SpecVersion, fetch, load_manifest, mirror_dir, select
from .parse import load_swagger
from .patch import Patch, apply_patches, load_patches, parse_version

Schema = dict[str, Any]

FORMAT = "docker-engine-api-diff"
SCHEMA_VERSION = 2

BREAKING = "breaking"
NON_BREAKING = "non-breaking"
DEPRECATION = "deprecation"
DESCRIPTION = "description"
CLASSES = (BREAKING, NON_BREAKING, DEPRECATION, DESCRIPTION)
# `--fail-on X` fails when a change of class X or of a more severe class is found.
SEVERITY = {BREAKING: 3, DEPRECATION: 2, NON_BREAKING: 1, DESCRIPTION: 0}

REQUEST = "request"
RESPONSE = "response"
BOTH = "both"

SHARED_MODELS = "Shared models"
UNREFERENCED_MODELS = "Unreferenced models"

CHANGELOG_DIR = ROOT / "docs" / "api-changes"

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch")
# Keys of a schema that are documentation or Go implementation details, never compared.
# (`description` is compared, as a description-only change.)
IGNORED_KEYS = ("example", "examples", "title", "readOnly", "x-go-name", "x-go-package", "x-omitempty", "x-go-type")
CONSTRAINTS = (
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
)
# Format changes inside one family are compatible (all are Python ints/floats on the wire as JSON numbers).
_FORMAT_FAMILIES = (
    {"int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64"},
    {"float", "double"},
)

# kind → (class on the request side, class on the response side, why). "Request side" is a parameter, a
# request body, or a model only sent; "response side" a response or a model only received; a model used in
# both ways (or in none) takes the more severe class. A label that is not a plain class is a condition,
# implemented where the change is found. This is the table of docs/api-changes.md (`rules_markdown`).
_IF_REQUIRED = "breaking if required, else non-breaking"
_IF_NOW_REQUIRED = "breaking if it became required, else non-breaking"
_IF_2XX = "breaking for a 2xx status, else non-breaking"
RULES: dict[str, tuple[str, str, str]] = {
    "operation-added": (NON_BREAKING, NON_BREAKING, "a new operation"),
    "operation-removed": (BREAKING, BREAKING, "calls to it fail"),
    "operation-id-changed": (
        BREAKING,
        BREAKING,
        "same method and path, another operationId: generated clients name their methods after it",
    ),
    "operation-tag-changed": (NON_BREAKING, NON_BREAKING, "tags only group operations"),
    "parameter-added": (_IF_REQUIRED, _IF_REQUIRED, "a new required parameter must be sent"),
    "parameter-removed": (BREAKING, BREAKING, "the daemon ignores or rejects it"),
    "parameter-location-changed": (BREAKING, BREAKING, "sent in the old place (query, path, header), it is not seen"),
    "parameter-required-changed": (_IF_NOW_REQUIRED, _IF_NOW_REQUIRED, "a client omitting it is refused"),
    "collection-format-changed": (BREAKING, BREAKING, "the wire encoding of an array parameter changed"),
    "request-body-added": (_IF_REQUIRED, _IF_REQUIRED, "a new required body must be sent"),
    "request-body-removed": (BREAKING, BREAKING, "a body the client sends is not read"),
    "request-body-required-changed": (_IF_NOW_REQUIRED, _IF_NOW_REQUIRED, "a client omitting it is refused"),
    "request-content-type-added": (NON_BREAKING, NON_BREAKING, "the daemon accepts one more media type"),
    "request-content-type-removed": (BREAKING, BREAKING, "a media type the client sends is refused"),
    "response-added": (NON_BREAKING, NON_BREAKING, "a new status code"),
    "response-removed": (_IF_2XX, _IF_2XX, "a success the client expects is gone; error codes are informative"),
    "response-body-added": (NON_BREAKING, NON_BREAKING, "a response now has a body schema"),
    "response-body-removed": (_IF_2XX, _IF_2XX, "the body the client reads is gone (error bodies are not parsed)"),
    "response-content-type-added": (NON_BREAKING, NON_BREAKING, "one more media type may be produced"),
    "response-content-type-removed": (BREAKING, BREAKING, "a media type the client accepts is not produced"),
    "response-header-added": (NON_BREAKING, NON_BREAKING, "a new response header"),
    "response-header-removed": (BREAKING, BREAKING, "a header the client reads is gone"),
    "model-added": (NON_BREAKING, NON_BREAKING, "a new definition"),
    "model-removed": (BREAKING, BREAKING, "its generated class is gone (where it was used is reported there)"),
    "property-added": (_IF_REQUIRED, NON_BREAKING, "a client must send a new required field"),
    "property-removed": (BREAKING, BREAKING, "a field the client sends is ignored, or one it reads is gone"),
    "required-added": (BREAKING, NON_BREAKING, "the client must now send the field; it is always received"),
    "required-removed": (NON_BREAKING, BREAKING, "the client may now not receive the field"),
    "type-changed": (
        "breaking unless widened (integer → number, T → any)",
        "breaking unless narrowed (number → integer, any → T)",
        "the value has another JSON type",
    ),
    "format-changed": (
        "non-breaking inside a family or when added/dropped, else breaking",
        "non-breaking inside a family or when added/dropped, else breaking",
        "families: int/int8…int64/uint…uint64; float/double",
    ),
    "nullable-added": (NON_BREAKING, BREAKING, "the client may now receive null"),
    "nullable-removed": (BREAKING, NON_BREAKING, "the client may no longer send null"),
    "enum-added": (BREAKING, NON_BREAKING, "a free value is now restricted to a list"),
    "enum-removed": (NON_BREAKING, NON_BREAKING, "the restriction to a list is gone"),
    "enum-values-added": (
        NON_BREAKING,
        NON_BREAKING,
        "the generated enums are open (an unknown value is kept, not an error)",
    ),
    "enum-values-removed": (BREAKING, NON_BREAKING, "a value the client sends is refused"),
    "default-changed": (
        "breaking if changed, non-breaking if added or dropped",
        NON_BREAKING,
        "a client omitting the value gets another behaviour",
    ),
    "constraint-changed": (
        "breaking if tightened, else non-breaking",
        NON_BREAKING,
        "tightened: a minimum raised, a maximum lowered, a pattern added or changed, uniqueItems set",
    ),
    "additional-properties-changed": (
        "breaking if map values are no longer allowed, else non-breaking",
        "breaking if map values are no longer allowed, else non-breaking",
        "`additionalProperties` changed between absent, true, false and a schema",
    ),
    "ref-renamed": (NON_BREAKING, NON_BREAKING, "refers to an identical schema under another name (a class rename)"),
    "ref-changed": (NON_BREAKING, NON_BREAKING, "refers to another schema; each difference follows as its own change"),
    "deprecated": (DEPRECATION, DEPRECATION, "flagged `deprecated: true`, or described as deprecated"),
    "undeprecated": (DEPRECATION, DEPRECATION, "no longer deprecated"),
    "description-changed": (DESCRIPTION, DESCRIPTION, "documentation only; hidden unless `--descriptions`"),
}

# "Deprecated:" / "> **Deprecated**:" opening a line, or "This field/parameter/endpoint is (was) deprecated".
# Not "MAINTAINER (deprecated)" or "the `is-automated` filter is deprecated", which speak of something else.
_DEPRECATED = re.compile(
    r"(?:^|\n)[ \t]*(?:>[ \t]*)?\**deprecated\**[ \t]*[:.,]"
    r"|\b(?:this|the)\s+(?:field|parameter|endpoint|option|property|setting|flag|value)\s+"
    r"(?:is|was|has\s+been)\s+(?:now\s+)?deprecated\b",
    re.IGNORECASE,
)


class DiffError(Exception):
    """The versions or arguments of a diff are invalid."""


# -- changes -------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One semantic change. `to_json` is the documented wire form (schema version `SCHEMA_VERSION`)."""

    cls: str
    kind: str
    tag: str
    message: str
    operation: str | None = None
    method: str | None = None
    path: str | None = None
    model: str | None = None
    location: str = ""
    pointer: str = ""
    old: Any = None
    new: Any = None
    # What an added or removed operation or model holds (`operation_contents`, `model_contents`).
    contents: Any = None

    def to_json(self) -> dict[str, Any]:
        return {
            "class": self.cls,
            "kind": self.kind,
            "tag": self.tag,
            "operation": self.operation,
            "method": self.method,
            "path": self.path,
            "model": self.model,
            "location": self.location,
            "pointer": self.pointer,
            "old": _jsonable(self.old),
            "new": _jsonable(self.new),
            "message": self.message,
            "contents": _jsonable(self.contents),
        }

    @property
    def subject(self) -> str:
        """`METHOD /path` for an operation's change, the model name for a model's."""
        if self.operation is not None:
            return f"{self.method} {self.path}"
        return self.model or ""

    def sort_key(self) -> tuple[Any, ...]:
        group = 0 if self.operation is not None else 1
        subject = (self.path or "", _METHOD_ORDER.get(self.method or "", 9)) if group == 0 else (self.model or "", 0)
        return (_tag_order(self.tag), self.tag, group, subject, _location_key(self.location), self.pointer, self.kind)


@dataclass
class Step:
    """The changes from one version to another."""

    old: str
    new: str
    changes: list[Change] = field(default_factory=list)

    def shown(self, descriptions: bool) -> list[Change]:
        return [c for c in self.changes if descriptions or c.cls != DESCRIPTION]

    def counts(self) -> dict[str, int]:
        return {cls: sum(1 for c in self.changes if c.cls == cls) for cls in CLASSES}


_METHOD_ORDER = {"GET": 0, "HEAD": 1, "POST": 2, "PUT": 3, "PATCH": 4, "DELETE": 5, "OPTIONS": 6}


def _tag_order(tag: str) -> int:
    return {SHARED_MODELS: 1, UNREFERENCED_MODELS: 2}.get(tag, 0)


def _location_key(location: str) -> tuple[Any, ...]:
    if not location:
        return (0,)
    head, _, rest = location.partition(":")
    order = {"parameter": 1, "request-body": 2, "response": 3}.get(head, 4)
    return (order, rest)


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, sort_keys=True, default=str))


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


# -- the spec model --------------------------------------------------------------


def ref_target(s: Schema, definitions: dict[str, Schema]) -> str | None:
    """The definition a schema refers to: its `$ref`, or (as the converter reads it) a bare `x-go-type`."""
    ref = s.get("$ref")
    if isinstance(ref, str):
        return ref.rsplit("/", 1)[-1]
    go_type = s.get("x-go-type")
    if "type" not in s and isinstance(go_type, dict) and go_type.get("type") in definitions:
        return str(go_type["type"])
    return None


def type_of(s: Schema) -> str | None:
    """The JSON type of a (non-$ref) schema; `None` means any value."""
    kind = s.get("type")
    if isinstance(kind, list):
        return "|".join(sorted(str(k) for k in kind))
    if kind is not None:
        return str(kind)
    if "properties" in s or "additionalProperties" in s or "allOf" in s:
        return "object"
    if "items" in s:
        return "array"
    return None


def _format(s: Schema) -> str | None:
    fmt = s.get("format")
    if fmt is None:
        return None
    return "date-time" if fmt == "dateTime" else str(fmt)


def type_sig(s: Schema, definitions: dict[str, Schema], depth: int = 0) -> str:
    """A short type signature: `string(date-time)`, `array[Mount]`, `map[string]`, `object`; `?` = x-nullable."""
    suffix = "?" if s.get("x-nullable") else ""
    name = ref_target(s, definitions)
    if name is not None:
        return name + suffix
    if depth > 8:
        return "…"
    if "allOf" in s:
        parts = [type_sig(p, definitions, depth + 1) for p in s["allOf"] if isinstance(p, dict)]
        return " & ".join(parts) + suffix
    kind = type_of(s)
    if kind == "array":
        items = s.get("items")
        inner = type_sig(items, definitions, depth + 1) if isinstance(items, dict) and items else "any"
        return f"array[{inner}]{suffix}"
    if kind == "object":
        extra = s.get("additionalProperties")
        if isinstance(extra, dict) and not s.get("properties"):
            inner = type_sig(extra, definitions, depth + 1) if extra else "any"
            return f"map[{inner}]{suffix}"
        return "object" + suffix
    if kind is None:
        return "any" + suffix
    fmt = _format(s)
    return kind + (f"({fmt})" if fmt else "") + suffix


def is_deprecated(node: dict[str, Any]) -> bool:
    """A `deprecated: true` flag, or a description that says the element is deprecated."""
    if node.get("deprecated") is True or node.get("x-deprecated") is True:
        return True
    text = node.get("description")
    return isinstance(text, str) and bool(_DEPRECATED.search(text))


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _ref_names(s: Any, definitions: dict[str, Schema], out: set[str]) -> None:
    """Every definition referred to inside a schema (not following the refs)."""
    if not isinstance(s, dict):
        return
    name = ref_target(s, definitions)
    if name is not None:
        out.add(name)
        return
    for value in (s.get("properties") or {}).values():
        _ref_names(value, definitions, out)
    for key in ("items", "additionalProperties"):
        _ref_names(s.get(key), definitions, out)
    for part in s.get("allOf") or []:
        _ref_names(part, definitions, out)


@dataclass
class Operation:
    method: str
    path: str
    id: str
    tag: str
    raw: dict[str, Any]
    parameters: dict[tuple[str, str], dict[str, Any]]  # (in, name) → parameter; not the body
    body: dict[str, Any] | None
    consumes: list[str]
    produces: list[str]
    responses: dict[str, dict[str, Any]]

    @property
    def route(self) -> str:
        return f"{self.method} {self.path}"


def _enum_values(s: Schema) -> list[Any] | None:
    """A schema's enum values, or its array items' (a list parameter of fixed values)."""
    values = _enum(s)
    if values is None and isinstance(s.get("items"), dict):
        values = _enum(s["items"])
    return values


def _field(name: str, s: Schema, required: bool, definitions: dict[str, Schema]) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": name, "type": type_sig(s, definitions), "required": required}
    values = _enum_values(s)
    if values is not None:
        entry["enum"] = values
    return entry


def model_contents(s: Schema, definitions: dict[str, Schema]) -> dict[str, Any]:
    """What a model holds: its type, its fields (name, type signature, required, enum values) and the
    models it includes (`allOf` references)."""
    fields: list[dict[str, Any]] = []
    includes: list[str] = []
    parts = [s, *[p for p in s.get("allOf") or [] if isinstance(p, dict)]]
    for part in parts:
        target = ref_target(part, definitions) if part is not s else None
        if target is not None:
            includes.append(target)
            continue
        required = set(part.get("required") or [])
        for name, prop in sorted((part.get("properties") or {}).items()):
            if isinstance(prop, dict):
                fields.append(_field(str(name), prop, name in required, definitions))
    out: dict[str, Any] = {"type": "object" if fields or includes else type_sig(s, definitions)}
    if includes:
        out["includes"] = includes
    out["fields"] = fields
    values = _enum_values(s)
    if values is not None:
        out["enum"] = values
    return out


def _inline_fields(s: Schema, definitions: dict[str, Schema]) -> dict[str, Any]:
    """`{"fields": [...]}` for a body given inline (an object with properties, or one in an `allOf`
    beside a model), else nothing: a named model is listed where it is added."""
    if ref_target(s, definitions) is not None:
        return {}
    fields = model_contents(s, definitions)["fields"]
    return {"fields": fields} if fields else {}


def operation_contents(op: Operation, definitions: dict[str, Schema]) -> dict[str, Any]:
    """What an operation takes and gives: its parameters (name, in, type signature, required),
    request body and responses (status → type signature of the body, null for none)."""
    parameters = []
    order = {"path": 0, "query": 1, "header": 2}
    for (where, _), p in sorted(op.parameters.items(), key=lambda item: (order.get(item[0][0], 3), item[0][1])):
        nested = p.get("schema")
        schema: Schema = nested if isinstance(nested, dict) else p
        entry = _field(str(p.get("name", "")), schema, bool(p.get("required")), definitions)
        parameters.append({"name": entry.pop("name"), "in": where, **entry})
    body = None
    if op.body is not None:
        given = op.body.get("schema")
        body_schema: Schema = given if isinstance(given, dict) else {}
        body = {"type": type_sig(body_schema, definitions), "required": bool(op.body.get("required"))}
        body.update(_inline_fields(body_schema, definitions))
    responses: dict[str, Any] = {}
    response_fields: dict[str, Any] = {}
    for code, response in sorted(op.responses.items()):
        answer = response.get("schema")
        responses[code] = type_sig(answer, definitions) if isinstance(answer, dict) else None
        inline = _inline_fields(answer, definitions) if isinstance(answer, dict) and code.startswith("2") else {}
        if inline:
            response_fields[code] = inline["fields"]
    item = op.raw.get("x-docker-stream-item")
    out: dict[str, Any] = {"parameters": parameters, "request_body": body, "responses": responses}
    if response_fields:
        out["response_fields"] = response_fields
    if isinstance(item, str):
        out["stream_item"] = item
    return out


def contents_lines(contents: dict[str, Any]) -> list[str]:
    """The Markdown lines (sub-bullets) of `operation_contents` or `model_contents`."""

    def described(entry: dict[str, Any], extra: str = "") -> str:
        facts = [f"`{entry['type']}`", *([extra] if extra else []), "required" if entry["required"] else "optional"]
        if "enum" in entry:
            facts.append("one of " + ", ".join(f"`{v}`" for v in entry["enum"]))
        return f"`{entry['name']}` (" + ", ".join(facts) + ")"

    lines: list[str] = []
    if "parameters" in contents:
        params = contents["parameters"]
        lines.append("parameters: " + (", ".join(described(p, p["in"]) for p in params) if params else "none"))
        body = contents["request_body"]
        if body is not None:
            inline = " with " + ", ".join(described(f) for f in body["fields"]) if "fields" in body else ""
            lines.append(f"request body: `{body['type']}`{inline} ({'required' if body['required'] else 'optional'})")
        answers = [f"{code} `{kind}`" if kind else f"{code} (no body)" for code, kind in contents["responses"].items()]
        lines.append("responses: " + ", ".join(answers))
        for code, fields in contents.get("response_fields", {}).items():
            lines.append(f"response {code} fields: " + ", ".join(described(f) for f in fields))
        if "stream_item" in contents:
            lines.append(f"streamed messages: `{contents['stream_item']}`")
        return lines
    if contents.get("includes"):
        lines.append("includes: " + ", ".join(f"`{name}`" for name in contents["includes"]))
    if contents["fields"]:
        lines.append("fields: " + ", ".join(described(f) for f in contents["fields"]))
    elif not contents.get("includes"):
        enum = contents.get("enum")
        lines.append(f"type: `{contents['type']}`" + (" — " + ", ".join(f"`{v}`" for v in enum) if enum else ""))
    return lines


def _param_key(p: dict[str, Any]) -> tuple[str, str]:
    where, name = str(p.get("in", "")), str(p.get("name", ""))
    return where, name.lower() if where == "header" else name


class Spec:
    """One (patched) Swagger document, indexed for comparison."""

    def __init__(self, swagger: dict[str, Any], version: str = "") -> None:
        self.version = version
        self.swagger = swagger
        self.definitions: dict[str, Schema] = {
            str(k): v for k, v in (swagger.get("definitions") or {}).items() if isinstance(v, dict)
        }
        produces = list(swagger.get("produces") or [])
        consumes = list(swagger.get("consumes") or [])
        self.operations: dict[str, Operation] = {}
        for path, item in (swagger.get("paths") or {}).items():
            if not isinstance(item, dict):
                continue
            shared = [p for p in item.get("parameters") or [] if isinstance(p, dict)]
            for method, raw in item.items():
                if str(method).lower() not in _METHODS or not isinstance(raw, dict):
                    continue
                params: dict[tuple[str, str], dict[str, Any]] = {}
                body = None
                for p in [*shared, *(raw.get("parameters") or [])]:
                    if not isinstance(p, dict):
                        continue
                    if p.get("in") == "body":
                        body = p
                    else:
                        params[_param_key(p)] = p
                tags = raw.get("tags") or []
                op = Operation(
                    method=str(method).upper(),
                    path=str(path),
                    id=str(raw.get("operationId", f"{method.upper()} {path}")),
                    tag=str(tags[0]) if tags else "Other",
                    raw=raw,
                    parameters=params,
                    body=body,
                    consumes=[str(c) for c in raw.get("consumes", consumes)],
                    produces=[str(c) for c in raw.get("produces", produces)],
                    responses={str(code): r for code, r in (raw.get("responses") or {}).items() if isinstance(r, dict)},
                )
                self.operations[op.route] = op
        self._closure: dict[str, frozenset[str]] = {}

    def resolve(self, name: str) -> Schema:
        return self.definitions.get(name, {})

    def closure(self, name: str) -> frozenset[str]:
        """`name` and every definition reachable from it."""
        if name not in self._closure:
            seen: set[str] = set()
            todo = [name]
            while todo:
                current = todo.pop()
                if current in seen:
                    continue
                seen.add(current)
                found: set[str] = set()
                _ref_names(self.resolve(current), self.definitions, found)
                todo.extend(found - seen)
            self._closure[name] = frozenset(seen)
        return self._closure[name]

    def reached(self, s: Any) -> set[str]:
        direct: set[str] = set()
        _ref_names(s, self.definitions, direct)
        out: set[str] = set()
        for name in direct:
            out |= self.closure(name)
        return out

    def usage(self) -> dict[str, tuple[set[str], set[str]]]:
        """Definition → (tags of the operations reaching it, directions: request and/or response)."""
        out: dict[str, tuple[set[str], set[str]]] = {}
        for op in self.operations.values():
            roots: list[tuple[Any, str]] = []
            if op.body is not None:
                roots.append((op.body.get("schema"), REQUEST))
            for response in op.responses.values():
                roots.append((response.get("schema"), RESPONSE))
            item = op.raw.get("x-docker-stream-item")
            if isinstance(item, str):
                roots.append(({"$ref": f"#/definitions/{item}"}, RESPONSE))
            for schema, direction in roots:
                for name in self.reached(schema):
                    tags, directions = out.setdefault(name, (set(), set()))
                    tags.add(op.tag)
                    directions.add(direction)
        return out


# -- loading ---------------------------------------------------------------------


def manifest_versions() -> list[str]:
    return [v.version for v in load_manifest()]


def _spec_version(version: str) -> SpecVersion:
    (spec,) = select(load_manifest(), [version])
    return spec


@functools.lru_cache(maxsize=4)
def load_version(version: str) -> Spec:
    """The patched Swagger document of a manifest version (fetched and verified first). Do not mutate it."""
    spec = _spec_version(version)
    path = fetch(spec, mirror_dir())
    return Spec(apply_patches(load_swagger(path), spec.version, _patches()), spec.version)


@functools.cache
def _patches() -> list[Patch]:
    return load_patches()


def load_file(path: Path, version: str) -> Spec:
    """A spec file, patched as `version`."""
    return Spec(apply_patches(load_swagger(path), version, _patches()), version)


# -- the differ --------------------------------------------------------------------


@dataclass(frozen=True)
class _Ctx:
    tag: str
    direction: str
    operation: str | None = None
    method: str | None = None
    path: str | None = None
    model: str | None = None
    location: str = ""


def _join(pointer: str, name: str) -> str:
    return f"{pointer}.{name}" if pointer else name


def _by_direction(direction: str, request: str, response: str) -> str:
    if direction == REQUEST:
        return request
    if direction == RESPONSE:
        return response
    if BREAKING in (request, response):
        return BREAKING
    return request if request == response else NON_BREAKING


def _rule(kind: str, direction: str) -> str:
    request, response, _ = RULES[kind]
    assert request in CLASSES and response in CLASSES, kind  # conditional kinds are classified where found
    return _by_direction(direction, request, response)


def _full(model: str, pointer: str) -> str:
    if not pointer:
        return model
    return model + pointer if pointer[0] in "[{" else f"{model}.{pointer}"


def _place(ctx: _Ctx) -> str:
    """Where inside an operation: `query parameter all`, `request body`, `response 200 header X`; "" for models."""
    if ctx.model is not None:
        return ""
    loc = ctx.location
    if loc.startswith("parameter:"):
        _, where, name = loc.split(":", 2)
        return f"{where} parameter `{name}`"
    if loc == "request-body":
        return "request body"
    if loc.startswith("response:"):
        parts = loc.split(":")
        base = f"response {parts[1]}" if parts[1] != "stream" else "response stream message"
        if len(parts) > 3 and parts[2] == "header":
            base += f" header `{parts[3]}`"
        return base
    return "response" if loc == "response" else "operation"


def _where(ctx: _Ctx, pointer: str) -> str:
    """The human name of a place: `HostConfig.Init`, request body `HostConfig`, query parameter `all`."""
    if ctx.model is not None:
        return f"`{_full(ctx.model, pointer)}`"
    base = _place(ctx)
    return f"{base} `{pointer}`" if pointer else base


def _prefix(ctx: _Ctx) -> str:
    place = _place(ctx)
    return f"{place}: " if place else ""


def _prop(ctx: _Ctx, pointer: str) -> str:
    return f"`{_full(ctx.model, pointer)}`" if ctx.model is not None else f"`{pointer}`"


def _values(values: Iterable[Any]) -> str:
    return ", ".join(f"`{_short(v)}`" for v in values)


def _constraint_text(key: str, old: Any, new: Any) -> str:
    if old is None:
        return f"`{key}` `{_short(new)}` added"
    if new is None:
        return f"`{key}` `{_short(old)}` dropped"
    return f"`{key}` changed from `{_short(old)}` to `{_short(new)}`"


def _short(value: Any, limit: int = 60) -> str:
    text = value if isinstance(value, str) and value.strip() else _canon(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _enum(s: Schema) -> list[Any] | None:
    raw = s.get("enum")
    if not isinstance(raw, list):
        return None
    values = [v for v in raw if not isinstance(v, dict)]
    return values or None


def _format_class(old: str | None, new: str | None) -> str:
    if old is None or new is None:
        return NON_BREAKING
    if any(old in fam and new in fam for fam in _FORMAT_FAMILIES):
        return NON_BREAKING
    return BREAKING


def _type_class(old: str | None, new: str | None, direction: str) -> str:
    widening = new is None or (old, new) == ("integer", "number")
    narrowing = old is None or (old, new) == ("number", "integer")
    return _by_direction(direction, NON_BREAKING if widening else BREAKING, NON_BREAKING if narrowing else BREAKING)


def _tightened(key: str, old: Any, new: Any) -> bool:
    if new is None:
        return False
    if old is None:
        return key != "uniqueItems" or bool(new)
    if key.startswith(("min", "exclusiveMin")):
        return bool(new > old) if isinstance(new, int | float) and isinstance(old, int | float) else True
    if key.startswith(("max", "exclusiveMax")):
        return bool(new < old) if isinstance(new, int | float) and isinstance(old, int | float) else True
    if key == "uniqueItems":
        return bool(new) and not bool(old)
    return True  # pattern, multipleOf: any change may refuse a value accepted before


@dataclass
class _Flat:
    """An object schema with its allOf parts merged: property → (schema, base it comes from or None)."""

    properties: dict[str, tuple[Schema, str | None]]
    required: set[str]
    bases: set[str]
    additional: Any


class _Differ:
    def __init__(self, a: Spec, b: Spec) -> None:
        self.a = a
        self.b = b
        self.out: list[Change] = []
        usage_a, usage_b = a.usage(), b.usage()
        self.model_tag: dict[str, str] = {}
        self.model_direction: dict[str, str] = {}
        for name in set(a.definitions) | set(b.definitions):
            tags_a, dirs_a = usage_a.get(name, (set(), set()))
            tags_b, dirs_b = usage_b.get(name, (set(), set()))
            tags, dirs = tags_a | tags_b, dirs_a | dirs_b
            self.model_tag[name] = (
                next(iter(tags)) if len(tags) == 1 else SHARED_MODELS if tags else UNREFERENCED_MODELS
            )
            self.model_direction[name] = next(iter(dirs)) if len(dirs) == 1 else BOTH

    # -- emission

    def emit(
        self,
        ctx: _Ctx,
        kind: str,
        cls: str,
        message: str,
        pointer: str = "",
        old: Any = None,
        new: Any = None,
        contents: Any = None,
    ) -> None:
        self.out.append(
            Change(
                cls=cls,
                kind=kind,
                tag=ctx.tag,
                message=message,
                operation=ctx.operation,
                method=ctx.method,
                path=ctx.path,
                model=ctx.model,
                location=ctx.location,
                pointer=pointer,
                old=old,
                new=new,
                contents=contents,
            )
        )

    def docs(
        self, ctx: _Ctx, a: dict[str, Any], b: dict[str, Any], pointer: str, keys: Sequence[str] = ("description",)
    ) -> None:
        """Description-only changes, and deprecations."""
        for key in keys:
            old, new = _text(a.get(key)), _text(b.get(key))
            if old != new:
                what = "summary" if key == "summary" else "description"
                self.emit(
                    ctx,
                    "description-changed",
                    DESCRIPTION,
                    f"{_where(ctx, pointer)}: {what} changed",
                    pointer,
                    a.get(key),
                    b.get(key),
                )
        was, now = is_deprecated(a), is_deprecated(b)
        if was != now:
            kind = "deprecated" if now else "undeprecated"
            text = "deprecated" if now else "no longer deprecated"
            self.emit(ctx, kind, DEPRECATION, f"{_where(ctx, pointer)} is {text}", pointer, was, now)

    # -- schemas

    def schema(self, ctx: _Ctx, sa: Schema, sb: Schema, pointer: str, stack: frozenset[tuple[str, str]]) -> None:
        ra, rb = ref_target(sa, self.a.definitions), ref_target(sb, self.b.definitions)
        if ra is not None and ra == rb:
            # The definition itself is compared once, as a model; here only the use site.
            self.nullable(ctx, sa, sb, pointer)
            self.docs(ctx, sa, sb, pointer)
            return
        if ra is not None or rb is not None:
            pair = (ra or f"#{id(sa)}", rb or f"#{id(sb)}")
            if pair in stack or len(stack) > 64:
                return
            stack = stack | {pair}
        ea = self._effective(sa, ra, self.a)
        eb = self._effective(sb, rb, self.b)
        if ra is None or rb is None:
            self.content(ctx, ea, eb, pointer, stack)
            return
        # Two different targets: compare them; a pure rename is one non-breaking change.
        saved, self.out = self.out, []
        self.content(ctx, ea, eb, pointer, stack)
        inner, self.out = self.out, saved
        if all(c.cls == DESCRIPTION for c in inner):
            self.emit(
                ctx, "ref-renamed", NON_BREAKING, f"{_where(ctx, pointer)}: `{ra}` renamed `{rb}`", pointer, ra, rb
            )
        else:
            self.emit(
                ctx,
                "ref-changed",
                NON_BREAKING,
                f"{_where(ctx, pointer)}: now `{rb}` (was `{ra}`)",
                pointer,
                ra,
                rb,
            )
        self.out.extend(inner)

    @staticmethod
    def _effective(s: Schema, name: str | None, spec: Spec) -> Schema:
        if name is None:
            return s
        target = dict(spec.resolve(name))
        if s.get("x-nullable") or target.get("x-nullable"):
            target["x-nullable"] = True
        if "description" in s:
            target["description"] = s["description"]
        return target

    def nullable(self, ctx: _Ctx, a: Schema, b: Schema, pointer: str) -> None:
        was, now = bool(a.get("x-nullable")), bool(b.get("x-nullable"))
        if was != now:
            kind = "nullable-added" if now else "nullable-removed"
            text = "may now be null" if now else "may no longer be null"
            self.emit(ctx, kind, _rule(kind, ctx.direction), f"{_where(ctx, pointer)} {text}", pointer, was, now)

    def content(self, ctx: _Ctx, a: Schema, b: Schema, pointer: str, stack: frozenset[tuple[str, str]]) -> None:
        """Compare two schemas that are not (or no longer) `$ref`s."""
        self.docs(ctx, a, b, pointer)
        self.nullable(ctx, a, b, pointer)
        ta, tb = type_of(a), type_of(b)
        if ta != tb:
            sig_a, sig_b = type_sig(a, self.a.definitions), type_sig(b, self.b.definitions)
            self.emit(
                ctx,
                "type-changed",
                _type_class(ta, tb, ctx.direction),
                f"{_where(ctx, pointer)}: type changed from `{sig_a}` to `{sig_b}`",
                pointer,
                sig_a,
                sig_b,
            )
            return
        fa, fb = _format(a), _format(b)
        if fa != fb:
            cls = _format_class(fa, fb)
            self.emit(
                ctx,
                "format-changed",
                cls,
                f"{_where(ctx, pointer)}: format changed from `{fa or 'none'}` to `{fb or 'none'}`",
                pointer,
                fa,
                fb,
            )
        self.enum(ctx, a, b, pointer)
        self.default(ctx, a, b, pointer)
        for key in CONSTRAINTS:
            old, new = a.get(key), b.get(key)
            if old != new and _canon(old) != _canon(new):
                tight = _tightened(key, old, new)
                self.emit(
                    ctx,
                    "constraint-changed",
                    _by_direction(ctx.direction, BREAKING if tight else NON_BREAKING, NON_BREAKING),
                    f"{_where(ctx, pointer)}: {_constraint_text(key, old, new)}",
                    pointer,
                    old,
                    new,
                )
        if ta == "array":
            ia, ib = a.get("items"), b.get("items")
            self.schema(
                ctx, ia if isinstance(ia, dict) else {}, ib if isinstance(ib, dict) else {}, pointer + "[]", stack
            )
        elif ta == "object":
            self.object(ctx, a, b, pointer, stack)

    def enum(self, ctx: _Ctx, a: Schema, b: Schema, pointer: str) -> None:
        ea, eb = _enum(a), _enum(b)
        where = _where(ctx, pointer)
        if ea is None and eb is None:
            return
        if ea is None:
            kind = "enum-added"
            self.emit(
                ctx, kind, _rule(kind, ctx.direction), f"{where}: restricted to {_values(eb or [])}", pointer, None, eb
            )
            return
        if eb is None:
            kind = "enum-removed"
            self.emit(
                ctx, kind, _rule(kind, ctx.direction), f"{where}: no longer restricted to a list", pointer, ea, None
            )
            return
        if ea == eb:
            return
        ca, cb = {_canon(v): v for v in ea}, {_canon(v): v for v in eb}
        removed = [ca[k] for k in sorted(set(ca) - set(cb))]
        added = [cb[k] for k in sorted(set(cb) - set(ca))]
        if removed:
            kind = "enum-values-removed"
            self.emit(
                ctx,
                kind,
                _rule(kind, ctx.direction),
                f"{where}: values removed: {_values(removed)}",
                pointer,
                removed,
                None,
            )
        if added:
            kind = "enum-values-added"
            self.emit(
                ctx, kind, _rule(kind, ctx.direction), f"{where}: values added: {_values(added)}", pointer, None, added
            )

    def default(self, ctx: _Ctx, a: Schema, b: Schema, pointer: str) -> None:
        if "default" not in a and "default" not in b:
            return
        old, new = a.get("default"), b.get("default")
        if "default" in a and "default" in b and (old == new or _canon(old) == _canon(new)):
            return
        if "default" in a and "default" in b:
            cls = _by_direction(ctx.direction, BREAKING, NON_BREAKING)
            text = f"default changed from `{_short(old)}` to `{_short(new)}`"
        else:
            cls = NON_BREAKING
            text = f"default `{_short(new)}` added" if "default" in b else f"default `{_short(old)}` dropped"
        self.emit(ctx, "default-changed", cls, f"{_where(ctx, pointer)}: {text}", pointer, old, new)

    def flatten(self, s: Schema, spec: Spec, seen: frozenset[str] = frozenset()) -> _Flat:
        flat = _Flat(properties={}, required=set(), bases=set(), additional=s.get("additionalProperties"))
        for part in s.get("allOf") or []:
            if not isinstance(part, dict):
                continue
            name = ref_target(part, spec.definitions)
            if name is not None:
                flat.bases.add(name)
                if name in seen:
                    continue
                inner = self.flatten(spec.resolve(name), spec, seen | {name})
                for key, (schema, _) in inner.properties.items():
                    flat.properties[key] = (schema, name)
            else:
                inner = self.flatten(part, spec, seen)
                flat.properties.update(inner.properties)
                flat.bases |= inner.bases
                if inner.additional is not None:
                    flat.additional = inner.additional
            flat.required |= inner.required
        for key, schema in (s.get("properties") or {}).items():
            if isinstance(schema, dict):
                flat.properties[str(key)] = (schema, None)
        flat.required |= {str(r) for r in s.get("required") or []}
        return flat

    def object(self, ctx: _Ctx, a: Schema, b: Schema, pointer: str, stack: frozenset[tuple[str, str]]) -> None:
        fa, fb = self.flatten(a, self.a), self.flatten(b, self.b)
        for name in sorted(set(fa.properties) | set(fb.properties)):
            child = _join(pointer, name)
            where, prefix = _prop(ctx, child), _prefix(ctx)
            if name not in fb.properties:
                schema, base = fa.properties[name]
                if base is not None and base in fb.bases:
                    continue  # removed from the base definition: reported there
                note = " (it was deprecated)" if is_deprecated(schema) else ""
                sig = type_sig(schema, self.a.definitions)
                kind = "property-removed"
                self.emit(
                    ctx,
                    kind,
                    _rule(kind, ctx.direction),
                    f"{prefix}removed property {where} (`{sig}`){note}",
                    child,
                    sig,
                )
            elif name not in fa.properties:
                schema, base = fb.properties[name]
                if base is not None and base in fa.bases:
                    continue  # added to the base definition: reported there
                required = name in fb.required
                sig = type_sig(schema, self.b.definitions)
                cls = _by_direction(ctx.direction, BREAKING if required else NON_BREAKING, NON_BREAKING)
                text = "required" if required else "optional"
                self.emit(
                    ctx, "property-added", cls, f"{prefix}added {text} property {where} (`{sig}`)", child, None, sig
                )
            else:
                (sa, base_a), (sb, base_b) = fa.properties[name], fb.properties[name]
                if base_a is not None and base_a == base_b:
                    continue  # compared in the base definition
                was, now = name in fa.required, name in fb.required
                if was != now:
                    kind = "required-added" if now else "required-removed"
                    text = "is now required" if now else "is no longer required"
                    self.emit(ctx, kind, _rule(kind, ctx.direction), f"{_where(ctx, child)} {text}", child, was, now)
                self.schema(ctx, sa, sb, child, stack)
        self.additional(ctx, fa.additional, fb.additional, pointer, stack)

    def additional(self, ctx: _Ctx, a: Any, b: Any, pointer: str, stack: frozenset[tuple[str, str]]) -> None:
        if isinstance(a, dict) and isinstance(b, dict):
            self.schema(ctx, a, b, pointer + "{}", stack)
            return
        if a == b or _canon(a) == _canon(b):
            return

        def show(value: Any) -> str:
            if value is None:
                return "none"
            return type_sig(value, {}) if isinstance(value, dict) else _canon(value)

        allowed_before = a is True or isinstance(a, dict)
        allowed_now = b is True or isinstance(b, dict)
        cls = BREAKING if allowed_before and not allowed_now else NON_BREAKING
        self.emit(
            ctx,
            "additional-properties-changed",
            cls,
            f"{_where(ctx, pointer)}: additionalProperties changed from `{show(a)}` to `{show(b)}`",
            pointer,
            a,
            b,
        )

    # -- operations

    def operation(self, oa: Operation, ob: Operation) -> None:
        ctx = _Ctx(tag=ob.tag, direction=REQUEST, operation=ob.id, method=ob.method, path=ob.path)
        if oa.id != ob.id:
            self.emit(
                ctx, "operation-id-changed", BREAKING, f"operationId `{oa.id}` renamed `{ob.id}`", "", oa.id, ob.id
            )
        if oa.tag != ob.tag:
            self.emit(
                ctx, "operation-tag-changed", NON_BREAKING, f"tag `{oa.tag}` changed to `{ob.tag}`", "", oa.tag, ob.tag
            )
        self.docs(ctx, oa.raw, ob.raw, "", ("summary", "description"))
        self.parameters(ctx, oa, ob)
        self.request_body(ctx, oa, ob)
        self.responses(ctx, oa, ob)

    def parameters(self, ctx: _Ctx, oa: Operation, ob: Operation) -> None:
        removed = {k: v for k, v in oa.parameters.items() if k not in ob.parameters}
        added = {k: v for k, v in ob.parameters.items() if k not in oa.parameters}
        moved: dict[tuple[str, str], tuple[str, str]] = {}
        for key_a in sorted(removed):
            for key_b in sorted(added):
                if key_a[1] == key_b[1] and key_b not in moved.values():
                    moved[key_a] = key_b
                    break
        for key in sorted(set(oa.parameters) | set(ob.parameters)):
            pa, pb = oa.parameters.get(key), ob.parameters.get(key)
            where, name = str((pb or pa or {}).get("in")), str((pb or pa or {}).get("name"))
            pctx = replace(ctx, location=f"parameter:{where}:{name}")
            if pa is not None and pb is not None:
                self.parameter(pctx, pa, pb)
            elif pa is not None:
                if key in moved:
                    pb = ob.parameters[moved[key]]
                    text = f"{where} parameter `{name}` moved to {pb.get('in')}"
                    pctx = replace(ctx, location=f"parameter:{pb.get('in')}:{pb.get('name')}")
                    self.emit(pctx, "parameter-location-changed", BREAKING, text, "", where, pb.get("in"))
                    self.parameter(pctx, pa, pb)
                    continue
                note = " (it was deprecated)" if is_deprecated(pa) else ""
                self.emit(pctx, "parameter-removed", BREAKING, f"removed {where} parameter `{name}`{note}", "", name)
            elif pb is not None and key not in moved.values():
                required = bool(pb.get("required"))
                cls = BREAKING if required else NON_BREAKING
                text = (
                    f"added {'required' if required else 'optional'} {where} parameter `{name}` (`{type_sig(pb, {})}`)"
                )
                self.emit(pctx, "parameter-added", cls, text, "", None, name)

    def parameter(self, ctx: _Ctx, pa: dict[str, Any], pb: dict[str, Any]) -> None:
        was, now = bool(pa.get("required")), bool(pb.get("required"))
        if was != now:
            text = "is now required" if now else "is no longer required"
            self.emit(
                ctx,
                "parameter-required-changed",
                BREAKING if now else NON_BREAKING,
                f"{_where(ctx, '')} {text}",
                "",
                was,
                now,
            )
        if pa.get("type") == "array" or pb.get("type") == "array":
            ca, cb = pa.get("collectionFormat", "csv"), pb.get("collectionFormat", "csv")
            if ca != cb:
                self.emit(
                    ctx,
                    "collection-format-changed",
                    BREAKING,
                    f"{_where(ctx, '')}: collectionFormat changed from `{ca}` to `{cb}`",
                    "",
                    ca,
                    cb,
                )
        self.content(ctx, pa, pb, "", frozenset())

    def request_body(self, ctx: _Ctx, oa: Operation, ob: Operation) -> None:
        bctx = replace(ctx, location="request-body")
        ba, bb = oa.body, ob.body
        if ba is None and bb is None:
            return
        if ba is None and bb is not None:
            required = bool(bb.get("required"))
            cls = BREAKING if required else NON_BREAKING
            sig = type_sig(bb.get("schema") or {}, self.b.definitions)
            self.emit(
                bctx,
                "request-body-added",
                cls,
                f"added {'required' if required else 'optional'} request body (`{sig}`)",
                "",
                None,
                sig,
            )
            return
        if bb is None and ba is not None:
            sig = type_sig(ba.get("schema") or {}, self.a.definitions)
            self.emit(bctx, "request-body-removed", BREAKING, f"removed request body (`{sig}`)", "", sig)
            return
        assert ba is not None and bb is not None
        was, now = bool(ba.get("required")), bool(bb.get("required"))
        if was != now:
            text = "is now required" if now else "is no longer required"
            self.emit(
                bctx,
                "request-body-required-changed",
                BREAKING if now else NON_BREAKING,
                f"request body {text}",
                "",
                was,
                now,
            )
        self.media_types(bctx, "request", oa.consumes, ob.consumes)
        self.docs(bctx, ba, bb, "")
        self.schema(bctx, ba.get("schema") or {}, bb.get("schema") or {}, "", frozenset())

    def media_types(self, ctx: _Ctx, side: str, a: list[str], b: list[str]) -> None:
        removed, added = sorted(set(a) - set(b)), sorted(set(b) - set(a))
        if removed:
            self.emit(
                ctx,
                f"{side}-content-type-removed",
                BREAKING,
                f"{side} media types removed: {_values(removed)}",
                "",
                removed,
                None,
            )
        if added:
            self.emit(
                ctx,
                f"{side}-content-type-added",
                NON_BREAKING,
                f"{side} media types added: {_values(added)}",
                "",
                None,
                added,
            )

    def responses(self, ctx: _Ctx, oa: Operation, ob: Operation) -> None:
        rctx = replace(ctx, direction=RESPONSE, location="response")
        self.media_types(rctx, "response", oa.produces, ob.produces)
        for code in sorted(set(oa.responses) | set(ob.responses)):
            ra, rb = oa.responses.get(code), ob.responses.get(code)
            cctx = replace(rctx, location=f"response:{code}")
            if ra is None:
                self.emit(cctx, "response-added", NON_BREAKING, f"added response {code}", "", None, code)
                continue
            if rb is None:
                cls = BREAKING if code.startswith("2") else NON_BREAKING
                self.emit(cctx, "response-removed", cls, f"removed response {code}", "", code)
                continue
            self.docs(cctx, ra, rb, "")
            sa, sb = ra.get("schema"), rb.get("schema")
            if isinstance(sa, dict) and isinstance(sb, dict):
                self.schema(cctx, sa, sb, "", frozenset())
            elif isinstance(sb, dict):
                sig = type_sig(sb, self.b.definitions)
                self.emit(
                    cctx,
                    "response-body-added",
                    NON_BREAKING,
                    f"response {code} now has a body (`{sig}`)",
                    "",
                    None,
                    sig,
                )
            elif isinstance(sa, dict):
                sig = type_sig(sa, self.a.definitions)
                self.emit(
                    cctx,
                    "response-body-removed",
                    BREAKING if code.startswith("2") else NON_BREAKING,
                    f"response {code} no longer has a body (was `{sig}`)",
                    "",
                    sig,
                )
            self.headers(cctx, code, ra, rb)
        ia, ib = oa.raw.get("x-docker-stream-item"), ob.raw.get("x-docker-stream-item")
        if ia != ib:
            sctx = replace(rctx, location="response:stream")
            if isinstance(ia, str) and isinstance(ib, str):
                self.schema(sctx, {"$ref": f"#/definitions/{ia}"}, {"$ref": f"#/definitions/{ib}"}, "", frozenset())
            elif isinstance(ib, str):
                self.emit(sctx, "response-body-added", NON_BREAKING, f"stream messages are now `{ib}`", "", None, ib)
            else:
                self.emit(sctx, "response-body-removed", BREAKING, f"stream messages are no longer `{ia}`", "", ia)

    def headers(self, ctx: _Ctx, code: str, ra: dict[str, Any], rb: dict[str, Any]) -> None:
        ha = {str(k).lower(): (str(k), v) for k, v in (ra.get("headers") or {}).items() if isinstance(v, dict)}
        hb = {str(k).lower(): (str(k), v) for k, v in (rb.get("headers") or {}).items() if isinstance(v, dict)}
        for key in sorted(set(ha) | set(hb)):
            name = (hb.get(key) or ha[key])[0]
            hctx = replace(ctx, location=f"response:{code}:header:{name}")
            if key not in hb:
                self.emit(
                    hctx, "response-header-removed", BREAKING, f"response {code}: removed header `{name}`", "", name
                )
            elif key not in ha:
                self.emit(
                    hctx,
                    "response-header-added",
                    NON_BREAKING,
                    f"response {code}: added header `{name}`",
                    "",
                    None,
                    name,
                )
            else:
                self.content(hctx, ha[key][1], hb[key][1], "", frozenset())

    # -- the whole document

    def run(self) -> list[Change]:
        a_ops, b_ops = self.a.operations, self.b.operations
        for route in sorted(set(a_ops) | set(b_ops)):
            oa, ob = a_ops.get(route), b_ops.get(route)
            if oa is not None and ob is not None:
                self.operation(oa, ob)
                continue
            op = ob or oa
            assert op is not None
            ctx = _Ctx(tag=op.tag, direction=REQUEST, operation=op.id, method=op.method, path=op.path)
            side = self.b if oa is None else self.a
            contents = operation_contents(op, side.definitions)
            if oa is None:
                message = f"added operation `{route}` ({op.id})"
                self.emit(ctx, "operation-added", NON_BREAKING, message, "", None, route, contents)
            else:
                note = " (it was deprecated)" if is_deprecated(op.raw) else ""
                message = f"removed operation `{route}` ({op.id}){note}"
                self.emit(ctx, "operation-removed", BREAKING, message, "", route, None, contents)
        for name in sorted(set(self.a.definitions) | set(self.b.definitions)):
            ctx = _Ctx(tag=self.model_tag[name], direction=self.model_direction[name], model=name)
            da, db = self.a.definitions.get(name), self.b.definitions.get(name)
            if da is None:
                contents = model_contents(self.b.resolve(name), self.b.definitions)
                self.emit(ctx, "model-added", NON_BREAKING, f"added model `{name}`", "", None, name, contents)
            elif db is None:
                contents = model_contents(self.a.resolve(name), self.a.definitions)
                self.emit(ctx, "model-removed", BREAKING, f"removed model `{name}`", "", name, None, contents)
            else:
                self.schema(ctx, da, db, "", frozenset({(name, name)}))
        # The same change can be reached twice (allOf parts); keep the first.
        unique: dict[tuple[Any, ...], Change] = {}
        for change in self.out:
            unique.setdefault((change.sort_key(), change.message), change)
        return sorted(unique.values(), key=lambda c: (c.sort_key(), c.message))


def diff_specs(a: Spec | dict[str, Any], b: Spec | dict[str, Any]) -> list[Change]:
    """The changes from document `a` to document `b` (patched Swagger 2.0 documents or `Spec`s)."""
    spec_a = a if isinstance(a, Spec) else Spec(a)
    spec_b = b if isinstance(b, Spec) else Spec(b)
    return _Differ(spec_a, spec_b).run()


def diff_versions(old: str, new: str) -> Step:
    """The changes from manifest version `old` to `new` (either order)."""
    old, new = old.removeprefix("v"), new.removeprefix("v")
    return Step(old, new, diff_specs(load_version(old), load_version(new)))


def parse_range(text: str, versions: Sequence[str] | None = None) -> list[tuple[str, str]]:
    """`1.41..1.47` → the consecutive pairs (1.41, 1.42) … (1.46, 1.47) of the manifest; a descending range
    gives the reversed steps."""
    versions = list(versions) if versions is not None else manifest_versions()
    start, sep, end = text.partition("..")
    if not sep:
        raise DiffError(f"{text!r} is not a range like 1.41..1.47")
    start, end = start.removeprefix("v"), end.removeprefix("v")
    for v in (start, end):
        if v not in versions:
            raise DiffError(f"unknown API version {v}; the manifest has {versions[0]}…{versions[-1]}")
    i, j = versions.index(start), versions.index(end)
    if i == j:
        return [(start, end)]
    chain = versions[i : j + 1] if i < j else versions[j : i + 1][::-1]
    return list(itertools.pairwise(chain))


def diff_steps(pairs: Sequence[tuple[str, str]]) -> list[Step]:
    return [diff_versions(a, b) for a, b in pairs]


def check_versions(*versions: str) -> None:
    known = manifest_versions()
    for v in versions:
        if v.removeprefix("v") not in known:
            raise DiffError(f"unknown API version {v}; the manifest has {known[0]}…{known[-1]}")


# -- output ------------------------------------------------------------------------


def render_json(steps: Sequence[Step], *, descriptions: bool = False) -> str:
    """The documented JSON form (`docs/api-changes.md`, "JSON schema")."""
    totals = dict.fromkeys(CLASSES, 0)
    out_steps = []
    for step in steps:
        shown = step.shown(descriptions)
        counts = {cls: sum(1 for c in shown if c.cls == cls) for cls in CLASSES}
        for cls, n in counts.items():
            totals[cls] += n
        hidden = 0 if descriptions else step.counts()[DESCRIPTION]
        out_steps.append(
            {
                "from": step.old,
                "to": step.new,
                "summary": counts,
                "hidden_descriptions": hidden,
                "changes": [c.to_json() for c in shown],
            }
        )
    doc = {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "from": steps[0].old if steps else None,
        "to": steps[-1].new if steps else None,
        "descriptions": descriptions,
        "summary": totals,
        "steps": out_steps,
    }
    return json.dumps(doc, indent=1, sort_keys=False, ensure_ascii=False) + "\n"


_BADGE = {BREAKING: "**breaking** · ", DEPRECATION: "*deprecation* · ", NON_BREAKING: "", DESCRIPTION: ""}


def _summary_line(counts: dict[str, int], hidden: int) -> str:
    def n(count: int, word: str) -> str:
        return f"{count} {word}{'' if count == 1 else 's'}"

    parts = [
        f"**{counts[BREAKING]} breaking**" if counts[BREAKING] else "0 breaking",
        f"{counts[NON_BREAKING]} non-breaking",
        n(counts[DEPRECATION], "deprecation"),
    ]
    if counts[DESCRIPTION]:
        parts.append(n(counts[DESCRIPTION], "description change"))
    line = ", ".join(parts) + "."
    if hidden:
        line += f" {n(hidden, 'description-only change')} not shown (`--descriptions`)."
    return line


def _subject_heading(change: Change) -> str:
    if change.operation is not None:
        return f"`{change.method} {change.path}` · {change.operation}"
    return f"Model `{change.model}`"


def _changed_text(old: str, new: str, context: int = 30, limit: int = 120) -> tuple[str, str]:
    """The part of two texts around where they differ, with `…` where text is left out."""
    a, b = " ".join(old.split()), " ".join(new.split())
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[len(a) - 1 - end] == b[len(b) - 1 - end]:
        end += 1
    begin = max(0, start - context)
    if begin:
        space = a.find(" ", begin)
        begin = space + 1 if 0 <= space < start else begin

    def cut(text: str) -> str:
        stop = min(len(text), len(text) - end + context)
        piece, truncated = text[begin:stop], stop < len(text)
        if len(piece) > limit:
            piece, truncated = piece[: limit - 1], True
        return ("…" if begin else "") + piece + ("…" if truncated else "")

    return cut(a), cut(b)


def _bullet(change: Change) -> str:
    text = change.message
    if change.cls == DESCRIPTION and (change.old is not None or change.new is not None):
        old, new = _changed_text(str(change.old or ""), str(change.new or ""))
        text += f": “{old}” → “{new}”"
    lines = [f"- {_BADGE[change.cls]}{text}"]
    if change.contents is not None:
        lines += [f"    - {line}" for line in contents_lines(change.contents)]
    return "\n".join(lines)


def _grouped(changes: Sequence[Change], level: int) -> list[str]:
    lines: list[str] = []
    tag = subject = None
    for change in changes:
        if change.tag != tag:
            tag, subject = change.tag, None
            lines += ["", f"{'#' * level} {tag}"]
        heading = _subject_heading(change)
        if heading != subject:
            subject = heading
            lines += ["", f"{'#' * (level + 1)} {heading}", ""]
        lines.append(_bullet(change))
    return lines


def render_step_markdown(step: Step, *, descriptions: bool = False, level: int = 1) -> str:
    shown = step.shown(descriptions)
    counts = {cls: sum(1 for c in shown if c.cls == cls) for cls in CLASSES}
    hidden = 0 if descriptions else step.counts()[DESCRIPTION]
    h = "#" * level
    lines = [f"{h} Docker Engine API v{step.old} → v{step.new}", "", _summary_line(counts, hidden)]
    main = [c for c in shown if c.cls in (BREAKING, NON_BREAKING)]
    if not shown:
        lines += ["", "No changes."]
    lines += _grouped(main, level + 1)
    for cls, title in ((DEPRECATION, "Deprecations"), (DESCRIPTION, "Description changes")):
        group = [c for c in shown if c.cls == cls]
        if group:
            lines += ["", f"{h}# {title}"]
            lines += _grouped(group, level + 2)
    return "\n".join(lines).rstrip() + "\n"


def render_markdown(steps: Sequence[Step], *, descriptions: bool = False) -> str:
    if len(steps) == 1:
        return render_step_markdown(steps[0], descriptions=descriptions)
    totals = dict.fromkeys(CLASSES, 0)
    hidden = 0
    for step in steps:
        for c in step.shown(descriptions):
            totals[c.cls] += 1
        hidden += 0 if descriptions else step.counts()[DESCRIPTION]
    lines = [
        f"# Docker Engine API v{steps[0].old} → v{steps[-1].new}, step by step",
        "",
        _summary_line(totals, hidden),
        "",
    ]
    for step in steps:
        counts = {cls: sum(1 for c in step.shown(descriptions) if c.cls == cls) for cls in CLASSES}
        lines.append(
            f"- v{step.old} → v{step.new}: {counts[BREAKING]} breaking, {counts[NON_BREAKING]} non-breaking, {counts[DEPRECATION]} deprecations"
        )
    text = "\n".join(lines) + "\n"
    for step in steps:
        text += "\n" + render_step_markdown(step, descriptions=descriptions, level=2)
    return text


def fails(steps: Sequence[Step], fail_on: str | None) -> bool:
    """Whether a change at least as severe as `fail_on` is in `steps` (descriptions never fail)."""
    if not fail_on or fail_on == "none":
        return False
    floor = SEVERITY[fail_on]
    return any(SEVERITY[c.cls] >= floor and c.cls != DESCRIPTION for s in steps for c in s.changes)


# -- the checked-in changelog ----------------------------------------------------------


def _step_filename(old: str, new: str) -> str:
    return f"v{old}-v{new}.md"


def changelog_files(versions: Sequence[str] | None = None, *, steps: Sequence[Step] | None = None) -> dict[str, str]:
    """File name → content of `docs/api-changes/`: one Markdown diff per consecutive pair, and index.md.

    `steps`: the consecutive steps already computed (else they are computed here)."""
    versions = list(versions) if versions is not None else manifest_versions()
    versions = sorted(versions, key=parse_version)
    known = {(s.old, s.new): s for s in steps or ()}
    files: dict[str, str] = {}
    rows = []
    for old, new in itertools.pairwise(versions):
        step = known.get((old, new)) or diff_versions(old, new)
        name = _step_filename(old, new)
        files[name] = render_step_markdown(step)
        counts = step.counts()
        rows.append(
            f"| [v{old} → v{new}]({name}) | {counts[BREAKING]} | {counts[NON_BREAKING]} | {counts[DEPRECATION]} | {counts[DESCRIPTION]} |"
        )
    index = [
        "# Docker Engine API changes, version by version",
        "",
        "Generated by `python -m generator changelog` from the patched specs (`make generate`); do not edit.",
        "The rules (what is compared, what is breaking) are in [../api-changes.md](../api-changes.md).",
        "Any other pair, in either order: `python -m generator diff 1.41 1.47`.",
        "",
        "| versions | breaking | non-breaking | deprecations | description-only (not shown) |",
        "|---|---:|---:|---:|---:|",
        *rows,
    ]
    files["index.md"] = "\n".join(index) + "\n"
    return files


def write_changelog(out_dir: Path = CHANGELOG_DIR, versions: Sequence[str] | None = None) -> list[Path]:
    """Write `out_dir/v1.XX-v1.YY.md` for every consecutive pair and `out_dir/index.md`; remove stale
    step files. Deterministic: the same specs give byte-identical files. Returns the paths written."""
    files = changelog_files(versions)
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in sorted(out_dir.glob("v*-v*.md")):
        if stale.name not in files:
            stale.unlink()
    written = []
    for name, text in files.items():
        path = out_dir / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def stale_changelog(
    out_dir: Path = CHANGELOG_DIR, versions: Sequence[str] | None = None, *, steps: Sequence[Step] | None = None
) -> list[str]:
    """The files of `out_dir` that differ from what `write_changelog` would write (empty: up to date)."""
    files = changelog_files(versions, steps=steps)
    stale = [
        name
        for name, text in files.items()
        if not (out_dir / name).is_file() or (out_dir / name).read_text(encoding="utf-8") != text
    ]
    extra = [p.name for p in out_dir.glob("v*-v*.md") if p.name not in files] if out_dir.is_dir() else []
    return sorted(stale + extra)


def rules_markdown() -> str:
    """The classification table of `docs/api-changes.md` (a test keeps the two identical)."""
    lines = ["| kind | request side | response side | why |", "|---|---|---|---|"]
    for kind, (request, response, why) in RULES.items():
        lines.append(f"| `{kind}` | {request} | {response} | {why} |")
    return "\n".join(lines) + "\n"
