"""The semantic diff on the real specs: changes found by reading the specs, invariance, speed, the changelog.

Needs the spec mirror (../shared/specs, or $SPEC_MIRROR); skipped without it.
"""

from __future__ import annotations

import copy
import itertools
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.diff import (
    BREAKING,
    DEPRECATION,
    DESCRIPTION,
    NON_BREAKING,
    RULES,
    Change,
    Step,
    diff_specs,
    diff_versions,
    load_file,
    load_version,
    manifest_versions,
    render_step_markdown,
    stale_changelog,
)
from generator.manifest import fetch, load_manifest, mirror_dir, select
from generator.parse import load_swagger
from generator.patch import load_patches

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(
    mirror_dir() is None, reason="spec mirror ../shared/specs (or $SPEC_MIRROR) not present"
)


@dataclass
class Real:
    steps: dict[tuple[str, str], Step]
    self_diffs: dict[str, list[Change]]
    elapsed: float


@pytest.fixture(scope="module")
def real() -> Real:
    """Every consecutive pair diffed once, and every version against itself (each spec is loaded once)."""
    versions = manifest_versions()
    started = time.perf_counter()
    steps = {(a, b): diff_versions(a, b) for a, b in itertools.pairwise(versions)}
    elapsed = time.perf_counter() - started
    self_diffs = {}
    for a, b in steps:  # the last two versions loaded are still cached
        for v in (b, a) if b == versions[-1] else (a,):
            spec = load_version(v)
            self_diffs[v] = diff_specs(spec, spec)
    return Real(steps, self_diffs, elapsed)


@pytest.fixture(scope="module")
def steps(real: Real) -> dict[tuple[str, str], list[Change]]:
    return {pair: step.changes for pair, step in real.steps.items()}


def test_all_consecutive_pairs_within_sixty_seconds(real: Real) -> None:
    assert len(real.steps) == 31
    assert real.elapsed <= 60, f"31 consecutive diffs took {real.elapsed:.1f} s"


def find(changes: list[Change], kind: str, **attrs: Any) -> Change:
    found = [c for c in changes if c.kind == kind and all(getattr(c, k) == v for k, v in attrs.items())]
    assert len(found) == 1, f"{kind} {attrs}: {[c.message for c in found] or 'not found'}"
    return found[0]


