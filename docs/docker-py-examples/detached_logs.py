import docker

client = docker.from_env()
script = "for i in 1 2 3; do echo line $i; sleep 0.2; done; exec sleep 60"
container = client.containers.run("busybox", ["sh", "-c", script], detach=True, network_mode="none")
for chunk in container.logs(stream=True, follow=True):
    line = chunk.decode().rstrip("\n")  # a chunk is not always one line
    print(line)
    if line == "line 3":
        break
container.stop(timeout=1)
container.remove()
