"""The SDK as a user's type checker sees it (issue #11).

For both install modes — `pip install -e <repo>` and the built wheel, each in its own
venv under build/typing/ — this runs mypy --strict and pyright (strict) on:

* the clean code: the README's ```python blocks, examples/, and tests/typing/corpus/
  (typical user scripts). Zero errors, and none of `cast(`, `assert`, `isinstance(`,
  `# type: ignore` in it.
  README rule: each block becomes build/typing/readme/readme_block_<n>.py. A block
  that uses the name `docker` without binding it (a continuation of an earlier
  example) is wrapped in `def _fragment(docker: Docker) -> None:` (`async def` with
  `AsyncDocker` when it awaits at top level); any other block is checked as written.
* the planted mistakes, tests/typing/mistakes/*.py: one mistake per file on the line
  marked `# MISTAKE: <what>`. A mistake is caught when the checker reports an error on
  the statement holding that line (its header, for a compound statement) or on the line
  after. mypy must catch at least 95% in each install mode; pyright's rate is reported
  (and held to the same bar). A file may say `# RUNTIME: <ExceptionName>`: it is then run
  against a fake daemon (tests/typing/fake_daemon.py, announcing API 1.41 unless the file
  says `# DAEMON: 1.XX`) and must raise that exception (or a subclass) with a message,
  with nothing but `/_ping` reaching the daemon.

The catch rates are printed in the terminal summary and kept in build/typing/report.json.
pyright comes from npm (pinned in harness.py): without node/npm the pyright tests are
skipped, or fail in CI (CI=true, or DOCKER_ENGINE_REQUIRE_DAEMONS=1 as .ci/run sets).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from . import harness
from .fake_daemon import FakeDaemon

SUMMARY: list[str] = []
REPORT: dict[str, object] = {}
MIN_RATE = 0.95
MIN_CORPUS = 10
MIN_MISTAKES = 30

PLANTED = harness.mistakes()


def _note(line: str) -> None:
    SUMMARY.append(line)


def _save_report() -> None:
    harness.BUILD.mkdir(parents=True, exist_ok=True)
    (harness.BUILD / "report.json").write_text(json.dumps(REPORT, indent=2, sort_keys=True) + "\n")


class Files:
    def __init__(self) -> None:
        self.readme = harness.extract_readme_blocks()
        self.corpus = harness.corpus_files()
        self.examples = harness.example_files()
        self.mistakes = [m.path for m in PLANTED]

    @property
    def clean(self) -> list[Path]:
        return [*self.corpus, *(b.path for b in self.readme), *self.examples]

    @property
    def all(self) -> list[Path]:
        return [*self.clean, *self.mistakes]

    def show(self, diagnostics: list[harness.Diagnostic]) -> str:
        """Errors, with README blocks pointing back at README.md lines."""
        blocks = {b.path.resolve(): b for b in self.readme}
        lines = []
        for d in diagnostics:
            block = blocks.get(d.path)
            where = f"  ({block.source} line {d.line + block.offset})" if block else ""
            lines.append(d.show() + where)
        return "\n".join(lines)


@pytest.fixture(scope="session")
def files() -> Files:
    return Files()


@pytest.fixture(scope="session")
def pythons() -> dict[str, Path]:
    started = time.monotonic()
    found = harness.installs()
    _note(f"typing: installs ready in {time.monotonic() - started:.0f} s (editable, wheel; build/typing/)")
    return found


@pytest.fixture(scope="session")
def mypy(pythons: dict[str, Path], files: Files) -> dict[str, harness.Checked]:
    with ThreadPoolExecutor(2) as pool:
        futures = {mode: pool.submit(harness.run_mypy, mode, pythons[mode], files.all) for mode in harness.MODES}
        results = {mode: f.result() for mode, f in futures.items()}
    for mode, checked in results.items():
        _note(f"typing: mypy --strict ({mode}) on {len(files.all)} files: {checked.seconds:.0f} s")
    return results


def _in_ci() -> bool:
    """CI=true, or .ci/run's DOCKER_ENGINE_REQUIRE_DAEMONS=1: a missing tool is then a failure, not a skip."""
    return (
        os.environ.get("CI", "").lower() in ("1", "true", "yes")
        or os.environ.get("DOCKER_ENGINE_REQUIRE_DAEMONS") == "1"
    )


@pytest.fixture(scope="session")
def pyright(pythons: dict[str, Path], files: Files) -> dict[str, harness.Checked]:
    command = harness.pyright_command()
    if isinstance(command, str):
        if _in_ci():
            pytest.fail(f"in CI and pyright cannot run: {command}")
        pytest.skip(command)
    with ThreadPoolExecutor(2) as pool:
        futures = {
            mode: pool.submit(harness.run_pyright, mode, pythons[mode], files.all, command) for mode in harness.MODES
        }
        results = {mode: f.result() for mode, f in futures.items()}
    for mode, checked in results.items():
        _note(f"typing: pyright strict ({mode}) on {len(files.all)} files: {checked.seconds:.0f} s")
    return results


# ---------------------------------------------------------------- the corpus itself


def test_corpus_is_there(files: Files) -> None:
    assert len(files.corpus) >= MIN_CORPUS, f"at least {MIN_CORPUS} user scripts in tests/typing/corpus"
    assert len(PLANTED) >= MIN_MISTAKES, f"at least {MIN_MISTAKES} planted mistakes in tests/typing/mistakes"
    assert files.readme, "README.md has no ```python block"
    assert files.examples, "examples/ has no .py file"
    runtime = [m for m in PLANTED if m.runtime]
    assert len(runtime) >= len(PLANTED) // 4, "about a third of the mistakes should be checked at run time"


