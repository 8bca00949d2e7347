"""Which Docker Engine API versions a program's use of this SDK needs.

    python -m docker_engine.audit app.py scripts/ [--against 1.41] [--json]

Reads Python files without running them (`ast`) and finds what they use of the API:

- operations: `docker.<tag>.<method>(…)` on any expression (`docker.containers.stop(id)`), and the
  methods of handles (`docker.containers.get(id).stop()`, `container = …run(…, detach=True)`);
- their keyword parameters (`signal=`), and the fields of a `body=` given as a dict literal, nested
  dicts included (`body={"HostConfig": {"Annotations": …}}`);
- response fields read from what such a call returned, through variables, `for` loops over lists,
  handles' `.attrs` and `.reload()` (`info = docker.system.info(); info.swarm.cluster.id`).

Each use is looked up in `docker_engine.versions` (the history of every spec). The report gives the
lowest API version that has every use (and the highest, when something used was removed later), and
with `--against V` each use that version V lacks, with file:line and the versions that have it; the
exit code is 1 then, for CI. What the analysis cannot see (a body built in another function, a value
whose type comes from elsewhere) is not reported: it finds what the code says, not what it computes.
"""

from __future__ import annotations

import argparse
import ast
import functools
import importlib
import inspect
import json
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import versions
from ._version import parse_version

__all__ = ["Report", "Use", "audit_paths", "audit_source", "main"]

_ROUTE = re.compile(r"`((?:GET|HEAD|POST|PUT|DELETE|PATCH) [^`]+)` \(operation `(\w+)`\)")
# The SDK's handwritten methods: the operations each one sends.
_HANDWRITTEN: dict[tuple[str, str], tuple[str, ...]] = {
    ("containers", "run"): ("ContainerCreate", "ContainerStart"),
    ("containers", "attach_interactive"): ("ContainerAttach",),
    ("containers", "exec_run"): ("ContainerExec", "ExecStart", "ExecInspect"),
    ("exec", "start_interactive"): ("ExecStart",),
    ("images", "pull"): ("ImageCreate", "ImageInspect"),
    ("images", "push_image"): ("ImagePush",),
    ("images", "build_image"): ("ImageBuild", "ImageInspect"),
}
# Keywords of handwritten methods that are fields of a body only some versions have.
_HANDWRITTEN_FIELDS: dict[tuple[str, str, str], str] = {
    ("containers", "exec_run", "workdir"): "field:ContainerExecRequest.WorkingDir",
}


@dataclass(frozen=True)
class Use:
    """One use of the API in a file: what the code says, and the history key it stands for."""

    path: str
    line: int
    what: str
    # History keys of the same thing: a field has one per spelling the specs had over time (its
    # model's, `Model[].Field` where the model was a list, the path from an outer model where it
    # was inline); the use is in every version that has one of them.
    keys: tuple[str, ...]

    @property
    def key(self) -> str:
        return self.keys[0]

    @functools.cached_property
    def versions(self) -> list[str]:
        found = {v for key in self.keys for v in _versions_of(key)}
        return sorted(found, key=parse_version)

    def exists_in(self, version: str) -> bool:
        return version in self.versions

    def span(self) -> str:
        have = self.versions
        return f"v{have[0]}–v{have[-1]}" if have[0] != have[-1] else f"v{have[0]}"


