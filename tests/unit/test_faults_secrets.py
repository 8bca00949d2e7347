"""Secrets and configuration errors, tried as a careless or hostile user would:
passwords in the host address, a credential helper that echoes its secret, DEBUG
logging of everything, bad addresses and bad TLS files. No secret may reach a
repr, a message, an error attribute or a log record; every bad setting is a
`ConfigError` that says what is wrong and where it came from."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import os
import ssl
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import docker_engine
import httpx
import pytest
from docker_engine._auth import AuthConfig, decode_auth_header
from docker_engine._config import ConfigError, TLSConfig, from_env
from docker_engine._errors import DockerConnectionError, DockerError
from docker_engine._redact import (
    RedactingFilter,
    install_log_filter,
    redact_host,
    redact_text,
    redact_url,
)
from docker_engine.v1_41 import AsyncDocker, Docker

from .fake_server import Peer, Server

URL_PASSWORD = "url-pa55word"
REGISTRY_PASSWORD = "registry-pa55word"
IDENTITY_TOKEN = "identity-t0ken"
BUILD_SECRET = "build-arg-s3cret"
FILE_SECRET = "file-s3cret"
HELPER_SECRET = "helper-s3cret"
GIT_TOKEN = "ghp-git-t0ken"
SECRETS = (URL_PASSWORD, REGISTRY_PASSWORD, IDENTITY_TOKEN, BUILD_SECRET, FILE_SECRET, HELPER_SECRET, GIT_TOKEN)

# Self-signed EC certificates made for these tests (openssl req -x509 -newkey ec), good until 2126.
CERT_A = """-----BEGIN CERTIFICATE-----
MIIBeTCCAR+gAwIBAgIUUbnRIiRutCunBGwd/2bN/9WNvVYwCgYIKoZIzj0EAwIw
ETEPMA0GA1UEAwwGdGVzdC1hMCAXDTI2MTIwMjEzNDgxOVoYDzIxMjYxMTA4MTM0
ODE5WjARMQ8wDQYDVQQDDAZ0ZXN0LWEwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNC
AARGmNVfiZoEC8boGaU/+D7euCNSsAuUj02bZVKRbGOttJHDStcsBiHa9m7fLWUa
amaBa0HGT93j7fq7OOBQ/Ix3o1MwUTAdBgNVHQ4EFgQU0bDPxTMvmxF8gBlstuqG
MVGq9xUwHwYDVR0jBBgwFoAU0bDPxTMvmxF8gBlstuqGMVGq9xUwDwYDVR0TAQH/
BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiEA6sWZNE3LBv3kO53PX3X0ynXBIZKN
LqsSeL4ZNsfaeu0CIENP5YE7/q69SenoqNyHQP2heLtMLn4npeoa+/DNYYwq
-----END CERTIFICATE-----
"""
KEY_A = """-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgsWQKFAgTIBu2xgxZ
AH6qo1S4oeqQ0xJ7NBUq9NC/0vihRANCAARGmNVfiZoEC8boGaU/+D7euCNSsAuU
j02bZVKRbGOttJHDStcsBiHa9m7fLWUaamaBa0HGT93j7fq7OOBQ/Ix3
-----END PRIVATE KEY-----
"""
KEY_B = """-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQggcKB4tWyjWwrWPVl
hp6OGbdkXaulvZrAYtYqGlTEBY+hRANCAAT08AhHcnJAohytekPkbx9Cud8ZcIBl
84p4PphQUQyuUrUl9cWMf3D9p9Fn7l6zDHduHO/ZYr/SseHcczTE9nni
-----END PRIVATE KEY-----
"""
# KEY_A encrypted with the passphrase "x".
KEY_A_ENCRYPTED = """-----BEGIN ENCRYPTED PRIVATE KEY-----
MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAhpEoqdmDoUCAICCAAw
DAYIKoZIhvcNAgkFADAdBglghkgBZQMEAQIEEBrD8SkzaoqU8Y2u1/nXN2QEgZBK
CLY2vY3pO40ED3C3oad8uBSYpgPk6XWq2uIsK71smKvEWTIX6PqoKs9eQ07Q2qnL
Yow0hzimHm/aM8DLHnWeMOoifsVAi1VJ409vREZEMQYJKXyrQ1UUKxk8k2IumFOZ
C3ZgBLom/mx2bYO68FBpjs8w45Rhs4azhwzeIJc5BFcUo/HSX1YW1ai2c/No4gA=
-----END ENCRYPTED PRIVATE KEY-----
"""

# A credential helper that fails with its secret on stderr, as a careless one does.
LEAKY_HELPER = f"""#!{sys.executable}
import sys
request = sys.stdin.read()
print("cannot unlock the keychain for " + request + " with {HELPER_SECRET}", file=sys.stderr)
sys.exit(4)
"""


@pytest.fixture(autouse=True)
def _hermetic(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No real ~/.docker, DOCKER_* setting or credential helper; returns the docker config dir."""
    for name in ("DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_TLS", "DOCKER_CERT_PATH", "DOCKER_CONTEXT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("DOCKER_API_VERSION", raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    config = tmp_path / "docker-config"
    config.mkdir()
    monkeypatch.setenv("DOCKER_CONFIG", str(config))
    return config


def assert_no_secret(*texts: object) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in str(text), f"{secret!r} leaked into {text!r}"
            assert secret not in repr(text), f"{secret!r} leaked into {text!r}"


def assert_error_hides_secret(error: BaseException) -> None:
    """Neither the message, the args, the attributes nor a chained cause holds a secret."""
    assert_no_secret(error, error.args, vars(error), error.__cause__, error.__context__)


# --------------------------------------------------------------------------
# The redaction function
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "shown"),
    [
        ("tcp://user:pw@host:2375", "tcp://user:***@host:2375"),
        ("ssh://me:pw@box", "ssh://me:***@box"),
        ("https://:pw@h:2376", "https://:***@h:2376"),
        # A careless password with `@` or `/` in it is hidden whole.
        ("ssh://me:p@ss/w@box:22", "ssh://me:***@box:22"),
        ("tcp://user:@host", "tcp://user:***@host"),
        # Nothing to hide: unchanged.
        ("ssh://me@box", "ssh://me@box"),
        ("tcp://10.0.0.1:2375", "tcp://10.0.0.1:2375"),
        ("unix:///var/run/docker.sock", "unix:///var/run/docker.sock"),
        ("unix:///odd:name@x.sock", "unix:///odd:name@x.sock"),
        ("garbage", "garbage"),
    ],
)
def test_redact_host(host: str, shown: str) -> None:
    assert redact_host(host) == shown


