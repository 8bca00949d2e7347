"""Render one version package from openapi-python-client's parsed model and our templates."""

from __future__ import annotations

import json
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader
from openapi_python_client import TEMPLATE_FILTERS, Project
from openapi_python_client.parser import GeneratorData
from openapi_python_client.parser.properties import ModelProperty
from openapi_python_client.strings import safe_for_docstring

from . import naming, share
from .bodies import BodyModels
from .history import History, op_key, param_key, route_key
from .parse import GenerationError, opc_config
from .patch import parse_version

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

SCALARS = {"string": "str", "integer": "int", "boolean": "bool", "number": "float"}
STREAM_KINDS = {"json-stream", "multiplexed"}


@dataclass
class ParamView:
    name: str
    py: str
    type: str
    required: bool
    wire_value: str
    doc: str
    # The spec's default, sent when the caller gives none, for a parameter the daemon
    # cannot do without although the spec calls it optional (`x-docker-send-default`).
    sent_default: str = ""


@dataclass
class BodyView:
    kind: str  # "json" or "binary"
    type: str
    required: bool
    wire_type: str
    check: str = ""  # what a JSON body holds, for the runtime check (see generator/bodies.py)


@dataclass
class OperationView:
    op_id: str
    name: str
    http_method: str
    path: str
    path_fstring: str
    kind: str
    ok_statuses: str
    path_params: list[ParamView] = field(default_factory=list)
    query_params: list[ParamView] = field(default_factory=list)
    header_params: list[ParamView] = field(default_factory=list)
    body: BodyView | None = None
    parse: bool = False
    parse_type: str = "Any"
    parse_code: str = ""
    parse_imports: list[str] = field(default_factory=list)
    return_type: str = "None"
    async_return_type: str = "None"
    runner: str = "call"
    auth_reference: str = ""
    registry_config: bool = False
    docstring: str = ""
    # Parameters of other API versions only (Python name → versions): refused with a VersionError.
    other_params: dict[str, str] = field(default_factory=dict)
    buildkit: bool = False  # images.build: a context first, and buildkit=True (patches.yaml)
    handle_method: str | None = None  # its name on the tag's handle where not `name`; "" for none (patches.yaml)
    # Query parameters given True when the caller gives none of them (logs: both streams).
    both_by_default: list[str] = field(default_factory=list)
    # The operation's own module (generator/share.py pools it) and the class there that the
    # tag's API class inherits the method from; the imports its types need.
    module: str = ""
    mixin: str = ""
    type_imports: list[str] = field(default_factory=list)
    # The TypedDicts of the body (name, [(key, type)], model), defined in the operation's module.
    typed_dicts: list[tuple[str, list[tuple[str, str]], str]] = field(default_factory=list)

    @property
    def dict_names(self) -> list[str]:
        """The TypedDicts the body's type names."""
        return re.findall(r"\b(\w+Dict)\b", self.body.type) if self.body and self.body.check else []

    @property
    def needs_bodies(self) -> bool:
        """The request builder takes the version's body table (a dict body to check, a version to name)."""
        return bool(self.other_params or (self.body and self.body.kind == "json"))

    @property
    def keyword_args(self) -> bool:
        return bool(self.body or self.query_params or self.header_params)


@dataclass
class HandleView:
    class_name: str
    key: str  # the inspect model's attribute that names the resource in paths
    getter: str  # `get`, unless the tag already has an operation of that name
    inspect: OperationView
    methods: list[tuple[str, OperationView]] = field(default_factory=list)
    mixin: str = ""


@dataclass
class TagView:
    spec_tag: str
    attr: str
    class_name: str
    module: str
    title: str
    description: str
    operations: list[OperationView] = field(default_factory=list)
    mixin: str = ""
    handle: HandleView | None = None

    @property
    def needs_auth(self) -> bool:
        return any(op.auth_reference or op.registry_config for op in self.operations)

    @property
    def handle_imports(self) -> list[str]:
        """The imports of the types the handle's methods name (the rest is in the operations' modules)."""
        if self.handle is None:
            return []
        ops = [self.handle.inspect, *(op for _, op in self.handle.methods)]
        lines = {line for op in ops for line in op.type_imports}
        lines |= {f"from ..ops.{op.module} import {name}" for op in ops for name in op.dict_names}
        return sorted(lines)