# (old, new, kind, attributes identifying the change, expected class)
REAL_CHANGES: list[tuple[str, str, str, dict[str, Any], str]] = [
    # operations
    (
        "1.41",
        "1.42",
        "operation-added",
        {"operation": "VolumeUpdate", "method": "PUT", "path": "/volumes/{name}"},
        NON_BREAKING,
    ),
    ("1.29", "1.30", "operation-added", {"operation": "ConfigList", "path": "/configs"}, NON_BREAKING),
    ("1.54", "1.55", "operation-added", {"operation": "ImageAttestations"}, NON_BREAKING),
    (
        "1.27",
        "1.28",
        "operation-id-changed",
        {
            "method": "HEAD",
            "path": "/containers/{id}/archive",
            "old": "ContainerArchiveHead",
            "new": "ContainerArchiveInfo",
        },
        BREAKING,
    ),
    (
        "1.39",
        "1.40",
        "operation-tag-changed",
        {"operation": "Session", "old": "Session (experimental)", "new": "Session"},
        NON_BREAKING,
    ),
    # parameters
    (
        "1.41",
        "1.42",
        "parameter-added",
        {"operation": "ContainerStop", "location": "parameter:query:signal"},
        NON_BREAKING,
    ),
    (
        "1.26",
        "1.27",
        "parameter-added",
        {"operation": "GetPluginPrivileges", "location": "parameter:query:remote"},
        BREAKING,
    ),
    (
        "1.26",
        "1.27",
        "parameter-removed",
        {"operation": "GetPluginPrivileges", "location": "parameter:query:name"},
        BREAKING,
    ),
    (
        "1.51",
        "1.52",
        "parameter-removed",
        {"operation": "BuildPrune", "location": "parameter:query:keep-storage"},
        BREAKING,
    ),
    (
        "1.51",
        "1.52",
        "type-changed",
        {"operation": "ImageGet", "location": "parameter:query:platform", "old": "string", "new": "array[string]"},
        BREAKING,
    ),
    (
        "1.51",
        "1.52",
        "collection-format-changed",
        {"operation": "ImageLoad", "location": "parameter:query:platform", "new": "multi"},
        BREAKING,
    ),
    (
        "1.38",
        "1.39",
        "enum-added",
        {"operation": "ServiceUpdate", "location": "parameter:query:registryAuthFrom"},
        BREAKING,
    ),
    (
        "1.27",
        "1.28",
        "enum-values-removed",
        {"operation": "ImageBuild", "location": "parameter:header:Content-type", "old": ["application/tar"]},
        BREAKING,
    ),
    (
        "1.27",
        "1.28",
        "default-changed",
        {"operation": "ImageBuild", "location": "parameter:header:Content-type", "new": "application/x-tar"},
        BREAKING,
    ),
    (
        "1.38",
        "1.39",
        "constraint-changed",
        {"operation": "ContainerCreate", "location": "parameter:query:name", "new": "^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$"},
        BREAKING,
    ),
    # request bodies, responses, media types, headers
    (
        "1.34",
        "1.35",
        "request-content-type-removed",
        {"operation": "NetworkConnect", "old": ["application/octet-stream"]},
        BREAKING,
    ),
    (
        "1.51",
        "1.52",
        "required-added",
        {"operation": "NetworkConnect", "location": "request-body", "pointer": "Container"},
        BREAKING,
    ),
    (
        "1.45",
        "1.46",
        "property-removed",
        {"operation": "NetworkCreate", "location": "request-body", "pointer": "CheckDuplicate"},
        BREAKING,
    ),
    (
        "1.39",
        "1.40",
        "response-content-type-removed",
        {"operation": "ServiceLogs", "old": ["application/json"]},
        BREAKING,
    ),
    (
        "1.51",
        "1.52",
        "response-content-type-added",
        {"operation": "SystemEvents", "new": ["application/json-seq"]},
        NON_BREAKING,
    ),
    ("1.26", "1.27", "response-added", {"operation": "NodeList", "location": "response:503"}, NON_BREAKING),
    (
        "1.38",
        "1.39",
        "response-body-removed",
        {"operation": "ContainerStart", "location": "response:304"},
        NON_BREAKING,
    ),
    (
        "1.41",
        "1.42",
        "response-header-added",
        {"operation": "SystemPing", "location": "response:200:header:Swarm"},
        NON_BREAKING,
    ),
    (
        "1.47",
        "1.48",
        "property-added",
        {"operation": "ContainerInspect", "location": "response:200", "pointer": "ImageManifestDescriptor"},
        NON_BREAKING,
    ),
    (
        "1.43",
        "1.44",
        "property-removed",
        {"operation": "ServiceCreate", "location": "response:201", "pointer": "Warning"},
        BREAKING,
    ),
    (
        "1.47",
        "1.48",
        "ref-renamed",
        {"operation": "ContainerExec", "location": "response:201", "old": "IdResponse", "new": "IDResponse"},
        NON_BREAKING,
    ),
    # models and fields
    ("1.47", "1.48", "model-removed", {"model": "IdResponse"}, BREAKING),
    ("1.41", "1.42", "model-added", {"model": "ClusterVolume"}, NON_BREAKING),
    ("1.41", "1.42", "property-removed", {"model": "BuildCache", "pointer": "Parent"}, BREAKING),
    ("1.41", "1.42", "property-added", {"model": "BuildCache", "pointer": "Parents"}, NON_BREAKING),
    ("1.41", "1.42", "property-added", {"model": "Mount", "pointer": "BindOptions.CreateMountpoint"}, NON_BREAKING),
    (
        "1.30",
        "1.31",
        "type-changed",
        {"model": "ConfigSpec", "pointer": "Data", "old": "array[string]", "new": "string"},
        BREAKING,
    ),
    ("1.34", "1.35", "type-changed", {"model": "HostConfig", "pointer": "PortBindings{}"}, BREAKING),
    (
        "1.31",
        "1.32",
        "format-changed",
        {"model": "ObjectVersion", "pointer": "Index", "old": "int64", "new": "uint64"},
        NON_BREAKING,
    ),
    ("1.41", "1.42", "nullable-added", {"model": "HostConfig", "pointer": "ConsoleSize"}, BREAKING),
    ("1.51", "1.52", "nullable-removed", {"model": "Network", "pointer": "Peers"}, NON_BREAKING),
    ("1.42", "1.43", "required-removed", {"model": "ImageSummary", "pointer": "VirtualSize"}, BREAKING),
    ("1.41", "1.42", "enum-values-added", {"model": "MountType", "pointer": "", "new": ["cluster"]}, NON_BREAKING),
    ("1.47", "1.48", "enum-added", {"model": "ContainerSummary", "pointer": "State"}, NON_BREAKING),
    ("1.40", "1.41", "additional-properties-changed", {"model": "IPAM", "pointer": "Config[]"}, BREAKING),
    ("1.38", "1.39", "default-changed", {"model": "SystemInfo", "pointer": "Runtimes"}, NON_BREAKING),
    (
        "1.47",
        "1.48",
        "constraint-changed",
        {"model": "ContainerSummary", "pointer": "Id", "new": "^[0-9a-fA-F]{64}$"},
        NON_BREAKING,
    ),
    (
        "1.46",
        "1.47",
        "ref-renamed",
        {"model": "ImageInspect", "pointer": "GraphDriver", "old": "GraphDriverData", "new": "DriverData"},
        NON_BREAKING,
    ),
    (
        "1.29",
        "1.30",
        "ref-changed",
        {"model": "Secret", "pointer": "Spec", "old": "ServiceSpec", "new": "SecretSpec"},
        NON_BREAKING,
    ),
    # deprecations
    ("1.43", "1.44", "deprecated", {"model": "ServiceSpec", "pointer": "Networks"}, DEPRECATION),
    (
        "1.47",
        "1.48",
        "deprecated",
        {"operation": "BuildPrune", "location": "parameter:query:keep-storage"},
        DEPRECATION,
    ),
    ("1.52", "1.53", "deprecated", {"operation": "Session", "location": ""}, DEPRECATION),
    (
        "1.43",
        "1.44",
        "deprecated",
        {"operation": "NetworkCreate", "location": "request-body", "pointer": "CheckDuplicate"},
        DEPRECATION,
    ),
]