def test_redact_text_hides_every_address_in_a_message() -> None:
    text = f"cannot connect to tcp://u:{URL_PASSWORD}@a:1: refused (via 'ssh://v:{URL_PASSWORD}@b')"
    assert redact_text(text) == "cannot connect to tcp://u:***@a:1: refused (via 'ssh://v:***@b')"


def test_redact_url_masks_build_args_and_userinfo() -> None:
    url = httpx.URL(
        f"http://u:{URL_PASSWORD}@docker/v1.41/build",
        params={
            "t": "app:1",
            "buildargs": json.dumps({"TOKEN": BUILD_SECRET, "MODE": "x"}),
            "remote": f"https://{GIT_TOKEN}@github.com/o/r.git",
        },
    )
    shown = redact_url(str(url))
    assert_no_secret(shown)
    assert shown.startswith("http://docker/v1.41/build?")
    query = parse_qs(urlsplit(shown).query)
    assert query["t"] == ["app:1"]
    # The build args' names stay (they help debugging), their values do not.
    assert json.loads(query["buildargs"][0]) == {"TOKEN": "***", "MODE": "***"}
    assert query["remote"] == ["https://***@github.com/o/r.git"]
    assert redact_url("http://docker/v1.41/build?buildargs=not-json") == "http://docker/v1.41/build?buildargs=***"
    assert redact_url("http://[::1/x") == "<URL withheld>"


