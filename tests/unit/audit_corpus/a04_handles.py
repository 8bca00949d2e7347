"""Handles: get, attrs, reload, methods, exec_run. expect-minimum: 1.48"""

from docker_engine import Docker


def main(docker: Docker) -> None:
    container = docker.containers.get("web")
    print(container.attrs.state.status)
    container.stop(signal="SIGINT")  # lacks-in: 1.41
    container.exec_run("ls", workdir="/tmp")  # lacks-in: 1.34
    print(container.reload().image_manifest_descriptor)  # lacks-in: 1.47
    detached = docker.containers.run("busybox", "sleep 1", detach=True)
    detached.kill()
