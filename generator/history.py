"""In which API versions each operation, parameter, model and field exists (issue #6).

    history = build_history(manifest_versions())       # all 32 specs, a few seconds
    history.added_in("op:ContainerList")               # "1.25"
    history.removed_after("field:ImageInspect.VirtualSize")   # "1.43"
    history.added_in(param_key("ContainerStop", "query", "signal"))  # "1.42"
    history.to_json()                                  # stable, compact JSON (see below)
    History.from_json(text)                            # the same History back

Computed on the patched Swagger documents (as `generator.diff` is; see there why not the converted
OpenAPI document), with the converter's names for inline request/response bodies, so that the keys
match the classes the generator emits.

**Keys** (strings; build them with the helpers, never parse them):

| helper | key | what |
|---|---|---|
| `op_key(operation_id)` | `op:ContainerList` | an operation, by operationId (its "type" is `GET /containers/json`) |
| `route_key(method, path)` | `route:GET /containers/json` | an operation, by method and path (its "type" is the operationId) |
| `param_key(op, location, name)` | `param:ContainerList:query:all` | a parameter; location is `query`, `path`, `header` or `body` (the body is always named `body`: `param:ContainerCreate:body:body`) |
| `model_key(name)` | `model:HostConfig` | a definition, or an inline body under the converter's name: `<OperationId>Request`, `<OperationId>Response` (a 2xx JSON body), `<OperationId>Message` (a JSON stream message) |
| `field_key(model, path)` | `field:HostConfig.LogConfig.Type` | a property of a model, nested inline properties as a dotted path; `[]` steps into array items, `{}` into map values (`field:Volume.UsageData.Size`, `field:DeviceRequest.Capabilities[]`…) |

Fields inherited through `allOf` are fields of the model too (`field:HostConfig.CpuShares`, from
`Resources`), as in the generated class. Nesting stops at a `$ref`: the target is a model of its own.

**The converter's hoisted classes.** The generator turns an inline object into its own class named
after its place (`HostConfig.LogConfig` → `HostConfigLogConfig`, `<Op>Response.Foo[]` →
`<Op>ResponseFooItem`, map values `…Value`). `component_path("HostConfigLogConfig")` gives back
`"HostConfig.LogConfig"`, and `component_field_key("HostConfigLogConfig", "Type")` the key
`field:HostConfig.LogConfig.Type`; `component_key(name)` the key of the class itself (a `model:` key
for a definition, a `field:` key for a hoisted class). So a template annotates a generated class
`C` with `history.added_in(component_key(C))` and its property `p` with
`history.added_in(history.component_field_key(C, p))`.

**Queries.** `added_in(key)` is the first version that has the key; for anything already in the
oldest spec it is that version (`versions[0]`, "1.25"), which means "1.25 or earlier".
`removed_after(key)` is the last version that has it, or `None` when the newest version has it.
`versions_of(key)`, `spans(key)` (`[("1.25", "1.40"), ("1.44", "1.56")]` when it was removed and
came back), `exists_in(key, version)`, `type_history(key)` (`[("1.25", "string"), ("1.44",
"array[string]")]`: the type signature, see `generator.diff.type_sig`, from each version on where it
changed; empty when it never changed), `keys(prefix)`, and `resolve(text)` (what `python -m
generator history TEXT` accepts: a key, `ContainerList`, `GET /containers/json`, `ContainerList.all`,
`HostConfig.LogConfig.Type`, `HostConfigLogConfig.Type`). Unknown keys raise `KeyError`.

`build_history` indexes the specs in parallel processes with `jobs=None` (about 3 s for all 32 on 2
cores, 4–5 s serially: YAML parsing dominates); `cached_history()` keeps the result in `spec/.cache/`
(git-ignored) until the manifest, the patches or this code change.

**JSON** (`to_json`, `HISTORY_FORMAT` / `HISTORY_SCHEMA_VERSION`), keys sorted, no spaces::

    {"aliases": {"HostConfigLogConfig": "HostConfig.LogConfig", …},
     "format": "docker-engine-api-history", "schema_version": 1,
     "keys": {"field:HostConfig.Init": "1.25-1.56", "field:X.Y": "1.25-1.40,1.44-1.56", …},
     "types": {"field:ContainerConfig.Cmd": [["1.25", "array|string"], ["1.35", "array[string]"]], …},
     "versions": ["1.25", …, "1.56"]}

`keys` maps a key to the comma-separated version ranges where it exists (`first-last`, inclusive, in
manifest order); `types` lists the type signatures of the keys whose signature changed over time.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .convert import ConversionError, Converter, _pascal
from .diff import Schema, Spec, load_version, manifest_versions, ref_target, type_of, type_sig
from .manifest import MANIFEST, ROOT
from .patch import PATCHES, parse_version

HISTORY_FORMAT = "docker-engine-api-history"
HISTORY_SCHEMA_VERSION = 1


def op_key(operation_id: str) -> str:
    return f"op:{operation_id}"


def route_key(method: str, path: str) -> str:
    return f"route:{method.upper()} {path}"


def param_key(operation_id: str, location: str, name: str) -> str:
    return f"param:{operation_id}:{location}:{'body' if location == 'body' else name}"


def model_key(name: str) -> str:
    return f"model:{name}"


def field_key(model: str, path: str) -> str:
    return f"field:{_dotted(model, path)}"


def _dotted(model: str, path: str) -> str:
    if not path:
        return model
    return model + path if path[0] in "[{" else f"{model}.{path}"


def _hoisted(s: Schema, definitions: dict[str, Schema]) -> bool:
    """Whether the converter turns this schema (at a property/item/value place) into a class of its own."""
    if ref_target(s, definitions) is not None or "allOf" in s:
        return False
    return s.get("type") == "object" or "properties" in s or "additionalProperties" in s


def _empty_map_value(s: Schema) -> bool:
    return s.get("type") == "object" and not s.get("properties") and not s.get("additionalProperties")


class _Indexer:
    """Every key of one version, with its type signature, and the hoisted class names."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.defs = spec.definitions
        self.keys: dict[str, str] = {}
        self.aliases: dict[str, str] = {}

    def run(self) -> tuple[dict[str, str], dict[str, str]]:
        for name, definition in self.defs.items():
            self.keys[model_key(name)] = type_sig(definition, self.defs)
            if "$ref" in definition:
                continue
            self.walk(definition, name, "", name, aliases=True, seen=frozenset({name}))
        converter = Converter(self.spec.swagger)
        for op in self.spec.operations.values():
            self.operation(op, converter)
        return self.keys, self.aliases

    def operation(self, op: Any, converter: Converter) -> None:
        self.keys[op_key(op.id)] = op.route
        self.keys[route_key(op.method, op.path)] = op.id
        for (location, _), p in op.parameters.items():
            self.keys[param_key(op.id, location, str(p.get("name")))] = type_sig(p, {})
        if op.body is not None:
            schema = op.body.get("schema") or {}
            self.keys[param_key(op.id, "body", "body")] = type_sig(schema, self.defs)
            if ref_target(schema, self.defs) is None and type_of(schema) not in ("array", "string"):
                self.root(schema, f"{op.id}Request")
            elif type_of(schema) == "array":
                self.walk(schema, f"{op.id}Request", "", f"{op.id}Request", aliases=True, seen=frozenset())
        if op.method == "HEAD":
            return
        for code, response in op.responses.items():
            schema = response.get("schema")
            if not code.startswith("2") or not isinstance(schema, dict):
                continue
            try:
                kind = converter.response_kind(op.id, response, op.produces)
            except ConversionError:
                continue
            if kind == "json":
                owner = f"{op.id}Response"
            elif kind == "json-stream" and not op.raw.get("x-docker-stream-item"):
                owner = f"{op.id}Message"
            else:
                continue
            if _hoisted(schema, self.defs):
                self.root(schema, owner)
            elif ref_target(schema, self.defs) is None:
                self.walk(schema, owner, "", owner, aliases=True, seen=frozenset())

    def root(self, schema: Schema, name: str) -> None:
        self.keys[model_key(name)] = type_sig(schema, self.defs)
        self.walk(schema, name, "", name, aliases=True, seen=frozenset())

    def child(self, s: Any, model: str, path: str, owner: str, aliases: bool, seen: frozenset[str]) -> None:
        if not isinstance(s, dict):
            return
        if _hoisted(s, self.defs):
            owner = _pascal(owner)
            if aliases:
                self.aliases[owner] = _dotted(model, path)
        self.walk(s, model, path, owner, aliases=aliases, seen=seen)

    def walk(self, s: Schema, model: str, path: str, owner: str, *, aliases: bool, seen: frozenset[str]) -> None:
        if ref_target(s, self.defs) is not None:
            return
        for part in s.get("allOf") or []:
            if not isinstance(part, dict):
                continue
            base = ref_target(part, self.defs)
            if base is None:
                self.walk(part, model, path, owner, aliases=aliases, seen=seen)
            elif base not in seen:
                # Inherited fields belong to this model too; their classes are named after the base.
                self.walk(self.defs.get(base, {}), model, path, base, aliases=False, seen=seen | {base})
        for key, value in (s.get("properties") or {}).items():
            if not isinstance(value, dict):
                continue
            child = f"{path}.{key}" if path else str(key)
            self.keys[field_key(model, child)] = type_sig(value, self.defs)
            self.child(value, model, child, owner + _pascal(str(key)), aliases, seen)
        items = s.get("items")
        if type_of(s) == "array" and isinstance(items, dict) and items:
            self.child(items, model, path + "[]", owner + "Item", aliases, seen)
        extra = s.get("additionalProperties")
        if isinstance(extra, dict) and not _empty_map_value(extra):
            self.child(extra, model, path + "{}", owner + "Value", aliases, seen)


