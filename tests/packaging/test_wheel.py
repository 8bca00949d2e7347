"""The built wheel, installed into a fresh venv, imports everything (not only `pip install -e .`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHECK = """
import importlib, json, pkgutil, sys
import docker_engine
from docker_engine import AsyncDocker, Docker, versions
assert "site-packages" in docker_engine.__file__, docker_engine.__file__
packages = sorted(m.name for m in pkgutil.iter_modules(docker_engine.__path__) if m.name.startswith("v1_"))
assert len(packages) == 32, packages
modules = 0
for name in packages:
    package = importlib.import_module(f"docker_engine.{name}")
    assert package.Docker.API_VERSION == package.API_VERSION
    for info in pkgutil.walk_packages(package.__path__, f"docker_engine.{name}."):
        module = importlib.import_module(info.name)
        for exported in getattr(module, "__all__", []):  # the models and API classes it imports lazily
            getattr(module, exported)
        modules += 1
import docker_engine._shared
shared = 0
for info in pkgutil.walk_packages(docker_engine._shared.__path__, "docker_engine._shared."):
    importlib.import_module(info.name)
    shared += 1
assert shared > 1500, shared
assert versions.added_in("ContainerInspectResponse.ImageManifestDescriptor") == "1.48"
from docker_engine._latest import API_VERSION
print(json.dumps({"packages": len(packages), "modules": modules, "latest": API_VERSION}))
"""


def test_wheel_installs_and_imports_everything(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path / "dist"), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = (tmp_path / "dist").glob("docker_engine-*.whl")
    subprocess.run([sys.executable, "-m", "venv", str(tmp_path / "venv")], check=True)
    python = tmp_path / "venv" / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], check=True, capture_output=True)
    result = subprocess.run([str(python), "-c", CHECK], check=True, capture_output=True, text=True, cwd=tmp_path)
    assert '"packages": 32' in result.stdout and '"latest": "1.56"' in result.stdout
    assert int(result.stdout.split('"modules": ')[1].split(",")[0]) >= 32 * 7  # every version's modules
    # The footprint (issue: a light install): versions share what did not change.
    assert wheel.stat().st_size <= 5_000_000, f"wheel {wheel.stat().st_size} bytes"
    (installed,) = (tmp_path / "venv").glob("lib/python3*/site-packages/docker_engine")
    kib = int(
        subprocess.run(["du", "-sk", str(installed)], check=True, capture_output=True, text=True).stdout.split()[0]
    )
    assert kib * 1024 <= 40_000_000, f"installed {kib} KiB (with pip's bytecode), on disk"


def test_wheel_and_sdist_carry_the_licence_version_and_typed_marker(tmp_path: Path) -> None:
    import tarfile
    import zipfile

    import docker_engine

    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--sdist", "--outdir", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("docker_engine-*.whl")
    (sdist,) = tmp_path.glob("docker_engine-*.tar.gz")
    assert wheel.name.startswith(f"docker_engine-{docker_engine.__version__}-")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert "docker_engine/py.typed" in names and "docker_engine/v1_56/py.typed" in names
    assert f"Version: {docker_engine.__version__}\n" in metadata
    assert "License-Expression: Apache-2.0" in metadata and "Classifier: Typing :: Typed" in metadata
    with tarfile.open(sdist) as archive:
        members = {m.split("/", 1)[1] for m in archive.getnames() if "/" in m}
    assert {"LICENSE", "CHANGELOG.md", "README.md"} <= members
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## {docker_engine.__version__} — " in changelog, "CHANGELOG.md has no entry for this version"


def test_python_m_docker_engine_version() -> None:
    import docker_engine

    done = subprocess.run(
        [sys.executable, "-m", "docker_engine", "--version"], check=True, capture_output=True, text=True
    )
    first, second = done.stdout.splitlines()
    assert first == f"docker-engine {docker_engine.__version__}"
    assert second.startswith("Docker Engine API v1.25–v1.56 (32 versions): 1.25, 1.26")
