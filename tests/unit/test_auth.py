"""Registry credentials (`docker_engine._auth`): header encoding, reference
parsing, config.json lookup, the credential-helper protocol, and that no
secret leaks into a repr, an exception message or a log record."""

from __future__ import annotations

import base64
import json
import logging
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from docker_engine._auth import (
    INDEX_SERVER,
    AuthConfig,
    CredentialError,
    CredentialStore,
    decode_auth_header,
    default_config_dir,
    encode_auth_header,
    encode_registry_config,
    helper_get,
    helper_list,
    registry_config_for_build,
    registry_key,
    registry_of,
    resolve_auth,
)
from docker_engine._errors import DockerError
from docker_engine._types import to_jsonable

# The standard base64 of a config with this password has both `+` and `/`.
PASSWORD = "~~~???>>>"
TOKEN = "id-token-Zq9+/x"
SECRETS = (PASSWORD, TOKEN, "helper-s3cret", "file-s3cret", "store-s3cret")


def basic(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test reads the real ~/.docker or finds a real credential helper."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("DOCKER_CONFIG", raising=False)
    return home


@pytest.fixture
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[dict[str, Any]], Path]]:
    """Write a config.json into a fresh dir and point DOCKER_CONFIG at it."""
    counter = iter(range(1000))

    def write(config: dict[str, Any]) -> Path:
        directory = tmp_path / f"docker-config-{next(counter)}"
        directory.mkdir()
        (directory / "config.json").write_text(json.dumps(config))
        monkeypatch.setenv("DOCKER_CONFIG", str(directory))
        return directory

    yield write


HELPER = """#!{python}
# A docker credential helper for the tests: answers from store.json next to it.
import json, pathlib, sys, time
here = pathlib.Path(__file__).resolve().parent
name = pathlib.Path(__file__).name
action = sys.argv[1] if len(sys.argv) > 1 else ""
stdin = sys.stdin.read()
with open(here / "calls.log", "a") as log:
    log.write(json.dumps([name, action, stdin]) + "\\n")
store = json.loads((here / (name + ".json")).read_text())
mode = store.get("mode")
if mode == "fail":
    print("the keyring is locked")
    sys.exit(3)
if mode == "sleep":
    time.sleep(30)
if mode == "garbage":
    print("this is not json")
    sys.exit(0)
if mode == "leak":
    print(json.dumps({{"ServerURL": stdin, "Username": "u", "Secret": "helper-s3cret"}}))
    sys.exit(1)
if mode == "stderr-leak":
    # A helper that reports its failure with the secret in it, on stderr.
    print("keychain error: cannot store u:helper-s3cret for " + stdin, file=sys.stderr)
    sys.exit(2)
if mode == "not-found-stderr":
    print("credentials not found in native keychain", file=sys.stderr)
    sys.exit(1)
creds = store.get("creds", {{}})
if action == "get":
    if stdin not in creds:
        print("credentials not found in native keychain")
        sys.exit(1)
    print(json.dumps({{"ServerURL": stdin, **creds[stdin]}}))
elif action == "list":
    print(json.dumps({{url: c["Username"] for url, c in creds.items()}}))
else:
    print("unknown action " + action)
    sys.exit(1)
"""