def test_clean_code_needs_no_escape_hatch(files: Files) -> None:
    found = harness.escape_hatches(files.clean)
    if found:
        pytest.fail("the clean code must type-check without these:\n" + "\n".join(found), pytrace=False)


# ---------------------------------------------------------------- clean code: zero errors


@pytest.mark.parametrize("mode", harness.MODES)
def test_clean_code_passes_mypy_strict(mode: str, mypy: dict[str, harness.Checked], files: Files) -> None:
    errors = mypy[mode].in_files(files.clean)
    REPORT[f"mypy_clean_errors_{mode}"] = len(errors)
    _save_report()
    if errors:
        pytest.fail(f"mypy --strict ({mode} install) on the clean code:\n{files.show(errors)}", pytrace=False)


@pytest.mark.parametrize("mode", harness.MODES)
def test_clean_code_passes_pyright_strict(mode: str, pyright: dict[str, harness.Checked], files: Files) -> None:
    errors = pyright[mode].in_files(files.clean)
    REPORT[f"pyright_clean_errors_{mode}"] = len(errors)
    _save_report()
    if errors:
        pytest.fail(f"pyright strict ({mode} install) on the clean code:\n{files.show(errors)}", pytrace=False)


# ---------------------------------------------------------------- planted mistakes: caught


def _rate(checked: harness.Checked, *, enforce: bool) -> harness.Rate:
    rate = harness.catch_rate(checked, PLANTED)
    _note(rate.line())
    for m in rate.missed:
        _note(f"typing:   {checked.tool} ({checked.mode}) missed {m.name}:{m.line}: {m.what}")
    for m in rate.noisy:
        _note(f"typing:   {checked.tool} ({checked.mode}) amid other errors {m.name}:{m.line}: {m.what}")
    REPORT[f"{checked.tool}_{checked.mode}"] = {
        "caught": len(rate.caught),
        "total": rate.total,
        "rate": round(rate.rate, 4),
        "missed": [f"{m.name}:{m.line}: {m.what}" for m in rate.missed],
        "amid_other_errors": [f"{m.name}:{m.line}: {m.what}" for m in rate.noisy],
        "stray": [d.show() for d in rate.stray],
    }
    _save_report()
    if enforce:
        missed = "\n".join(f"  {m.name}:{m.line}: {m.what}" for m in [*rate.missed, *rate.noisy])
        if rate.rate < MIN_RATE:
            pytest.fail(f"{rate.line()}, below {MIN_RATE:.0%}; missed:\n{missed}", pytrace=False)
    return rate


@pytest.mark.parametrize("mode", harness.MODES)
def test_mypy_catches_planted_mistakes(mode: str, mypy: dict[str, harness.Checked]) -> None:
    _rate(mypy[mode], enforce=True)


@pytest.mark.parametrize("mode", harness.MODES)
def test_pyright_catches_planted_mistakes(mode: str, pyright: dict[str, harness.Checked]) -> None:
    _rate(pyright[mode], enforce=True)


def test_mistake_files_have_no_other_error(mypy: dict[str, harness.Checked]) -> None:
    """A mistake file must be clean but for its one mistake, or its catch proves nothing."""
    stray = harness.catch_rate(mypy["wheel"], PLANTED).stray
    if stray:
        pytest.fail("errors away from the planted mistake (mypy, wheel):\n" + "\n".join(d.show() for d in stray))


# ---------------------------------------------------------------- planted mistakes: refused at run time

RUNNER = """
import json, runpy, sys
try:
    runpy.run_path(sys.argv[1], run_name="__main__")
except BaseException as exc:
    print(json.dumps({"raised": [c.__name__ for c in type(exc).__mro__], "message": str(exc)}))
else:
    print(json.dumps({"raised": None}))
"""


@pytest.fixture
def socket_dir() -> Iterator[Path]:
    # Short: a unix socket path has at most 107 bytes.
    with tempfile.TemporaryDirectory(prefix="typing-") as directory:
        yield Path(directory)


@pytest.mark.parametrize("mistake", [m for m in PLANTED if m.runtime], ids=lambda m: m.path.stem)
def test_mistake_is_refused_before_sending(mistake: harness.Mistake, socket_dir: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    (socket_dir / "config").mkdir()
    with FakeDaemon(socket_dir / "docker.sock", mistake.daemon) as daemon:
        env.update(DOCKER_HOST=daemon.url, DOCKER_CONFIG=str(socket_dir / "config"), PYTHONPATH="")
        result = subprocess.run(
            [sys.executable, "-c", RUNNER, str(mistake.path)],
            capture_output=True,
            text=True,
            env=env,
            cwd=socket_dir,
            timeout=60,
            check=False,
        )
        sent = daemon.not_pings()
    outcome: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1]) if result.stdout.strip() else {}
    raised: list[str] = outcome.get("raised") or []
    message: str = outcome.get("message", "")
    what = f"{mistake.name}:{mistake.line} ({mistake.what})"
    if not raised:
        pytest.fail(f"{what}: ran without an error; sent {[r[:2] for r in sent]}\n{result.stderr}", pytrace=False)
    if mistake.runtime not in raised:
        pytest.fail(f"{what}: expected {mistake.runtime}, got {raised[0]}: {message}", pytrace=False)
    if not message.strip():
        pytest.fail(f"{what}: {raised[0]} without a message", pytrace=False)
    if sent:
        pytest.fail(f"{what}: {raised[0]} ({message}) but only after sending {[r[:2] for r in sent]}", pytrace=False)
    _note(f"typing:   run time {mistake.path.stem}: {raised[0]}: {message[:150]}")
