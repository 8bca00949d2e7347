"""BuildKit builds through the session (issue #14) on dockerd 26 and 28, where BuildKit runs
inside the daemon: Dockerfiles only BuildKit accepts (secret and cache mounts), multi-stage
with a target, build args, `.dockerignore` with `!` exceptions, a Dockerfile outside the
context, and a failing step."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import tarfile
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from docker_engine import AsyncDocker
from docker_engine._build_status import BuildKitError, BuildStatus

from .daemons import Daemon
from .test_build_live import image_files as files_of
from .test_build_live import new_tag

pytestmark = pytest.mark.parametrize("daemon", ["26", "28"], indirect=True)

NO_NET = {"networkmode": "none"}


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


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


def _buildx() -> Path:
    from .daemons import _cache_dir

    binary = _cache_dir() / "buildx" / "usr" / "libexec" / "docker" / "cli-plugins" / "docker-buildx"
    if not binary.exists():
        pytest.fail("docker-buildx is not unpacked: run `bash .ci/install-daemons.sh` as root")
    return binary


def _tree(docker: Any, image: str) -> dict[str, tuple[str, int, str, str]]:
    """The image's filesystem as a created container exports it: path → (kind, mode, content
    digest, link target), without times (two builds differ in those alone)."""
    import hashlib

    created = docker.containers.create(body={"Image": image, "Cmd": ["sh"]})
    try:
        tree = {}
        with tarfile.open(fileobj=io.BytesIO(docker.containers.export(created.id).read())) as archive:
            for member in archive.getmembers():
                if member.name.startswith(("proc/", "sys/", "dev/", "etc/hostname", "etc/hosts", "etc/resolv.conf")):
                    continue  # what the runtime puts there, not the build
                data = archive.extractfile(member) if member.isreg() else None
                digest = hashlib.sha256(data.read()).hexdigest() if data is not None else ""
                tree[member.name] = (str(member.type), member.mode, digest, member.linkname)
        return tree
    finally:
        docker.containers.delete(created.id, force=True)


def test_the_same_image_as_docker_buildx(docker: Any, daemon: Daemon, tmp_path: Path, tags: list[str]) -> None:
    import subprocess

    ctx = tmp_path / "ctx"
    write(ctx / ".dockerignore", "*.log\n!keep.log\nbuild/\n")
    write(ctx / "app" / "main.sh", "echo main\n").chmod(0o755)
    write(ctx / "keep.log", "kept")
    write(ctx / "noise.log", "noise")
    write(ctx / "build" / "out.bin", "out")
    write(
        ctx / "Dockerfile",
        f"FROM {daemon.busybox_image} AS base\n"
        "ARG VERSION=0\n"
        "ENV APP_VERSION=$VERSION\n"
        "LABEL org.example.app=parity\n"
        "WORKDIR /srv\n"
        "COPY . /srv/ctx\n"
        "RUN --mount=type=secret,id=token wc -c < /run/secrets/token > /srv/token-length"
        " && ln -s ctx/app/main.sh /srv/main && mkdir -p /srv/empty\n"
        'CMD ["sh", "/srv/main"]\n',
    )
    secret = write(tmp_path / "token", "parity-secret")
    ours, theirs = new_tag(tags), new_tag(tags)
    docker.images.build_image(
        ctx,
        tag=ours,
        buildkit=True,
        nocache=True,
        buildargs=json.dumps({"VERSION": "7"}),
        secrets={"token": secret},
        **NO_NET,
    )
    config = tmp_path / "docker-config"
    config.mkdir()
    subprocess.run(
        [
            str(_buildx()),
            "build",
            "--network",
            "none",
            "--no-cache",
            "--progress",
            "plain",
            "--build-arg",
            "VERSION=7",
            "--secret",
            f"id=token,src={secret}",
            "-t",
            theirs,
            str(ctx),
        ],
        env={"DOCKER_HOST": daemon.base_url, "DOCKER_CONFIG": str(config), "PATH": "/usr/bin:/bin"},
        check=True,
        capture_output=True,
        timeout=300,
    )
    mine, reference = docker.images.inspect(ours).config, docker.images.inspect(theirs).config
    for field in ("cmd", "entrypoint", "env", "working_dir", "labels", "user", "exposed_ports", "volumes"):
        assert getattr(mine, field) == getattr(reference, field), field
    tree, reference_tree = _tree(docker, ours), _tree(docker, theirs)
    assert tree == reference_tree
    # The context arrived the same: the ignored files in neither, the exception in both.
    assert "srv/ctx/keep.log" in tree and "srv/ctx/noise.log" not in tree and "srv/ctx/build/out.bin" not in tree


def test_an_interrupted_build_is_cancelled_with_its_session(docker: Any, daemon: Daemon, tmp_path: Path) -> None:
    import subprocess
    import time

    seconds = 900 + uuid.uuid4().int % 99  # a sleep of its own, to find its process
    ctx = tmp_path / "ctx"
    write(ctx / "Dockerfile", f"FROM {daemon.busybox_image}\nRUN sleep {seconds}\n")

    class Interrupted(Exception):
        pass

    def running() -> bool:
        found = subprocess.run(["pgrep", "-f", f"sleep {seconds}"], capture_output=True, text=True)
        return found.returncode == 0

    def stop_when_running(status: BuildStatus) -> None:
        for vertex in status.vertexes:
            if f"RUN sleep {seconds}" in vertex.name and vertex.started is not None:
                deadline = time.monotonic() + 10
                while not running() and time.monotonic() < deadline:
                    time.sleep(0.1)
                seen.append(running())
                raise Interrupted

    seen: list[bool] = []
    before = {t.name for t in threading.enumerate()}
    with pytest.raises(Interrupted):
        docker.images.build_image(ctx, buildkit=True, progress=stop_when_running, **NO_NET)
    assert seen == [True]  # the step was running when the build was interrupted
    # The daemon took the closed connection as a cancel: the step's process is gone, soon.
    deadline = time.monotonic() + 15
    while running() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not running()
    # And the session is closed: its threads ended.
    assert "buildkit session" not in {t.name for t in threading.enumerate()} - before


# A static client of the SSH agent protocol for the build's busybox (which has none): it asks
# the agent at $SSH_AUTH_SOCK for its identities and prints how many it holds.
AGENT_PROBE = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
int main(void) {
    const char *path = getenv("SSH_AUTH_SOCK");
    if (!path) { puts("no SSH_AUTH_SOCK"); return 2; }
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un addr; memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX; strncpy(addr.sun_path, path, sizeof addr.sun_path - 1);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("connect"); return 3; }
    unsigned char request[5] = {0, 0, 0, 1, 11};  /* SSH2_AGENTC_REQUEST_IDENTITIES */
    if (write(fd, request, 5) != 5) { perror("write"); return 4; }
    unsigned char head[9]; size_t got = 0;
    while (got < 9) { ssize_t n = read(fd, head + got, 9 - got); if (n <= 0) { perror("read"); return 5; } got += n; }
    if (head[4] != 12) { printf("not an identities answer: %d\n", head[4]); return 6; }
    printf("agent keys: %u\n", (unsigned)(head[5] << 24 | head[6] << 16 | head[7] << 8 | head[8]));
    return 0;
}
"""


