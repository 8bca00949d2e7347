"""Task 3 of 6 (docker-py users): tag an image, push it, pull it back, with a progress display.

Credentials come from the docker config (`docker login`), as with the CLI. `progress=True`
draws a live display per layer on a terminal (with the `progress` extra: rich) and prints
the CLI's plain lines otherwise.
Run: python examples/tag_push_pull.py localhost:5000
"""

import sys

from docker_engine import Docker

registry = sys.argv[1]
with Docker.from_env() as docker:
    docker.images.get_image("busybox").tag(repo=f"{registry}/busybox", tag="example")
    docker.images.push_image(f"{registry}/busybox:example", progress=True)
    docker.images.delete(f"{registry}/busybox:example")
    pulled = docker.images.pull(f"{registry}/busybox:example", progress=True)
    print(pulled.short_id, pulled.attrs.repo_digests)
