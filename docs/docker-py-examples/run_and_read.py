import docker

client = docker.from_env()
output = client.containers.run("busybox", "echo hello from busybox", network_mode="none", remove=True)
print(output.decode(), end="")