def test_log_filter_rewrites_httpx_records() -> None:
    url = httpx.URL("http://docker/v1.41/build", params={"buildargs": json.dumps({"K": BUILD_SECRET})})
    record = logging.LogRecord(
        "httpx", logging.INFO, __file__, 1, 'HTTP Request: %s %s "%s %d %s"', ("POST", url, "HTTP/1.1", 200, "OK"), None
    )
    assert RedactingFilter().filter(record) is True  # rewritten, never dropped
    message = record.getMessage()
    assert_no_secret(message)
    assert message == 'HTTP Request: POST http://docker/v1.41/build?buildargs={"K":"***"} "HTTP/1.1 200 OK"'
    # Other arguments pass untouched; a free text with an address loses its userinfo.
    record = logging.LogRecord(
        "httpx", logging.INFO, __file__, 1, "%s %d %s", (f"see https://{GIT_TOKEN}@h/x now", 3, None), None
    )
    RedactingFilter().filter(record)
    assert record.getMessage() == "see https://***@h/x now 3 None"


def test_log_filter_is_on_the_httpx_logger_once() -> None:
    install_log_filter()
    install_log_filter()
    filters = [f for f in logging.getLogger("httpx").filters if isinstance(f, RedactingFilter)]
    assert len(filters) == 1


# --------------------------------------------------------------------------
# A password in the address: refused, for every scheme and entry point
# --------------------------------------------------------------------------

PASSWORD_HOSTS = [
    (f"tcp://user:{URL_PASSWORD}@docker.example.com:2375", "tcp://user:***@docker.example.com:2375", "TLS client"),
    (f"https://user:{URL_PASSWORD}@docker.example.com:2376", "https://user:***@docker.example.com:2376", "TLS client"),
    (f"http://:{URL_PASSWORD}@docker.example.com", "http://:***@docker.example.com", "TLS client"),
    (f"ssh://user:{URL_PASSWORD}@docker.example.com", "ssh://user:***@docker.example.com", "ssh key"),
    (f"ssh://user:x@{URL_PASSWORD}@docker.example.com:22", "ssh://user:***@docker.example.com:22", "ssh key"),
]


@pytest.mark.parametrize(("host", "shown", "hint"), PASSWORD_HOSTS)
def test_password_in_base_url_is_refused(host: str, shown: str, hint: str) -> None:
    makers: list[Callable[[], object]] = [
        lambda: Docker(host, transport=httpx.MockTransport(lambda request: httpx.Response(200))),
        lambda: AsyncDocker(host, transport=httpx.MockTransport(lambda request: httpx.Response(200))),
        lambda: docker_engine.Docker(host),
        lambda: docker_engine.AsyncDocker(host),
    ]
    for make in makers:
        with pytest.raises(ConfigError) as info:
            make()
        text = str(info.value)
        assert f"base_url={shown!r}" in text
        assert "password" in text and hint in text
        assert isinstance(info.value, DockerError)
        assert_error_hides_secret(info.value)


