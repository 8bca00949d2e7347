import sys

import docker

registry = sys.argv[1]
client = docker.from_env()
client.images.get("busybox").tag(f"{registry}/busybox", tag="example")
for event in client.api.push(f"{registry}/busybox", tag="example", stream=True, decode=True):
    if "error" in event:
        raise RuntimeError(event["error"])
    print(event.get("id", ""), event.get("status", ""), event.get("progress", ""))
client.images.remove(f"{registry}/busybox:example")
for event in client.api.pull(f"{registry}/busybox", tag="example", stream=True, decode=True):
    print(event.get("id", ""), event.get("status", ""), event.get("progress", ""))
pulled = client.images.get(f"{registry}/busybox:example")
print(pulled.short_id, pulled.attrs["RepoDigests"])
