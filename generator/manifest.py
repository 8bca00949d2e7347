"""The version manifest (`spec/versions.toml`) and fetching the specs it names."""

from __future__ import annotations

import hashlib
import os
import tempfile
import tomllib
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC_DIR = ROOT / "spec"
MANIFEST = SPEC_DIR / "versions.toml"
DEFAULT_MIRROR = ROOT.parent / "shared" / "specs"


class SpecError(Exception):
    """A spec could not be found, fetched or verified."""


@dataclass(frozen=True)
class SpecVersion:
    version: str
    url: str
    sha256: str

    @property
    def filename(self) -> str:
        return f"v{self.version}.yaml"

    @property
    def package(self) -> str:
        return "v" + self.version.replace(".", "_")

    @property
    def key(self) -> tuple[int, int]:
        major, minor = self.version.split(".")
        return int(major), int(minor)

    @property
    def path(self) -> Path:
        return SPEC_DIR / self.filename


def load_manifest(path: Path = MANIFEST) -> list[SpecVersion]:
    with path.open("rb") as f:
        data = tomllib.load(f)
    versions = []
    for i, entry in enumerate(data.get("version", [])):
        missing = {"version", "url", "sha256"} - set(entry)
        if missing:
            raise SpecError(f"{path}: version entry #{i + 1} lacks {', '.join(sorted(missing))}")
        versions.append(SpecVersion(entry["version"], entry["url"], entry["sha256"].lower()))
    versions.sort(key=lambda v: v.key)
    return versions


def select(versions: list[SpecVersion], wanted: list[str] | None) -> list[SpecVersion]:
    if not wanted:
        return versions
    by_name = {v.version: v for v in versions}
    unknown = [w for w in wanted if w.removeprefix("v") not in by_name]
    if unknown:
        raise SpecError(
            f"unknown API version(s) {', '.join(unknown)}; the manifest has {versions[0].version}…{versions[-1].version}"
        )
    return [by_name[w.removeprefix("v")] for w in wanted]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def mirror_dir() -> Path | None:
    env = os.environ.get("SPEC_MIRROR")
    if env:
        return Path(env)
    return DEFAULT_MIRROR if DEFAULT_MIRROR.is_dir() else None


def fetch(spec: SpecVersion, mirror: Path | None) -> Path:
    """Make `spec/vX.YY.yaml` hold the verified spec; return its path.

    A file already in place with the right checksum is kept. New content is
    verified before it replaces anything, so a bad download never overwrites.
    """
    if spec.path.is_file() and _sha256(spec.path.read_bytes()) == spec.sha256:
        return spec.path
    if mirror is not None:
        source = mirror / spec.filename
        if not source.is_file():
            raise SpecError(f"{source}: not found in the spec mirror (SPEC_MIRROR={mirror})")
        data = source.read_bytes()
        origin = str(source)
    else:
        try:
            with urllib.request.urlopen(spec.url, timeout=60) as response:
                data = response.read()
        except OSError as exc:
            raise SpecError(f"v{spec.version}: download from {spec.url} failed: {exc}") from exc
        origin = spec.url
    actual = _sha256(data)
    if actual != spec.sha256:
        raise SpecError(
            f"v{spec.version}: sha256 mismatch for {origin}: expected {spec.sha256}, got {actual}; "
            f"nothing was overwritten"
        )
    spec.path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=spec.path.parent, prefix=f".{spec.filename}.")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    Path(tmp).replace(spec.path)
    return spec.path


def fetch_all(versions: list[SpecVersion], mirror: Path | None) -> list[Path]:
    return [fetch(v, mirror) for v in versions]