@dataclass
class Report:
    uses: list[Use] = field(default_factory=list)
    against: str | None = None

    @property
    def minimum(self) -> str | None:
        """The lowest API version that has every use (None: nothing used)."""
        return max((u.versions[0] for u in self.uses), key=parse_version, default=None)

    @property
    def maximum(self) -> str | None:
        """The highest API version that still has every use."""
        return min((u.versions[-1] for u in self.uses), key=parse_version, default=None)

    def missing(self) -> list[Use]:
        """The uses that `against` lacks."""
        if self.against is None:
            return []
        against = self.against
        return [u for u in self.uses if not u.exists_in(against)]

    def to_json(self) -> dict[str, Any]:
        return {
            "minimum": self.minimum,
            "maximum": self.maximum,
            "against": self.against,
            "uses": [
                {"path": u.path, "line": u.line, "what": u.what, "key": u.key, "versions": u.span()} for u in self.uses
            ],
            "missing": [{"path": u.path, "line": u.line, "what": u.what, "versions": u.span()} for u in self.missing()],
        }

    def text(self) -> str:
        lines = []
        if not self.uses:
            return "no use of the Docker Engine API found\n"
        newest = versions.api_versions()[-1]
        span = f"v{self.minimum}" + (f"–v{self.maximum}" if self.maximum != newest else " or newer")
        lines.append(f"{len(self.uses)} uses of the API; they need API {span}")
        deciding = [
            u for u in self.uses if u.versions[0] == self.minimum and self.minimum != versions.api_versions()[0]
        ]
        for use in deciding[:10]:
            lines.append(f"  {use.path}:{use.line}: {use.what} (API {use.span()})")
        if self.against is not None:
            missing = self.missing()
            lines.append(
                f"against API v{self.against}: " + (f"{len(missing)} uses it lacks" if missing else "all there")
            )
            for use in missing:
                lines.append(f"{use.path}:{use.line}: {use.what}: API {use.span()}, not v{self.against}")
        return "\n".join(lines) + "\n"


@functools.cache
def _versions_of(key: str) -> tuple[str, ...]:
    try:
        return tuple(versions.versions_of(key))
    except KeyError:
        return ()


# -- what the newest version package says about each method -----------------------------------------


@dataclass(frozen=True)
class _Method:
    operations: tuple[str, ...]
    route: str  # `METHOD /path` of a generated operation, "" for a handwritten method
    params: dict[str, str]  # Python keyword → history key
    body: str | None  # the body table's model for `body=`
    returns: str  # the return annotation, as written


