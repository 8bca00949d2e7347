"""A BuildKit session: `POST /session` upgraded to HTTP/2, on which this client serves what
the daemon's builder calls back for.

    with docker.session.start() as session:            # images.build_image(…, buildkit=True) does this
        session.add_dir("context", "app")
        session.add_secret("token", b"…")
        for info in docker.images.build(version="2", session=session.id, remote="client-session"):
            ...                                         # decode_trace(info.aux) for the trace messages

Served: the build context and the Dockerfile's directory (`FileSync/DiffCopy`, see
`_filesync`), registry credentials (`Auth/Credentials`, resolved as `docker login` stored
them: config.json and credential helpers, see `_auth`), secrets (`Secrets/GetSecret`), SSH
agents (`SSH/ForwardAgent`, for `RUN --mount=type=ssh`) and the health check the daemon polls. The session runs on a connection of its own, served by
threads, for sync and async clients alike; closing it ends the build's access.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets as _secrets
import socket
import subprocess
import threading
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Self

from ._buildkit import auth_pb2, health_pb2, secrets_pb2, ssh_pb2
from ._config import ConnectionConfig
from ._errors import BuildKitUnavailableError, DockerConnectionError, InvalidRequestError, error_for_status
from ._filesync import serve_diffcopy
from ._grpc import Call, GrpcError, Handler, Server
from ._http11 import Body, End, Head, ResponseParser, encode_head
from ._transports import Dialer, stop_process

__all__ = ["BuildSession", "SecretSource"]

SecretSource = bytes | str | os.PathLike[str]
"""A secret's value: bytes, or a file to read it from (a `Path`, or a `str` path)."""

_NOT_FOUND = 5
_HEALTH = "/grpc.health.v1.Health/Check"
_DIFFCOPY = "/moby.filesync.v1.FileSync/DiffCopy"
_CREDENTIALS = "/moby.filesync.v1.Auth/Credentials"
_SECRET = "/moby.buildkit.secrets.v1.Secrets/GetSecret"
_SSH_CHECK = "/moby.sshforward.v1.SSH/CheckAgent"
_SSH_FORWARD = "/moby.sshforward.v1.SSH/ForwardAgent"


