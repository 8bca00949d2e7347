"""`dir()` (and so tab completion) on the negotiating facade lists the tags and
methods without negotiating: nothing is sent to the daemon."""

from __future__ import annotations

import asyncio
import rlcompleter

import pytest
from docker_engine import AsyncDocker, Docker, _sync_api
from docker_engine._api import SyncAPI

TAGS = {
    "containers",
    "images",
    "networks",
    "volumes",
    "exec",
    "swarm",
    "nodes",
    "services",
    "tasks",
    "secrets",
    "configs",
    "plugins",
    "system",
    "distribution",
    "session",
}
NOWHERE = "unix:///nonexistent/docker.sock"  # any attempt to negotiate would fail


def test_dir_of_docker_lists_tags_and_methods_without_negotiating() -> None:
    docker = Docker(NOWHERE)
    names = dir(docker)
    assert set(names) >= TAGS
    assert {"api_version", "base_url", "close", "from_env", "from_context", "with_timeout"} <= set(names)
    assert names == sorted(set(names))
    assert docker._client is None  # not negotiated
    assert "not negotiated yet" in repr(docker)


def test_dir_of_async_docker_lists_tags_and_methods_without_negotiating() -> None:
    docker = AsyncDocker(NOWHERE)
    names = set(dir(docker))
    assert names >= TAGS
    assert {"api_version", "base_url", "aclose", "negotiate", "from_env", "from_context"} <= names
    assert docker._client is None
    asyncio.run(docker.aclose())


def complete(namespace: dict[str, object], text: str) -> set[str]:
    completer = rlcompleter.Completer(namespace)
    found: set[str] = set()
    state = 0
    while (match := completer.complete(text, state)) is not None:
        found.add(match)
        state += 1
    return found


def test_tab_completion_finds_the_tags(monkeypatch: pytest.MonkeyPatch) -> None:
    # rlcompleter reads each matching attribute (to add "(" to callables): that
    # negotiates, as the first call would; here the daemon says 1.41.
    docker = Docker(NOWHERE)
    monkeypatch.setattr(
        _sync_api, "negotiate", lambda config, timeout, transport, _: SyncAPI(config, "1.41", timeout, transport)
    )
    assert {"docker.containers", "docker.configs"} <= complete({"docker": docker}, "docker.con")
    assert docker.api_version == "1.41"

    adocker = AsyncDocker(NOWHERE)  # not negotiated: the tags stand in until the first call
    assert {"adocker.containers", "adocker.configs"} <= complete({"adocker": adocker}, "adocker.con")
    assert adocker._client is None
    asyncio.run(adocker.aclose())
