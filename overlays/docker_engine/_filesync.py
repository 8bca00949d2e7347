"""The sending side of BuildKit's file sync (`/moby.filesync.v1.FileSync/DiffCopy`).

The daemon asks for a directory the session exposes (`dir-name`: `context` or
`dockerfile`) with the patterns it wants applied on this side (`exclude-patterns`,
from the context's `.dockerignore`, with `!` exceptions; `include-patterns`;
`followpaths`). The sender then walks the directory in path order and sends one STAT
packet per entry and an empty one at the end; the receiver asks for the files it needs
by their index (REQ), gets each as DATA packets and an empty DATA, and ends with FIN,
which is answered with FIN. Modes are Go's `os.FileMode` bits, as fsutil sends them.
"""

from __future__ import annotations

import os
import stat as statmod
import threading
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from urllib.parse import unquote

from ._buildkit import stat_pb2, wire_pb2
from ._dockerignore import PatternMatcher
from ._grpc import Call, GrpcError

__all__ = ["go_mode", "serve_diffcopy", "walk"]

CHUNK = 256 * 1024
_NOT_FOUND = 5

# Go's os.FileMode type bits.
_DIR, _SYMLINK, _DEVICE, _PIPE, _SOCKET = 1 << 31, 1 << 27, 1 << 26, 1 << 25, 1 << 24
_SETUID, _SETGID, _CHARDEV, _STICKY = 1 << 23, 1 << 22, 1 << 21, 1 << 20


def go_mode(st_mode: int) -> int:
    """A Unix `st_mode` as Go's `os.FileMode` (what fsutil sends)."""
    mode = st_mode & 0o777
    kind = statmod.S_IFMT(st_mode)
    if kind == statmod.S_IFDIR:
        mode |= _DIR
    elif kind == statmod.S_IFLNK:
        mode |= _SYMLINK
    elif kind == statmod.S_IFBLK:
        mode |= _DEVICE
    elif kind == statmod.S_IFCHR:
        mode |= _DEVICE | _CHARDEV
    elif kind == statmod.S_IFIFO:
        mode |= _PIPE
    if st_mode & statmod.S_ISUID:
        mode |= _SETUID
    if st_mode & statmod.S_ISGID:
        mode |= _SETGID
    if st_mode & statmod.S_ISVTX:
        mode |= _STICKY
    return mode


