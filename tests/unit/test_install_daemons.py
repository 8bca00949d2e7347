""".ci/install-daemons.sh against a fake apt, dpkg and ldd on PATH: idempotent (a second
run downloads nothing), a half-finished or interrupted cache is redone, binaries that
cannot run are pruned, and every failure names its step."""

from __future__ import annotations

import os
import re
import shutil
import signal
import stat
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / ".ci" / "install-daemons.sh"

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")

FAKES = {
    "id": "echo 0\n",
    "systemctl": "exit 0\n",
    # apt-get: logs its arguments; `download` writes one .deb per pkg=version, naming the package.
    "apt-get": r"""
echo "apt-get $*" >>"$FAKE_CALLS"
case " $* " in
*" update "*) exit "${FAKE_UPDATE_RC:-0}" ;;
*" install "*) exit "${FAKE_INSTALL_RC:-0}" ;;
*" download "*)
    if [[ -n ${FAKE_SLOW_DOWNLOAD:-} ]]; then sleep 30; fi
    for arg in "$@"; do
        [[ $arg == *=* ]] || continue
        echo "${arg%%=*}" >"${arg%%=*}_${arg#*=}_amd64.deb"
    done
    ;;
esac
""",
    "apt-cache": r"""
for pkg in docker.io docker-cli containerd runc tini docker-buildx; do
    echo " $pkg | 28.0-sid | http://mirror sid/main amd64 Packages"
    echo " $pkg | 26.0-trixie | http://mirror trixie/main amd64 Packages"
    echo " $pkg | 20.10-bookworm | http://mirror bookworm/main amd64 Packages"
done
""",
    # dpkg -x DEB DEST: the package's binaries; runc and tini "need a newer glibc".
    "dpkg": r"""
[[ $1 == -x ]] || exit 2
pkg=$(cat "$2"); dest=$3
suite=${2##*-}; suite=${suite%_amd64.deb}
mkdir -p "$dest/usr/bin" "$dest/usr/sbin"
mk() { printf '#!/bin/sh\n%s\n' "$2" >"$dest/$1"; chmod +x "$dest/$1"; }
case $pkg in
docker.io)
    if [[ ${FAKE_BROKEN_DOCKERD:-} == "$suite" ]]; then mk usr/sbin/dockerd 'exit 1'
    else mk usr/sbin/dockerd "echo Docker version $suite"; fi ;;
docker-cli) mk usr/bin/docker "echo Docker CLI $suite" ;;
containerd) mk usr/bin/containerd "echo containerd $suite" ;;
runc) mk usr/sbin/runc '# NEEDS_GLIBC_2_38' ;;
tini) mk usr/bin/tini-static '# NEEDS_GLIBC_2_38'; ln -sf tini-static "$dest/usr/bin/docker-init" ;;
docker-buildx) mkdir -p "$dest/usr/libexec/docker/cli-plugins"; mk usr/libexec/docker/cli-plugins/docker-buildx "echo buildx $suite" ;;
esac
""",
    "ldd": r"""
if grep -q NEEDS_GLIBC_2_38 "$1"; then
    printf '%s: /lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.38'"'"' not found (required by %s)\n\tlinux-vdso.so.1\n' "$1" "$1"
    exit 0
fi
echo "	not a dynamic executable"
exit 1
""",
}


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, body in FAKES.items():
        path = bin_dir / name
        path.write_text("#!/usr/bin/env bash\n" + body)
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
    apt = tmp_path / "apt"
    (apt / "sources.list.d").mkdir(parents=True)
    (apt / "sources.list.d" / "debian.sources").write_text(
        "Types: deb\nURIs: http://mirror.example/debian\nSuites: bookworm bookworm-updates\nComponents: main\n"
    )
    return {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "LANG": "C",
        "DAEMON_CACHE": str(tmp_path / "cache"),
        "DAEMON_LOG": str(tmp_path / "install.log"),
        "DAEMON_APT_ETC": str(apt),
        "DAEMON_POLICY_RC": str(tmp_path / "policy-rc.d"),
        "FAKE_CALLS": str(tmp_path / "calls"),
    }


def install(env: dict[str, str], **extra: str) -> subprocess.CompletedProcess[str]:
    Path(env["FAKE_CALLS"]).write_text("")
    return subprocess.run(
        ["bash", str(SCRIPT)], env={**env, **extra}, capture_output=True, text=True, timeout=120, check=False
    )


def downloads(env: dict[str, str]) -> list[str]:
    return [line for line in Path(env["FAKE_CALLS"]).read_text().splitlines() if " download " in line]


