"""Generated models (v1.41, v1.56) on realistic daemon JSON: exact round trips,
unknown fields and null arrays/maps kept, open enums."""

from __future__ import annotations

import copy
import importlib
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

VERSIONS = ["1.41", "1.56"]


@pytest.fixture(autouse=True)
def _hermetic_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_TLS", "DOCKER_CERT_PATH", "DOCKER_CONTEXT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker-config"))


def model(version: str, name: str) -> Any:
    return getattr(importlib.import_module(f"docker_engine.v{version.replace('.', '_')}.models"), name)


INSPECT: dict[str, Any] = {
    "Id": "4fa6e0f0c6786287e131c3852c58a2e01cc697a68231826813597e4994f1d6e2",
    "Created": "2015-01-06T15:47:31.485331387Z",
    "Path": "/bin/sh",
    "Args": None,
    "State": {
        "Status": "hibernating",
        "Running": False,
        "Paused": False,
        "Restarting": False,
        "OOMKilled": False,
        "Dead": False,
        "Pid": 0,
        "ExitCode": 0,
        "Error": "",
        "StartedAt": "2015-01-06T15:47:32.072697474Z",
        "FinishedAt": "0001-01-01T00:00:00Z",
        "Health": None,
        "FutureStateField": {"nested": [1, None]},
    },
    "Image": "sha256:04c5d3b7b0656168630d3ba35d8889bd0e9caafcaeb3004d2bfbc47e7c5d35d2",
    "ResolvConfPath": "/var/lib/docker/containers/4fa6/resolv.conf",
    "HostnamePath": "/var/lib/docker/containers/4fa6/hostname",
    "HostsPath": "/var/lib/docker/containers/4fa6/hosts",
    "LogPath": "/var/lib/docker/containers/4fa6/4fa6-json.log",
    "Name": "/boring_euclid",
    "RestartCount": 0,
    "Driver": "overlay2",
    "Platform": "linux",
    "MountLabel": "",
    "ProcessLabel": "",
    "AppArmorProfile": "",
    "ExecIDs": None,
    "HostConfig": {
        "Binds": None,
        "NetworkMode": "default",
        "PortBindings": {},
        "RestartPolicy": {"Name": "no", "MaximumRetryCount": 0},
        "AutoRemove": False,
        "VolumeDriver": "",
        "VolumesFrom": None,
        "CapAdd": None,
        "CapDrop": None,
        "Dns": [],
        "DnsOptions": [],
        "DnsSearch": [],
        "ExtraHosts": None,
        "Links": None,
        "LogConfig": {"Type": "json-file", "Config": {}},
        "Memory": 0,
        "Devices": [],
        "Ulimits": None,
        "MaskedPaths": ["/proc/asound"],
        "ReadonlyPaths": ["/proc/bus"],
        "Tmpfs": None,
        "Isolation": "",
        "SomeNewHostConfigKnob": True,
    },
    "GraphDriver": {"Name": "overlay2", "Data": {"LowerDir": "/var/lib/docker/overlay2/l1", "MergedDir": "/m"}},
    "Mounts": [
        {
            "Type": "volume",
            "Name": "data",
            "Source": "/var/lib/docker/volumes/data/_data",
            "Destination": "/data",
            "Driver": "local",
            "Mode": "z",
            "RW": True,
            "Propagation": "",
        }
    ],
    "Config": {
        "Hostname": "4fa6e0f0c678",
        "Domainname": "",
        "User": "",
        "AttachStdin": False,
        "AttachStdout": True,
        "AttachStderr": True,
        "ExposedPorts": None,
        "Tty": False,
        "OpenStdin": False,
        "StdinOnce": False,
        "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
        "Cmd": ["/bin/sh"],
        "Image": "alpine",
        "Volumes": None,
        "WorkingDir": "",
        "Entrypoint": None,
        "OnBuild": None,
        "Labels": {"com.example.vendor": "Acme"},
    },
    "NetworkSettings": {
        "Bridge": "",
        "SandboxID": "",
        "HairpinMode": False,
        "Ports": {},
        "SandboxKey": "",
        "SecondaryIPAddresses": None,
        "SecondaryIPv6Addresses": None,
        "EndpointID": "",
        "Gateway": "",
        "IPAddress": "",
        "IPPrefixLen": 0,
        "MacAddress": "",
        "Networks": {
            "bridge": {
                "IPAMConfig": None,
                "Links": None,
                "Aliases": None,
                "NetworkID": "7ea29fc1412292a2d7bba362f9253545fecdfa8ce9a6e37dd10ba8bee7129812",
                "EndpointID": "",
                "Gateway": "",
                "IPAddress": "",
                "IPPrefixLen": 0,
                "IPv6Gateway": "",
                "GlobalIPv6Address": "",
                "GlobalIPv6PrefixLen": 0,
                "MacAddress": "",
                "DriverOpts": None,
            }
        },
    },
    "AnUnknownTopLevelField": [1, "two", None],
}


