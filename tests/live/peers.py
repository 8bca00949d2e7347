"""Real peers for the connection tests: a throwaway CA with server/client
certificates (openssl), an sshd on 127.0.0.1 whose key runs
`docker system dial-stdio` against a private daemon, and Podman's
Docker-compatible API service."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from .daemons import _all_pids, _mount_points_under, _proc_cmdline, free_tcp_port


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_certs(directory: Path, *, name: str = "ca") -> Path:
    """ca.pem, server-cert.pem/server-key.pem (for 127.0.0.1/localhost), cert.pem/key.pem (client)."""
    d = directory
    d.mkdir(parents=True, exist_ok=True)
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={name}",
             "-keyout", "ca-key.pem", "-out", "ca.pem", cwd=d)  # fmt: skip
    (d / "server.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
    (d / "client.ext").write_text("extendedKeyUsage=clientAuth\n")
    for role in ("server", "client"):
        _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={role}",
                 "-keyout", f"{role}-key.pem", "-out", f"{role}.csr", cwd=d)  # fmt: skip
        _openssl("x509", "-req", "-in", f"{role}.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial",
                 "-days", "2", "-extfile", f"{role}.ext", "-out", f"{role}-cert.pem", cwd=d)  # fmt: skip
    shutil.copy(d / "client-cert.pem", d / "cert.pem")
    shutil.copy(d / "client-key.pem", d / "key.pem")
    return d


@dataclass
class SSHPeer:
    port: int
    process: subprocess.Popen[bytes]
    bin_dir: Path  # put first on PATH: its `ssh` uses the test's key and config
    log: Path  # one line per ssh process started
    stderr: IO[bytes]

    @property
    def host(self) -> str:
        return f"ssh://root@127.0.0.1:{self.port}"

    def ssh_starts(self) -> int:
        return len(self.log.read_text().splitlines()) if self.log.exists() else 0

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.stderr.close()


def start_sshd(directory: Path, remote_command: str) -> SSHPeer:
    """sshd on a free port; the test key may only run `remote_command` (with the original command ignored)."""
    directory.mkdir(parents=True, exist_ok=True)
    for key in ("host_key", "client_key"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(directory / key)], check=True)
    public = (directory / "client_key.pub").read_text().strip()
    (directory / "authorized_keys").write_text(f'command="{remote_command}",no-pty {public}\n')
    os.chmod(directory / "authorized_keys", 0o600)
    port = free_tcp_port()
    config = directory / "sshd_config"
    config.write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {directory / 'host_key'}\n"
        f"AuthorizedKeysFile {directory / 'authorized_keys'}\nPasswordAuthentication no\n"
        f"PermitRootLogin prohibit-password\nStrictModes no\nUsePAM no\nPidFile {directory / 'sshd.pid'}\n"
    )
    Path("/run/sshd").mkdir(exist_ok=True)
    stderr = (directory / "sshd.log").open("wb")
    process = subprocess.Popen([shutil.which("sshd") or "/usr/sbin/sshd", "-D", "-e", "-f", str(config)], stderr=stderr)
    known = directory / "known_hosts"
    host_public = (directory / "host_key.pub").read_text().split()
    known.write_text(f"[127.0.0.1]:{port} {host_public[0]} {host_public[1]}\n")
    client_config = directory / "ssh_config"
    client_config.write_text(
        f"Host 127.0.0.1\n  IdentityFile {directory / 'client_key'}\n  UserKnownHostsFile {known}\n"
        "  StrictHostKeyChecking yes\n  IdentitiesOnly yes\n"
    )
    # A user's ~/.ssh/config, in effect: the SDK runs `ssh` from PATH.
    bin_dir = directory / "bin"
    bin_dir.mkdir()
    log = directory / "ssh-starts.log"
    wrapper = bin_dir / "ssh"
    wrapper.write_text(f'#!/bin/sh\necho "$$ $*" >> {log}\nexec /usr/bin/ssh -F {client_config} "$@"\n')
    wrapper.chmod(0o755)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        probe = subprocess.run(["ssh-keyscan", "-p", str(port), "127.0.0.1"], capture_output=True)
        if probe.returncode == 0 and probe.stdout:
            break
        time.sleep(0.1)
    else:
        process.kill()
        process.wait()
        stderr.close()
        raise RuntimeError(f"sshd did not start: {(directory / 'sshd.log').read_text()[-2000:]}")
    return SSHPeer(port, process, bin_dir, log, stderr)


@dataclass
class PodmanPeer:
    directory: Path
    process: subprocess.Popen[bytes]
    log: IO[bytes]

    @property
    def socket_path(self) -> str:
        return str(self.directory / "podman.sock")

    @property
    def host(self) -> str:
        return f"unix://{self.socket_path}"

    def podman(self, *args: str) -> subprocess.CompletedProcess[str]:
        """The podman CLI on this service's storage."""
        return subprocess.run(
            ["podman", *podman_flags(self.directory), *args], capture_output=True, text=True, timeout=120
        )

    def stop(self) -> None:
        self.podman("rm", "--all", "--force")
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        # conmon of a finished exec lingers (its --exit-delay is 300 s): stop what still names our dir.
        for pid in _all_pids():
            if pid != os.getpid() and str(self.directory) in _proc_cmdline(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        for point in _mount_points_under([self.directory]):
            subprocess.run(["umount", "-l", point], check=False, capture_output=True)


def podman_flags(directory: Path) -> list[str]:
    # Private storage and state: nothing of the machine's own podman is touched.
    return [
        "--root", str(directory / "root"),
        "--runroot", str(directory / "run"),
        "--tmpdir", str(directory / "tmp"),
        "--storage-driver", "vfs",
        "--cgroup-manager", "cgroupfs",
        "--events-backend", "file",
    ]  # fmt: skip


def start_podman(directory: Path, insecure_registries: Sequence[str] = ()) -> PodmanPeer:
    """`podman system service` on a unix socket in `directory`; `insecure_registries` (host:port)
    are reached over plain HTTP (a registries.conf of its own)."""
    directory.mkdir(parents=True, exist_ok=True)
    socket_path = directory / "podman.sock"
    log = (directory / "podman.log").open("wb")
    env = dict(os.environ)
    if insecure_registries:
        conf = directory / "registries.conf"
        conf.write_text("".join(f'[[registry]]\nlocation = "{r}"\ninsecure = true\n\n' for r in insecure_registries))
        env["CONTAINERS_REGISTRIES_CONF"] = str(conf)
    process = subprocess.Popen(
        ["podman", *podman_flags(directory), "system", "service", "--time=0", f"unix://{socket_path}"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    peer = PodmanPeer(directory, process, log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        if socket_path.exists():
            return peer
        time.sleep(0.1)
    peer.stop()
    raise RuntimeError(f"podman system service did not start: {(directory / 'podman.log').read_text()[-2000:]}")
