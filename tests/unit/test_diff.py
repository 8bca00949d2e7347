"""The semantic diff (generator/diff.py) on small hand-written spec pairs: each change kind and its class."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from generator.diff import (
    BREAKING,
    CLASSES,
    DEPRECATION,
    DESCRIPTION,
    NON_BREAKING,
    RULES,
    Change,
    DiffError,
    Step,
    diff_specs,
    fails,
    is_deprecated,
    parse_range,
    render_json,
    render_markdown,
    rules_markdown,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "api-changes.md"


def doc(definitions: dict[str, Any] | None = None, paths: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "swagger": "2.0",
        "produces": ["application/json", "text/plain"],
        "consumes": ["application/json", "text/plain"],
        "definitions": definitions or {},
        "paths": paths or {},
    }


def op(op_id: str, *, tag: str = "Container", params: list[Any] | None = None, **extra: Any) -> dict[str, Any]:
    """An operation; `extra` keys (`responses`, `produces`, `x-docker-stream-item`…) are set as given."""
    out: dict[str, Any] = {"operationId": op_id, "tags": [tag], "responses": {200: {"description": "ok"}}}
    if params is not None:
        out["parameters"] = params
    out.update(extra)
    return out


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/definitions/{name}"}


def changes(a: dict[str, Any], b: dict[str, Any], *, descriptions: bool = False) -> list[Change]:
    return [c for c in diff_specs(a, b) if descriptions or c.cls != DESCRIPTION]


def only(a: dict[str, Any], b: dict[str, Any], **kw: Any) -> Change:
    found = changes(a, b, **kw)
    assert len(found) == 1, [c.message for c in found]
    return found[0]


def kinds(found: list[Change]) -> set[tuple[str, str]]:
    return {(c.kind, c.cls) for c in found}


# A request model (body of a create) and a response model (body of an inspect), and one used both ways.
def models_doc(
    request: dict[str, Any], response: dict[str, Any], shared: dict[str, Any] | None = None
) -> dict[str, Any]:
    definitions = {"Req": request, "Resp": response}
    paths: dict[str, Any] = {
        "/things/create": {"post": op("ThingCreate", params=[{"name": "body", "in": "body", "schema": ref("Req")}])},
        "/things/{id}/json": {"get": op("ThingInspect", responses={200: {"description": "ok", "schema": ref("Resp")}})},
    }
    if shared is not None:
        definitions["Shared"] = shared
        paths["/shared"] = {
            "post": op(
                "ThingShared",
                params=[{"name": "body", "in": "body", "schema": ref("Shared")}],
                responses={200: {"description": "ok", "schema": ref("Shared")}},
            )
        }
    return doc(definitions, paths)


def obj(**props: Any) -> dict[str, Any]:
    return {"type": "object", "properties": props}


# -- identity and invariance ----------------------------------------------------------


def test_identical_and_reordered_documents_have_no_changes() -> None:
    a = models_doc(
        obj(
            Name={"type": "string", "enum": ["a", "b"]},
            Labels={"type": "object", "additionalProperties": {"type": "string"}},
        ),
        {**obj(Id={"type": "string", "description": "The  id.\n"}), "required": ["Id"]},
    )
    b = json.loads(json.dumps(a))
    b["definitions"]["Req"]["properties"]["Name"]["enum"] = ["b", "a"]
    b["definitions"]["Resp"]["properties"]["Id"]["description"] = "The id."
    b["definitions"] = dict(reversed(list(b["definitions"].items())))
    b["paths"] = dict(reversed(list(b["paths"].items())))
    assert diff_specs(a, a) == []
    assert diff_specs(a, b) == []


def test_ref_and_identical_inline_schema_are_equal() -> None:
    target = obj(X={"type": "integer"}, Y={"type": "array", "items": {"type": "string"}})
    a = doc({"T": target, "Outer": obj(t=ref("T"))})
    b = doc({"T": target, "Outer": obj(t=copy.deepcopy(target))})
    assert diff_specs(a, b) == []
    assert diff_specs(b, a) == []


def test_ref_to_same_name_is_compared_once_as_a_model() -> None:
    a = doc({"T": obj(X={"type": "integer"}), "Outer": obj(t=ref("T")), "Other": obj(t=ref("T"))})
    b = copy.deepcopy(a)
    b["definitions"]["T"]["properties"]["Z"] = {"type": "string"}
    c = only(a, b)
    assert (c.kind, c.model, c.pointer, c.cls) == ("property-added", "T", "Z", NON_BREAKING)


def test_ref_renamed_to_identical_schema_is_a_non_breaking_rename() -> None:
    schema = obj(Id={"type": "string"})
    a = doc(
        {"IdResponse": schema},
        {"/x": {"post": op("XCreate", responses={201: {"description": "", "schema": ref("IdResponse")}})}},
    )
    b = doc(
        {"IDResponse": schema},
        {"/x": {"post": op("XCreate", responses={201: {"description": "", "schema": ref("IDResponse")}})}},
    )
    found = changes(a, b)
    assert kinds(found) == {("ref-renamed", NON_BREAKING), ("model-removed", BREAKING), ("model-added", NON_BREAKING)}
    renamed = next(c for c in found if c.kind == "ref-renamed")
    assert (renamed.location, renamed.old, renamed.new) == ("response:201", "IdResponse", "IDResponse")


def test_ref_to_another_schema_reports_the_differences() -> None:
    a = doc({"Old": obj(A={"type": "string"}), "Outer": obj(t=ref("Old"))})
    b = doc({"Old": obj(A={"type": "string"}), "New": obj(B={"type": "string"}), "Outer": obj(t=ref("New"))})
    found = [c for c in changes(a, b) if c.model == "Outer"]
    assert [(c.kind, c.pointer, c.cls) for c in found] == [
        ("ref-changed", "t", NON_BREAKING),
        ("property-removed", "t.A", BREAKING),
        ("property-added", "t.B", NON_BREAKING),
    ]


def test_recursive_schemas_terminate() -> None:
    a = doc(
        {
            "Node": obj(children={"type": "array", "items": ref("Node")}, name={"type": "string"}),
            "Root": obj(n=ref("Node")),
        }
    )
    b = doc(
        {
            "Node2": obj(children={"type": "array", "items": ref("Node2")}, name={"type": "integer"}),
            "Root": obj(n=ref("Node2")),
        }
    )
    found = [c for c in changes(a, b) if c.model == "Root"]
    assert ("type-changed", "n.name") in {(c.kind, c.pointer) for c in found}
    assert len(found) < 10


# -- operations ---------------------------------------------------------------------


def test_operation_added_removed_renamed_and_retagged() -> None:
    a = doc(
        paths={
            "/a": {"get": op("ContainerA")},
            "/old": {"get": op("ContainerOld")},
            "/x": {"head": op("XHead", tag="X (experimental)")},
        }
    )
    b = doc(
        paths={
            "/a": {"get": op("ContainerB")},
            "/new": {"get": op("ContainerNew")},
            "/x": {"head": op("XHead", tag="X")},
        }
    )
    found = {(c.kind, c.method, c.path, c.cls) for c in changes(a, b)}
    assert found == {
        ("operation-id-changed", "GET", "/a", BREAKING),
        ("operation-removed", "GET", "/old", BREAKING),
        ("operation-added", "GET", "/new", NON_BREAKING),
        ("operation-tag-changed", "HEAD", "/x", NON_BREAKING),
    }


def test_reverse_order_reverses_the_changes() -> None:
    a = doc(paths={"/a": {"get": op("ContainerA")}})
    b = doc(paths={"/a": {"get": op("ContainerA")}, "/b": {"get": op("ContainerB")}})
    assert only(a, b).kind == "operation-added"
    assert (only(b, a).kind, only(b, a).cls) == ("operation-removed", BREAKING)


# -- parameters -----------------------------------------------------------------------


def with_params(*params: dict[str, Any]) -> dict[str, Any]:
    return doc(paths={"/c": {"post": op("ContainerC", params=list(params))}})


Q = {"name": "q", "in": "query", "type": "string"}


@pytest.mark.parametrize(
    ("old", "new", "kind", "cls"),
    [
        ([], [Q], "parameter-added", NON_BREAKING),
        ([], [{**Q, "required": True}], "parameter-added", BREAKING),
        ([Q], [], "parameter-removed", BREAKING),
        ([Q], [{**Q, "required": True}], "parameter-required-changed", BREAKING),
        ([{**Q, "required": True}], [Q], "parameter-required-changed", NON_BREAKING),
        ([Q], [{**Q, "type": "integer"}], "type-changed", BREAKING),
        ([{**Q, "type": "integer"}], [{**Q, "type": "number"}], "type-changed", NON_BREAKING),  # widened request
        (
            [{**Q, "type": "integer", "format": "int32"}],
            [{**Q, "type": "integer", "format": "int64"}],
            "format-changed",
            NON_BREAKING,
        ),
        ([{**Q, "format": "date-time"}], [{**Q, "format": "binary"}], "format-changed", BREAKING),
        ([{**Q, "enum": ["a", "b"]}], [{**Q, "enum": ["a"]}], "enum-values-removed", BREAKING),
        ([{**Q, "enum": ["a"]}], [{**Q, "enum": ["a", "b"]}], "enum-values-added", NON_BREAKING),
        ([Q], [{**Q, "enum": ["a"]}], "enum-added", BREAKING),
        ([{**Q, "enum": ["a"]}], [Q], "enum-removed", NON_BREAKING),
        ([{**Q, "default": "x"}], [{**Q, "default": "y"}], "default-changed", BREAKING),
        ([Q], [{**Q, "default": "y"}], "default-changed", NON_BREAKING),
        ([Q], [{**Q, "pattern": "^a$"}], "constraint-changed", BREAKING),
        (
            [{**Q, "type": "integer", "maximum": 5}],
            [{**Q, "type": "integer", "maximum": 9}],
            "constraint-changed",
            NON_BREAKING,
        ),
        (
            [{**Q, "type": "array", "items": {"type": "string"}}],
            [{**Q, "type": "array", "items": {"type": "string"}, "collectionFormat": "multi"}],
            "collection-format-changed",
            BREAKING,
        ),
        ([Q], [{**Q, "in": "header"}], "parameter-location-changed", BREAKING),
    ],
)
def test_parameter_changes(old: list[dict[str, Any]], new: list[dict[str, Any]], kind: str, cls: str) -> None:
    c = only(with_params(*old), with_params(*new))
    assert (c.kind, c.cls, c.operation) == (kind, cls, "ContainerC")
    assert c.location.startswith("parameter:")


def test_header_parameter_names_are_case_insensitive() -> None:
    a = with_params({"name": "X-Registry-Auth", "in": "header", "type": "string"})
    b = with_params({"name": "X-Registry-AUTH", "in": "header", "type": "string"})
    assert changes(a, b) == []


# -- request bodies and responses -------------------------------------------------------


BODY = {"name": "body", "in": "body", "schema": {"type": "object", "properties": {"A": {"type": "string"}}}}


@pytest.mark.parametrize(
    ("old", "new", "kind", "cls"),
    [
        ([], [BODY], "request-body-added", NON_BREAKING),
        ([], [{**BODY, "required": True}], "request-body-added", BREAKING),
        ([BODY], [], "request-body-removed", BREAKING),
        ([BODY], [{**BODY, "required": True}], "request-body-required-changed", BREAKING),
        ([BODY], [{**BODY, "name": "config"}], None, None),  # the body's name does not matter
    ],
)
def test_request_body_changes(old: list[Any], new: list[Any], kind: str | None, cls: str | None) -> None:
    found = changes(with_params(*old), with_params(*new))
    if kind is None:
        assert found == []
    else:
        assert [(c.kind, c.cls, c.location) for c in found] == [(kind, cls, "request-body")]


def test_request_body_schema_and_media_types() -> None:
    body_a = {**BODY, "schema": obj(A={"type": "string"}, B={"type": "string"})}
    body_b = {**BODY, "schema": {**obj(A={"type": "string"}, C={"type": "string"}), "required": ["C"]}}
    a = doc(
        paths={"/c": {"post": op("ContainerC", params=[body_a], consumes=["application/json", "application/x-tar"])}}
    )
    b = doc(paths={"/c": {"post": op("ContainerC", params=[body_b], consumes=["application/json", "text/plain"])}})
    found = {(c.kind, c.pointer, c.cls) for c in changes(a, b)}
    assert found == {
        ("property-removed", "B", BREAKING),
        ("property-added", "C", BREAKING),  # a required field in a request
        ("request-content-type-removed", "", BREAKING),
        ("request-content-type-added", "", NON_BREAKING),
    }


def responses_doc(responses: dict[Any, Any], **extra: Any) -> dict[str, Any]:
    return doc(paths={"/c": {"get": op("ContainerC", responses=responses, **extra)}})


def test_response_codes_bodies_headers_and_media_types() -> None:
    a = responses_doc(
        {
            200: {
                "description": "",
                "schema": obj(Id={"type": "string"}),
                "headers": {"X-Old": {"type": "string"}, "X-T": {"type": "string"}},
            },
            204: {"description": ""},
            304: {"description": "", "schema": {"type": "object"}},
            404: {"description": ""},
        },
        produces=["application/json", "text/plain"],
    )
    b = responses_doc(
        {
            200: {
                "description": "",
                "schema": obj(Id={"type": "string"}),
                "headers": {"x-new": {"type": "string"}, "X-T": {"type": "integer"}},
            },
            201: {"description": ""},
            304: {"description": ""},
            500: {"description": "", "schema": {"type": "object"}},
        },
        produces=["application/json", "application/x-ndjson"],
    )
    found = {(c.kind, c.location, c.cls) for c in changes(a, b)}
    assert found == {
        ("response-content-type-removed", "response", BREAKING),
        ("response-content-type-added", "response", NON_BREAKING),
        ("response-header-removed", "response:200:header:X-Old", BREAKING),
        ("response-header-added", "response:200:header:x-new", NON_BREAKING),
        ("type-changed", "response:200:header:X-T", BREAKING),
        ("response-added", "response:201", NON_BREAKING),
        ("response-removed", "response:204", BREAKING),
        ("response-body-removed", "response:304", NON_BREAKING),
        ("response-removed", "response:404", NON_BREAKING),
        ("response-added", "response:500", NON_BREAKING),
    }
    c = only(
        responses_doc({200: {"description": ""}}),
        responses_doc({200: {"description": "", "schema": {"type": "string"}}}),
    )
    assert (c.kind, c.cls) == ("response-body-added", NON_BREAKING)
    c = only(
        responses_doc({200: {"description": "", "schema": {"type": "string"}}}),
        responses_doc({200: {"description": ""}}),
    )
    assert (c.kind, c.cls) == ("response-body-removed", BREAKING)


def test_stream_message_schema_is_compared() -> None:
    defs = {"Msg": obj(status={"type": "string"}), "Msg2": obj(status={"type": "string"}, id={"type": "string"})}
    a = doc(defs, {"/e": {"get": {**op("SystemEvents"), "x-docker-stream-item": "Msg"}}})
    b = doc(defs, {"/e": {"get": {**op("SystemEvents"), "x-docker-stream-item": "Msg2"}}})
    found = {(c.kind, c.location, c.pointer) for c in changes(a, b) if c.operation}
    assert found == {("ref-changed", "response:stream", ""), ("property-added", "response:stream", "id")}


# -- models -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "kind", "request_cls", "response_cls"),
    [
        ({}, {"N": {"type": "string"}}, "property-added", NON_BREAKING, NON_BREAKING),
        ({"N": {"type": "string"}}, {}, "property-removed", BREAKING, BREAKING),
        ({"N": {"type": "string"}}, {"N": {"type": "integer"}}, "type-changed", BREAKING, BREAKING),
        ({"N": {"type": "number"}}, {"N": {"type": "integer"}}, "type-changed", BREAKING, NON_BREAKING),
        (
            {"N": {"type": "string"}},
            {"N": {"type": "string", "format": "date-time"}},
            "format-changed",
            NON_BREAKING,
            NON_BREAKING,
        ),
        (
            {"N": {"type": "string"}},
            {"N": {"type": "string", "x-nullable": True}},
            "nullable-added",
            NON_BREAKING,
            BREAKING,
        ),
        (
            {"N": {"type": "string", "x-nullable": True}},
            {"N": {"type": "string"}},
            "nullable-removed",
            BREAKING,
            NON_BREAKING,
        ),
        (
            {"N": {"type": "string", "enum": ["a", "b"]}},
            {"N": {"type": "string", "enum": ["a"]}},
            "enum-values-removed",
            BREAKING,
            NON_BREAKING,
        ),
        (
            {"N": {"type": "string", "enum": ["a"]}},
            {"N": {"type": "string", "enum": ["a", "b"]}},
            "enum-values-added",
            NON_BREAKING,
            NON_BREAKING,
        ),
        (
            {"N": {"type": "string", "default": "a"}},
            {"N": {"type": "string", "default": "b"}},
            "default-changed",
            BREAKING,
            NON_BREAKING,
        ),
        (
            {"N": {"type": "object", "additionalProperties": {"type": "string"}}},
            {"N": {"type": "object"}},
            "additional-properties-changed",
            BREAKING,
            BREAKING,
        ),
        (
            {"N": {"type": "object"}},
            {"N": {"type": "object", "additionalProperties": {"type": "string"}}},
            "additional-properties-changed",
            NON_BREAKING,
            NON_BREAKING,
        ),
        (
            {"N": {"type": "object", "additionalProperties": {"type": "string"}}},
            {"N": {"type": "object", "additionalProperties": {"type": "integer"}}},
            "type-changed",
            BREAKING,
            BREAKING,
        ),
    ],
)
def test_property_changes_by_side(
    old: dict[str, Any], new: dict[str, Any], kind: str, request_cls: str, response_cls: str
) -> None:
    a = models_doc(obj(**old), obj(**old), obj(**old))
    b = models_doc(obj(**new), obj(**new), obj(**new))
    found = {c.model: c for c in changes(a, b)}
    assert {m: c.kind for m, c in found.items()} == {"Req": kind, "Resp": kind, "Shared": kind}
    assert found["Req"].cls == request_cls
    assert found["Resp"].cls == response_cls
    # A model both sent and received takes the more severe class.
    assert found["Shared"].cls == (BREAKING if BREAKING in (request_cls, response_cls) else NON_BREAKING)
    assert found["Req"].tag == "Container"


def test_required_changes_by_side() -> None:
    base = obj(N={"type": "string"}, M={"type": "string"})
    req = {**base, "required": ["N"]}
    found = {c.model: (c.kind, c.cls) for c in changes(models_doc(base, base), models_doc(req, req))}
    assert found == {"Req": ("required-added", BREAKING), "Resp": ("required-added", NON_BREAKING)}
    found = {c.model: (c.kind, c.cls) for c in changes(models_doc(req, req), models_doc(base, base))}
    assert found == {"Req": ("required-removed", NON_BREAKING), "Resp": ("required-removed", BREAKING)}
    # A new required field of a request model is breaking; of a response model, not.
    found = {
        c.model: (c.kind, c.cls)
        for c in changes(
            models_doc(base, base),
            models_doc(
                {**obj(**base["properties"], R={"type": "string"}), "required": ["R"]},
                {**obj(**base["properties"], R={"type": "string"}), "required": ["R"]},
            ),
        )
    }
    assert found == {"Req": ("property-added", BREAKING), "Resp": ("property-added", NON_BREAKING)}


def test_changes_deep_inside_nested_schemas_have_their_full_path() -> None:
    def host_config(options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        request = obj(Driver={"type": "string"}, Options={"type": "object", "additionalProperties": options})
        return {"allOf": [ref("Resources"), obj(Binds={"type": "array", "items": {"type": "string"}})]}, request

    hc_a, dr_a = host_config({"type": "string"})
    hc_b, dr_b = host_config({"type": "integer"})
    a = doc({"HostConfig": hc_a, "Resources": obj(DeviceRequests={"type": "array", "items": dr_a})})
    b = doc({"HostConfig": hc_b, "Resources": obj(DeviceRequests={"type": "array", "items": dr_b})})
    c = only(a, b)  # reported once, at the base definition, not again at HostConfig
    assert (c.model, c.pointer, c.kind) == ("Resources", "DeviceRequests[].Options{}", "type-changed")
    assert "`Resources.DeviceRequests[].Options{}`" in c.message


def test_inherited_property_added_to_a_base_is_reported_at_the_base_only() -> None:
    a = doc({"Base": obj(A={"type": "string"}), "Derived": {"allOf": [ref("Base"), obj(B={"type": "string"})]}})
    b = copy.deepcopy(a)
    b["definitions"]["Base"]["properties"]["C"] = {"type": "string"}
    assert [(c.model, c.pointer) for c in changes(a, b)] == [("Base", "C")]
    # A property moved from the base into the derived model is no change of Derived's shape.
    d = doc(
        {
            "Base": obj(A={"type": "string"}),
            "Derived": {"allOf": [obj(A={"type": "string"}), obj(B={"type": "string"})]},
        }
    )
    assert [(c.model, c.kind) for c in changes(a, d)] == []


def test_model_added_and_removed() -> None:
    a = doc({"Gone": obj()})
    b = doc({"New": obj()})
    assert {(c.kind, c.model, c.cls, c.tag) for c in changes(a, b)} == {
        ("model-removed", "Gone", BREAKING, "Unreferenced models"),
        ("model-added", "New", NON_BREAKING, "Unreferenced models"),
    }


# -- deprecations and descriptions -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "deprecated"),
    [
        ("Deprecated: this field is deprecated in API v1.44 and up.", True),
        ("Size.\n\n<p><br /></p>\n\n> **Deprecated**: This field is only propagated when attached", True),
        ("This field was deprecated in Docker 1.9 and is scheduled to be removed", True),
        ("**Deprecated**: This parameter is deprecated and has been renamed", True),
        ("Name of the author, or as specified through MAINTAINER (deprecated) in the Dockerfile.", False),
        ("- `1` is the first generation classic (deprecated) builder in the Docker daemon", False),
        ("The `is-automated` filter is deprecated. The `is_automated` field has\nbeen deprecated by Docker Hub", False),
        ("A plain field.", False),
    ],
)
def test_deprecation_in_descriptions(text: str, deprecated: bool) -> None:
    assert is_deprecated({"description": text}) is deprecated


def test_deprecations_are_their_own_class() -> None:
    a = models_doc(obj(N={"type": "string", "description": "A name."}), obj())
    b = models_doc(obj(N={"type": "string", "description": "A name.\n\n> **Deprecated**: use M."}), obj())
    found = changes(a, b)
    assert [(c.kind, c.cls, c.pointer) for c in found] == [("deprecated", DEPRECATION, "N")]
    assert [c.kind for c in changes(b, a)] == ["undeprecated"]
    flagged = doc(paths={"/s": {"post": op("Session", deprecated=True)}})
    plain = doc(paths={"/s": {"post": op("Session")}})
    c = only(plain, flagged)
    assert (c.kind, c.cls, c.location) == ("deprecated", DEPRECATION, "")
    # Removing a deprecated element is still breaking, and says so.
    c = only(b, models_doc(obj(), obj()))
    assert (c.kind, c.cls) == ("property-removed", BREAKING)
    assert "(it was deprecated)" in c.message


def test_description_changes_are_hidden_unless_asked_and_whitespace_is_ignored() -> None:
    a = models_doc(obj(N={"type": "string", "description": "The name\n of it."}), obj())
    same = models_doc(obj(N={"type": "string", "description": "The   name of it.\n"}), obj())
    other = models_doc(obj(N={"type": "string", "description": "Another name."}), obj())
    assert diff_specs(a, same) == []
    assert changes(a, other) == []
    c = only(a, other, descriptions=True)
    assert (c.kind, c.cls) == ("description-changed", DESCRIPTION)
    step = Step("1.1", "1.2", diff_specs(a, other))
    assert "description-only change not shown" in render_markdown([step])
    assert "Description changes" in render_markdown([step], descriptions=True)
    assert json.loads(render_json([step]))["steps"][0]["hidden_descriptions"] == 1


# -- output ----------------------------------------------------------------------------------


def sample_step() -> Step:
    a = models_doc(obj(N={"type": "string"}), obj(Id={"type": "string"}))
    a["paths"]["/volumes/{name}"] = {"delete": op("VolumeDelete", tag="Volume")}
    b = models_doc(obj(), obj(Id={"type": "string"}, New={"type": "integer", "description": "Deprecated: no."}))
    b["paths"]["/volumes"] = {"get": op("VolumeList", tag="Volume")}
    return Step("1.40", "1.41", diff_specs(a, b))


def test_markdown_is_grouped_by_tag_then_operation_or_model() -> None:
    text = render_markdown([sample_step()])
    assert text.startswith("# Docker Engine API v1.40 → v1.41\n")
    assert "**2 breaking**, 2 non-breaking, 0 deprecations." in text
    container, volume = text.index("\n## Container\n"), text.index("\n## Volume\n")
    assert container < text.index("### Model `Req`") < volume < text.index("### `GET /volumes` · VolumeList")
    assert "- **breaking** · removed property `Req.N` (`string`)" in text
    assert "- **breaking** · removed operation `DELETE /volumes/{name}` (VolumeDelete)" in text


def test_json_has_the_documented_schema_and_is_deterministic() -> None:
    step = sample_step()
    text = render_json([step])
    assert text == render_json([sample_step()])
    data = json.loads(text)
    assert data["format"] == "docker-engine-api-diff"
    assert data["schema_version"] == 2
    assert (data["from"], data["to"], data["descriptions"]) == ("1.40", "1.41", False)
    assert set(data["summary"]) == set(CLASSES)
    (only_step,) = data["steps"]
    assert set(only_step) == {"from", "to", "summary", "hidden_descriptions", "changes"}
    fields = {
        "class",
        "kind",
        "tag",
        "operation",
        "method",
        "path",
        "model",
        "location",
        "pointer",
        "old",
        "new",
        "message",
        "contents",
    }
    for change in only_step["changes"]:
        assert set(change) == fields
        assert change["class"] in CLASSES
        assert change["kind"] in RULES
    documented = DOCS.read_text()
    for name in fields:
        assert f"`{name}`" in documented


def test_fail_on_levels() -> None:
    step = sample_step()
    assert fails([step], "breaking")
    assert fails([step], "non-breaking")
    assert not fails([step], "none")
    assert not fails([step], None)
    mild = Step("1.1", "1.2", [c for c in step.changes if c.cls == NON_BREAKING])
    assert not fails([mild], "breaking")
    assert not fails([mild], "deprecation")
    assert fails([mild], "non-breaking")
    descriptions = Step("1.1", "1.2", [Change(DESCRIPTION, "description-changed", "X", "m")])
    assert not fails([descriptions], "non-breaking")


def test_ranges() -> None:
    versions = ["1.40", "1.41", "1.42", "1.43"]
    assert parse_range("1.40..1.42", versions) == [("1.40", "1.41"), ("1.41", "1.42")]
    assert parse_range("v1.43..v1.41", versions) == [("1.43", "1.42"), ("1.42", "1.41")]
    assert parse_range("1.41..1.41", versions) == [("1.41", "1.41")]
    with pytest.raises(DiffError):
        parse_range("1.41", versions)
    with pytest.raises(DiffError):
        parse_range("1.39..1.41", versions)


def test_rules_table_is_documented() -> None:
    text = DOCS.read_text()
    begin, end = text.index("<!-- rules:begin -->\n"), text.index("<!-- rules:end -->")
    assert text[begin + len("<!-- rules:begin -->\n") : end] == rules_markdown()
    for kind in RULES:
        assert re.search(rf"`{re.escape(kind)}`", text)
