"""Streams against each daemon: interactive exec/attach with half-closed stdin, logs
(TTY and not, follow/tail/timestamps/since/until), stats, export, save/load, run."""

from __future__ import annotations

import asyncio
import io
import tarfile
import time
from typing import Any

import pytest
from docker_engine import ContainerError, NotFoundError

from .conftest import RoundTrip, version_package
from .daemons import Daemon

NO_NET = {"NetworkMode": "none"}


def test_exec_with_stdin_round_trip(docker: Any, busybox: str) -> None:
    container = docker.containers.create(body={"Image": busybox, "Cmd": ["sleep", "300"], "HostConfig": NO_NET})
    try:
        docker.containers.start(container.id)
        created = docker.exec.create(
            container.id,
            body={
                "Cmd": ["sh", "-c", "cat; echo done >&2; exit 7"],
                "AttachStdin": True,
                "AttachStdout": True,
                "AttachStderr": True,
            },
        )
        with docker.exec.start_interactive(created.id) as stream:
            stream.write(b"hello over stdin\n")
            stream.write(b"second line\n")
            stream.close_stdin()
            output = stream.read_all()
        assert output.stdout == b"hello over stdin\nsecond line\n"
        assert output.stderr == b"done\n"
        assert docker.exec.inspect(created.id).exit_code == 7
        tty_exec = docker.exec.create(
            container.id, body={"Cmd": ["sh", "-c", "echo on-a-tty"], "AttachStdout": True, "Tty": True}
        )
        with docker.exec.start_interactive(tty_exec.id, tty=True) as stream:
            assert stream.raw is True
            assert b"on-a-tty" in stream.read_all().stdout
    finally:
        docker.containers.delete(container.id, force=True)


def test_attach_with_stdin_round_trip(docker: Any, busybox: str) -> None:
    container = docker.containers.create(
        body={
            "Image": busybox,
            "Cmd": ["sh", "-c", "cat; echo bye >&2"],
            "OpenStdin": True,
            "StdinOnce": True,
            "AttachStdin": True,
            "AttachStdout": True,
            "AttachStderr": True,
            "HostConfig": NO_NET,
        }
    )
    try:
        with docker.containers.attach_interactive(container.id) as stream:
            docker.containers.start(container.id)
            stream.write(b"via attach\n")
            stream.close_stdin()
            output = stream.read_all()
        assert output == (b"via attach\n", b"bye\n")
        assert docker.containers.wait(container.id).status_code == 0
    finally:
        docker.containers.delete(container.id, force=True)


def test_async_exec_with_stdin(daemon: Daemon) -> None:
    async def scenario() -> tuple[bytes, bytes, int]:
        async with version_package(daemon.api_version).AsyncDocker(daemon.base_url) as docker:
            container = await docker.containers.create(
                body={"Image": daemon.busybox_image, "Cmd": ["sleep", "300"], "HostConfig": NO_NET}
            )
            try:
                await docker.containers.start(container.id)
                created = await docker.exec.create(
                    container.id,
                    body={
                        "Cmd": ["sh", "-c", "cat; echo e >&2"],
                        "AttachStdin": True,
                        "AttachStdout": True,
                        "AttachStderr": True,
                    },
                )
                async with await docker.exec.start_interactive(created.id) as stream:
                    await stream.write(b"async stdin\n")
                    await stream.close_stdin()
                    output = await stream.read_all()
                code = (await docker.exec.inspect(created.id)).exit_code
            finally:
                await docker.containers.delete(container.id, force=True)
            return output.stdout, output.stderr, code

    assert asyncio.run(scenario()) == (b"async stdin\n", b"e\n", 0)


@pytest.mark.parametrize("tty", [False, True], ids=["no-tty", "tty"])
def test_logs_options(docker: Any, busybox: str, tty: bool) -> None:
    script = "for i in 1 2 3 4 5; do echo out$i; echo err$i >&2; done"
    container = docker.containers.create(
        body={"Image": busybox, "Cmd": ["sh", "-c", script], "Tty": tty, "HostConfig": NO_NET}
    )
    try:
        docker.containers.start(container.id)
        docker.containers.wait(container.id)
        frames = list(docker.containers.logs(container.id, stdout=True, stderr=True))
        if tty:
            text = b"".join(f.data for f in frames).replace(b"\r\n", b"\n")
            assert {f.stream for f in frames} == {1}
            assert sorted(text.split()) == sorted(
                [f"out{i}".encode() for i in range(1, 6)] + [f"err{i}".encode() for i in range(1, 6)]
            )
        else:
            assert b"".join(f.data for f in frames if f.stream == 1) == b"".join(b"out%d\n" % i for i in range(1, 6))
            assert b"".join(f.data for f in frames if f.stream == 2) == b"".join(b"err%d\n" % i for i in range(1, 6))
            only_out = list(docker.containers.logs(container.id, stdout=True, stderr=False))
            assert {f.stream for f in only_out} == {1}
        # How tail counts (per stream or both together) differs between daemon versions.
        tail = b"".join(f.data for f in docker.containers.logs(container.id, stdout=True, stderr=True, tail="2"))
        lines = tail.replace(b"\r", b"").splitlines()
        assert 1 <= len(lines) <= 4 and set(lines) <= {b"out4", b"out5", b"err4", b"err5"}
        stamped = b"".join(f.data for f in docker.containers.logs(container.id, stdout=True, timestamps=True))
        first = stamped.split(b" ", 1)[0].decode()
        assert first.startswith("20") and first.endswith("Z")
        future = int(time.time()) + 3600
        assert list(docker.containers.logs(container.id, stdout=True, since=future)) == []
        assert list(docker.containers.logs(container.id, stdout=True, until=1)) == []
    finally:
        docker.containers.delete(container.id, force=True)


