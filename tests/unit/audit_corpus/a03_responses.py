"""Response fields through variables, loops and list items. expect-minimum: 1.48"""

from docker_engine import Docker


def main(docker: Docker) -> None:
    info = docker.system.info()
    print(info.name, info.cdi_spec_dirs)  # lacks-in: 1.43
    for summary in docker.containers.list():
        print(summary.names, summary.image_manifest_descriptor)  # lacks-in: 1.47
    first = docker.images.list()[0]
    print(first.id)
