"""Task 1 of 6 (docker-py users): run a command in a container and read its output.

The container is removed afterwards; a non-zero exit raises ContainerError.
Run: DOCKER_HOST=unix:///path/to/docker.sock python examples/run_and_read.py
"""

from docker_engine import Docker

with Docker.from_env() as docker:
    result = docker.containers.run("busybox", "echo hello from busybox", network_mode="none")
    print(result.stdout.decode(), end="")
