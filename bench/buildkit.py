"""BuildKit context transfer: docker-engine's session beside the `docker buildx build` CLI.

One private dockerd 28, a context of `--files` files of `--size` bytes each (10,000 × 10 kB:
100 MB by default), and a Dockerfile whose one step bind-mounts the whole context (so all of
it is transferred, and nothing is copied into a layer). Each round builds once with each
client (order alternating), each from a fresh copy of the context (hard links: a new
directory, so BuildKit has no earlier transfer to diff against), with no cache. The time is
the whole build, from the call to the image; the CLI's includes its own start.

    .venv/bin/python bench/buildkit.py [--rounds 5] [--files 10000] [--size 10000]   # writes bench/BUILDKIT.md
"""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from docker_engine import Docker

from tests.live.daemons import _cache_dir, start_daemon

BUILDX = _cache_dir() / "buildx" / "usr" / "libexec" / "docker" / "cli-plugins" / "docker-buildx"


def make_context(directory: Path, files: int, size: int, base: str) -> None:
    payload = os.urandom(size)
    for n in range(files):
        sub = directory / f"d{n % 100:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"f{n:05d}").write_bytes(payload[n % 997 :] + payload[: n % 997])
    (directory / "Dockerfile").write_text(
        f"FROM {base}\nRUN --mount=type=bind,target=/ctx du -s /ctx > /context-size\n"
    )


def fresh_copy(source: Path, parent: Path, name: str) -> Path:
    target = parent / name
    shutil.copytree(source, target, copy_function=os.link)
    return target


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--size", type=int, default=10_000)
    args = parser.parse_args()
    if not BUILDX.exists():
        sys.exit(f"no docker-buildx at {BUILDX}: run `bash .ci/install-daemons.sh` as root")
    times: dict[str, list[float]] = {"docker-engine": [], "docker buildx build": []}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        daemon = start_daemon("28", work / "daemon")
        try:
            context = work / "context"
            make_context(context, args.files, args.size, daemon.busybox_image)
            config = work / "docker-config"
            config.mkdir()
            env = {"DOCKER_HOST": daemon.base_url, "DOCKER_CONFIG": str(config), "PATH": "/usr/bin:/bin"}
            with Docker(daemon.base_url) as docker:
                for number in range(args.rounds):
                    order = list(times) if number % 2 == 0 else list(reversed(times))
                    for name in order:
                        copy = fresh_copy(context, work, f"ctx-{number}-{name.replace(' ', '-')}")
                        start = time.perf_counter()
                        if name == "docker-engine":
                            docker.images.build_image(copy, buildkit=True, nocache=True, networkmode="none")
                        else:
                            subprocess.run(
                                [
                                    str(BUILDX),
                                    "build",
                                    "--network",
                                    "none",
                                    "--no-cache",
                                    "--progress",
                                    "quiet",
                                    str(copy),
                                ],
                                env=env,
                                check=True,
                                capture_output=True,
                            )
                        times[name].append(time.perf_counter() - start)
                        shutil.rmtree(copy)
        finally:
            daemon.stop()
    ours, cli = statistics.median(times["docker-engine"]), statistics.median(times["docker buildx build"])
    megabytes = args.files * args.size / 1e6
    text = "\n".join(
        [
            "# BuildKit context transfer: docker-engine beside `docker buildx build`",
            "",
            f"Run {datetime.datetime.now(datetime.UTC).isoformat(timespec='seconds')} with `bench/buildkit.py`:"
            f" dockerd 28 (vfs), a context of {args.files:,} files ({megabytes:.0f} MB) bind-mounted whole by"
            f" one step, no cache, a fresh directory each build; {args.rounds} rounds, the order alternating."
            " Seconds for the whole build.",
            "",
            "| client | median s | min s | x buildx (median) |",
            "|---|---:|---:|---:|",
            f"| docker-engine | {ours:.2f} | {min(times['docker-engine']):.2f} | {ours / cli:.2f} |",
            f"| docker buildx build | {cli:.2f} | {min(times['docker buildx build']):.2f} | 1.00 |",
            "",
        ]
    )
    (ROOT / "bench" / "BUILDKIT.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
