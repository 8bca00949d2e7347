import socket

import docker
from docker.utils.socket import consume_socket_output, frames_iter

client = docker.from_env()
container = client.containers.run("busybox", "sleep 60", detach=True, network_mode="none")
exec_id = client.api.exec_create(container.id, "tr a-z A-Z", stdin=True)["Id"]
sock = client.api.exec_start(exec_id, socket=True)
sock._sock.sendall(b"hello through stdin\n")
sock._sock.shutdown(socket.SHUT_WR)
output = consume_socket_output(frames_iter(sock, tty=False))
exit_code = client.api.exec_inspect(exec_id)["ExitCode"]
print(exit_code, output.decode(), end="")
container.remove(force=True)
