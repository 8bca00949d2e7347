"""examples/: the six everyday docker-py tasks (issue #15), each no longer than its docker-py
version in docs/docker-py-examples/ (lines of code: no blank lines, comments or docstrings).
That they run is tests/live/test_examples_live.py; that they type-check, tests/typing."""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TASKS = ["run_and_read", "detached_logs", "tag_push_pull", "exec_stdin", "copy_in_out", "build"]


def code_lines(path: Path) -> int:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    docstring_lines: set[int] = set()
    first = tree.body[0] if tree.body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        docstring_lines = set(range(first.lineno, (first.end_lineno or first.lineno) + 1))
    lines = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT):
            continue
        if token.type == tokenize.ENDMARKER or token.start[0] in docstring_lines:
            continue
        lines.add(token.start[0])
    return len(lines)


def test_every_task_has_both_versions() -> None:
    assert sorted(p.stem for p in (ROOT / "docs" / "docker-py-examples").glob("*.py")) == sorted(TASKS)
    assert {p.stem for p in (ROOT / "examples").glob("*.py")} == {*TASKS, "demo"}


@pytest.mark.parametrize("task", TASKS)
def test_no_longer_than_docker_py(task: str) -> None:
    ours = code_lines(ROOT / "examples" / f"{task}.py")
    theirs = code_lines(ROOT / "docs" / "docker-py-examples" / f"{task}.py")
    assert 0 < ours <= theirs, f"examples/{task}.py: {ours} lines of code, docker-py's: {theirs}"


def test_code_lines_leave_out_docstrings_comments_and_blank_lines(tmp_path: Path) -> None:
    script = tmp_path / "s.py"
    script.write_text('"""Doc\n\nstring."""\n\nimport os  # why\n\n# note\nprint(\n    os.sep,\n)\n')
    assert code_lines(script) == 4