def test_logs_follow_streams_until_exit(docker: Any, busybox: str) -> None:
    container = docker.containers.create(
        body={
            "Image": busybox,
            "Cmd": ["sh", "-c", "for i in 1 2 3; do echo tick$i; sleep 0.3; done"],
            "HostConfig": NO_NET,
        }
    )
    try:
        docker.containers.start(container.id)
        seen = [f.data for f in docker.containers.logs(container.id, follow=True, stdout=True)]
        assert b"".join(seen) == b"tick1\ntick2\ntick3\n"
    finally:
        docker.containers.delete(container.id, force=True)


def test_stats_one_shot_and_streaming(docker: Any, busybox: str, roundtrip: RoundTrip) -> None:
    container = docker.containers.create(body={"Image": busybox, "Cmd": ["sleep", "300"], "HostConfig": NO_NET})
    try:
        docker.containers.start(container.id)
        (single,) = list(docker.containers.stats(container.id, stream=False))
        # Before 1.49 the spec declares no properties: the values are in additional_properties.
        assert single.to_dict()["read"].startswith("20")
        with docker.containers.stats(container.id) as stream:
            samples = []
            for sample in stream:
                samples.append(sample)
                if len(samples) == 2:
                    break
        assert len(samples) == 2
        assert (
            samples[0].to_dict()["name"]
            == samples[1].to_dict()["name"]
            == "/" + docker.containers.inspect(container.id).name.lstrip("/")
        )
    finally:
        docker.containers.delete(container.id, force=True)
    assert roundtrip.checked.count(f"GET /containers/{container.id}/stats") >= 3


def test_export_and_image_save_load(docker: Any, busybox: str) -> None:
    container = docker.containers.create(body={"Image": busybox, "Cmd": ["true"], "HostConfig": NO_NET})
    try:
        sink = io.BytesIO()
        written = docker.containers.export(container.id).write_to(sink)
        exported = sink.getvalue()
        assert written == len(exported)
        with tarfile.open(fileobj=io.BytesIO(exported)) as tar:
            names = tar.getnames()
        assert "bin/busybox" in names and len(exported) > 500_000
    finally:
        docker.containers.delete(container.id)
    image_id = docker.images.inspect(busybox).id
    docker.images.tag(busybox, repo="local/saved", tag="v1")
    saved = docker.images.get("local/saved:v1").read()
    with tarfile.open(fileobj=io.BytesIO(saved)) as tar:
        assert "manifest.json" in tar.getnames()
    docker.images.delete("local/saved:v1")
    with pytest.raises(NotFoundError):
        docker.images.inspect("local/saved:v1")
    messages = list(docker.images.load(body=saved))
    assert any("local/saved:v1" in (m.stream or "") for m in messages)
    assert docker.images.inspect("local/saved:v1").id == image_id
    docker.images.delete("local/saved:v1")


def test_run(docker: Any, busybox: str) -> None:
    result = docker.containers.run(busybox, ["sh", "-c", "echo hi; echo err >&2"], host_config=NO_NET)
    assert (result.exit_code, result.stdout, result.stderr) == (0, b"hi\n", b"err\n")
    with pytest.raises(ContainerError) as info:
        docker.containers.run(busybox, "sh -c 'echo failing >&2; exit 4'", host_config=NO_NET)
    assert info.value.exit_code == 4 and "failing" in str(info.value)
    seen: list[bytes] = []
    streamed = docker.containers.run(busybox, "echo live", host_config=NO_NET, on_output=lambda f: seen.append(f.data))
    assert seen == [b"live\n"] and streamed.stdout == b"live\n"
    for removed in (result.id, info.value.result.id, streamed.id):  # remove=True deleted each one
        with pytest.raises(NotFoundError):
            docker.containers.inspect(removed)