def index_version(version: str) -> tuple[dict[str, str], dict[str, str]]:
    """Key → type signature, and hoisted class → dotted path, of one manifest version."""
    return _Indexer(load_version(version)).run()


def index_spec(spec: Spec) -> tuple[dict[str, str], dict[str, str]]:
    return _Indexer(spec).run()


@dataclass
class History:
    """See the module docstring."""

    versions: tuple[str, ...]
    spans_by_key: dict[str, tuple[tuple[int, int], ...]]
    types: dict[str, tuple[tuple[int, str], ...]] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)

    # -- queries

    def __contains__(self, key: object) -> bool:
        return key in self.spans_by_key

    def keys(self, prefix: str = "") -> list[str]:
        return sorted(k for k in self.spans_by_key if k.startswith(prefix))

    def _spans(self, key: str) -> tuple[tuple[int, int], ...]:
        try:
            return self.spans_by_key[key]
        except KeyError:
            raise KeyError(f"{key!r} exists in no API version") from None

    def spans(self, key: str) -> list[tuple[str, str]]:
        return [(self.versions[a], self.versions[b]) for a, b in self._spans(key)]

    def versions_of(self, key: str) -> list[str]:
        return [self.versions[i] for a, b in self._spans(key) for i in range(a, b + 1)]

    def added_in(self, key: str) -> str:
        return self.versions[self._spans(key)[0][0]]

    def removed_after(self, key: str) -> str | None:
        last = self._spans(key)[-1][1]
        return None if last == len(self.versions) - 1 else self.versions[last]

    def exists_in(self, key: str, version: str) -> bool:
        version = version.removeprefix("v")
        if version not in self.versions:
            raise KeyError(f"unknown API version {version}")
        i = self.versions.index(version)
        return any(a <= i <= b for a, b in self._spans(key))

    def type_history(self, key: str) -> list[tuple[str, str]]:
        """(first version, type signature) for each period of the key's type; empty when it never changed
        (only changing types are kept, to keep the JSON small)."""
        self._spans(key)
        return [(self.versions[i], sig) for i, sig in self.types.get(key, ())]

    def component_path(self, component: str) -> str | None:
        """The dotted path of a class the converter hoisted from an inline object, or None."""
        return self.aliases.get(component)

    def component_key(self, component: str) -> str:
        path = self.aliases.get(component)
        return field_key(*_split(path)) if path is not None else model_key(component)

    def component_field_key(self, component: str, prop: str) -> str:
        return f"field:{self.aliases.get(component, component)}.{prop}"

    def resolve(self, text: str) -> list[str]:
        """The keys a free-form query names (see the module docstring), most specific first."""
        text = text.strip()
        if text in self.spans_by_key:
            return [text]
        method, _, rest = text.partition(" ")
        if rest.startswith("/"):
            key = route_key(method, rest)
            return [key] if key in self else []
        found = [k for k in (op_key(text), model_key(text), f"field:{text}") if k in self]
        head, dot, tail = text.partition(".")
        if dot:
            if op_key(head) in self:
                found += [k for k in self.keys(f"param:{head}:") if k.rsplit(":", 1)[1] == tail]
            if head in self.aliases:
                alias = f"field:{self.aliases[head]}.{tail}"
                if alias in self and alias not in found:
                    found.append(alias)
        return found

    # -- JSON

    def to_json(self) -> str:
        doc = {
            "format": HISTORY_FORMAT,
            "schema_version": HISTORY_SCHEMA_VERSION,
            "versions": list(self.versions),
            "keys": {k: ",".join(self._range(a, b) for a, b in spans) for k, spans in self.spans_by_key.items()},
            "types": {k: [[self.versions[i], sig] for i, sig in entries] for k, entries in self.types.items()},
            "aliases": self.aliases,
        }
        return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    def _range(self, a: int, b: int) -> str:
        return f"{self.versions[a]}-{self.versions[b]}"

    @classmethod
    def from_json(cls, text: str) -> History:
        doc = json.loads(text)
        if doc.get("format") != HISTORY_FORMAT or doc.get("schema_version") != HISTORY_SCHEMA_VERSION:
            raise ValueError(f"not a {HISTORY_FORMAT} v{HISTORY_SCHEMA_VERSION} document")
        versions = tuple(doc["versions"])
        where = {v: i for i, v in enumerate(versions)}
        spans = {
            key: tuple((where[a], where[b]) for a, _, b in (r.partition("-") for r in text.split(",")))
            for key, text in doc["keys"].items()
        }
        types = {key: tuple((where[v], sig) for v, sig in entries) for key, entries in doc["types"].items()}
        return cls(versions, spans, types, dict(doc["aliases"]))


