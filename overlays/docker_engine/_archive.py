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
through a symbolic link, whether the link came with the archive, was there
before, or is swapped in by another process while extracting (every path is
opened one directory at a time, from directory descriptors).

A hostile archive cannot make reading take much memory (a header larger than
`MAX_HEADER_SIZE` is refused before it is read; compressed data is expanded in
bounded steps), nor make `extract` fill the disk: it writes at most
`max_size` bytes of content (`DEFAULT_MAX_SIZE`, 10 GiB), and sparse files
sparse. Every failure is an `ArchiveError` naming the member.
"""

from __future__ import annotations

import base64
import binascii
import errno
import io
import itertools
import json
import os
import posixpath
import stat
import tarfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import partial
from typing import IO, Any, Final, NoReturn, Protocol, Self, cast

from ._dockerignore import DockerignoreError, PatternMatcher, escape_pattern, go_clean, parse_dockerignore
from ._errors import ArchiveError
from ._types import Timestamp, parse_timestamp

__all__ = [
    "CHUNK_SIZE",
    "DEFAULT_MAX_SIZE",
    "MAX_HEADER_SIZE",
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

# tarfile reads a pax, GNU long-name or long-link header's payload whole,
# whatever size the header claims: each is refused above this size before it
# is read. A name this long is far beyond PATH_MAX already.
MAX_HEADER_SIZE: Final = 64 * 1024
# All the header blocks of one member together, its sparse map included
# (about 40,000 regions in the old GNU format).
_MAX_MEMBER_HEADERS: Final = 1024 * 1024
# Extended headers in a row before one member (pax, long name, long link...):
# tarfile reads each with one more recursive call.
_MAX_HEADER_CHAIN: Final = 8
_EXTENDED_HEADERS: Final = {
    tarfile.GNUTYPE_LONGNAME: "GNU long name",
    tarfile.GNUTYPE_LONGLINK: "GNU long link",
    tarfile.XHDTYPE: "pax header",
    tarfile.XGLTYPE: "pax global header",
    tarfile.SOLARIS_XHDTYPE: "Solaris pax header",
}

_Bytes = bytes | bytearray | memoryview


class _ChunkReader(io.RawIOBase):
    """A readable binary file over an iterable of chunks."""

    def __init__(self, chunks: Iterable[_Bytes]) -> None:
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
            self._buf = memoryview(chunk).cast("B")
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n


class _ReadGuard(io.RawIOBase):
    """Reads `inner`, turning its failures (corrupt compressed data, a source
    that fails to read) into `ArchiveError`."""

    def __init__(self, inner: io.BufferedIOBase, what: str, errors: tuple[type[Exception], ...]) -> None:
        super().__init__()
        self._inner = inner
        self._what = what
        self._errors = errors

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        try:
            return self._inner.readinto(b)
        except self._errors as exc:
            raise ArchiveError(f"unreadable archive ({self._what}): {exc}") from exc


def _chunks(source: ArchiveSource) -> Iterable[_Bytes]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return (source,)
    read: Callable[[int], bytes] | None = getattr(source, "read", None)
    if read is not None:  # before iterating: a binary file iterates by lines
        return iter(lambda: read(CHUNK_SIZE), b"")
    return source  # type: ignore[return-value]


def _plain_stream(source: ArchiveSource) -> IO[bytes]:
    """The archive uncompressed, as a stream. gzip, bzip2 and xz are recognised
    by their magic numbers and decompressed here rather than by tarfile's
    stream mode, whose decompression has no bound on what one read expands to
    (a few KiB of bzip2 can make gigabytes)."""
    chunks = iter(_chunks(source))
    first: list[_Bytes] = []  # enough of the start to recognise the format
    while sum(len(c) for c in first) < 10 and (chunk := next(chunks, None)) is not None:
        first.append(chunk)
    head = b"".join(memoryview(c).cast("B")[:10] for c in first)
    raw = io.BufferedReader(_ChunkReader(itertools.chain(first, chunks)))
    inner: io.BufferedIOBase
    errors: tuple[type[Exception], ...]
    if head.startswith(b"\x1f\x8b\x08"):
        import gzip  # noqa: PLC0415 - decompressors only for compressed archives
        import zlib  # noqa: PLC0415

        what, inner, errors = "gzip", gzip.GzipFile(fileobj=raw, mode="rb"), (zlib.error,)
    elif head.startswith(b"BZh") and head[4:10] == b"1AY&SY":
        import bz2  # noqa: PLC0415

        what, inner, errors = "bzip2", bz2.BZ2File(raw), ()
    elif head.startswith((b"\xfd7zXZ\x00", b"\x5d\x00\x00\x80")):
        import lzma  # noqa: PLC0415

        what, inner, errors = "xz", lzma.LZMAFile(raw), (lzma.LZMAError,)  # noqa: SIM115 - over a stream: nothing to close
    else:
        what, inner, errors = "tar", raw, ()
    return io.BufferedReader(_ReadGuard(inner, what, (OSError, EOFError, *errors)))


def _member_name(raw: str, what: str = "member") -> str:
    """The normalised relative name of a member; ArchiveError if it leaves the root."""
    if raw.startswith("/"):
        raise ArchiveError(f"unsafe archive {what} {raw!r}: absolute path")
    name = posixpath.normpath(raw) if raw else "."
    if name == ".." or name.startswith("../"):
        raise ArchiveError(f"unsafe archive {what} {raw!r}: outside the archive root")
    return name


class _Content(Protocol):
    def read(self, size: int, /) -> bytes: ...
    def seek(self, pos: int, /) -> object: ...


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
        """The size of the content (for a sparse file, with its holes)."""
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

    def _content(self) -> _Content:
        # The reader below `open()`'s buffer: it moves forward over a sparse
        # file's holes without producing their zeros.
        f = self.open()
        return cast(_Content, getattr(f, "raw", f))

    def __repr__(self) -> str:
        return f"ArchiveMember({self.name!r}, type={self.info.type!r}, size={self.size})"


def _sparse_map(info: tarfile.TarInfo) -> list[tuple[int, int]] | None:
    """The `(offset, length)` data regions of a sparse member (None for any
    other), checked: in order, not overlapping, within the file's size."""
    regions: object = getattr(info, "sparse", None)
    if regions is None:
        return None
    bad = f"archive member {info.name!r}: bad sparse map"
    if not isinstance(regions, list):
        raise ArchiveError(bad)
    checked: list[tuple[int, int]] = []
    end = 0
    for region in regions:
        if not (isinstance(region, tuple) and len(region) == 2 and all(isinstance(v, int) for v in region)):
            raise ArchiveError(f"{bad} (region {region!r})")
        offset, length = region
        if offset < 0 or length < 0:
            raise ArchiveError(f"{bad} (region {region!r} is negative)")
        if length == 0:
            continue  # an unused slot of the old GNU format, or the end marker
        if offset < end:
            raise ArchiveError(f"{bad} (region {region!r} overlaps or precedes the one before)")
        end = offset + length
        if end > info.size:
            raise ArchiveError(f"{bad} (region {region!r} ends past the size, {info.size} bytes)")
        checked.append((offset, length))
    return checked


