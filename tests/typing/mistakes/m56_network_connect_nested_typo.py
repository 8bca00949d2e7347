"""A misspelled key three levels into a connect body."""

from __future__ import annotations

from docker_engine import Docker

# RUNTIME: InvalidRequestError


def main() -> None:
    with Docker.from_env() as docker:
        docker.networks.connect(
            "backend",
            body={
                "Container": "abc123",
                "EndpointConfig": {"IPAMConfig": {"IPv4Adress": "172.30.0.9"}},  # MISTAKE: 'IPv4Address'
            },
        )


if __name__ == "__main__":
    main()
