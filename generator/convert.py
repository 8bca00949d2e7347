"""Swagger 2.0 (Docker's dialect) → OpenAPI 3.1, shaped for openapi-python-client.

This is not a general converter: it handles exactly the constructs the Docker
Engine specs use (see README, "Why an in-house converter"), and it normalises
them so that every version generates without a warning:

* `x-nullable` becomes a `null` member of the type (a `oneOf` for `$ref`s).
* Arrays, maps and objects are nullable everywhere: daemons send `null` for
  them although the spec rarely says so.
* Inline objects are hoisted into named components (`<Parent><Property>`), so
  nullable wrappers never produce `*_type_0` classes.
* `enum: [{}]` on maps (ExposedPorts, Volumes) is dropped; `type: [a, b]`
  becomes an `anyOf`; the non-standard `format: dateTime` becomes `date-time`.
* Error responses carry no body schema (the runtime raises on them), and a
  stream/tar/text response is described by `x-docker-response` instead of a
  content type the generator cannot represent.

Version-specific defects are not fixed here but by `patches.yaml`.
"""

from __future__ import annotations

import copy
import re
from typing import Any

Schema = dict[str, Any]

JSON_TYPES = {"application/json"}
JSON_STREAM_TYPES = {"application/x-ndjson", "application/jsonl", "application/json-seq"}
MULTIPLEXED_TYPES = {"application/vnd.docker.raw-stream", "application/vnd.docker.multiplexed-stream"}
BINARY_TYPES = {"application/x-tar", "application/octet-stream"}
# Keys of a Swagger schema that carry over unchanged.
SCHEMA_KEYS = (
    "description",
    "format",
    "default",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "pattern",
    "readOnly",
    "uniqueItems",
    "required",
)


# What patches.yaml says of an operation beyond the spec, carried to the converted document for
# generator/render.py (their meaning: the comment above them in patches.yaml).
OPERATION_EXTENSIONS = (
    "x-docker-method",
    "x-docker-returns",
    "x-docker-both-streams",
    "x-docker-credentials-for",
    "x-docker-buildkit",
    "x-docker-handle-method",
)


class ConversionError(Exception):
    """The spec has a construct the converter does not know."""


def _pascal(name: str) -> str:
    parts = re.split(r"[^0-9A-Za-z]+", name)
    return "".join(p[:1].upper() + p[1:] for p in parts if p)


def _ref_name(ref: str) -> str:
    if not ref.startswith("#/definitions/"):
        raise ConversionError(f"unsupported $ref {ref!r}")
    return ref.removeprefix("#/definitions/")


