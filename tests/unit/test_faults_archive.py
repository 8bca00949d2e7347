"""Hostile and failing archives for `extract` and `iter_archive`
(`docker_engine._archive`): sparse members, the size cap, oversized headers,
names too long, full disks and refused permissions, and another process
swapping a directory for a symbolic link while extracting."""

from __future__ import annotations

import bz2
import ctypes
import errno
import gzip
import io
import os
import resource
import subprocess
import sys
import tarfile
import tempfile
import threading
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from docker_engine import _archive
from docker_engine._archive import (
    DEFAULT_MAX_SIZE,
    MAX_HEADER_SIZE,
    ArchiveError,
    extract,
    iter_archive,
    read_archive,
)

GiB = 1024**3
MiB = 1024**2

# --------------------------------------------------------------------------
# building archives by hand
# --------------------------------------------------------------------------


def tar_of(*infos: tuple[tarfile.TarInfo, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for info, data in infos:
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def file_info(name: str, data: bytes = b"", mode: int = 0o644) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), mode, 1_700_000_000
    return info, data


def raw_member(name: str, data: bytes) -> bytes:
    """A regular file member as it appears in an archive: its header block, then its content padded."""
    info, _ = file_info(name, data)
    return info.tobuf(tarfile.GNU_FORMAT) + padded(data)


def dir_info(name: str) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type, info.mode = tarfile.DIRTYPE, 0o755
    return info, b""


def number(value: int, width: int = 12) -> bytes:
    """A header number field: octal, or GNU base-256 when too large (or negative)."""
    if 0 <= value < 8 ** (width - 1):
        return f"{value:0{width - 1}o}".encode() + b"\0"
    two_complement = value % (1 << 8 * (width - 1))
    return bytes([0xFF if value < 0 else 0x80]) + two_complement.to_bytes(width - 1, "big")


def with_checksum(block: bytearray) -> bytes:
    block[148:156] = b" " * 8
    block[148:156] = b"%06o\0 " % sum(block)
    return bytes(block)


def header(name: str, kind: bytes, size: int) -> bytes:
    """One 512-byte header block, its size field saying `size` (no payload follows)."""
    info = tarfile.TarInfo(name)
    info.type = kind
    block = bytearray(info.tobuf(tarfile.GNU_FORMAT))
    block[124:136] = number(size)
    return with_checksum(block)


def padded(data: bytes) -> bytes:
    return data + bytes(-len(data) % 512)


END = bytes(1024)  # the end-of-archive blocks


def gnu_sparse(
    name: str, size: int, regions: list[tuple[int, bytes]], *, raw_map: list[tuple[int, int]] | None = None
) -> bytes:
    """A GNU (old format, type `S`) sparse member of logical size `size` with
    data `regions` (offset, content): the first four regions in the header,
    the rest in extended blocks of 21. `raw_map` overrides the map written."""
    packed = b"".join(data for _, data in regions)
    entries = raw_map if raw_map is not None else [(offset, len(data)) for offset, data in regions]
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(packed), 0o644, 1_700_000_000
    block = bytearray(info.tobuf(tarfile.GNU_FORMAT))
    block[156:157] = tarfile.GNUTYPE_SPARSE
    for i, (offset, length) in enumerate(entries[:4]):
        block[386 + 24 * i : 410 + 24 * i] = number(offset) + number(length)
    rest = entries[4:]
    block[482] = 1 if rest else 0
    block[483:495] = number(size)
    blocks = [with_checksum(block)]
    while rest:
        extended = bytearray(512)
        for i, (offset, length) in enumerate(rest[:21]):
            extended[24 * i : 24 * i + 24] = number(offset) + number(length)
        rest = rest[21:]
        extended[504] = 1 if rest else 0
        blocks.append(bytes(extended))
    return b"".join(blocks) + padded(packed)


def counting(*parts: bytes, then: bytes = b"", times: int = 0, sent: list[int]) -> Iterator[bytes]:
    """`parts`, then `then` `times` times, adding the bytes handed out to `sent[0]`."""
    for part in parts:
        sent[0] += len(part)
        yield part
    for _ in range(times):
        sent[0] += len(then)
        yield then


def peak_memory(action: Callable[[], object]) -> tuple[Exception | None, int]:
    """Run `action()`; what it raised, and the peak of Python allocations meanwhile."""
    tracemalloc.start()
    try:
        action()
        raised = None
    except Exception as exc:  # handed back to the test
        raised = exc
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return raised, peak


def listing(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))