def _text(value: Any) -> str:
    if value is None:
        return ""
    getter = getattr(value, "get_untrusted_value", None)
    return str(getter() if getter else value)


def _code(value: Any) -> str:
    as_code = getattr(value, "as_unembedded_code", None)
    return str(as_code() if as_code else value)


def _param_type(schema: dict[str, Any], name: str) -> str:
    if name == "filters":
        return "Filters"
    if schema.get("format") == "json":
        return "JSONParam"
    if schema.get("format") == "unix-time":
        return "UnixTime"
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next(k for k in kind if k != "null")
    if "enum" in schema:
        values = ", ".join(json.dumps(v) for v in schema["enum"] if v is not None)
        return f"Literal[{values}] | str"
    if kind == "array":
        item = schema.get("items", {})
        return f"Sequence[{_param_type(item, '')}]"
    return SCALARS.get(str(kind), "Any")


def _wire_value(param: dict[str, Any], py: str) -> str:
    schema = param.get("schema", {})
    if schema.get("format") == "unix-time":
        return f"unix_time({py})"
    if param["name"] == "filters" or schema.get("format") == "json":
        return f"encode_json_param({py})"
    if schema.get("type") == "array":
        return f"list({py})" if param.get("explode") else f'",".join({py})'
    return py


def _wrap(text: str, indent: str = "") -> str:
    lines = []
    for paragraph in text.strip().split("\n"):
        if not paragraph.strip():
            lines.append("")
            continue
        lines.extend(textwrap.wrap(paragraph, 96, subsequent_indent=indent, break_long_words=False) or [""])
    return ("\n" + indent).join(lines) if indent else "\n".join(lines)


def _param_doc(param: dict[str, Any], py: str) -> str:
    desc = " ".join(_text(param.get("description", "")).split())
    default = param.get("schema", {}).get("default")
    if default is not None:
        desc += f" The daemon's default: {json.dumps(default)}."
    return f"{py}: {desc}".strip()


_PASSTHROUGH = {"StringProperty", "IntProperty", "FloatProperty", "BooleanProperty", "AnyProperty", "NoneProperty"}


def _conversion(prop: Any) -> tuple[str, str] | None:
    """How to turn a JSON value into the property's Python value, for the lean
    `from_dict`: ("", "") when the JSON value is already right, else (guard,
    expression) with `{}` standing for the value; None when only
    openapi-python-client's general (slower) code handles it."""
    kind = type(prop).__name__
    if kind in _PASSTHROUGH:
        return "", ""
    if kind == "ModelProperty":
        return "isinstance({}, dict)", f"{prop.class_info.name}.from_dict({{}})"
    if kind == "EnumProperty":
        value_type = "int" if prop.value_type is int else "str"
        return f"isinstance({{}}, {value_type})", f"{prop.class_info.name}({{}})"
    if kind == "DateTimeProperty":
        return "isinstance({}, str)", "parse_timestamp({})"
    if kind == "ListProperty":
        inner = _conversion(prop.inner_property)
        if inner is None or (inner[0] == "" and inner[1] == ""):
            return inner
        guard, expr = inner
        return "isinstance({}, list)", "[" + expr.format("i") + " if " + guard.format("i") + " else i for i in {}]"
    if kind == "UnionProperty":
        members = [p for p in prop.inner_properties if type(p).__name__ != "NoneProperty"]
        conversions = [_conversion(p) for p in members]
        if all(c == ("", "") for c in conversions):
            return "", ""
        if len(members) == 1:
            return conversions[0]
    return None


def shape(prop: Any) -> str | None:
    """What a field holds, as the runtime's LazyModel reads it: "" a JSON value as it is, a
    model's or enum's name, "@" a timestamp, "[…]" a list of one of these; None when only
    openapi-python-client's general code builds it (the same cases as `_conversion`)."""
    kind = type(prop).__name__
    if kind in _PASSTHROUGH:
        return ""
    if kind in ("ModelProperty", "EnumProperty"):
        return str(prop.class_info.name)
    if kind == "DateTimeProperty":
        return "@"
    if kind == "ListProperty":
        inner = shape(prop.inner_property)
        return inner if not inner else f"[{inner}]"
    if kind == "UnionProperty":
        shapes = [shape(p) for p in prop.inner_properties if type(p).__name__ != "NoneProperty"]
        if all(s == "" for s in shapes):
            return ""
        if len(shapes) == 1:
            return shapes[0]
    return None


