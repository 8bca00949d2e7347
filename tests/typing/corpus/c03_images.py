"""Images: pull with progress, list, inspect, tag, remove."""

from __future__ import annotations

from docker_engine import Docker, StreamError


def pull(docker: Docker, image: str, tag: str) -> None:
    try:
        for progress in docker.images.create(from_image=image, tag=tag):
            if progress.status:
                detail = progress.progress_detail
                done = f" {detail.current}/{detail.total}" if detail and detail.total else ""
                print(f"{progress.id or '':12} {progress.status}{done}")
    except StreamError as exc:
        print("pull failed:", exc)
        raise


def main() -> None:
    with Docker.from_env() as docker:
        pull(docker, "busybox", "latest")

        total = 0
        for image in docker.images.list(filters={"reference": ["busybox"]}):
            tags = ", ".join(image.repo_tags) or "<none>"
            print(image.id[7:19], tags, image.size)
            total += image.size or 0
            if "maintainer" in image.labels:
                print("  maintainer:", image.labels["maintainer"])
        print("total size", total)

        details = docker.images.inspect("busybox:latest")
        print(details.architecture, details.os, details.repo_digests)
        if details.config:
            print("default command:", details.config.cmd)

        docker.images.tag("busybox:latest", repo="corpus/busybox", tag="v1")
        for deleted in docker.images.delete("corpus/busybox:v1"):
            print("untagged:", deleted.untagged, "deleted:", deleted.deleted)


if __name__ == "__main__":
    main()