def _split(path: str) -> tuple[str, str]:
    cut = min((i for i in (path.find("."), path.find("["), path.find("{")) if i >= 0), default=len(path))
    return path[:cut], path[cut:].removeprefix(".")


def _spans(indices: Iterable[int]) -> tuple[tuple[int, int], ...]:
    out: list[tuple[int, int]] = []
    for i in sorted(indices):
        if out and out[-1][1] == i - 1:
            out[-1] = (out[-1][0], i)
        else:
            out.append((i, i))
    return tuple(out)


def history_from_indexes(versions: Sequence[str], indexes: Sequence[tuple[dict[str, str], dict[str, str]]]) -> History:
    present: dict[str, list[int]] = {}
    sigs: dict[str, list[tuple[int, str]]] = {}
    aliases: dict[str, str] = {}
    for i, (keys, hoisted) in enumerate(indexes):
        for key, sig in keys.items():
            present.setdefault(key, []).append(i)
            timeline = sigs.setdefault(key, [])
            if not timeline or timeline[-1][1] != sig:
                timeline.append((i, sig))
        aliases.update(hoisted)  # newest wins (the converter's names never collided in 1.25–1.56)
    types = {k: tuple(v) for k, v in sigs.items() if len(v) > 1}
    spans = {k: _spans(v) for k, v in sorted(present.items())}
    return History(tuple(versions), spans, dict(sorted(types.items())), dict(sorted(aliases.items())))


