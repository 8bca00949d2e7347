"""System: ping, version, info, disk usage, and a window of events."""

from __future__ import annotations

import datetime as dt

from docker_engine import Docker


def main() -> None:
    with Docker.from_env() as docker:
        print("ping:", docker.system.ping())
        version = docker.system.version()
        print(f"engine {version.version} (API {version.api_version}, min {version.min_api_version}) {version.os}")
        for component in version.components:
            print("  component", component.name, component.version)

        info = docker.system.info()
        print(info.name, info.server_version, info.operating_system, info.ncpu, info.mem_total)
        print("containers:", info.containers, "running:", info.containers_running, "images:", info.images)
        for warning in info.warnings:
            print("warning:", warning)

        usage = docker.system.data_usage(type=["container", "image"])
        print("usage:", usage)

        start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
        events = docker.system.events(since=start, until=dt.datetime.now(dt.UTC), filters={"type": ["container"]})
        with events:
            for event in events:
                actor = event.actor
                name = actor.attributes.get("name", "?") if actor else "?"
                print(event.time, event.type_, event.action, name)


if __name__ == "__main__":
    main()
