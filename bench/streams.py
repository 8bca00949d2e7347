"""Streaming throughput and memory: logs and export, side by side (used by bench/run.py)."""

from __future__ import annotations

import asyncio
import json
import socket
import statistics
import struct
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import aiodocker
import docker as dockerpy
from docker_engine.v1_41 import AsyncDocker as AsyncDocker141
from docker_engine.v1_41 import Docker as Docker141

from tests.live.daemons import Daemon, request_json

VERSION = "1.41"
LOG_SCRIPTS = {
    # busybox `yes` repeats one line; head cuts the stream at the size.
    "logs (200 MB, 1024 B lines)": "yes $(printf %01023d 0) | head -c 200000000",
    "logs_small (50 MB, 100 B lines)": "yes $(printf %099d 0) | head -c 50000000",
}
EXPORT_SCRIPT = "head -c 200000000 /dev/zero > /big"


def run_container(daemon: Daemon, script: str) -> str:
    created = request_json(
        daemon.socket_path,
        "POST",
        f"/v{VERSION}/containers/create",
        {"Image": daemon.busybox_image, "Cmd": ["sh", "-c", script], "HostConfig": {"NetworkMode": "none"}},
    )
    assert isinstance(created, dict)
    cid = str(created["Id"])
    request_json(daemon.socket_path, "POST", f"/v{VERSION}/containers/{cid}/start", expect=(204,))
    request_json(daemon.socket_path, "POST", f"/v{VERSION}/containers/{cid}/wait", expect=(200,), timeout=600)
    return cid


def raw_stream(path: str, target: str, demux: bool) -> int:
    """Payload bytes of a chunked response read with a bare socket (frames demuxed by hand)."""
    sock = socket.socket(socket.AF_UNIX)
    sock.connect(path)
    sock.sendall(f"GET {target} HTTP/1.1\r\nHost: docker\r\n\r\n".encode())
    buf = bytearray()
    while b"\r\n\r\n" not in buf:
        buf += sock.recv(262144)
    end = buf.index(b"\r\n\r\n")
    chunked = b"chunked" in bytes(buf[:end]).lower()
    del buf[: end + 4]
    body = bytearray()
    total = 0
    pos = 0

    def frames() -> None:
        nonlocal total, pos
        if not demux:
            total += len(body)
            body.clear()
            return
        n = len(body)
        while n - pos >= 8:
            length = struct.unpack_from(">I", body, pos + 4)[0]
            if n - pos - 8 < length:
                break
            total += length
            pos += 8 + length
        del body[:pos]
        pos = 0

    while True:
        if chunked:
            while b"\r\n" not in buf:
                buf += sock.recv(262144)
            line_end = buf.index(b"\r\n")
            size = int(bytes(buf[:line_end]).split(b";")[0], 16)
            del buf[: line_end + 2]
            if size == 0:
                break
            while len(buf) < size + 2:
                buf += sock.recv(262144)
            body += buf[:size]
            del buf[: size + 2]
            frames()
        else:
            data = sock.recv(262144)
            if not data:
                break
            body += data
            frames()
    sock.close()
    return total


def clients(
    daemon: Daemon, logs_ids: dict[str, str], export_id: str
) -> tuple[dict[str, dict[str, Callable[[], int]]], Callable[[], None]]:
    p = f"/v{VERSION}"
    ours = Docker141(daemon.base_url)
    dpy = dockerpy.APIClient(base_url=daemon.base_url, version=VERSION, timeout=600)
    loop = asyncio.new_event_loop()
    aio = loop.run_until_complete(_make(lambda: aiodocker.Docker(url=daemon.base_url, api_version=f"v{VERSION}")))
    ours_async = loop.run_until_complete(_make(lambda: AsyncDocker141(daemon.base_url, timeout=600)))

    async def aio_logs(cid: str) -> int:
        container = aio.containers.container(cid)
        total = 0
        async for line in container.log(stdout=True, stderr=True, follow=True):
            total += len(line.encode())
        return total

    async def ours_async_logs(cid: str) -> int:
        return sum([len(f.data) async for f in await ours_async.containers.logs(cid, stdout=True, stderr=True)])

    async def ours_async_export(cid: str) -> int:
        return sum([len(c) async for c in await ours_async.containers.export(cid)])

    async def aio_export(cid: str) -> int:
        total = 0
        async with aio._query(f"containers/{cid}/export") as response:
            async for chunk in response.content.iter_chunked(262144):
                total += len(chunk)
        return total

    out: dict[str, dict[str, Callable[[], int]]] = {}
    for scenario, cid in logs_ids.items():
        out[scenario] = {
            "raw-socket": lambda c=cid: raw_stream(
                daemon.socket_path, f"{p}/containers/{c}/logs?stdout=1&stderr=1", True
            ),
            "docker-py": lambda c=cid: sum(len(x) for x in dpy.logs(c, stdout=True, stderr=True, stream=True)),
            "aiodocker": lambda c=cid: loop.run_until_complete(aio_logs(c)),
            "docker-engine": lambda c=cid: sum(len(f.data) for f in ours.containers.logs(c, stdout=True, stderr=True)),
            "docker-engine-async": lambda c=cid: loop.run_until_complete(ours_async_logs(c)),
        }
    out["export (≈201 MB tar)"] = {
        "raw-socket": lambda: raw_stream(daemon.socket_path, f"{p}/containers/{export_id}/export", False),
        "docker-py": lambda: sum(len(x) for x in dpy.export(export_id)),
        "aiodocker": lambda: loop.run_until_complete(aio_export(export_id)),
        "docker-engine": lambda: sum(len(c) for c in ours.containers.export(export_id)),
        "docker-engine-async": lambda: loop.run_until_complete(ours_async_export(export_id)),
    }

    def close() -> None:
        ours.close()
        dpy.close()
        loop.run_until_complete(aio.close())
        loop.run_until_complete(ours_async.aclose())
        loop.close()

    return out, close