class Converter:
    def __init__(self, swagger: dict[str, Any]) -> None:
        if swagger.get("swagger") != "2.0":
            raise ConversionError("not a Swagger 2.0 document")
        self.swagger = swagger
        self.definitions: dict[str, Schema] = swagger.get("definitions", {})
        self.components: dict[str, Schema] = {}
        self.hoisted: set[str] = set()

    # -- names -------------------------------------------------------------

    def _free_name(self, wanted: str) -> str:
        name, n = wanted, 2
        while name in self.components or name in self.definitions:
            name, n = f"{wanted}{n}", n + 1
        return name

    def _is_object_definition(self, name: str) -> bool:
        target = self.definitions.get(name, {})
        if "$ref" in target:
            return self._is_object_definition(_ref_name(target["$ref"]))
        return target.get("type") == "object" or "properties" in target or "allOf" in target

    # -- schemas -----------------------------------------------------------

    def schema(self, s: Schema, *, owner: str, nullable: bool = False) -> Schema:
        """Convert a schema found at `owner` (the name used when hoisting).

        `nullable` marks a use site (property, item, map value) where the
        daemon may send null.
        """
        go_type = s.get("x-go-type")
        if (
            "$ref" not in s
            and "type" not in s
            and isinstance(go_type, dict)
            and go_type.get("type") in self.definitions
        ):
            # `x-go-type: {type: Volume}` names a Go type; where the spec defines it, refer to it.
            s = {**s, "$ref": f"#/definitions/{go_type['type']}"}
        if "$ref" in s:
            target = _ref_name(s["$ref"])
            if target not in self.definitions and target not in self.hoisted:
                raise ConversionError(f"{owner}: $ref to missing definition {target!r}")
            out: Schema = {"$ref": f"#/components/schemas/{target}"}
            target_nullable = bool(self.definitions.get(target, {}).get("x-nullable"))
            is_object = target in self.hoisted or self._is_object_definition(target)
            if s.get("x-nullable") or target_nullable or (nullable and is_object):
                out = {"oneOf": [out, {"type": "null"}]}
            if "description" in s:
                out["description"] = s["description"]
            return out

        is_object = s.get("type") == "object" or "properties" in s or "additionalProperties" in s
        if is_object and "allOf" not in s and owner:
            # Hoisted so that the class has a stable, readable name.
            name = self._free_name(_pascal(owner))
            self.hoisted.add(name)
            self.components[name] = {}
            self.components[name] = self.object_schema(s, owner=name)
            return self.schema(
                {"$ref": f"#/definitions/{name}", "x-nullable": nullable or s.get("x-nullable")}, owner=""
            )
        return self._plain(s, owner=owner, nullable=nullable)

    def _plain(self, s: Schema, *, owner: str, nullable: bool) -> Schema:
        out: Schema = {k: s[k] for k in SCHEMA_KEYS if k in s}
        if out.get("format") == "dateTime":
            out["format"] = "date-time"
        kind = s.get("type")
        if isinstance(kind, list):
            variants = [self._plain({**s, "type": t}, owner=owner, nullable=False) for t in kind]
            return {"anyOf": variants + ([{"type": "null"}] if nullable else [])}
        if "allOf" in s:
            out["allOf"] = [self._allof_part(p, owner=owner) for p in s["allOf"]]
            if "type" in s:
                out["type"] = s["type"]
            return out
        if kind == "array":
            out["type"] = "array"
            items = s.get("items", {})
            out["items"] = self.schema(items, owner=f"{owner}Item", nullable=False) if items else {}
        elif kind == "object" or "properties" in s or "additionalProperties" in s:
            out.update(self.object_schema(s, owner=owner))
        elif kind is not None:
            out["type"] = kind
        if "enum" in s:
            values = [v for v in s["enum"] if not isinstance(v, dict)]
            if values:
                out["enum"] = values
        # Scalars are nullable only where the spec says so; arrays always are.
        nullable = kind == "array" or bool(s.get("x-nullable")) or (nullable and out.get("type") == "object")
        if nullable and isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
            if "enum" in out and None not in out["enum"]:
                out["enum"] = [*out["enum"], None]
        return out

    def _allof_part(self, part: Schema, *, owner: str) -> Schema:
        if "$ref" in part:
            return {"$ref": f"#/components/schemas/{_ref_name(part['$ref'])}"}
        return self.object_schema(part, owner=owner)

    def object_schema(self, s: Schema, *, owner: str) -> Schema:
        if "allOf" in s:
            out: Schema = {k: s[k] for k in ("description",) if k in s}
            out["allOf"] = [self._allof_part(p, owner=owner) for p in s["allOf"]]
            # Properties written beside allOf (NetworkInspect in 1.52+) are one more part.
            rest = {k: v for k, v in s.items() if k in ("properties", "additionalProperties")}
            if rest:
                out["allOf"].append(self.object_schema({"type": "object", **rest}, owner=owner))
            return out
        # `required` is not kept: daemons of other versions omit fields the
        # spec requires (Image.Container, required in 1.30, is gone from 28.x),
        # so every field is optional and a missing one parses as UNSET.
        out = {k: s[k] for k in ("description",) if k in s}
        out["type"] = "object"
        props = s.get("properties")
        if props:
            out["properties"] = {
                key: self.schema(value, owner=f"{owner}{_pascal(key)}", nullable=True) for key, value in props.items()
            }
        extra = s.get("additionalProperties")
        if isinstance(extra, dict):
            if extra.get("type") == "object" and not extra.get("properties") and not extra.get("additionalProperties"):
                # `{type: object, enum: [{}]}` and friends: an empty object per key.
                out["additionalProperties"] = {}
            else:
                # A map value is null only where the spec says so (PortMap): dockerd fills its
                # maps with values, and `for k, v in m.items()` should not need a None check.
                out["additionalProperties"] = self.schema(extra, owner=f"{owner}Value")
        elif extra is not None:
            out["additionalProperties"] = extra
        return out

    # -- operations --------------------------------------------------------

    def operation(self, path: str, method: str, op: dict[str, Any]) -> dict[str, Any]:
        op_id = op["operationId"]
        produces: list[str] = op.get("produces", self.swagger.get("produces", []))
        consumes: list[str] = op.get("consumes", self.swagger.get("consumes", []))
        out: dict[str, Any] = {"operationId": op_id, "tags": op.get("tags", [])[:1]}
        for key in ("summary", "description", "deprecated", *OPERATION_EXTENSIONS):
            if key in op:
                out[key] = op[key]
        params = []
        for p in op.get("parameters", []):
            if p["in"] == "body":
                out["requestBody"] = self.request_body(op_id, p, consumes)
                continue
            if p["in"] == "header" and p["name"].lower() == "content-type":
                continue  # the runtime sets it from x-docker-request
            if p["in"] not in ("query", "path", "header"):
                raise ConversionError(f"{op_id}: parameter {p['name']!r} in {p['in']!r} is not supported")
            param: dict[str, Any] = {"name": p["name"], "in": p["in"], "required": bool(p.get("required"))}
            if "description" in p:
                param["description"] = p["description"]
            if p.get("x-docker-send-default"):  # set by a patch (patches.yaml)
                param["x-docker-send-default"] = True
            if "x-docker-format" in p:  # set by a patch: json, unix-time
                param["x-docker-format"] = p["x-docker-format"]
            schema = {k: p[k] for k in ("type", "format", "items", "enum", "default") if k in p}
            param["schema"] = self._plain(schema, owner=f"{op_id}{_pascal(p['name'])}", nullable=False)
            if param["schema"].get("type") == ["array", "null"]:
                param["schema"]["type"] = "array"
            if p.get("type") == "array":
                param["style"] = "form"
                param["explode"] = p.get("collectionFormat", "csv") == "multi"
            params.append(param)
        if params:
            out["parameters"] = params
        out["responses"] = {}
        response_kind = "empty"
        for code, response in op["responses"].items():
            converted: dict[str, Any] = {"description": response.get("description", "")}
            success = str(code).startswith("2")
            if success and method != "head":
                kind = self.response_kind(op_id, response, produces)
                if kind == "json":
                    converted["content"] = {
                        "application/json": {"schema": self.schema(response["schema"], owner=f"{op_id}Response")}
                    }
                if kind == "json-stream":
                    item = self.stream_item(op_id, op, response)
                    if item:
                        out["x-docker-stream-item"] = item
                if kind != "empty" or response_kind == "empty":
                    response_kind = kind
            out["responses"][str(code)] = converted
        if method == "head":
            response_kind = "head"
        out["x-docker-response"] = response_kind
        out["x-docker-produces"] = produces
        return out

    def stream_item(self, op_id: str, op: dict[str, Any], response: dict[str, Any]) -> str | None:
        """The schema of one message of a JSON stream: named by a patch, else the response schema."""
        named = op.get("x-docker-stream-item")
        if named:
            if named not in self.definitions:
                raise ConversionError(f"{op_id}: stream item {named!r} is not a definition")
            return str(named)
        schema = response.get("schema")
        if schema is None:
            return None
        converted = self.schema(schema, owner=f"{op_id}Message")
        ref = converted.get("$ref") or converted.get("oneOf", [{}])[0].get("$ref")
        return str(ref).rsplit("/", 1)[1] if ref else None

    def response_kind(self, op_id: str, response: dict[str, Any], produces: list[str]) -> str:
        media = set(produces)
        if media & JSON_STREAM_TYPES:
            return "json-stream"
        if media & MULTIPLEXED_TYPES:
            return "multiplexed"
        if media & BINARY_TYPES and not media & JSON_TYPES:
            return "binary"
        schema = response.get("schema")
        if schema is None:
            return "text" if media == {"text/plain"} else "empty"
        if schema.get("type") == "string" and not media & JSON_TYPES:
            return "text"
        if schema.get("format") == "binary":
            raise ConversionError(
                f"{op_id}: binary body declared as {sorted(media) or 'JSON'}; add a patch saying what it is"
            )
        if media and not media & JSON_TYPES:
            raise ConversionError(f"{op_id}: a schema for {sorted(media)} responses is not supported")
        return "json"

    def request_body(self, op_id: str, p: dict[str, Any], consumes: list[str]) -> dict[str, Any]:
        schema = p.get("schema", {})
        body: dict[str, Any] = {"required": bool(p.get("required"))}
        if "description" in p:
            body["description"] = p["description"]
        if schema.get("type") == "string":
            wire = next((c for c in consumes if c in BINARY_TYPES), "application/octet-stream")
            body["content"] = {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}
            body["x-docker-request"] = wire
            return body
        if "$ref" in schema:
            converted = self.schema({"$ref": schema["$ref"]}, owner="")
        elif schema.get("type") == "array":
            converted = self._plain(schema, owner=f"{op_id}Request", nullable=False)
            converted["type"] = "array"
        else:
            name = self._free_name(f"{op_id}Request")
            self.components[name] = {}
            self.components[name] = self.object_schema(schema, owner=name)
            converted = {"$ref": f"#/components/schemas/{name}"}
        body["content"] = {"application/json": {"schema": converted}}
        body["x-docker-request"] = "application/json"
        return body

    # -- document ----------------------------------------------------------

    def convert(self) -> dict[str, Any]:
        for name, definition in self.definitions.items():
            self.components.setdefault(name, {})
            if "$ref" in definition:
                self.components[name] = {"allOf": [{"$ref": f"#/components/schemas/{_ref_name(definition['$ref'])}"}]}
            elif definition.get("type") in (None, "object") or "allOf" in definition:
                self.components[name] = self.object_schema(definition, owner=name)
            else:
                self.components[name] = self._plain(definition, owner=name, nullable=False)
                if "x-nullable" in definition and isinstance(self.components[name].get("type"), list):
                    # Nullability is moved to the places that use the schema.
                    self.components[name]["type"] = definition["type"]
                    if "enum" in self.components[name]:
                        self.components[name]["enum"] = [v for v in self.components[name]["enum"] if v is not None]
        paths: dict[str, Any] = {}
        for path, item in self.swagger["paths"].items():
            paths[path] = {method: self.operation(path, method, op) for method, op in item.items()}
        info = self.swagger["info"]
        return {
            "openapi": "3.1.0",
            "info": {
                "title": info["title"],
                "version": str(info["version"]),
                "description": info.get("description", ""),
            },
            "paths": paths,
            "components": {"schemas": dict(sorted(self.components.items()))},
        }


def convert(swagger: dict[str, Any]) -> dict[str, Any]:
    """Return the OpenAPI 3.1 form of a (patched) Docker Swagger 2.0 document."""
    return Converter(copy.deepcopy(swagger)).convert()
