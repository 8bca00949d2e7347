from pathlib import Path

import docker

Path("app").mkdir(exist_ok=True)
Path("app/Dockerfile").write_text("FROM busybox\nRUN echo built > /built\nCMD cat /built\n")
client = docker.from_env()
image, stream = client.images.build(path="app", tag="example/app:1")
log = list(stream)
for entry in log:
    print(entry.get("stream", ""), end="")
print(image.short_id, image.tags, len(log), "messages")