@pytest.fixture(params=VERSIONS)
def version(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_container_inspect_round_trips_exactly(version: str) -> None:
    cls = model(version, "ContainerInspectResponse")
    source = copy.deepcopy(INSPECT)
    parsed = cls.from_dict(source)
    assert parsed.to_dict() == INSPECT
    assert source == INSPECT  # from_dict does not consume its input
    assert json.loads(json.dumps(parsed.to_dict())) == INSPECT


def without_empty(value: Any) -> Any:
    """`value` without the null, [] and {} values of its objects (what a model built by hand sends)."""
    if isinstance(value, dict):
        return {k: without_empty(v) for k, v in value.items() if v is not None and v != [] and v != {}}
    if isinstance(value, list):
        return [without_empty(v) for v in value]
    return value


def test_container_inspect_typed_access(version: str) -> None:
    parsed = model(version, "ContainerInspectResponse").from_dict(INSPECT)
    assert parsed.id == INSPECT["Id"]
    assert parsed.name == "/boring_euclid"
    assert parsed.args == []  # a null array reads as empty (and is sent back as null)
    assert parsed.exec_i_ds == []
    assert parsed.state.running is False
    assert parsed.state.health is None
    assert parsed.host_config.binds == []
    assert parsed.host_config.dns == []
    assert parsed.host_config.restart_policy.maximum_retry_count == 0
    assert parsed.mounts[0].destination == "/data"
    assert parsed.mounts[0].rw is True
    assert parsed.config.cmd == ["/bin/sh"]
    assert parsed.network_settings.networks["bridge"].network_id.startswith("7ea29fc1")
    assert parsed.additional_properties == {"AnUnknownTopLevelField": [1, "two", None]}
    assert parsed.host_config.additional_properties["SomeNewHostConfigKnob"] is True
    assert parsed.state.additional_properties == {"FutureStateField": {"nested": [1, None]}}


def test_unknown_enum_value_is_accepted_and_preserved(version: str) -> None:
    status_enum = model(version, "ContainerStateStatus")
    parsed = model(version, "ContainerInspectResponse").from_dict(INSPECT)
    status = parsed.state.status
    assert isinstance(status, status_enum)
    assert status == "hibernating"
    assert str(status) == "hibernating"
    assert status.value == "hibernating"
    assert parsed.state.to_dict()["Status"] == "hibernating"
    assert status_enum("running") is status_enum.RUNNING  # known values stay the members
    assert status_enum("hibernating") == status


def test_known_enum_values(version: str) -> None:
    status_enum = model(version, "ContainerStateStatus")
    state = model(version, "ContainerState").from_dict({"Status": "exited", "ExitCode": 137})
    assert state.status is status_enum.EXITED
    assert state.to_dict() == {"Status": "exited", "ExitCode": 137}


def test_inspect_over_the_client(version: str) -> None:
    package = importlib.import_module(f"docker_engine.v{version.replace('.', '_')}")

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=INSPECT)

    with package.Docker("unix:///nonexistent.sock", transport=httpx.MockTransport(handler)) as docker:
        inspected = docker.containers.inspect("boring_euclid")
    assert type(inspected).__name__ == "ContainerInspectResponse"
    assert inspected.to_dict() == INSPECT
    assert inspected.state.status == "hibernating"


def test_models_can_be_built_and_modified(version: str) -> None:
    create_request = model(version, "ContainerCreateRequest")
    body = create_request(image="alpine", cmd=["sh", "-c", "exit 3"], env=[], hostname=None)
    body.additional_properties["Future"] = {"x": 1}
    data = body.to_dict()
    assert data["Image"] == "alpine"
    assert data["Cmd"] == ["sh", "-c", "exit 3"]
    assert "Env" not in data  # empty lists and None are not sent (the daemon reads them as absent)
    assert "Hostname" not in data
    assert "Entrypoint" not in data  # fields not given are not sent at all
    assert data["Future"] == {"x": 1}
    assert create_request.from_dict(data).to_dict() == data


def test_event_message_with_unknown_type(version: str) -> None:
    event = {
        "Type": "volume-snapshot",
        "Action": "freeze",
        "Actor": {"ID": "v1", "Attributes": {"driver": "local"}},
        "scope": "swarm-ish",
        "time": 1,
        "timeNano": 1000000001,
        "extra": True,
    }
    parsed = model(version, "EventMessage").from_dict(event)
    assert parsed.type_ == "volume-snapshot"
    assert parsed.scope == "swarm-ish"
    assert parsed.actor.attributes["driver"] == "local"
    assert parsed.to_dict() == event


