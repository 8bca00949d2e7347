"""Build the documentation site into build/site: `make docs`.

mkdocs with the Material theme renders the pages: the guides (docs/guides/), the API changes
(docs/api-changes/) and an API reference for every version package, which this script writes as
Markdown from the installed package itself (signatures, docstrings, models), so it is generated,
never kept by hand. mkdocs because the guides are prose that reads best as Markdown and Material
gives navigation and search with nothing to maintain; a Python API generator (mkdocstrings, pdoc)
would render 32 versions × ~350 modules one module at a time, where one page per tag and one for
the models of each version is what a reader browses.

`mkdocs build --strict`: a warning (a broken link, a page left out of the navigation) fails it.
"""

from __future__ import annotations

import html
import importlib
import inspect
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from docker_engine import versions as history

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SOURCE = ROOT / "build" / "docs-src"
SITE = ROOT / "build" / "site"
SECTIONS = ("Args", "Returns", "Raises", "Attributes")
ROUTE = re.compile(r"`((?:GET|HEAD|POST|PUT|DELETE|PATCH) [^`]+)` \(operation `(\w+)`\)")

GUIDES = [
    ("install", "Install"),
    ("connecting", "Connecting"),
    ("containers", "Containers"),
    ("images-and-builds", "Images and builds"),
    ("streams", "Streams"),
    ("registry-auth", "Registry credentials"),
    ("async", "Async"),
    ("errors-and-limits", "Errors and limits"),
    ("pinning-a-version", "Pinning an API version"),
    ("auditing-api-changes", "Auditing API changes"),
    ("migrating-from-docker-py", "Migrating from docker-py"),
]


def versions() -> list[str]:
    return list(history.api_versions())


def package(version: str) -> str:
    return "docker_engine.v" + version.replace(".", "_")


# -- docstrings and signatures -------------------------------------------------------------------


def escape(text: str) -> str:
    """HTML-escape text outside `code spans` (Markdown keeps those literal)."""
    parts = re.split(r"(`[^`\n]*`)", text)
    return "".join(
        p if p.startswith("`") and p.endswith("`") and len(p) > 1 else html.escape(p, quote=False) for p in parts
    )


# The spec's descriptions link within Docker's one-page reference (`#operation/ContainerInspect`,
# `#section/Authentication`): operationId → the page and anchor of its method, per version.
OPERATION_PAGES: dict[str, str] = {}


def _link(match: re.Match[str]) -> str:
    text, target = match.group(1), match.group(2)
    if target.startswith("#operation/"):
        page = OPERATION_PAGES.get(target.removeprefix("#operation/"))
        return f"[{text}]({page})" if page else text
    if target == "#section/Authentication":
        return f"[{text}](../../guides/registry-auth.md)"
    return text if target.startswith("#") else match.group(0)


def docstring_markdown(doc: str) -> str:
    """A Google-style docstring as Markdown: paragraphs, and Args/Returns/Raises/Attributes as lists."""
    doc = re.sub(r"\[([^\]]*)\]\(([^)\s]+)\)", _link, doc)
    out: list[str] = []
    for block in re.split(r"\n\s*\n", doc.strip()):
        lines = block.splitlines()
        if not lines:
            continue
        head = lines[0].strip().rstrip(":")
        if head in SECTIONS and lines[0].strip().endswith(":"):
            out.append(f"**{head}**")
            out.append("")
            items: list[str] = []
            for line in lines[1:]:
                if re.match(r"^ {4}\S", line) or not items:
                    items.append(line.strip())
                else:
                    items[-1] += " " + line.strip()
            for item in items:
                name, sep, rest = item.partition(": ")
                if sep and re.fullmatch(r"[\w.\[\]]+( \([^)]*\))?", name):
                    out.append(f"- `{name}`: {escape(rest)}")
                else:
                    out.append(f"- {escape(item)}")
        else:
            out.append(escape(" ".join(line.strip() for line in lines)))
        out.append("")
    return "\n".join(out).strip()


