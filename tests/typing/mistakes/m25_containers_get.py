"""docker-py's container.attrs read as a dict."""

from __future__ import annotations

from docker_engine import Docker


def main() -> None:
    with Docker.from_env() as docker:
        container = docker.containers.get("abc123")
        print(container.attrs["State"]["Status"])  # MISTAKE: attrs is the typed inspect model: attrs.state.status


if __name__ == "__main__":
    main()
