"""Patches, naming, spec fetching, and whole-version generation (determinism, atomicity)."""

from __future__ import annotations

import hashlib
import importlib
import inspect
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import manifest, naming, share
from generator.generate import generate
from generator.manifest import SpecError, SpecVersion, fetch, load_manifest, select
from generator.parse import GenerationError
from generator.patch import PatchError, apply_patches, load_patches

MIRROR = Path(__file__).resolve().parents[3] / "shared" / "specs"
needs_mirror = pytest.mark.skipif(not MIRROR.is_dir(), reason="spec mirror ../shared/specs not present")


def write_patches(tmp_path: Path, entries: list[dict[str, Any]]) -> Path:
    path = tmp_path / "patches.yaml"
    path.write_text(yaml.safe_dump(entries))
    return path


SWAGGER = {
    "swagger": "2.0",
    "definitions": {"A": {"type": "object", "properties": {"x": {"type": "string"}}}},
    "paths": {"/a": {"get": {"operationId": "ContainerA", "responses": {}}}},
}


def test_patch_applies_only_inside_its_version_range(tmp_path: Path) -> None:
    patches = load_patches(
        write_patches(
            tmp_path, [{"why": "w", "versions": ">=1.30 <1.40", "operation": "ContainerA", "set": {"produces": ["x"]}}]
        )
    )
    assert "produces" not in apply_patches(SWAGGER, "1.29", patches)["paths"]["/a"]["get"]
    assert apply_patches(SWAGGER, "1.30", patches)["paths"]["/a"]["get"]["produces"] == ["x"]
    assert apply_patches(SWAGGER, "1.39", patches)["paths"]["/a"]["get"]["produces"] == ["x"]
    assert "produces" not in apply_patches(SWAGGER, "1.40", patches)["paths"]["/a"]["get"]
    assert "produces" not in SWAGGER["paths"]["/a"]["get"]  # the input is not modified


def test_patch_at_path_set_and_delete(tmp_path: Path) -> None:
    patches = load_patches(
        write_patches(
            tmp_path,
            [
                {
                    "why": "w",
                    "definition": "A",
                    "at": "properties/x",
                    "delete": ["type"],
                    "set": {"$ref": "#/definitions/B"},
                }
            ],
        )
    )
    assert apply_patches(SWAGGER, "1.41", patches)["definitions"]["A"]["properties"]["x"] == {"$ref": "#/definitions/B"}


def test_stale_patch_is_an_error_naming_it(tmp_path: Path) -> None:
    patches = load_patches(write_patches(tmp_path, [{"why": "gone", "definition": "Missing", "set": {"a": 1}}]))
    with pytest.raises(PatchError, match=r"v1.41: patch 'gone': definition Missing does not exist"):
        apply_patches(SWAGGER, "1.41", patches)
    patches = load_patches(write_patches(tmp_path, [{"why": "gone", "definition": "A", "delete": ["nope"]}]))
    with pytest.raises(PatchError, match="has no key 'nope'"):
        apply_patches(SWAGGER, "1.41", patches)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"definition": "A", "set": {"a": 1}}, "needs a `why`"),
        ({"why": "w", "set": {"a": 1}}, "exactly one of `operation` or `definition`"),
        ({"why": "w", "definition": "A", "set": {"a": 1}, "colour": "red"}, "unknown keys"),
        ({"why": "w", "definition": "A"}, "must `set`, `delete` or `append`"),
    ],
)
def test_malformed_patches_are_rejected(tmp_path: Path, entry: dict[str, Any], message: str) -> None:
    with pytest.raises(PatchError, match=message):
        load_patches(write_patches(tmp_path, [entry]))


def test_bad_version_bound_is_rejected(tmp_path: Path) -> None:
    patches = load_patches(
        write_patches(tmp_path, [{"why": "w", "versions": "~1.4", "definition": "A", "set": {"a": 1}}])
    )
    with pytest.raises(PatchError, match=r"bad version bound '~1\.4'"):
        apply_patches(SWAGGER, "1.41", patches)