def lazy_entry(prop: Any) -> str | None:
    """The `_LAZY` table's entry of a field built on first read: (JSON key, shape, what an
    absent field reads as: 0 None, 1 an empty list, 2 an empty map model); None for general code."""
    held = shape(prop)
    if held is None:
        return None
    empty = {"list": 1, "map": 2}.get(prop_kind(prop), 0)
    return f"({json.dumps(_text(prop.name))}, {json.dumps(held)}, {empty})"


SECRET_FIELDS = {"password", "identitytoken", "identity_token", "registrytoken", "registry_token"}


MAP_MODELS: set[str] = set()  # set per version by the Renderer: the models of additional properties only


def prop_kind(prop: Any) -> str:
    """ "list" and "map" read as empty when absent or null (see generator/presence.py); else "value"."""
    if type(prop).__name__ == "ListProperty":
        return "list"
    if type(prop).__name__ == "ModelProperty" and str(prop.class_info.name) in MAP_MODELS:
        return "map"
    return "value"


def empty_value(prop: Any) -> str:
    """What an absent or null field reads as: an empty list or map, or "" for None."""
    kind = prop_kind(prop)
    if kind == "list":
        return "[]"
    if kind == "map":
        return f"{prop.class_info.name}()"
    return ""


def is_optional(type_string: str) -> bool:
    return "None" in type_string.split(" | ") or type_string == "Any"


def field_declaration(prop: Any, model_name: str) -> str:
    """The attrs field line: lists and maps default to empty, a field typed as present to
    ABSENT (None: not sent), others to None; credentials and secret payloads are left out of repr()."""
    name = str(prop.python_name)
    type_string = _code(prop.get_type_string())
    secret = name in SECRET_FIELDS or (model_name.startswith("SecretSpec") and name == "data")
    extra = ", repr=False" if secret else ""
    kind = prop_kind(prop)
    if kind == "list":
        return f"{name}: {type_string} = _field(factory=list{extra})"
    if kind == "map":
        return f"{name}: {type_string} = _field(factory=lambda: {prop.class_info.name}(){extra})"
    if is_optional(type_string):
        return f"{name}: {type_string} = _field(default=None{extra})" if secret else f"{name}: {type_string} = None"
    return f"{name}: {type_string} = _field(default=ABSENT{extra})"


def builds_models(prop: Any) -> bool:
    """Whether the property's value holds generated models (directly, in a list or
    in a union), or needs openapi-python-client's general code: such fields are
    built on first access (see LazyModel in the runtime)."""
    kind = type(prop).__name__
    if kind == "ModelProperty" or _conversion(prop) is None:
        return True
    if kind == "ListProperty":
        return builds_models(prop.inner_property)
    if kind == "UnionProperty":
        return any(builds_models(p) for p in prop.inner_properties)
    return False


def fast_construct(prop: Any) -> str | None:
    """Statements that convert the variable named after the property in place, or None."""
    conversion = _conversion(prop)
    if conversion is None:
        return None
    guard, expr = conversion
    if not expr:
        return ""
    var = str(prop.python_name)
    return f"if {guard.format(var)}:\n    {var} = {expr.format(var)}"


def extra_conversion(prop: Any) -> str | None:
    """An expression converting `v`, a value of a map model, or None when the
    general code is needed; "v" when the JSON value is already right."""
    conversion = _conversion(prop)
    if conversion is None:
        return None
    guard, expr = conversion
    return f"({expr.format('v')} if {guard.format('v')} else v)" if expr else "v"


def credentials_expression(whose: str) -> str:
    """The Python expression, over a generated method's parameters, naming the image or plugin whose
    registry `x-docker-credentials-for` says X-Registry-Auth is for."""
    if whose == "service-spec":
        return "service_image(body)"
    return naming.python_name(whose)


def _rename_model(tag: TagView, name: str) -> None:
    """A handle class takes the name its model has (`Network`, `Volume`): in the tag's
    module the model is imported as `_Network` and every annotation says so."""
    word = re.compile(rf"(?<![\w.]){name}\b")
    for op in tag.operations:
        line = next((i for i in op.type_imports if i.endswith(f" import {name}")), None)
        if line is not None:
            op.type_imports = sorted([i for i in op.type_imports if i != line] + [f"{line} as _{name}"])
            _retype(op, word, f"_{name}", (*SIGNATURE_TYPES, "parse_type"))


