"""A port binding's HostPort given as an int, three levels down."""

from __future__ import annotations

from docker_engine import Docker

# RUNTIME: InvalidRequestError


def main() -> None:
    with Docker.from_env() as docker:
        created = docker.containers.create(
            body={
                "Image": "nginx",
                "HostConfig": {
                    "PortBindings": {"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": 8080}]},  # MISTAKE: HostPort: str
                },
            }
        )
        print(created.id)


if __name__ == "__main__":
    main()
