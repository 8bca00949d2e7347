"""Keyword parameters of operations. expect-minimum: 1.42"""

from docker_engine import Docker


def main(docker: Docker) -> None:
    docker.containers.list(all=True, size=True)
    docker.containers.stop("web", signal="SIGTERM", t=5)  # lacks-in: 1.41
    docker.containers.logs("web", since=0, until=10)  # lacks-in: 1.34
