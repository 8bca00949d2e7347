"""A label that may be missing, used as a str."""

from __future__ import annotations

from docker_engine import Docker


def main() -> None:
    with Docker.from_env() as docker:
        for c in docker.containers.list():
            print(c.labels.get("com.example.owner").upper())  # MISTAKE: get() may return None


if __name__ == "__main__":
    main()
