"""Tar archives for the daemon, streamed: build contexts, `put_archive` bodies,
and safe reading of the archives `archive()` returns.

Writing never holds more than a chunk or two in memory: `build_context` and
`tar_path` walk the tree lazily and read files piece by piece, yielding chunks
of at most `chunk_size` bytes, which the client sends as they come:

    ctx = build_context("app", dockerfile="docker/Dockerfile")
    for info in docker.images.build(body=ctx, dockerfile=ctx.dockerfile, t="app:latest"):
        ...
    docker.containers.put_archive(cid, path="/srv", body=tar_path("site"))

Reading (`iter_archive`, `read_archive`, `extract`) checks every member:
a name outside the archive root (`../x`, `/abs`) raises `ArchiveError`, and
`extract` never writes outside its target directory — not through `..`, not
through a symbolic link, whether the link came with the archive or was there
before.
"""

from __future__ import annotations

import base64
import binascii
import errno
import io
import json
import os
import posixpath
import stat
import tarfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any, Final, Self

from ._dockerignore import DockerignoreError, PatternMatcher, escape_pattern, go_clean, parse_dockerignore
from ._errors import DockerError
from ._types import Timestamp, parse_timestamp

__all__ = [
    "CHUNK_SIZE",
    "PATH_STAT_HEADER",
    "ArchiveError",
    "ArchiveMember",
    "ArchiveSource",
    "BuildContext",
    "DockerignoreError",
    "PathStat",
    "build_context",
    "decode_path_stat",
    "extract",
    "iter_archive",
    "path_stat_from_headers",
    "read_archive",
    "tar_path",
]

CHUNK_SIZE: Final = 64 * 1024
BLOCK: Final = tarfile.BLOCKSIZE  # 512
RECORD: Final = tarfile.RECORDSIZE  # 20 blocks: archives end on a record boundary
PATH_STAT_HEADER: Final = "X-Docker-Container-Path-Stat"

# What `iter_archive`/`extract` read: a whole archive, a binary file, or chunks.
ArchiveSource = bytes | bytearray | memoryview | IO[bytes] | Iterable[bytes]
PathLike = str | os.PathLike[str]


class ArchiveError(DockerError):
    """An archive is unsafe or unreadable (a member outside the root, a write
    through a symbolic link, a truncated stream), or a file changed while being
    archived."""


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


@dataclass(slots=True)
class _Item:
    """One member to write: its header, and where its content comes from."""

    info: tarfile.TarInfo
    path: str | None = None  # read `info.size` bytes from this file
    data: bytes | None = None  # or this content


