"""A restart policy name that does not exist."""

from __future__ import annotations

from docker_engine import Docker


def main() -> None:
    with Docker.from_env() as docker:
        created = docker.containers.create(
            body={"Image": "busybox", "HostConfig": {"RestartPolicy": {"Name": "sometimes"}}}  # MISTAKE: no such policy
        )
        print(created.id)


if __name__ == "__main__":
    main()