@pytest.mark.parametrize(("host", "shown", "hint"), PASSWORD_HOSTS[:1] + PASSWORD_HOSTS[3:4])
def test_password_in_docker_host_or_a_context_is_refused(
    host: str, shown: str, hint: str, _hermetic: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKER_HOST", host)
    for make in (Docker.from_env, AsyncDocker.from_env, docker_engine.Docker.from_env):
        with pytest.raises(ConfigError, match="password") as info:
            make()
        assert f"DOCKER_HOST={shown!r}" in str(info.value)
        assert_error_hides_secret(info.value)
    monkeypatch.delenv("DOCKER_HOST")
    digest = hashlib.sha256(b"leaky").hexdigest()
    meta = _hermetic / "contexts" / "meta" / digest / "meta.json"
    meta.parent.mkdir(parents=True)
    meta.write_text(json.dumps({"Name": "leaky", "Endpoints": {"docker": {"Host": host}}}))
    with pytest.raises(ConfigError, match="password") as info:
        Docker.from_context("leaky")
    assert f"{shown!r} (docker context leaky)" in str(info.value)
    assert_error_hides_secret(info.value)


@pytest.mark.parametrize("host", ["tcp://user@docker.example.com:2375", "https://user@docker.example.com"])
def test_user_name_in_a_tcp_address_is_refused(host: str) -> None:
    # httpx would turn it into Basic auth on some requests only: refused instead.
    with pytest.raises(ConfigError, match=r"user name in a .* address is refused") as info:
        from_env(host, environ={})
    assert "TLS client certificates" in str(info.value)


def test_ssh_user_without_password_is_fine_and_shown() -> None:
    docker = Docker("ssh://deploy@docker.example.com:2222")
    assert docker.base_url == "ssh://deploy@docker.example.com:2222"
    assert repr(docker) == "Docker('ssh://deploy@docker.example.com:2222', api_version='1.41')"
    docker.close()


def test_connection_error_hides_a_password_in_target_and_message() -> None:
    # Defence in depth: whatever address reaches a DockerConnectionError, its password does not.
    err = DockerConnectionError(
        f"cannot connect to the Docker daemon at tcp://u:{URL_PASSWORD}@h:2375: refused",
        target=f"tcp://u:{URL_PASSWORD}@h:2375",
    )
    assert err.target == "tcp://u:***@h:2375"
    assert str(err) == "cannot connect to the Docker daemon at tcp://u:***@h:2375: refused"
    assert_error_hides_secret(err)


# --------------------------------------------------------------------------
# No secret in any log record, at any level
# --------------------------------------------------------------------------


@pytest.fixture
def leaky_helper(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, _hermetic: Path) -> Path:
    """A docker config with a file secret in `auths` and a helper that fails loudly."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    helper = bin_dir / "docker-credential-leaky"
    helper.write_text(LEAKY_HELPER)
    helper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    basic = base64.b64encode(f"fileuser:{FILE_SECRET}".encode()).decode()
    (_hermetic / "config.json").write_text(
        json.dumps({"auths": {"files.example.com": {"auth": basic}}, "credHelpers": {"leaky.example.com": "leaky"}})
    )
    return helper


class Recorder:
    """The daemon for MockTransport: answers like Docker and keeps what it was sent."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path.endswith("/auth"):
            return httpx.Response(200, json={"Status": "Login Succeeded", "IdentityToken": ""})
        return httpx.Response(200, content=b'{"status":"done"}\n', headers={"Content-Type": "application/json"})

    def sent(self) -> str:
        """Everything that went out: URLs, headers (decoded) and bodies."""
        parts: list[str] = []
        for request in self.requests:
            parts.append(str(request.url))
            for name, value in request.headers.items():
                parts.append(f"{name}: {value}")
                if name.lower() == "x-registry-auth":
                    parts.append(repr(decode_auth_header(value).to_dict()))
                if name.lower() == "x-registry-config":
                    parts.append(base64.urlsafe_b64decode(value).decode())
            parts.append(request.content.decode("utf-8", "replace"))
        return "\n".join(parts)


def use_secrets(docker: Any) -> None:
    """Registry auth (password, identity token), a login body, build args and a git remote with a token."""
    password = AuthConfig(username="me", password=REGISTRY_PASSWORD)
    token = AuthConfig(identitytoken=IDENTITY_TOKEN)
    list(docker.images.create(from_image="registry.example.com/app", tag="1", auth=password))
    list(docker.images.push("registry.example.com/app", auth=token))
    docker.system.auth(body={"username": "me", "password": REGISTRY_PASSWORD, "serveraddress": "registry.example.com"})
    list(
        docker.images.build(
            body=b"not a real tar",
            t="app:1",
            buildargs={"TOKEN": BUILD_SECRET},
            remote=f"https://{GIT_TOKEN}@github.com/o/r.git",
        )
    )


async def use_secrets_async(docker: Any) -> None:
    password = AuthConfig(username="me", password=REGISTRY_PASSWORD)
    [item async for item in await docker.images.create(from_image="registry.example.com/app", auth=password)]
    [item async for item in await docker.images.build(body=b"tar", buildargs={"TOKEN": BUILD_SECRET})]


def try_password_urls() -> list[ConfigError]:
    errors = []
    for host in (f"tcp://user:{URL_PASSWORD}@h:2375", f"ssh://user:{URL_PASSWORD}@h"):
        try:
            Docker(host, transport=httpx.MockTransport(Recorder().handle))
        except ConfigError as exc:
            logging.getLogger("test").exception("refused as it should be")
            errors.append(exc)
    return errors


def assert_logs_clean(caplog: pytest.LogCaptureFixture) -> None:
    assert_no_secret(caplog.text)
    for record in caplog.records:
        assert_no_secret(record.getMessage(), record.args)


def test_no_secret_in_any_log_record_at_debug(caplog: pytest.LogCaptureFixture, leaky_helper: Path) -> None:
    caplog.set_level(logging.DEBUG)  # the root logger: every logger, every level
    recorder = Recorder()
    with Docker("tcp://docker.example.com:2375", transport=httpx.MockTransport(recorder.handle)) as docker:
        use_secrets(docker)
    assert len(try_password_urls()) == 2

    # The secrets did go out where they belong (else this test would prove nothing) ...
    sent = recorder.sent()
    for secret in (REGISTRY_PASSWORD, IDENTITY_TOKEN, BUILD_SECRET, GIT_TOKEN, FILE_SECRET):
        assert secret in sent
    # ... the failing helper was asked, each request has its DEBUG record on docker_engine.http
    # (httpx's INFO line is left out for the SDK's own requests), and the logs hold no secret.
    assert "docker-credential-leaky" in caplog.text
    ours = [r.getMessage() for r in caplog.records if r.name == "docker_engine.http"]
    assert len(ours) == len(recorder.requests) == 4
    assert not [r for r in caplog.records if r.name == "httpx"]
    assert "refused as it should be" in caplog.text  # the ConfigError, traceback and all
    assert_logs_clean(caplog)


def test_no_secret_in_any_log_record_async(caplog: pytest.LogCaptureFixture, leaky_helper: Path) -> None:
    caplog.set_level(logging.DEBUG)
    recorder = Recorder()

    async def main() -> None:
        async with AsyncDocker("tcp://docker.example.com:2375", transport=httpx.MockTransport(recorder.handle)) as d:
            await use_secrets_async(d)

    asyncio.run(main())
    assert REGISTRY_PASSWORD in recorder.sent() and BUILD_SECRET in recorder.sent()
    assert any(r.name == "docker_engine.http" and "/build" in r.getMessage() for r in caplog.records)
    assert not [r for r in caplog.records if r.name == "httpx"]
    assert_logs_clean(caplog)


def test_no_secret_in_logs_over_a_real_socket(
    caplog: pytest.LogCaptureFixture, serve: Callable[[Callable[[Peer, int], None]], Server]
) -> None:
    # Our own transport (no MockTransport): streams still go through httpx.Client, which logs.
    def handler(peer: Peer, index: int) -> None:
        while peer.request() is not None:
            peer.answer_json({"stream": "ok"})

    server = serve(handler)
    caplog.set_level(logging.DEBUG)
    with Docker(server.url, timeout=5) as docker:
        assert list(docker.images.build(body=b"tar", buildargs={"TOKEN": BUILD_SECRET}))
        list(docker.images.create(from_image="r.example.com/a", auth=AuthConfig(username="u", password=FILE_SECRET)))
    assert any(BUILD_SECRET in target for _, target in server.seen)
    streamed = [r.getMessage() for r in caplog.records if r.name == "docker_engine.http"]
    assert [m.split(" in ")[0].split("/", 2)[2] for m in streamed] == ["build -> 200", "images/create -> 200"]
    assert not [r for r in caplog.records if r.name == "httpx"]
    assert_logs_clean(caplog)


def test_httpx_lines_of_other_clients_are_kept_and_redacted(
    caplog: pytest.LogCaptureFixture, serve: Callable[[Callable[[Peer, int], None]], Server]
) -> None:
    """Only the SDK's own requests lose httpx's INFO line: a user's httpx client keeps it."""

    def handler(peer: Peer, index: int) -> None:
        while peer.request() is not None:
            peer.answer_json({"ok": True})

    server = serve(handler)
    caplog.set_level(logging.INFO)
    with Docker(server.url, timeout=5) as docker:
        list(docker.images.build(body=b"tar", buildargs={"TOKEN": BUILD_SECRET}))
    with httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(200))) as own:
        own.get(f"https://user:{GIT_TOKEN}@example.com/x?buildargs=%7B%22T%22%3A%221%22%7D")
    lines = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert len(lines) == 1 and lines[0].startswith('HTTP Request: GET https://example.com/x?buildargs={"T":"***"}')
    assert not [r for r in caplog.records if r.name.startswith("docker_engine")]  # DEBUG only
    assert_logs_clean(caplog)