def signature(name: str, function: Any, *, skip_self: bool = True) -> str:
    sig = inspect.signature(function)
    params = []
    star = False
    for param in sig.parameters.values():
        if skip_self and param.name == "self":
            continue
        text = param.name
        if param.kind is param.KEYWORD_ONLY and not star:
            params.append("*")
            star = True
        if param.kind is param.VAR_KEYWORD:
            text = "**" + text
        if param.annotation is not param.empty:
            text += f": {param.annotation}"
        if param.default is not param.empty:
            text += f" = {param.default!r}"
        params.append(text)
    returns = "" if sig.return_annotation is sig.empty else f" -> {sig.return_annotation}"
    prefix = "async def" if inspect.iscoroutinefunction(function) else "def"
    one_line = f"{prefix} {name}({', '.join(params)}){returns}"
    if len(one_line) <= 100:
        return one_line
    body = "".join(f"    {p},\n" for p in params)
    return f"{prefix} {name}(\n{body}){returns}"


def since(function: Any) -> str:
    match = ROUTE.search(inspect.getdoc(function) or "")
    if not match:
        return ""
    have = history.versions_of(f"route:{match.group(1)}")  # the route: operationIds were renamed
    return f"*`{match.group(1)}` · operation `{match.group(2)}` · API v{have[0]}–v{have[-1]}*"


# -- pages ---------------------------------------------------------------------------------------


def switcher(all_versions: list[str], here: str, page: str) -> str:
    """A version switcher: the same page in another version's reference."""
    options = "".join(
        f'<option value="../{package(v).rsplit(".", 1)[1]}/{page}.html"{" selected" if v == here else ""}>'
        f"v{v}{' (newest)' if v == all_versions[-1] else ''}</option>"
        for v in reversed(all_versions)
    )
    return (
        '<label class="version-switcher">API version '
        f'<select aria-label="API version" onchange="location.href=this.value">{options}</select></label>'
    )


def front_matter(newest: bool) -> str:
    return "" if newest else "---\nsearch:\n  exclude: true\n---\n\n"


def tag_page(version: str, all_versions: list[str], attribute: str, api: type, module: Any) -> str:
    newest = version == all_versions[-1]
    lines = [front_matter(newest) + f"# `docker.{attribute}` — API v{version}", ""]
    lines += [switcher(all_versions, version, attribute), ""]
    lines += [docstring_markdown(inspect.getdoc(api) or ""), ""]
    lines += [f"`Async{api.__name__}` has the same methods, to be awaited (`AsyncDocker().{attribute}`).", ""]
    for name, function in inspect.getmembers(api, inspect.isfunction):
        if name.startswith("_"):
            continue
        route = ROUTE.search(inspect.getdoc(function) or "")
        anchor = f" {{ #{route.group(2)} }}" if route else ""
        lines += [f"## `{attribute}.{name}`{anchor}", "", "```python", signature(name, function), "```", ""]
        stamp = since(function)
        if stamp:
            lines += [stamp, ""]
        lines += [docstring_markdown(inspect.getdoc(function) or ""), ""]
    handle_name = str(inspect.get_annotations(api.handle)["return"]) if "handle" in vars(api) else ""
    if handle_name:
        handle = getattr(module, handle_name)
        lines += [f"## Handle `{handle_name}`", "", docstring_markdown(inspect.getdoc(handle) or ""), ""]
        lines += [
            f"`Async{handle_name}` is its asyncio twin. Besides `.id`, `.short_id`, `.attrs` and `.reload()`:",
            "",
        ]
        for name, function in inspect.getmembers(handle, inspect.isfunction):
            if name.startswith("_") or name == "reload":
                continue
            first = (inspect.getdoc(function) or "").split("\n\n")[0]
            lines += [f"### `{handle_name}.{name}`", "", "```python", signature(name, function), "```", ""]
            lines += [escape(" ".join(first.split())), ""]
    return "\n".join(lines)