@pytest.mark.parametrize(("old", "new", "kind", "attrs", "cls"), REAL_CHANGES)
def test_real_change(
    steps: dict[tuple[str, str], list[Change]], old: str, new: str, kind: str, attrs: dict[str, Any], cls: str
) -> None:
    assert find(steps[(old, new)], kind, **attrs).cls == cls


def test_real_changes_cover_every_kind_of_change() -> None:
    covered = {kind for _, _, kind, _, _ in REAL_CHANGES}
    pairs = {(a, b) for a, b, _, _, _ in REAL_CHANGES}
    assert len(REAL_CHANGES) >= 20 and len(pairs) >= 10
    # Kinds that no consecutive pair of the real specs exhibits are covered by tests/unit/test_diff.py.
    never_seen = {
        "operation-removed",
        "parameter-location-changed",
        "parameter-required-changed",
        "request-body-added",
        "request-body-removed",
        "request-body-required-changed",
        "request-content-type-added",
        "response-body-added",
        "response-header-removed",
        "response-removed",
        "enum-removed",
        "undeprecated",
        "description-changed",
        "required-added",
    }
    assert set(RULES) - covered <= never_seen


def test_every_consecutive_pair_uses_known_kinds_and_classes(steps: dict[tuple[str, str], list[Change]]) -> None:
    for changes in steps.values():
        for c in changes:
            assert c.kind in RULES
            request, response, _ = RULES[c.kind]
            if request == response and request in (BREAKING, NON_BREAKING, DEPRECATION, DESCRIPTION):
                assert c.cls == request, c
    # No step is empty of description changes only by accident: 1.38 → 1.39 rewrote many descriptions.
    assert sum(c.cls == DESCRIPTION for c in steps[("1.38", "1.39")]) > 50
    assert ("1.55", "1.56") in steps


def test_either_order_reverses_the_changes() -> None:
    forward = diff_versions("1.41", "1.47").changes
    backward = diff_versions("1.47", "1.41").changes
    mirror = {"added": "removed", "removed": "added", "deprecated": "undeprecated", "undeprecated": "deprecated"}

    def reverse(kind: str) -> str:
        head, _, tail = kind.rpartition("-")
        if kind in mirror:
            return mirror[kind]
        return f"{head}-{mirror[tail]}" if tail in mirror else kind

    def key(c: Change, kind: str) -> tuple[Any, ...]:
        return (kind, c.method or "", c.path or "", c.model or "", c.location, c.pointer)

    assert sorted(key(c, reverse(c.kind)) for c in forward) == sorted(key(c, c.kind) for c in backward)
    assert find(backward, "operation-removed", operation="VolumeUpdate").cls == BREAKING


def test_a_version_against_itself_is_empty(real: Real) -> None:
    assert sorted(real.self_diffs, key=lambda v: tuple(map(int, v.split(".")))) == manifest_versions()
    assert all(found == [] for found in real.self_diffs.values())


# Definitions a patch rewrites: an inlined copy of those (made before patching) would not be patched.
PATCHED = {p.definition for p in load_patches()}


