"""Request bodies built in steps: the generated TypedDicts, a model, and the unchecked escape."""

from __future__ import annotations

from docker_engine import Docker, unchecked
from docker_engine.v1_56.dicts import ContainerCreateRequestDict, HostConfigDict
from docker_engine.v1_56.models import ContainerCreateRequest, HostConfig


def host_config(memory_mb: int, read_only: bool) -> HostConfigDict:
    config: HostConfigDict = {"Memory": memory_mb * 1024 * 1024, "ReadonlyRootfs": read_only}
    config["NetworkMode"] = "none"
    config["LogConfig"] = {"Type": "json-file", "Config": {"max-size": "1m"}}
    config["PortBindings"] = {"8080/tcp": [{"HostIp": "127.0.0.1", "HostPort": "18080"}]}
    return config


def request(image: str, *cmd: str) -> ContainerCreateRequestDict:
    body: ContainerCreateRequestDict = {"Image": image, "Cmd": list(cmd), "HostConfig": host_config(64, True)}
    body["Labels"] = {"app": "corpus"}
    body["ExposedPorts"] = {"8080/tcp": {}}
    body["Healthcheck"] = {"Test": ["CMD", "true"], "Interval": 5_000_000_000, "Retries": 3}
    return body


def main() -> None:
    with Docker.from_env() as docker:
        first = docker.containers.create(body=request("busybox", "sleep", "10"))
        second = docker.containers.create(
            body=ContainerCreateRequest(image="busybox", cmd=["true"], host_config=HostConfig(network_mode="none"))
        )
        # A field this SDK does not know yet (a daemon newer than the SDK): sent as it is.
        third = docker.containers.create(body=unchecked({"Image": "busybox", "SomeFutureField": {"On": True}}))
        for cid in (first.id, second.id, third.id):
            docker.containers.delete(cid, force=True)


if __name__ == "__main__":
    main()
