"""Per-call cost of two checkouts in instructions (valgrind's callgrind), not seconds.

Times on this 2-core VM move by tens of percent between runs; an instruction count hardly does
(the same binary, input and environment give the same count within 0.5%, whatever else the
machine does).
The daemon's side is taken out: a stub server (`bench/instructions_stub.py`, its own process,
not counted) answers with bodies recorded once from a real dockerd 20.10 — a 300-container
list, an image list. Each client runs a call N and 3N times under callgrind; the per-call cost
is the difference over 2N, so imports and start-up cancel out.

    git worktree add /tmp/base <commit>
    .venv/bin/python bench/instructions.py /tmp/base     # writes bench/INSTRUCTIONS.md
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.live.daemons import start_daemon

CALLS = {"images.list": 100, "containers.list(all=True)": 5}
CLIENT = """
import asyncio, sys
from docker_engine.v1_41 import AsyncDocker, Docker
host, mode, call, n = "unix://" + sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def run(d):
    return d.images.list() if call == "images.list" else d.containers.list(all=True)
if mode == "sync":
    with Docker(host) as d:
        for _ in range(n): run(d)
else:
    async def main():
        async with AsyncDocker(host) as d:
            for _ in range(n): await run(d)
    asyncio.run(main())
"""


def record(directory: Path) -> None:
    """The bodies the stub serves, from a real daemon with 300 containers."""
    daemon = start_daemon("20.10", directory / "daemon")
    try:
        host = "unix://" + daemon.socket_path
        for _ in range(300):
            subprocess.run(
                ["docker", "-H", host, "create", "--network", "none", daemon.busybox_image, "true"],
                capture_output=True,
                check=True,
            )
        for name, path in (("containers.json", "/v1.41/containers/json?all=1"), ("images.json", "/v1.41/images/json")):
            body = subprocess.run(
                ["curl", "-sf", "--unix-socket", daemon.socket_path, "http://docker" + path],
                capture_output=True,
                check=True,
            ).stdout
            (directory / name).write_bytes(body)
    finally:
        daemon.stop()


def instructions(tree: Path, sock: Path, mode: str, call: str, n: int) -> int:
    result = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            "-c",
            CLIENT,
            str(sock),
            mode,
            call,
            str(n),
        ],
        env={**os.environ, "PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"Collected : (\d+)", result.stderr)
    assert found, result.stderr[-2000:]
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base", type=Path, help="a checkout (git worktree) of the commit to compare against")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is needed (Debian package valgrind)")
    trees = {"base": args.base.resolve() / "overlays", "new": ROOT / "overlays"}
    commits = {
        name: subprocess.run(
            ["git", "-C", str(tree.parent), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        for name, tree in trees.items()
    }
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        record(work)
        sock = work / "stub.sock"
        stub = subprocess.Popen([sys.executable, str(ROOT / "bench" / "instructions_stub.py"), str(sock), str(work)])
        try:
            while not sock.exists():
                time.sleep(0.05)
            for call, n in CALLS.items():
                for mode in ("sync", "async"):
                    per_call = {}
                    for name, tree in trees.items():
                        low = instructions(tree, sock, mode, call, n)
                        high = instructions(tree, sock, mode, call, 3 * n)
                        per_call[name] = (high - low) / (2 * n)
                    rows.append((call, mode, per_call["base"], per_call["new"]))
        finally:
            stub.terminate()
            stub.wait()
    lines = [
        f"# Per-call instructions: {commits['new']} against {commits['base']}",
        "",
        f"Run {datetime.datetime.now(datetime.UTC).isoformat(timespec='seconds')} with `bench/instructions.py`:"
        " callgrind's count of the client's instructions per call, against a stub serving bodies recorded"
        " from dockerd 20.10 (300 containers). Steady: the same tree counts within 0.5% of itself from run to run (the stub's reads split differently).",
        "",
        "| call | client | base | new | new/base |",
        "|---|---|---:|---:|---:|",
    ]
    lines += [f"| `{c}` | {m} | {b:,.0f} | {n:,.0f} | {n / b:.3f} |" for c, m, b, n in rows]
    text = "\n".join(lines) + "\n"
    (ROOT / "bench" / "INSTRUCTIONS.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
