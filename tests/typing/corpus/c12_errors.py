"""What goes wrong: API errors, failed runs, timeouts, connection failures, versions."""

from __future__ import annotations

from docker_engine import (
    APIError,
    ConflictError,
    ContainerError,
    Docker,
    DockerConnectionError,
    DockerError,
    DockerTimeoutError,
    InvalidRequestError,
    NotFoundError,
    VersionError,
)


def main() -> None:
    try:
        with Docker.from_env() as docker:
            try:
                docker.containers.run("busybox", "sh -c 'echo bad >&2; exit 4'")
            except ContainerError as exc:
                print("exit", exc.exit_code, exc.stderr.decode())
            unchecked_exit = docker.containers.run("busybox", "false", check=False)
            print("exit code without raising:", unchecked_exit.exit_code)

            try:
                docker.containers.inspect("no-such-container")
            except NotFoundError as exc:
                print(exc.status_code, exc.message, exc.method, exc.path)

            try:
                docker.containers.create(body={"Image": "busybox"}, name="corpus-dup")
                docker.containers.create(body={"Image": "busybox"}, name="corpus-dup")
            except ConflictError as exc:
                print("conflict:", exc.message)
            finally:
                docker.containers.delete("corpus-dup", force=True)

            try:
                docker.with_timeout(0.5).containers.wait("corpus-dup")
            except DockerTimeoutError:
                print("timed out")
            except APIError as exc:
                print("API error", exc.status_code)

            try:
                docker.containers.stop("x", signal="SIGKILL")
            except VersionError as exc:
                print("the daemon's API is too old:", exc)
            except InvalidRequestError as exc:
                print("refused before sending:", exc)
    except DockerConnectionError as exc:
        print("no daemon:", exc)
    except DockerError as exc:
        print("docker:", exc)


if __name__ == "__main__":
    main()