# The attributes of an operation's views that hold type annotations of its method's signature.
SIGNATURE_TYPES = ("type", "return_type", "async_return_type")
_LIST = re.compile(r"(?<![\w.])list\[")


def _retype(op: OperationView, pattern: re.Pattern[str], replacement: str, attrs: tuple[str, ...]) -> None:
    """Rewrite `pattern` in the type annotations `attrs` of an operation, its parameters and body."""
    for holder in [op, *op.path_params, *op.query_params, *op.header_params, op.body]:
        for attr in attrs:
            if holder is not None and hasattr(holder, attr):
                setattr(holder, attr, pattern.sub(replacement, getattr(holder, attr)))


class Renderer:
    def __init__(self, data: GeneratorData, oas: dict[str, Any], version: str, output: Path, history: History) -> None:
        self.history = history
        self.data = data
        self.oas = oas
        self.version = version
        self.output = output
        MAP_MODELS.clear()
        MAP_MODELS.update(
            str(m.class_info.name)
            for m in data.models
            if m.additional_properties and not (m.required_properties or m.optional_properties)
        )
        self.bodies = BodyModels(data, oas, MAP_MODELS)
        # openapi-python-client's Project sets up the filters and globals its
        # property templates need; we keep its environment but load our
        # templates first.
        project = Project(openapi=data, config=opc_config(output), custom_template_path=TEMPLATES)
        self.env: Environment = project.env
        self.env.loader = ChoiceLoader([FileSystemLoader(str(TEMPLATES)), PackageLoader("openapi_python_client")])
        self.env.filters.update(TEMPLATE_FILTERS)
        self.env.globals["api_version"] = version
        self.env.globals["fast_construct"] = fast_construct
        self.env.globals["builds_models"] = builds_models
        self.env.globals["extra_conversion"] = extra_conversion
        self.env.globals["field_declaration"] = field_declaration
        self.env.globals["prop_kind"] = prop_kind
        self.env.globals["empty_value"] = empty_value
        self.env.globals["field_since"] = self.field_since
        self.env.globals["shape"] = shape
        self.env.globals["lazy_entry"] = lazy_entry
        self.env.globals["mixins_of_handles"] = naming.MIXINS_OF_HANDLES
        self._construct = self.env.from_string(
            '{% import "property_templates/" + prop.template as t %}'
            "{% if t.construct %}{{ t.construct(prop, 'data') }}{% endif %}"
        )

    # -- API versions --------------------------------------------------------

    def since(self, key: str, *, newer_than: str | None = None) -> str:
        """ " (added in API v1.XX; removed after v1.YY)" for keys newer than the oldest spec
        (or than `newer_than`: a parameter is annotated when newer than its operation)."""
        try:
            added = self.history.added_in(key)
            removed = self.history.removed_after(key)
            floor = self.history.added_in(newer_than) if newer_than else self.history.versions[0]
        except KeyError:
            return ""
        notes = [f"added in API v{added}"] if parse_version(added) > parse_version(floor) else []
        if removed is not None:
            notes.append(f"removed after API v{removed}")
        return f" ({'; '.join(notes)})" if notes else ""

    def field_since(self, class_name: Any, prop_name: Any) -> str:
        try:
            key = self.history.component_field_key(_text(class_name), _text(prop_name))
            return self.since(key, newer_than=self.history.component_key(_text(class_name)))
        except KeyError:
            return ""

    def other_params(self, op_id: str, raw: dict[str, Any]) -> dict[str, str]:
        """Query and header parameters of this operation that exist in other API versions only."""
        here = {p["name"] for p in raw.get("parameters", [])}
        out: dict[str, str] = {}
        for location in ("query", "header"):
            prefix = f"param:{op_id}:{location}:"
            for key in self.history.keys(prefix):
                name = key[len(prefix) :]
                if name not in here and not self.history.exists_in(key, self.version):
                    out[naming.python_name(name)] = self.spans_text(key)
        return dict(sorted(out.items()))

    def spans_text(self, key: str) -> str:
        return ", ".join(f"v{a}" if a == b else f"v{a}–v{b}" for a, b in self.history.spans(key))

    def other_fields(self) -> dict[str, dict[str, str]]:
        """For each model a JSON body can hold: its keys that exist in other API versions only."""
        out: dict[str, dict[str, str]] = {}
        for name, model in self.bodies.reached.items():
            try:
                path = self.history.component_key(name).split(":", 1)[1]
            except KeyError:
                continue
            here = {_text(p.name) for p in self.bodies.fields(model)}
            prefix = f"field:{path}."
            found = {}
            for key in self.history.keys(prefix):
                rest = key[len(prefix) :]
                if rest in here or any(c in rest for c in ".[{") or self.history.exists_in(key, self.version):
                    continue
                found[rest] = self.spans_text(key)
            if found:
                out[name] = found
        return out

    # -- views -------------------------------------------------------------

    def _raw_operation(self, path: str, method: str) -> dict[str, Any]:
        op: dict[str, Any] = self.oas["paths"][path][method]
        return op

    def operation_view(self, endpoint: Any) -> OperationView:
        path = _text(endpoint.path)
        raw = self._raw_operation(path, endpoint.method)
        op_id = raw["operationId"]
        tag = (raw.get("tags") or ["default"])[0]
        kind = raw.get("x-docker-returns") or raw["x-docker-response"]
        statuses = sorted(int(c) for c in raw["responses"] if c.startswith("2") or c == "304")
        view = OperationView(
            op_id=op_id,
            name=raw.get("x-docker-method") or naming.method_name(op_id, tag),
            http_method=endpoint.method.upper(),
            path=path,
            path_fstring=path,
            kind=kind,
            ok_statuses="(" + ", ".join(map(str, statuses)) + ("," if len(statuses) == 1 else "") + ")",
        )
        docs: list[str] = []
        for param in raw.get("parameters", []):
            py = naming.python_name(param["name"])
            if "x-docker-format" in param:  # json, unix-time (patches.yaml)
                param = {**param, "schema": {**param.get("schema", {}), "format": param["x-docker-format"]}}
            schema = param.get("schema", {})
            pv = ParamView(
                name=param["name"],
                py=py,
                type=_param_type(schema, param["name"]),
                required=bool(param.get("required")),
                wire_value=_wire_value(param, py),
                doc=_param_doc(param, py)
                + self.since(param_key(op_id, param["in"], param["name"]), newer_than=op_key(op_id)),
                sent_default=repr(schema["default"]) if param.get("x-docker-send-default") else "",
            )
            docs.append(pv.doc)
            if param["in"] == "path":
                view.path_params.append(pv)
                view.path_fstring = view.path_fstring.replace("{" + param["name"] + "}", "{_q(" + py + ")}")
            elif param["in"] == "query":
                view.query_params.append(pv)
            else:
                view.header_params.append(pv)
        if raw.get("x-docker-both-streams"):
            view.both_by_default = [p.py for p in view.query_params if p.name in ("stdout", "stderr")]
            docs.append("stdout, stderr: when neither is given, both are returned (as `docker logs` does).")
        view.other_params = self.other_params(op_id, raw)
        view.buildkit = bool(raw.get("x-docker-buildkit"))
        view.handle_method = raw.get("x-docker-handle-method")
        for header in view.header_params:
            if header.name == "X-Registry-Auth":
                whose = raw.get("x-docker-credentials-for")
                if not whose:
                    raise GenerationError(
                        f"v{self.version}: {op_id} takes X-Registry-Auth; say whose registry it is for with "
                        "x-docker-credentials-for in generator/patches.yaml"
                    )
                view.auth_reference = credentials_expression(whose)
                header.required = False
            elif header.name == "X-Registry-Config":
                view.registry_config = True
        if view.auth_reference:
            docs.append(
                "auth: registry credentials (`AuthConfig`); None for an anonymous request. By default they are "
                "resolved for the image's registry from the docker config (credHelpers, credsStore, auths), "
                "like the CLI. x_registry_auth, when given, is sent as it is instead."
            )
        if view.registry_config:
            docs.append(
                "x_registry_config: by default, the credentials of every registry the docker config knows "
                "(for FROM images in private registries)."
            )
        body = raw.get("requestBody")
        if body is not None:
            wire = body["x-docker-request"]
            if wire == "application/json":
                prop = endpoint.bodies[0].prop
                self.bodies.add_root(prop)
                base = _code(prop.get_type_string(no_optional=True))
                typed = self.bodies.td_type(prop)
                if type(prop).__name__ == "ModelProperty":
                    body_type = f"{base} | {typed} | Unchecked"
                else:
                    body_type = f"{base} | {typed}" if typed != base else base
                view.body = BodyView("json", body_type, bool(body.get("required")), wire, check=self.bodies.kind(prop))
            else:
                view.body = BodyView("binary", "RequestContent", bool(body.get("required")), wire)
            docs.append(
                "body: "
                + " ".join(_text(body.get("description", "The request body.")).split())
                + self.since(param_key(op_id, "body", "body"), newer_than=op_key(op_id))
            )
        self._returns(endpoint, raw, view)
        view.docstring = self._docstring(raw, docs, view)
        # Inside the API classes a method named `list` shadows the builtin.
        _retype(view, _LIST, "builtins.list[", SIGNATURE_TYPES)
        return view

    def _returns(self, endpoint: Any, raw: dict[str, Any], view: OperationView) -> None:
        kind = view.kind
        if kind == "json":
            code = next(c for c, r in raw["responses"].items() if c.startswith("2") and "content" in r)
            pattern = next(p for p in endpoint.responses.patterns if p.status_code.range[0] == int(code))
            prop = pattern.prop
            view.parse = True
            view.parse_type = _code(prop.get_type_string())
            construct = self._construct.render(prop=prop).strip()
            if construct:
                view.parse_code = construct + f"\nreturn {prop.python_name}"
                view.parse_imports = sorted(
                    i for i in prop.get_imports(prefix="..") | prop.get_lazy_imports(prefix="..") if "models" in i
                )
            others = [c for c in view.ok_statuses.strip("(),").split(", ") if c != code]
            view.return_type = view.parse_type + (" | None" if others else "")
        elif kind == "empty":
            view.return_type = "None"
        elif kind == "text":
            view.return_type = "str"
        elif kind == "head":
            view.return_type = "Headers"
        elif kind == "binary":
            view.return_type = "BinaryStream"
            view.async_return_type = "AsyncBinaryStream"
            view.runner = "stream"
        elif kind == "path-stat":
            view.return_type = "PathStat"
        elif kind == "websocket":
            view.return_type = "WebSocketStream"
            view.async_return_type = "AsyncWebSocketStream"
            view.runner = "websocket"
        elif kind == "session":
            view.return_type = "BuildSession"
            view.runner = "session"
        elif kind == "json-stream":
            item = raw.get("x-docker-stream-item")
            if item:
                module = self._model_modules()[item]
                view.parse = True
                view.parse_type = item
                view.parse_code = f"return {item}.from_dict(data)"
                view.parse_imports = [f"from ..models.{module} import {item}"]
            else:
                view.parse = True
                view.parse_type = "dict[str, Any]"
            view.return_type = f"JSONStream[{view.parse_type}]"
            view.async_return_type = f"AsyncJSONStream[{view.parse_type}]"
            view.runner = "stream"
        elif kind == "multiplexed":
            view.return_type = "FrameStream"
            view.async_return_type = "AsyncFrameStream"
            view.runner = "stream"
        else:
            raise GenerationError(f"v{self.version}: {view.op_id}: unknown response kind {kind!r}")
        if kind not in STREAM_KINDS and kind not in ("binary", "websocket"):
            view.async_return_type = view.return_type

    def _docstring(self, raw: dict[str, Any], docs: list[str], view: OperationView) -> str:
        parts = []
        summary = _text(raw.get("summary", "")).strip()
        parts.append(summary or view.op_id)
        description = _text(raw.get("description", "")).strip()
        if description:
            parts.append(_wrap(description))
        route = self.since(route_key(view.http_method, view.path)).strip(" ()")
        parts.append(
            f"`{view.http_method} {view.path}` (operation `{view.op_id}`)."
            + (f" {route.capitalize()}." if route else "")
        )
        if raw.get("deprecated"):
            parts.append("Deprecated by the API.")
        if docs:
            parts.append("Args:\n    " + "\n    ".join(_wrap(d, "        ") for d in docs))
        returns = {
            "empty": "None.",
            "text": "The response text.",
            "head": "The response headers.",
            "binary": "The body as a `BinaryStream`: iterate for chunks, `write_to(file)`, or `read()`.",
            "path-stat": "The path's stat (`X-Docker-Container-Path-Stat`, decoded).",
            "websocket": "The open `WebSocketStream`: `send()` to stdin, `recv()` or iterate for the output, `close()`.",
            "session": (
                "The started `BuildSession` (close it, or use it as a context manager): add what the build may"
                " read with `add_dir(name, path)` (`context`, `dockerfile`) and `add_secret(id, value)`, then"
                ' `images.build(version="2", session=session.id, remote="client-session")`; its'
                " `moby.buildkit.trace` messages decode with `decode_trace(info.aux)`."
                " `images.build_image(context, buildkit=True)` does all of this."
            ),
            "json-stream": "An iterator of the streamed JSON messages; an error message in the stream raises `StreamError`.",
            "multiplexed": "An iterator of `Frame`s (stream, data).",
        }.get(view.kind, f"`{view.return_type}`.")
        parts.append("Returns:\n    " + returns)
        parts.append("Raises:\n    DockerError: for a non-success status (a subclass per kind, e.g. NotFoundError).")
        return safe_for_docstring("\n\n".join(parts))

    def _model_modules(self) -> dict[str, str]:
        if not hasattr(self, "_modules"):
            self._modules = {str(m.class_info.name): str(m.class_info.module_name) for m in self.data.models}
            self._modules.update({str(e.class_info.name): str(e.class_info.module_name) for e in self.data.enums})
        return self._modules

    def tag_views(self) -> list[TagView]:
        tags: dict[str, TagView] = {}
        descriptions = {t["name"]: t.get("description", "") for t in self.oas.get("tags", [])}
        for collection in self.data.endpoint_collections_by_tag.values():
            for endpoint in collection.endpoints:
                raw = self._raw_operation(_text(endpoint.path), endpoint.method)
                spec_tag = (raw.get("tags") or ["default"])[0]
                attr = naming.tag_attr(spec_tag)
                view = tags.get(attr)
                if view is None:
                    title = naming.class_name(attr)
                    view = TagView(spec_tag, attr, title, attr, title, descriptions.get(spec_tag, ""))
                    view.mixin = naming.MIXINS.get(attr, "")
                    tags[attr] = view
                op = self.operation_view(endpoint)
                if any(o.name == op.name for o in view.operations):
                    raise GenerationError(f"v{self.version}: two operations of {attr} are named {op.name!r}")
                view.operations.append(op)
                imports: set[str] = set()
                for prop in [b.prop for b in endpoint.bodies] + [p.prop for p in endpoint.responses.patterns]:
                    imports |= {
                        i for i in prop.get_imports(prefix="..") | prop.get_lazy_imports(prefix="..") if "models" in i
                    }
                for line in op.parse_imports:
                    imports.add(line)
                op.type_imports = sorted(imports)
                op.module = f"{attr}_{op.name}"
                # `Op`: a model may have the plain name (`SystemInfo`, `DistributionInspect`).
                op.mixin = view.class_name + "".join(part.capitalize() for part in op.name.split("_")) + "Op"
        for view in tags.values():
            view.operations.sort(key=lambda o: o.name)
            if not view.description:
                view.description = f"Operations tagged {view.spec_tag!r} in the spec."
            view.handle = self.handle_view(view)
            if view.handle:
                _rename_model(view, view.handle.class_name)
        return sorted(tags.values(), key=lambda t: t.attr)

    def handle_view(self, tag: TagView) -> HandleView | None:
        if tag.attr not in naming.HANDLES:
            return None
        class_name, key = naming.HANDLES[tag.attr]
        names = {op.name for op in tag.operations}
        inspect = next((op for op in tag.operations if op.name == "inspect"), None)
        if inspect is None:
            raise GenerationError(f"v{self.version}: {tag.attr} has a handle ({class_name}) but no inspect operation")
        getter = "get" if "get" not in names else "get_" + naming.snake(class_name)
        if getter in names or "handle" in names:
            raise GenerationError(f"v{self.version}: {tag.attr} already has an operation named {getter!r} or 'handle'")
        handle = HandleView(class_name, key, getter, inspect, mixin=naming.HANDLE_MIXINS.get(tag.attr, ""))
        prefix = f"/{tag.attr}/{{"
        for op in tag.operations:
            if not op.path.startswith(prefix) or not op.path_params:
                continue
            # patches.yaml may rename it on the handle, or keep it off ("").
            name = op.handle_method if op.handle_method is not None else op.name
            if name:
                handle.methods.append((name, op))
        handle.methods.sort(key=lambda item: item[0])
        return handle

    # -- files -------------------------------------------------------------

    def _write(self, relative: str, text: str) -> None:
        path = self.output / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def _place_typed_dicts(
        self, tags: list[TagView], typed_dicts: list[tuple[str, list[tuple[str, str]], str]]
    ) -> dict[str, str]:
        """Give each operation the TypedDicts its body reaches (a few are in two operations'
        modules: structural types, so either serves); answer where `dicts.py` finds each."""
        table = {name: (name, items, model) for name, items, model in typed_dicts}
        home: dict[str, str] = {}
        for op in sorted((op for tag in tags for op in tag.operations), key=lambda o: o.module):
            reached: set[str] = set()
            todo = list(op.dict_names)
            while todo:
                name = todo.pop()
                if name not in reached:
                    reached.add(name)
                    todo.extend(u for u in re.findall(r"\b(\w+Dict)\b", str(table[name][1])) if u in table)
            op.typed_dicts = [table[name] for name in sorted(reached)]
            for name in reached:
                home.setdefault(name, op.module)
        missing = sorted(table.keys() - home.keys())
        if missing:
            raise GenerationError(f"v{self.version}: TypedDicts no operation's body reaches: {', '.join(missing)}")
        return home

    def render(self) -> None:
        """Write the version package, and its share of `_shared` beside it (see generator/share.py)."""
        env = self.env
        pooled: dict[str, str] = {}
        models: list[tuple[str, str]] = []
        model_template = env.get_template("model.py.jinja")
        for model in self.data.models:
            assert isinstance(model, ModelProperty)
            pooled[f"models/{model.class_info.module_name}"] = model_template.render(model=model)
            models.append((model.class_info.name, model.class_info.module_name))
        for enum in self.data.enums:
            template = "int_enum.py.jinja" if enum.value_type is int else "str_enum.py.jinja"
            pooled[f"models/{enum.class_info.module_name}"] = env.get_template(template).render(enum=enum)
            models.append((enum.class_info.name, enum.class_info.module_name))
        models.sort()
        tags = self.tag_views()
        tag_template = env.get_template("tag_module.py.jinja")
        op_template = env.get_template("op_module.py.jinja")
        typed_dicts = self.bodies.typed_dicts()
        home = self._place_typed_dicts(tags, typed_dicts)
        for tag in tags:
            pooled[f"api/{tag.module}"] = tag_template.render(tag=tag)
            for op in tag.operations:
                pooled[f"ops/{op.module}"] = op_template.render(tag=tag, op=op)
        shared = share.pool(pooled)
        share.write(shared, self.output.parent / share.SHARED)

        models = [(name, shared.names[f"models/{module}"]) for name, module in models]
        classes = []
        for tag in tags:
            names = [tag.class_name + "API"] + ([tag.handle.class_name] if tag.handle else [])
            classes += [(p + n, shared.names[f"api/{tag.module}"]) for n in names for p in ("", "Async")]
        for path, what, kind, table in (
            ("models/__init__", "models", "models", models),
            ("api", "the API classes and handles", "api", sorted(classes)),
        ):
            for suffix in (".py", ".pyi"):
                lazy = env.get_template(f"lazy_init{suffix}.jinja")
                self._write(path + suffix, lazy.render(what=what, kind=kind, models=table))
        stub = env.get_template("stub.py.jinja")
        names = [name for name, _, _ in typed_dicts]
        homes = sorted({home[name] for name in names})
        imports = [(shared.module(f"ops/{h}"), [n for n in names if home[n] == h]) for h in homes]
        self._write("dicts.py", stub.render(what="request bodies as TypedDicts", imports=imports, names=names))
        self._write(
            "_bodies.py",
            f'"""Docker Engine API v{self.version}: what each JSON request body may hold (generated; do not edit)."""\n\n'
            f'VERSION = "{self.version}"\n\n' + self.bodies.table(self.other_fields()),
        )
        self._write("client.py", env.get_template("client.py.jinja").render(tags=tags))
        handle_names = sorted(p + t.handle.class_name for t in tags if t.handle for p in ("", "Async"))
        self._write("handles.py", env.get_template("handles.py.jinja").render(tags=tags, handle_names=handle_names))
        self._write("types.py", env.get_template("types.py.jinja").render())
        self._write("__init__.py", env.get_template("package_init.py.jinja").render())
        self._write("py.typed", "")