# --------------------------------------------------------------------------
# sparse members and the size cap
# --------------------------------------------------------------------------


def test_sparse_member_is_written_sparse(tmp_path: Path) -> None:
    size = 8 * GiB  # written out in full, this would fill the disk of many a machine
    middle = 3 * GiB + 12345
    regions = [(0, b"head"), (middle, b"middle" * 100), (size - 4, b"tail")]
    archive = gnu_sparse("big", size, regions) + END
    (info,) = [m.info for m in iter_archive(archive)]
    assert info.size == size
    assert getattr(info, "sparse", None) == [(0, 4), (middle, 600), (size - 4, 4)]  # typeshed says bytes

    assert extract(archive, tmp_path / "t") == ["big"]
    out = tmp_path / "t" / "big"
    st = out.stat()
    assert st.st_size == size
    assert st.st_blocks * 512 < MiB, f"{st.st_blocks} blocks: the holes were written"
    with open(out, "rb") as f:
        assert f.read(4) == b"head"
        assert f.read(100) == bytes(100)  # a hole reads as zeros
        f.seek(middle - 2)
        assert f.read(602 + 2) == b"\0\0" + b"middle" * 100 + b"\0\0"
        f.seek(size - 6)
        assert f.read() == b"\0\0tail"
    assert oct(st.st_mode & 0o777) == oct(0o644) and st.st_mtime == 1_700_000_000


def test_sparse_map_in_extended_blocks(tmp_path: Path) -> None:
    """Over four regions, the old GNU format continues the map in extended header blocks."""
    regions = [(i * 100_000, bytes([65 + i]) * (i + 1)) for i in range(30)]
    archive = gnu_sparse("many", 3_000_000, regions) + END
    extract(archive, tmp_path / "t")
    content = (tmp_path / "t" / "many").read_bytes()
    assert len(content) == 3_000_000
    for offset, data in regions:
        assert content[offset : offset + len(data)] == data
    assert content.count(0) == 3_000_000 - sum(len(d) for _, d in regions)


@pytest.mark.parametrize(
    ("raw_map", "why"),
    [
        ([(100, 4), (50, 4)], "overlaps or precedes"),  # out of order
        ([(0, 8), (4, 4)], "overlaps or precedes"),
        ([(0, 4), (1000, 4)], "ends past the size"),  # beyond the logical size
    ],
)
def test_bad_sparse_map_raises(raw_map: list[tuple[int, int]], why: str, tmp_path: Path) -> None:
    bad = gnu_sparse("bad", 500, [(0, b"abcd"), (0, b"efgh")], raw_map=raw_map)
    archive = raw_member("first", b"1") + bad + END
    with pytest.raises(ArchiveError, match=f"archive member 'bad': bad sparse map .*{why}"):
        list(iter_archive(archive))
    with pytest.raises(ArchiveError, match="bad sparse map"):
        extract(archive, tmp_path / "t")
    assert listing(tmp_path / "t") == ["first"]


def test_sparse_size_counts_towards_max_size(tmp_path: Path) -> None:
    archive = raw_member("small", b"x" * 100) + gnu_sparse("big", 2 * GiB, [(0, b"data")]) + END
    target = tmp_path / "t"
    with pytest.raises(ArchiveError, match=r"'big': its 2147483648 bytes would take .* over max_size \(1073741824"):
        extract(archive, target, max_size=GiB)
    assert listing(target) == ["small"]  # nothing of 'big'
    assert extract(archive, tmp_path / "roomy", max_size=2 * GiB + 100) == ["small", "big"]


def test_max_size_bounds_all_content_written(tmp_path: Path) -> None:
    archive = tar_of(*(file_info(f"f{i}", bytes([48 + i]) * 400) for i in range(3)))
    target = tmp_path / "t"
    with pytest.raises(ArchiveError, match=r"'f2': its 400 bytes would take .* over max_size \(1000 bytes\)"):
        extract(archive, target, max_size=1000)
    assert listing(target) == ["f0", "f1"]
    assert (target / "f1").read_bytes() == b"1" * 400
    assert extract(archive, tmp_path / "exact", max_size=1200) == ["f0", "f1", "f2"]
    assert extract(archive, tmp_path / "unbounded", max_size=None) == ["f0", "f1", "f2"]
    assert extract.__kwdefaults__ == {"skip_unsafe_links": False, "max_size": DEFAULT_MAX_SIZE}
    assert DEFAULT_MAX_SIZE // GiB == 10
    with pytest.raises(ValueError, match="max_size"):
        extract(archive, tmp_path / "negative", max_size=-1)


