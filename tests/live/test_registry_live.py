"""Registry authentication against real daemons and a real registry.

A private ``docker-registry`` with htpasswd auth on 127.0.0.1 (plain HTTP:
dockerd treats 127.0.0.0/8 as insecure) and each of the three daemons: push
and pull with credentials from an explicit `AuthConfig`, from config.json
``auths`` and from a credential helper; wrong and missing credentials;
``/auth``; ``/distribution``. Every exception message, repr and log record seen
is checked for the password.
"""

from __future__ import annotations

import base64
import contextlib
import importlib
import io
import json
import logging
import os
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from docker_engine import UNSET
from docker_engine._auth import AuthConfig, CredentialError, encode_auth_header, resolve_auth
from docker_engine._errors import APIError, DockerError, NotFoundError, StreamError

from .conftest import version_package
from .daemons import Daemon
from .registry import Registry, registry_available, start_registry

USERNAME = "tester"
# Its JSON's standard base64 has `+` and `/`: the header must be base64url.
PASSWORD = "S3cr+t/~~~???>>>"
WRONG_PASSWORD = "wr0ng+/~~~???>>>"
SECRETS = (PASSWORD, WRONG_PASSWORD)

# What the daemons (20.10, 26, 28 alike) say when the registry refuses:
# "unauthorized: authentication required" for wrong credentials, "no basic
# auth credentials" for none.
REFUSED = ("unauthorized", "authentication required", "no basic auth credentials")


class Seen:
    """Every message, repr and log line the tests produce, for the password grep."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.daemons: set[str] = set()

    def add(self, *items: object) -> None:
        for item in items:
            texts = [str(item), repr(item)]
            if isinstance(item, BaseException):
                texts += [repr(arg) for arg in item.args]
            for text in texts:
                for secret in SECRETS:
                    assert secret not in text, f"the password leaked into {text!r}"
            self.texts += texts


class _Collect(logging.Handler):
    def __init__(self, seen: Seen) -> None:
        super().__init__(logging.DEBUG)
        self.seen = seen

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.texts.append(self.format(record))


@pytest.fixture(scope="module")
def seen() -> Iterator[Seen]:
    collected = Seen()
    handler = _Collect(collected)
    logger = logging.getLogger("docker_engine")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield collected
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    problem = registry_available()
    if problem:
        pytest.fail(problem)
    reg = start_registry(tmp_path_factory.mktemp("registry"), username=USERNAME, password=PASSWORD)
    try:
        yield reg
    finally:
        reg.stop()
        assert not reg.alive(), "the registry process outlived stop()"


@pytest.fixture(autouse=True)
def no_user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty docker config dir: nothing from ~/.docker leaks in."""
    directory = tmp_path / "docker-config"
    directory.mkdir()
    monkeypatch.setenv("DOCKER_CONFIG", str(directory))
    return directory


@pytest.fixture
def image(docker: Any, daemon: Daemon, registry: Registry) -> Iterator[str]:
    """The busybox image tagged ``127.0.0.1:PORT/app-<kind>:1`` (one repository per daemon)."""
    repo = f"{registry.host}/app-{daemon.name.replace('.', '-')}"
    docker.images.tag(daemon.busybox_image, repo=repo, tag="1")
    ref = f"{repo}:1"
    try:
        yield ref
    finally:
        with contextlib.suppress(NotFoundError):
            docker.images.delete(ref)


def split(ref: str) -> tuple[str, str]:
    repo, _, tag = ref.rpartition(":")
    return repo, tag


def push(docker: Any, ref: str, header: str) -> str:
    """Push; returns the digest the daemon reports (the `aux` message)."""
    repo, tag = split(ref)
    digests = []
    for message in docker.images.push(repo, tag=tag, x_registry_auth=header):
        aux = message.additional_properties.get("aux")
        if isinstance(aux, dict) and aux.get("Digest"):
            digests.append(aux["Digest"])
    assert len(digests) == 1, digests
    return str(digests[0])


def pull(docker: Any, ref: str, header: str) -> None:
    repo, tag = split(ref)
    for _ in docker.images.create(from_image=repo, tag=tag, x_registry_auth=header):
        pass


def push_untag_pull(docker: Any, daemon: Daemon, ref: str, auth: AuthConfig | None) -> str:
    """Push ``ref``, delete the local tag, pull it back: the same image. Returns the digest."""
    image_id = docker.images.inspect(daemon.busybox_image).id
    header = encode_auth_header(auth)
    digest = push(docker, ref, header)
    docker.images.delete(ref)
    with pytest.raises(NotFoundError):
        docker.images.inspect(ref)
    pull(docker, ref, header)
    pulled = docker.images.inspect(ref)
    assert pulled.id == image_id
    assert f"{split(ref)[0]}@{digest}" in (pulled.repo_digests or [])
    return digest


