"""Names of the generated API: tag attributes and method names.

The rule: a method is its operationId without the tag prefix, in snake_case
(`ContainerList` → `containers.list`). The override table holds the few
operationIds that do not start with their tag.
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

# operationId → method name, where the rule does not fit.
METHOD_OVERRIDES: dict[str, str] = {
    "ContainerExec": "create",  # POST /containers/{id}/exec creates an exec instance
    "PutContainerArchive": "put_archive",
    "ContainerArchiveHead": "archive_info",  # renamed ContainerArchiveInfo in 1.28
    "GetPluginPrivileges": "privileges",
    "BuildPrune": "build_prune",
    "Session": "start",
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

# operationId → its method name on a handle where the tag's name would mislead:
# `image.save()` (the tag's `images.get(name)` is the tar export); push takes a
# repository name, not the image ID a handle holds, so it stays on `images`.
HANDLE_METHODS: dict[str, str | None] = {"ImageGet": "save", "ImagePush": None}


# operationId → the Python expression (over the method's parameters) naming the
# image or plugin whose registry needs credentials; the generated `auth=`
# argument resolves them from the docker config when not given.
AUTH_REFERENCE: dict[str, str] = {
    "ImageCreate": "from_image",
    "ImagePush": "name",
    "PluginPull": "remote",
    "PluginUpgrade": "remote",
    "PluginPush": "name",
    "GetPluginPrivileges": "remote",
    "DistributionInspect": "name",
    "ServiceCreate": "service_image(body)",
    "ServiceUpdate": "service_image(body)",
}


# Query parameters whose value is JSON text although the spec says only
# "string": they take a mapping or list too (encoded for the wire).
JSON_QUERY_PARAMS: set[tuple[str, str]] = {
    ("ImageBuild", "buildargs"),
    ("ImageBuild", "labels"),
    ("ImageBuild", "cachefrom"),
    ("ImageBuild", "outputs"),
}


# Query parameters that are points in time (Unix seconds on the wire): they take a datetime too.
TIMESTAMP_QUERY_PARAMS: set[tuple[str, str]] = {
    ("ContainerLogs", "since"),
    ("ContainerLogs", "until"),
    ("ServiceLogs", "since"),
    ("TaskLogs", "since"),
    ("SystemEvents", "since"),
    ("SystemEvents", "until"),
}

# Operations whose stdout/stderr flags are both on when the caller sets neither (as `docker logs`).
BOTH_STREAMS_BY_DEFAULT = {"ContainerLogs", "ServiceLogs", "TaskLogs"}


# HEAD operations whose answer is the X-Docker-Container-Path-Stat header: they return it decoded.
PATH_STAT_OPERATIONS = {"ContainerArchiveInfo", "ContainerArchiveHead"}

# Operations that upgrade the connection to a WebSocket: they return the open socket.
WEBSOCKET_OPERATIONS = {"ContainerAttachWebsocket"}


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
    if operation_id in METHOD_OVERRIDES:
        return METHOD_OVERRIDES[operation_id]
    prefix = tag.split(" ")[0]
    if not operation_id.startswith(prefix) or operation_id == prefix:
        raise NamingError(
            f"operationId {operation_id!r} does not start with its tag {tag!r}; "
            "add it to generator/naming.py METHOD_OVERRIDES"
        )
    return snake(operation_id[len(prefix) :])


def class_name(attr: str) -> str:
    return attr[:1].upper() + attr[1:]