# --------------------------------------------------------------------------
# Bad addresses: ConfigError naming what and where
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "message"),
    [
        ("tcp://docker.example.com:abc", "port is not a number"),
        ("tcp://docker.example.com:99999", "port is not a number"),
        ("tcp://docker.example.com:0", "port is not a number"),
        ("ssh://me@docker.example.com:22x", "port is not a number"),
        ("tcp://[::1:2375", "not a valid address"),
        ("tcp://", "no host name"),
        ("ssh://", "needs a host"),
        ("unix://", "needs a socket path"),
        ("foo://docker.example.com", "unsupported Docker host"),
        ("docker.example.com:2375", "unsupported Docker host"),
    ],
)
def test_bad_base_url_is_a_config_error(host: str, message: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Not a bare ValueError from urlsplit: a ConfigError saying what and where.
    with pytest.raises(ConfigError, match=message) as info:
        Docker(host, transport=httpx.MockTransport(Recorder().handle))
    assert type(info.value) is ConfigError
    assert f"base_url={host!r}" in str(info.value)
    monkeypatch.setenv("DOCKER_HOST", host)
    with pytest.raises(ConfigError, match=message) as info:
        docker_engine.Docker.from_env()
    assert f"DOCKER_HOST={host!r}" in str(info.value)


# --------------------------------------------------------------------------
# TLS files: ConfigError naming the file and where it came from
# --------------------------------------------------------------------------


def cert_dir(path: Path, **files: str) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (path / f"{name}.pem").write_text(text)
    return path


def tls_from_env(cert_path: Path) -> TLSConfig:
    config = from_env(
        "tcp://docker.example.com:2376",
        environ={"DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": str(cert_path)},
    )
    assert config.tls is not None
    return config.tls


def test_good_tls_files_load(tmp_path: Path) -> None:
    tls = tls_from_env(cert_dir(tmp_path / "certs", ca=CERT_A, cert=CERT_A, key=KEY_A))
    context = tls.load()
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert TLSConfig(verify=False).load().verify_mode == ssl.CERT_NONE
    # A client certificate without verifying the daemon (DOCKER_TLS without DOCKER_TLS_VERIFY).
    unverified = TLSConfig(client_cert=tls.client_cert, client_key=tls.client_key, verify=False).load()
    assert unverified.check_hostname is False and unverified.verify_mode == ssl.CERT_NONE


def test_key_not_matching_its_certificate(tmp_path: Path) -> None:
    certs = cert_dir(tmp_path / "certs", ca=CERT_A, cert=CERT_A, key=KEY_B)
    with pytest.raises(ConfigError) as info:
        tls_from_env(certs).load()
    text = str(info.value)
    assert f"client key {certs / 'key.pem'}" in text and "does not match" in text
    assert f"client certificate {certs / 'cert.pem'}" in text
    assert f"DOCKER_CERT_PATH={certs}" in text
    assert info.value.__cause__ is None  # not an ssl.SSLError to decipher


@pytest.mark.parametrize(
    ("option", "field"),
    [("ca_cert", "CA certificate"), ("client_cert", "client certificate"), ("client_key", "client key")],
)
def test_missing_tls_file_names_the_file_and_the_option(tmp_path: Path, option: str, field: str) -> None:
    certs = cert_dir(tmp_path / "certs", ca=CERT_A, cert=CERT_A, key=KEY_A)
    paths = {
        "ca_cert": str(certs / "ca.pem"),
        "client_cert": str(certs / "cert.pem"),
        "client_key": str(certs / "key.pem"),
    }
    paths[option] = str(tmp_path / "gone.pem")
    with pytest.raises(ConfigError) as info:
        TLSConfig(**paths).load()
    assert str(info.value) == f"the TLS {field} {tmp_path / 'gone.pem'} (TLSConfig.{option}) does not exist"


def test_docker_cert_path_problems_name_docker_cert_path(tmp_path: Path) -> None:
    environ = {"DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": str(tmp_path / "nowhere")}
    with pytest.raises(ConfigError, match="does not exist") as info:
        from_env("tcp://h:2376", environ=environ)
    assert f"DOCKER_CERT_PATH={tmp_path / 'nowhere'}" in str(info.value)

    half = cert_dir(tmp_path / "half", ca=CERT_A, cert=CERT_A)
    with pytest.raises(ConfigError, match=r"has cert\.pem but no key\.pem") as info:
        from_env("tcp://h:2376", environ={"DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": str(half)})
    assert f"DOCKER_CERT_PATH={half}" in str(info.value)

    no_ca = cert_dir(tmp_path / "no-ca", cert=CERT_A, key=KEY_A)
    with pytest.raises(ConfigError, match=r"ca\.pem is missing") as info:
        from_env("tcp://h:2376", environ={"DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": str(no_ca)})
    assert f"DOCKER_CERT_PATH={no_ca}" in str(info.value)


def test_unset_docker_cert_path_says_which_default_was_used(_hermetic: Path) -> None:
    with pytest.raises(ConfigError, match=r"ca\.pem is missing") as info:
        from_env("tcp://h:2376", environ={"DOCKER_TLS_VERIFY": "1"})
    assert f"DOCKER_CERT_PATH unset, default {_hermetic}" in str(info.value)


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"ca": "not a certificate\n", "cert": CERT_A, "key": KEY_A}, r"CA certificate .*ca\.pem .* holds no PEM"),
        ({"ca": CERT_A, "cert": KEY_A, "key": KEY_A}, r"client certificate .*cert\.pem .* holds no PEM certificate"),
        ({"ca": CERT_A, "cert": CERT_A, "key": CERT_A}, r"client key .*key\.pem .* holds no PEM private key"),
        ({"ca": CERT_A, "cert": CERT_A, "key": KEY_A_ENCRYPTED}, r"client key .*key\.pem .* is encrypted"),
    ],
)
def test_unusable_tls_files(tmp_path: Path, files: dict[str, str], message: str) -> None:
    # An encrypted key is refused before OpenSSL could prompt on the terminal for its passphrase.
    with pytest.raises(ConfigError, match=message) as info:
        tls_from_env(cert_dir(tmp_path / "certs", **files)).load()
    assert "DOCKER_CERT_PATH=" in str(info.value)


