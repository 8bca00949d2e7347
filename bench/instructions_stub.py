"""The stub daemon of `bench/instructions.py`: answers every request on a unix socket with a
recorded body (`/_ping`: OK; `/containers/json`: the recorded list; anything else: the
recorded image list), keep-alive, with Content-Length. Not a Docker daemon: a fixed load."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path


def answer(body: bytes) -> bytes:
    head = f"HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\nContent-Length: {len(body)}"
    return head.encode() + b"\r\n\r\n" + body


async def main(sock: str, bodies: Path) -> None:
    ping = answer(b"OK")
    containers = answer((bodies / "containers.json").read_bytes())
    images = answer((bodies / "images.json").read_bytes())

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        buffer = b""
        while data := await reader.read(65536):
            buffer += data
            while b"\r\n\r\n" in buffer:
                head, _, buffer = buffer.partition(b"\r\n\r\n")
                line = head.split(b"\r\n", 1)[0]
                writer.write(ping if b"/_ping" in line else containers if b"/containers/json" in line else images)
        writer.close()

    server = await asyncio.start_unix_server(serve, sock)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], Path(sys.argv[2])))
