"""Task 5 of 6 (docker-py users): copy a file into a container and a directory back out.

`tar_path` streams a tar of a local path (as `docker cp` does); `extract` unpacks the
container's archive, refusing members that would land outside the target directory.
"""

from pathlib import Path

from docker_engine import Docker, extract, tar_path

Path("greeting.txt").write_text("hello from the host\n")
with Docker.from_env() as docker:
    container = docker.containers.run("busybox", "sleep 60", detach=True, network_mode="none")
    container.put_archive(path="/tmp", body=tar_path("greeting.txt"))
    container.exec_run("cp /tmp/greeting.txt /etc/greeting.copy")
    print(extract(container.archive(path="/etc/greeting.copy"), "copied-out"))
    container.delete(force=True)