json_leaf = st.none() | st.booleans() | st.integers(-(2**31), 2**31) | st.text(max_size=10)
json_any = st.recursive(
    json_leaf,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=10,
)
known_keys = {"Id", "Created", "Path", "Args", "State", "Image", "Name", "Config", "HostConfig", "Mounts"}


def _inspect_fields() -> frozenset[str]:
    """Every JSON key ContainerInspectResponse declares in some version (`SizeRootFs`, …): not unknown."""
    return frozenset().union(*(model(v, "ContainerInspectResponse")._json_keys() for v in VERSIONS))


@settings(max_examples=150, deadline=None, database=None)
@given(
    extra=st.dictionaries(
        st.text(min_size=1, max_size=12).filter(lambda k: k not in INSPECT and k not in _inspect_fields()),
        json_any,
        max_size=5,
    ),
    version=st.sampled_from(VERSIONS),
)
def test_fuzz_unknown_fields_survive_a_round_trip(extra: dict[str, Any], version: str) -> None:
    cls = model(version, "ContainerInspectResponse")
    source = {**INSPECT, **extra}
    parsed = cls.from_dict(source)
    assert parsed.to_dict() == source
    assert set(parsed.additional_properties) == set(extra) | {"AnUnknownTopLevelField"}
    assert known_keys.isdisjoint(parsed.additional_properties)


@settings(max_examples=150, deadline=None, database=None)
@given(
    status=st.text(min_size=1, max_size=20),
    version=st.sampled_from(VERSIONS),
)
def test_fuzz_any_state_status_round_trips(status: str, version: str) -> None:
    state = model(version, "ContainerState").from_dict({"Status": status})
    assert state.status == status
    assert state.to_dict() == {"Status": status}


# -- nested models are built on first access (LazyModel) ------------------------


def _slot_is_empty(obj: Any, name: str) -> bool:
    try:
        object.__getattribute__(obj, name)
    except AttributeError:
        return True
    return False


def test_nested_models_are_built_on_first_access_and_kept(version: str) -> None:
    parsed = model(version, "ContainerInspectResponse").from_dict(INSPECT)
    assert not _slot_is_empty(parsed, "id")  # plain fields are set by from_dict
    assert _slot_is_empty(parsed, "host_config")
    assert _slot_is_empty(parsed, "additional_properties")
    host_config = parsed.host_config
    assert host_config is parsed.host_config  # built once, then a plain attribute
    assert not _slot_is_empty(parsed, "host_config")
    assert host_config.restart_policy.name == "no"


def test_a_field_set_before_it_is_read_wins(version: str) -> None:
    cls = model(version, "ContainerInspectResponse")
    state_cls = model(version, "ContainerState")
    parsed = cls.from_dict(INSPECT)
    parsed.state = state_cls(running=True)
    parsed.mounts = []
    data = parsed.to_dict()
    assert data["State"] == {"Running": True}
    assert "Mounts" not in data  # emptied: not sent
    assert data["HostConfig"] == INSPECT["HostConfig"]


def test_unknown_attributes_still_raise(version: str) -> None:
    cls = model(version, "ContainerInspectResponse")
    for obj in (cls.from_dict(INSPECT), cls(id="x")):
        with pytest.raises(AttributeError, match="'ContainerInspectResponse' object has no attribute 'no_such_field'"):
            obj.no_such_field  # noqa: B018
        assert not hasattr(obj, "_json_typo")
    assert not hasattr(cls(id="x"), "_json")


def test_lazy_and_eager_objects_compare_repr_copy_and_pickle_alike(version: str) -> None:
    import pickle

    import attrs

    cls = model(version, "ContainerInspectResponse")
    fresh, other = cls.from_dict(INSPECT), cls.from_dict(INSPECT)
    assert repr(fresh) == repr(other)  # repr builds every field
    assert "SomeNewHostConfigKnob" in repr(cls.from_dict(INSPECT))
    assert cls.from_dict(INSPECT) == cls.from_dict(copy.deepcopy(INSPECT))
    # A copy keeps every value; the daemon's own spelling of an empty field (null
    # or []) stays with the parsed original only.
    for copied in (
        copy.deepcopy(cls.from_dict(INSPECT)),
        copy.copy(cls.from_dict(INSPECT)),
        pickle.loads(pickle.dumps(cls.from_dict(INSPECT))),
    ):
        assert copied == cls.from_dict(INSPECT)
        assert without_empty(copied.to_dict()) == without_empty(INSPECT)
    evolved = attrs.evolve(cls.from_dict(INSPECT), name="/renamed")
    assert evolved.name == "/renamed"
    assert evolved.host_config == cls.from_dict(INSPECT).host_config
    assert attrs.asdict(cls.from_dict(INSPECT))["state"]["running"] is False