def test_every_shipped_patch_has_a_reason() -> None:
    patches = load_patches()
    assert patches, "patches.yaml is empty"
    assert all(len(p.why) > 20 for p in patches)


@pytest.mark.parametrize(
    ("operation_id", "tag", "expected"),
    [
        ("ContainerList", "Container", "list"),
        ("ImageInspect", "Image", "inspect"),
        ("SystemPing", "System", "ping"),
        ("SystemPingHead", "System", "ping_head"),
        ("NetworkCreate", "Network", "create"),
        ("SystemDataUsage", "System", "data_usage"),
    ],
)
def test_method_names(operation_id: str, tag: str, expected: str) -> None:
    assert naming.method_name(operation_id, tag) == expected


@pytest.mark.parametrize(
    ("version", "tag", "operation_id", "method"),
    [
        ("1.51", "exec", "ContainerExec", "create"),
        ("1.51", "containers", "PutContainerArchive", "put_archive"),
        ("1.27", "containers", "ContainerArchiveHead", "archive_info"),
        ("1.51", "plugins", "GetPluginPrivileges", "privileges"),
        ("1.51", "images", "BuildPrune", "build_prune"),
        ("1.51", "session", "Session", "start"),
    ],
)
def test_operations_named_otherwise_are_named_in_patches_yaml(
    version: str, tag: str, operation_id: str, method: str
) -> None:
    """Where the rule does not fit (the operationId does not start with its tag), patches.yaml says
    the method's name, and the generated client has it."""
    patched = [p for p in load_patches() if p.operation == operation_id and "x-docker-method" in (p.set or {})]
    assert [p.set["x-docker-method"] for p in patched] == [method]
    module = importlib.import_module(f"docker_engine.v{version.replace('.', '_')}.api")
    api = getattr(module, tag.capitalize() + "API")
    assert f"(operation `{operation_id}`)" in (inspect.getdoc(getattr(api, method)) or "")


def test_naming_errors_point_to_where_to_fix() -> None:
    with pytest.raises(naming.NamingError, match=r"x-docker-method in generator/patches\.yaml"):
        naming.method_name("FrobnicateThing", "Container")
    with pytest.raises(naming.NamingError, match="TAGS"):
        naming.tag_attr("Gadget")
    assert naming.python_name("fromImage") == "from_image"
    assert naming.python_name("X-Registry-Auth") == "x_registry_auth"
    assert naming.python_name("from") == "from_"


def test_manifest_lists_all_versions_with_checksums() -> None:
    versions = load_manifest()
    assert [v.version for v in versions] == [f"1.{n}" for n in range(25, 57)]
    assert all(len(v.sha256) == 64 and v.url.startswith("https://") for v in versions)
    with pytest.raises(SpecError, match=r"unknown API version\(s\) 1.99"):
        select(versions, ["1.99"])


def test_fetch_verifies_and_never_overwrites_on_mismatch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(manifest, "SPEC_DIR", tmp_path / "spec")
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    good = b"swagger: '2.0'\n"
    (mirror / "v1.99.yaml").write_bytes(good)
    spec = SpecVersion("1.99", "https://example.invalid/v1.99.yaml", hashlib.sha256(good).hexdigest())
    monkeypatch.setattr(SpecVersion, "path", property(lambda self: tmp_path / "spec" / self.filename))
    assert fetch(spec, mirror).read_bytes() == good
    (mirror / "v1.99.yaml").write_bytes(b"tampered")
    spec.path.unlink()
    spec.path.write_bytes(b"previous content")
    with pytest.raises(SpecError, match=r"sha256 mismatch .* nothing was overwritten"):
        fetch(spec, mirror)
    assert spec.path.read_bytes() == b"previous content"
    with pytest.raises(SpecError, match="not found in the spec mirror"):
        fetch(SpecVersion("1.98", "u", "0" * 64), mirror)


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@needs_mirror
def test_generation_is_deterministic(tmp_path: Path) -> None:
    spec = select(load_manifest(), ["1.25"])
    generate(spec, full=False, jobs=1, target=tmp_path / "a" / "docker_engine")
    generate(spec, full=False, jobs=1, target=tmp_path / "b" / "docker_engine")
    first, second = _tree(tmp_path / "a" / "docker_engine"), _tree(tmp_path / "b" / "docker_engine")
    assert len(first) > 200
    assert first == second