def model_section(name: str, cls: Any) -> list[str]:
    doc = inspect.getdoc(cls) or ""
    lines = [f"## `{name}`", ""]
    if hasattr(cls, "__attrs_attrs__"):
        summary = doc.split("\n\nAttributes:")[0].strip() if "Attributes:" in doc else doc
        if summary:
            lines += [escape(" ".join(summary.split())), ""]
        described = {}
        if "Attributes:" in doc:
            body = doc.split("Attributes:", 1)[1]
            for match in re.finditer(r"^ {4}(\w+) \(([^)]*)\): ?(.*(?:\n {8}.*)*)", body, re.M):
                described[match.group(1)] = " ".join(match.group(3).split())
        lines += ["| field | type | |", "|---|---|---|"]
        for field in cls.__attrs_attrs__:
            if field.name == "additional_properties":
                continue
            text = escape(described.get(field.name, "")).replace("|", "\\|")
            lines.append(f"| `{field.name}` | `{str(field.type).replace('|', chr(92) + '|')}` | {text} |")
        lines.append("")
    elif hasattr(cls, "__members__"):
        if doc:
            lines += [escape(" ".join(doc.split())), ""]
        values = ", ".join(f"`{member.value!r}`" for member in cls.__members__.values())
        lines += [f"Values: {values}", ""]
    return lines


def models_page(version: str, all_versions: list[str]) -> tuple[str, list[str]]:
    models = importlib.import_module(package(version) + ".models")
    names = sorted(models.__all__)
    lines = [front_matter(version == all_versions[-1]) + f"# Models — API v{version}", ""]
    lines += [switcher(all_versions, version, "models"), ""]
    lines += [f"Every model and enum of `{package(version)}.models`, as the daemon's JSON (`from_dict`/`to_dict`).", ""]
    for name in names:
        lines += model_section(name, getattr(models, name))
    return "\n".join(lines), names


def dicts_page(version: str, all_versions: list[str]) -> tuple[str, list[str]]:
    dicts = importlib.import_module(package(version) + ".dicts")
    names = list(dicts.__all__)
    lines = [front_matter(version == all_versions[-1]) + f"# Request body dicts — API v{version}", ""]
    lines += [switcher(all_versions, version, "dicts"), ""]
    lines += [escape(" ".join((dicts.__doc__ or "").split())), ""]
    for name in names:
        typed = getattr(dicts, name)
        keys = ", ".join(f"`{key}`" for key in typed.__annotations__)
        lines += [f"## `{name}`", "", f"Keys: {keys}" if keys else "No keys.", ""]
    return "\n".join(lines), names


def version_pages(version: str, all_versions: list[str]) -> dict[str, str]:
    """The reference of one version: page name → Markdown."""
    name = package(version)
    client = importlib.import_module(name + ".client").Docker
    pages: dict[str, str] = {}
    apis = {}
    OPERATION_PAGES.clear()
    for attribute, value in vars(client).items():
        if not hasattr(value, "func"):
            continue
        module = importlib.import_module(f"{name}.api")
        apis[attribute] = (getattr(module, str(value.func.__annotations__["return"])), module)
        for _, function in inspect.getmembers(apis[attribute][0], inspect.isfunction):
            route = ROUTE.search(inspect.getdoc(function) or "")
            if route:
                OPERATION_PAGES[route.group(2)] = f"{attribute}.md#{route.group(2)}"
    tags = list(apis)
    for attribute, (api, module) in apis.items():
        pages[attribute] = tag_page(version, all_versions, attribute, api, module)
    pages["models"], models = models_page(version, all_versions)
    pages["dicts"], dicts = dicts_page(version, all_versions)
    newest = version == all_versions[-1]
    index = [front_matter(newest) + f"# API reference — v{version}{' (newest)' if newest else ''}", ""]
    index += [switcher(all_versions, version, "index"), ""]
    index += [
        f"`from {name} import Docker, AsyncDocker` pins this version with its exact types; "
        "`docker_engine.Docker` negotiates the version and is typed as the newest.",
        "",
        "## Clients",
        "",
        "```python",
        signature("Docker", client.__init__).replace("def Docker", "class Docker"),
        "```",
        "",
        escape(" ".join((inspect.getdoc(client) or "").split())),
        "",
        "`AsyncDocker` takes the same arguments; its operations are awaited.",
        "",
        "## Operations by tag",
        "",
        *[f"- [`docker.{t}`]({t}.md)" for t in tags],
        "",
        f"## [Models]({'models.md'}) ({len(models)}) · [Request body dicts](dicts.md) ({len(dicts)})",
        "",
    ]
    pages["index"] = "\n".join(index)
    return pages


