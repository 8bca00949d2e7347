"""Names of the generated API: tag attributes and method names.

The rule: a method is its operationId without the tag prefix, in snake_case
(`ContainerList` → `containers.list`). The few operationIds that do not start
with their tag are named in generator/patches.yaml (`x-docker-method`), with the
other per-operation facts the spec lacks.
"""

from __future__ import annotations

import keyword
import re

# Spec tag → (attribute on Docker, class name, module name).
TAGS: dict[str, str] = {
    "Container": "containers",
    "Image": "images",
    "Network": "networks",
    "Volume": "volumes",
    "Exec": "exec",
    "Swarm": "swarm",
    "Node": "nodes",
    "Service": "services",
    "Task": "tasks",
    "Secret": "secrets",
    "Config": "configs",
    "Plugin": "plugins",
    "System": "system",
    "Distribution": "distribution",
    "Session": "session",
    "Session (experimental)": "session",
}


# Tag attribute → the overlay mixin (in docker_engine._mixins) its classes inherit:
# handwritten operations the spec cannot describe (run, interactive attach/exec).
MIXINS: dict[str, str] = {"containers": "ContainersMixin", "exec": "ExecMixin", "images": "ImagesMixin"}


# Tag attribute → (handle class, the attribute of its inspect model that names the
# resource in the tag's paths). A handle (`docker.containers.get(id)`) is bound to a
# client and one resource: every operation of the tag whose path starts with
# `/<tag>/{…}` becomes a method taking that resource implicitly. Volumes and plugins
# are addressed by name, the others by ID.
HANDLES: dict[str, tuple[str, str]] = {
    "containers": ("Container", "id"),
    "images": ("Image", "id"),
    "networks": ("Network", "id"),
    "volumes": ("Volume", "name"),
    "exec": ("Exec", "id"),
    "services": ("Service", "id"),
    "nodes": ("Node", "id"),
    "secrets": ("Secret", "id"),
    "configs": ("Config", "id"),
    "plugins": ("Plugin", "name"),
    "tasks": ("Task", "id"),
}

# Tags whose mixin returns handles (`run(detach=True)` → Container): generic in the handle class.
MIXINS_OF_HANDLES: frozenset[str] = frozenset({"containers"})

# Handle overlays (in docker_engine._handles) with handwritten methods (`exec_run`).
HANDLE_MIXINS: dict[str, str] = {"containers": "ContainerHandleMixin"}


class NamingError(Exception):
    pass


def snake(name: str) -> str:
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    s = re.sub(r"[^0-9A-Za-z]+", "_", s).strip("_").lower()
    return s


def python_name(wire: str) -> str:
    """A parameter's Python name: the spec's name in snake_case (`fromImage` → `from_image`)."""
    name = snake(wire)
    if keyword.iskeyword(name) or name in ("self", "body", "request"):
        name += "_"
    return name


def tag_attr(tag: str) -> str:
    try:
        return TAGS[tag]
    except KeyError:
        raise NamingError(f"tag {tag!r} has no attribute name; add it to generator/naming.py TAGS") from None


def method_name(operation_id: str, tag: str) -> str:
    """The rule; where it does not fit, patches.yaml names the method (`x-docker-method`)."""
    prefix = tag.split(" ")[0]
    if not operation_id.startswith(prefix) or operation_id == prefix:
        raise NamingError(
            f"operationId {operation_id!r} does not start with its tag {tag!r}; "
            "name its method with x-docker-method in generator/patches.yaml"
        )
    return snake(operation_id[len(prefix) :])


def class_name(attr: str) -> str:
    return attr[:1].upper() + attr[1:]
