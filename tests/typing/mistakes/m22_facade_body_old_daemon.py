"""Through the negotiating client, a body field the daemon (API 1.41) lacks."""

from __future__ import annotations

from docker_engine import Docker

# RUNTIME: VersionError
# DAEMON: 1.41


def main() -> None:
    with Docker.from_env() as docker:
        created = docker.containers.create(
            body={"Image": "busybox", "HostConfig": {"Annotations": {"a": "b"}}}  # MISTAKE: the daemon speaks 1.41
        )
        print(created.id)


if __name__ == "__main__":
    main()