def test_tls_directory_in_place_of_a_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"CA certificate .* is a directory"):
        TLSConfig(ca_cert=str(tmp_path)).load()
    with pytest.raises(ConfigError, match=r"client_key.* without a client certificate"):
        TLSConfig(client_key=str(tmp_path / "key.pem")).load()


def _transports_use_load() -> bool:
    """Whether `_transports.ssl_context` builds its context with `TLSConfig.load` (the
    files are then checked when a client is made)."""
    from docker_engine._transports import ssl_context

    try:
        ssl_context(TLSConfig(ca_cert="/nonexistent/ca.pem"))
    except ConfigError:
        return True
    except OSError:
        return False
    return False


def test_client_construction_reports_bad_tls_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not _transports_use_load():
        pytest.skip("_transports.ssl_context does not call TLSConfig.load() yet")
    certs = cert_dir(tmp_path / "certs", ca=CERT_A, cert=CERT_A, key=KEY_B)
    monkeypatch.setenv("DOCKER_HOST", "tcp://docker.example.com:2376")
    monkeypatch.setenv("DOCKER_TLS_VERIFY", "1")
    monkeypatch.setenv("DOCKER_CERT_PATH", str(certs))
    for make in (Docker.from_env, AsyncDocker.from_env, docker_engine.Docker.from_env):
        with pytest.raises(ConfigError, match="does not match") as info:
            make()
        assert f"DOCKER_CERT_PATH={certs}" in str(info.value)
