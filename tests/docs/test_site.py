"""The documentation site (issue #18), built by `make docs` into build/site, opened in a real browser:
headless Chromium (Debian's package) renders the pages; the DOM it ends with is checked for what a
reader sees, and a screenshot of each page is kept in build/docs-screenshots/ (CI's artifacts)."""

from __future__ import annotations

import functools
import html
import http.server
import importlib
import inspect
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "build" / "site"
SHOTS = ROOT / "build" / "docs-screenshots"
NEWEST = "v1_56"


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("chromium is not installed: `apt-get install chromium` (.ci/run does)")
    return found


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    if not (SITE / "index.html").is_file():
        pytest.fail("build/site is missing: run `make docs` first")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(SITE))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def render(url: str, shot: str) -> str:
    """The page's DOM after Chromium ran it, and a screenshot of it."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--window-size=1280,1600",
    ]
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        subprocess.run(
            [chromium(), *flags, f"--user-data-dir={profile}", f"--screenshot={SHOTS / shot}", url],
            capture_output=True,
            timeout=120,
            check=True,
        )
        dom = subprocess.run(
            [chromium(), *flags, f"--user-data-dir={profile}", "--dump-dom", url],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout
    assert (SHOTS / shot).stat().st_size > 10_000, f"{shot}: an empty screenshot"
    return dom


def text_of(dom: str) -> str:
    """The page's text: inline tags (highlighting spans, code, links) dropped, block tags a space."""
    inline = re.sub(r"</?(?:span|code|a|em|strong|b|i)\b[^>]*>", "", dom)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", inline)))


def test_home_page(site: str) -> None:
    dom = render(f"{site}/index.html", "home.png")
    assert "<title>docker-engine</title>" in dom
    text = text_of(dom)
    assert "A typed Python SDK for the Docker Engine API" in text
    for guide in ("Migrating from docker-py", "Auditing API changes", "Pinning an API version"):
        assert guide in text


@pytest.mark.parametrize("version", [NEWEST, "v1_41"])
def test_containers_create_reference(site: str, version: str) -> None:
    dom = render(f"{site}/reference/{version}/containers.html", f"containers-create-{version}.png")
    text = text_of(dom)
    dotted = version[1:].replace("_", ".")
    assert f"docker.containers — API v{dotted}" in text
    assert "containers.create" in text and "def create(" in text and "POST /containers/create" in text
    assert 'id="ContainerCreate"' in dom
    # The version switcher: every version, this one selected, each option a page that exists.
    options = re.findall(r'<option value="([^"]+)"( selected(?:="")?)?>v([\d.]+)', dom)
    assert len(options) == 32 and [o[2] for o in options if o[1]] == [dotted]
    for target, _, _ in options:
        assert (SITE / "reference" / version / target).resolve().is_file(), target
    if version == "v1_41":
        assert "signal" not in re.search(r"def stop\(.*?\)", text).group(0)  # type: ignore[union-attr]


def test_migration_guide(site: str) -> None:
    text = text_of(render(f"{site}/guides/migrating-from-docker-py.html", "migration.png"))
    assert "Migrating from docker-py" in text
    assert "container.attrs.state.status" in text and "docker.images.get_image(name)" in text


def test_api_changes_page(site: str) -> None:
    text = text_of(render(f"{site}/api-changes/v1.54-v1.55.html", "api-changes.png"))
    assert "Docker Engine API v1.54 → v1.55" in text
    assert "added operation GET /images/{name}/attestations" in text and "parameters:" in text


def test_every_public_name_of_the_newest_version_is_in_the_reference() -> None:
    pages = SITE / "reference" / NEWEST
    text = "\n".join(p.read_text(encoding="utf-8") for p in pages.glob("*.html"))
    package = f"docker_engine.{NEWEST}"
    names = ["Docker", "AsyncDocker"]
    client = importlib.import_module(package + ".client").Docker
    for attribute, value in vars(client).items():
        if not hasattr(value, "func"):
            continue
        module = importlib.import_module(f"{package}.api")
        api = getattr(module, str(value.func.__annotations__["return"]))
        names += [
            api.__name__,
            *(f"{attribute}.{m}" for m, _ in inspect.getmembers(api, inspect.isfunction) if m[0] != "_"),
        ]
        if "handle" in vars(api):
            handle = str(inspect.get_annotations(api.handle)["return"])
            methods = inspect.getmembers(getattr(module, handle), inspect.isfunction)
            names += [f"{handle}.{m}" for m, _ in methods if m[0] != "_" and m != "reload"]
    names += importlib.import_module(package + ".models").__all__
    names += importlib.import_module(package + ".dicts").__all__
    missing = [name for name in names if name not in text]
    assert len(names) > 600 and not missing, f"not in the reference: {missing[:20]}"
