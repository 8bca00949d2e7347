"""Spec file → patched OpenAPI 3.1 → openapi-python-client's parsed model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from openapi_python_client.config import Config, ConfigFile, MetaType
from openapi_python_client.parser import GeneratorData
from openapi_python_client.parser.errors import GeneratorError

from .convert import convert
from .patch import Patch, apply_patches

# libyaml's loader is 10x faster on these 10k-line files.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class GenerationError(Exception):
    """Generation of one version failed; the message names version, spec and cause."""


def load_swagger(path: Path) -> dict[str, Any]:
    with path.open("rb") as f:
        doc = yaml.load(f, Loader=_Loader)
    if not isinstance(doc, dict):
        raise GenerationError(f"{path}: not a YAML mapping")
    return doc


def normalised_spec(path: Path, version: str, patches: list[Patch]) -> dict[str, Any]:
    """The patched OpenAPI 3.1 document of one version (also what the diff tool reads)."""
    return convert(apply_patches(load_swagger(path), version, patches))


def opc_config(output: Path) -> Config:
    config_file = ConfigFile(
        use_path_prefixes_for_title_model_names=False,
        post_hooks=[],
        field_prefix="field_",
        literal_enums=False,
    )
    return Config.from_sources(config_file, MetaType.NONE, output, "utf-8", overwrite=True, output_path=output)


def _describe(error: GeneratorError) -> str:
    parts = [str(error.header or ""), str(error.detail or "")]
    data = getattr(error, "data", None)
    if data is not None:
        parts.append(str(data)[:300])
    return " | ".join(p for p in parts if p)


def parse(oas: dict[str, Any], *, version: str, spec_path: Path, output: Path) -> GeneratorData:
    """Run openapi-python-client's parser; any warning or error is fatal."""
    data = GeneratorData.from_dict(oas, config=opc_config(output))
    if isinstance(data, GeneratorError):
        raise GenerationError(f"v{version} ({spec_path}): {_describe(data)}")
    problems = list(data.errors)
    for collection in data.endpoint_collections_by_tag.values():
        problems.extend(collection.parse_errors)
    if problems:
        listing = "\n  ".join(_describe(p) for p in problems)
        raise GenerationError(f"v{version} ({spec_path}): {len(problems)} generator warning(s):\n  {listing}")
    return data
