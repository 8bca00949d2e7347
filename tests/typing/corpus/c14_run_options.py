"""containers.run with its typed keywords: detached services, environments, clean-up."""

from __future__ import annotations

from docker_engine import Docker, Frame


def show(frame: Frame) -> None:
    print(f"[{frame.stream}] {frame.data.decode(errors='replace')}", end="")


def main() -> None:
    with Docker.from_env() as docker:
        service = docker.containers.run(
            "busybox",
            ["httpd", "-f", "-p", "8080"],
            name="corpus-service",
            environment={"MODE": "service"},
            network_mode="none",
            detach=True,
        )
        print("started", service.short_id, service.attrs.state.status)

        result = docker.containers.run(
            "busybox",
            "sh -c 'echo $MODE; env | wc -l'",
            environment=["MODE=batch"],
            remove=True,
            on_output=show,
        )
        print(result.id[:12], result.exit_code, len(result.stdout), len(result.stderr))

        service.stop(t=1)
        service.delete()


if __name__ == "__main__":
    main()
