"""`python -m generator diff|history|changelog` (issue #6); wired into `generator/__main__.py`.

python -m generator diff 1.41 1.47                      # Markdown to stdout
python -m generator diff 1.43 1.51 --format json        # the documented JSON (docs/api-changes.md)
python -m generator diff 1.41..1.47                     # one step per consecutive pair
python -m generator diff 1.44 1.52 --fail-on breaking   # exit 1 if a breaking change is found
python -m generator history ContainerInspectResponse.ImageManifestDescriptor
python -m generator changelog [--check]                 # docs/api-changes/
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .diff import (
    CHANGELOG_DIR,
    DiffError,
    check_versions,
    diff_steps,
    fails,
    parse_range,
    render_json,
    render_markdown,
    stale_changelog,
    write_changelog,
)
from .history import cached_history, describe

COMMANDS = ("diff", "history", "changelog")


def add_subcommands(sub: Any) -> None:
    """Add the three subcommands to `python -m generator`'s subparsers."""
    diff = sub.add_parser(
        "diff",
        help="semantic diff between two API versions (Markdown or JSON)",
        description="What changed from one API version to another, classified breaking / non-breaking / "
        "deprecation (rules: docs/api-changes.md). Either order: the reverse diff reports the reverse changes.",
    )
    diff.add_argument("old", help="a version (1.41), or a range (1.41..1.47) diffed step by step")
    diff.add_argument("new", nargs="?", help="the other version (omit with a range)")
    diff.add_argument("--format", choices=("markdown", "json"), default="markdown")
    diff.add_argument("--descriptions", action="store_true", help="also show description-only changes")
    diff.add_argument(
        "--fail-on",
        choices=("breaking", "deprecation", "non-breaking", "none"),
        default="none",
        help="exit 1 when a change of this class or a more severe one is found "
        "(breaking > deprecation > non-breaking; description changes never fail)",
    )
    history = sub.add_parser(
        "history",
        help="in which API versions an operation, parameter, model or field exists",
        description="Keys and queries: see generator/history.py. Examples: ContainerList, 'GET /containers/json', "
        "ContainerList.all, HostConfig.LogConfig.Type, ContainerInspectResponse.ImageManifestDescriptor.",
    )
    history.add_argument("query", nargs="*", help="what to look up (none with --json: the whole table)")
    history.add_argument("--json", action="store_true", help="print JSON (the whole table without a query)")
    changelog = sub.add_parser(
        "changelog", help="write docs/api-changes/: the Markdown diff of every consecutive pair, and index.md"
    )
    changelog.add_argument("--out", type=Path, default=CHANGELOG_DIR, help=f"default: {CHANGELOG_DIR}")
    changelog.add_argument("--check", action="store_true", help="write nothing; exit 1 if the files are not up to date")


def run(args: argparse.Namespace) -> int:
    try:
        if args.command == "diff":
            return _diff(args)
        if args.command == "history":
            return _history(args)
        if args.command == "changelog":
            return _changelog(args)
    except (DiffError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    raise AssertionError(args.command)


def _diff(args: argparse.Namespace) -> int:
    if args.new is None:
        if ".." not in args.old:
            raise DiffError("give two versions (diff 1.41 1.47) or a range (diff 1.41..1.47)")
        pairs = parse_range(args.old)
    else:
        if ".." in args.old or ".." in args.new:
            raise DiffError("give either two versions or one range")
        check_versions(args.old, args.new)
        pairs = [(args.old.removeprefix("v"), args.new.removeprefix("v"))]
    steps = diff_steps(pairs)
    render = render_json if args.format == "json" else render_markdown
    sys.stdout.write(render(steps, descriptions=args.descriptions))
    return 1 if fails(steps, args.fail_on) else 0


def _history(args: argparse.Namespace) -> int:
    if not args.query and not args.json:
        raise DiffError("give something to look up (e.g. ContainerList.all), or --json for the whole table")
    history = cached_history()
    if not args.query:
        print(history.to_json())
        return 0
    status = 0
    results: dict[str, Any] = {}
    for query in args.query:
        keys = history.resolve(query)
        if not keys:
            print(f"{query}: exists in no API version (keys: see generator/history.py)", file=sys.stderr)
            status = 1
        for key in keys:
            if args.json:
                results[key] = {
                    "spans": history.spans(key),
                    "added_in": history.added_in(key),
                    "removed_after": history.removed_after(key),
                    "types": history.type_history(key),
                }
            else:
                print(describe(history, key))
    if args.json:
        print(json.dumps(results, indent=1, sort_keys=True))
    return status


def _changelog(args: argparse.Namespace) -> int:
    out: Path = args.out
    if args.check:
        stale = stale_changelog(out)
        if stale:
            print(f"{out} is not up to date ({', '.join(stale)}): run python -m generator changelog", file=sys.stderr)
            return 1
        return 0
    written = write_changelog(out)
    print(f"{out}: {len(written)} files")
    return 0