class _HeaderGuard:
    """Stands between a TarFile and its stream, to bound what tarfile reads
    while it parses one member's headers: it would otherwise read a long-name
    or pax payload, a sparse map, whole, whatever size the header claims.
    `_StrictTarInfo` installs it on the first header and marks the parsing."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self.depth = 0  # headers being parsed, nested (each extended header reads the next)
        self.used = 0  # header bytes read for the current member
        self.previous = ""  # the last member read: where a bad header is, when its own name is unknown

    @classmethod
    def of(cls, tar: tarfile.TarFile) -> _HeaderGuard:
        stream = tar.fileobj
        if isinstance(stream, _HeaderGuard):
            return stream
        guard = tar.fileobj = cls(stream)
        return guard

    def where(self, offset: int) -> str:
        return f"at byte {offset} " + (f"after member {self.previous!r}" if self.previous else "(the first member)")

    def read(self, size: int, /) -> bytes:
        if self.depth:
            if self.used + size > _MAX_MEMBER_HEADERS:
                raise ArchiveError(
                    f"archive headers too large: more than {_MAX_MEMBER_HEADERS} bytes of headers and sparse map "
                    f"for one member {self.where(self._stream.tell())}"
                )
            self.used += size
        return self._stream.read(size)  # type: ignore[no-any-return]

    def tell(self) -> int:
        return self._stream.tell()  # type: ignore[no-any-return]

    def seek(self, pos: int, /) -> object:
        return self._stream.seek(pos)

    def write(self, b: bytes, /) -> object:
        raise io.UnsupportedOperation("reading only")

    def close(self) -> object:
        return self._stream.close()

    def __getattr__(self, name: str) -> Any:  # whatever else tarfile may look up
        return getattr(self._stream, name)


# Where tarfile meets the end of the data instead of a header (none of it, or
# part of a block), it takes that as the end of the archive. A complete tar
# ends with zero blocks, so after the first member that is a cut archive.
_DATA_ENDED: Final = (vars(tarfile)["EmptyHeaderError"], vars(tarfile)["TruncatedHeaderError"])
# And a header that is not one (a bad checksum, a field that is no number),
# which tarfile also takes as the end there, is a corrupt archive.
_BAD_HEADER: Final = vars(tarfile)["InvalidHeaderError"]


class _StrictTarInfo(tarfile.TarInfo):
    """Reads headers as tarfile does, refusing what it would take on trust:
    oversized or endless headers, a cut or corrupt archive taken for its
    end, negative sizes, sparse maps that do not add up."""

    @classmethod
    def fromtarfile(cls, tarfile: tarfile.TarFile) -> Self:
        guard = _HeaderGuard.of(tarfile)
        if guard.depth >= _MAX_HEADER_CHAIN:
            raise ArchiveError(
                f"malformed archive: more than {_MAX_HEADER_CHAIN} extended headers in a row "
                f"{guard.where(guard.tell())}"
            )
        if not guard.depth:
            guard.used = 0
        guard.depth += 1
        try:
            info = super().fromtarfile(tarfile)
        except _DATA_ENDED:
            if tarfile.offset > 0:
                raise ArchiveError(
                    f"truncated archive: the data ends at byte {tarfile.offset} without the end-of-archive blocks"
                ) from None
            raise
        except _BAD_HEADER as exc:
            if tarfile.offset > 0:
                raise ArchiveError(f"malformed archive: bad header {guard.where(tarfile.offset)}: {exc}") from exc
            raise
        except ValueError as exc:  # a sparse map or pax number that is none: tarfile lets these through
            raise ArchiveError(f"malformed archive: bad header {guard.where(tarfile.offset)}: {exc}") from exc
        finally:
            guard.depth -= 1
        if not guard.depth:
            _check_header(info, tarfile)
            guard.previous = info.name
        return info

    def _proc_member(self, tarfile: tarfile.TarFile) -> Self:
        # The header block is parsed, its payload not read yet: the moment to refuse a huge one.
        kind = _EXTENDED_HEADERS.get(self.type)
        if kind is not None and not 0 <= self.size <= MAX_HEADER_SIZE:
            raise ArchiveError(
                f"archive header too large: a {kind} of {self.size} bytes "
                f"{_HeaderGuard.of(tarfile).where(self.offset)} (the limit is {MAX_HEADER_SIZE})"
            )
        return super()._proc_member(tarfile)  # type: ignore[misc,no-any-return]


def _check_header(info: tarfile.TarInfo, tar: tarfile.TarFile) -> None:
    """What tarfile does not check of a member's header, before it is used."""
    if info.size < 0:
        raise ArchiveError(f"malformed archive: member {info.name!r} has a negative size")
    sparse = _sparse_map(info)
    if sparse is not None:
        info.sparse = sparse  # type: ignore[assignment] # the same regions, without the empty ones
    # Global pax headers add up, and are copied into every member after them.
    if tar.pax_headers and sum(len(k) + len(v) for k, v in tar.pax_headers.items()) > MAX_HEADER_SIZE:
        raise ArchiveError(
            f"archive header too large: the global pax headers before member {info.name!r} "
            f"add up to more than {MAX_HEADER_SIZE} bytes"
        )


