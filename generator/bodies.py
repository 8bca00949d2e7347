"""Typed request bodies: a TypedDict per model a JSON body can hold, and the table
the runtime checks a dict body against before sending it.

Two outputs per version package, both from the models openapi-python-client
parsed:

* `dicts.py`: `ContainerCreateRequestDict` & co. (`total=False`, the daemon's own
  key names, nested TypedDicts, enum values as `Literal`), so that a misspelled
  key or a wrong value type in a dict literal is a type error;
* `_bodies.py`: data only: for each such model its JSON keys and what each holds
  (`"str"`, `"int"`, `"float"`, `"bool"`, `"any"`, `"@Model"`, `"[kind]"` for a
  list, `"{kind}"` for a map), and the keys that exist in other API versions
  only, with the versions, so that the runtime raises a `VersionError` for them
  rather than "unknown field".
"""

from __future__ import annotations

import json
from typing import Any

SCALAR_KINDS = {
    "StringProperty": "str",
    "IntProperty": "int",
    "FloatProperty": "float",
    "BooleanProperty": "bool",
    "DateTimeProperty": "str",
    "AnyProperty": "any",
}


def _text(value: Any) -> str:
    getter = getattr(value, "get_untrusted_value", None)
    return str(getter() if getter else value)


class BodyModels:
    """The models reachable from the JSON request bodies of one version."""

    def __init__(self, data: Any, oas: dict[str, Any], map_models: set[str]) -> None:
        self.models = {str(m.class_info.name): m for m in data.models}
        self.components: dict[str, Any] = oas["components"]["schemas"]
        self.map_models = map_models
        self.reached: dict[str, Any] = {}

    # -- reachability --------------------------------------------------------

    def add_root(self, prop: Any) -> None:
        self._visit(prop)

    def _visit(self, prop: Any) -> None:
        kind = type(prop).__name__
        if kind == "ListProperty":
            self._visit(prop.inner_property)
        elif kind == "UnionProperty":
            for member in prop.inner_properties:
                self._visit(member)
        elif kind == "ModelProperty":
            name = str(prop.class_info.name)
            model = self.models.get(name, prop)
            if name in self.map_models:
                extra = model.additional_properties
                if extra not in (None, True, False):
                    self._visit(extra)
                return
            if name in self.reached:
                return
            self.reached[name] = model
            for field in self.fields(model):
                self._visit(field)
            extra = model.additional_properties
            if self.open(name) and extra not in (None, True, False):
                self._visit(extra)

    @staticmethod
    def fields(model: Any) -> list[Any]:
        return list(model.required_properties or []) + list(model.optional_properties or [])

    def open(self, name: str) -> bool:
        """Whether the spec lets the model hold keys beyond its properties."""
        schema = self.components.get(name, {})
        parts = [schema, *schema.get("allOf", [])]
        return any("additionalProperties" in p and p["additionalProperties"] is not False for p in parts)

    # -- the runtime table -----------------------------------------------------

    def kind(self, prop: Any) -> str:
        kind = type(prop).__name__
        if kind in SCALAR_KINDS:
            return SCALAR_KINDS[kind]
        if kind == "EnumProperty":
            return "int" if prop.value_type is int else "str"
        if kind == "ListProperty":
            return f"[{self.kind(prop.inner_property)}]"
        if kind == "ModelProperty":
            name = str(prop.class_info.name)
            if name in self.map_models:
                return "{" + self._extra_kind(self.models.get(name, prop)) + "}"
            return f"@{name}"
        if kind == "UnionProperty":
            kinds = sorted({self.kind(p) for p in prop.inner_properties if type(p).__name__ != "NoneProperty"})
            return kinds[0] if len(kinds) == 1 else "any"
        return "any"

    def _extra_kind(self, model: Any) -> str:
        extra = model.additional_properties
        return "any" if extra in (None, True, False) else self.kind(extra)

    def table(self, other_fields: dict[str, dict[str, str]]) -> str:
        fields: dict[str, dict[str, str]] = {}
        for name in sorted(self.reached):
            model = self.reached[name]
            entry = {_text(p.name): self.kind(p) for p in self.fields(model)}
            if self.open(name):
                entry["*"] = self._extra_kind(model)
            fields[name] = dict(sorted(entry.items()))
        elsewhere = {name: dict(sorted(other_fields[name].items())) for name in sorted(other_fields)}
        return (
            "FIELDS: dict[str, dict[str, str]] = "
            + json.dumps(fields, indent=1, sort_keys=True, ensure_ascii=False)
            + "\n\nELSEWHERE: dict[str, dict[str, str]] = "
            + json.dumps(elsewhere, indent=1, sort_keys=True, ensure_ascii=False)
            + "\n"
        )

    # -- the TypedDicts ----------------------------------------------------------

    def td_type(self, prop: Any) -> str:
        kind = type(prop).__name__
        if kind in SCALAR_KINDS:
            return {"any": "Any"}.get(SCALAR_KINDS[kind], SCALAR_KINDS[kind])
        if kind == "EnumProperty":
            values = sorted(prop.values.values(), key=str)
            return "Literal[" + ", ".join(repr(v) for v in values) + "]"
        if kind == "ListProperty":
            return f"list[{self.td_type(prop.inner_property)}]"
        if kind == "ModelProperty":
            name = str(prop.class_info.name)
            if name in self.map_models:
                extra = self.models.get(name, prop).additional_properties
                value = "Any" if extra in (None, True, False) else self.td_type(extra)
                return f"Mapping[str, {value}]"
            return f"{name}Dict"
        if kind == "UnionProperty":
            members = [self.td_type(p) for p in prop.inner_properties]
            return " | ".join(dict.fromkeys(members))
        if kind == "NoneProperty":
            return "None"
        return "Any"

    def typed_dicts(self) -> list[tuple[str, list[tuple[str, str]], str]]:
        """(name, [(key, type)], docstring) of each TypedDict, sorted by name."""
        out = []
        for name in sorted(self.reached):
            model = self.reached[name]
            items = [(_text(p.name), self.td_type(p)) for p in self.fields(model)]
            out.append((f"{name}Dict", items, name))
        return out
