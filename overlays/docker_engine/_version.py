"""API version negotiation, as the Go client does it: ping `/_ping` (HEAD, then
GET) once, read `Api-Version`, use min(server, newest package). A pinned
version is checked against the server instead."""

from __future__ import annotations

from functools import cache

from ._errors import DockerConnectionError, VersionError, daemon_message

__all__ = ["VersionError", "available_versions", "choose_version", "parse_version", "server_version"]


def parse_version(text: str) -> tuple[int, int]:
    major, _, minor = text.strip().lstrip("v").partition(".")
    try:
        return int(major), int(minor)
    except ValueError:
        raise VersionError(f"not an API version: {text!r}") from None


@cache
def available_versions() -> tuple[str, ...]:
    """The API versions with a generated package, oldest first."""
    import pkgutil  # noqa: PLC0415 - once, at the first negotiation

    import docker_engine  # noqa: PLC0415

    found = {m.name for m in pkgutil.iter_modules(docker_engine.__path__) if m.name.startswith("v1_")}
    versions = [name[1:].replace("_", ".") for name in found]
    return tuple(sorted(versions, key=parse_version))


def choose_version(server: str, pinned: str | None = None) -> str:
    versions = available_versions()
    if not versions:
        raise VersionError("no generated API packages are installed")
    if pinned is not None:
        pinned = pinned.lstrip("v")
        if pinned not in versions:
            raise VersionError(f"API version {pinned} is not one this SDK has ({versions[0]} … {versions[-1]})")
        if parse_version(pinned) > parse_version(server):
            raise VersionError(f"API version {pinned} was asked for, but the daemon supports at most {server}")
        return pinned
    if parse_version(server) < parse_version(versions[0]):
        raise VersionError(f"the daemon's API version {server} is older than the oldest this SDK has ({versions[0]})")
    eligible = [v for v in versions if parse_version(v) <= parse_version(server)]
    return eligible[-1]


def server_version(host: str, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> str | None:
    """The `Api-Version` of a `/_ping` answer (None: not told); an answer that is not a
    Docker daemon's is a DockerConnectionError."""
    for key, value in headers:
        if key.lower() == b"api-version":
            text = value.decode("ascii", "replace")
            if not text.replace(".", "").isdigit():
                raise DockerConnectionError(f"{host} answered /_ping with Api-Version {text[:40]!r}", target=host)
            return text
    if status >= 400 and body:
        # Not a Docker daemon answering, or the wrong protocol (HTTP to a TLS port).
        raise DockerConnectionError(f"{host} answered /_ping with {status}: {daemon_message(body)}", target=host)
    return None
