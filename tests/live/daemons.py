"""Private Docker daemons for the live tests.

Every daemon started here is fully private: its own unix socket, data root,
exec root, pidfile, containerd (started by dockerd itself, with its state under
the exec root) and cgroup parent. Nothing touches ``/var/run/docker.sock`` or
the machine's default daemon, and several daemons (of the same or different
kinds) may run at once.

Kinds (see ``.ci/install-daemons.sh``, which installs them):

========  ==========================================  ===========
kind      dockerd                                     API version
========  ==========================================  ===========
``20.10`` ``/usr/sbin/dockerd`` (Debian bookworm)     1.41
``26``    ``$DAEMON_CACHE/trixie/usr/sbin/dockerd``   1.45
``28``    ``$DAEMON_CACHE/sid/usr/sbin/dockerd``      1.51
========  ==========================================  ===========

The newer engines run with the containerd (1.7 / 2.1) and docker CLI unpacked
next to them; runc (1.1.5) and docker-init always come from bookworm, because
the newer suites' builds need glibc 2.38 (the installer prunes binaries that
cannot run here, so PATH lookup falls through to the system ones).

Stopping: :meth:`Daemon.stop` kills running containers, SIGTERMs dockerd, then
kills anything of the daemon's that is left (found by command line and by
cgroup), unmounts leftovers and removes the temporary dirs. Daemons still
running at interpreter exit are stopped by an ``atexit`` hook, and daemons
orphaned by a killed test process are reaped by the next :func:`start_daemon`
(:func:`reap_stale_daemons`).

Only the standard library is used: this module must not depend on the SDK it
helps to test.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import http.client
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import tarfile
import tempfile
import time
import urllib.parse
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "BUSYBOX_IMAGE",
    "EXPECTED_API_VERSIONS",
    "KINDS",
    "Daemon",
    "DaemonError",
    "DaemonKind",
    "available_kinds",
    "busybox_rootfs_tar",
    "daemon_kind",
    "free_tcp_port",
    "import_busybox",
    "raw_request",
    "reap_stale_daemons",
    "request_json",
    "running_daemon",
    "start_daemon",
]

DEFAULT_CACHE = "/var/cache/docker-engine-daemons"
BUSYBOX_IMAGE = "local/busybox:latest"
BUSYBOX_BINARY = Path("/bin/busybox")
# The PATH given to dockerd and to the docker CLI, after the kind's own bin
# directories. /usr/local is left out on purpose: it may hold an unrelated
# docker CLI.
SYSTEM_PATH = ("/usr/sbin", "/usr/bin", "/sbin", "/bin")

START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0


class DaemonError(RuntimeError):
    """A private daemon could not be started, prepared or stopped."""


@dataclass(frozen=True)
class DaemonKind:
    """One installable engine: where its binaries live."""

    name: str
    suite: str
    # Directory the suite's packages were unpacked into (``None``: installed
    # system-wide by apt).
    prefix: Path | None

    @property
    def dockerd(self) -> Path:
        base = self.prefix if self.prefix is not None else Path("/")
        return base / "usr" / "sbin" / "dockerd"

    @property
    def bin_dirs(self) -> list[str]:
        """Directories searched first for containerd, runc, docker-init, docker."""
        if self.prefix is None:
            return []
        return [str(self.prefix / "usr" / "bin"), str(self.prefix / "usr" / "sbin")]

    @property
    def path(self) -> str:
        return os.pathsep.join([*self.bin_dirs, *SYSTEM_PATH])

    @property
    def docker_cli(self) -> Path | None:
        for directory in self.path.split(os.pathsep):
            candidate = Path(directory) / "docker"
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return candidate
        return None

    def installed(self) -> bool:
        """dockerd, and the containerd and runc it would run, are all there."""
        if not (self.dockerd.is_file() and os.access(self.dockerd, os.X_OK)):
            return False
        return all(shutil.which(tool, path=self.path) is not None for tool in ("containerd", "runc"))


def _cache_dir() -> Path:
    return Path(os.environ.get("DAEMON_CACHE") or DEFAULT_CACHE)


def _kinds() -> dict[str, DaemonKind]:
    cache = _cache_dir()
    return {
        "20.10": DaemonKind("20.10", "bookworm", None),
        "26": DaemonKind("26", "trixie", cache / "trixie"),
        "28": DaemonKind("28", "sid", cache / "sid"),
    }


KINDS: tuple[str, ...] = ("20.10", "26", "28")
EXPECTED_API_VERSIONS: Mapping[str, str] = {"20.10": "1.41", "26": "1.45", "28": "1.51"}


def daemon_kind(kind: str) -> DaemonKind:
    """The :class:`DaemonKind` for ``kind``: "20.10", "26", "28", a suite name or an API version."""
    kinds = _kinds()
    if kind in kinds:
        return kinds[kind]
    for spec in kinds.values():
        if kind in (spec.suite, EXPECTED_API_VERSIONS[spec.name]):
            return spec
    raise ValueError(f"unknown daemon kind {kind!r}; known: {', '.join(KINDS)}")


def available_kinds() -> list[str]:
    """The daemon kinds installed on this machine, oldest first."""
    return [name for name, kind in _kinds().items() if kind.installed()]


# --------------------------------------------------------------------------
# Raw HTTP over a unix socket
# --------------------------------------------------------------------------


class _UnixHTTPConnection(http.client.HTTPConnection):
    """An HTTP/1.1 connection to a unix-domain socket."""

    def __init__(self, socket_path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self._socket_path = socket_path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(self.timeout)
            sock.connect(self._socket_path)
        except BaseException:
            sock.close()
            raise
        self.sock = sock


def raw_request(
    socket_path: str | os.PathLike[str],
    method: str,
    path: str,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    *,
    timeout: float = 60.0,
) -> tuple[int, dict[str, str], bytes]:
    """Send one HTTP request to the daemon listening on ``socket_path``.

    Returns ``(status, headers, body)``; header names are lower-cased (repeated
    headers are joined with ", "). The whole response body is read, so
    streaming endpoints must be bounded (e.g. ``follow=0``).
    """
    conn = _UnixHTTPConnection(os.fspath(socket_path), timeout)
    try:
        send_headers = dict(headers or {})
        if body is not None and not any(k.lower() == "content-type" for k in send_headers):
            send_headers["Content-Type"] = "application/json"
        try:
            conn.request(method, path, body=body, headers=send_headers)
        except (BrokenPipeError, ConnectionResetError) as exc:
            # The daemon may answer (an error) and close before reading the
            # whole body; that answer is still there to read.
            try:
                response = conn.getresponse()
            except (OSError, http.client.HTTPException):
                raise exc from None
        else:
            response = conn.getresponse()
        data = response.read()
        out: dict[str, str] = {}
        for name, value in response.getheaders():
            key = name.lower()
            out[key] = f"{out[key]}, {value}" if key in out else value
        return response.status, out, data
    finally:
        conn.close()


def request_json(
    socket_path: str | os.PathLike[str],
    method: str,
    path: str,
    payload: object = None,
    *,
    expect: Sequence[int] = (200, 201, 204),
    timeout: float = 60.0,
) -> object:
    """JSON request/response helper; raises :class:`DaemonError` on an unexpected status."""
    body = None if payload is None else json.dumps(payload).encode()
    status, _, data = raw_request(socket_path, method, path, body, timeout=timeout)
    if status not in expect:
        text = data.decode(errors="replace").strip()
        raise DaemonError(f"{method} {path}: HTTP {status}: {text}")
    if not data.strip():
        return None
    return json.loads(data)


# --------------------------------------------------------------------------
# The busybox base image
# --------------------------------------------------------------------------


def _busybox_applets(busybox: Path) -> list[str]:
    out = subprocess.run([str(busybox), "--list"], check=True, capture_output=True, text=True).stdout
    return sorted({line.strip() for line in out.splitlines() if line.strip()} - {"busybox"})


@functools.lru_cache(maxsize=1)
def busybox_rootfs_tar(busybox: Path = BUSYBOX_BINARY) -> bytes:
    """A root filesystem tar: static busybox, its applets as symlinks, /etc, /tmp."""
    if not busybox.is_file():
        raise DaemonError(f"{busybox} not found: install busybox-static (.ci/install-daemons.sh)")
    buf = io.BytesIO()
    mtime = int(busybox.stat().st_mtime)

    def add_dir(tar: tarfile.TarFile, name: str, mode: int = 0o755) -> None:
        info = tarfile.TarInfo(name)
        info.type = tarfile.DIRTYPE
        info.mode = mode
        info.mtime = mtime
        tar.addfile(info)

    def add_file(tar: tarfile.TarFile, name: str, data: bytes, mode: int = 0o644) -> None:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        info.mode = mode
        info.mtime = mtime
        tar.addfile(info, io.BytesIO(data))

    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for name in ("bin", "etc", "home", "var", "usr", "usr/bin"):
            add_dir(tar, name)
        add_dir(tar, "root", 0o700)
        add_dir(tar, "tmp", 0o1777)
        add_file(tar, "bin/busybox", busybox.read_bytes(), 0o755)
        for applet in _busybox_applets(busybox):
            if "/" in applet:
                continue
            info = tarfile.TarInfo(f"bin/{applet}")
            info.type = tarfile.SYMTYPE
            info.linkname = "busybox"
            info.mode = 0o777
            info.mtime = mtime
            tar.addfile(info)
        add_file(
            tar,
            "etc/passwd",
            b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
        )
        add_file(tar, "etc/group", b"root:x:0:\nnogroup:x:65534:\n")
    return buf.getvalue()


def import_busybox(socket_path: str | os.PathLike[str], image: str = BUSYBOX_IMAGE) -> None:
    """Import :func:`busybox_rootfs_tar` as ``image`` (no registry involved)."""
    repo, _, tag = image.rpartition(":")
    if not repo or "/" in tag:
        repo, tag = image, "latest"
    query = urllib.parse.urlencode({"fromSrc": "-", "repo": repo, "tag": tag, "changes": 'CMD ["sh"]'})
    status, _, data = raw_request(
        socket_path,
        "POST",
        f"/images/create?{query}",
        busybox_rootfs_tar(),
        {"Content-Type": "application/x-tar"},
        timeout=120.0,
    )
    if status != 200:
        raise DaemonError(f"importing {image}: HTTP {status}: {data.decode(errors='replace')}")
    # The body is a stream of JSON progress messages; an error is one of them.
    for line in data.decode(errors="replace").splitlines():
        line = line.strip()
        if not line:
            continue
        with contextlib.suppress(ValueError):
            message = json.loads(line)
            if isinstance(message, dict) and message.get("error"):
                raise DaemonError(f"importing {image}: {message['error']}")


# --------------------------------------------------------------------------
# Processes, mounts and cgroups
# --------------------------------------------------------------------------


def _proc_cmdline(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode(errors="replace")


def _proc_cgroups(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cgroup").read_text()
    except OSError:
        return ""


def _all_pids() -> list[int]:
    return [int(entry) for entry in os.listdir("/proc") if entry.isdigit()]


def _pid_alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _mount_points_under(prefixes: Sequence[Path]) -> list[str]:
    """Mount points below any of ``prefixes``, deepest first."""
    found: list[str] = []
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return found
    roots = [str(p).rstrip("/") + "/" for p in prefixes]
    for line in lines:
        fields = line.split()
        if len(fields) < 5:
            continue
        # Octal escapes (\040 for space) are used in mountinfo.
        point = fields[4].encode().decode("unicode_escape")
        if any(point.startswith(root) or point + "/" == root for root in roots):
            found.append(point)
    return sorted(set(found), key=len, reverse=True)


def _cgroup_dirs(name: str) -> list[Path]:
    """Every cgroup directory called ``name`` right below a hierarchy root."""
    base = Path("/sys/fs/cgroup")
    dirs: list[Path] = []
    candidates = [base / name]
    with contextlib.suppress(OSError):
        candidates += [entry / name for entry in base.iterdir() if entry.is_dir()]
    for candidate in candidates:
        if candidate.is_dir():
            dirs.append(candidate)
    return dirs


def _remove_cgroup_tree(top: Path) -> None:
    """rmdir a cgroup directory bottom-up (cgroupfs only allows rmdir)."""
    with contextlib.suppress(OSError):
        subdirs = sorted((Path(root) for root, _, _ in os.walk(top)), key=lambda p: len(p.parts), reverse=True)
        for directory in subdirs:
            with contextlib.suppress(OSError):
                directory.rmdir()


def _proc_start_time(pid: int) -> int | None:
    """Start time of ``pid`` in clock ticks since boot (tells a reused pid apart)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[19])
    except (OSError, IndexError, ValueError):
        return None


