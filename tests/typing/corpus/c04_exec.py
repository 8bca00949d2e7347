"""Exec: run commands inside a running container, with and without stdin."""

from __future__ import annotations

from docker_engine import Docker


def exec_output(docker: Docker, cid: str, cmd: list[str]) -> tuple[int, bytes]:
    exec_id = docker.exec.create(cid, body={"Cmd": cmd, "AttachStdout": True, "AttachStderr": True}).id
    output = docker.exec.start(exec_id, body={"Detach": False, "Tty": False}).stdout()
    exit_code = docker.exec.inspect(exec_id).exit_code
    return (exit_code or 0), output


def main() -> None:
    with Docker.from_env() as docker:
        cid = docker.containers.create(body={"Image": "busybox", "Cmd": ["sleep", "300"]}).id
        docker.containers.start(cid)
        try:
            code, out = exec_output(docker, cid, ["uname", "-a"])
            print(code, out.decode().strip())

            exec_id = docker.exec.create(
                cid,
                body={"Cmd": ["sh", "-c", "cat; echo oops >&2"], "AttachStdin": True, "AttachStdout": True,
                      "AttachStderr": True, "Env": ["GREETING=hi"], "WorkingDir": "/"},
            ).id  # fmt: skip
            with docker.exec.start_interactive(exec_id) as stream:
                stream.write(b"through stdin\n")
                stream.close_stdin()
                result = stream.read_all()
            print("stdout:", result.stdout, "stderr:", result.stderr)

            for frame in docker.exec.start(docker.exec.create(cid, body={"Cmd": ["ls", "/"], "AttachStdout": True}).id):
                print(frame.stream, frame.data.decode(), end="")
        finally:
            docker.containers.delete(cid, force=True)


if __name__ == "__main__":
    main()