HELPER = """#!{python}
import json, pathlib, sys
here = pathlib.Path(__file__).resolve().parent
server = sys.stdin.read()
with open(here / "calls.log", "a") as log:
    log.write(json.dumps([sys.argv[1], server]) + "\\n")
creds = json.loads((here / "creds.json").read_text())
if sys.argv[1] == "get" and server in creds:
    print(json.dumps({{"ServerURL": server, **creds[server]}}))
elif sys.argv[1] == "list":
    print(json.dumps({{k: v["Username"] for k, v in creds.items()}}))
else:
    print("credentials not found in native keychain")
    sys.exit(1)
"""


def install_helper(directory: Path, monkeypatch: pytest.MonkeyPatch, creds: dict[str, dict[str, str]]) -> Path:
    bin_dir = directory / "bin"
    bin_dir.mkdir()
    helper = bin_dir / "docker-credential-livetest"
    helper.write_text(HELPER.format(python=sys.executable))
    helper.chmod(0o755)
    (bin_dir / "creds.json").write_text(json.dumps(creds))
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    return bin_dir


@pytest.mark.parametrize("source", ["explicit", "config-auths", "credential-helper"])
def test_push_and_pull_with_credentials(
    source: str,
    docker: Any,
    daemon: Daemon,
    registry: Registry,
    image: str,
    no_user_config: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    seen: Seen,
) -> None:
    config: dict[str, Any] = {}
    explicit = None
    bin_dir = None
    if source == "explicit":
        explicit = AuthConfig(username=USERNAME, password=PASSWORD)
    elif source == "config-auths":
        basic = base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
        config = {"auths": {registry.url: {"auth": basic}}}  # keyed with the scheme: matched all the same
    else:
        bin_dir = install_helper(tmp_path, monkeypatch, {registry.host: {"Username": USERNAME, "Secret": PASSWORD}})
        config = {"credHelpers": {registry.host: "livetest"}, "auths": {registry.host: {}}}
    (no_user_config / "config.json").write_text(json.dumps(config))

    auth = resolve_auth(image, explicit=explicit)
    assert auth is not None
    assert (auth.username, auth.password) == (USERNAME, PASSWORD)
    assert auth.serveraddress in (registry.host, registry.url)
    if bin_dir is not None:
        calls = [json.loads(line) for line in (bin_dir / "calls.log").read_text().splitlines()]
        assert calls == [["get", registry.host]]
    seen.add(auth)

    digest = push_untag_pull(docker, daemon, image, auth)
    assert digest.startswith("sha256:")
    seen.daemons.add(daemon.name)


def test_wrong_password(docker: Any, daemon: Daemon, registry: Registry, image: str, seen: Seen) -> None:
    good = AuthConfig(username=USERNAME, password=PASSWORD, serveraddress=registry.host)
    wrong = AuthConfig(username=USERNAME, password=WRONG_PASSWORD, serveraddress=registry.host)
    seen.add(good, wrong)

    # Push: every daemon answers 200 and reports the refusal inside the stream.
    with pytest.raises(DockerError) as push_error:
        push(docker, image, encode_auth_header(wrong))
    assert isinstance(push_error.value, StreamError)
    assert "unauthorized" in str(push_error.value).lower()
    seen.add(push_error.value)

    # Pull: 500 (20.10, 26) or 401 (28) before the stream starts.
    push(docker, image, encode_auth_header(good))
    docker.images.delete(image)
    with pytest.raises(DockerError) as pull_error:
        pull(docker, image, encode_auth_header(wrong))
    err = pull_error.value
    assert isinstance(err, APIError | StreamError)
    assert "unauthorized" in str(err).lower() or "authentication" in str(err).lower()
    if isinstance(err, APIError):
        assert err.status_code in (401, 500)
    seen.add(err)
    with pytest.raises(NotFoundError) as missing:
        docker.images.inspect(image)
    seen.add(missing.value)
    docker.images.tag(daemon.busybox_image, repo=split(image)[0], tag="1")


def test_no_credentials(docker: Any, daemon: Daemon, registry: Registry, image: str, seen: Seen) -> None:
    assert resolve_auth(image) is None  # the config dir is empty: anonymous
    anonymous = encode_auth_header(None)
    with pytest.raises(StreamError) as push_error:
        push(docker, image, anonymous)
    assert any(phrase in str(push_error.value).lower() for phrase in REFUSED), push_error.value
    seen.add(push_error.value)

    push(docker, image, encode_auth_header(AuthConfig(username=USERNAME, password=PASSWORD)))
    docker.images.delete(image)
    with pytest.raises(DockerError) as pull_error:
        pull(docker, image, anonymous)
    assert any(phrase in str(pull_error.value).lower() for phrase in REFUSED), pull_error.value
    seen.add(pull_error.value)
    docker.images.tag(daemon.busybox_image, repo=split(image)[0], tag="1")


def test_missing_helper_is_an_error_not_an_anonymous_push(
    registry: Registry, image: str, no_user_config: Path, seen: Seen
) -> None:
    basic = base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
    config = {"credHelpers": {registry.host: "not-installed"}, "auths": {registry.host: {"auth": basic}}}
    (no_user_config / "config.json").write_text(json.dumps(config))
    with pytest.raises(CredentialError) as info:
        resolve_auth(image)
    assert "docker-credential-not-installed" in str(info.value)
    seen.add(info.value)


