"""generator/history.py: in which versions each operation, parameter, model and field exists."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from generator.convert import convert
from generator.diff import Spec, load_version, manifest_versions
from generator.history import (
    History,
    build_history,
    describe,
    field_key,
    history_from_indexes,
    index_spec,
    model_key,
    op_key,
    param_key,
    route_key,
)
from generator.manifest import mirror_dir

needs_specs = pytest.mark.skipif(
    mirror_dir() is None, reason="spec mirror ../shared/specs (or $SPEC_MIRROR) not present"
)


def doc(definitions: dict[str, Any], paths: dict[str, Any]) -> dict[str, Any]:
    return {
        "swagger": "2.0",
        "produces": ["application/json"],
        "consumes": ["application/json"],
        "definitions": definitions,
        "paths": paths,
    }


def v1() -> dict[str, Any]:
    return doc(
        {
            "Resources": {"type": "object", "properties": {"CpuShares": {"type": "integer"}}},
            "HostConfig": {
                "allOf": [
                    {"$ref": "#/definitions/Resources"},
                    {
                        "type": "object",
                        "properties": {
                            "LogConfig": {"type": "object", "properties": {"Type": {"type": "string"}}},
                            "Devices": {
                                "type": "array",
                                "items": {"type": "object", "properties": {"Path": {"type": "string"}}},
                            },
                        },
                    },
                ]
            },
        },
        {
            "/containers/json": {
                "get": {
                    "operationId": "ContainerList",
                    "tags": ["Container"],
                    "parameters": [{"name": "all", "in": "query", "type": "boolean"}],
                    "responses": {
                        200: {"description": "", "schema": {"type": "object", "properties": {"Id": {"type": "string"}}}}
                    },
                }
            },
            "/containers/create": {
                "post": {
                    "operationId": "ContainerCreate",
                    "tags": ["Container"],
                    "parameters": [
                        {
                            "name": "config",
                            "in": "body",
                            "schema": {
                                "type": "object",
                                "properties": {"HostConfig": {"$ref": "#/definitions/HostConfig"}},
                            },
                        }
                    ],
                    "responses": {201: {"description": ""}},
                }
            },
        },
    )


def v2() -> dict[str, Any]:
    d = v1()
    d["definitions"]["Resources"]["properties"]["CpuShares"]["type"] = "string"
    del d["definitions"]["HostConfig"]["allOf"][1]["properties"]["Devices"]
    d["paths"]["/containers/json"]["get"]["parameters"].append({"name": "size", "in": "query", "type": "boolean"})
    return d


def v3() -> dict[str, Any]:
    d = v1()
    del d["paths"]["/containers/json"]
    return d


@pytest.fixture
def history() -> History:
    return history_from_indexes(["1.40", "1.41", "1.42"], [index_spec(Spec(v())) for v in (v1, v2, v3)])


def test_keys_and_versions(history: History) -> None:
    assert history.added_in(op_key("ContainerList")) == "1.40"
    assert history.removed_after(op_key("ContainerList")) == "1.41"
    assert history.removed_after(route_key("get", "/containers/json")) == "1.41"
    assert history.removed_after(op_key("ContainerCreate")) is None
    assert history.spans(param_key("ContainerList", "query", "size")) == [("1.41", "1.41")]
    assert history.versions_of(param_key("ContainerCreate", "body", "config")) == ["1.40", "1.41", "1.42"]
    assert param_key("ContainerCreate", "body", "config") == "param:ContainerCreate:body:body"
    assert history.exists_in(field_key("HostConfig", "Devices[].Path"), "v1.40")
    assert history.spans(field_key("HostConfig", "Devices")) == [("1.40", "1.40"), ("1.42", "1.42")]
    assert history.removed_after(field_key("HostConfig", "Devices")) is None  # back in the newest version
    assert history.added_in(field_key("HostConfig", "CpuShares")) == "1.40"  # inherited through allOf
    assert history.added_in(model_key("ContainerListResponse")) == "1.40"  # an inline body, the converter's name
    assert history.added_in(field_key("ContainerCreateRequest", "HostConfig")) == "1.40"
    assert history.type_history(field_key("Resources", "CpuShares")) == [
        ("1.40", "integer"),
        ("1.41", "string"),
        ("1.42", "integer"),
    ]
    assert history.type_history(op_key("ContainerCreate")) == []
    with pytest.raises(KeyError):
        history.added_in("field:Nope.Nope")


def test_hoisted_class_names(history: History) -> None:
    assert history.component_path("HostConfigLogConfig") == "HostConfig.LogConfig"
    assert history.component_path("HostConfigDevicesItem") == "HostConfig.Devices[]"
    assert history.component_field_key("HostConfigLogConfig", "Type") == "field:HostConfig.LogConfig.Type"
    assert history.component_key("HostConfigDevicesItem") == "field:HostConfig.Devices[]"
    assert history.component_key("HostConfig") == "model:HostConfig"
    assert history.component_path("ResourcesCpuShares") is None


def test_resolve(history: History) -> None:
    assert history.resolve("ContainerList") == ["op:ContainerList"]
    assert history.resolve("GET /containers/json") == ["route:GET /containers/json"]
    assert history.resolve("ContainerList.all") == ["param:ContainerList:query:all"]
    assert history.resolve("HostConfig.LogConfig.Type") == ["field:HostConfig.LogConfig.Type"]
    assert history.resolve("HostConfigLogConfig.Type") == ["field:HostConfig.LogConfig.Type"]
    assert history.resolve("field:HostConfig.CpuShares") == ["field:HostConfig.CpuShares"]
    assert history.resolve("Nothing") == []
    assert "removed after: v1.41" in describe(history, "op:ContainerList")


def test_json_round_trip_is_stable_and_compact(history: History) -> None:
    text = history.to_json()
    assert " " not in text.replace("GET /", "").replace("POST /", "")
    data = json.loads(text)
    assert data["format"] == "docker-engine-api-history" and data["schema_version"] == 1
    assert data["keys"]["field:HostConfig.Devices"] == "1.40-1.40,1.42-1.42"
    assert data["types"]["field:Resources.CpuShares"] == [["1.40", "integer"], ["1.41", "string"], ["1.42", "integer"]]
    again = History.from_json(text)
    assert again == history
    assert again.to_json() == text
    with pytest.raises(ValueError):
        History.from_json(json.dumps({**data, "schema_version": 99}))


@needs_specs
def test_real_history() -> None:
    started = time.perf_counter()
    history = build_history(jobs=None)
    elapsed = time.perf_counter() - started
    assert elapsed < 30, f"build_history took {elapsed:.1f} s"
    assert history.versions == tuple(manifest_versions())
    assert history.added_in("field:ContainerInspectResponse.ImageManifestDescriptor") == "1.48"
    assert history.removed_after("field:ImageInspect.VirtualSize") == "1.43"
    assert history.added_in(param_key("ContainerStop", "query", "signal")) == "1.42"
    assert history.added_in(op_key("VolumeUpdate")) == "1.42"
    assert history.removed_after(op_key("ContainerArchiveHead")) == "1.27"
    assert history.added_in(op_key("ContainerArchiveInfo")) == "1.28"
    assert history.removed_after(route_key("HEAD", "/containers/{id}/archive")) is None
    assert history.type_history("field:ContainerConfig.Cmd") == [("1.30", "array|string"), ("1.35", "array[string]")]
    assert history.type_history(param_key("ImageGet", "query", "platform"))[-1] == ("1.52", "array[string]")
    assert history.removed_after("field:SystemInfo.ClusterStore") == "1.41"
    assert history.added_in("field:HostConfig.CpuShares") == "1.25"
    assert history.component_path("HostConfigLogConfig") == "HostConfig.LogConfig"
    assert History.from_json(history.to_json()) == history


@needs_specs
@pytest.mark.parametrize("version", ["1.25", "1.41", "1.52", "1.56"])
def test_hoisted_names_match_the_converter(version: str) -> None:
    """Every class the converter hoists out of an inline object is known by its dotted path."""
    spec = load_version(version)
    keys, aliases = index_spec(spec)
    components = set(convert(spec.swagger)["components"]["schemas"])
    hoisted = components - set(spec.definitions)
    models = {k.removeprefix("model:") for k in keys if k.startswith("model:")}
    assert hoisted - set(aliases) - models == set()
    assert models - set(spec.definitions) <= components
    # The converter drops `properties` written next to `allOf` (NetworkInspect from 1.52 on), so the
    # classes of those properties are not generated; any other name must be a generated class.
    assert {a for a in set(aliases) - components if not a.startswith("NetworkInspect")} == set()
