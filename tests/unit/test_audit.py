"""`python -m docker_engine.audit` (issue #17) on a corpus of small scripts with known answers.

Each script in tests/unit/audit_corpus/ says in its docstring the lowest API version it needs
(`expect-minimum:`, and `expect-maximum:` when something it uses was removed later); a line
marked `lacks-in: N` uses something API versions up to N lack (`lacks-after: M`: versions after
M), so `--against V` must report exactly the lines whose marks cover V.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from docker_engine import versions
from docker_engine.audit import audit_paths, audit_source, main

ROOT = Path(__file__).resolve().parents[2]
CORPUS = sorted((Path(__file__).parent / "audit_corpus").glob("a*.py"))


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def expected_lines(path: Path, against: str) -> set[int]:
    lines = set()
    for number, line in enumerate(path.read_text().splitlines(), 1):
        lacks_in = re.search(r"lacks-in: (1\.\d+)", line)
        lacks_after = re.search(r"lacks-after: (1\.\d+)", line)
        if (lacks_in and _key(against) <= _key(lacks_in.group(1))) or (
            lacks_after and _key(against) > _key(lacks_after.group(1))
        ):
            lines.add(number)
    return lines


def test_the_corpus_is_there() -> None:
    assert len(CORPUS) >= 8


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_minimum_and_maximum(path: Path) -> None:
    text = path.read_text()
    minimum = re.search(r"expect-minimum: (none|1\.\d+)", text)
    assert minimum, f"{path.name}: no expect-minimum"
    report = audit_paths([str(path)])
    assert report.minimum == (None if minimum.group(1) == "none" else minimum.group(1))
    maximum = re.search(r"expect-maximum: (1\.\d+)", text)
    newest = versions.api_versions()[-1]
    assert report.maximum == (maximum.group(1) if maximum else (None if report.minimum is None else newest))


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
@pytest.mark.parametrize("against", ["1.25", "1.34", "1.35", "1.41", "1.42", "1.43", "1.46", "1.47", "1.56"])
def test_against_names_each_line(path: Path, against: str) -> None:
    report = audit_paths([str(path)], against=against)
    assert {u.line for u in report.missing()} == expected_lines(path, against)
    for use in report.missing():
        assert use.path == str(path) and not use.exists_in(against)


def test_the_projects_own_examples() -> None:
    """examples/ run on dockerd 20.10 (API 1.41), 26 and 28: nothing they use is newer than 1.41."""
    report = audit_paths([str(ROOT / "examples")], against="1.41")
    assert report.uses and report.missing() == []
    assert report.minimum is not None and _key(report.minimum) <= (1, 41)
    keys = {u.key for u in report.uses}
    assert {"op:ContainerCreate", "op:ContainerExec", "op:ImagePush", "op:ImageBuild"} <= keys


def test_text_json_and_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "app.py"
    script.write_text('docker.containers.stop("web", signal="SIGKILL")\n')
    assert main([str(script), "--against", "1.41"]) == 1
    out = capsys.readouterr().out
    assert f"{script}:1: containers.stop(signal=): API v1.42–v1.56, not v1.41" in out
    assert main([str(script), "--against", "1.42", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["minimum"], data["against"], data["missing"]) == ("1.42", "1.42", [])
    assert main([str(tmp_path / "missing.py")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main([str(script), "--against", "1.99"]) == 2
    assert "not an API version" in capsys.readouterr().err
    (tmp_path / "broken.py").write_text("def (:\n")
    assert main([str(tmp_path / "broken.py")]) == 2
    assert "broken.py:1" in capsys.readouterr().err


def test_runs_as_a_module() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "docker_engine.audit", str(ROOT / "examples" / "exec_stdin.py")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.startswith("7 uses of the API; they need API v1.25 or newer")


def test_what_the_code_does_not_say_is_not_guessed() -> None:
    source = "body = make_body()\ndocker.containers.create(body=body)\nx = something.other.list()\nprint(x.id)\n"
    report = audit_source(source)
    assert [u.key for u in report.uses] == ["op:ContainerCreate"]
