"""Operations and models renamed between versions are the same to a caller. expect-minimum: 1.25"""

from docker_engine import Docker


def main(docker: Docker) -> None:
    with docker.containers.archive("web", path="/etc/hostname") as archive:
        print(archive.read())
    docker.containers.put_archive("web", path="/tmp", body=b"")
    network = docker.networks.inspect("bridge")
    print(network.name, network.driver)
    volume = docker.volumes.inspect("data")
    print(volume.mountpoint, volume.usage_data)
