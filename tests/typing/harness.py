"""Build the two installs (editable, wheel), run mypy --strict and pyright strict on them, read the results.

Everything lands in build/typing/ (git-ignored):

    build/typing/editable/venv    `pip install -e <repo>`     reused while pyproject.toml is unchanged
    build/typing/wheel/venv       the wheel `python -m build` makes, installed
                                  reused while pyproject.toml, overlays/ and generated/ are unchanged
    build/typing/<mode>/mypy-cache, pyrightconfig.json
    build/typing/readme/          the README's python blocks as files
    build/node/                   pyright from npm (pinned below)
    build/typing/report.json      the last run's catch rates

mypy runs from the repository's .venv with `--python-executable` of the install
under test (so it resolves `docker_engine` exactly as mypy installed in that venv
would), pyright with `--pythonpath` likewise.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = ROOT / "tests" / "typing"
BUILD = ROOT / "build" / "typing"
NODE = ROOT / "build" / "node"
CORPUS = HERE / "corpus"
MISTAKES = HERE / "mistakes"
EXAMPLES = ROOT / "examples"
README = ROOT / "README.md"
PYRIGHT_VERSION = "1.1.414"
MODES = ("editable", "wheel")

# What the clean code (corpus, README blocks, examples) must not need to please a type checker.
ESCAPES = {
    "cast(": re.compile(r"\bcast\("),
    "assert": re.compile(r"^\s*assert\b", re.MULTILINE),
    "isinstance(": re.compile(r"\bisinstance\("),
    "# type: ignore": re.compile(r"#\s*type:\s*ignore"),
    "# pyright: ignore": re.compile(r"#\s*pyright:\s*(ignore|basic|off)"),
}

MISTAKE_MARK = re.compile(r"#\s*MISTAKE:\s*(?P<what>.+?)\s*(?:#|$)")
RUNTIME_MARK = re.compile(r"#\s*RUNTIME:\s*(?P<exc>[A-Za-z_][A-Za-z0-9_]*)")
DAEMON_MARK = re.compile(r"#\s*DAEMON:\s*(?P<version>1\.\d+)")


# ---------------------------------------------------------------- the files


@dataclass(frozen=True)
class Mistake:
    path: Path
    line: int  # the MISTAKE line (1-based)
    lines: tuple[int, ...]  # the lines of the statement (header) holding it: an error on any of them counts
    what: str
    runtime: str | None  # the exception that must be raised before anything is sent
    daemon: str  # the API version the fake daemon announces

    @property
    def name(self) -> str:
        return self.path.name


def _statement_lines(tree: ast.Module, line: int) -> tuple[int, ...]:
    """The lines of the innermost statement at `line` (of a compound statement: its header only)."""
    best: tuple[int, int] | None = None
    for node in ast.walk(tree):
        if not isinstance(node, ast.stmt):
            continue
        start, end = node.lineno, node.end_lineno or node.lineno
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
            end = max(start, body[0].lineno - 1)
        if start <= line <= end and (best is None or end - start <= best[1] - best[0]):
            best = (start, end)
    start, end = best or (line, line)
    return tuple(range(start, end + 2))  # and the line after, for a call continued there


def mistakes() -> list[Mistake]:
    found: list[Mistake] = []
    for path in sorted(MISTAKES.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        marks = [(n, m) for n, line in enumerate(text.splitlines(), 1) if (m := MISTAKE_MARK.search(line))]
        if len(marks) != 1:
            raise ValueError(f"{path}: exactly one `# MISTAKE: <what>` line expected, found {len(marks)}")
        (line, mark), runtime, daemon = marks[0], RUNTIME_MARK.search(text), DAEMON_MARK.search(text)
        found.append(
            Mistake(
                path=path,
                line=line,
                lines=_statement_lines(ast.parse(text), line),
                what=mark["what"],
                runtime=runtime["exc"] if runtime else None,
                daemon=daemon["version"] if daemon else "1.41",
            )
        )
    return found


def corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("*.py"))


def example_files() -> list[Path]:
    return sorted(EXAMPLES.rglob("*.py"))


# The documents whose ```python blocks are checked: the README and the guides of the site.
DOCUMENTS = [README, ROOT / "docs" / "index.md", *sorted((ROOT / "docs" / "guides").glob("*.md"))]


@dataclass(frozen=True)
class ReadmeBlock:
    source: str  # the document, relative to the repository
    path: Path  # the extracted file
    readme_line: int  # the README line of the block's first code line
    offset: int  # file line = README line - offset... for the lines of the block itself
    wrapped: bool


_FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _binds_docker(tree: ast.AST) -> tuple[bool, bool]:
    """(uses the name `docker`, binds it)"""
    uses = binds = False
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == "docker":
            if isinstance(node.ctx, ast.Load):
                uses = True
            else:
                binds = True
        elif isinstance(node, ast.arg) and node.arg == "docker":
            binds = True
    return uses, binds


def extract_readme_blocks(documents: Iterable[Path] = DOCUMENTS, out: Path = BUILD / "readme") -> list[ReadmeBlock]:
    """Every ```python block of the README and of the guides (docs/) as a file checked like the corpus.

    The rule for fragments: a block that uses the name `docker` without binding it
    (a continuation of an earlier example) is wrapped in
    `def _fragment(docker: Docker) -> None:` — `async def … (docker: AsyncDocker)`
    when it awaits at top level — with that class imported from docker_engine. Any
    other block is checked exactly as written.
    """
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    blocks: list[ReadmeBlock] = []
    for document in documents:
        text = document.read_text(encoding="utf-8")
        source = str(document.relative_to(ROOT))
        stem = "readme" if document == README else document.stem.replace("-", "_")
        for n, match in enumerate(_FENCE.finditer(text), 1):
            code = match.group(1)
            first_line = text.count("\n", 0, match.start(1)) + 1
            tree = compile(code, "block", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT | ast.PyCF_ONLY_AST)
            awaits = bool(
                compile(code, "block", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT).co_flags & inspect.CO_COROUTINE
            )
            uses, binds = _binds_docker(tree)
            header = f"# {source} line {first_line}: python block {n}\n"
            if uses and not binds:
                cls = "AsyncDocker" if awaits else "Docker"
                header += f"from docker_engine import {cls}\n\n\n"
                header += f"{'async ' if awaits else ''}def _fragment(docker: {cls}) -> None:\n"
                body = "".join(("    " + line if line.strip() else line) for line in code.splitlines(keepends=True))
                wrapped = True
            else:
                body, wrapped = code, False
            path = out / f"{stem}_block_{n}.py"
            path.write_text(header + body, encoding="utf-8")
            blocks.append(ReadmeBlock(source, path, first_line, first_line - (header.count("\n") + 1), wrapped))
    return blocks


def escape_hatches(paths: Iterable[Path]) -> list[str]:
    found: list[str] = []
    for path in paths:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for name, pattern in ESCAPES.items():
                if pattern.search(line):
                    found.append(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}:{n}: {name}")
    return found


# ---------------------------------------------------------------- the installs


def _workdir() -> Path:
    BUILD.mkdir(parents=True, exist_ok=True)
    return BUILD


def _run(cmd: Sequence[str | Path], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    # Not from the repository: its build/ directory would shadow `python -m build`.
    result = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, check=False, env=env, cwd=_workdir())
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def _tree_hash() -> str:
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes())
    for base in ("overlays", "generated"):
        for dirpath, dirnames, filenames in os.walk(ROOT / base):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "__pycache__")
            for name in sorted(filenames):
                path = Path(dirpath, name)
                digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _fresh_venv(venv: Path) -> Path:
    """A venv without pip of its own (ensurepip is slow): the repository's pip installs into it."""
    if venv.exists():
        shutil.rmtree(venv)
    _run([sys.executable, "-m", "venv", "--without-pip", venv])
    return venv / "bin" / "python"


def _pip_install(python: Path, *args: str | Path) -> None:
    # --no-compile: byte-compiling the 32 version packages costs more than the install.
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-compile", *args], env=env)


def editable_install() -> Path:
    """The interpreter of a venv with `pip install -e <repo>`."""
    venv = BUILD / "editable" / "venv"
    key = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + sys.version.encode()).hexdigest()
    stamp = venv / ".typing-key"
    if not (stamp.exists() and stamp.read_text() == key):
        python = _fresh_venv(venv)
        _pip_install(python, "-e", ROOT)
        stamp.write_text(key)
    return venv / "bin" / "python"


def wheel_install() -> Path:
    """The interpreter of a venv with the wheel of the current tree installed."""
    venv = BUILD / "wheel" / "venv"
    key = hashlib.sha256((_tree_hash() + sys.version).encode()).hexdigest()
    stamp = venv / ".typing-key"
    if not (stamp.exists() and stamp.read_text() == key):
        dist = BUILD / "wheel" / "dist"
        if dist.exists():
            shutil.rmtree(dist)
        _run([sys.executable, "-m", "build", "--wheel", "--outdir", dist, ROOT])
        (wheel,) = dist.glob("docker_engine-*.whl")
        python = _fresh_venv(venv)
        _pip_install(python, wheel)
        stamp.write_text(key)
    return venv / "bin" / "python"


def installs() -> dict[str, Path]:
    with ThreadPoolExecutor(2) as pool:
        editable, wheel = pool.submit(editable_install), pool.submit(wheel_install)
        return {"editable": editable.result(), "wheel": wheel.result()}


def pyright_command() -> list[str] | str:
    """The pyright command (installed into build/node on first use), or why there is none."""
    binary = NODE / "node_modules" / ".bin" / "pyright"
    package = NODE / "node_modules" / "pyright" / "package.json"
    if binary.exists() and package.exists() and json.loads(package.read_text())["version"] == PYRIGHT_VERSION:
        return [str(binary)]
    if not shutil.which("node") or not shutil.which("npm"):
        return "pyright needs node and npm (Debian: apt-get install nodejs npm); they are not on PATH"
    NODE.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        ["npm", "install", "--prefix", str(NODE), "--no-audit", "--no-fund", "--silent", f"pyright@{PYRIGHT_VERSION}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0 or not binary.exists():
        return f"npm install pyright@{PYRIGHT_VERSION} failed:\n{result.stdout}\n{result.stderr}"
    return [str(binary)]


# ---------------------------------------------------------------- the checkers


@dataclass(frozen=True)
class Diagnostic:
    path: Path
    line: int
    message: str

    def show(self) -> str:
        where = self.path.relative_to(ROOT) if self.path.is_relative_to(ROOT) else self.path
        return f"{where}:{self.line}: {self.message}"


@dataclass
class Checked:
    tool: str
    mode: str
    errors: list[Diagnostic] = field(default_factory=list)
    seconds: float = 0.0
    output: str = ""

    def in_files(self, paths: Iterable[Path]) -> list[Diagnostic]:
        wanted = {p.resolve() for p in paths}
        return [e for e in self.errors if e.path in wanted]

    def at(self, path: Path, lines: Iterable[int]) -> list[Diagnostic]:
        wanted = set(lines)
        return [e for e in self.errors if e.path == path.resolve() and e.line in wanted]


_MYPY_LINE = re.compile(r"^(?P<file>[^:\n]+\.py):(?P<line>\d+): error: (?P<msg>.*)$", re.MULTILINE)


def run_mypy(mode: str, python: Path, files: Sequence[Path]) -> Checked:
    started = time.monotonic()
    cache = BUILD / mode / "mypy-cache"
    cmd = [
        sys.executable,
        "-m",
        "mypy",
        "--config-file",
        str(HERE / "mypy.ini"),
        "--python-executable",
        str(python),
        "--cache-dir",
        str(cache),
        "--show-absolute-path",
        "--no-error-summary",
        "--no-pretty",
        "--hide-error-context",
        "--show-error-codes",
        *map(str, files),
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    checked = Checked("mypy", mode, seconds=time.monotonic() - started, output=result.stdout + result.stderr)
    if result.returncode not in (0, 1):
        raise RuntimeError(f"mypy crashed ({result.returncode}):\n{checked.output}")
    for m in _MYPY_LINE.finditer(result.stdout):
        checked.errors.append(Diagnostic(Path(m["file"]).resolve(), int(m["line"]), m["msg"]))
    return checked


def run_pyright(mode: str, python: Path, files: Sequence[Path], pyright: Sequence[str]) -> Checked:
    started = time.monotonic()
    config = BUILD / mode / "pyrightconfig.json"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        json.dumps(
            {
                "extends": os.path.relpath(HERE / "pyrightconfig.json", config.parent),
                "include": [os.path.relpath(f, config.parent) for f in files],  # pyright wants them relative
                # examples/demo.py imports tests.live.daemons (the daemons it starts) from the repository
                "extraPaths": [str(ROOT)],
            },
            indent=2,
        )
    )
    cmd = [*pyright, "--outputjson", "--pythonpath", str(python), "--project", str(config)]
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=config.parent, check=False)
    checked = Checked("pyright", mode, seconds=time.monotonic() - started, output=result.stdout + result.stderr)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError as exc:
        raise RuntimeError(f"pyright gave no JSON ({result.returncode}):\n{checked.output}") from exc
    analyzed = report.get("summary", {}).get("filesAnalyzed", 0)
    if analyzed < len(files):
        raise RuntimeError(
            f"pyright analyzed {analyzed} of {len(files)} files:\n{result.stderr}\n{result.stdout[:3000]}"
        )
    for d in report.get("generalDiagnostics", []):
        if d.get("severity") == "error":
            rule = f"  [{d['rule']}]" if d.get("rule") else ""
            message = " ".join(d["message"].split()) + rule
            checked.errors.append(Diagnostic(Path(d["file"]).resolve(), d["range"]["start"]["line"] + 1, message))
    return checked


@dataclass
class Rate:
    tool: str
    mode: str
    caught: list[Mistake]
    missed: list[Mistake]
    noisy: list[Mistake]  # an error at the mistake, but others elsewhere in the file: not counted as caught
    stray: list[Diagnostic]  # those other errors

    @property
    def total(self) -> int:
        return len(self.caught) + len(self.missed) + len(self.noisy)

    @property
    def rate(self) -> float:
        return len(self.caught) / self.total if self.total else 0.0

    def line(self) -> str:
        noisy = f", {len(self.noisy)} more only amid other errors" if self.noisy else ""
        return (
            f"typing: {self.tool} ({self.mode}) caught {len(self.caught)}/{self.total} planted mistakes "
            f"({self.rate:.0%}){noisy}"
        )


def catch_rate(checked: Checked, planted: Sequence[Mistake]) -> Rate:
    """A mistake is caught when the checker reports it on its statement and nothing else in its file:
    an install whose types are Unknown everywhere "reports" every line, and that is no catch."""
    rate = Rate(checked.tool, checked.mode, [], [], [], [])
    for mistake in planted:
        hits = checked.at(mistake.path, mistake.lines)
        on_lines = set(mistake.lines)
        stray = [e for e in checked.in_files([mistake.path]) if e.line not in on_lines]
        rate.stray.extend(stray)
        (rate.noisy if hits and stray else rate.caught if hits else rate.missed).append(mistake)
    return rate
