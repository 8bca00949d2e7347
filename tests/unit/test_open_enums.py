"""Open enums: a value the spec does not list (a newer daemon's) is a member that
survives ==, copy, deepcopy and pickle like a listed one, on every Python >= 3.11
(3.11.0-3.11.4 pickle enum members by name, which an unlisted value does not have)."""

from __future__ import annotations

import copy
import importlib
import pickle
from typing import Any

import pytest
from docker_engine._types import OpenIntEnum, OpenStrEnum


class Colour(OpenStrEnum):
    RED = "red"


class Level(OpenIntEnum):
    VALUE_1 = 1


def roundtrips(value: Any) -> list[Any]:
    return [
        copy.copy(value),
        copy.deepcopy(value),
        *(pickle.loads(pickle.dumps(value, protocol)) for protocol in range(pickle.HIGHEST_PROTOCOL + 1)),
    ]


@pytest.mark.parametrize(
    ("enum", "known", "unknown", "name"),
    [(Colour, "red", "ultraviolet", "ultraviolet"), (Level, 1, 7, "VALUE_7"), (Level, 1, -3, "VALUE_MINUS_3")],
)
def test_unknown_members_copy_and_pickle_by_value(enum: Any, known: Any, unknown: Any, name: str) -> None:
    member = enum(unknown)
    assert isinstance(member, enum)
    assert member == unknown
    assert member.name == name
    assert member.value == unknown
    for other in roundtrips(member):
        assert type(other) is enum
        assert other == member
        assert other.value == unknown
        assert other.name == name
    for other in roundtrips(enum(known)):
        assert other is enum(known)  # listed values stay the singletons


def test_str_and_int_forms() -> None:
    assert str(Colour("ultraviolet")) == "ultraviolet"
    assert f"{Colour.RED}" == "red"
    assert str(Level(7)) == "7"
    with pytest.raises(ValueError):
        Colour(3)  # not a string
    with pytest.raises(ValueError):
        Level(2.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Level("7")


@pytest.mark.parametrize("version", ["1.41", "1.56"])
def test_generated_model_with_unknown_str_enum_copies_and_pickles(version: str) -> None:
    package = importlib.import_module(f"docker_engine.v{version.replace('.', '_')}.models")
    source = {"State": {"Status": "hibernating"}}
    model = package.ContainerInspectResponse.from_dict(source)
    status = model.state.status
    assert isinstance(status, OpenStrEnum)
    assert status == "hibernating"
    for other in roundtrips(model):
        assert other == model
        assert other.state.status == "hibernating"
        assert type(other.state.status) is type(status)
        assert other.to_dict() == source


def test_generated_model_with_unknown_int_enum_copies_and_pickles() -> None:
    package = importlib.import_module("docker_engine.v1_56.models")
    source = {"Path": "/etc/new", "Kind": 9}
    change = package.FilesystemChange.from_dict(source)
    assert isinstance(change.kind, OpenIntEnum)
    assert change.kind == 9
    for other in roundtrips(change):
        assert other == change
        assert type(other.kind) is type(change.kind)
        assert other.to_dict() == source
