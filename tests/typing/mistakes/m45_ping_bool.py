"""ping() answers the daemon's text, not a bool."""

from __future__ import annotations

from docker_engine import Docker


def main() -> None:
    with Docker.from_env() as docker:
        if docker.system.ping() == True:  # noqa: E712  # MISTAKE: ping returns "OK"
            print("up")


if __name__ == "__main__":
    main()
