"""Fields of dict bodies, nested. expect-minimum: 1.44"""

from docker_engine import Docker


def main(docker: Docker) -> None:
    docker.containers.create(
        body={
            "Image": "busybox",
            "Healthcheck": {"Test": ["CMD", "true"], "StartInterval": 1_000_000},  # lacks-in: 1.43
            "HostConfig": {"Memory": 1 << 20, "Annotations": {"a": "b"}},  # lacks-in: 1.42
        }
    )
