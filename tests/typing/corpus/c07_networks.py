"""Networks: a user-defined bridge, containers that find each other by name."""

from __future__ import annotations

from docker_engine import Docker


def main() -> None:
    with Docker.from_env() as docker:
        net = docker.networks.create(
            body={
                "Name": "corpus-net",
                "Driver": "bridge",
                "Internal": True,
                "Labels": {"app": "corpus"},
                "IPAM": {"Driver": "default", "Config": [{"Subnet": "172.30.0.0/24", "Gateway": "172.30.0.1"}]},
            }
        )
        if net.warning:
            print("warning:", net.warning)

        server = docker.containers.create(
            name="corpus-server",
            body={
                "Image": "busybox",
                "Cmd": ["httpd", "-f", "-p", "80"],
                "HostConfig": {"NetworkMode": "corpus-net"},
                "NetworkingConfig": {"EndpointsConfig": {"corpus-net": {"Aliases": ["web"]}}},
            },
        )
        docker.containers.start(server.id)

        client = docker.containers.create(body={"Image": "busybox", "Cmd": ["sleep", "60"]})
        docker.networks.connect(net.id, body={"Container": client.id, "EndpointConfig": {"Aliases": ["client"]}})
        docker.containers.start(client.id)

        inspected = docker.networks.inspect(net.id)
        print(inspected.name, inspected.driver, inspected.internal)
        for container_id, resource in inspected.containers.items():
            print(container_id[:12], resource.name, resource.i_pv_4_address)

        settings = docker.containers.inspect(server.id).network_settings
        if settings:
            endpoint = settings.networks.get("corpus-net")
            if endpoint:
                print("server address:", endpoint.ip_address, "aliases:", endpoint.aliases)

        for n in docker.networks.list(filters={"label": ["app=corpus"]}):
            print(n.id[:12], n.name, n.scope, n.labels.get("app"))

        docker.networks.disconnect(net.id, body={"Container": client.id, "Force": True})
        for container_id in (server.id, client.id):
            docker.containers.delete(container_id, force=True)
        docker.networks.delete(net.id)


if __name__ == "__main__":
    main()
