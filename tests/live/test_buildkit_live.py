"""BuildKit builds through the session (issue #14) on dockerd 26 and 28, where BuildKit runs
inside the daemon: Dockerfiles only BuildKit accepts (secret and cache mounts), multi-stage
with a target, build args, `.dockerignore` with `!` exceptions, a Dockerfile outside the
context, and a failing step."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import tarfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from docker_engine import AsyncDocker
from docker_engine._archive import read_archive
from docker_engine._build_status import BuildKitError, BuildStatus
from docker_engine._errors import NotFoundError

from .daemons import Daemon

pytestmark = pytest.mark.parametrize("daemon", ["26", "28"], indirect=True)

NO_NET = {"networkmode": "none"}


@pytest.fixture
def tags(docker: Any) -> Iterator[list[str]]:
    made: list[str] = []
    yield made
    for tag in made:
        with contextlib.suppress(NotFoundError):
            docker.images.delete(tag, force=True)


def new_tag(tags: list[str]) -> str:
    tag = f"local/buildkit-test-{uuid.uuid4().hex[:12]}:latest"
    tags.append(tag)
    return tag


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def files_of(docker: Any, image: str, path: str) -> dict[str, bytes]:
    created = docker.containers.create(body={"Image": image, "Cmd": ["sh"]})
    try:
        return read_archive(docker.containers.archive(created.id, path=path))
    finally:
        docker.containers.delete(created.id, force=True)


def logs_of(statuses: list[BuildStatus]) -> bytes:
    return b"".join(log.data for status in statuses for log in status.logs)


def test_secret_mount_is_read_during_the_build_and_in_no_layer(
    docker: Any, daemon: Daemon, tmp_path: Path, tags: list[str]
) -> None:
    secret = f"s3cret-{uuid.uuid4().hex}".encode()
    ctx = tmp_path / "ctx"
    write(
        ctx / "Dockerfile",
        f"FROM {daemon.busybox_image}\n"
        # The build reads it (its length lands in the image), and copies nothing of it.
        "RUN --mount=type=secret,id=token wc -c < /run/secrets/token > /secret-length\n",
    )
    secret_file = write(tmp_path / "token-file", "from a file")
    tag = new_tag(tags)
    out = io.StringIO()
    image, log = docker.images.build_image(
        ctx, tag=tag, buildkit=True, secrets={"token": secret, "unused": secret_file}, progress=out, **NO_NET
    )
    assert image.id.startswith("sha256:") and all(isinstance(s, BuildStatus) for s in log)
    assert files_of(docker, tag, "/secret-length")["secret-length"].strip() == str(len(secret)).encode()
    # The whole image, every layer, as `docker save` gives it: the secret is in none.
    saved = docker.images.get(tag).read()
    with tarfile.open(fileobj=io.BytesIO(saved)) as outer:
        for member in outer.getmembers():
            data = outer.extractfile(member)
            if data is not None:
                assert secret not in data.read(), member.name
    assert "RUN --mount=type=secret,id=token" in out.getvalue() and "DONE" in out.getvalue()


def test_cache_mount_is_reused_by_the_next_build(docker: Any, daemon: Daemon, tmp_path: Path, tags: list[str]) -> None:
    ctx = tmp_path / "ctx"
    cache = f"bk-test-{uuid.uuid4().hex}"
    write(
        ctx / "Dockerfile",
        f"FROM {daemon.busybox_image}\n"
        "ARG RUN_ID\n"
        # A new RUN_ID makes the step run again; the cache directory outlives it.
        f'RUN --mount=type=cache,target=/cache,id={cache} sh -c \'echo "run $RUN_ID";'
        " if [ -f /cache/stamp ]; then echo cache-hit $(cat /cache/stamp); else echo cache-miss;"
        " echo $RUN_ID > /cache/stamp; fi'\n",
    )
    first_id, second_id = uuid.uuid4().hex, uuid.uuid4().hex
    _, first = docker.images.build_image(
        ctx, tag=new_tag(tags), buildkit=True, buildargs=json.dumps({"RUN_ID": first_id}), **NO_NET
    )
    _, second = docker.images.build_image(
        ctx, tag=new_tag(tags), buildkit=True, buildargs=json.dumps({"RUN_ID": second_id}), **NO_NET
    )
    first_log, second_log = logs_of(first).decode(), logs_of(second).decode()
    assert f"run {first_id}" in first_log and f"run {second_id}" in second_log  # the step ran both times
    # Measured, not assumed: the second run found what the first one left in the cache.
    assert "cache-miss" in first_log
    assert f"cache-hit {first_id}" in second_log


def test_multi_stage_target_and_build_args(docker: Any, daemon: Daemon, tmp_path: Path, tags: list[str]) -> None:
    ctx = tmp_path / "ctx"
    write(
        ctx / "Dockerfile",
        f"FROM {daemon.busybox_image} AS base\n"
        "ARG GREETING=unset\n"
        'RUN echo "$GREETING" > /greeting\n'
        "FROM base AS wanted\n"
        "RUN echo wanted > /stage\n"
        "FROM base AS other\n"
        "RUN echo other > /stage && false\n",  # never built: not on the way to the target
    )
    tag = new_tag(tags)
    docker.images.build_image(
        ctx, tag=tag, buildkit=True, target="wanted", buildargs=json.dumps({"GREETING": "hi there"}), **NO_NET
    )
    assert files_of(docker, tag, "/stage") == {"stage": b"wanted\n"}
    assert files_of(docker, tag, "/greeting") == {"greeting": b"hi there\n"}


def test_dockerignore_with_exceptions_and_a_dockerfile_outside_the_context(
    docker: Any, daemon: Daemon, tmp_path: Path, tags: list[str]
) -> None:
    ctx = tmp_path / "ctx"
    write(ctx / ".dockerignore", "secret.txt\nlogs\n!logs/keep.log\n**/*.tmp\n")
    write(ctx / "app.txt", "app")
    write(ctx / "secret.txt", "do not ship")
    write(ctx / "logs" / "a.log", "noise")
    write(ctx / "logs" / "keep.log", "kept")
    write(ctx / "sub" / "x.tmp", "tmp")
    write(ctx / "sub" / "y.txt", "y")
    dockerfile = write(tmp_path / "elsewhere" / "build.Dockerfile", f"FROM {daemon.busybox_image}\nCOPY . /ctx\n")
    tag = new_tag(tags)
    docker.images.build_image(ctx, tag=tag, buildkit=True, dockerfile=str(dockerfile), **NO_NET)
    assert set(files_of(docker, tag, "/ctx")) == {
        "ctx/.dockerignore",
        "ctx/app.txt",
        "ctx/logs/keep.log",
        "ctx/sub/y.txt",
    }


def test_a_failing_step_is_named_with_its_output(docker: Any, daemon: Daemon, tmp_path: Path) -> None:
    ctx = tmp_path / "ctx"
    write(ctx / "Dockerfile", f"FROM {daemon.busybox_image}\nRUN echo before\nRUN echo it-went-wrong && exit 3\n")
    with pytest.raises(BuildKitError) as info:
        docker.images.build_image(ctx, buildkit=True, **NO_NET)
    error = info.value
    assert error.step is not None and "RUN echo it-went-wrong && exit 3" in error.step
    assert "it-went-wrong" in error.output()
    assert "exit code: 3" in str(error)
    assert error.build_log and all(isinstance(s, BuildStatus) for s in error.build_log)


def test_async_build_with_a_secret(daemon: Daemon, tmp_path: Path) -> None:
    ctx = tmp_path / "ctx"
    write(
        ctx / "Dockerfile",
        f"FROM {daemon.busybox_image}\nRUN --mount=type=secret,id=s,required=true test -s /run/secrets/s\n",
    )

    async def main() -> str:
        async with AsyncDocker(daemon.base_url) as docker:
            image, _ = await docker.images.build_image(ctx, buildkit=True, secrets={"s": b"value"}, **NO_NET)
            await docker.images.delete(image.id, force=True)
            return image.id

    assert asyncio.run(main()).startswith("sha256:")


def test_session_start_serves_a_build_sent_by_hand(
    docker: Any, daemon: Daemon, tmp_path: Path, tags: list[str]
) -> None:
    # The low-level path that build_image(buildkit=True) wraps: the generated session.start()
    # upgrades POST /session, and images.build takes the session's ID.
    from docker_engine._build_status import decode_trace

    ctx = tmp_path / "ctx"
    write(
        ctx / "Dockerfile",
        f'FROM {daemon.busybox_image}\nRUN --mount=type=secret,id=k test "$(cat /run/secrets/k)" = v\n',
    )
    tag = new_tag(tags)
    names: list[str] = []
    with docker.session.start() as session:
        session.add_dir("context", ctx)
        session.add_dir("dockerfile", ctx)
        session.add_secret("k", b"v")
        for info in docker.images.build(
            version="2", session=session.id, remote="client-session", dockerfile="Dockerfile", t=tag, networkmode="none"
        ):
            assert not info.error, info.error
            if info.id == "moby.buildkit.trace":
                names += [v.name for v in decode_trace(info.aux).vertexes]
    assert any("RUN --mount=type=secret,id=k" in name for name in names)
    assert docker.images.inspect(tag).id.startswith("sha256:")