async def _make(factory: Callable[[], Any]) -> Any:
    return factory()


RSS_PROGRAM = """
import sys
from docker_engine.v1_41 import Docker
docker = Docker(sys.argv[1])
docker.system.ping()
def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM"):
            return int(line.split()[1])
before = hwm()
open("/proc/self/clear_refs", "w").write("5")  # reset the high-water mark
if sys.argv[2] == "logs":
    n = sum(len(f.data) for f in docker.containers.logs(sys.argv[3], stdout=True, stderr=True))
else:
    n = sum(len(c) for c in docker.containers.export(sys.argv[3]))
print(before, hwm(), n)
"""


def peak_rss(daemon: Daemon, what: str, cid: str) -> tuple[float, float]:
    """(RSS before in MiB, peak growth in MiB) of a fresh process reading the stream."""
    out = subprocess.run(
        [sys.executable, "-c", RSS_PROGRAM, daemon.base_url, what, cid], capture_output=True, text=True, check=True
    ).stdout.split()
    before, peak = int(out[0]), int(out[1])
    return before / 1024, (peak - before) / 1024


def run(daemon: Daemon, rounds: int) -> list[str]:
    logs_ids = {name: run_container(daemon, script) for name, script in LOG_SCRIPTS.items()}
    export_id = run_container(daemon, EXPORT_SCRIPT)
    table, close_clients = clients(daemon, logs_ids, export_id)
    results: dict[tuple[str, str], list[tuple[float, int]]] = {}
    for round_no in range(rounds):
        for scenario, impls in table.items():
            names = list(impls)
            order = names[round_no % len(names) :] + names[: round_no % len(names)]
            for name in order:
                start = time.perf_counter()
                size = impls[name]()
                results.setdefault((scenario, name), []).append((time.perf_counter() - start, size))
    close_clients()
    lines = [
        "",
        "## Streaming throughput (MB = 10^6 bytes of payload; logs demultiplexed into stdout/stderr frames)",
        "",
        "| scenario | client | median MB/s | best MB/s | x raw (median) |",
        "|---|---|---:|---:|---:|",
    ]
    for scenario, impls in table.items():
        raw_times = [t for t, _ in results[(scenario, "raw-socket")]]
        raw_size = results[(scenario, "raw-socket")][0][1]
        for name in impls:
            times = [t for t, _ in results[(scenario, name)]]
            size = results[(scenario, name)][0][1]
            lines.append(
                f"| {scenario} | {name} | {size / statistics.median(times) / 1e6:.0f} | {size / min(times) / 1e6:.0f} | "
                f"{(size / statistics.median(times)) / (raw_size / statistics.median(raw_times)):.2f} |"
            )
    lines += [
        "",
        "aiodocker's log iterator yields text lines (no stream id), docker-py's yields frame payloads without the stream id.",
        "",
        "## Peak RSS growth while streaming (fresh process, docker-engine sync, MiB)",
        "",
        "| stream | RSS before | peak growth |",
        "|---|---:|---:|",
    ]
    for label, what, cid in (
        ("logs (200 MB)", "logs", logs_ids["logs (200 MB, 1024 B lines)"]),
        ("export (≈201 MB)", "export", export_id),
    ):
        growth = [peak_rss(daemon, what, cid) for _ in range(3)]
        lines.append(
            f"| {label} | {statistics.median(g[0] for g in growth):.1f} | {statistics.median(g[1] for g in growth):.1f} |"
        )
    return lines


if __name__ == "__main__":
    print(json.dumps({"usage": "run bench/run.py"}))