def test_syntax_and_no_sigpipe_prone_pipelines() -> None:
    subprocess.run(["bash", "-n", str(SCRIPT)], check=True)
    code = [line.split("#", 1)[0] for line in SCRIPT.read_text().splitlines()]
    for line in code:
        assert not re.search(r"\|\s*(grep\s+-\w*q|head)\b", line), line


def test_installs_prunes_and_second_run_downloads_nothing(env: dict[str, str]) -> None:
    first = install(env)
    assert first.returncode == 0, first.stderr
    cache = Path(env["DAEMON_CACHE"])
    for suite in ("trixie", "sid"):
        dest = cache / suite
        wanted = "docker.io=26.0-trixie" if suite == "trixie" else "docker.io=28.0-sid"
        assert (dest / ".installed").read_text().startswith(wanted)
        assert subprocess.run([dest / "usr/sbin/dockerd", "--version"], capture_output=True, check=True).stdout
        assert not (dest / "usr/sbin/runc").exists()  # pruned: cannot run here
        assert not (dest / "usr/bin/tini-static").exists()
        assert not (dest / "usr/bin/docker-init").is_symlink()  # dangling after the prune
        assert (dest / "usr/bin/docker").exists()
    assert (cache / "buildx" / ".installed").read_text() == "28.0-sid"  # the reference BuildKit client, from sid
    assert len(downloads(env)) == 3
    assert not list(cache.glob("*.partial"))
    assert "daemons:" in first.stdout
    assert not Path(env["DAEMON_POLICY_RC"]).exists()  # ours, removed at exit

    second = install(env)
    assert second.returncode == 0, second.stderr
    assert "trixie: already unpacked" in second.stdout and "sid: already unpacked" in second.stdout
    assert "buildx: already unpacked" in second.stdout
    assert downloads(env) == []


def test_a_cache_without_its_stamp_or_with_an_unrunnable_binary_is_redone(env: dict[str, str]) -> None:
    assert install(env).returncode == 0
    cache = Path(env["DAEMON_CACHE"])
    (cache / "sid" / ".installed").unlink()  # as left by a run that died before the stamp
    bad = cache / "trixie" / "usr/sbin/runc"
    bad.write_text("#!/bin/sh\n# NEEDS_GLIBC_2_38\n")  # as left by a prune that did not happen
    again = install(env)
    assert again.returncode == 0, again.stderr
    assert "removing an incomplete or outdated" in again.stdout
    assert len(downloads(env)) == 2
    assert (cache / "sid" / ".installed").exists()
    assert not bad.exists()


def test_a_dockerd_that_does_not_run_is_not_stamped(env: dict[str, str]) -> None:
    result = install(env, FAKE_BROKEN_DOCKERD="sid")
    assert result.returncode == 0, result.stderr
    assert "no daemon from sid" in result.stderr
    cache = Path(env["DAEMON_CACHE"])
    assert not (cache / "sid").exists() and not (cache / "sid.partial").exists()
    assert (cache / "trixie" / ".installed").exists()


def test_a_failing_step_is_named_with_the_log_tail(env: dict[str, str]) -> None:
    result = install(env, FAKE_INSTALL_RC="100")
    assert result.returncode != 0
    assert 'step "installing docker.io (bookworm) and test tools"' in result.stderr
    assert "apt-get -o DPkg::Lock::Timeout=600 install" in result.stderr  # the command, from the log's tail
    assert re.search(r"FAILED \(exit 100\) .* line \d+", result.stderr), result.stderr


def test_an_interrupted_run_is_finished_by_the_next(env: dict[str, str]) -> None:
    Path(env["FAKE_CALLS"]).write_text("")
    proc = subprocess.Popen(
        ["bash", str(SCRIPT)],
        env={**env, "FAKE_SLOW_DOWNLOAD": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    partial = Path(env["DAEMON_CACHE"]) / "trixie.partial"
    deadline = time.monotonic() + 60
    while not (partial / ".debs").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    os.killpg(proc.pid, signal.SIGINT)  # as Ctrl-C: the whole foreground group
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "interrupted by SIGINT" in stderr and "trixie: downloading" in stderr
    assert not (Path(env["DAEMON_CACHE"]) / "trixie").exists()

    again = install(env)
    assert again.returncode == 0, again.stderr
    assert not partial.exists()
    assert (Path(env["DAEMON_CACHE"]) / "trixie" / ".installed").exists()
    assert (Path(env["DAEMON_CACHE"]) / "sid" / ".installed").exists()
