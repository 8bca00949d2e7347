"""A field removed in a later version bounds the range from above. expect-minimum: 1.36 expect-maximum: 1.41"""

from docker_engine import Docker


def main(docker: Docker) -> None:
    docker.containers.create(
        body={
            "Image": "busybox",
            "HostConfig": {"KernelMemory": 1 << 20},  # lacks-in: 1.35 lacks-after: 1.41
        }
    )