def _owned_pids(short_dir: str, root_dir: str, cgroup_parent: str, main_pid: int | None = None) -> list[int]:
    """Live processes of one private daemon.

    dockerd and containerd name the short dir (socket, exec root) or the data
    root on their command line, and so do the shims (``-address``); container
    processes sit in cgroups below the daemon's own cgroup parent.
    """
    markers = [m for m in (short_dir, root_dir) if m]
    cgroup_marker = f"/{cgroup_parent}/" if cgroup_parent else None
    own = os.getpid()
    pids: list[int] = []
    for pid in _all_pids():
        if pid == own or not _pid_alive(pid):
            continue
        in_cgroup = cgroup_marker is not None and cgroup_marker in _proc_cgroups(pid).replace("\n", "/\n")
        if pid == main_pid or in_cgroup or any(marker in _proc_cmdline(pid) for marker in markers):
            pids.append(pid)
    return pids


def _kill_leftovers(short_dir: str, root_dir: str, cgroup_parent: str, grace: float) -> list[int]:
    """Wait up to ``grace`` s for a daemon's processes to go, then TERM/KILL them; returns survivors."""
    deadline = time.monotonic() + grace
    leftover = _owned_pids(short_dir, root_dir, cgroup_parent)
    while leftover and time.monotonic() < deadline:
        time.sleep(0.1)
        leftover = _owned_pids(short_dir, root_dir, cgroup_parent)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if not leftover:
            break
        for pid in leftover:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, sig)
        deadline = time.monotonic() + 5
        while leftover and time.monotonic() < deadline:
            time.sleep(0.1)
            leftover = _owned_pids(short_dir, root_dir, cgroup_parent)
    return leftover


