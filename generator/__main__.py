"""`python -m generator specs|generate|normalise …`"""

from __future__ import annotations

import argparse
import json
import sys

from . import protos, unasync
from .diff_cli import COMMANDS as DIFF_COMMANDS
from .diff_cli import add_subcommands, run
from .generate import GENERATED, generate
from .manifest import SpecError, fetch_all, load_manifest, mirror_dir, select
from .parse import GenerationError, normalised_spec
from .patch import PatchError, load_patches
from .presence import from_observations, write_presence


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generator", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    specs = sub.add_parser("specs", help="fetch and verify the spec files into spec/")
    specs.add_argument("versions", nargs="*", help="API versions (default: all in spec/versions.toml)")
    gen = sub.add_parser("generate", help="generate version packages into generated/docker_engine/")
    gen.add_argument("versions", nargs="*", help="API versions (default: all)")
    gen.add_argument("--jobs", type=int, default=None, help="parallel processes (default: CPU count)")
    norm = sub.add_parser("normalise", help="print the patched OpenAPI 3.1 form of one version as JSON")
    norm.add_argument("version")
    pres = sub.add_parser("presence", help="write generator/presence.yaml from the live suite's observations")
    pres.add_argument("observed", help="the JSON file written with DOCKER_ENGINE_PRESENCE_LOG")
    una = sub.add_parser("unasync", help="write the sync runtime from its async source (see generator/unasync.py)")
    una.add_argument("--check", action="store_true", help="only compare: exit 1 naming what is stale")
    sub.add_parser("protos", help="compile spec/proto (BuildKit's protocol) into generated/docker_engine/_buildkit")
    add_subcommands(sub)
    args = parser.parse_args(argv)
    if args.command == "protos":
        try:
            protos.compile_protos()
        except protos.ProtoError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        return 0
    if args.command == "unasync":
        stale = unasync.write(check=args.check)
        if stale and args.check:
            print(f"error: not what their async source gives: {', '.join(stale)} (run make generate)", file=sys.stderr)
            return 1
        return 0
    try:
        manifest = load_manifest()
        if args.command == "specs":
            for path in fetch_all(select(manifest, args.versions), mirror_dir()):
                print(path)
        elif args.command == "generate":
            generate(select(manifest, args.versions), full=not args.versions, jobs=args.jobs)
        elif args.command == "normalise":
            (spec,) = select(manifest, [args.version])
            fetch_all([spec], mirror_dir())
            json.dump(normalised_spec(spec.path, spec.version, load_patches()), sys.stdout, indent=1, sort_keys=True)
            print()
        elif args.command == "presence":
            with open(args.observed, encoding="utf-8") as f:
                write_presence(from_observations(json.load(f), GENERATED))
        elif args.command in DIFF_COMMANDS:
            return run(args)
    except (SpecError, GenerationError, PatchError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
