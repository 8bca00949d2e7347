"""Side-by-side benchmark: raw socket, bare httpx, docker-py, aiodocker and docker-engine.

Starts a private dockerd 20.10 (API 1.41), creates the containers the list
scenario needs, then measures every client in one run: several rounds, the
client order rotated every round, per-call time as min and median over rounds,
and ratios to the raw socket. Writes the table to bench/README.md (or prints it
with --print). A benchmark, not a test: nothing here passes or fails.

    .venv/bin/python bench/run.py [--rounds 7] [--containers 300] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiodocker
import docker as dockerpy
import httpx
from docker_engine import AsyncDocker
from docker_engine.v1_41 import AsyncDocker as AsyncDocker141
from docker_engine.v1_41 import Docker as Docker141

from bench import streams
from tests.live.daemons import Daemon, request_json, start_daemon

VERSION = "1.41"


class RawSocket:
    """The floor: one keep-alive unix socket, hand-written HTTP, json.loads."""

    def __init__(self, path: str) -> None:
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(path)
        self.buf = b""

    def get(self, target: str) -> bytes:
        self.sock.sendall(f"GET {target} HTTP/1.1\r\nHost: docker\r\n\r\n".encode())
        buf = self.buf
        while b"\r\n\r\n" not in buf:
            buf += self.sock.recv(262144)
        head, _, body = buf.partition(b"\r\n\r\n")
        lower = head.lower()
        if b"transfer-encoding: chunked" in lower:
            out = bytearray()
            while True:
                while b"\r\n" not in body:
                    body += self.sock.recv(262144)
                size_line, _, body = body.partition(b"\r\n")
                size = int(size_line, 16)
                while len(body) < size + 2:
                    body += self.sock.recv(262144)
                out += body[:size]
                body = body[size + 2 :]
                if size == 0:
                    break
            self.buf = body
            return bytes(out)
        length = int(lower.split(b"content-length:")[1].split(b"\r\n")[0])
        while len(body) < length:
            body += self.sock.recv(262144)
        self.buf = body[length:]
        return body[:length]

    def close(self) -> None:
        self.sock.close()


def make_clients(daemon: Daemon, container: str) -> tuple[dict[str, dict[str, Callable[[], Any]]], Callable[[], None]]:
    """For each client, one callable per scenario (an async client's callable
    runs a batch of calls in its loop), and a function closing them all."""
    path = daemon.socket_path
    raw = RawSocket(path)
    hx = httpx.Client(transport=httpx.HTTPTransport(uds=path), base_url="http://docker")
    dpy = dockerpy.APIClient(base_url=daemon.base_url, version=VERSION)
    ours = Docker141(daemon.base_url)
    p = f"/v{VERSION}"
    clients: dict[str, dict[str, Callable[[], Any]]] = {
        "raw-socket": {
            "ping": lambda: raw.get(f"{p}/_ping"),
            "inspect": lambda: json.loads(raw.get(f"{p}/containers/{container}/json")),
            "list_all": lambda: json.loads(raw.get(f"{p}/containers/json?all=1")),
            "list_all_deep": lambda: _deep_dicts(json.loads(raw.get(f"{p}/containers/json?all=1"))),
            "image_list": lambda: json.loads(raw.get(f"{p}/images/json")),
        },
        "httpx": {
            "ping": lambda: hx.get(f"{p}/_ping").text,
            "inspect": lambda: hx.get(f"{p}/containers/{container}/json").json(),
            "list_all": lambda: hx.get(f"{p}/containers/json", params={"all": "1"}).json(),
            "list_all_deep": lambda: _deep_dicts(hx.get(f"{p}/containers/json", params={"all": "1"}).json()),
            "image_list": lambda: hx.get(f"{p}/images/json").json(),
        },
        "docker-py": {
            "ping": dpy.ping,
            "inspect": lambda: dpy.inspect_container(container),
            "list_all": lambda: dpy.containers(all=True),
            "list_all_deep": lambda: _deep_dicts(dpy.containers(all=True)),
            "image_list": dpy.images,
        },
        "docker-engine": {
            "ping": ours.system.ping,
            "inspect": lambda: ours.containers.inspect(container),
            "list_all": lambda: ours.containers.list(all=True),
            "list_all_deep": lambda: _deep_models(ours.containers.list(all=True)),
            "image_list": ours.images.list,
        },
    }

    loop = asyncio.new_event_loop()
    aio = loop.run_until_complete(_make(lambda: aiodocker.Docker(url=daemon.base_url, api_version=f"v{VERSION}")))
    ours_async = loop.run_until_complete(_make(lambda: AsyncDocker141(daemon.base_url)))
    facade = AsyncDocker(daemon.base_url)
    loop.run_until_complete(facade.negotiate())

    def run(coro_factory: Callable[[], Any]) -> Callable[[], Any]:
        # An async client is timed inside its event loop: `measure` hands it the
        # whole batch (see BATCH), so no loop start-up is counted per call.
        def batch(n: int) -> None:
            async def calls() -> None:
                for _ in range(n):
                    await coro_factory()

            loop.run_until_complete(calls())

        batch.batched = True  # type: ignore[attr-defined]
        return batch

    clients["aiodocker"] = {
        "ping": run(lambda: _aio_ping(aio)),
        "inspect": run(lambda: aio._query_json(f"containers/{container}/json")),
        "list_all": run(lambda: aio._query_json("containers/json", params={"all": "1"})),
        "list_all_deep": run(lambda: _deep_dicts_async(aio._query_json("containers/json", params={"all": "1"}))),
        "image_list": run(lambda: aio._query_json("images/json")),
    }
    clients["docker-engine-async"] = {
        "ping": run(ours_async.system.ping),
        "inspect": run(lambda: ours_async.containers.inspect(container)),
        "list_all": run(lambda: ours_async.containers.list(all=True)),
        "list_all_deep": run(lambda: _deep_models_async(ours_async.containers.list(all=True))),
        "image_list": run(ours_async.images.list),
    }

    def close() -> None:
        raw.close()
        hx.close()
        dpy.close()
        ours.close()
        for client in (aio, ours_async, facade):
            loop.run_until_complete(client.close() if client is aio else client.aclose())
        loop.close()

    return clients, close


# list_all_deep: the list, then one nested value of every container (each
# network's IP address), so that models built on first access are counted.
def _deep_dicts(containers: list[dict[str, Any]]) -> list[str]:
    return [n["IPAddress"] for c in containers for n in c["NetworkSettings"]["Networks"].values()]


def _deep_models(containers: list[Any]) -> list[str]:
    return [n.ip_address for c in containers for n in c.network_settings.networks.additional_properties.values()]


async def _deep_dicts_async(pending: Any) -> list[str]:
    return _deep_dicts(await pending)


async def _deep_models_async(pending: Any) -> list[str]:
    return _deep_models(await pending)


async def _make(factory: Callable[[], Any]) -> Any:
    return factory()


async def _aio_ping(aio: Any) -> str:
    async with aio._query("_ping", versioned_api=False) as response:
        return str(await response.text())


def measure(fn: Callable[..., Any], n: int) -> float:
    if getattr(fn, "batched", False):
        fn(max(3, n // 20))
        start = time.perf_counter()
        fn(n)
        return (time.perf_counter() - start) / n * 1e6
    for _ in range(max(3, n // 20)):
        fn()
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n * 1e6


def cold_import(statement: str, runs: int) -> tuple[float, float]:
    """(median -X importtime total in ms, median wall ms) of a fresh process."""
    totals, walls = [], []
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", statement], capture_output=True, text=True, check=True
        )
        walls.append((time.perf_counter() - start) * 1000)
        total = 0
        for line in result.stderr.splitlines():
            parts = line.split("|")
            if (
                len(parts) == 3
                and parts[1].strip().isdigit()
                and parts[2].startswith(" ")
                and not parts[2].startswith("  ")
            ):
                total += int(parts[1])
        totals.append(total / 1000)
    return statistics.median(totals), statistics.median(walls)


def compile_bytecode() -> None:
    """Compile our sources as pip compiles an installed package's: a checkout under
    PYTHONDONTWRITEBYTECODE (set on this machine) would otherwise compile every module on every cold
    start, where docker-py and httpx, installed by pip, read their bytecode."""
    import compileall  # noqa: PLC0415

    for directory in (ROOT / "overlays", ROOT / "generated"):
        compileall.compile_dir(directory, quiet=1, workers=0)


FIRST_CALL = {
    "docker-py": "import docker\nclient = docker.DockerClient(base_url=URL)\nclient.containers.list(all=True)",
    "aiodocker": (
        "import asyncio, aiodocker\nasync def main():\n    async with aiodocker.Docker(url=URL) as d:\n"
        "        await d.containers.list(all=True)\nasyncio.run(main())"
    ),
    "docker-engine (facade)": "from docker_engine import Docker\nDocker(URL).containers.list(all=True)",
    "docker-engine (facade, async)": (
        "import asyncio\nfrom docker_engine import AsyncDocker\nasync def main():\n"
        "    async with AsyncDocker(URL) as d:\n        await d.containers.list(all=True)\nasyncio.run(main())"
    ),
}


def first_call(code: str, url: str, runs: int) -> float:
    """Median ms of a fresh process from its first import to the answer of its first list."""
    timed = f"import time\n_t = time.perf_counter()\nURL = {url!r}\n{code}\nprint((time.perf_counter() - _t) * 1000)"
    values = []
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-c", timed], capture_output=True, text=True, check=True)
        values.append(float(done.stdout.strip().splitlines()[-1]))
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--containers", type=int, default=300)
    parser.add_argument("--quick", action="store_true", help="fewer calls, for a smoke run")
    parser.add_argument("--print", action="store_true", help="print instead of writing bench/README.md")
    parser.add_argument("--no-streams", action="store_true", help="skip the logs/export throughput and memory part")
    args = parser.parse_args()
    scale = 0.1 if args.quick else 1.0
    counts = {
        "ping": int(2000 * scale),
        "inspect": int(1000 * scale),
        "list_all": max(3, int(20 * scale)),
        "list_all_deep": max(3, int(20 * scale)),
        "image_list": int(500 * scale),
    }

    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    daemon = start_daemon("20.10", workdir)
    try:
        for i in range(args.containers):
            request_json(daemon.socket_path, "POST", f"/v{VERSION}/containers/create?name=bench-{i}",
                         {"Image": daemon.busybox_image, "Cmd": ["true"], "Labels": {"bench": str(i)}, "HostConfig": {"NetworkMode": "none"}})  # fmt: skip
        container = "bench-0"
        clients, close_clients = make_clients(daemon, container)
        list_bytes = len(RawSocket(daemon.socket_path).get(f"/v{VERSION}/containers/json?all=1"))
        names = list(clients)
        results: dict[tuple[str, str], list[float]] = {}
        for round_no in range(args.rounds):
            order = names[round_no % len(names) :] + names[: round_no % len(names)]
            for scenario, n in counts.items():
                for name in order:
                    results.setdefault((scenario, name), []).append(measure(clients[name][scenario], n))
        close_clients()
        imports = {
            "raw-socket": "import socket, json",
            "httpx": "import httpx",
            "docker-py": "import docker",
            "aiodocker": "import aiodocker",
            "docker-engine (v1_41 Docker)": "from docker_engine.v1_41 import Docker",
            "docker-engine (facade)": "from docker_engine import Docker",
        }
        compile_bytecode()
        cold = {name: cold_import(stmt, 3 if args.quick else 5) for name, stmt in imports.items()}
        aio_url = "unix://" + daemon.socket_path
        first = {name: first_call(code, aio_url, 3 if args.quick else 7) for name, code in FIRST_CALL.items()}
        stream_lines = [] if args.no_streams else streams.run(daemon, 2 if args.quick else 3)
    finally:
        daemon.stop()

    lines = [
        "# Benchmark: docker-engine beside a raw socket, httpx, docker-py and aiodocker",
        "",
        f"Run {datetime.datetime.now(datetime.UTC).isoformat(timespec='seconds')} with `bench/run.py` on {platform.node()} "
        f"({os.cpu_count()} cores), Python {platform.python_version()}, dockerd {daemon.engine_version} (API {VERSION}, vfs), "
        f"{args.rounds} rounds, client order rotated every round. Per-call times in µs; `x raw` = ratio to the raw socket "
        "(1.00 = as fast). docker-engine returns typed models (attrs classes), the others dicts. Our models build "
        "their nested objects on first access: `list_all` reads only the list, `list_all_deep` also reads every "
        "container's network IP addresses (`NetworkSettings.Networks.*.IPAddress`).",
        "",
        "| scenario | client | median µs | min µs | x raw (median) | x raw (min) |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for scenario, n in counts.items():
        raw_med = statistics.median(results[(scenario, "raw-socket")])
        raw_min = min(results[(scenario, "raw-socket")])
        label = f"{scenario} (N={n})" + (
            f", {args.containers} containers, {list_bytes // 1000} KB" if scenario.startswith("list_all") else ""
        )
        for name in names:
            values = results[(scenario, name)]
            med, low = statistics.median(values), min(values)
            lines.append(f"| {label} | {name} | {med:.0f} | {low:.0f} | {med / raw_med:.2f} | {low / raw_min:.2f} |")
    lines += [
        "",
        "## Cold import (fresh process; ms)",
        "",
        "| client | statement | -X importtime total (median) | process wall (median) |",
        "|---|---|---:|---:|",
    ]
    for name, stmt in imports.items():
        total, wall = cold[name]
        lines.append(f"| {name} | `{stmt}` | {total:.1f} | {wall:.0f} |")
    lines += [
        "",
        "Every client's modules read from bytecode, as after `pip install` (ours compiled by the bench first).",
        "",
        f"## First call (fresh process: import, connect, list {args.containers} containers; ms)",
        "",
        "| client | median ms | x docker-py |",
        "|---|---:|---:|",
    ]
    for name in FIRST_CALL:
        lines.append(f"| {name} | {first[name]:.0f} | {first[name] / first['docker-py']:.2f} |")
    lines += stream_lines
    text = "\n".join(lines) + "\n"
    if args.print:
        print(text)
    else:
        (ROOT / "bench" / "README.md").write_text(text)
        print(text)


if __name__ == "__main__":
    main()
