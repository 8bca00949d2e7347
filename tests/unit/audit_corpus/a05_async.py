"""The asyncio client: awaited calls and handles. expect-minimum: 1.47"""

from docker_engine import AsyncDocker


async def main(docker: AsyncDocker) -> None:
    images = await docker.images.list(manifests=True)  # lacks-in: 1.46
    for image in images:
        print(image.repo_tags)
    container = await docker.containers.get("web")
    print(container.attrs.name)
