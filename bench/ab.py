"""Per-call A/B of two checkouts of docker-engine against one private dockerd 20.10.

Each round runs `bench/ab_worker.py` once per tree in a fresh process (the order
alternating every round) and takes the per-call time of ping, inspect, image list
and a 300-container list, sync and async, in wall time and in the client's own CPU
time; the table gives the medians over rounds and new/base. Interleaving keeps a busy machine from favouring either tree.

    git worktree add /tmp/base <commit>
    .venv/bin/python bench/ab.py /tmp/base [--rounds 8]   # writes bench/AB.md
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.live.daemons import start_daemon


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base", type=Path, help="a checkout (git worktree) of the commit to compare against")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--containers", type=int, default=300)
    args = parser.parse_args()
    trees = {"base": args.base.resolve() / "overlays", "new": ROOT / "overlays"}
    for tree in trees.values():
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree.parent)], check=True, capture_output=True)
    base_commit = subprocess.run(
        ["git", "-C", str(args.base), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    new_commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        daemon = start_daemon("20.10", Path(tmp))
        try:
            host = "unix://" + daemon.socket_path
            ids = [
                subprocess.run(
                    ["docker", "-H", host, "create", "--network", "none", daemon.busybox_image, "true"],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout.strip()
                for _ in range(args.containers)
            ]
            results: dict[str, list[dict[str, list[float]]]] = {name: [] for name in trees}
            for number in range(args.rounds):
                for name in list(trees) if number % 2 == 0 else list(reversed(trees)):
                    env = {**os.environ, "PYTHONPATH": str(trees[name])}
                    out = subprocess.run(
                        [sys.executable, str(ROOT / "bench" / "ab_worker.py"), daemon.socket_path, ids[0]],
                        env=env,
                        capture_output=True,
                        text=True,
                        check=True,
                    ).stdout
                    results[name].append(json.loads(out))
        finally:
            daemon.stop()
    lines = [
        f"# Per-call A/B: {new_commit} against {base_commit}",
        "",
        f"Run {datetime.datetime.now(datetime.UTC).isoformat(timespec='seconds')} with `bench/ab.py`, "
        f"{args.rounds} rounds alternating the trees, dockerd 20.10 (API 1.41), {args.containers} containers; "
        "per-call µs, median over rounds: the wall time, and the CPU time of the client process alone (its own "
        "cost, without the daemon's: the steadier measure of a change to the client).",
        "",
        "| call | wall µs base | wall µs new | wall new/base | client CPU µs base | client CPU µs new | CPU new/base |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for key in results["base"][0]:
        row = [key]
        for index in (0, 1):
            base = statistics.median(r[key][index] for r in results["base"])
            new = statistics.median(r[key][index] for r in results["new"])
            row += [f"{base:.0f}", f"{new:.0f}", f"{new / base:.3f}"]
        lines.append("| " + " | ".join(row) + " |")
    text = "\n".join(lines) + "\n"
    (ROOT / "bench" / "AB.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
