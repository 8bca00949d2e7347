"""The operations table (tests/live/operations.py) against the newest spec the daemons
here speak (issue #12): every operationId of v1.51 has a live test or a reason, every
test named exists and calls the operation, and runs on the servers the table says.

No daemon is started: this runs in a few seconds, with the live suite (`make live`)
and without `-m live` as well.

The operations of v1.51 come from `docker_engine.versions` (the history the generator
computed from every spec and ships as `_api_history.json`): it is in every checkout
and every install, where the spec files are not (spec/*.yaml is fetched, never
committed). Two cross-checks: the methods of the generated `docker_engine.v1_51`
clients (each docstring names its operation), and spec/v1.51.yaml itself when it is
there (`$SPEC_MIRROR/v1.51.yaml`, else `spec/v1.51.yaml`).
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from docker_engine import versions

from .daemons import KINDS
from .operations import OPERATIONS

VERSION = "1.51"
PACKAGE = "docker_engine.v1_51"
ROOT = Path(__file__).resolve().parents[2]
DOC_OPERATION = re.compile(r"`(GET|POST|PUT|DELETE|HEAD) [^`]+` \(operation `(\w+)`\)")


def spec_operations() -> set[str]:
    return {key[len("op:") :] for key in versions.keys("op:") if versions.exists_in(key, VERSION)}


@functools.cache
def generated_methods() -> dict[str, tuple[str, str]]:
    """operationId → (client attribute, method name), from the generated sync client."""
    client = importlib.import_module(f"{PACKAGE}.client").Docker
    found: dict[str, tuple[str, str]] = {}
    for attribute, value in vars(client).items():
        if not isinstance(value, functools.cached_property):
            continue
        module = importlib.import_module(f"{PACKAGE}.api")
        api_class = getattr(module, value.func.__annotations__["return"])
        for name, method in inspect.getmembers(api_class, inspect.isfunction):
            match = DOC_OPERATION.search(inspect.getdoc(method) or "")
            if match and not name.startswith("_"):
                assert match.group(2) not in found, f"two methods for {match.group(2)}"
                found[match.group(2)] = (attribute, name)
    return found


def spec_file() -> Path | None:
    for directory in (os.environ.get("SPEC_MIRROR"), str(ROOT / "spec")):
        if directory and (Path(directory) / f"v{VERSION}.yaml").is_file():
            return Path(directory) / f"v{VERSION}.yaml"
    return None


def covered() -> dict[str, tuple[str, tuple[str, ...]]]:
    return {op: entry for op, entry in OPERATIONS.items() if isinstance(entry, tuple)}


def test_the_sources_of_the_operations_agree() -> None:
    operations = spec_operations()
    assert len(operations) > 100
    assert set(generated_methods()) == operations
    path = spec_file()
    if path is not None:
        in_spec = set(re.findall(r"^\s*operationId:\s*['\"]?(\w+)", path.read_text(encoding="utf-8"), re.M))
        assert in_spec == operations, f"{path} and docker_engine.versions differ"


def test_every_operation_is_in_the_table() -> None:
    missing = sorted(spec_operations() - set(OPERATIONS))
    assert not missing, f"operations of v{VERSION} with neither a live test nor a reason: {missing}"


def test_no_unknown_operation_in_the_table() -> None:
    unknown = sorted(set(OPERATIONS) - spec_operations())
    assert not unknown, f"the table names operations v{VERSION} does not have: {unknown}"


def test_entries_are_well_formed() -> None:
    for op, entry in OPERATIONS.items():
        if isinstance(entry, str):
            assert len(entry.split()) >= 5, f"{op}: say why it cannot run here"
            continue
        test, servers = entry
        assert re.fullmatch(r"tests/live/test_\w+\.py::test_\w+", test), f"{op}: {test!r}"
        assert servers and set(servers) <= set(KINDS) and len(set(servers)) == len(servers), f"{op}: {servers}"


@functools.cache
def module_tree(path: str) -> ast.Module:
    return ast.parse((ROOT / path).read_text(encoding="utf-8"), filename=path)


def functions(path: str) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    return {
        node.name: node for node in module_tree(path).body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def reachable_source(path: str, name: str) -> str:
    """The test's source and that of the module's functions it calls, transitively."""
    defined = functions(path)
    seen: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        if current in seen or current not in defined:
            continue
        seen.add(current)
        for node in ast.walk(defined[current]):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                todo.append(node.func.id)
    return "\n".join(ast.unparse(defined[n]) for n in sorted(seen))


def test_every_test_exists_and_calls_its_operation() -> None:
    methods = generated_methods()
    problems = []
    for op, (test, _) in sorted(covered().items()):
        path, _, name = test.partition("::")
        if not (ROOT / path).is_file():
            problems.append(f"{op}: {path} does not exist")
            continue
        if name not in functions(path):
            problems.append(f"{op}: no function {name} in {path}")
            continue
        attribute, method = methods[op]
        if f".{attribute}.{method}(" not in reachable_source(path, name):
            problems.append(f"{op}: {test} never calls .{attribute}.{method}(...)")
    assert not problems, "\n".join(problems)


def collected_ids(paths: list[str]) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return [line.strip() for line in done.stdout.splitlines() if "::" in line]


def test_the_servers_are_those_pytest_collects() -> None:
    """Each test's collected items carry the daemon kinds they run on in their ids
    (`test_x[20.10]`, `test_y[explicit-28]`): those must be the table's servers."""
    entries = covered()
    paths = sorted({test.partition("::")[0] for test, _ in entries.values()})
    kinds_of: dict[str, set[str]] = {}
    for node_id in collected_ids(paths):
        function, _, params = node_id.partition("[")
        kinds = set(params.rstrip("]").split("-")) & set(KINDS)
        kinds_of.setdefault(function, set()).update(kinds)
    problems = []
    for op, (test, servers) in sorted(entries.items()):
        if test not in kinds_of:
            problems.append(f"{op}: pytest collects nothing for {test}")
        elif kinds_of[test] != set(servers):
            problems.append(f"{op}: {test} runs on {sorted(kinds_of[test])}, the table says {list(servers)}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("op", sorted(op for op, entry in OPERATIONS.items() if isinstance(entry, str)))
def test_reasons_name_no_operation_that_has_a_test(op: str) -> None:
    """A reason is for an operation nothing here can run: no table test calls it."""
    attribute, method = generated_methods()[op]
    callers = [
        test for test, _ in covered().values() if f".{attribute}.{method}(" in reachable_source(*test.split("::"))
    ]
    assert not callers, f"{op} has a reason, but {callers} call .{attribute}.{method}(): list the test instead"
