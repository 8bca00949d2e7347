"""Files in and out of containers, and an image built from a directory."""

from __future__ import annotations

import tempfile
from pathlib import Path

from docker_engine import Docker, build_context, extract


def main() -> None:
    work = Path(tempfile.mkdtemp())
    (work / "app").mkdir()
    (work / "app" / "Dockerfile").write_text("FROM busybox\nCOPY hello.txt /hello.txt\nCMD cat /hello.txt\n")
    (work / "app" / "hello.txt").write_text("hello from a build\n")

    with Docker.from_env() as docker:
        for step in docker.images.build(body=work / "app", t="corpus/hello:latest", rm=True):
            if step.stream:
                print(step.stream, end="")
            if step.aux and step.aux.id:
                print("built", step.aux.id)
        for step in docker.images.build(body=build_context(work / "app", dockerfile="Dockerfile"), t="corpus/h2"):
            print(step.stream or "", end="")

        cid = docker.containers.create(body={"Image": "corpus/hello:latest"}).id
        docker.containers.put_archive(cid, path="/tmp", body=work / "app" / "hello.txt")
        with docker.containers.archive(cid, path="/hello.txt") as archive:
            print("stat:", archive.stat)
            extract(archive, work / "out")
        with docker.containers.export(cid) as exported, (work / "rootfs.tar").open("wb") as f:
            print("exported", exported.write_to(f), "bytes")
        print((work / "out" / "hello.txt").read_text())
        docker.containers.delete(cid)


if __name__ == "__main__":
    main()
