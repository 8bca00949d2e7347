"""BuildKit's protocol, compiled: `spec/proto/` holds the `.proto` files vendored from their
projects (each beside its LICENSE, at the path its imports name), and this step compiles them
with protoc (`grpc_tools.protoc`, a dev dependency) into `generated/docker_engine/_buildkit/`:
messages (`*_pb2.py`) and their stubs for type checkers (`*_pb2.pyi`), nothing hand-written.

protoc names a module after its file's path (`github.com/moby/buildkit/solver/pb/ops.proto`
gives `github.com.moby.buildkit.solver.pb.ops_pb2`), which is no Python package: the modules
are laid flat in one package and their imports of each other made relative. The descriptors
keep the files' own names. `google.protobuf` and `google.rpc` come from their packages
(`protobuf`, `googleapis-common-protos`: the `buildkit` extra).

Written to a temporary directory and swapped in whole, as the version packages are.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .manifest import ROOT

PROTO = ROOT / "spec" / "proto"
TARGET = ROOT / "generated" / "docker_engine" / "_buildkit"

_INCLUDE = re.compile(r"^from ((?:github\.com|grpc)(?:\.\w+)*) import (\w+_pb2)\b", re.MULTILINE)


class ProtoError(Exception):
    pass


def _includes() -> list[str]:
    """protoc's include path: ours, protoc's own well-known types, and googleapis' protos."""
    import grpc_tools  # type: ignore[import-untyped]  # noqa: PLC0415 - a dev dependency, only for this step

    paths = [str(PROTO), str(Path(grpc_tools.__file__).parent / "_proto")]
    try:
        import google.rpc  # type: ignore[import-untyped]  # noqa: PLC0415

        paths.append(str(Path(next(iter(google.rpc.__path__))).parent.parent))
    except ImportError as exc:
        raise ProtoError(
            "googleapis-common-protos is needed to compile control.proto (google/rpc/status.proto)"
        ) from exc
    return paths


def _flatten(text: str) -> str:
    return _INCLUDE.sub(lambda m: f"from . import {m.group(2)}", text)


def compile_protos(target: Path = TARGET) -> list[str]:
    """Compile every vendored .proto into `target`; the module names written."""
    sources = sorted(str(p.relative_to(PROTO)) for p in PROTO.rglob("*.proto"))
    if not sources:
        raise ProtoError(f"no .proto files under {PROTO}")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".protoc-", dir=target.parent) as tmp:
        out = Path(tmp) / "out"
        out.mkdir()
        command = [sys.executable, "-m", "grpc_tools.protoc"]
        command += [f"-I{path}" for path in _includes()]
        command += [f"--python_out={out}", f"--pyi_out={out}", *sources]
        result = subprocess.run(command, capture_output=True, text=True, cwd=PROTO)
        if result.returncode != 0:
            raise ProtoError(f"protoc failed on spec/proto: {result.stderr.strip()}")
        staging = Path(tmp) / "package"
        staging.mkdir()
        names = []
        for path in sorted(out.rglob("*_pb2.py*")):
            if (staging / path.name).exists():
                raise ProtoError(f"two .proto files compile to {path.name}: rename one in the flat package")
            (staging / path.name).write_text(_flatten(path.read_text(encoding="utf-8")), encoding="utf-8")
            names.append(path.name)
        (staging / "__init__.py").write_text(
            '"""BuildKit\'s messages, compiled from spec/proto by `python -m generator protos`; do not edit."""\n',
            encoding="utf-8",
        )
        old = Path(tmp) / "old"
        if target.exists():
            target.rename(old)
        os.replace(staging, target)
        shutil.rmtree(old, ignore_errors=True)
    return names