def _options(metadata: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """The call's options; a value whose `<key>-encoded` is true is percent-encoded."""
    out = {}
    for key, values in metadata.items():
        encoded = metadata.get(key + "-encoded", ["false"])[0].lower() in ("1", "t", "true")
        out[key] = [unquote(v) for v in values] if encoded else list(values)
    return out


def walk(
    root: Path,
    *,
    excludes: Sequence[str] = (),
    includes: Sequence[str] = (),
    follow: Sequence[str] = (),
) -> Iterator[tuple[str, os.stat_result]]:
    """(relative path, lstat) of what the receiver may see, parents before children, each
    directory's entries in byte order of their names: the order fsutil's validator wants."""
    exclude = PatternMatcher(excludes) if excludes else None
    include = [p.strip("/") for p in includes if p.strip("/")]
    wanted = set(_follow_closure(root, follow)) if follow else None

    def included(path: str, is_dir: bool) -> tuple[bool, bool]:
        """(send it, descend into it)."""
        if wanted is not None and path not in wanted and not any(w.startswith(path + "/") for w in wanted):
            return False, False
        if include and not any(_prefix_match(p, path) for p in include):
            below = is_dir and any(p.startswith(path + "/") or _glob_below(p, path) for p in include)
            return False, below
        if exclude is not None and exclude.matches(path):
            return False, is_dir and exclude.may_reinclude_below(path)
        return True, True

    def visit(directory: Path, prefix: str) -> Iterator[tuple[str, os.stat_result]]:
        try:
            names = sorted(os.listdir(directory), key=os.fsencode)
        except OSError as exc:
            raise GrpcError(_NOT_FOUND, f"cannot list {prefix or '.'}: {exc.strerror}") from exc
        for name in names:
            path = f"{prefix}{name}"
            st = os.lstat(directory / name)
            is_dir = statmod.S_ISDIR(st.st_mode)
            send, descend = included(path, is_dir)
            if send:
                yield path, st
            if is_dir and descend:
                inner = list(visit(directory / name, path + "/"))
                if inner and not send:
                    # A file let through below an excluded directory needs its parent.
                    yield path, st
                yield from inner

    yield from visit(root, "")


def _prefix_match(pattern: str, path: str) -> bool:
    from fnmatch import fnmatchcase  # noqa: PLC0415 - include patterns are rare (the .dockerignore probe)

    return path == pattern or path.startswith(pattern + "/") or fnmatchcase(path, pattern)


def _glob_below(pattern: str, directory: str) -> bool:
    return any(c in pattern for c in "*?[") and pattern.split("/")[0] in (directory.split("/")[0], "*")


def _follow_closure(root: Path, paths: Sequence[str]) -> list[str]:
    """The paths asked for by `followpaths`, and the targets of symlinks among them."""
    out = []
    for path in paths:
        path = path.strip("/")
        out.append(path)
        full = root / path
        if full.is_symlink():
            target = os.readlink(full)
            out.append(os.path.normpath(os.path.join(os.path.dirname(path), target)).lstrip("/"))
    return out


def _stat(path: str, st: os.stat_result, root: Path) -> stat_pb2.Stat:
    mode = go_mode(st.st_mode)
    message = stat_pb2.Stat(path=path, mode=mode, uid=st.st_uid, gid=st.st_gid, modTime=st.st_mtime_ns)
    if not statmod.S_ISDIR(st.st_mode):
        message.size = st.st_size
    if statmod.S_ISLNK(st.st_mode):
        message.linkname = os.readlink(root / path)
    elif statmod.S_ISBLK(st.st_mode) or statmod.S_ISCHR(st.st_mode):
        message.devmajor = os.major(st.st_rdev)
        message.devminor = os.minor(st.st_rdev)
    return message


def serve_diffcopy(call: Call, dirs: Mapping[str, Path], progress: list[int] | None = None) -> None:
    """Send the directory the call names; `progress[0]` counts the file bytes sent."""
    options = _options(call.metadata)
    name = (options.get("dir-name") or [""])[0]
    root = dirs.get(name)
    if root is None:
        raise GrpcError(_NOT_FOUND, f"no access allowed to dir {name!r}")
    files: dict[int, str] = {}
    lock = threading.Lock()
    requests: deque[int] = deque()
    finished = threading.Event()
    failure: list[BaseException] = []

    def receive() -> None:
        # The receiver asks for files while the stats still arrive: read all it says.
        try:
            while (data := call.recv()) is not None:
                packet = wire_pb2.Packet.FromString(data)
                if packet.type == wire_pb2.Packet.PACKET_REQ:
                    with lock:
                        requests.append(packet.ID)
                        wake.set()
                elif packet.type == wire_pb2.Packet.PACKET_FIN:
                    break
                elif packet.type == wire_pb2.Packet.PACKET_ERR:
                    failure.append(
                        GrpcError(2, f"the daemon's receiver failed: {packet.data.decode(errors='replace')}")
                    )
                    break
        finally:
            finished.set()
            wake.set()

    wake = threading.Event()
    reader = threading.Thread(target=receive, name="diffcopy receive", daemon=True)
    reader.start()
    for index, (path, st) in enumerate(
        walk(
            root,
            excludes=options.get("exclude-patterns", []),
            includes=options.get("include-patterns", []),
            follow=options.get("followpaths", []),
        )
    ):
        if statmod.S_ISREG(st.st_mode):
            with lock:
                files[index] = path
        call.send(wire_pb2.Packet(type=wire_pb2.Packet.PACKET_STAT, stat=_stat(path, st, root)).SerializeToString())
        _send_requested(call, root, files, requests, lock, progress)
    call.send(wire_pb2.Packet(type=wire_pb2.Packet.PACKET_STAT).SerializeToString())
    while True:
        wake.wait()
        wake.clear()
        _send_requested(call, root, files, requests, lock, progress)
        if finished.is_set():
            break
    _send_requested(call, root, files, requests, lock, progress)  # asked for between the last send and the end
    if failure:
        raise failure[0]
    if not call.cancelled:
        call.send(wire_pb2.Packet(type=wire_pb2.Packet.PACKET_FIN).SerializeToString())


def _send_requested(
    call: Call,
    root: Path,
    files: dict[int, str],
    requests: deque[int],
    lock: threading.Lock,
    progress: list[int] | None,
) -> None:
    while True:
        with lock:
            if not requests:
                return
            ident = requests.popleft()
            path = files.pop(ident, None)
        if path is None:
            raise GrpcError(2, f"the daemon asked for file {ident}, which was not sent as a file")
        with open(root / path, "rb") as f:
            while chunk := f.read(CHUNK):
                call.send(wire_pb2.Packet(type=wire_pb2.Packet.PACKET_DATA, ID=ident, data=chunk).SerializeToString())
                if progress is not None:
                    progress[0] += len(chunk)
        call.send(wire_pb2.Packet(type=wire_pb2.Packet.PACKET_DATA, ID=ident).SerializeToString())
