"""`python -m docker_engine --version`: the SDK's version and the Docker Engine API versions it knows."""

from __future__ import annotations

import argparse
import sys

from . import __version__
from .versions import api_versions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m docker_engine",
        description="docker-engine: a typed Python SDK for the Docker Engine API.",
    )
    parser.add_argument("--version", action="store_true", help="print the SDK version and the API versions it knows")
    args = parser.parse_args(argv)
    if not args.version:
        parser.print_help()
        return 0
    known = api_versions()
    print(f"docker-engine {__version__}")
    print(f"Docker Engine API v{known[0]}–v{known[-1]} ({len(known)} versions): {', '.join(known)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
