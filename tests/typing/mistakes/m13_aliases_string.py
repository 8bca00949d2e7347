"""Network aliases as one string, deep in NetworkingConfig."""

from __future__ import annotations

from docker_engine import Docker

# RUNTIME: InvalidRequestError


def main() -> None:
    with Docker.from_env() as docker:
        created = docker.containers.create(
            body={
                "Image": "busybox",
                "NetworkingConfig": {"EndpointsConfig": {"backend": {"Aliases": "web"}}},  # MISTAKE: Aliases is a list
            }
        )
        print(created.id)


if __name__ == "__main__":
    main()
