"""A date as text where the API takes a time."""

from __future__ import annotations

from docker_engine import Docker

# RUNTIME: InvalidRequestError


def main() -> None:
    with Docker.from_env() as docker:
        for frame in docker.containers.logs("abc123", since="2024-01-01"):  # MISTAKE: since takes a datetime or an int
            print(frame.data)


if __name__ == "__main__":
    main()
