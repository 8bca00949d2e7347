import io
import tarfile
from pathlib import Path

import docker

Path("greeting.txt").write_text("hello from the host\n")
client = docker.from_env()
container = client.containers.run("busybox", "sleep 60", detach=True, network_mode="none")
buffer = io.BytesIO()
with tarfile.open(fileobj=buffer, mode="w") as tar:
    tar.add("greeting.txt")
container.put_archive("/tmp", buffer.getvalue())
container.exec_run("cp /tmp/greeting.txt /etc/greeting.copy")
chunks, _ = container.get_archive("/etc/greeting.copy")
with tarfile.open(fileobj=io.BytesIO(b"".join(chunks))) as tar:
    tar.extractall("copied-out", filter="data")
    print(tar.getnames())
container.remove(force=True)