def iter_archive(source: ArchiveSource) -> Iterator[ArchiveMember]:
    """The members of a tar archive (plain, gzip, bzip2 or xz), read as a stream.

    `source` is the whole archive, a binary file or an iterable of chunks.
    A member named outside the root (`../x`, `/abs`), or a hard link to one,
    raises `ArchiveError`, as does a malformed or truncated archive, corrupt
    compressed data, or a header larger than `MAX_HEADER_SIZE` (refused before
    it is read: memory stays small whatever the archive claims). Symbolic link
    targets are not judged here (see `extract`).
    """
    try:
        tar = tarfile.open(fileobj=_plain_stream(source), mode="r|", tarinfo=_StrictTarInfo)  # noqa: SIM115 - closed by `with` below
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


# --------------------------------------------------------------------------
# Extracting
# --------------------------------------------------------------------------

DEFAULT_MAX_SIZE: Final = 10 * 1024**3  # 10 GiB

# Every path is walked one component at a time from a directory descriptor,
# never following a symbolic link: a directory swapped for a link by another
# process while extracting is refused, not written through. (A directory that
# process moves elsewhere keeps receiving its entries; but a rename needs
# write access where it lands, which a symbolic link does not.)
_DIR_FLAGS: Final = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
# A file is always new (O_EXCL): never one already there, nor what a link there points to.
_NEW_FILE_FLAGS: Final = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


