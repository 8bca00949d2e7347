"""The shipped API-version table and the "added in" annotations in generated docstrings."""

from __future__ import annotations

import inspect

import pytest
from docker_engine import versions
from docker_engine.v1_56.api import ContainersAPI
from docker_engine.v1_56.models import ContainerInspectResponse


def test_table_answers_for_every_kind_of_key() -> None:
    assert versions.added_in("GET /containers/json") == "1.25"
    assert versions.added_in("ContainerInspectResponse.ImageManifestDescriptor") == "1.48"
    assert versions.removed_after("HostConfig.KernelMemory") == "1.41"
    assert versions.removed_after("op:ContainerList") is None
    assert not versions.exists_in("param:ContainerStop:query:signal", "1.41")
    assert versions.exists_in("param:ContainerStop:query:signal", "v1.42")
    assert "op:ContainerList" in versions.keys("op:")
    with pytest.raises(KeyError, match="exists in no API version"):
        versions.added_in("NoSuchThing.AtAll")


def test_docstrings_say_when_things_were_added() -> None:
    assert "(added in API v1.42)" in " ".join((inspect.getdoc(ContainersAPI.stop) or "").split())
    doc = inspect.getdoc(ContainerInspectResponse) or ""
    assert "image_manifest_descriptor" in doc and "(added in API v1.48)" in " ".join(doc.split())