class _Chunker:
    """Collects pieces into chunks of exactly `size` bytes (the last may be shorter)."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("chunk_size must be positive")
        self.size = size
        self.total = 0
        self._buf = bytearray()

    def add(self, data: bytes) -> Iterator[bytes]:
        self.total += len(data)
        buf = self._buf
        if not buf and len(data) == self.size:
            yield data
            return
        buf += data
        while len(buf) >= self.size:
            yield bytes(buf[: self.size])
            del buf[: self.size]

    @property
    def room(self) -> int:
        """Bytes that would complete the chunk being collected (a whole chunk when none is)."""
        return self.size - len(self._buf)

    def flush(self) -> Iterator[bytes]:
        if self._buf:
            yield bytes(self._buf)
            self._buf = bytearray()


def _tar_stream(items: Iterable[_Item], chunk_size: int) -> Iterator[bytes]:
    """A POSIX (pax) tar of `items`, in chunks of `chunk_size` bytes."""
    out = _Chunker(chunk_size)
    for item in items:
        info = item.info
        yield from out.add(info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape"))
        if not info.isreg() or info.size == 0:
            continue
        if item.data is not None:
            for start in range(0, len(item.data), chunk_size):
                yield from out.add(item.data[start : start + chunk_size])
        else:
            assert item.path is not None
            yield from _file_content(item.path, info.size, out)
        yield from out.add(bytes(-info.size % BLOCK))
    yield from out.add(bytes(2 * BLOCK))
    yield from out.add(bytes(-out.total % RECORD))
    yield from out.flush()


def _file_content(path: str, size: int, out: _Chunker) -> Iterator[bytes]:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    with open(fd, "rb", buffering=0) as f:
        remaining = size
        while remaining:
            # Reads fill the pending chunk first, so that later ones pass through uncopied.
            data = f.read(min(out.room, remaining))
            if not data:
                raise ArchiveError(f"{path}: file shrank while being archived ({size - remaining} of {size} bytes)")
            remaining -= len(data)
            yield from out.add(data)


def _tarinfo(
    arcname: str,
    full: str,
    st: os.stat_result,
    owner: tuple[int, int] | None,
    links: dict[tuple[int, int], str],
) -> tarfile.TarInfo | None:
    """The header for a file on disk (lstat'ed as `st`); None for a socket."""
    info = tarfile.TarInfo(arcname)
    mode = st.st_mode
    info.mode = stat.S_IMODE(mode)
    info.mtime = int(st.st_mtime)
    info.uid, info.gid = owner if owner is not None else (st.st_uid, st.st_gid)
    info.uname = info.gname = ""
    if stat.S_ISREG(mode):
        key = (st.st_dev, st.st_ino)
        if st.st_nlink > 1 and key in links:
            info.type = tarfile.LNKTYPE
            info.linkname = links[key]
        else:
            if st.st_nlink > 1:
                links[key] = arcname
            info.type = tarfile.REGTYPE
            info.size = st.st_size
    elif stat.S_ISDIR(mode):
        info.type = tarfile.DIRTYPE
    elif stat.S_ISLNK(mode):
        info.type = tarfile.SYMTYPE
        info.linkname = os.readlink(full)
    elif stat.S_ISFIFO(mode):
        info.type = tarfile.FIFOTYPE
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        info.type = tarfile.CHRTYPE if stat.S_ISCHR(mode) else tarfile.BLKTYPE
        info.devmajor, info.devminor = os.major(st.st_rdev), os.minor(st.st_rdev)
    else:  # a socket: not archivable (Docker skips them too)
        return None
    return info


def _sorted_entries(directory: str) -> Iterator[os.DirEntry[str]]:
    with os.scandir(directory) as it:
        entries = list(it)
    # Byte order, like Go's directory walk.
    return iter(sorted(entries, key=lambda e: os.fsencode(e.name)))


def _walk(top: str, matcher: PatternMatcher | None) -> Iterator[tuple[str, str, os.stat_result]]:
    """`(relative path, full path, lstat)` below `top`, depth first, each
    directory's entries in byte order; symbolic links are not followed.

    With a matcher, excluded paths are left out the way `docker build` does:
    an excluded directory is not entered, unless an exception may re-include
    something below it, in which case its entries are matched one by one
    (and the directory itself is still left out).
    """
    active = matcher if matcher is not None and matcher.patterns else None
    stack: list[tuple[Iterator[os.DirEntry[str]], str, tuple[bool, ...] | None]] = [(_sorted_entries(top), "", None)]
    while stack:
        entries, parent_rel, parent_info = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
            continue
        rel = f"{parent_rel}/{entry.name}" if parent_rel else entry.name
        st = entry.stat(follow_symlinks=False)
        is_dir = stat.S_ISDIR(st.st_mode)
        info: tuple[bool, ...] | None = None
        if active is not None:
            excluded, info = active.matches_using_parent(rel, parent_info)
            if excluded:
                if is_dir and active.may_reinclude_below(rel):
                    stack.append((_sorted_entries(entry.path), rel, info))
                continue
        yield rel, entry.path, st
        if is_dir:
            stack.append((_sorted_entries(entry.path), rel, info))


def _check_arcname(arcname: str) -> str:
    cleaned = go_clean(arcname.replace(os.sep, "/"))
    if cleaned.startswith("/") or cleaned == ".." or cleaned.startswith("../"):
        raise ValueError(f"arcname {arcname!r} must be a relative path inside the archive")
    return cleaned


def tar_path(
    path: PathLike,
    arcname: str | None = None,
    *,
    owner: tuple[int, int] | None = (0, 0),
    chunk_size: int = CHUNK_SIZE,
) -> Iterator[bytes]:
    """A tar of the file or directory `path`, streamed in chunks: the body for
    `containers.put_archive`.

    The member is named `arcname` (default: the last component of `path`); a
    directory's entries follow below it, depth first in sorted order. With
    `arcname="."` a directory's entries are at the archive root, without an
    entry for the directory itself. Symbolic links are archived as links (a
    `path` that is one included), hard links within the tree as hard links;
    modes and modification times are kept. Members are owned by `owner`
    (uid, gid), root by default like `docker cp`; None keeps the files' own ids.

    `path` is checked now (FileNotFoundError); the tree is read while the chunks are consumed.
    """
    full = os.path.abspath(os.fspath(path))
    st = os.lstat(full)
    name = _check_arcname(os.path.basename(full) if arcname is None else arcname)
    if name == "." and not stat.S_ISDIR(st.st_mode):
        raise ValueError(f"{full} is not a directory: give it an arcname")
    if stat.S_ISSOCK(st.st_mode):
        raise ArchiveError(f"{full}: a socket cannot be archived")
    if chunk_size < 1:
        raise ValueError("chunk_size must be positive")

    def items() -> Iterator[_Item]:
        links: dict[tuple[int, int], str] = {}
        if name != ".":
            info = _tarinfo(name, full, st, owner, links)
            assert info is not None
            yield _Item(info, path=full)
        if stat.S_ISDIR(st.st_mode):
            for rel, entry_full, entry_st in _walk(full, None):
                arc = rel if name == "." else f"{name}/{rel}"
                info = _tarinfo(arc, entry_full, entry_st, owner, links)
                if info is not None:
                    yield _Item(info, path=entry_full)

    return _tar_stream(items(), chunk_size)


class BuildContext:
    """A build context ready to send: iterate it for the tar chunks (each
    iteration walks the directory afresh), and pass `dockerfile` as the
    build's `dockerfile=` parameter.

    `excludes` are the patterns in effect (the .dockerignore's, plus the
    exceptions that keep the Dockerfile and .dockerignore in).
    """

    def __init__(
        self,
        root: str,
        dockerfile: str,
        excludes: tuple[str, ...],
        items: Callable[[], Iterator[_Item]],
        chunk_size: int,
    ) -> None:
        self.root = root
        self.dockerfile = dockerfile
        self.excludes = excludes
        self._items = items
        self._chunk_size = chunk_size

    def __iter__(self) -> Iterator[bytes]:
        return _tar_stream(self._items(), self._chunk_size)

    @property
    def chunks(self) -> Iterator[bytes]:
        """A fresh iterator of the tar's chunks."""
        return iter(self)

    def names(self) -> list[str]:
        """The member names, in archive order (walks the tree, reads no file)."""
        return [item.info.name for item in self._items()]

    def __repr__(self) -> str:
        return f"BuildContext({self.root!r}, dockerfile={self.dockerfile!r})"


def build_context(
    path: PathLike,
    *,
    dockerfile: PathLike = "Dockerfile",
    ignore_file: PathLike | None = ".dockerignore",
    chunk_size: int = CHUNK_SIZE,
) -> BuildContext:
    """The build context of the directory `path`, as `docker build` sends it.

    - `dockerfile`: relative to `path`, or absolute. One outside the context is
      added to the archive as `.dockerfile.<hash of its content>` (and that
      name appended to the archive's `.dockerignore`, so that the builder
      leaves it out of `COPY .`), exactly as the Docker CLI does;
      `BuildContext.dockerfile` is the name to pass to the build.
    - `ignore_file`: the .dockerignore to apply (relative to `path` or absolute;
      a missing file excludes nothing; None: apply none). The Dockerfile and the
      context's `.dockerignore` are sent even when excluded: the daemon needs
      them, and itself leaves them out of `COPY` when they are excluded.
    - Members are in sorted order (deterministic), owned by root; modes and
      modification times are kept, symbolic links archived as links, empty
      directories included, sockets skipped.

    The Dockerfile and ignore file are read now (FileNotFoundError,
    DockerignoreError); the tree is read while the chunks are consumed.
    """
    root = os.path.realpath(os.fspath(path))
    if not os.path.isdir(root):
        raise NotADirectoryError(errno.ENOTDIR, "build context is not a directory", os.fspath(path))
    if chunk_size < 1:
        raise ValueError("chunk_size must be positive")

    given = os.fspath(dockerfile)
    dockerfile_path = os.path.realpath(given if os.path.isabs(given) else os.path.join(root, given))
    if not os.path.isfile(dockerfile_path):
        raise FileNotFoundError(errno.ENOENT, "cannot locate the Dockerfile", dockerfile_path)
    rel_dockerfile = os.path.relpath(dockerfile_path, root).replace(os.sep, "/")
    inside = rel_dockerfile != ".." and not rel_dockerfile.startswith("../")

    patterns: list[str] = []
    if ignore_file is not None:
        ignore = os.fspath(ignore_file)
        try:
            with open(ignore if os.path.isabs(ignore) else os.path.join(root, ignore), "rb") as f:
                patterns = parse_dockerignore(f.read())
        except FileNotFoundError:
            pass
    # As the Docker CLI does: the Dockerfile and .dockerignore stay in.
    matcher = PatternMatcher(patterns)
    if matcher.matches(".dockerignore"):
        patterns.append("!.dockerignore")
    if inside and matcher.matches(rel_dockerfile):
        patterns.append("!" + escape_pattern(rel_dockerfile))
    matcher = PatternMatcher(patterns)

    extras: dict[str, _Item] = {}
    name = rel_dockerfile
    if not inside:
        with open(dockerfile_path, "rb") as f:
            content = f.read()
        dockerfile_mtime = int(os.stat(dockerfile_path).st_mtime)
        import hashlib  # noqa: PLC0415 - loading OpenSSL costs ~12 ms at import

        name = ".dockerfile." + hashlib.sha256(content).hexdigest()[:20]
        extras[name] = _Item(_memory_info(name, len(content), 0o600, dockerfile_mtime), data=content)
        root_ignore = os.path.join(root, ".dockerignore")
        try:
            with open(root_ignore, "rb") as f:
                ignore_content = f.read()
            ignore_st: os.stat_result | None = os.stat(root_ignore)
        except FileNotFoundError:
            ignore_content, ignore_st = b".dockerignore", None
        ignore_content += b"\n" + name.encode() + b"\n"
        info = _memory_info(
            ".dockerignore",
            len(ignore_content),
            stat.S_IMODE(ignore_st.st_mode) if ignore_st else 0o600,
            int(ignore_st.st_mtime) if ignore_st else dockerfile_mtime,
        )
        extras[".dockerignore"] = _Item(info, data=ignore_content)

    def items() -> Iterator[_Item]:
        links: dict[tuple[int, int], str] = {}
        pending = sorted(extras, key=os.fsencode)
        for rel, full, st in _walk(root, matcher):
            if "/" not in rel:
                while pending and os.fsencode(pending[0]) <= os.fsencode(rel):
                    yield extras[pending.pop(0)]
            if rel in extras:
                continue
            info = _tarinfo(rel, full, st, (0, 0), links)
            if info is not None:
                yield _Item(info, path=full)
        for rest in pending:
            yield extras[rest]

    return BuildContext(root, name, tuple(patterns), items, chunk_size)


def _memory_info(name: str, size: int, mode: int, mtime: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = mode
    info.mtime = mtime
    info.uname = info.gname = ""
    return info


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


class _ChunkReader(io.RawIOBase):
    """A readable binary file over an iterable of chunks."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        super().__init__()
        self._chunks = iter(chunks)
        self._buf = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        while not self._buf:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._buf = memoryview(chunk)
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n


def _as_file(source: ArchiveSource) -> IO[bytes]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return io.BytesIO(source)
    if hasattr(source, "read"):
        return source  # type: ignore[return-value]
    return io.BufferedReader(_ChunkReader(source))


def _member_name(raw: str, what: str = "member") -> str:
    """The normalised relative name of a member; ArchiveError if it leaves the root."""
    if raw.startswith("/"):
        raise ArchiveError(f"unsafe archive {what} {raw!r}: absolute path")
    name = posixpath.normpath(raw) if raw else "."
    if name == ".." or name.startswith("../"):
        raise ArchiveError(f"unsafe archive {what} {raw!r}: outside the archive root")
    return name


class ArchiveMember:
    """One member of an archive being read. `name` is normalised (`./a/b/` →
    `a/b`; the root itself is `.`); for a hard link, `linkname` is the
    normalised name of the member it links to. The content (`read`, `open`)
    can be read only until the iteration moves on."""

    __slots__ = ("_current", "_tar", "info", "linkname", "name")

    def __init__(self, name: str, info: tarfile.TarInfo, tar: tarfile.TarFile) -> None:
        self.name = name
        self.info = info
        self.linkname = _member_name(info.linkname, "hard link target") if info.islnk() else info.linkname
        self._tar = tar
        self._current = True

    @property
    def size(self) -> int:
        return self.info.size

    @property
    def mode(self) -> int:
        """The permission bits (incl. set-id and sticky)."""
        return self.info.mode & 0o7777

    @property
    def mtime(self) -> int:
        return int(self.info.mtime)

    def is_file(self) -> bool:
        return self.info.isreg()

    def is_dir(self) -> bool:
        return self.info.isdir()

    def is_symlink(self) -> bool:
        return self.info.issym()

    def is_hardlink(self) -> bool:
        return self.info.islnk()

    def open(self) -> IO[bytes]:
        """The content of a regular file, as a stream."""
        if not self._current:
            raise ArchiveError(f"{self.name}: the archive has moved past this member; read it before the next one")
        if not self.info.isreg():
            raise ArchiveError(f"{self.name}: not a regular file")
        f = self._tar.extractfile(self.info)
        assert f is not None
        return f

    def read(self) -> bytes:
        with self.open() as f:
            try:
                return f.read()
            except tarfile.TarError as exc:
                raise ArchiveError(f"{self.name}: {exc}") from exc

    def __repr__(self) -> str:
        return f"ArchiveMember({self.name!r}, type={self.info.type!r}, size={self.size})"


# Where tarfile meets the end of the data instead of a header (none of it, or
# part of a block), it takes that as the end of the archive. A complete tar
# ends with zero blocks, so after the first member that is a cut archive.
_DATA_ENDED: Final = (vars(tarfile)["EmptyHeaderError"], vars(tarfile)["TruncatedHeaderError"])


class _StrictTarInfo(tarfile.TarInfo):
    @classmethod
    def fromtarfile(cls, tarfile: tarfile.TarFile) -> Self:
        try:
            return super().fromtarfile(tarfile)
        except _DATA_ENDED:
            if tarfile.offset > 0:
                raise ArchiveError(
                    f"truncated archive: the data ends at byte {tarfile.offset} without the end-of-archive blocks"
                ) from None
            raise


def iter_archive(source: ArchiveSource) -> Iterator[ArchiveMember]:
    """The members of a tar archive (plain, gzip, bzip2 or xz), read as a stream.

    `source` is the whole archive, a binary file or an iterable of chunks.
    A member named outside the root (`../x`, `/abs`), or a hard link to one,
    raises `ArchiveError`, as does a malformed or truncated archive. Symbolic
    link targets are not judged here (see `extract`).
    """
    try:
        tar = tarfile.open(fileobj=_as_file(source), mode="r|*", tarinfo=_StrictTarInfo)  # noqa: SIM115 - closed by `with` below
    except tarfile.TarError as exc:
        raise ArchiveError(f"not a tar archive: {exc}") from exc
    with tar:
        while True:
            try:
                info = tar.next()
            except tarfile.TarError as exc:
                raise ArchiveError(f"malformed archive: {exc}") from exc
            if info is None:
                return
            # Stream mode still lists every member read: keep memory flat over a long archive.
            vars(tar).get("members", []).clear()
            member = ArchiveMember(_member_name(info.name), info, tar)
            try:
                yield member
            finally:
                member._current = False


def read_archive(source: ArchiveSource) -> dict[str, bytes]:
    """The regular files of an archive: `{name: content}` (see `iter_archive`)."""
    return {m.name: m.read() for m in iter_archive(source) if m.is_file()}


def _link_escapes(name: str, target: str) -> bool:
    """Whether the symbolic link `name` → `target` points outside the root, lexically."""
    if target.startswith("/"):
        return True
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(name), target))
    return resolved == ".." or resolved.startswith("../")


def _inside(root: str, path: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


class _Extractor:
    def __init__(self, root: str, skip_unsafe_links: bool) -> None:
        self.root = root
        self.skip_unsafe_links = skip_unsafe_links
        self.dirs: list[tuple[str, int, int]] = []
        self.links: list[tuple[str, str]] = []  # (member name, full path) of created symbolic links
        self.written: list[str] = []

    def _parent(self, name: str, *, create: bool = True) -> str:
        """The directory to hold `name`, after checking that no component of
        it is a symbolic link or a non-directory; missing ones are made."""
        current = self.root
        parts = name.split("/")[:-1]
        for index, part in enumerate(parts):
            current = os.path.join(current, part)
            try:
                st = os.lstat(current)
            except FileNotFoundError:
                if not create:
                    raise ArchiveError(f"{name}: {'/'.join(parts[: index + 1])} does not exist") from None
                os.mkdir(current, 0o755)
                continue
            where = "/".join(parts[: index + 1])
            if stat.S_ISLNK(st.st_mode):
                raise ArchiveError(
                    f"unsafe archive member {name!r}: it would be written through the symbolic link {where!r}"
                )
            if not stat.S_ISDIR(st.st_mode):
                raise ArchiveError(f"archive member {name!r}: {where!r} is not a directory")
        return current

    def _clear(self, name: str, path: str) -> None:
        """Remove what is at `path` so that a non-directory can be made there."""
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            return
        if stat.S_ISDIR(st.st_mode):
            raise ArchiveError(f"archive member {name!r} would replace a directory")
        os.unlink(path)

    def member(self, member: ArchiveMember) -> None:
        name = member.name
        if name == ".":
            return
        info = member.info
        path = os.path.join(self._parent(name), name.rsplit("/", 1)[-1])
        if info.isdir():
            try:
                st = os.lstat(path)
            except FileNotFoundError:
                st = None
            if st is not None and not stat.S_ISDIR(st.st_mode):
                os.unlink(path)
                st = None
            if st is None:
                os.mkdir(path, 0o700)
            self.dirs.append((path, member.mode & 0o777, member.mtime))
        elif info.isreg():
            self._clear(name, path)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
            with open(fd, "wb") as out, member.open() as src:
                try:
                    while chunk := src.read(CHUNK_SIZE):
                        out.write(chunk)
                except tarfile.TarError as exc:
                    raise ArchiveError(f"{name}: {exc}") from exc
                os.fchmod(out.fileno(), member.mode & 0o777)
            os.utime(path, (member.mtime, member.mtime), follow_symlinks=False)
        elif info.issym():
            if not self._symlink(name, path, info.linkname):
                return
            os.utime(path, (member.mtime, member.mtime), follow_symlinks=False)
        elif info.islnk():
            source = os.path.join(self._parent(member.linkname, create=False), member.linkname.rsplit("/", 1)[-1])
            try:
                st = os.lstat(source)
            except FileNotFoundError:
                raise ArchiveError(
                    f"archive member {name!r}: hard link to {member.linkname!r}, not extracted"
                ) from None
            if stat.S_ISLNK(st.st_mode):
                if not self._symlink(name, path, os.readlink(source)):
                    return
            elif stat.S_ISDIR(st.st_mode):
                raise ArchiveError(f"archive member {name!r}: hard link to the directory {member.linkname!r}")
            else:
                self._clear(name, path)
                os.link(source, path, follow_symlinks=False)
        else:
            return  # devices, FIFOs: not extracted
        self.written.append(name)

    def _symlink(self, name: str, path: str, target: str) -> bool:
        if _link_escapes(name, target):
            if self.skip_unsafe_links:
                return False
            raise ArchiveError(f"unsafe archive member {name!r}: symbolic link to {target!r} points outside the target")
        self._clear(name, path)
        os.symlink(target, path)
        self.links.append((name, path))
        return True

    def finish(self) -> None:
        # Links can escape through other links (`a -> b/..`, `b -> ..`): check
        # where each resolves now that all exist.
        escaping = [(n, p) for n, p in self.links if not _inside(self.root, os.path.realpath(p))]
        for _, path in escaping:
            os.unlink(path)
        if escaping and not self.skip_unsafe_links:
            name = escaping[0][0]
            raise ArchiveError(f"unsafe archive member {name!r}: symbolic link resolves outside the target")
        escaped = {n for n, _ in escaping}
        self.written = [n for n in self.written if n not in escaped]
        # Directories last, deepest first: a read-only one must not stop its entries being written.
        for path, mode, mtime in reversed(self.dirs):
            os.chmod(path, mode)
            os.utime(path, (mtime, mtime))


def extract(source: ArchiveSource, target_dir: PathLike, *, skip_unsafe_links: bool = False) -> list[str]:
    """Extract a tar archive into `target_dir` (made if missing); return the
    names of the members written, in order.

    Never writes outside `target_dir`: a member named outside it, a member to
    be written through a symbolic link (from the archive or already there), or
    a symbolic link pointing outside (absolute, or too many `..`, also through
    other links) raises `ArchiveError`; with `skip_unsafe_links`, such links
    are left out instead. Regular files, directories, symbolic and hard links
    are made, with their permission bits (set-id and sticky bits dropped) and
    modification times; device nodes and FIFOs are skipped; ownership is not
    changed. An existing file is replaced; an existing directory is kept.
    """
    root = os.path.realpath(os.fspath(target_dir))
    os.makedirs(root, exist_ok=True)
    extractor = _Extractor(root, skip_unsafe_links)
    try:
        for member in iter_archive(source):
            extractor.member(member)
    finally:
        extractor.finish()
    return extractor.written


# --------------------------------------------------------------------------
# X-Docker-Container-Path-Stat
# --------------------------------------------------------------------------

# Go's os.FileMode bits.
_MODE_DIR = 1 << 31
_MODE_SYMLINK = 1 << 27
_MODE_DEVICE = 1 << 26
_MODE_NAMED_PIPE = 1 << 25
_MODE_SOCKET = 1 << 24
_MODE_SETUID = 1 << 23
_MODE_SETGID = 1 << 22
_MODE_CHAR_DEVICE = 1 << 21
_MODE_STICKY = 1 << 20
_MODE_IRREGULAR = 1 << 19
_MODE_TYPE = (
    _MODE_DIR | _MODE_SYMLINK | _MODE_NAMED_PIPE | _MODE_SOCKET | _MODE_DEVICE | _MODE_CHAR_DEVICE | _MODE_IRREGULAR
)


@dataclass(frozen=True, slots=True)
class PathStat:
    """A path in a container, as `archive_info` (HEAD) and `archive` (GET)
    describe it in their `X-Docker-Container-Path-Stat` header.

    `mode` is Go's `os.FileMode` (type bits high, permission bits low);
    `st_mode` is the same in Unix `stat` form. `link_target` is the path a
    symbolic link resolves to in the container, else "".
    """

    name: str
    size: int
    mode: int
    mtime: Timestamp
    link_target: str = ""

    @property
    def is_dir(self) -> bool:
        return bool(self.mode & _MODE_DIR)

    @property
    def is_symlink(self) -> bool:
        return bool(self.mode & _MODE_SYMLINK)

    @property
    def is_file(self) -> bool:
        """A regular file (no type bit set)."""
        return not self.mode & _MODE_TYPE

    @property
    def permissions(self) -> int:
        """The permission bits, `0o755` style."""
        return self.mode & 0o777

    @property
    def st_mode(self) -> int:
        mode = self.mode
        out = mode & 0o777
        if mode & _MODE_SETUID:
            out |= stat.S_ISUID
        if mode & _MODE_SETGID:
            out |= stat.S_ISGID
        if mode & _MODE_STICKY:
            out |= stat.S_ISVTX
        if mode & _MODE_DIR:
            return out | stat.S_IFDIR
        if mode & _MODE_SYMLINK:
            return out | stat.S_IFLNK
        if mode & _MODE_NAMED_PIPE:
            return out | stat.S_IFIFO
        if mode & _MODE_SOCKET:
            return out | stat.S_IFSOCK
        if mode & _MODE_DEVICE:
            return out | (stat.S_IFCHR if mode & _MODE_CHAR_DEVICE else stat.S_IFBLK)
        return out | stat.S_IFREG


def decode_path_stat(header_value: str | bytes) -> PathStat:
    """Decode an `X-Docker-Container-Path-Stat` header value (base64 of JSON
    `{"name", "size", "mode", "mtime", "linkTarget"}`)."""
    raw = header_value.encode("ascii", "replace") if isinstance(header_value, str) else header_value
    raw = raw.strip().replace(b"-", b"+").replace(b"_", b"/")  # the URL-safe alphabet too
    try:
        data = json.loads(base64.b64decode(raw + b"=" * (-len(raw) % 4), validate=True))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        return PathStat(
            name=str(data["name"]),
            size=int(data["size"]),
            mode=int(data["mode"]),
            mtime=parse_timestamp(str(data["mtime"])),
            link_target=str(data.get("linkTarget") or ""),
        )
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise ArchiveError(f"malformed {PATH_STAT_HEADER} header {header_value!r:.200}: {exc}") from exc


def path_stat_from_headers(headers: Mapping[str, str]) -> PathStat:
    """The `PathStat` in response headers (an `httpx.Headers` or any mapping)."""
    value = headers.get(PATH_STAT_HEADER)
    if value is None:
        lowered = PATH_STAT_HEADER.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    if value is None:
        raise ArchiveError(f"no {PATH_STAT_HEADER} header in the response")
    return decode_path_stat(value)
