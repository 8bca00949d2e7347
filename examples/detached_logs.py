"""Task 2 of 6 (docker-py users): run a container detached, follow its logs, stop it."""

from docker_engine import Docker

with Docker.from_env() as docker:
    script = "for i in 1 2 3; do echo line $i; sleep 0.2; done; exec sleep 60"
    container = docker.containers.run("busybox", ["sh", "-c", script], detach=True, network_mode="none")
    for line in container.logs(follow=True).text_lines():
        print(line)
        if line == "line 3":
            break
    container.stop(t=1)
    container.delete()