# --------------------------------------------------------------------------
# oversized headers: refused before they are read
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "what"),
    [
        (tarfile.GNUTYPE_LONGNAME, "GNU long name"),
        (tarfile.GNUTYPE_LONGLINK, "GNU long link"),
        (tarfile.XHDTYPE, "pax header"),
        (tarfile.XGLTYPE, "pax global header"),
    ],
)
def test_huge_extended_header_is_refused_before_its_payload_is_read(kind: bytes, what: str) -> None:
    claimed = 512 * MiB
    zeros = bytes(MiB)
    sent = [0]
    first = raw_member("first", b"1")
    source = counting(first, header("././@LongLink", kind, claimed), then=zeros, times=512, sent=sent)
    raised, peak = peak_memory(lambda: list(iter_archive(source)))
    assert isinstance(raised, ArchiveError), raised
    assert f"a {what} of {claimed} bytes at byte 1024 after member 'first'" in str(raised)
    assert f"the limit is {MAX_HEADER_SIZE}" in str(raised)
    assert peak < MiB, f"peak memory {peak} bytes for a header claiming {claimed}"
    assert sent[0] <= 1536 + len(zeros), f"{sent[0]} bytes of the archive read"


def test_header_just_under_the_limit_is_read() -> None:
    name = "d/" + "n" * 250 + "/" + "x" * (MAX_HEADER_SIZE - 600)
    archive = tar_of(file_info(name, b"long"))
    assert read_archive(archive) == {name: b"long"}


def test_endless_sparse_map_is_refused() -> None:
    """An old GNU sparse header whose extended blocks never end."""
    member = bytearray(gnu_sparse("s", 10**12, [(i, b"x") for i in range(0, 8, 2)]))
    member[482] = 1
    more = bytearray(512)
    more[0:24] = number(10**11) + number(1)
    more[504] = 1
    sent = [0]
    source = counting(with_checksum(member[:512]), then=bytes(more), times=1_000_000, sent=sent)
    raised, peak = peak_memory(lambda: list(iter_archive(source)))
    assert isinstance(raised, ArchiveError) and "archive headers too large" in str(raised), raised
    assert peak < 8 * MiB
    assert sent[0] < 2 * MiB


def test_endless_pax_sparse_map_is_refused() -> None:
    """A GNU sparse 1.0 member (pax) whose map, at the start of its data, claims a billion regions."""
    pax = tarfile.TarInfo("s")
    pax.pax_headers = {"GNU.sparse.major": "1", "GNU.sparse.minor": "0", "GNU.sparse.realsize": str(10**12)}
    pax.size = 10**12
    start = pax.tobuf(tarfile.PAX_FORMAT)
    sent = [0]
    source = counting(start, b"1000000000\n", then=b"%015d\n" % 7 * 32, times=10_000_000, sent=sent)
    raised, peak = peak_memory(lambda: list(iter_archive(source)))
    assert isinstance(raised, ArchiveError) and "archive headers too large" in str(raised), raised
    assert peak < 16 * MiB
    assert sent[0] < 2 * MiB


def test_chained_extended_headers_are_refused() -> None:
    """Each long-name header makes tarfile read the next one in a nested call."""
    chain = b"".join(header("././@LongLink", tarfile.GNUTYPE_LONGNAME, 512) + padded(b"n" * 100) for _ in range(5000))
    with pytest.raises(ArchiveError, match="more than 8 extended headers in a row"):
        list(iter_archive(chain + END))


def test_global_pax_headers_are_bounded() -> None:
    """Global headers add up over the archive: many modest ones are refused too."""
    archive = b""
    for i in range(40):
        record = f"k{i}=" + "v" * 4000
        body = f" {record}\n"
        size = len(body) + len(str(len(body) + 4))
        payload = f"{size}{body}".encode()
        assert len(payload) == size
        archive += header("./PaxHeaders/global", tarfile.XGLTYPE, len(payload)) + padded(payload)
        archive += raw_member(f"f{i}", b"x")
    archive += END
    with pytest.raises(
        ArchiveError, match=f"global pax headers before member 'f1[0-9]' add up to more than {MAX_HEADER_SIZE}"
    ):
        list(iter_archive(archive))


def test_negative_size_is_refused() -> None:
    archive = header("neg", tarfile.REGTYPE, -4096) + END
    with pytest.raises(ArchiveError, match="'neg' has a negative size"):
        list(iter_archive(archive))