class Helpers:
    """Credential helpers written into a bin dir on PATH."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir

    def add(self, name: str, creds: dict[str, dict[str, str]] | None = None, mode: str | None = None) -> Path:
        path = self.bin_dir / f"docker-credential-{name}"
        path.write_text(HELPER.format(python=sys.executable))
        path.chmod(0o755)
        (self.bin_dir / f"docker-credential-{name}.json").write_text(json.dumps({"creds": creds or {}, "mode": mode}))
        return path

    def calls(self) -> list[list[str]]:
        log = self.bin_dir / "calls.log"
        if not log.exists():
            return []
        return [json.loads(line) for line in log.read_text().splitlines()]


@pytest.fixture
def helpers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Helpers:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    return Helpers(bin_dir)


def assert_no_secret(*texts: object) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in str(text), f"secret leaked into {text!r}"
            assert secret not in repr(text), f"secret leaked into {text!r}"


# --------------------------------------------------------------------------
# Encoding
# --------------------------------------------------------------------------


def test_header_is_base64url_of_the_json() -> None:
    auth = AuthConfig(username="user", password=PASSWORD, serveraddress="localhost:5000")
    payload = json.dumps(auth.to_dict(), separators=(",", ":"), sort_keys=True).encode()
    standard = base64.b64encode(payload).decode()
    assert "+" in standard and "/" in standard  # the case that matters

    header = encode_auth_header(auth)
    assert "+" not in header and "/" not in header
    assert "-" in header and "_" in header
    assert header == standard.replace("+", "-").replace("/", "_")
    assert len(header) % 4 == 0  # padded, as Go's base64.URLEncoding wants
    assert json.loads(base64.urlsafe_b64decode(header)) == {
        "username": "user",
        "password": PASSWORD,
        "serveraddress": "localhost:5000",
    }
    assert decode_auth_header(header) == auth


def test_header_of_anonymous_and_of_tokens() -> None:
    assert encode_auth_header(None) == base64.urlsafe_b64encode(b"{}").decode() == "e30="
    assert decode_auth_header("") == AuthConfig()
    token = AuthConfig(identitytoken=TOKEN, serveraddress=INDEX_SERVER)
    assert json.loads(base64.urlsafe_b64decode(encode_auth_header(token))) == {
        "identitytoken": TOKEN,
        "serveraddress": INDEX_SERVER,
    }
    bearer = AuthConfig(registrytoken="rt")
    assert decode_auth_header(encode_auth_header(bearer)) == bearer


def test_registry_config_header() -> None:
    auths = {
        INDEX_SERVER: AuthConfig(username="hub", password=PASSWORD, serveraddress=INDEX_SERVER),
        "localhost:5000": AuthConfig(identitytoken=TOKEN, serveraddress="localhost:5000"),
    }
    header = encode_registry_config(auths)
    assert "+" not in header and "/" not in header
    assert json.loads(base64.urlsafe_b64decode(header)) == {key: auth.to_dict() for key, auth in auths.items()}
    assert encode_registry_config({}) == "e30="


def test_auth_config_json_form() -> None:
    auth = AuthConfig(username="u", password="p", email="e@x", serveraddress="r.example.com")
    assert auth.to_dict() == {"username": "u", "password": "p", "email": "e@x", "serveraddress": "r.example.com"}
    assert AuthConfig().to_dict() == {}
    assert to_jsonable(auth) == auth.to_dict()  # usable as `system.auth(body=...)` data
    assert AuthConfig.from_dict({"Username": "u", "Password": "p", "ServerAddress": "x", "unknown": 1}) == AuthConfig(
        username="u", password="p", serveraddress="x"
    )
    assert AuthConfig.from_dict({"auth": basic("me", "pa:ss"), "username": "ignored"}) == AuthConfig(
        username="me", password="pa:ss"
    )
    assert AuthConfig().is_empty and AuthConfig(serveraddress="x", email="e").is_empty
    assert not AuthConfig(identitytoken="t").is_empty


@pytest.mark.parametrize("bad", ["%%%", base64.b64encode(b"no-colon").decode(), base64.b64encode(b"\xff\xfe").decode()])
def test_malformed_auth_field(bad: str) -> None:
    with pytest.raises(ValueError) as info:
        AuthConfig.from_dict({"auth": bad})
    assert bad not in str(info.value)


def test_repr_hides_secrets() -> None:
    auth = AuthConfig(
        username="user", password=PASSWORD, identitytoken=TOKEN, registrytoken="store-s3cret", serveraddress="r:1"
    )
    text = repr(auth)
    assert_no_secret(text, str(auth), f"{auth}", [auth], {"a": auth})
    assert "username='user'" in text and "serveraddress='r:1'" in text
    assert "password=<hidden>" in text and "identitytoken=<hidden>" in text and "registrytoken=<hidden>" in text
    assert repr(AuthConfig(username="u")) == "AuthConfig(username='u')"


# --------------------------------------------------------------------------
# Registry names
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reference", "registry"),
    [
        ("ubuntu", INDEX_SERVER),
        ("ubuntu:22.04", INDEX_SERVER),
        ("ubuntu@sha256:" + "a" * 64, INDEX_SERVER),
        ("library/ubuntu", INDEX_SERVER),
        ("user/repo", INDEX_SERVER),
        ("user/repo:tag", INDEX_SERVER),
        ("docker.io/library/ubuntu", INDEX_SERVER),
        ("docker.io/ubuntu", INDEX_SERVER),
        ("index.docker.io/library/ubuntu:1", INDEX_SERVER),
        ("localhost:5000/x", "localhost:5000"),
        ("localhost/x", "localhost"),
        ("127.0.0.1:5000/app:1", "127.0.0.1:5000"),
        ("registry.example.com/a/b:tag@sha256:" + "0" * 64, "registry.example.com"),
        ("registry.example.com:443/a", "registry.example.com:443"),
        ("ghcr.io/owner/image", "ghcr.io"),
        ("registry-1.docker.io/library/ubuntu", "registry-1.docker.io"),
        ("[::1]:5000/app", "[::1]:5000"),
        ("myhost/app", INDEX_SERVER),  # no `.`/`:`, not localhost: a Hub user name
        ("MyHost/app", "MyHost"),  # upper case is never a repository path
        ("my-registry:5000/app", "my-registry:5000"),
    ],
)
def test_registry_of(reference: str, registry: str) -> None:
    assert registry_of(reference) == registry


@pytest.mark.parametrize("bad", ["", "  ", "https://localhost:5000/app", "a b/c"])
def test_registry_of_rejects(bad: str) -> None:
    with pytest.raises(ValueError):
        registry_of(bad)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("https://index.docker.io/v1/", INDEX_SERVER),
        ("index.docker.io", INDEX_SERVER),
        ("docker.io", INDEX_SERVER),
        ("https://docker.io", INDEX_SERVER),
        ("https://index.docker.io/v2/", INDEX_SERVER),
        ("localhost:5000", "localhost:5000"),
        ("http://localhost:5000", "localhost:5000"),
        ("https://localhost:5000/v2/", "localhost:5000"),
        ("registry.example.com/some/path", "registry.example.com"),
        # A key is logged and shown: userinfo is no part of it.
        (f"https://user:{PASSWORD}@registry.example.com/v2/", "registry.example.com"),
        ("https://ghp-token@localhost:5000", "localhost:5000"),
    ],
)
def test_registry_key(name: str, key: str) -> None:
    assert registry_key(name) == key


# --------------------------------------------------------------------------
# Resolution from config.json
# --------------------------------------------------------------------------


def test_no_config_is_anonymous(isolated_home: Path) -> None:
    assert default_config_dir() == isolated_home / ".docker"
    assert resolve_auth("ubuntu") is None
    assert resolve_auth("localhost:5000/app") is None


def test_default_dir_is_home_docker(isolated_home: Path) -> None:
    (isolated_home / ".docker").mkdir()
    (isolated_home / ".docker" / "config.json").write_text(
        json.dumps({"auths": {INDEX_SERVER: {"auth": basic("hubuser", PASSWORD)}}})
    )
    auth = resolve_auth("ubuntu")
    assert auth == AuthConfig(username="hubuser", password=PASSWORD, serveraddress=INDEX_SERVER)


def test_docker_config_env_moves_the_dir(config_dir: Callable[[dict[str, Any]], Path], tmp_path: Path) -> None:
    directory = config_dir({"auths": {"localhost:5000": {"auth": basic("envuser", PASSWORD)}}})
    assert default_config_dir() == directory
    assert resolve_auth("localhost:5000/app:1") == AuthConfig(
        username="envuser", password=PASSWORD, serveraddress="localhost:5000"
    )
    # An explicit config_dir wins over DOCKER_CONFIG.
    other = tmp_path / "other"
    other.mkdir()
    (other / "config.json").write_text(json.dumps({"auths": {"localhost:5000": {"auth": basic("dir", "x")}}}))
    resolved = resolve_auth("localhost:5000/app", config_dir=other)
    assert resolved is not None and resolved.username == "dir"


@pytest.mark.parametrize(
    "key",
    [
        "localhost:5000",
        "http://localhost:5000",
        "https://localhost:5000",
        "https://localhost:5000/v2/",
        "localhost:5000/",
    ],
)
def test_auths_key_variants(config_dir: Callable[[dict[str, Any]], Path], key: str) -> None:
    config_dir({"auths": {key: {"auth": basic("u", PASSWORD)}}})
    auth = resolve_auth("localhost:5000/app")
    assert auth is not None
    assert (auth.username, auth.password) == ("u", PASSWORD)
    assert auth.serveraddress == key  # the key it was stored under, like the CLI
    assert resolve_auth("localhost:5001/app") is None
    assert resolve_auth("localhost/app") is None


@pytest.mark.parametrize("key", [INDEX_SERVER, "index.docker.io", "docker.io", "https://index.docker.io/v1"])
def test_auths_hub_keys(config_dir: Callable[[dict[str, Any]], Path], key: str) -> None:
    config_dir({"auths": {key: {"auth": basic("hub", PASSWORD)}}})
    for reference in ("ubuntu", "library/ubuntu", "user/repo", "docker.io/library/ubuntu", "docker.io", INDEX_SERVER):
        auth = resolve_auth(reference)
        assert auth is not None and auth.username == "hub", reference
    assert resolve_auth("ghcr.io/x/y") is None


def test_exact_key_beats_a_normalised_one(config_dir: Callable[[dict[str, Any]], Path]) -> None:
    config_dir(
        {
            "auths": {
                "https://r.example.com": {"auth": basic("url", "x")},
                "r.example.com": {"auth": basic("exact", "x")},
            }
        }
    )
    auth = resolve_auth("r.example.com/app")
    assert auth is not None and auth.username == "exact"


def test_auths_entry_forms(config_dir: Callable[[dict[str, Any]], Path]) -> None:
    config_dir(
        {
            "auths": {
                "token.example.com": {"identitytoken": TOKEN},
                "plain.example.com": {"username": "plain", "password": PASSWORD, "email": "p@x"},
                "empty.example.com": {},
                "onlyaddr.example.com": {"serveraddress": "onlyaddr.example.com"},
            }
        }
    )
    assert resolve_auth("token.example.com/a") == AuthConfig(identitytoken=TOKEN, serveraddress="token.example.com")
    assert resolve_auth("plain.example.com/a") == AuthConfig(
        username="plain", password=PASSWORD, email="p@x", serveraddress="plain.example.com"
    )
    # An entry without credentials (what `docker login` leaves with a credsStore) is anonymous.
    assert resolve_auth("empty.example.com/a") is None
    assert resolve_auth("onlyaddr.example.com/a") is None


def test_registry_or_image_argument(config_dir: Callable[[dict[str, Any]], Path]) -> None:
    config_dir(
        {
            "auths": {
                INDEX_SERVER: {"auth": basic("hub", "x")},
                "localhost:5000": {"auth": basic("local", "x")},
                "r.example.com": {"auth": basic("r", "x")},
                "localhost": {"auth": basic("plainlocal", "x")},
            }
        }
    )

    def user(reference: str) -> str | None:
        auth = resolve_auth(reference)
        return None if auth is None else auth.username

    assert user("localhost:5000") == "local"  # a registry, not the Hub image library/localhost:5000
    assert user("http://localhost:5000/v2/") == "local"
    assert user("r.example.com") == "r"
    assert user("https://r.example.com") == "r"
    assert user("localhost") == "plainlocal"
    assert user("ubuntu:22.04") == "hub"  # an image with a tag
    assert user("node:20") == "hub"
    assert user("docker.io") == "hub"


def test_explicit_wins_and_runs_no_helper(config_dir: Callable[[dict[str, Any]], Path], helpers: Helpers) -> None:
    helpers.add("test", {"localhost:5000": {"Username": "helper", "Secret": "helper-s3cret"}})
    config_dir({"credsStore": "missing-helper", "auths": {"localhost:5000": {"auth": basic("file", "file-s3cret")}}})
    explicit = AuthConfig(username="me", password=PASSWORD)
    assert resolve_auth("localhost:5000/app", explicit=explicit) == AuthConfig(
        username="me", password=PASSWORD, serveraddress="localhost:5000"
    )
    with_address = AuthConfig(username="me", password=PASSWORD, serveraddress="elsewhere")
    assert resolve_auth("localhost:5000/app", explicit=with_address) is with_address
    assert helpers.calls() == []


def test_resolution_order(config_dir: Callable[[dict[str, Any]], Path], helpers: Helpers) -> None:
    helpers.add("special", {"a.example.com": {"Username": "special", "Secret": "helper-s3cret"}})
    helpers.add(
        "store",
        {
            "a.example.com": {"Username": "store-a", "Secret": "store-s3cret"},
            "b.example.com": {"Username": "store-b", "Secret": "store-s3cret"},
        },
    )
    config_dir(
        {
            "credHelpers": {"a.example.com": "special"},
            "credsStore": "store",
            "auths": {
                "a.example.com": {"auth": basic("file-a", "file-s3cret")},
                "b.example.com": {"auth": basic("file-b", "file-s3cret")},
                "c.example.com": {"auth": basic("file-c", "file-s3cret")},
            },
        }
    )
    # credHelpers[registry] beats credsStore beats auths.
    assert resolve_auth("a.example.com/x") == AuthConfig(
        username="special", password="helper-s3cret", serveraddress="a.example.com"
    )
    assert resolve_auth("b.example.com/x") == AuthConfig(
        username="store-b", password="store-s3cret", serveraddress="b.example.com"
    )
    # The store has nothing for c: "credentials not found" falls through to auths.
    assert resolve_auth("c.example.com/x") == AuthConfig(
        username="file-c", password="file-s3cret", serveraddress="c.example.com"
    )
    assert resolve_auth("d.example.com/x") is None
    assert helpers.calls() == [
        ["docker-credential-special", "get", "a.example.com"],
        ["docker-credential-store", "get", "b.example.com"],
        ["docker-credential-store", "get", "c.example.com"],
        ["docker-credential-store", "get", "d.example.com"],
    ]


def test_cred_helpers_key_normalised(config_dir: Callable[[dict[str, Any]], Path], helpers: Helpers) -> None:
    helpers.add("test", {INDEX_SERVER: {"Username": "hub", "Secret": "helper-s3cret"}})
    config_dir({"credHelpers": {"docker.io": "test"}})
    auth = resolve_auth("ubuntu")
    assert auth == AuthConfig(username="hub", password="helper-s3cret", serveraddress=INDEX_SERVER)
    # The helper is asked with the registry key, Hub's being the v1 URL.
    assert helpers.calls() == [["docker-credential-test", "get", INDEX_SERVER]]


def test_malformed_config(config_dir: Callable[[dict[str, Any]], Path], tmp_path: Path) -> None:
    directory = config_dir({})
    path = directory / "config.json"
    path.write_text('{"auths": {"r.example.com": {"auth": "' + basic("u", PASSWORD) + '"}}, oops')
    with pytest.raises(CredentialError) as info:
        resolve_auth("r.example.com/a")
    assert str(path) in str(info.value) and "not valid JSON" in str(info.value)
    assert info.value.config_path == path
    assert_no_secret(info.value, basic("u", PASSWORD))

    path.write_text(json.dumps({"auths": {"r.example.com": {"auth": "!!" + basic("u", PASSWORD)}}}))
    with pytest.raises(CredentialError) as info:
        resolve_auth("r.example.com/a")
    assert "r.example.com" in str(info.value) and "auth" in str(info.value)
    assert basic("u", PASSWORD) not in str(info.value)
    assert_no_secret(info.value)

    path.write_text(json.dumps({"auths": ["r.example.com"]}))
    with pytest.raises(CredentialError, match="auths"):
        resolve_auth("r.example.com/a")
    path.write_text("")
    assert resolve_auth("r.example.com/a") is None


# --------------------------------------------------------------------------
# Credential helpers
# --------------------------------------------------------------------------


def test_helper_protocol(helpers: Helpers) -> None:
    helpers.add(
        "test",
        {
            "localhost:5000": {"Username": "user", "Secret": PASSWORD},
            "tok.example.com": {"Username": "<token>", "Secret": TOKEN},
            "empty.example.com": {"Username": "", "Secret": ""},
        },
    )
    assert helper_get("test", "localhost:5000") == AuthConfig(
        username="user", password=PASSWORD, serveraddress="localhost:5000"
    )
    # Username `<token>`: the secret is an identity token.
    assert helper_get("test", "tok.example.com") == AuthConfig(identitytoken=TOKEN, serveraddress="tok.example.com")
    assert helper_get("test", "nothing.example.com") is None
    assert helper_get("test", "empty.example.com") is None
    assert helper_list("test") == {"localhost:5000": "user", "tok.example.com": "<token>", "empty.example.com": ""}
    # `get` reads the server URL on stdin (no newline), as the docker CLI sends it.
    assert helpers.calls()[0] == ["docker-credential-test", "get", "localhost:5000"]


def test_helper_through_config(config_dir: Callable[[dict[str, Any]], Path], helpers: Helpers) -> None:
    helpers.add("test", {"localhost:5000": {"Username": "<token>", "Secret": TOKEN}})
    config_dir({"credsStore": "test"})
    assert resolve_auth("localhost:5000/app:1") == AuthConfig(identitytoken=TOKEN, serveraddress="localhost:5000")
    assert resolve_auth("ubuntu") is None
    assert [call[2] for call in helpers.calls()] == ["localhost:5000", INDEX_SERVER]


def test_missing_helper_names_it(config_dir: Callable[[dict[str, Any]], Path], helpers: Helpers) -> None:
    directory = config_dir(
        {"credHelpers": {"localhost:5000": "nosuch"}, "auths": {"localhost:5000": {"auth": basic("u", PASSWORD)}}}
    )
    with pytest.raises(CredentialError) as info:
        resolve_auth("localhost:5000/app")
    err = info.value
    assert isinstance(err, DockerError)
    assert "docker-credential-nosuch" in str(err) and "not on PATH" in str(err)
    assert "credHelpers['localhost:5000']" in str(err) and str(directory / "config.json") in str(err)
    assert err.helper == "docker-credential-nosuch" and err.registry == "localhost:5000"
    assert_no_secret(err)


def test_failing_helper_names_it(config_dir: Callable[[dict[str, Any]], Path], helpers: Helpers) -> None:
    helpers.add("broken", mode="fail")
    config_dir({"credsStore": "broken", "auths": {"localhost:5000": {"auth": basic("u", PASSWORD)}}})
    # Never a silent anonymous pull, nor a fall-back to auths: the failure is raised.
    with pytest.raises(CredentialError) as info:
        resolve_auth("localhost:5000/app")
    text = str(info.value)
    assert "docker-credential-broken" in text and "localhost:5000" in text
    assert "exit status 3" in text
    # The name, the status and a generic reason: never what the helper printed.
    assert "the keyring is locked" not in text and "its output is not shown" in text
    assert info.value.helper == "docker-credential-broken"
    assert_no_secret(info.value)


@pytest.mark.parametrize(("mode", "status"), [("leak", 1), ("stderr-leak", 2)])
def test_helper_output_with_a_secret_is_withheld(helpers: Helpers, mode: str, status: int) -> None:
    helpers.add("leaky", mode=mode)
    with pytest.raises(CredentialError) as info:
        helper_get("leaky", "localhost:5000")
    text = str(info.value)
    assert "docker-credential-leaky" in text and f"exit status {status}" in text and "not shown" in text
    assert "keychain error" not in text and "Secret" not in text
    assert info.value.helper == "docker-credential-leaky" and info.value.registry == "localhost:5000"
    assert_no_secret(info.value, info.value.args, info.value.__cause__, info.value.__context__)
    with pytest.raises(CredentialError) as listed:
        helper_list("leaky")
    assert f"exit status {status}" in str(listed.value) and "`docker-credential-leaky list`" in str(listed.value)
    assert_no_secret(listed.value)


def test_helper_not_found_on_stderr_is_no_credentials(helpers: Helpers) -> None:
    # The protocol's not-found answer is stdout, but some helpers print it on stderr.
    helpers.add("quiet", mode="not-found-stderr")
    assert helper_get("quiet", "localhost:5000") is None


def test_helper_garbage(helpers: Helpers) -> None:
    helpers.add("garbage", mode="garbage")
    with pytest.raises(CredentialError, match=r"docker-credential-garbage .*protocol"):
        helper_get("garbage", "localhost:5000")


def test_helper_timeout(config_dir: Callable[[dict[str, Any]], Path], helpers: Helpers) -> None:
    helpers.add("slow", mode="sleep")
    config_dir({"credsStore": "slow"})
    with pytest.raises(CredentialError) as info:
        resolve_auth("localhost:5000/app", helper_timeout=0.5)
    assert "docker-credential-slow" in str(info.value) and "within 0.5 s" in str(info.value)


def test_helper_name_must_not_be_a_path(config_dir: Callable[[dict[str, Any]], Path]) -> None:
    config_dir({"credsStore": "../../bin/sh"})
    with pytest.raises(CredentialError, match="invalid credential helper name"):
        resolve_auth("localhost:5000/app")


def test_helper_not_executable(config_dir: Callable[[dict[str, Any]], Path], helpers: Helpers) -> None:
    helpers.add("noexec").chmod(0o644)
    config_dir({"credsStore": "noexec"})
    with pytest.raises(CredentialError, match="docker-credential-noexec"):
        resolve_auth("localhost:5000/app")


# --------------------------------------------------------------------------
# Every registry, for builds
# --------------------------------------------------------------------------


def test_registry_config_for_build(config_dir: Callable[[dict[str, Any]], Path], helpers: Helpers) -> None:
    helpers.add(
        "store",
        {
            "b.example.com": {"Username": "store-b", "Secret": "store-s3cret"},
            INDEX_SERVER: {"Username": "<token>", "Secret": TOKEN},
        },
    )
    helpers.add("special", {"c.example.com": {"Username": "special", "Secret": "helper-s3cret"}})
    directory = config_dir(
        {
            "auths": {
                "a.example.com": {"auth": basic("file-a", "file-s3cret")},
                "b.example.com": {"auth": basic("file-b", "file-s3cret")},
                "empty.example.com": {},
            },
            "credsStore": "store",
            "credHelpers": {"c.example.com": "special"},
        }
    )
    expected = {
        "a.example.com": AuthConfig(username="file-a", password="file-s3cret", serveraddress="a.example.com"),
        "b.example.com": AuthConfig(username="store-b", password="store-s3cret", serveraddress="b.example.com"),
        INDEX_SERVER: AuthConfig(identitytoken=TOKEN, serveraddress=INDEX_SERVER),
        "c.example.com": AuthConfig(username="special", password="helper-s3cret", serveraddress="c.example.com"),
    }
    assert registry_config_for_build() == expected
    assert registry_config_for_build(directory) == expected
    assert CredentialStore(directory).all() == expected
    decoded = json.loads(base64.urlsafe_b64decode(encode_registry_config(registry_config_for_build())))
    assert set(decoded) == set(expected)


def test_registry_config_for_build_failing_helper(
    config_dir: Callable[[dict[str, Any]], Path], helpers: Helpers, caplog: pytest.LogCaptureFixture
) -> None:
    helpers.add("broken", mode="fail")
    config_dir(
        {"auths": {"a.example.com": {"auth": basic("a", "file-s3cret")}}, "credHelpers": {"c.example.com": "broken"}}
    )
    with pytest.raises(CredentialError, match="docker-credential-broken"):
        registry_config_for_build()
    caplog.set_level(logging.WARNING, logger="docker_engine.auth")
    assert set(registry_config_for_build(strict=False)) == {"a.example.com"}
    assert "docker-credential-broken" in caplog.text
    assert_no_secret(caplog.text)


def test_no_secret_in_logs(
    config_dir: Callable[[dict[str, Any]], Path], helpers: Helpers, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="docker_engine.auth")
    helpers.add("test", {"h.example.com": {"Username": "u", "Secret": "helper-s3cret"}})
    config_dir(
        {
            "credHelpers": {"h.example.com": "test"},
            "auths": {"f.example.com": {"auth": basic("u", "file-s3cret")}, "t.example.com": {"identitytoken": TOKEN}},
        }
    )
    resolved = [
        resolve_auth(ref) for ref in ("h.example.com/a", "f.example.com/a", "t.example.com/a", "x.example.com/a")
    ]
    resolved.append(resolve_auth("x.example.com/a", explicit=AuthConfig(username="e", password=PASSWORD)))
    assert all(auth is not None for auth in resolved[:3])
    assert caplog.records  # something was logged
    assert "docker-credential-test" in caplog.text
    assert_no_secret(caplog.text, *(record.getMessage() for record in caplog.records), resolved)
    assert_no_secret(CredentialStore())
