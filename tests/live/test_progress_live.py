"""`images.build_image`, `images.push_image` and `images.pull` with `progress=` against dockerd 28
and a private registry with htpasswd auth: an image built from busybox (a layer of its own) is
pushed, removed and pulled back, and what each showed is checked line by line, as the docker
CLI prints it when its output is not a terminal; a live display on a pty; the errors."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import io
import os
import pty
import re
import tarfile
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from docker_engine import BuildError, BuildResult, NotFoundError, StreamError
from docker_engine._async_mixins import AsyncImagesMixin
from docker_engine._auth import AuthConfig
from docker_engine._sync_mixins import ImagesMixin

from .conftest import version_package
from .daemons import Daemon
from .registry import Registry, registry_available, start_registry

USERNAME = "progress"
PASSWORD = "pr0gress+/~?>"
WRONG_PASSWORD = "Wr0ng+/~?>"
LAYER = r"[0-9a-f]{12}"


def images(client: Any) -> Any:
    """`client.images`: the generated images API with the handwritten images mixin."""
    api = client.images
    assert isinstance(api, ImagesMixin | AsyncImagesMixin)
    return api


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    problem = registry_available()
    if problem:
        pytest.fail(problem)
    reg = start_registry(tmp_path_factory.mktemp("registry-progress"), username=USERNAME, password=PASSWORD)
    try:
        yield reg
    finally:
        reg.stop()


@pytest.fixture(autouse=True)
def no_user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = tmp_path / "docker-config"
    directory.mkdir()
    monkeypatch.setenv("DOCKER_CONFIG", str(directory))


@pytest.fixture
def docker(daemon_28: Daemon) -> Iterator[Any]:
    client = version_package(daemon_28.api_version).Docker(daemon_28.base_url)
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def auth() -> AuthConfig:
    return AuthConfig(username=USERNAME, password=PASSWORD)


@pytest.fixture
def ref(docker: Any, registry: Registry) -> Iterator[str]:
    """A fresh repository in the registry, `…:1`; removed from the daemon afterwards."""
    name = f"{registry.host}/progress/app-{uuid.uuid4().hex[:8]}:1"
    yield name
    with contextlib.suppress(NotFoundError):
        docker.images.delete(name, force=True)


def context(daemon: Daemon, *run: str) -> bytes:
    """A build context: busybox, then a RUN per argument."""
    dockerfile = f"FROM {daemon.busybox_image}\n" + "".join(f"RUN {command}\n" for command in run)
    data = io.BytesIO()
    with tarfile.open(fileobj=data, mode="w") as tar:
        info = tarfile.TarInfo("Dockerfile")
        info.size = len(dockerfile)
        tar.addfile(info, io.BytesIO(dockerfile.encode()))
    return data.getvalue()


# A layer of its own, big enough for the pull to count its bytes.
BLOB = "head -c 400000 /dev/urandom > /blob"


def build(docker: Any, daemon: Daemon, ref: str) -> tuple[Any, str]:
    out = io.StringIO()
    result = images(docker).build_image(context(daemon, BLOB), tag=ref, progress=out)
    assert isinstance(result, BuildResult)
    return result, out.getvalue()


def test_build_push_pull_with_plain_progress(docker: Any, daemon_28: Daemon, ref: str, auth: AuthConfig) -> None:
    repo = ref.rsplit(":", 1)[0]
    models = importlib.import_module(version_package(daemon_28.api_version).__name__ + ".models")

    # Build: the classic builder's output, as it came; the image and every message returned.
    (image, log), output = build(docker, daemon_28, ref)
    assert output.startswith(f"Step 1/2 : FROM {daemon_28.busybox_image}\n")
    assert f"Step 2/2 : RUN {BLOB}\n" in output
    assert f"Successfully tagged {ref}\n" in output
    assert image.id.startswith("sha256:") and ref in image.attrs.repo_tags
    assert all(type(m) is models.BuildInfo for m in log)
    assert "".join(m.stream or "" for m in log) == output

    # Push: the CLI's lines, byte counts left out; the digest returned is the one printed.
    out = io.StringIO()
    digest = images(docker).push_image(ref, auth=auth, progress=out)
    lines = out.getvalue().splitlines()
    assert digest is not None and re.fullmatch(r"sha256:[0-9a-f]{64}", digest)
    assert lines[0] == f"The push refers to repository [{repo}]"
    assert re.fullmatch(rf"1: digest: {digest} size: \d+", lines[-1])
    pushed: dict[str, list[str]] = {}
    for line in lines[1:-1]:
        match = re.fullmatch(rf"({LAYER}): (Preparing|Waiting|Pushed|Layer already exists|Mounted from .+)", line)
        assert match, line
        pushed.setdefault(match[1], []).append(match[2])
    # busybox's layer (pushed, or mounted from a repository of an earlier test) and the build's own.
    assert len(pushed) == 2
    assert all(
        s[0] == "Preparing" and re.fullmatch("Pushed|Layer already exists|Mounted from .+", s[-1])
        for s in pushed.values()
    )
    assert ["Preparing", "Pushed"] in pushed.values()
    assert "\r" not in out.getvalue() and "\x1b" not in out.getvalue()

    # Pull it back once removed: the build's layer is downloaded, busybox's is there already.
    docker.images.delete(ref, force=True)
    out = io.StringIO()
    pulled = images(docker).pull(ref, auth=auth, progress=out)
    assert pulled.id == image.id
    assert f"{repo}@{digest}" in (pulled.attrs.repo_digests or [])
    lines = out.getvalue().splitlines()
    assert lines[0] == f"1: Pulling from {repo.split('/', 1)[1]}"
    assert lines[-2:] == [f"Digest: {digest}", f"Status: Downloaded newer image for {ref}"]
    statuses: dict[str, list[str]] = {}
    for line in lines[1:-2]:
        match = re.fullmatch(rf"({LAYER}): (.+)", line)
        assert match, line
        statuses.setdefault(match[1], []).append(match[2])
    base, own = sorted(statuses.values())
    assert base == ["Already exists"]
    # "Waiting" and "Verifying Checksum" come or not, by timing.
    assert [s for s in own if s not in ("Waiting", "Verifying Checksum")] == [
        "Pulling fs layer",
        "Download complete",
        "Pull complete",
    ]
    assert "\r" not in out.getvalue()

    # Again: up to date.
    out = io.StringIO()
    images(docker).pull(ref, auth=auth, progress=out)
    assert out.getvalue().splitlines()[-1] == f"Status: Image is up to date for {ref}"

    # A function gets each typed message, the byte counts included.
    docker.images.delete(ref, force=True)
    seen: list[Any] = []
    images(docker).pull(ref, auth=auth, progress=seen.append)
    assert seen and all(type(m) is models.CreateImageInfo for m in seen)
    counted = [m for m in seen if m.progress_detail is not None and (m.progress_detail.total or 0) > 0]
    assert {m.status for m in counted} >= {"Downloading", "Extracting"}
    assert all(0 < (m.progress_detail.current or 0) <= m.progress_detail.total for m in counted)


def test_pull_on_a_terminal(
    docker: Any, daemon_28: Daemon, ref: str, auth: AuthConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    build(docker, daemon_28, ref)
    images(docker).push_image(ref, auth=auth)
    docker.images.delete(ref, force=True)
    master, slave = pty.openpty()
    received = bytearray()

    def drain() -> None:
        with contextlib.suppress(OSError):
            while chunk := os.read(master, 65536):
                received.extend(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    monkeypatch.setenv("TERM", "xterm")
    out = os.fdopen(slave, "w")
    try:
        monkeypatch.setattr(sys, "stdout", out)
        images(docker).pull(ref, auth=auth, progress=True)
    finally:
        monkeypatch.undo()
        out.close()
        reader.join(10)
        os.close(master)
    data = bytes(received)
    assert b"\r" in data and b"\x1b[" in data  # lines redrawn in place
    assert f"Status: Downloaded newer image for {ref}".encode() in data


def test_errors(docker: Any, daemon_28: Daemon, ref: str, auth: AuthConfig) -> None:
    build(docker, daemon_28, ref)
    wrong = AuthConfig(username=USERNAME, password=WRONG_PASSWORD)
    out = io.StringIO()
    with pytest.raises(StreamError, match=r"unauthorized|authentication required") as refused:
        images(docker).push_image(ref, auth=wrong, progress=out)
    assert PASSWORD not in str(refused.value) and WRONG_PASSWORD not in str(refused.value)
    assert out.getvalue().startswith("The push refers to repository")

    # dockerd 28 refuses before the stream starts (404 "manifest unknown").
    with pytest.raises(NotFoundError, match=r"manifest unknown|not found"):
        images(docker).pull(ref.replace(":1", ":missing"), auth=auth, progress=io.StringIO())

    out = io.StringIO()
    with pytest.raises(BuildError) as failed:
        images(docker).build_image(context(daemon_28, "echo about to fail", "exit 3"), progress=out)
    error = failed.value
    assert error.step == "Step 3/3 : RUN exit 3"
    assert "returned a non-zero code: 3" in error.message
    assert str(error).startswith("build failed at Step 3/3 : RUN exit 3: ")
    assert "about to fail\n" in error.output()
    assert out.getvalue() == error.output()
    assert describe_error(error.build_log[-1]) == error.message


def describe_error(message: Any) -> str | None:
    from docker_engine._progress import describe

    return describe(message).error


def test_async(daemon_28: Daemon, registry: Registry, ref: str, auth: AuthConfig) -> None:
    package = version_package(daemon_28.api_version)

    async def main() -> None:
        statuses: list[str] = []

        async def on_message(message: Any) -> None:
            await asyncio.sleep(0)
            statuses.append(message.status or "")

        async with package.AsyncDocker(daemon_28.base_url) as docker:
            api = images(docker)
            image, _ = await api.build_image(context(daemon_28, BLOB), tag=ref)
            digest = await api.push_image(ref, auth=auth)
            assert digest is not None and digest.startswith("sha256:")
            await docker.images.delete(ref, force=True)
            pulled = await api.pull(ref, auth=auth, progress=on_message)
            assert pulled.id == image.id
            with pytest.raises(BuildError) as failed:
                await api.build_image(context(daemon_28, "exit 4"))
            assert failed.value.step == "Step 2/2 : RUN exit 4"
        assert statuses[0] == f"Pulling from {ref.split('/', 1)[1].rsplit(':', 1)[0]}"
        assert "Pull complete" in statuses
        assert statuses[-1] == f"Status: Downloaded newer image for {ref}"

    asyncio.run(main())