def build_history(versions: list[str] | None = None, *, jobs: int | None = 1) -> History:
    """The History of `versions` (default: every manifest version), sorted oldest first.

    `jobs` > 1 (or None: one per CPU) indexes the specs in parallel processes; 1 runs in this process.
    """
    chosen = sorted((v.removeprefix("v") for v in versions or manifest_versions()), key=parse_version)
    workers = (os.cpu_count() or 1) if jobs is None else jobs
    if workers > 1 and len(chosen) > 2:
        with ProcessPoolExecutor(max_workers=min(workers, len(chosen))) as pool:
            indexes = list(pool.map(index_version, chosen))
    else:
        indexes = [index_version(v) for v in chosen]
    return history_from_indexes(chosen, indexes)


CACHE_DIR = ROOT / "spec" / ".cache"


def _cache_digest(versions: Sequence[str]) -> str:
    """Changes with the manifest (which pins every spec's sha256), the patches, and this code."""
    h = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for path in (MANIFEST, PATCHES, here / "history.py", here / "diff.py", here / "convert.py", here / "patch.py"):
        h.update(path.read_bytes())
    h.update(",".join(versions).encode())
    return h.hexdigest()[:16]


def cached_history(versions: list[str] | None = None, *, cache_dir: Path = CACHE_DIR) -> History:
    """`build_history`, kept in `spec/.cache/` (git-ignored) until the manifest, patches or code change."""
    chosen = sorted((v.removeprefix("v") for v in versions or manifest_versions()), key=parse_version)
    path = cache_dir / f"history-{_cache_digest(chosen)}.json"
    if path.is_file():
        try:
            return History.from_json(path.read_text(encoding="utf-8"))
        except (ValueError, KeyError):
            pass
    history = build_history(chosen, jobs=None)
    cache_dir.mkdir(parents=True, exist_ok=True)
    for old in cache_dir.glob("history-*.json"):
        old.unlink()
    fd, tmp = tempfile.mkstemp(dir=cache_dir, prefix=".history-")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(history.to_json())
    Path(tmp).replace(path)
    return history


def describe(history: History, key: str) -> str:
    """A human summary of one key (what `python -m generator history` prints)."""
    spans = ", ".join(f"v{a}" if a == b else f"v{a}–v{b}" for a, b in history.spans(key))
    lines = [f"{key}", f"  exists in: {spans}", f"  added in: v{history.added_in(key)}"]
    if history.added_in(key) == history.versions[0]:
        lines[-1] += f" (or earlier: v{history.versions[0]} is the oldest spec)"
    removed = history.removed_after(key)
    if removed:
        lines.append(f"  removed after: v{removed}")
    changes = history.type_history(key)
    if changes:
        lines.append("  type: " + "; ".join(f"`{sig}` from v{v}" for v, sig in changes))
    return "\n".join(lines)
