"""overlays/docker_engine is the whole package: every generated version package
(and the history, the newest-version module, the modules versions share, BuildKit's compiled protocol and the sync runtime
written from the async one) is reachable through a symlink,
and no link points at nothing. `make links` repairs them."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OVERLAY = ROOT / "overlays" / "docker_engine"
GENERATED = ROOT / "generated" / "docker_engine"


def test_every_generated_package_is_linked_from_the_overlay() -> None:
    generated = {
        p.name
        for p in GENERATED.iterdir()
        if p.name.startswith(("v1_", "_sync_")) or p.name in ("_latest.py", "_api_history.json", "_shared", "_buildkit")
    }
    linked = {p.name for p in OVERLAY.iterdir() if p.is_symlink()}
    assert len(generated) >= 35
    assert linked == generated, "run `make links`"
    for name in linked:
        target = (OVERLAY / name).resolve()
        assert target == (GENERATED / name).resolve(), f"{name} points at {target}"
        assert target.exists()
