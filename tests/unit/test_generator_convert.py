"""The converter on small hand-written Swagger documents, one construct each."""

from __future__ import annotations

from typing import Any

import pytest

from generator.convert import ConversionError, convert


def swagger(definitions: dict[str, Any] | None = None, paths: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "swagger": "2.0",
        "info": {"title": "Docker Engine API", "version": "1.99"},
        "produces": ["application/json", "text/plain"],
        "consumes": ["application/json", "text/plain"],
        "definitions": definitions or {},
        "paths": paths or {},
    }


def op(op_id: str, responses: dict[Any, Any], **extra: Any) -> dict[str, Any]:
    return {"operationId": op_id, "tags": ["Container"], "responses": responses, **extra}


def test_x_nullable_ref_becomes_oneof_with_null() -> None:
    doc = convert(
        swagger(
            {
                "A": {"type": "object", "properties": {"b": {"$ref": "#/definitions/B", "x-nullable": True}}},
                "B": {"type": "string"},
            }
        )
    )
    assert doc["components"]["schemas"]["A"]["properties"]["b"] == {
        "oneOf": [{"$ref": "#/components/schemas/B"}, {"type": "null"}]
    }


def test_arrays_maps_and_object_refs_are_nullable_scalars_are_not() -> None:
    doc = convert(
        swagger(
            {
                "A": {
                    "type": "object",
                    "properties": {
                        "List": {"type": "array", "items": {"type": "string"}},
                        "Obj": {"$ref": "#/definitions/B"},
                        "Count": {"type": "integer"},
                        "Maybe": {"type": "integer", "x-nullable": True},
                    },
                },
                "B": {"type": "object", "properties": {"x": {"type": "string"}}},
            }
        )
    )
    props = doc["components"]["schemas"]["A"]["properties"]
    assert props["List"]["type"] == ["array", "null"]
    assert props["Obj"] == {"oneOf": [{"$ref": "#/components/schemas/B"}, {"type": "null"}]}
    assert props["Count"] == {"type": "integer"}
    assert props["Maybe"]["type"] == ["integer", "null"]


def test_inline_objects_are_hoisted_with_readable_names() -> None:
    doc = convert(
        swagger(
            {
                "Parent": {
                    "type": "object",
                    "properties": {
                        "Labels": {"type": "object", "additionalProperties": {"type": "string"}},
                        "Items": {
                            "type": "array",
                            "items": {"type": "object", "properties": {"x": {"type": "string"}}},
                        },
                    },
                }
            }
        )
    )
    schemas = doc["components"]["schemas"]
    assert schemas["ParentLabels"]["additionalProperties"] == {"type": "string"}
    assert schemas["ParentItemsItem"]["properties"]["x"] == {"type": "string"}
    assert schemas["Parent"]["properties"]["Labels"]["oneOf"][0] == {"$ref": "#/components/schemas/ParentLabels"}
    assert schemas["Parent"]["properties"]["Items"]["items"] == {"$ref": "#/components/schemas/ParentItemsItem"}


def test_hoisted_name_never_collides_with_a_definition() -> None:
    doc = convert(
        swagger(
            {
                "AB": {"type": "object", "properties": {"z": {"type": "string"}}},
                "A": {
                    "type": "object",
                    "properties": {"B": {"type": "object", "properties": {"y": {"type": "integer"}}}},
                },
            }
        )
    )
    schemas = doc["components"]["schemas"]
    assert schemas["AB"]["properties"] == {"z": {"type": "string"}}
    assert schemas["AB2"]["properties"] == {"y": {"type": "integer"}}


def test_empty_object_enum_on_maps_is_dropped() -> None:
    doc = convert(
        swagger(
            {
                "C": {
                    "type": "object",
                    "properties": {
                        "ExposedPorts": {"type": "object", "additionalProperties": {"type": "object", "enum": [{}]}}
                    },
                }
            }
        )
    )
    ports = doc["components"]["schemas"]["CExposedPorts"]
    assert ports == {"type": "object", "additionalProperties": {}}


def test_type_list_becomes_anyof_and_datetime_format_is_fixed() -> None:
    doc = convert(
        swagger(
            {
                "C": {
                    "type": "object",
                    "properties": {
                        "Cmd": {"type": ["array", "string"], "items": {"type": "string"}},
                        "At": {"type": "string", "format": "dateTime"},
                    },
                }
            }
        )
    )
    props = doc["components"]["schemas"]["C"]["properties"]
    assert [v["type"] for v in props["Cmd"]["anyOf"]] == [["array", "null"], "string", "null"]
    assert props["At"] == {"type": "string", "format": "date-time"}


def test_x_go_type_naming_a_definition_becomes_a_ref() -> None:
    doc = convert(
        swagger(
            {
                "Volume": {"type": "object", "properties": {"Name": {"type": "string"}}},
                "Usage": {
                    "type": "object",
                    "properties": {"Items": {"type": "array", "items": {"x-go-type": {"type": "Volume"}}}},
                },
            }
        )
    )
    assert doc["components"]["schemas"]["Usage"]["properties"]["Items"]["items"] == {
        "$ref": "#/components/schemas/Volume"
    }


