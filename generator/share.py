"""Modules shared by versions: a model, enum, operation or tag module is written once.

Consecutive API versions differ in a handful of schemas and operations, so most of
a version package's modules are byte-identical to the previous version's. Such a
module is written to `docker_engine/_shared/<kind>/<name>_<hash>.py`, and the
version packages re-export it (the tables of `models/__init__.py` and `api.py`, `dicts.py`).

A module can be shared only together with the modules it imports: `container_state`
of v1.44 imports v1.44's `health`, so where `Health` changed, `ContainerState` is
another module too. The hash is therefore over the module's closure (its text and
the texts of everything it imports, transitively), which makes it independent of
the version that produced it: regenerating is deterministic, and a new version adds
only the modules whose closure changed.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

SHARED = "_shared"
KINDS = ("models", "ops", "api")

# The only relative imports of the pooled kinds (the templates and openapi-python-client's
# model imports): `from ..<kind>.<module> import …` for models and operations. Seen from
# `_shared/<kind>/`, `..` is `_shared`, so one rewrite serves every kind.
_IMPORT = re.compile(r"^(\s*from \.\.)(models|ops)\.(\w+)( import)", re.MULTILINE)
# openapi-python-client's templates import `..types`, the version's re-export of the runtime's.
_TYPES_IMPORT = re.compile(r"^(\s*)from \.\.types import", re.MULTILINE)
_RUNTIME_TYPES = r"\1from docker_engine._types import"
# What a version package's files name in the pool (generate.py keeps these, drops the rest).
REFERENCE = re.compile(rf"docker_engine\.{SHARED}\.({'|'.join(KINDS)})\.(\w+)")


@dataclass(frozen=True)
class Pooled:
    """One version's pooled modules: key (`models/health`) → pooled name and text."""

    names: dict[str, str]
    texts: dict[str, str]

    def module(self, key: str) -> str:
        """The dotted name of the pooled module for `key`."""
        kind = key.partition("/")[0]
        return f"docker_engine.{SHARED}.{kind}.{self.names[key]}"


def _edges(text: str) -> set[str]:
    return {f"{m.group(2)}/{m.group(3)}" for m in _IMPORT.finditer(text)}


def pool(modules: dict[str, str]) -> Pooled:
    """Name every module of one version (`"<kind>/<stem>"` → text) by the hash of its closure."""
    edges = {key: _edges(text) for key, text in modules.items()}
    missing = sorted({e for targets in edges.values() for e in targets} - modules.keys())
    if missing:
        raise ValueError(f"pooled modules import modules that are not pooled: {', '.join(missing)}")
    own = {key: hashlib.sha256(f"{key}\n{text}".encode()).hexdigest() for key, text in modules.items()}
    names: dict[str, str] = {}
    for key in sorted(modules):
        closure: set[str] = set()
        todo = [key]
        while todo:
            node = todo.pop()
            if node not in closure:
                closure.add(node)
                todo.extend(edges[node] - closure)
        digest = hashlib.sha256("".join(own[node] for node in sorted(closure)).encode()).hexdigest()
        names[key] = f"{key.partition('/')[2]}_{digest[:10]}"

    def rename(match: re.Match[str]) -> str:
        head, kind, stem, tail = match.groups()
        return f"{head}{kind}.{names[kind + '/' + stem]}{tail}"

    texts = {key: _TYPES_IMPORT.sub(_RUNTIME_TYPES, _IMPORT.sub(rename, text)) for key, text in modules.items()}
    return Pooled(names, texts)


def write(pooled: Pooled, shared: Path) -> None:
    """Write the pooled modules under `shared`; versions rendered in parallel may write the same file.

    Every writer writes the same bytes, each through its own temporary file, so a
    reader never sees a partly written module.
    """
    for key, text in pooled.texts.items():
        path = shared / key.partition("/")[0] / f"{pooled.names[key]}.py"
        if path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)


PACKAGE_DOCS = {
    "": "Modules shared by the version packages (one definition for the versions that have it unchanged).",
    "models": "Models and enums shared by the version packages (see `docker_engine.v1_XX.models`).",
    "ops": "One module per operation, shared by the version packages (the tag modules' classes inherit them).",
    "api": "Tag modules shared by the version packages (see `docker_engine.v1_XX.api`).",
}


def write_packages(shared: Path) -> None:
    """The `__init__.py` of `_shared` and of each kind."""
    for sub, doc in PACKAGE_DOCS.items():
        directory = shared / sub
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "__init__.py").write_text(f'"""{doc}"""\n', encoding="utf-8")


def referenced(package_dirs: list[Path], shared: Path) -> set[tuple[str, str]]:
    """The pooled modules (kind, name) the version packages in `package_dirs` need, directly or not."""
    found: set[tuple[str, str]] = set()
    for directory in package_dirs:
        for path in directory.rglob("*.py*"):  # the stubs (.pyi) name the lazily imported ones
            if path.suffix in (".py", ".pyi"):
                found.update(REFERENCE.findall(path.read_text(encoding="utf-8")))
    todo = list(found)
    while todo:
        kind, name = todo.pop()
        path = shared / kind / f"{name}.py"
        if not path.exists():
            continue
        for match in _IMPORT.finditer(path.read_text(encoding="utf-8")):
            module = (match.group(2), match.group(3))
            if module not in found:
                found.add(module)
                todo.append(module)
    return found