def test_an_ssh_agent_is_forwarded_to_a_mount(docker: Any, daemon: Daemon, tmp_path: Path, tags: list[str]) -> None:
    import subprocess
    import time

    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (tmp_path / "probe.c").write_text(AGENT_PROBE)
    subprocess.run(["gcc", "-static", "-O2", "-o", str(ctx / "probe"), str(tmp_path / "probe.c")], check=True)
    write(ctx / "Dockerfile", f"FROM {daemon.busybox_image}\nCOPY probe /probe\nRUN --mount=type=ssh /probe > /agent\n")
    sock = tmp_path / "agent.sock"
    agent = subprocess.Popen(["ssh-agent", "-D", "-a", str(sock)], stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not sock.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "key")], check=True)
        env = {"SSH_AUTH_SOCK": str(sock), "PATH": "/usr/bin:/bin"}
        subprocess.run(["ssh-add", "-q", str(tmp_path / "key")], env=env, check=True, capture_output=True)
        tag = new_tag(tags)
        docker.images.build_image(ctx, tag=tag, buildkit=True, ssh={"default": sock}, **NO_NET)
    finally:
        agent.terminate()
        agent.wait(10)
    assert files_of(docker, tag, "/agent") == {"agent": b"agent keys: 1\n"}


def test_closing_the_stream_cancels_the_build_and_its_session(docker: Any, daemon: Daemon, tmp_path: Path) -> None:
    import subprocess
    import time

    seconds = 800 + uuid.uuid4().int % 99
    ctx = tmp_path / "ctx"
    write(ctx / "Dockerfile", f"FROM {daemon.busybox_image}\nRUN echo starting && sleep {seconds}\n")

    def running() -> bool:
        return subprocess.run(["pgrep", "-f", f"sleep {seconds}"], capture_output=True).returncode == 0

    before = {t.name for t in threading.enumerate()}
    build = docker.images.buildkit_stream(ctx, **NO_NET)
    seen: list[bool] = []
    with build:
        for status in build:
            if any(b"starting" in log.data for log in status.logs):
                deadline = time.monotonic() + 10
                while not running() and time.monotonic() < deadline:
                    time.sleep(0.1)
                seen.append(running())  # what closing must stop
                break  # leave the build in the middle: the loop's end closes the stream
    assert seen == [True]
    deadline = time.monotonic() + 15
    while running() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not running()
    assert build.image_id is None and build.statuses
    assert "buildkit session" not in {t.name for t in threading.enumerate()} - before