def test_operations_bodies_and_response_kinds() -> None:
    paths = {
        "/containers/{id}/json": {
            "get": op(
                "ContainerInspect",
                {
                    200: {"description": "ok", "schema": {"type": "object", "properties": {"Id": {"type": "string"}}}},
                    404: {"description": "no", "schema": {"$ref": "#/definitions/E"}},
                },
                parameters=[
                    {"name": "id", "in": "path", "required": True, "type": "string"},
                    {"name": "size", "in": "query", "type": "boolean", "default": False},
                ],
            )
        },
        "/containers/{id}/archive": {
            "put": op(
                "PutContainerArchive",
                {200: {"description": "ok"}},
                consumes=["application/x-tar", "application/octet-stream"],
                parameters=[
                    {
                        "name": "inputStream",
                        "in": "body",
                        "required": True,
                        "schema": {"type": "string", "format": "binary"},
                    }
                ],
            ),
            "head": op(
                "ContainerArchiveInfo",
                {200: {"description": "ok", "headers": {"X-Docker-Container-Path-Stat": {"type": "string"}}}},
            ),
        },
        "/containers/{id}/logs": {
            "get": op(
                "ContainerLogs",
                {200: {"description": "ok", "schema": {"type": "string", "format": "binary"}}},
                produces=["application/vnd.docker.multiplexed-stream"],
            )
        },
        "/_ping": {
            "get": op("SystemPing", {200: {"description": "ok", "schema": {"type": "string"}}}, produces=["text/plain"])
        },
        "/images/create": {
            "post": op(
                "ImageCreate",
                {200: {"description": "ok"}},
                produces=["application/x-ndjson"],
                **{"x-docker-stream-item": "E"},
            )
        },
        "/images/{name}/get": {
            "get": op(
                "ImageGet",
                {200: {"description": "ok", "schema": {"type": "string", "format": "binary"}}},
                produces=["application/x-tar"],
            )
        },
        "/containers/{id}/start": {
            "post": op("ContainerStart", {204: {"description": "ok"}, 304: {"description": "already"}})
        },
    }
    doc = convert(swagger({"E": {"type": "object", "properties": {"message": {"type": "string"}}}}, paths))
    inspect = doc["paths"]["/containers/{id}/json"]["get"]
    assert inspect["x-docker-response"] == "json"
    assert "content" not in inspect["responses"]["404"]  # errors raise; no body schema
    assert inspect["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ContainerInspectResponse"
    }
    assert inspect["parameters"][1] == {
        "name": "size",
        "in": "query",
        "required": False,
        "schema": {"type": "boolean", "default": False},
    }
    put = doc["paths"]["/containers/{id}/archive"]["put"]
    assert put["requestBody"]["x-docker-request"] == "application/x-tar"
    assert list(put["requestBody"]["content"]) == ["application/octet-stream"]
    assert doc["paths"]["/containers/{id}/archive"]["head"]["x-docker-response"] == "head"
    kinds = {path: next(iter(item.values()))["x-docker-response"] for path, item in doc["paths"].items()}
    assert kinds["/containers/{id}/logs"] == "multiplexed"
    assert kinds["/_ping"] == "text"
    assert kinds["/images/create"] == "json-stream"
    assert kinds["/images/{name}/get"] == "binary"
    assert kinds["/containers/{id}/start"] == "empty"
    assert doc["paths"]["/images/create"]["post"]["x-docker-stream-item"] == "E"


def test_binary_body_declared_as_json_needs_a_patch() -> None:
    paths = {
        "/x": {
            "get": op("ContainerLogs", {200: {"description": "ok", "schema": {"type": "string", "format": "binary"}}})
        }
    }
    with pytest.raises(ConversionError, match="ContainerLogs: binary body declared as"):
        convert(swagger(paths=paths))


def test_unknown_ref_and_non_swagger_are_clear_errors() -> None:
    with pytest.raises(ConversionError, match="missing definition 'Nope'"):
        convert(swagger({"A": {"type": "object", "properties": {"x": {"$ref": "#/definitions/Nope"}}}}))
    with pytest.raises(ConversionError, match=r"not a Swagger 2\.0 document"):
        convert({"openapi": "3.0.0"})


def test_conversion_does_not_depend_on_key_order() -> None:
    a = {
        "A": {"type": "object", "properties": {"x": {"type": "string"}, "y": {"type": "integer"}}},
        "B": {"type": "string"},
    }
    b = {
        "B": {"type": "string"},
        "A": {"properties": {"y": {"type": "integer"}, "x": {"type": "string"}}, "type": "object"},
    }
    assert convert(swagger(a))["components"] == convert(swagger(b))["components"]


def test_properties_beside_allof_are_kept() -> None:
    doc = convert(
        swagger(
            {
                "Base": {"type": "object", "properties": {"Name": {"type": "string"}}},
                "Inspect": {"allOf": [{"$ref": "#/definitions/Base"}], "properties": {"Extra": {"type": "integer"}}},
            }
        )
    )
    parts = doc["components"]["schemas"]["Inspect"]["allOf"]
    assert parts[0] == {"$ref": "#/components/schemas/Base"}
    assert parts[1]["properties"] == {"Extra": {"type": "integer"}}
