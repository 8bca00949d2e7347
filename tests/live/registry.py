"""A private Docker registry with basic auth, for the live tests.

Debian's ``docker-registry`` (distribution 2.8) listens on ``127.0.0.1:<free
port>`` over plain HTTP — dockerd treats 127.0.0.0/8 as insecure registries,
so no TLS is needed — with an htpasswd file (bcrypt, made by ``htpasswd`` from
apache2-utils) and its storage in a temp dir. ``.ci/install-daemons.sh``
installs both.

Only the standard library is used, like ``daemons.py``.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import json
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .daemons import free_tcp_port

__all__ = ["REGISTRY_BINARY", "Registry", "RegistryError", "registry_available", "running_registry", "start_registry"]

REGISTRY_BINARY = "/usr/bin/docker-registry"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


class RegistryError(RuntimeError):
    """The registry could not be started or stopped."""


def registry_available() -> str | None:
    """Why a registry cannot be started here, or ``None`` when it can."""
    if not (os.path.isfile(REGISTRY_BINARY) and os.access(REGISTRY_BINARY, os.X_OK)):
        return f"{REGISTRY_BINARY} missing: run .ci/install-daemons.sh (Debian package docker-registry)"
    if shutil.which("htpasswd") is None:
        return "htpasswd missing: run .ci/install-daemons.sh (Debian package apache2-utils)"
    return None


# Registries started by this process and not yet stopped: stopped at exit.
_RUNNING: dict[int, Registry] = {}


@atexit.register
def _stop_all_at_exit() -> None:
    for registry in list(_RUNNING.values()):
        with contextlib.suppress(Exception):
            registry.stop()


@dataclass
class Registry:
    """A running registry; `host` (``127.0.0.1:PORT``) is what image names start with."""

    port: int
    username: str
    password: str = field(repr=False)
    root_dir: str
    log_path: str
    pid: int
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _log_file: io.BufferedWriter | None = field(default=None, repr=False)
    _stopped: bool = field(default=False, repr=False)

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = Path(self.log_path).read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """Stop the registry process (and anything in its session); remove its storage."""
        if self._stopped:
            return
        self._stopped = True
        try:
            self._stop_process(timeout)
        finally:
            shutil.rmtree(self.root_dir, ignore_errors=True)

    def _stop_process(self, timeout: float = STOP_TIMEOUT) -> None:
        _RUNNING.pop(id(self), None)
        process = self._process
        try:
            if process is not None and process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)
                    process.wait(5)
            if process is not None and process.poll() is None:
                raise RegistryError(f"registry pid {process.pid} survives SIGKILL")
        finally:
            if self._log_file is not None:
                self._log_file.close()
                self._log_file = None

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _htpasswd_line(username: str, password: str) -> str:
    # -i: the password comes on stdin, not on the command line.
    done = subprocess.run(
        ["htpasswd", "-nBi", username], input=password.encode(), capture_output=True, check=False, timeout=30
    )
    line = done.stdout.decode().strip()
    if done.returncode != 0 or not line.startswith(f"{username}:$2"):
        raise RegistryError(f"htpasswd failed (exit {done.returncode}): {done.stderr.decode(errors='replace')}")
    return line


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def start_registry(
    workdir: Path, *, username: str = "tester", password: str | None = None, timeout: float = START_TIMEOUT
) -> Registry:
    """Start a registry with one htpasswd user; wait until ``/v2/`` answers 401."""
    problem = registry_available()
    if problem:
        raise RegistryError(problem)
    password = password if password is not None else secrets.token_urlsafe(16)
    workdir = Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="registry-", dir=workdir))
    (root / "storage").mkdir()
    htpasswd = root / "htpasswd"
    htpasswd.write_text(_htpasswd_line(username, password) + "\n")
    htpasswd.chmod(0o600)
    log_path = root / "registry.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REGISTRY_", "OTEL_"))}

    last = "no attempt"
    for _ in range(3):  # the free port may be taken between probe and bind
        port = free_tcp_port()
        config = {
            "version": 0.1,
            "log": {"level": "info", "accesslog": {"disabled": True}},
            "storage": {"filesystem": {"rootdirectory": str(root / "storage")}, "delete": {"enabled": True}},
            "http": {"addr": f"127.0.0.1:{port}", "secret": secrets.token_hex(16)},
            "auth": {"htpasswd": {"realm": "docker-engine-tests", "path": str(htpasswd)}},
        }
        # JSON is YAML: no YAML library needed.
        config_path = root / "config.yml"
        config_path.write_text(json.dumps(config, indent=2) + "\n")
        log_file = open(log_path, "ab")  # noqa: SIM115 - owned by the Registry
        try:
            process = subprocess.Popen(
                [REGISTRY_BINARY, "serve", str(config_path)],
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=root,
                start_new_session=True,
            )
        except OSError:
            log_file.close()
            shutil.rmtree(root, ignore_errors=True)
            raise
        registry = Registry(
            port=port,
            username=username,
            password=password,
            root_dir=str(root),
            log_path=str(log_path),
            pid=process.pid,
            _process=process,
            _log_file=log_file,
        )
        _RUNNING[id(registry)] = registry
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                last = f"exited with status {process.returncode}:\n{registry.log_tail()}"
                break
            try:
                status = _status(f"{registry.url}/v2/")
            except OSError as exc:
                last = str(exc)
            else:
                if status == 401:
                    return registry
                last = f"/v2/ answered {status}, not 401"
            time.sleep(0.05)
        else:
            last = f"no 401 from /v2/ within {timeout:.0f}s ({last})"
        log_text = registry.log_tail()
        registry._stop_process()  # the storage dir stays for the next attempt
        if "address already in use" not in log_text:
            break
    shutil.rmtree(root, ignore_errors=True)
    raise RegistryError(f"docker-registry did not start: {last}")


@contextlib.contextmanager
def running_registry(workdir: Path, **kwargs: object) -> Iterator[Registry]:
    registry = start_registry(workdir, **kwargs)  # type: ignore[arg-type]
    try:
        yield registry
    finally:
        registry.stop()
