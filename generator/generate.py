"""Generate version packages into `generated/docker_engine/`, atomically."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from . import share
from .history import History, cached_history
from .manifest import ROOT, SpecVersion, fetch_all, load_manifest, mirror_dir
from .parse import GenerationError, normalised_spec, parse
from .patch import load_patches
from .presence import apply_presence, load_presence
from .render import Renderer

GENERATED = ROOT / "generated" / "docker_engine"


def _generate_one(spec: SpecVersion, staging: Path, history_json: str) -> str:
    try:
        oas = apply_presence(normalised_spec(spec.path, spec.version, load_patches()), load_presence())
        output = staging / spec.package
        data = parse(oas, version=spec.version, spec_path=spec.path, output=output)
        Renderer(data, oas, spec.version, output, History.from_json(history_json)).render()
    except GenerationError:
        raise
    except Exception as exc:  # every failure names the version and spec it came from
        raise GenerationError(f"v{spec.version} ({spec.path}): {type(exc).__name__}: {exc}") from exc
    return spec.version


def _ruff(staging: Path) -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    config = str(ROOT / "pyproject.toml")
    for args in (["check", "--fix-only", "--silent", "--exit-zero"], ["format", "--quiet"]):
        result = subprocess.run([ruff, *args, "--config", config, str(staging)], capture_output=True, text=True)
        if result.returncode != 0:
            raise GenerationError(f"ruff {args[0]} failed on the generated code:\n{result.stdout}{result.stderr}")


def _drop_unshared(target: Path) -> None:
    """Remove the shared modules that no version package names any more (and their bytecode)."""
    packages = sorted(p for p in target.iterdir() if p.is_dir() and p.name.startswith("v"))
    wanted = share.referenced(packages, target / share.SHARED)
    for kind in share.KINDS:
        for path in sorted((target / share.SHARED / kind).glob("*.py")):
            if path.stem != "__init__" and (kind, path.stem) not in wanted:
                path.unlink()
        shutil.rmtree(target / share.SHARED / kind / "__pycache__", ignore_errors=True)


def generate(versions: list[SpecVersion], *, full: bool, jobs: int | None = None, target: Path = GENERATED) -> None:
    """Generate `versions`; with `full`, also drop packages of versions not in the manifest.

    Everything is written under a temporary directory beside the target and
    only swapped in once every version generated and was formatted, so a
    failure leaves the committed tree as it was.
    """
    started = time.monotonic()
    # "Added in API v1.XX" needs every version, whichever are generated now.
    everything = load_manifest()
    fetch_all(everything, mirror_dir())
    history_json = cached_history([v.version for v in everything]).to_json()
    target.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=target.parent))
    try:
        workers = jobs or min(len(versions), os.cpu_count() or 1)
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(_generate_one, spec, staging, history_json) for spec in versions]
            for future in futures:
                print(f"generated v{future.result()}", flush=True)
        share.write_packages(staging / share.SHARED)
        _ruff(staging)
        # The shared modules first: a version package swapped in finds every module it names.
        for source in sorted((staging / share.SHARED).rglob("*.py")):
            destination = target / share.SHARED / source.relative_to(staging / share.SHARED)
            destination.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, destination)
        for spec in versions:
            package = target / spec.package
            old = target.parent / f".old-{spec.package}"
            if old.exists():
                shutil.rmtree(old)
            if package.exists():
                package.rename(old)
            (staging / spec.package).rename(package)
            if old.exists():
                shutil.rmtree(old)
        (target / "_api_history.json").write_text(history_json + "\n", encoding="utf-8")
        newest = max(versions, key=lambda v: v.key)
        if full or not (target / "_latest.py").exists():
            (target / "_latest.py").write_text(
                f'"""The newest generated API version: what the negotiating facade is typed as."""\n\n'
                f"from .{newest.package}.client import AsyncDocker, Docker\n\n"
                f'API_VERSION = "{newest.version}"\n__all__ = ["API_VERSION", "AsyncDocker", "Docker"]\n'
            )
        if full:
            wanted = {spec.package for spec in versions}
            for stale in target.iterdir():
                if stale.is_dir() and stale.name.startswith("v") and stale.name not in wanted:
                    shutil.rmtree(stale)
        _drop_unshared(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    print(f"{len(versions)} version(s) in {time.monotonic() - started:.1f} s")