def _link_escapes(name: str, target: str) -> bool:
    """Whether the symbolic link `name` → `target` points outside the root, lexically."""
    if target.startswith("/"):
        return True
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(name), target))
    return resolved == ".." or resolved.startswith("../")


def _inside(root: str, path: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def _lstat_at(dir_fd: int, name: str) -> os.stat_result | None:
    try:
        return os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return None


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _os_failure(exc: OSError) -> str:
    """`No space left on device (ENOSPC)`."""
    code = errno.errorcode.get(exc.errno or 0)
    return f"{exc.strerror or exc} ({code})" if code else str(exc)


class _Extractor:
    """Makes the members of one archive below the directory open as `root_fd`."""

    def __init__(self, root_fd: int, root: str, skip_unsafe_links: bool, max_size: int | None) -> None:
        self.root_fd = root_fd
        self.root = root
        self.skip_unsafe_links = skip_unsafe_links
        self.max_size = max_size
        self.path_max = os.fpathconf(root_fd, "PC_PATH_MAX")
        self.total = 0  # content bytes written (a sparse file's holes included)
        self.dirs: list[tuple[str, int, int]] = []  # (name, mode, mtime) of the directory members
        self.links: list[str] = []  # the symbolic links made
        self.written: list[str] = []

    # -- walking -----------------------------------------------------------

    @contextmanager
    def _parent(self, name: str, *, create: bool = True) -> Iterator[int]:
        """A descriptor of the directory to hold `name`, reached from the root
        one component at a time, none of them a symbolic link; missing ones
        are made (0o755)."""
        parts = name.split("/")[:-1]
        fd = self.root_fd
        try:
            for index, part in enumerate(parts):
                sub = self._open_dir(fd, part, name, "/".join(parts[: index + 1]), create)
                if fd != self.root_fd:
                    os.close(fd)
                fd = sub
            yield fd
        finally:
            if fd != self.root_fd:
                os.close(fd)

    def _open_dir(self, parent: int, part: str, name: str, where: str, create: bool) -> int:
        try:
            return os.open(part, _DIR_FLAGS, dir_fd=parent)
        except FileNotFoundError:
            if not create:
                raise ArchiveError(f"{name}: {where} does not exist") from None
        except OSError as exc:
            if exc.errno not in (errno.ENOTDIR, errno.ELOOP):
                raise
            self._refuse_non_dir(parent, part, name, where)
        with suppress(FileExistsError):  # made meanwhile: by whom, the open below checks
            os.mkdir(part, 0o755, dir_fd=parent)
        try:
            return os.open(part, _DIR_FLAGS, dir_fd=parent)
        except OSError as exc:
            if exc.errno not in (errno.ENOTDIR, errno.ELOOP):
                raise
            self._refuse_non_dir(parent, part, name, where)

    @staticmethod
    def _refuse_non_dir(parent: int, part: str, name: str, where: str) -> NoReturn:
        st = _lstat_at(parent, part)
        if st is not None and stat.S_ISLNK(st.st_mode):
            raise ArchiveError(
                f"unsafe archive member {name!r}: it would be written through the symbolic link {where!r}"
            )
        raise ArchiveError(f"archive member {name!r}: {where!r} is not a directory")

    @staticmethod
    def _clear(parent: int, leaf: str, name: str) -> None:
        """Remove what is at `leaf` so that a non-directory can be made there."""
        st = _lstat_at(parent, leaf)
        if st is None:
            return
        if stat.S_ISDIR(st.st_mode):
            raise ArchiveError(f"archive member {name!r} would replace a directory")
        with suppress(FileNotFoundError):
            os.unlink(leaf, dir_fd=parent)

    # -- members -----------------------------------------------------------

    def member(self, member: ArchiveMember) -> None:
        name = member.name
        if name == ".":
            return
        length = len(os.fsencode(self.root)) + 1 + len(os.fsencode(name))
        if length >= self.path_max:
            raise ArchiveError(
                f"archive member {name[:64]!r}...: name too long ({length} bytes in the target directory; "
                f"the limit is {self.path_max})"
            )
        try:
            made = self._make(member)
        except OSError as exc:
            raise ArchiveError(f"cannot extract archive member {name!r}: {_os_failure(exc)}") from exc
        except (ValueError, OverflowError) as exc:  # a NUL in a name, a time out of range
            raise ArchiveError(f"cannot extract archive member {name!r}: bad header value: {exc}") from exc
        if made:
            self.written.append(name)

    def _make(self, member: ArchiveMember) -> bool:
        info = member.info
        if info.isdir():
            self._directory(member)
        elif info.isreg():
            self._file(member)
        elif info.issym():
            return self._symlink(member.name, info.linkname, member.mtime)
        elif info.islnk():
            return self._hardlink(member)
        else:
            return False  # devices, FIFOs: not extracted
        return True

    def _directory(self, member: ArchiveMember) -> None:
        leaf = member.name.rsplit("/", 1)[-1]
        with self._parent(member.name) as parent:
            st = _lstat_at(parent, leaf)
            if st is not None and not stat.S_ISDIR(st.st_mode):
                os.unlink(leaf, dir_fd=parent)
                st = None
            if st is None:
                with suppress(FileExistsError):  # made meanwhile: later walks check what it is
                    os.mkdir(leaf, 0o700, dir_fd=parent)
        # Its mode and time last: a read-only directory must not stop its entries being made.
        self.dirs.append((member.name, member.mode & 0o777, member.mtime))

    def _file(self, member: ArchiveMember) -> None:
        name, size = member.name, member.size
        if self.max_size is not None and self.total + size > self.max_size:
            raise ArchiveError(
                f"archive member {name!r}: its {size} bytes would take the content extracted "
                f"over max_size ({self.max_size} bytes)"
            )
        leaf = name.rsplit("/", 1)[-1]
        with self._parent(name) as parent:
            self._clear(parent, leaf, name)
            fd = os.open(leaf, _NEW_FILE_FLAGS, 0o600, dir_fd=parent)
            try:
                self._copy(member, fd)
                os.fchmod(fd, member.mode & 0o777)
                os.utime(fd, (member.mtime, member.mtime))
            except BaseException:
                _remove_own_file(parent, leaf, fd)
                raise
            finally:
                os.close(fd)

    def _copy(self, member: ArchiveMember, fd: int) -> None:
        """Write the content of `member` to `fd`; a sparse file's holes are
        skipped over (they read as zeros but take no disk)."""
        sparse = _sparse_map(member.info)
        content = member._content()
        for offset, length in sparse if sparse is not None else [(0, member.size)]:
            if sparse is not None:
                content.seek(offset)
                os.lseek(fd, offset, os.SEEK_SET)
            remaining = length
            while remaining:
                try:
                    chunk = content.read(min(CHUNK_SIZE, remaining))
                except tarfile.TarError as exc:
                    raise ArchiveError(f"archive member {member.name!r}: {exc}") from exc
                if not chunk:
                    raise ArchiveError(f"archive member {member.name!r}: the archive ends inside its content")
                _write_all(fd, chunk)
                remaining -= len(chunk)
                self.total += len(chunk)
        if sparse is not None:
            os.ftruncate(fd, member.size)  # a hole at the end, and the file's full size
            self.total += member.size - sum(length for _, length in sparse)

    def _symlink(self, name: str, target: str, mtime: int) -> bool:
        if _link_escapes(name, target):
            if self.skip_unsafe_links:
                return False
            raise ArchiveError(f"unsafe archive member {name!r}: symbolic link to {target!r} points outside the target")
        leaf = name.rsplit("/", 1)[-1]
        with self._parent(name) as parent:
            self._clear(parent, leaf, name)
            os.symlink(target, leaf, dir_fd=parent)
            self.links.append(name)
            os.utime(leaf, (mtime, mtime), dir_fd=parent, follow_symlinks=False)
        return True

    def _hardlink(self, member: ArchiveMember) -> bool:
        name, source = member.name, member.linkname
        leaf, source_leaf = name.rsplit("/", 1)[-1], source.rsplit("/", 1)[-1]
        with self._parent(name) as parent, self._parent(source, create=False) as source_parent:
            st = _lstat_at(source_parent, source_leaf)
            if st is None:
                raise ArchiveError(f"archive member {name!r}: hard link to {source!r}, not extracted")
            if stat.S_ISDIR(st.st_mode):
                raise ArchiveError(f"archive member {name!r}: hard link to the directory {source!r}")
            if not stat.S_ISLNK(st.st_mode):
                self._clear(parent, leaf, name)
                os.link(source_leaf, leaf, src_dir_fd=source_parent, dst_dir_fd=parent, follow_symlinks=False)
                return True
            target = os.readlink(source_leaf, dir_fd=source_parent)
        # A hard link to a symbolic link: made as a copy of it, checked like it.
        return self._symlink(name, target, member.mtime)

    # -- the end -----------------------------------------------------------

    def finish(self, *, failed: bool) -> None:
        """Remove the symbolic links that resolve outside the target, then set
        the directories' modes and times. Each step is tried even when one
        before fails; after a failed extraction, no error of its own hides
        the first one."""
        problems: list[ArchiveError] = []

        def attempt(what: str, step: Callable[[], None]) -> None:
            try:
                step()
            except ArchiveError as exc:
                problems.append(exc)
            except OSError as exc:
                error = ArchiveError(f"cannot {what}: {_os_failure(exc)}")
                error.__cause__ = exc
                problems.append(error)

        # Links can escape through other links (`a -> b/..`, `b -> ..`): check
        # where each resolves now that all exist.
        escaping = [n for n in self.links if not _inside(self.root, os.path.realpath(os.path.join(self.root, n)))]
        for name in escaping:
            attempt(f"remove the symbolic link {name!r}", partial(self._unlink_symlink, name))
        if escaping:
            self.written = [n for n in self.written if n not in set(escaping)]
            if not self.skip_unsafe_links:
                problems.insert(
                    0, ArchiveError(f"unsafe archive member {escaping[0]!r}: symbolic link resolves outside the target")
                )
        # Deepest first, as an archive lists a directory before its entries.
        for name, mode, mtime in reversed(self.dirs):
            attempt(f"set the mode and time of the directory {name!r}", partial(self._set_dir, name, mode, mtime))
        if problems and not failed:
            raise problems[0]

    def _set_dir(self, name: str, mode: int, mtime: int) -> None:
        with self._parent(name, create=False) as parent:
            fd = os.open(name.rsplit("/", 1)[-1], _DIR_FLAGS, dir_fd=parent)
        try:
            os.fchmod(fd, mode)
            os.utime(fd, (mtime, mtime))
        finally:
            os.close(fd)

    def _unlink_symlink(self, name: str) -> None:
        leaf = name.rsplit("/", 1)[-1]
        with self._parent(name, create=False) as parent:
            st = _lstat_at(parent, leaf)
            if st is not None and stat.S_ISLNK(st.st_mode):
                os.unlink(leaf, dir_fd=parent)


def _remove_own_file(parent: int, leaf: str, fd: int) -> None:
    """Remove the half-written file `leaf` — if it is still the one open as `fd`."""
    with suppress(OSError):
        ours = os.fstat(fd)
        there = _lstat_at(parent, leaf)
        if there is not None and (there.st_dev, there.st_ino) == (ours.st_dev, ours.st_ino):
            os.unlink(leaf, dir_fd=parent)


def extract(
    source: ArchiveSource,
    target_dir: PathLike,
    *,
    skip_unsafe_links: bool = False,
    max_size: int | None = DEFAULT_MAX_SIZE,
) -> list[str]:
    """Extract a tar archive into `target_dir` (made if missing); return the
    names of the members written, in order.

    Never writes outside `target_dir`: a member named outside it, a member to
    be written through a symbolic link (from the archive or already there), or
    a symbolic link pointing outside (absolute, or too many `..`, also through
    other links) raises `ArchiveError`; with `skip_unsafe_links`, such links
    are left out instead. Every path is opened one directory at a time from
    `target_dir`, never following a symbolic link, so that another process
    swapping a directory for a link meanwhile cannot redirect a write either.

    Regular files, directories, symbolic and hard links are made, with their
    permission bits (set-id and sticky bits dropped) and modification times;
    device nodes and FIFOs are skipped; ownership is not changed. An existing
    file is replaced; an existing directory is kept. Sparse files are written
    sparse: their holes take no disk.

    `max_size` bounds the bytes of file content written in all (default 10 GiB;
    a sparse file counts with its holes; None: no bound): a member that would
    go past it raises `ArchiveError` before any of it is written.

    Every failure is an `ArchiveError` saying which member and why (an unsafe
    or malformed member, a name too long, no space left, no permission...;
    the `OSError`, if any, as its cause); what was written of that member is
    removed, the members before it stay.
    """
    if max_size is not None and max_size < 0:
        raise ValueError("max_size must not be negative")
    root = os.path.realpath(os.fspath(target_dir))
    try:
        os.makedirs(root, exist_ok=True)
        root_fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as exc:
        raise ArchiveError(f"cannot open the target directory {root}: {_os_failure(exc)}") from exc
    try:
        extractor = _Extractor(root_fd, root, skip_unsafe_links, max_size)
        try:
            for member in iter_archive(source):
                extractor.member(member)
        except BaseException:
            extractor.finish(failed=True)
            raise
        extractor.finish(failed=False)
        return extractor.written
    finally:
        os.close(root_fd)


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
