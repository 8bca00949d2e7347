"""Logs: the last lines, since a time, followed, line by line."""

from __future__ import annotations

import datetime as dt
import sys

from docker_engine import Docker


def main() -> None:
    with Docker.from_env() as docker:
        container = docker.containers.run(
            "busybox", ["sh", "-c", "for i in 1 2 3; do echo out $i; echo err $i >&2; sleep 1; done"], detach=True
        )
        one_hour_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)

        for frame in container.logs(tail="10", timestamps=True):
            target = sys.stderr if frame.stream == 2 else sys.stdout
            target.write(frame.data.decode(errors="replace"))

        with container.logs(follow=True, since=one_hour_ago) as stream:
            for line in stream.text_lines():
                print("followed:", line)

        only_stdout = container.logs(stdout=True, stderr=False, until=dt.datetime.now(dt.UTC)).stdout()
        print(only_stdout.decode())
        container.delete(force=True)


if __name__ == "__main__":
    main()