class BuildSession:
    """The session of one build; a context manager (closing ends it)."""

    def __init__(
        self,
        config: ConnectionConfig,
        prefix: str,
        *,
        context: Path | None = None,
        dockerfile_dir: Path | None = None,
        secrets: Mapping[str, SecretSource] | None = None,
        ssh: Mapping[str, str | os.PathLike[str]] | None = None,
        timeout: float | None = 60.0,
    ) -> None:
        self.id = _secrets.token_hex(16)
        self.name = context.name if context is not None and context.name else "session"
        # What BuildKit keys its cache of transferred contexts by: the same directory again
        # is sent as a diff of the last transfer.
        keyed = str(context.resolve()) if context is not None else self.id
        self.shared_key = hashlib.sha256(keyed.encode()).hexdigest()[:32]
        self._config = config
        self._prefix = prefix
        self._timeout = timeout
        self._dirs: dict[str, Path] = (
            {"context": context, "dockerfile": dockerfile_dir or context} if context is not None else {}
        )
        self._secrets = dict(secrets or {})
        self._agents = {name: Path(path) for name, path in (ssh or {}).items()}
        self.sent = [0]  # file bytes sent to the daemon
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._process: subprocess.Popen[bytes] | None = None

    def add_dir(self, name: str, path: str | os.PathLike[str]) -> None:
        """Let the build read the directory `path` as `name` (`context`, `dockerfile`, or a
        named context); `.dockerignore` patterns come from the daemon's request."""
        directory = Path(path)
        if not directory.is_dir():
            raise InvalidRequestError(f"BuildSession.add_dir({name!r}): {directory} is not a directory")
        self._dirs[name] = directory

    def add_secret(self, id: str, value: SecretSource) -> None:
        """Serve `value` (bytes, or a file path) for `RUN --mount=type=secret,id=<id>`."""
        self._secrets[id] = value

    def add_ssh(self, id: str, agent: str | os.PathLike[str]) -> None:
        """Forward the SSH agent listening on `agent` (a unix socket, as `$SSH_AUTH_SOCK`) for
        `RUN --mount=type=ssh,id=<id>` (the id `default` when the mount names none)."""
        self._agents[id] = Path(agent)

    def handlers(self) -> dict[str, Handler]:
        return {
            _HEALTH: self._health,
            _DIFFCOPY: lambda call: serve_diffcopy(call, self._dirs, self.sent),
            _CREDENTIALS: self._credentials,
            _SECRET: self._secret,
            _SSH_CHECK: self._ssh_check,
            _SSH_FORWARD: self._ssh_forward,
        }

    def start(self) -> None:
        """Connect and upgrade; from then on the daemon may call in."""
        if self._server is not None:
            raise InvalidRequestError(f"session {self.id} is started already")
        dialer = Dialer(self._config)
        sock, self._process = dialer.connect(self._timeout)
        try:
            headers = [
                ("Upgrade", "h2c"),
                ("Connection", "Upgrade"),
                ("X-Docker-Expose-Session-Uuid", self.id),
                ("X-Docker-Expose-Session-Name", self.name),
                ("X-Docker-Expose-Session-Sharedkey", self.shared_key),
            ]
            headers += [("X-Docker-Expose-Session-Grpc-Method", method) for method in self.handlers()]
            sock.sendall(encode_head("POST", self._prefix + "/session", dialer.authority, headers, 0))
            leftover = _read_upgrade(sock, self._config.host)
            sock.settimeout(None)
        except BaseException:
            sock.close()
            self._stop_process()
            raise
        self._server = Server(sock, self.handlers())
        self._thread = threading.Thread(
            target=self._server.serve, args=(leftover,), name="buildkit session", daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None
        self._stop_process()

    def _stop_process(self) -> None:
        if self._process is not None:
            stop_process(self._process)
            self._process = None

    def __enter__(self) -> Self:
        if self._server is None:  # `session.start()` gives one started already
            self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- services -------------------------------------------------------------------

    @staticmethod
    def _health(call: Call) -> None:
        call.recv()
        call.send(health_pb2.HealthCheckResponse(status=health_pb2.HealthCheckResponse.SERVING).SerializeToString())

    @staticmethod
    def _credentials(call: Call) -> None:
        from ._auth import resolve_auth  # noqa: PLC0415 - only when the build pulls from a registry

        data = call.recv()
        request = auth_pb2.CredentialsRequest.FromString(data or b"")
        auth = resolve_auth(request.Host)
        response = auth_pb2.CredentialsResponse()
        if auth is not None:
            if auth.identitytoken:
                response.Secret = auth.identitytoken
            else:
                response.Username, response.Secret = auth.username, auth.password
        call.send(response.SerializeToString())

    def _agent(self, id: str) -> Path:
        path = self._agents.get(id)
        if path is None:
            raise GrpcError(_NOT_FOUND, f"no SSH agent for id {id!r} in this session (BuildSession(ssh=…))")
        return path

    def _ssh_check(self, call: Call) -> None:
        request = ssh_pb2.CheckAgentRequest.FromString(call.recv() or b"")
        path = self._agent(request.ID or "default")
        with socket.socket(socket.AF_UNIX) as agent:
            try:
                agent.connect(str(path))
            except OSError as exc:
                raise GrpcError(_NOT_FOUND, f"the SSH agent at {path} does not answer: {exc.strerror}") from exc
        call.send(ssh_pb2.CheckAgentResponse().SerializeToString())

    def _ssh_forward(self, call: Call) -> None:
        """Bytes both ways between the build's socket and the agent, until both ends close."""
        path = self._agent(_agent_id(call))
        with socket.socket(socket.AF_UNIX) as agent:
            agent.connect(str(path))
            writer = threading.Thread(target=_copy_to_agent, args=(call, agent), name="ssh agent", daemon=True)
            writer.start()
            with contextlib.suppress(OSError):
                while data := agent.recv(32 * 1024):
                    call.send(ssh_pb2.BytesMessage(data=data).SerializeToString())
            writer.join(10)

    def _secret(self, call: Call) -> None:
        request = secrets_pb2.GetSecretRequest.FromString(call.recv() or b"")
        source = self._secrets.get(request.ID)
        if source is None:
            raise GrpcError(_NOT_FOUND, f"secret {request.ID} not found")
        data = source if isinstance(source, bytes) else Path(source).read_bytes()
        call.send(secrets_pb2.GetSecretResponse(data=data).SerializeToString())


def _agent_id(call: Call) -> str:
    return (call.metadata.get("buildkit.ssh.id") or ["default"])[0] or "default"


def _copy_to_agent(call: Call, agent: socket.socket) -> None:
    try:
        while (data := call.recv()) is not None:
            message = ssh_pb2.BytesMessage.FromString(data)
            agent.sendall(message.data)
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            agent.shutdown(socket.SHUT_WR)


def _read_upgrade(sock: socket.socket, host: str) -> bytes:
    """Read the answer to the upgrade: 101 gives what came after it; anything else raises."""
    parser = ResponseParser("POST", True)
    head: Head | None = None
    body = b""
    while True:
        data = sock.recv(65536)
        if not data:
            raise DockerConnectionError(f"{host} closed the connection before answering POST /session", target=host)
        for event in parser.feed(data):
            if isinstance(event, Head):
                head = event
                if head.status == 101:
                    return parser.leftover()
            elif isinstance(event, Body):
                body += event.data
            elif isinstance(event, End):
                assert head is not None
                answer = error_for_status(head.status, body, method="POST", path="/session")
                raise BuildKitUnavailableError(
                    f"{host} offers no BuildKit session: POST /session answered {head.status}"
                    f" ({answer.message or head.reason.decode('latin-1')}); it is not a Docker Engine with BuildKit (podman's"
                    ' Docker API has none). Build with buildkit=False, or buildkit="auto" to fall back'
                ) from answer