@dataclass(eq=False)
class _Index:
    package: str
    tags: dict[str, dict[str, _Method]]
    inspect_of: dict[str, str]  # tag → the inspect model

    @functools.cached_property
    def body_fields(self) -> dict[str, dict[str, str]]:
        fields: dict[str, dict[str, str]] = importlib.import_module(self.package + "._bodies").FIELDS
        return fields

    def model(self, name: str) -> Any:
        return getattr(importlib.import_module(self.package + ".models"), name, None)

    @functools.cache  # noqa: B019 - one index per process
    def routes(self, tag: str) -> dict[str, list[tuple[str, str]]]:
        """`METHOD /path` → (operationId, answer annotation) of the tag's method for it, in every
        version package: an operation or a model renamed between versions (`ContainerArchive` was
        `ContainerGetArchive`, `NetworkInspect` was `Network`) is the same thing to a caller."""
        found: dict[str, list[tuple[str, str]]] = {}
        stem = self.package.rsplit(".", 1)[0]
        for version in versions.api_versions():
            module = importlib.import_module(f"{stem}.v{version.replace('.', '_')}.api")
            api = getattr(module, tag[:1].upper() + tag[1:] + "API", None)
            if api is not None:
                for _, method in inspect.getmembers(api, inspect.isfunction):
                    match = _ROUTE.search(inspect.getdoc(method) or "")
                    if match:
                        answer = str(inspect.get_annotations(method).get("return", ""))
                        found.setdefault(match.group(1), []).append((match.group(2), answer))
        return found

    def other_versions(self, tag: str, route: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The operationIds and answer models of `route` over all versions."""
        seen = self.routes(tag).get(route, [])
        # A model a handle shares its name with is imported as `_Network` in its tag's module.
        names = r"(?<![\w.])_?([A-Z]\w+)"
        answers = {n for _, a in seen for n in re.findall(names, a.replace("builtins.", ""))}
        return tuple(sorted({o for o, _ in seen})), tuple(sorted(answers))


def _squash(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _method_info(tag: str, name: str, method: Any) -> _Method | None:
    match = _ROUTE.search(inspect.getdoc(method) or "")
    operations = (match.group(2),) if match else _HANDWRITTEN.get((tag, name), ())
    if not operations:
        return None
    annotations = inspect.get_annotations(method)
    params: dict[str, str] = {}
    if match:
        wire = {_squash(k.rsplit(":", 1)[1]): k for k in versions.keys(f"param:{match.group(2)}:")}
        for keyword in inspect.signature(method).parameters:
            if keyword not in ("self", "body", "auth") and _squash(keyword) in wire:
                params[keyword] = wire[_squash(keyword)]
    elif (tag, name) == ("images", "build_image"):
        wire = {_squash(k.rsplit(":", 1)[1]): k for k in versions.keys("param:ImageBuild:")}
        params = {
            key: wire[_squash(key)] for key in ("dockerfile", "platform", "target", "outputs") if _squash(key) in wire
        }
    body = str(annotations.get("body", "")).split(" | ")[0] or None
    route = match.group(1) if match else ""
    return _Method(operations, route, params, body, str(annotations.get("return", "")))


@functools.cache
def _index() -> _Index:
    latest = importlib.import_module("docker_engine._latest")
    package = latest.__name__.rsplit(".", 1)[0] + ".v" + latest.API_VERSION.replace(".", "_")
    client = importlib.import_module(package + ".client").Docker
    tags: dict[str, dict[str, _Method]] = {}
    inspect_of: dict[str, str] = {}
    for attribute, value in vars(client).items():
        if not isinstance(value, functools.cached_property):
            continue
        module = importlib.import_module(f"{package}.api")
        api = getattr(module, str(value.func.__annotations__["return"]))
        methods: dict[str, _Method] = {}
        for name, method in inspect.getmembers(api, inspect.isfunction):
            info = None if name.startswith("_") else _method_info(attribute, name, method)
            if info is not None:
                methods[name] = info
        if "inspect" in methods:
            inspect_of[attribute] = methods["inspect"].returns
            inspected = _Method(
                methods["inspect"].operations, methods["inspect"].route, {}, None, "handle:" + attribute
            )
            for getter in ("get", "get_image"):
                if getter in vars(api) and getter not in methods:
                    methods[getter] = inspected
            methods["reload"] = methods["inspect"]
        handle_class = inspect.get_annotations(api.handle).get("return") if "handle" in vars(api) else None
        if handle_class:
            methods["handle"] = _Method((), "", {}, None, "handle:" + attribute)
            for name, method in inspect.getmembers(getattr(module, str(handle_class)), inspect.isfunction):
                if name.startswith("_") or name in methods:
                    continue
                # A handle method named otherwise than its tag's (`Image.save` is `images.get`).
                same = re.search(r"`docker\.\w+\.(\w+)\(id", inspect.getdoc(method) or "")
                info = methods.get(same.group(1)) if same else _method_info(attribute, name, method)
                if info is not None:
                    methods[name] = info
        tags[attribute] = methods
    return _Index(package, tags, inspect_of)


# -- the analysis ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Kind:
    """What an expression is known to be: a handle of a tag, a model, or a list of a model; with the
    places the model was reached from (an outer model and the path from it), as the specs spelled
    its fields when it was inline there."""

    kind: str  # "handle", "model", "list"
    name: str  # the tag of a handle, else the model
    anchors: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def element(self) -> _Kind | None:
        if self.kind != "list":
            return None
        return _Kind("model", self.name, tuple((m, (*p[:-1], p[-1] + "[]")) if p else (m, p) for m, p in self.anchors))


def _model(name: str) -> _Kind:
    return _Kind("model", name, ((name, ()),))


class _Visitor(ast.NodeVisitor):
    def __init__(self, path: str, index: _Index) -> None:
        self.path = path
        self.index = index
        self.uses: list[Use] = []
        self.scopes: list[dict[str, _Kind]] = [{}]
        self.aliases: set[str] = set()  # other versions' names of the models answers are read as

    # -- bookkeeping

    def use(self, node: ast.AST, what: str, *keys: str) -> None:
        known = tuple(key for key in keys if _versions_of(key))
        if known:
            self.uses.append(Use(self.path, getattr(node, "lineno", 0), what, known))

    def bind(self, target: ast.AST, kind: _Kind | None) -> None:
        if isinstance(target, ast.Name):
            if kind is None:
                self.scopes[-1].pop(target.id, None)
            else:
                self.scopes[-1][target.id] = kind

    def lookup(self, name: str) -> _Kind | None:
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        return None

    # -- scopes and bindings

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.scopes.append({})
        self.generic_visit(node)
        self.scopes.pop()

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_Assign(self, node: ast.Assign) -> None:
        kind = self.kind_of(node.value)
        for target in node.targets:
            if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Await | ast.Call):
                # `image, log = docker.images.build_image(…)`: the first is the image.
                first = self._call_method(node.value)
                if first is not None and first[1] == "build_image":
                    self.bind(target.elts[0], _Kind("handle", "images"))
                continue
            self.bind(target, kind)
            self.visit(target)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.bind(node.target, self.kind_of(node.value))

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        kind = self.kind_of(node.iter)
        self.bind(node.target, kind.element() if kind else None)
        for child in node.body + node.orelse:
            self.visit(child)

    visit_AsyncFor = visit_For  # type: ignore[assignment]

    def visit_withitem(self, node: ast.withitem) -> None:
        if node.optional_vars is not None:
            self.bind(node.optional_vars, self.kind_of(node.context_expr))
        else:
            self.kind_of(node.context_expr)

    def visit_Expr(self, node: ast.Expr) -> None:
        self.kind_of(node.value)

    def visit_Return(self, node: ast.Return) -> None:
        if node.value is not None:
            self.kind_of(node.value)

    def generic_visit(self, node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self.kind_of(child)
            else:
                self.visit(child)

    # -- expressions

    def kind_of(self, node: ast.expr) -> _Kind | None:
        """Record the uses in an expression; what its value is, when known."""
        if isinstance(node, ast.Await):
            return self.kind_of(node.value)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Attribute):
            return self.attribute(node)
        if isinstance(node, ast.Name):
            return self.lookup(node.id)
        if isinstance(node, ast.Subscript):
            base = self.kind_of(node.value)
            self.kind_of(node.slice)
            return base.element() if base else None
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self.kind_of(child)
            elif isinstance(child, ast.comprehension):
                kind = self.kind_of(child.iter)
                self.bind(child.target, kind.element() if kind else None)
                for condition in child.ifs:
                    self.kind_of(condition)
        return None

    def _call_method(self, node: ast.expr) -> tuple[str, str] | None:
        """(tag, method) of a call of the SDK: `<x>.<tag>.<method>(…)` or `<handle>.<method>(…)`."""
        if isinstance(node, ast.Await):
            node = node.value
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            return None
        owner, name = node.func.value, node.func.attr
        if isinstance(owner, ast.Attribute) and owner.attr in self.index.tags and name in self.index.tags[owner.attr]:
            return owner.attr, name
        kind = self.lookup(owner.id) if isinstance(owner, ast.Name) else None
        if kind is None and isinstance(owner, ast.Call | ast.Await):
            kind = self._result_kind(owner)
        if kind and kind.kind == "handle" and name in self.index.tags[kind.name]:
            return kind.name, name
        return None

    def _result_kind(self, node: ast.expr) -> _Kind | None:
        found = self._call_method(node)
        if found is None:
            return None
        tag, name = found
        return self._returns(tag, name, node.value if isinstance(node, ast.Await) else node)  # type: ignore[arg-type]

    def _returns(self, tag: str, name: str, node: ast.Call) -> _Kind | None:
        method = self.index.tags[tag][name]
        if method.returns.startswith("handle:"):
            return _Kind("handle", tag)
        if (tag, name) == ("containers", "run"):
            detach = next((k.value for k in node.keywords if k.arg == "detach"), None)
            return _Kind("handle", "containers") if isinstance(detach, ast.Constant) and detach.value is True else None
        if (tag, name) == ("images", "pull"):
            return _Kind("handle", "images")
        if name == "reload":
            return self._answer(tag, "inspect")
        return self._answer(tag, name)

    def _answer(self, tag: str, name: str) -> _Kind | None:
        """What operation `name` of `tag` answers, with the other spellings of its model: its names
        in other versions, and `<OperationId>Response` where the spec gives it inline."""
        method = self.index.tags[tag][name]
        found = self._model_kind(method.returns)
        if found is None or not method.operations:
            return found
        others = [n for n in self.index.other_versions(tag, method.route)[1] if n != found.name]
        others.append(method.operations[0] + "Response")
        self.aliases.update(others)
        return _Kind(found.kind, found.name, (*found.anchors, *((other, ()) for other in others)))

    def _model_kind(self, annotation: str) -> _Kind | None:
        text = annotation.replace("builtins.", "").replace(" | None", "").strip()
        text = re.sub(r"(?<![\w.])_([A-Z])", r"\1", text)  # `_Volume`: a model named as its handle
        inner = re.fullmatch(r"list\[(\w+)\]", text)
        if inner and self.index.model(inner.group(1)) is not None:
            return _Kind("list", inner.group(1), ((inner.group(1), ()),))
        if re.fullmatch(r"\w+", text) and self.index.model(text) is not None:
            return _model(text)
        return None

    def call(self, node: ast.Call) -> _Kind | None:
        found = self._call_method(node)
        if isinstance(node.func, ast.Attribute):
            self.kind_of(node.func.value)
        for arg in node.args:
            self.kind_of(arg)
        if found is None:
            for keyword in node.keywords:
                self.kind_of(keyword.value)
            return None
        tag, name = found
        method = self.index.tags[tag][name]
        renamed = self.index.other_versions(tag, method.route)[0] if method.route else ()
        for operation in method.operations:
            self.use(node, f"{tag}.{name}()", f"op:{operation}", *(f"op:{other}" for other in renamed))
        for keyword in node.keywords:
            self.kind_of(keyword.value)
            if keyword.arg is None:
                continue
            if keyword.arg in method.params:
                key = method.params[keyword.arg]
                where = key.split(":", 2)[2]
                others = (f"param:{other}:{where}" for other in renamed)
                self.use(keyword.value, f"{tag}.{name}({keyword.arg}=)", key, *others)
            elif (tag, name, keyword.arg) in _HANDWRITTEN_FIELDS:
                self.use(keyword.value, f"{tag}.{name}({keyword.arg}=)", _HANDWRITTEN_FIELDS[tag, name, keyword.arg])
            elif keyword.arg == "body" and method.body is not None and isinstance(keyword.value, ast.Dict):
                self.body(keyword.value, [(method.body, [])])
        return self._returns(tag, name, node)

    def body(self, node: ast.Dict, anchors: list[tuple[str, list[str]]]) -> None:
        """The fields of a dict literal for the body model at the innermost anchor."""
        model = anchors[-1][0]
        fields = self.index.body_fields.get(model, {})
        for key_node, value in zip(node.keys, node.values, strict=True):
            if not (isinstance(key_node, ast.Constant) and isinstance(key_node.value, str)):
                continue
            key = key_node.value
            here = [(name, [*path, key]) for name, path in anchors]
            self._field_use(key_node, here)
            kind = fields.get(key, "")
            if kind.startswith("@") and isinstance(value, ast.Dict):
                self.body(value, [*here, (kind[1:], [])])

    def _field_use(self, node: ast.AST, anchors: Sequence[tuple[str, Sequence[str]]]) -> None:
        """A field, reached from the outer model (`anchors[0]`) down to the innermost."""
        keys = []
        for name, path in reversed(anchors):
            dotted = ".".join(path)
            keys += [f"field:{name}.{dotted}", f"field:{name}[].{dotted}"]
        # Shown from the outermost model of this version (not another version's name for it).
        shown = next((a for a in anchors if a[0] not in self.aliases and self.index.model(a[0])), anchors[0])
        self.use(node, f"{shown[0]}.{'.'.join(shown[1])}", *keys)

    def attribute(self, node: ast.Attribute) -> _Kind | None:
        base = self.kind_of(node.value)
        if base is None:
            return None
        if base.kind == "handle":
            if node.attr == "attrs" and base.name in self.index.inspect_of:
                return self._answer(base.name, "inspect")
            return None
        if base.kind != "model":
            return None
        return self._model_field(node, base, node.attr)

    def _model_field(self, node: ast.Attribute, base: _Kind, attr: str) -> _Kind | None:
        cls = self.index.model(base.name)
        if cls is None or not hasattr(cls, "__attrs_attrs__"):
            return None
        spec = next((a for a in cls.__attrs_attrs__ if a.name == attr), None)
        keys: frozenset[str] = cls._json_keys() if hasattr(cls, "_json_keys") else frozenset()
        json_key = next((k for k in sorted(keys) if _squash(k) == _squash(attr)), None)
        if spec is None or json_key is None:
            return None
        anchors = tuple((m, (*p, json_key)) for m, p in base.anchors)
        self._field_use(node, list(reversed(anchors)))
        found = self._model_kind(str(spec.type))
        if found is None:
            return None
        return _Kind(found.kind, found.name, ((found.name, ()), *anchors))


def audit_source(source: str, path: str = "<string>", against: str | None = None) -> Report:
    """The uses of the API in one Python source text."""
    visitor = _Visitor(path, _index())
    visitor.visit(ast.parse(source, filename=path))
    unique = {(u.line, u.what, u.key): u for u in visitor.uses}
    return Report(sorted(unique.values(), key=lambda u: (u.path, u.line, u.what)), against)


def _python_files(paths: Sequence[str]) -> Iterator[Path]:
    for given in paths:
        path = Path(given)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*.py") if ".venv" not in p.parts)
        elif path.is_file():
            yield path
        else:
            raise FileNotFoundError(f"{given}: no such file or directory")


def audit_paths(paths: Sequence[str], against: str | None = None) -> Report:
    """The uses of the API in Python files and directories (searched for *.py)."""
    if against is not None and against.removeprefix("v") not in versions.api_versions():
        known = versions.api_versions()
        raise ValueError(f"--against {against}: not an API version this SDK knows ({known[0]}…{known[-1]})")
    report = Report(against=None if against is None else against.removeprefix("v"))
    for path in _python_files(paths):
        try:
            found = audit_source(path.read_text(encoding="utf-8"), str(path))
        except SyntaxError as exc:
            raise ValueError(f"{path}:{exc.lineno}: not Python this can read: {exc.msg}") from exc
        report.uses += found.uses
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m docker_engine.audit",
        description="Which Docker Engine API versions the code's use of docker-engine needs (read, not run).",
    )
    parser.add_argument("paths", nargs="+", help="Python files, or directories searched for *.py")
    parser.add_argument("--against", metavar="VERSION", help="list each use this API version lacks (exit 1 if any)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    args = parser.parse_args(argv)
    try:
        report = audit_paths(args.paths, args.against)
    except (OSError, ValueError) as exc:
        print(f"audit: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(json.dumps(report.to_json(), indent=1) + "\n" if args.json else report.text())
    return 1 if report.missing() else 0


if __name__ == "__main__":
    sys.exit(main())