def test_threads_reading_one_unbuilt_field_see_equal_values(version: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    cls = model(version, "ContainerInspectResponse")
    for _ in range(20):
        parsed = cls.from_dict(INSPECT)
        with ThreadPoolExecutor(8) as pool:
            seen = list(pool.map(lambda obj: obj.network_settings, [parsed] * 8))
        assert all(value == seen[0] for value in seen)
        assert parsed.network_settings.networks["bridge"].network_id.startswith("7ea29fc1")


def test_maps_of_models_and_plain_maps(version: str) -> None:
    parsed = model(version, "ContainerInspectResponse").from_dict(INSPECT)
    networks = parsed.network_settings.networks
    assert type(networks["bridge"]).__name__ == "EndpointSettings"
    assert "bridge" in networks
    labels = parsed.config.labels
    assert not _slot_is_empty(labels, "additional_properties")  # a plain map is copied at once
    assert labels.to_dict() == INSPECT["Config"]["Labels"]


def test_map_models_read_like_dicts(version: str) -> None:
    parsed = model(version, "ContainerInspectResponse").from_dict(INSPECT)
    networks = parsed.network_settings.networks
    assert list(networks) == ["bridge"] and len(networks) == 1
    assert list(networks.keys()) == ["bridge"]
    assert dict(networks.items())["bridge"] is networks["bridge"] is networks.get("bridge")
    assert [n.network_id[:8] for n in networks.values()] == ["7ea29fc1"]
    assert networks.get("host") is None
    labels = parsed.config.labels
    assert dict(labels) == {"com.example.vendor": "Acme"}  # dict() takes keys() and [key]
    labels_cls = type(labels)
    assert not labels_cls.from_dict({})  # an empty map is falsy, like a dict
    assert labels_cls.from_dict({"a": "b"}).get("a") == "b"
    # Compared like a dict: with a dict, another map of its class, nothing else.
    assert labels == {"com.example.vendor": "Acme"} and labels != {"com.example.vendor": "Other"}
    assert labels == labels_cls.from_dict({"com.example.vendor": "Acme"}) and labels != 1


# A plugin as dockerd 20.10 and 28 send it (`docker plugin inspect`): interface types are text.
PLUGIN: dict[str, Any] = {
    "Id": "5724e2c8652da337ab2eedd19fc6fc0ec908e4bd907c7421bf6a8dfc70c4c078",
    "Name": "tiborvass/sample-volume-plugin:latest",
    "Enabled": True,
    "Settings": {"Mounts": [], "Env": ["DEBUG=0"], "Args": None, "Devices": None},
    "PluginReference": "localhost:5000/tiborvass/sample-volume-plugin:latest",
    "Config": {
        "DockerVersion": "17.06.0-ce",
        "Description": "A sample volume plugin for Docker",
        "Documentation": "https://docs.docker.com/engine/extend/plugins/",
        "Interface": {"Types": ["docker.volumedriver/1.0"], "Socket": "plugins.sock"},
        "Entrypoint": ["/usr/bin/sample-volume-plugin", "/data"],
        "WorkDir": "",
        "Network": {"Type": ""},
        "Linux": {"Capabilities": None, "AllowAllDevices": False, "Devices": None},
        "PropagatedMount": "/data",
        "IpcHost": False,
        "PidHost": False,
        "Mounts": None,
        "Env": [{"Name": "DEBUG", "Description": "", "Settable": None, "Value": "0"}],
        "Args": {"Name": "args", "Description": "", "Settable": None, "Value": None},
    },
}


@pytest.mark.parametrize("version", VERSIONS)
def test_plugin_interface_types_are_text(version: str) -> None:
    plugin = model(version, "Plugin").from_dict(PLUGIN)
    assert plugin.config.interface.types == ["docker.volumedriver/1.0"]
    assert plugin.to_dict() == PLUGIN


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    "odd",
    [{"State": "weird"}, {"Mounts": ["x", 5]}, {"State": {"Status": None}}, {"HostConfig": {"RestartPolicy": None}}],
    ids=["string-for-object", "scalars-in-a-list-of-objects", "null-enum", "null-object"],
)
def test_odd_values_where_objects_belong_round_trip(version: str, odd: dict[str, Any]) -> None:
    """A server's odd value is kept as it came and given back by to_dict (lossless)."""
    inspect = model(version, "ContainerInspectResponse")
    assert inspect.from_dict(odd).to_dict() == odd