def reformat(node: Any, definitions: dict[str, Any], depth: int = 0) -> Any:
    """Reverse every mapping, reverse enums/required/parameters, re-wrap descriptions, and inline the
    first level of bare `$ref`s to object definitions."""
    if isinstance(node, dict):
        if depth > 0 and set(node) == {"$ref"} and depth < 40:
            name = node["$ref"].rsplit("/", 1)[1]
            target = definitions.get(name, {})
            if target.get("type") == "object" and "allOf" not in target and name not in PATCHED:
                return reformat(copy.deepcopy(target), {}, depth + 1)  # nested $refs stay
        out: dict[str, Any] = {}
        for key in reversed(list(node)):
            value = node[key]
            if key == "description" and isinstance(value, str):
                out[key] = "  " + "\n".join(value.split()) + "\n\n"
            elif key in ("enum", "required", "parameters", "produces", "consumes") and isinstance(value, list):
                out[key] = [reformat(v, definitions, depth + 1) for v in reversed(value)]
            elif key in ("example", "examples"):
                out[key] = value
            else:
                out[key] = reformat(value, definitions, depth + 1)
        return out
    if isinstance(node, list):
        return [reformat(v, definitions, depth + 1) for v in node]
    return node


def bare_refs(node: Any) -> int:
    if isinstance(node, dict):
        return (set(node) == {"$ref"}) + sum(bare_refs(v) for v in node.values())
    if isinstance(node, list):
        return sum(bare_refs(v) for v in node)
    return 0


def test_a_reformatted_copy_is_empty(tmp_path: Path) -> None:
    for version in ("1.25", "1.41", "1.52"):
        original = load_version(version)
        (spec,) = select(load_manifest(), [version])
        raw = load_swagger(fetch(spec, mirror_dir()))  # unpatched: load_file patches the copy again
        copied = reformat(raw, raw["definitions"])
        path = tmp_path / f"v{version}.yaml"
        path.write_text(yaml.safe_dump(copied, sort_keys=False, width=50, default_flow_style=True, allow_unicode=True))
        found = diff_specs(original, load_file(path, version))
        assert found == [], [c.message for c in found[:10]]
        assert bare_refs(copied) < bare_refs(raw) - 50  # many $refs were inlined


def test_one_pair_within_three_seconds() -> None:
    load_version.cache_clear()
    started = time.perf_counter()
    step = diff_versions("1.25", "1.56")
    elapsed = time.perf_counter() - started
    assert elapsed <= 3, f"diff 1.25 1.56 took {elapsed:.1f} s"
    assert step.counts()[BREAKING] > 100


def test_checked_in_changelog_is_up_to_date(real: Real) -> None:
    """`docs/api-changes/` is what `python -m generator changelog` writes (this is the CI check)."""
    out = ROOT / "docs" / "api-changes"
    assert (out / "index.md").is_file()
    assert len(list(out.glob("v*-v*.md"))) == 31
    assert stale_changelog(out, steps=list(real.steps.values())) == []
    step = real.steps[("1.41", "1.42")]
    assert render_step_markdown(step) == render_step_markdown(diff_versions("1.41", "1.42"))  # deterministic
    assert render_step_markdown(step) == (out / "v1.41-v1.42.md").read_text()


def test_added_operations_and_models_show_their_contents(steps: dict[tuple[str, str], list[Change]]) -> None:
    """Issue #17: what comes inside something new (the operation's parameters, the model's fields)."""
    added = {c.kind + ":" + (c.operation or c.model or ""): c for c in steps[("1.54", "1.55")] if c.contents}
    operation = added["operation-added:ImageAttestations"].contents
    params = {p["name"]: (p["in"], p["type"], p["required"]) for p in operation["parameters"]}
    assert params["platform"] == ("query", "array[string]", False) and params["name"] == ("path", "string", True)
    assert operation["responses"]["200"] == "array[AttestationStatement]" and operation["request_body"] is None
    model = added["model-added:AttestationStatement"].contents
    assert {f["name"]: f["required"] for f in model["fields"]} == {
        "Descriptor": True,
        "PredicateType": True,
        "Statement": False,
    }
    # Every added or removed operation and model of every step carries its contents; nothing else does.
    for changes in steps.values():
        for change in changes:
            whole = change.kind in ("operation-added", "operation-removed", "model-added", "model-removed")
            assert (change.contents is not None) == whole, change.message
    markdown = (ROOT / "docs" / "api-changes" / "v1.54-v1.55.md").read_text(encoding="utf-8")
    assert (
        "  - parameters: `name` (`string`, path, required), `platform` (`array[string]`, query, optional)" in markdown
    )