def test_the_stream_form_ends_with_the_image(daemon: Daemon, tmp_path: Path) -> None:
    ctx = tmp_path / "ctx"
    write(ctx / "Dockerfile", f"FROM {daemon.busybox_image}\nRUN echo streamed\n")

    async def main() -> tuple[str | None, list[str]]:
        async with AsyncDocker(daemon.base_url) as docker:
            names: list[str] = []
            async with await docker.images.buildkit_stream(ctx, nocache=True, **NO_NET) as build:
                async for status in build:
                    names += [v.name for v in status.vertexes]
            assert build.image_id is not None
            await docker.images.delete(build.image_id, force=True)
            return build.image_id, names

    image_id, names = asyncio.run(main())
    assert image_id is not None and image_id.startswith("sha256:")
    assert any("RUN echo streamed" in name for name in names)


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from .registry import registry_available, start_registry

    problem = registry_available()
    if problem:
        pytest.fail(problem)
    started = start_registry(tmp_path_factory.mktemp("registry"), username="builder", password="b-" + uuid.uuid4().hex)
    try:
        yield started
    finally:
        started.stop()


def test_a_base_image_from_a_private_registry_is_pulled_with_the_stored_credentials(
    docker: Any, daemon: Daemon, tmp_path: Path, registry: Any, tags: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from docker_engine import AuthConfig
    from docker_engine._auth import encode_auth_header

    repo = f"{registry.host}/bk-base-{daemon.name.replace('.', '-')}"
    docker.images.tag(daemon.busybox_image, repo=repo, tag="1")
    auth = AuthConfig(username=registry.username, password=registry.password)
    for message in docker.images.push(repo, tag="1", x_registry_auth=encode_auth_header(auth)):
        assert not message.error, message.error
    docker.images.delete(f"{repo}:1")  # only the registry has it now
    ctx = tmp_path / "ctx"
    write(ctx / "Dockerfile", f"FROM {repo}:1\nRUN echo pulled > /pulled\n")

    config = tmp_path / "docker-config"
    config.mkdir()
    monkeypatch.setenv("DOCKER_CONFIG", str(config))
    with pytest.raises(BuildKitError) as refused:  # no credentials: the registry says no
        docker.images.build_image(ctx, buildkit=True, pull=True, **NO_NET)
    assert "401" in str(refused.value) or "unauthorized" in str(refused.value).lower()

    token = base64.b64encode(f"{registry.username}:{registry.password}".encode()).decode()
    (config / "config.json").write_text(json.dumps({"auths": {registry.host: {"auth": token}}}))
    tag = new_tag(tags)
    docker.images.build_image(ctx, tag=tag, buildkit=True, pull=True, **NO_NET)
    assert files_of(docker, tag, "/pulled") == {"pulled": b"pulled\n"}


def test_images_build_takes_the_context_and_buildkit(
    docker: Any, daemon: Daemon, tmp_path: Path, tags: list[str]
) -> None:
    # The generated operation itself: images.build(context, t=…, buildkit=True, secrets=…) returns
    # the build as it runs; without buildkit=True the same context is the classic build's body.
    ctx = tmp_path / "ctx"
    write(
        ctx / "Dockerfile",
        f'FROM {daemon.busybox_image}\nARG A\nRUN --mount=type=secret,id=s echo "$A $(cat /run/secrets/s)" > /out\n',
    )
    tag, classic = new_tag(tags), new_tag(tags)
    with docker.images.build(
        ctx, t=tag, buildkit=True, secrets={"s": b"x"}, buildargs=json.dumps({"A": "a"}), networkmode="none"
    ) as build:
        statuses = list(build)
    assert statuses and build.image_id == docker.images.inspect(tag).id
    assert files_of(docker, tag, "/out") == {"out": b"a x\n"}
    write(ctx / "Dockerfile", f"FROM {daemon.busybox_image}\nRUN echo classic > /out\n")
    for _ in docker.images.build(ctx, t=classic, networkmode="none"):
        pass
    assert files_of(docker, classic, "/out") == {"out": b"classic\n"}