def _remove_state(short_dir: str, root_dir: str, cgroup_parent: str) -> None:
    """Unmount leftovers under a daemon's dirs, drop its cgroups, delete the dirs."""
    dirs = [Path(d) for d in (short_dir, root_dir) if d]
    for point in _mount_points_under(dirs):
        subprocess.run(["umount", "-l", point], check=False, capture_output=True)
    if cgroup_parent:
        for directory in _cgroup_dirs(cgroup_parent):
            _remove_cgroup_tree(directory)
    for directory in dirs:
        shutil.rmtree(directory, ignore_errors=True)


OWNER_FILE = "owner.json"
# Short dirs live here, not under $TMPDIR, which may be long.
SHORT_BASE = "/tmp"
SHORT_DIR_PREFIX = "dkr"


def reap_stale_daemons() -> list[str]:
    """Stop daemons left behind by test processes that died without stopping them.

    Each short dir (``/tmp/dkr*``) records the pid and start time of the
    process that started the daemon; daemons whose starter is gone are killed
    and their state removed. Daemons of live processes are left alone. Returns
    the short dirs cleaned up.
    """
    cleaned: list[str] = []
    for owner_file in Path(SHORT_BASE).glob(f"{SHORT_DIR_PREFIX}*/{OWNER_FILE}"):
        try:
            owner = json.loads(owner_file.read_text())
            pid = int(owner["pid"])
            start = owner["start"]
            root_dir = str(owner["root_dir"])
            cgroup_parent = str(owner["cgroup_parent"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if _pid_alive(pid) and _proc_start_time(pid) == start:
            continue
        short_dir = str(owner_file.parent)
        _kill_leftovers(short_dir, root_dir, cgroup_parent, grace=0)
        _remove_state(short_dir, root_dir, cgroup_parent)
        cleaned.append(short_dir)
    return cleaned


# --------------------------------------------------------------------------
# Daemons
# --------------------------------------------------------------------------

# Daemons started by this process and not yet stopped: stopped at exit.
_RUNNING: dict[int, Daemon] = {}


@atexit.register
def _stop_all_at_exit() -> None:
    for daemon in list(_RUNNING.values()):
        with contextlib.suppress(Exception):
            daemon.stop()


@dataclass
class Daemon:
    """A running private dockerd; call :meth:`stop` (or use it as a context manager)."""

    name: str
    api_version: str
    socket_path: str
    root_dir: str
    tcp_port: int | None
    busybox_image: str
    dockerd_path: str
    env: dict[str, str]
    log_path: str
    exec_root: str
    pid: int
    docker_cli: str | None = None
    engine_version: str = ""
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _short_dir: str = field(default="", repr=False)
    _workdir: str = field(default="", repr=False)
    _cgroup_parent: str = field(default="", repr=False)
    _log_file: io.BufferedWriter | None = field(default=None, repr=False)
    _stopped: bool = field(default=False, repr=False)

    @property
    def base_url(self) -> str:
        """``unix://`` URL of the daemon's socket (what DOCKER_HOST would be)."""
        return f"unix://{self.socket_path}"

    @property
    def tcp_url(self) -> str | None:
        return None if self.tcp_port is None else f"tcp://127.0.0.1:{self.tcp_port}"

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        """:func:`raw_request` against this daemon."""
        return raw_request(self.socket_path, method, path, body, headers)

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = Path(self.log_path).read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def owned_pids(self) -> list[int]:
        """Live processes belonging to this daemon: dockerd, containerd, shims, containers."""
        return _owned_pids(self._short_dir, self.root_dir, self._cgroup_parent, self.pid)

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """Stop dockerd and everything it started; remove its temporary dirs."""
        if self._stopped:
            return
        self._stopped = True
        try:
            self._terminate(timeout)
        finally:
            self._cleanup()

    def _kill_containers(self) -> None:
        """Best effort: SIGKILL running containers, so shutdown needs no stop timeouts."""
        try:
            running = request_json(self.socket_path, "GET", "/containers/json", timeout=10)
            if not isinstance(running, list):
                return
            for container in running:
                if isinstance(container, dict) and isinstance(container.get("Id"), str):
                    raw_request(self.socket_path, "POST", f"/containers/{container['Id']}/kill", timeout=10)
        except (OSError, DaemonError, ValueError, http.client.HTTPException):
            pass

    def _terminate(self, timeout: float) -> None:
        process = self._process
        if process is not None and process.poll() is None:
            self._kill_containers()
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        # containerd normally exits with dockerd; shims and container processes
        # exit when their tasks are killed during dockerd's shutdown. Give them
        # a moment, then kill whatever is left.
        leftover = _kill_leftovers(self._short_dir, self.root_dir, self._cgroup_parent, grace=10)
        if leftover:
            raise DaemonError(f"daemon {self.name}: processes survive SIGKILL: {leftover}")

    def _cleanup(self) -> None:
        _RUNNING.pop(id(self), None)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        _remove_state(self._short_dir, self.root_dir, self._cgroup_parent)

    def __enter__(self) -> Daemon:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _free_check_port(port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as exc:
            raise DaemonError(f"TCP port {port} is not free: {exc}") from exc


def free_tcp_port() -> int:
    """An unused TCP port on 127.0.0.1 (racy by nature, good enough for tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_ready(daemon: Daemon, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last_error = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise DaemonError(
                f"dockerd {daemon.name} exited with status {process.returncode} during startup;"
                f" log {daemon.log_path}:\n{daemon.log_tail()}"
            )
        try:
            status, _, data = raw_request(daemon.socket_path, "GET", "/_ping", timeout=5)
            if status == 200 and data.strip() == b"OK":
                return
            last_error = f"HTTP {status}: {data[:200]!r}"
        except OSError as exc:
            last_error = str(exc)
        time.sleep(0.1)
    raise DaemonError(
        f"dockerd {daemon.name} did not answer /_ping within {timeout:.0f}s ({last_error});"
        f" log {daemon.log_path}:\n{daemon.log_tail()}"
    )


def start_daemon(
    kind: str,
    workdir: Path,
    *,
    tcp_port: int | None = None,
    extra_args: Sequence[str] = (),
    with_busybox: bool = True,
    timeout: float = START_TIMEOUT,
) -> Daemon:
    """Start a private dockerd of ``kind`` and wait until it answers ``/_ping``.

    ``kind`` is "20.10", "26" or "28" (or an alias: the suite name or the API
    version). ``workdir`` holds the data root (``workdir/root-*``) and the log
    (``workdir/dockerd-<kind>-*.log``); the socket, exec root (containerd's
    sockets), pidfile and daemon config live in a short ``/tmp/dkr*``
    directory because unix socket paths are limited to 108 bytes. With ``tcp_port`` the
    daemon also listens on ``tcp://127.0.0.1:PORT`` (add TLS flags through
    ``extra_args``). With ``with_busybox`` (the default) :data:`BUSYBOX_IMAGE`
    is imported before returning.
    """
    spec = daemon_kind(kind)
    kind = spec.name
    if not spec.installed():
        raise DaemonError(
            f"daemon kind {kind} is not installed ({spec.dockerd} missing); run .ci/install-daemons.sh as root"
        )
    if tcp_port is not None:
        _free_check_port(tcp_port)

    reap_stale_daemons()
    workdir = Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    root_dir = Path(tempfile.mkdtemp(prefix="root-", dir=workdir))
    short_dir = Path(tempfile.mkdtemp(prefix=SHORT_DIR_PREFIX, dir=SHORT_BASE))
    short = short_dir.name
    cgroup_parent = f"dkr-{short}"
    owner = {
        "pid": os.getpid(),
        "start": _proc_start_time(os.getpid()),
        "root_dir": str(root_dir),
        "cgroup_parent": cgroup_parent,
    }
    (short_dir / OWNER_FILE).write_text(json.dumps(owner) + "\n")
    socket_path = short_dir / "docker.sock"
    exec_root = short_dir / "exec"
    log_path = workdir / f"dockerd-{kind}-{short}.log"
    config: dict[str, object] = {}
    if kind == "20.10":
        # 20.10 otherwise writes its libtrust key to /etc/docker/key.json, a
        # file shared by every daemon on the machine (a config-file-only key).
        config["deprecated-key-path"] = str(short_dir / "key.json")
    config_path = short_dir / "daemon.json"
    config_path.write_text(json.dumps(config) + "\n")

    args = [
        str(spec.dockerd),
        "--host",
        f"unix://{socket_path}",
        "--data-root",
        str(root_dir),
        "--exec-root",
        str(exec_root),
        "--pidfile",
        str(short_dir / "docker.pid"),
        "--config-file",
        str(config_path),
        "--storage-driver=vfs",
        "--iptables=false",
        "--ip6tables=false",
        "--bridge=none",
        f"--cgroup-parent=/{cgroup_parent}",
    ]
    if tcp_port is not None:
        args += ["--host", f"tcp://127.0.0.1:{tcp_port}"]
    args += list(extra_args)

    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DOCKER_", "CONTAINERD_")) and key not in ("NOTIFY_SOCKET",)
    }
    env["PATH"] = spec.path
    docker_config = short_dir / "cli-config"
    docker_config.mkdir()
    cli = spec.docker_cli
    cli_env = {
        "PATH": spec.path,
        "DOCKER_HOST": f"unix://{socket_path}",
        "DOCKER_CONFIG": str(docker_config),
        "HOME": os.environ.get("HOME", "/root"),
    }

    log_file = open(log_path, "ab")  # noqa: SIM115 - owned by the Daemon
    log_file.write(f"# {' '.join(args)}\n".encode())
    log_file.flush()
    try:
        process = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=short_dir,
            start_new_session=True,
        )
    except OSError:
        log_file.close()
        shutil.rmtree(short_dir, ignore_errors=True)
        shutil.rmtree(root_dir, ignore_errors=True)
        raise

    daemon = Daemon(
        name=kind,
        api_version="",
        socket_path=str(socket_path),
        root_dir=str(root_dir),
        tcp_port=tcp_port,
        busybox_image=BUSYBOX_IMAGE,
        dockerd_path=str(spec.dockerd),
        env=cli_env,
        log_path=str(log_path),
        exec_root=str(exec_root),
        pid=process.pid,
        docker_cli=None if cli is None else str(cli),
        _process=process,
        _short_dir=str(short_dir),
        _workdir=str(workdir),
        _cgroup_parent=cgroup_parent,
        _log_file=log_file,
    )
    _RUNNING[id(daemon)] = daemon
    try:
        _wait_ready(daemon, process, timeout)
        version = request_json(socket_path, "GET", "/version")
        if not isinstance(version, dict) or not isinstance(version.get("ApiVersion"), str):
            raise DaemonError(f"unexpected /version answer: {version!r}")
        daemon.api_version = version["ApiVersion"]
        daemon.engine_version = str(version.get("Version", ""))
        if with_busybox:
            import_busybox(socket_path, daemon.busybox_image)
    except BaseException:
        with contextlib.suppress(Exception):
            daemon.stop()
        raise
    return daemon


@contextlib.contextmanager
def running_daemon(
    kind: str,
    workdir: Path,
    *,
    tcp_port: int | None = None,
    extra_args: Sequence[str] = (),
    with_busybox: bool = True,
) -> Iterator[Daemon]:
    """``with running_daemon("28", tmp) as d:`` — :func:`start_daemon` plus stop."""
    daemon = start_daemon(kind, workdir, tcp_port=tcp_port, extra_args=extra_args, with_busybox=with_busybox)
    try:
        yield daemon
    finally:
        daemon.stop()
