"""Every shell command the README shows is real: its make targets exist (`make -n`), its
scripts exist and parse, its `python -m` entry points run (the quick ones) or answer
--help, the apt packages it installs exist, the paths it names are there. Nothing
slow or with side effects is run (no `make test` inside the tests)."""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
# Run for real: read-only and quick. The others answer --help.
RUN_GENERATOR = {"diff", "history"}


def readme_commands() -> list[tuple[int, str]]:
    """(line number, command) for each command in the README's ```sh blocks."""
    commands: list[tuple[int, str]] = []
    in_sh = False
    for number, line in enumerate(README.read_text().splitlines(), 1):
        if line.startswith("```"):
            in_sh = not in_sh and line.strip() == "```sh"
            continue
        if not in_sh:
            continue
        code = re.sub(r"(^|\s)#.*$", "", line).strip()
        for command in code.split("&&"):
            if command.strip():
                commands.append((number, command.strip()))
    return commands


COMMANDS = readme_commands()


def test_the_sections_a_new_user_needs_show_commands() -> None:
    text = README.read_text()
    for section in ("## Install", "## Run the demo", "## Run the tests"):
        assert section in text
        body = text.split(section, 1)[1].split("\n## ", 1)[0]
        assert "```sh" in body, f"{section} shows no command"
    shown = {command for _, command in COMMANDS}
    assert {"bash .ci/run", "make demo", "make test", "bash .ci/install-daemons.sh"} <= shown


def project() -> dict[str, str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    # The version is dynamic: hatch reads `__version__` from the package.
    assert meta["dynamic"] == ["version"]
    version = re.search(r'^__version__ = "([^"]+)"', (ROOT / "overlays/docker_engine/__init__.py").read_text(), re.M)
    assert version is not None
    return {"name": meta["name"], "version": version.group(1)}


def check_make(args: list[str]) -> None:
    if shutil.which("make") is None:
        pytest.skip("no make here")
    # -n prints what would run; it fails on an unknown target. ($(MAKE) lines recurse with -n too.)
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    result = subprocess.run(
        ["make", "-n", "--no-print-directory", "-C", str(ROOT), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def check_pip(args: list[str]) -> None:
    sub, rest = args[0], [a for a in args[1:] if not a.startswith("-")]
    assert sub in ("install", "wheel"), args
    name = project()
    for target in rest:
        if target.endswith(".whl"):
            wheel = f"{name['name'].replace('-', '_')}-{name['version']}-py3-none-any.whl"
            assert Path(target).name == wheel, f"the wheel built is {wheel}"
        elif target == "dist":
            continue  # `-w dist`: the output directory
        else:
            assert (ROOT / target / "pyproject.toml").is_file(), target


def check_apt(args: list[str]) -> None:
    if args[0] == "update":
        return
    assert args[0] == "install", args
    packages = [a for a in args[1:] if not a.startswith("-")]
    assert packages
    if shutil.which("apt-cache") is None:
        pytest.skip("no apt-cache here")
    for package in packages:
        result = subprocess.run(["apt-cache", "show", package], capture_output=True, check=False)
        assert result.returncode == 0, f"no Debian package {package}"


def check_python(args: list[str]) -> None:
    if args[:2] == ["-m", "venv"]:
        assert importlib.util.find_spec("venv") and importlib.util.find_spec("ensurepip")
        return
    if args[0] == "-m":
        module, rest = args[1], args[2:]
        assert importlib.util.find_spec(module) is not None, f"no module {module}"
        if module == "generator":
            run = rest[:1] and rest[0] in RUN_GENERATOR
            argv = rest if run else [*rest[:1], "--help"]
            result = subprocess.run(
                [sys.executable, "-m", "generator", *argv],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            allowed = {0, 1} if "--fail-on" in rest else {0}  # 1: the changes it was asked to fail on
            assert result.returncode in allowed, result.stderr
        return
    assert (ROOT / args[0]).is_file(), args[0]


@pytest.mark.parametrize(("line", "command"), COMMANDS, ids=[f"L{n}:{c}" for n, c in COMMANDS])
def test_readme_command_is_real(line: int, command: str) -> None:
    words = shlex.split(command)
    env = {}
    while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
        key, _, value = words.pop(0).partition("=")
        env[key] = value
    program, args = words[0], words[1:]
    name = Path(program).name
    if name == "make":
        check_make([*args, *(f"{k}={v}" for k, v in env.items() if k != "SPEC_MIRROR")])
    elif name == "bash":
        script = ROOT / args[0]
        assert script.is_file(), f"{command}: no {script}"
        subprocess.run(["bash", "-n", str(script)], check=True)
    elif name == "pip":
        check_pip(args)
    elif name == "apt-get":
        check_apt(args)
    elif re.fullmatch(r"python3?(\.\d+)?", name):
        check_python(args)
    else:
        assert shutil.which(program) or (ROOT / program).exists(), f"README line {line}: {program} not found"