def test_system_auth(docker: Any, daemon: Daemon, registry: Registry, seen: Seen) -> None:
    good = resolve_auth(registry.host, explicit=AuthConfig(username=USERNAME, password=PASSWORD))
    assert good is not None and good.serveraddress == registry.host
    answer = docker.system.auth(body=good.to_dict())
    assert answer is not None and answer.status == "Login Succeeded"
    seen.add(answer)

    wrong = AuthConfig(username=USERNAME, password=WRONG_PASSWORD, serveraddress=registry.host)
    with pytest.raises(APIError) as info:
        docker.system.auth(body=wrong.to_dict())
    err = info.value
    # 20.10, 26 and 28 all answer 500 "login attempt to http://…/v2/ failed with status: 401 Unauthorized".
    assert err.status_code in (401, 500)
    assert "401" in err.message or "unauthorized" in err.message.lower()
    seen.add(err, err.message)


def test_distribution_inspect(docker: Any, daemon: Daemon, registry: Registry, image: str, seen: Seen) -> None:
    auth = resolve_auth(image, explicit=AuthConfig(username=USERNAME, password=PASSWORD))
    assert auth is not None
    header = encode_auth_header(auth)
    digest = push(docker, image, header)

    # `distribution.inspect` has no x_registry_auth parameter in the spec
    # (the daemon reads the header all the same): send the generated request
    # with the header added.
    api = importlib.import_module(version_package(daemon.api_version).__name__ + ".api").DistributionAPI
    module = importlib.import_module(api.inspect.__module__)  # the operation's own (shared) module
    request = module._inspect_request(image)
    request.headers = {"X-Registry-Auth": header}
    seen.add(request)
    info = docker._api.call(request)
    assert info.descriptor.digest == digest
    assert info.descriptor.media_type in (
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
    )
    seen.add(info)

    wrong = module._inspect_request(image)
    wrong.headers = {"X-Registry-Auth": encode_auth_header(AuthConfig(username=USERNAME, password=WRONG_PASSWORD))}
    with pytest.raises(APIError) as refused:
        docker._api.call(wrong)
    assert refused.value.status_code == 401 and "unauthorized" in refused.value.message
    seen.add(refused.value)

    anonymous = module._inspect_request(image)
    anonymous.headers = {"X-Registry-Auth": encode_auth_header(None)}
    with pytest.raises(APIError) as no_creds:
        docker._api.call(anonymous)
    assert any(phrase in no_creds.value.message.lower() for phrase in REFUSED)
    seen.add(no_creds.value)


def test_zz_no_password_in_any_message_repr_or_log(daemon: Daemon, registry: Registry, seen: Seen) -> None:
    """Runs after the other tests of its daemon: grep all they produced."""
    assert seen.texts, "nothing was collected"
    for text in seen.texts:
        for secret in SECRETS:
            assert secret not in text
    # The registry user name does show up (in reprs), so the grep does look at real output.
    assert any(USERNAME in text for text in seen.texts)
    assert any("docker-credential-" in text for text in seen.texts)  # the helper logs were collected
    assert PASSWORD not in repr(registry)


def test_auth_is_wired_into_the_generated_operations(
    docker: Any, daemon: Daemon, registry: Registry, image: str, no_user_config: Path, seen: Seen
) -> None:
    """No header by hand: `auth=` or the docker config, resolved by the generated methods."""
    repo, tag = split(image)
    explicit = AuthConfig(username=USERNAME, password=PASSWORD)
    pushed = [m for m in docker.images.push(repo, tag=tag, auth=explicit)]
    assert any((m.additional_properties.get("aux") or {}).get("Digest") for m in pushed)
    with pytest.raises(StreamError) as refused:
        list(docker.images.push(repo, tag=tag, auth=None))  # anonymous, on purpose
    seen.add(refused.value)
    basic = base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
    (no_user_config / "config.json").write_text(json.dumps({"auths": {registry.host: {"auth": basic}}}))
    list(docker.images.push(repo, tag=tag))  # credentials from config.json
    docker.images.delete(image)
    list(docker.images.create(from_image=repo, tag=tag))
    assert docker.images.inspect(image).id == docker.images.inspect(daemon.busybox_image).id
    described = docker.distribution.inspect(image)
    assert described.descriptor.digest.startswith("sha256:")
    # A build whose FROM image is in the private registry: X-Registry-Config from the config.
    context = io.BytesIO()
    with tarfile.open(fileobj=context, mode="w") as tar:
        dockerfile = f"FROM {image}\nRUN echo built > /built\n".encode()
        info = tarfile.TarInfo("Dockerfile")
        info.size = len(dockerfile)
        tar.addfile(info, io.BytesIO(dockerfile))
    built_tag = f"local/from-private-{daemon.name.replace('.', '-')}:1"
    docker.images.delete(image)
    messages = list(docker.images.build(body=context.getvalue(), t=built_tag, pull="1"))
    assert any("Successfully" in (m.stream or "") or m.aux is not UNSET for m in messages)
    assert docker.images.inspect(built_tag).id
    docker.images.delete(built_tag)
    seen.daemons.add(daemon.name)
