"""Volumes: create one, use it from two containers, list, prune."""

from __future__ import annotations

from docker_engine import Docker


def main() -> None:
    with Docker.from_env() as docker:
        volume = docker.volumes.create(body={"Name": "corpus-data", "Driver": "local", "Labels": {"app": "corpus"}})
        print(volume.name, volume.driver, volume.mountpoint, volume.scope)

        docker.containers.run(
            "busybox",
            "sh -c 'echo hello > /data/greeting'",
            host_config={"Mounts": [{"Type": "volume", "Source": volume.name, "Target": "/data"}]},
        )
        result = docker.containers.run(
            "busybox", ["cat", "/data/greeting"], host_config={"Binds": [f"{volume.name}:/data:ro"]}
        )
        print(result.stdout.decode().strip())

        listed = docker.volumes.list(filters={"label": ["app=corpus"]})
        for v in listed.volumes:
            print(v.name, v.labels.get("app", ""), v.created_at)
        for warning in listed.warnings:
            print("warning:", warning)

        same = docker.volumes.inspect("corpus-data")
        if same.usage_data:
            print("size", same.usage_data.size, "refs", same.usage_data.ref_count)
        docker.volumes.delete(volume.name, force=True)
        pruned = docker.volumes.prune(filters={"label": ["app=corpus"]})
        print("reclaimed", pruned.space_reclaimed, "bytes from", pruned.volumes_deleted)


if __name__ == "__main__":
    main()