@needs_mirror
def test_a_failed_generation_leaves_the_tree_untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "docker_engine"
    (target / "v1_25").mkdir(parents=True)
    (target / "v1_25" / "marker.py").write_text("# committed\n")
    broken = tmp_path / "patches.yaml"
    broken.write_text(
        yaml.safe_dump([{"why": "stale patch for the test", "definition": "NoSuchSchema", "set": {"a": 1}}])
    )
    monkeypatch.setattr("generator.patch.PATCHES", broken)
    monkeypatch.setattr("generator.generate.load_patches", lambda: load_patches(broken))
    with pytest.raises(GenerationError) as info:
        generate(select(load_manifest(), ["1.25"]), full=False, jobs=1, target=target)
    assert "v1.25" in str(info.value) and "v1.25.yaml" in str(info.value) and "NoSuchSchema" in str(info.value)
    assert _tree(target) == {"v1_25/marker.py": b"# committed\n"}
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".staging-")]
    shutil.rmtree(target)


def test_pooled_names_follow_the_closure() -> None:
    """A module's name changes with its own text or anything it imports, transitively; not otherwise."""
    modules = {
        "models/a": "from ..models.b import B\n",
        "models/b": "from ..models.c import C\n",
        "models/c": "class C: ...\n",
        "models/d": "class D: ...\n",
        "ops/x_list": "from ..models.a import A\n",
    }
    before = share.pool(modules)
    after = share.pool({**modules, "models/c": "class C:\n    changed = 1\n"})
    assert {k for k in modules if before.names[k] != after.names[k]} == {
        "models/a",
        "models/b",
        "models/c",
        "ops/x_list",
    }
    assert before.names["models/c"].startswith("c_") and len(before.names["models/c"]) == len("c_") + 10
    # The imports name the pooled modules (`..models.b_<hash>`), whichever kind imports them.
    assert before.texts["models/a"] == f"from ..models.{before.names['models/b']} import B\n"
    assert before.texts["ops/x_list"] == f"from ..models.{before.names['models/a']} import A\n"
    with pytest.raises(ValueError, match="models/missing"):
        share.pool({"models/a": "from ..models.missing import M\n"})


def _references(target: Path, package: str) -> set[str]:
    found = share.referenced([target / package], target / share.SHARED)
    return {f"{kind}/{name}" for kind, name in found}


@needs_mirror
def test_versions_share_unchanged_modules_and_generation_drops_unused_ones(tmp_path: Path) -> None:
    both, alone = tmp_path / "both" / "docker_engine", tmp_path / "alone" / "docker_engine"
    generate(select(load_manifest(), ["1.50", "1.51"]), full=False, jobs=1, target=both)
    generate(select(load_manifest(), ["1.51"]), full=False, jobs=1, target=alone)
    old, new = _references(both, "v1_50"), _references(both, "v1_51")
    assert len(old & new) > 0.8 * len(new)  # consecutive versions differ in a handful of modules
    pooled = {f"{p.parent.name}/{p.stem}" for p in (both / share.SHARED).rglob("*.py") if p.stem != "__init__"}
    assert pooled == old | new  # nothing else, and nothing missing
    # A version's modules do not depend on which other versions were generated with it.
    assert _references(alone, "v1_51") == new
    for module in new:
        kind, name = module.split("/")
        path = Path(share.SHARED, kind, name + ".py")
        assert (both / path).read_bytes() == (alone / path).read_bytes(), module
    # v1.50 gone and v1.51 regenerated: what only v1.50 used is dropped.
    shutil.rmtree(both / "v1_50")
    generate(select(load_manifest(), ["1.51"]), full=False, jobs=1, target=both)
    assert _tree(both) == _tree(alone)