# -- the site ------------------------------------------------------------------------------------


def write_sources() -> list[str]:
    """Write build/docs-src; return the navigation of the reference, as mkdocs YAML lines."""
    if SOURCE.exists():
        shutil.rmtree(SOURCE)
    (SOURCE / "guides").mkdir(parents=True)
    shutil.copy(DOCS / "index.md", SOURCE / "index.md")
    for slug, _ in GUIDES:
        shutil.copy(DOCS / "guides" / f"{slug}.md", SOURCE / "guides" / f"{slug}.md")
    changes = SOURCE / "api-changes"
    shutil.copytree(DOCS / "api-changes", changes)
    shutil.copy(DOCS / "api-changes.md", changes / "rules.md")
    index = changes / "index.md"
    index.write_text(index.read_text(encoding="utf-8").replace("](../api-changes.md)", "](rules.md)"), encoding="utf-8")
    (SOURCE / "stylesheets").mkdir()
    (SOURCE / "stylesheets" / "extra.css").write_text(
        ".version-switcher{display:inline-block;margin:.2em 0 1em;font-weight:600}"
        ".version-switcher select{margin-left:.5em;font:inherit}\n"
    )
    all_versions = versions()
    nav = []
    for version in reversed(all_versions):
        directory = SOURCE / "reference" / package(version).rsplit(".", 1)[1]
        directory.mkdir(parents=True)
        pages = version_pages(version, all_versions)
        for page, text in pages.items():
            (directory / f"{page}.md").write_text(text + "\n", encoding="utf-8")
        label = f"v{version}" + (" (newest)" if version == all_versions[-1] else "")
        base = f"reference/{directory.name}"
        order = ["index", *sorted(p for p in pages if p not in ("index", "models", "dicts")), "models", "dicts"]
        titles = {"index": "Overview", "models": "Models", "dicts": "Request body dicts"}
        nav.append(f"      - '{label}':")
        nav += [f"          - '{titles.get(page, 'docker.' + page)}': {base}/{page}.md" for page in order]
    return nav


def mkdocs_config(reference_nav: list[str]) -> str:
    changes = sorted(p.name for p in (DOCS / "api-changes").glob("v*.md"))
    guides = [f"      - '{title}': guides/{slug}.md" for slug, title in GUIDES]
    return "\n".join(
        [
            "site_name: docker-engine",
            "site_description: A typed Python SDK for the Docker Engine API, generated from Docker's specs",
            f"docs_dir: {SOURCE}",
            f"site_dir: {SITE}",
            "use_directory_urls: false",
            "strict: true",
            "theme:",
            "  name: material",
            "  features: [navigation.sections, navigation.top, content.code.copy]",
            "extra_css: [stylesheets/extra.css]",
            "plugins: [search]",
            "markdown_extensions: [tables, admonition, toc, attr_list, md_in_html, pymdownx.highlight, pymdownx.superfences]",
            "validation:",
            "  nav: {omitted_files: warn, not_found: warn}",
            "  links: {not_found: warn, anchors: warn, absolute_links: warn, unrecognized_links: warn}",
            "nav:",
            "  - Home: index.md",
            "  - Guides:",
            *guides,
            "  - API reference:",
            *reference_nav,
            "  - API changes:",
            "      - api-changes/index.md",
            "      - 'Rules and JSON schema': api-changes/rules.md",
            *[f"      - api-changes/{name}" for name in changes],
            "",
        ]
    )


def main() -> int:
    nav = write_sources()
    config = ROOT / "build" / "mkdocs.yml"
    config.write_text(mkdocs_config(nav), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--clean", "--config-file", str(config)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},  # Material's note about a future mkdocs
    )
    output = done.stdout + done.stderr
    warnings = [line for line in output.splitlines() if line.startswith(("WARNING", "ERROR"))]
    sys.stdout.write(output[-4000:])
    if done.returncode != 0 or warnings:
        print(f"docs: {len(warnings)} warnings or errors: the site is not built", file=sys.stderr)
        return 1
    print(f"docs: {SITE} ({sum(1 for _ in SITE.rglob('*.html'))} pages)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
