"""A short tour against a private daemon started for the occasion (root, Debian's docker.io).

make demo        # or: .venv/bin/python examples/demo.py [20.10|26|28]
(as root, after `bash .ci/install-daemons.sh`; nothing is regenerated or downloaded)
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from docker_engine import Docker, NotFoundError

from tests.live.daemons import DaemonError, available_kinds, start_daemon


def main() -> None:
    kind = sys.argv[1] if len(sys.argv) > 1 else "20.10"
    if kind not in available_kinds():
        sys.exit(f"demo: needs dockerd {kind}: run `sudo bash .ci/install-daemons.sh` first")
    try:
        daemon = start_daemon(kind, Path(tempfile.mkdtemp(prefix="demo-")))
    except (DaemonError, OSError) as exc:  # one line, not a traceback: what is missing
        sys.exit(f"demo: cannot start dockerd {kind}: {exc} (as root, after `sudo bash .ci/install-daemons.sh`)")
    try:
        with Docker(daemon.base_url) as docker:  # negotiates the API version
            print(f"connected to {docker.base_url}: API {docker.api_version}, engine {docker.system.version().version}")
            result = docker.containers.run(daemon.busybox_image, "sh -c 'echo hello from a container; uname -s'",
                                           host_config={"NetworkMode": "none"})  # fmt: skip
            print(f"run: exit {result.exit_code}, stdout {result.stdout!r}")
            created = docker.containers.create(body={"Image": daemon.busybox_image, "Cmd": ["sleep", "30"],
                                                     "Labels": {"demo": "yes"}, "HostConfig": {"NetworkMode": "none"}})  # fmt: skip
            docker.containers.start(created.id)
            for c in docker.containers.list(filters={"label": ["demo=yes"]}):
                print(f"listed: {c.id[:12]} {c.image} {c.state}")
            exec_id = docker.exec.create(
                created.id, body={"Cmd": ["cat"], "AttachStdin": True, "AttachStdout": True}
            ).id
            with docker.exec.start_interactive(exec_id) as stream:
                stream.write(b"echoed through stdin\n")
                stream.close_stdin()
                print(f"exec: {stream.read_all().stdout!r}")
            docker.containers.delete(created.id, force=True)
            try:
                docker.containers.inspect(created.id)
            except NotFoundError as exc:
                print(f"after delete: {type(exc).__name__}: {exc.message}")
    finally:
        daemon.stop()


if __name__ == "__main__":
    main()
