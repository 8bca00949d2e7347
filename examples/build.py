"""Task 6 of 6 (docker-py users): build an image from a directory and show the build's output.

A failing step raises BuildError with the build log and the step that failed.
"""

from pathlib import Path

from docker_engine import Docker

Path("app").mkdir(exist_ok=True)
Path("app/Dockerfile").write_text("FROM busybox\nRUN echo built > /built\nCMD cat /built\n")
with Docker.from_env() as docker:
    image, log = docker.images.build_image("app", tag="example/app:1", progress=True)
    print(image.short_id, image.attrs.repo_tags, len(log), "messages")
