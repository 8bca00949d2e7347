"""Task 4 of 6 (docker-py users): run a command in a running container, feeding its stdin."""

from docker_engine import Docker

with Docker.from_env() as docker:
    container = docker.containers.run("busybox", "sleep 60", detach=True, network_mode="none")
    result = container.exec_run("tr a-z A-Z", stdin=b"hello through stdin\n")
    print(result.exit_code, result.output.decode(), end="")
    container.delete(force=True)