def test_corrupt_header_after_the_first_is_an_error_not_the_end() -> None:
    archive = bytearray(tar_of(file_info("a", b"A"), file_info("b", b"B")))
    second = 1024  # header of 'a', its content block, then 'b'
    assert archive[second : second + 1] == b"b"
    archive[second + 1] = ord("!")  # the checksum no longer matches
    with pytest.raises(ArchiveError, match="bad header at byte 1024 after member 'a'"):
        read_archive(bytes(archive))


# --------------------------------------------------------------------------
# compressed archives
# --------------------------------------------------------------------------


def test_compressed_data_expands_in_bounded_steps() -> None:
    """A few dozen bytes of bzip2 that expand to 48 MiB are read piece by piece."""
    archive = tar_of(file_info("zeros", bytes(48 * MiB)))
    bomb = bz2.compress(archive)
    assert len(bomb) < 1000
    total = [0]

    def consume() -> None:
        for member in iter_archive(bomb):
            with member.open() as f:
                while chunk := f.read(64 * 1024):
                    total[0] += len(chunk)

    raised, peak = peak_memory(consume)
    assert raised is None and total[0] == 48 * MiB
    assert peak < 4 * MiB, f"peak memory {peak} bytes"


def test_corrupt_or_cut_compressed_data_raises(tmp_path: Path) -> None:
    content = os.urandom(200_000)
    archive = gzip.compress(tar_of(file_info("f", content)))
    assert read_archive(archive) == {"f": content}
    with pytest.raises(ArchiveError, match=r"unreadable archive \(gzip\): Compressed file ended"):
        extract(archive[: len(archive) // 2], tmp_path / "cut")
    assert listing(tmp_path / "cut") == []  # the half-written 'f' removed
    broken = bytearray(archive)
    broken[10] = 0xFF  # the first deflate block: a reserved block type
    with pytest.raises(ArchiveError, match=r"unreadable archive \(gzip\): Error -3 .*invalid block type"):
        read_archive(bytes(broken))


# --------------------------------------------------------------------------
# failures while writing: ArchiveError, the cause chained, nothing half-written
# --------------------------------------------------------------------------


def test_name_component_too_long(tmp_path: Path) -> None:
    name = "d/" + "n" * 300
    archive = tar_of(file_info("before", b"b"), file_info(name, b"x"))
    with pytest.raises(ArchiveError) as info:
        extract(archive, tmp_path / "t")
    assert str(info.value) == f"cannot extract archive member {name!r}: File name too long (ENAMETOOLONG)"
    assert isinstance(info.value.__cause__, OSError) and info.value.__cause__.errno == errno.ENAMETOOLONG
    assert listing(tmp_path / "t") == ["before", "d"]


def test_path_longer_than_path_max(tmp_path: Path) -> None:
    name = "/".join(["p" * 200] * 25) + "/f"  # each component fine, the whole over 4096 bytes
    archive = tar_of(file_info(name, b"x"))
    with pytest.raises(ArchiveError, match=r"name too long \(\d+ bytes in the target directory; the limit is 4096\)"):
        extract(archive, tmp_path / "t")
    assert listing(tmp_path / "t") == []


def test_no_space_left_removes_the_partial_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    written = [0]
    real_write_all = _archive._write_all

    def disk_fills_up(fd: int, data: bytes) -> None:
        if written[0] + len(data) > 300_000:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        written[0] += len(data)
        real_write_all(fd, data)

    monkeypatch.setattr(_archive, "_write_all", disk_fills_up)
    archive = tar_of(file_info("small", b"s" * 1000), file_info("sub/big", b"b" * 1_000_000))
    target = tmp_path / "t"
    with pytest.raises(ArchiveError) as info:
        extract(archive, target)
    assert str(info.value) == "cannot extract archive member 'sub/big': No space left on device (ENOSPC)"
    assert isinstance(info.value.__cause__, OSError) and info.value.__cause__.errno == errno.ENOSPC
    assert written[0] > 1000  # 'big' was partly written...
    assert listing(target) == ["small", "sub"]  # ...and removed
    assert (target / "small").read_bytes() == b"s" * 1000


def test_file_size_limit_of_the_process(tmp_path: Path) -> None:
    """A real write failure from the kernel (EFBIG past RLIMIT_FSIZE; Python ignores SIGXFSZ)."""
    archive = tar_of(file_info("ok", b"o" * 100), file_info("huge", b"h" * 500_000))
    target = tmp_path / "t"
    target.mkdir()
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, hard))
    try:
        with pytest.raises(ArchiveError) as info:
            extract(archive, target)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert str(info.value) == "cannot extract archive member 'huge': File too large (EFBIG)"
    assert isinstance(info.value.__cause__, OSError) and info.value.__cause__.errno == errno.EFBIG
    assert listing(target) == ["ok"]


