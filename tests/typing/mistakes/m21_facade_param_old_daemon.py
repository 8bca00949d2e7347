"""Through the negotiating client, a parameter the daemon (API 1.41) lacks."""

from __future__ import annotations

from docker_engine import Docker

# RUNTIME: VersionError
# DAEMON: 1.41


def main() -> None:
    with Docker.from_env() as docker:
        docker.containers.stop("abc123", signal="SIGKILL")  # MISTAKE: the daemon speaks 1.41, signal is 1.42


if __name__ == "__main__":
    main()