PERMISSION_SCRIPT = """
import sys
from docker_engine._archive import ArchiveError, extract
try:
    extract(open(sys.argv[1], "rb"), sys.argv[2])
except ArchiveError as exc:
    print(type(exc.__cause__).__name__, exc)
"""


def test_permission_denied() -> None:
    """In a directory the extracting user may not write to. Root may write
    anywhere: then the extraction runs as `nobody`, in a directory it can
    reach (pytest's own are private to root)."""
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch)
        base.chmod(0o755)
        archive = base / "a.tar"
        archive.write_bytes(tar_of(file_info("ro/f", b"x")))
        target = base / "t"
        (target / "ro").mkdir(parents=True)
        (target / "ro").chmod(0o555)
        nobody = 65534 if os.geteuid() == 0 else None
        if nobody is not None:
            try:
                subprocess.run([sys.executable, "-c", "pass"], check=True, user=nobody, group=nobody)
            except (PermissionError, subprocess.CalledProcessError):
                # An interpreter under /root (pyenv's, as CI's newer-Python run uses) is not nobody's.
                pytest.skip(f"user nobody cannot run {sys.executable}")
        done = subprocess.run(
            [sys.executable, "-c", PERMISSION_SCRIPT, str(archive), str(target)],
            capture_output=True,
            text=True,
            check=True,
            user=nobody,
            group=nobody,
        )
        assert done.stdout == "PermissionError cannot extract archive member 'ro/f': Permission denied (EACCES)\n"
        assert listing(target) == ["ro"]


def test_truncated_content_removes_the_partial_file(tmp_path: Path) -> None:
    archive = tar_of(file_info("a", b"A"), file_info("b", b"B" * 100_000))
    target = tmp_path / "t"
    with pytest.raises(ArchiveError, match=r"archive member 'b': unexpected end of data"):
        extract(iter([archive[:50_000]]), target)
    assert listing(target) == ["a"]


def test_nul_in_a_name(tmp_path: Path) -> None:
    info, data = file_info("x")
    info.pax_headers = {"path": "bad\0name"}
    with pytest.raises(ArchiveError, match="cannot extract archive member 'bad\\\\x00name': bad header value"):
        extract(tar_of((info, data)), tmp_path / "t")


# --------------------------------------------------------------------------
# another process swapping a directory for a symbolic link
# --------------------------------------------------------------------------


_libc = ctypes.CDLL(None, use_errno=True)
_AT_FDCWD, _RENAME_EXCHANGE = -100, 2


def exchange(a: Path, b: Path) -> bool:
    """Swap the entries `a` and `b` in one step (Linux renameat2)."""
    renameat2 = getattr(_libc, "renameat2", None)
    return renameat2 is not None and renameat2(_AT_FDCWD, bytes(a), _AT_FDCWD, bytes(b), _RENAME_EXCHANGE) == 0


def swap_directory_for_links(directory: Path, outside: Path, stop: threading.Event) -> None:
    """Again and again: put a symbolic link to `outside` in the place of
    `directory`, and back, in one step each (the directory is never missing),
    while `extract` writes into it."""
    link = directory.with_name("link")
    link.symlink_to(outside)
    while not stop.is_set():
        exchange(directory, link)


def test_a_directory_swapped_for_a_symlink_is_never_written_through(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    probe = tmp_path / "probe"
    probe.symlink_to(outside)
    if not (exchange(outside, probe) and probe.is_dir() and outside.is_symlink() and exchange(outside, probe)):
        pytest.skip("renameat2(RENAME_EXCHANGE) unavailable")
    archive = tar_of(*(file_info(f"d/f{i}", b"x") for i in range(300)))
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # let the threads interleave at every chance
    refused = 0
    try:
        for run in range(50):
            target = tmp_path / f"t{run}"
            (target / "d").mkdir(parents=True)
            stop = threading.Event()
            swapper = threading.Thread(target=swap_directory_for_links, args=(target / "d", outside, stop))
            swapper.start()
            try:
                extract(archive, target)
            except ArchiveError:
                refused += 1  # it met the link: fine, as long as nothing went through it
            finally:
                stop.set()
                swapper.join()
            assert list(outside.iterdir()) == [], f"run {run}: written outside the target"
    finally:
        sys.setswitchinterval(switch)
    assert refused > 0, "the link was never met: the test did not race"
