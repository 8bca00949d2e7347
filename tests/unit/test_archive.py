"""Tar streaming (`build_context`, `tar_path`), safe reading (`iter_archive`,
`extract`) and `decode_path_stat` (`docker_engine._archive`)."""

from __future__ import annotations

import base64
import gzip
import io
import json
import os
import stat
import tarfile
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from docker_engine._archive import (
    CHUNK_SIZE,
    ArchiveError,
    BuildContext,
    DockerignoreError,
    PathStat,
    build_context,
    decode_path_stat,
    extract,
    iter_archive,
    path_stat_from_headers,
    read_archive,
    tar_path,
)
from docker_engine._errors import DockerError

# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def members(data: bytes) -> list[tarfile.TarInfo]:
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        return tar.getmembers()


def names(data: bytes) -> list[str]:
    return [m.name for m in members(data)]


def write(path: Path, content: str | bytes = "", mode: int | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    if mode is not None:
        path.chmod(mode)
    return path


def make_tar(*entries: tuple[str, str, bytes | str]) -> bytes:
    """(name, kind, content-or-link-target) with kind file|dir|symlink|hardlink."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, kind, value in entries:
            info = tarfile.TarInfo(name)
            info.mtime = 1_700_000_000
            if kind == "file":
                data = value.encode() if isinstance(value, str) else value
                info.size = len(data)
                info.mode = 0o644
                tar.addfile(info, io.BytesIO(data))
                continue
            if kind == "dir":
                info.type, info.mode = tarfile.DIRTYPE, 0o755
            elif kind == "symlink":
                info.type, info.linkname = tarfile.SYMTYPE, str(value)
            elif kind == "hardlink":
                info.type, info.linkname = tarfile.LNKTYPE, str(value)
            tar.addfile(info)
    return buf.getvalue()


def tree(root: Path) -> dict[str, str]:
    """Everything below root: file contents, `->target` for links, `/` for dirs."""
    out: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            full = Path(dirpath, name)
            rel = full.relative_to(root).as_posix()
            if full.is_symlink():
                out[rel] = "->" + os.readlink(full)
            elif full.is_dir():
                out[rel] = "/"
            else:
                out[rel] = full.read_text()
    return out


@pytest.fixture
def context(tmp_path: Path) -> Path:
    ctx = tmp_path / "ctx"
    write(ctx / "Dockerfile", "FROM scratch\nCOPY . /ctx\n")
    write(
        ctx / ".dockerignore",
        "# build junk\n*.log\n!keep.log\n\nsecret/\n!secret/allowed.txt\n**/*.tmp\n/node_modules\n",
    )
    write(ctx / "app.py", "print('hi')\n", 0o755)
    write(ctx / "private.key", "k", 0o600)
    write(ctx / "a.log", "log")
    write(ctx / "keep.log", "kept")
    write(ctx / "secret" / "key.pem", "pem")
    write(ctx / "secret" / "allowed.txt", "allowed")
    write(ctx / "sub" / "x.tmp", "tmp")
    write(ctx / "sub" / "deep" / "y.tmp", "tmp")
    write(ctx / "sub" / "y.txt", "y")
    write(ctx / "node_modules" / "m.js", "m")
    (ctx / "empty").mkdir()
    (ctx / "link").symlink_to("app.py")
    (ctx / "dangling").symlink_to("/nowhere/at/all")
    os.link(ctx / "app.py", ctx / "hard.py")
    return ctx


# --------------------------------------------------------------------------
# build_context
# --------------------------------------------------------------------------


def test_build_context_members(context: Path) -> None:
    ctx = build_context(context)
    assert isinstance(ctx, BuildContext) and ctx.dockerfile == "Dockerfile"
    data = b"".join(ctx)
    assert names(data) == [
        ".dockerignore",
        "Dockerfile",
        "app.py",
        "dangling",
        "empty",
        "hard.py",
        "keep.log",
        "link",
        "private.key",
        "secret/allowed.txt",  # re-included from inside the excluded directory (which itself is not sent)
        "sub",
        "sub/deep",
        "sub/y.txt",
    ]
    assert ctx.names() == names(data)
    by_name = {m.name: m for m in members(data)}
    assert by_name["app.py"].mode == 0o755 and by_name["private.key"].mode == 0o600
    assert by_name["empty"].isdir()
    assert by_name["link"].issym() and by_name["link"].linkname == "app.py"
    assert by_name["dangling"].issym() and by_name["dangling"].linkname == "/nowhere/at/all"
    assert by_name["hard.py"].islnk() and by_name["hard.py"].linkname == "app.py"
    assert all(m.uid == 0 and m.gid == 0 and m.uname == "" for m in by_name.values())
    assert by_name["app.py"].mtime == int((context / "app.py").stat().st_mtime)
    files = read_archive(data)
    assert files["secret/allowed.txt"] == b"allowed" and files["app.py"] == b"print('hi')\n"


def test_build_context_is_deterministic_and_reiterable(context: Path) -> None:
    ctx = build_context(context)
    first = b"".join(ctx)
    assert b"".join(ctx.chunks) == first
    assert b"".join(build_context(context)) == first
    assert len(first) % tarfile.RECORDSIZE == 0


def test_dockerfile_and_dockerignore_are_always_sent(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", "FROM scratch\n")
    write(tmp_path / ".dockerignore", "*\n")
    write(tmp_path / "other", "x")
    assert build_context(tmp_path).names() == [".dockerignore", "Dockerfile"]


def test_dockerfile_in_an_excluded_directory_is_sent_alone(tmp_path: Path) -> None:
    write(tmp_path / "docker" / "app.Dockerfile", "FROM scratch\n")
    write(tmp_path / "docker" / "other", "x")
    write(tmp_path / ".dockerignore", "docker\n")
    ctx = build_context(tmp_path, dockerfile="docker/app.Dockerfile")
    assert ctx.dockerfile == "docker/app.Dockerfile"
    assert ctx.names() == [".dockerignore", "docker/app.Dockerfile"]
    assert ctx.excludes == ("docker", "!docker/app.Dockerfile")


def test_exceptions_reach_into_excluded_directories_only_by_literal_prefix(tmp_path: Path) -> None:
    """Docker walks into an excluded directory only for an exception spelled
    with that directory as prefix: `!**/keep` does not bring back `dir/keep`."""
    write(tmp_path / "Dockerfile", "FROM scratch\n")
    write(tmp_path / "dir" / "keep", "k")
    write(tmp_path / "keep", "k")
    write(tmp_path / ".dockerignore", "dir\n!**/keep\n")
    assert build_context(tmp_path).names() == [".dockerignore", "Dockerfile", "keep"]
    write(tmp_path / ".dockerignore", "dir\n!dir/keep\n")
    assert build_context(tmp_path).names() == [".dockerignore", "Dockerfile", "dir/keep", "keep"]


def test_later_lines_win(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", "FROM scratch\n")
    for name in ("a.md", "b.md", "c.txt"):
        write(tmp_path / name, name)
    write(tmp_path / ".dockerignore", "*.md\n!*.md\nb.md\n")
    assert build_context(tmp_path).names() == [".dockerignore", "Dockerfile", "a.md", "c.txt"]


def test_no_ignore_file(context: Path) -> None:
    assert "a.log" in build_context(context, ignore_file=None).names()
    assert "a.log" in build_context(context, ignore_file="missing.ignore").names()
    write(context / "other.ignore", "app.py\n")
    got = build_context(context, ignore_file="other.ignore").names()
    assert "app.py" not in got and "a.log" in got


def test_dockerfile_outside_the_context(context: Path, tmp_path: Path) -> None:
    outside = write(tmp_path / "elsewhere" / "Dockerfile.prod", "FROM scratch\nLABEL outside=1\n")
    ctx = build_context(context, dockerfile=outside)
    assert ctx.dockerfile.startswith(".dockerfile.") and len(ctx.dockerfile) == len(".dockerfile.") + 20
    data = b"".join(ctx)
    files = read_archive(data)
    assert files[ctx.dockerfile] == outside.read_bytes()
    # The generated name is added to .dockerignore so that the builder drops it from COPY.
    assert files[".dockerignore"] == (context / ".dockerignore").read_bytes() + f"\n{ctx.dockerfile}\n".encode()
    listed = names(data)
    assert listed == sorted(listed[:3]) + listed[3:] and listed.index(ctx.dockerfile) == 0
    assert build_context(context, dockerfile=outside).dockerfile == ctx.dockerfile  # content-addressed
    # A relative path leaving the context is outside too.
    assert build_context(context, dockerfile="../elsewhere/Dockerfile.prod").dockerfile == ctx.dockerfile


def test_dockerfile_outside_without_a_dockerignore(tmp_path: Path) -> None:
    write(tmp_path / "ctx" / "file", "x")
    outside = write(tmp_path / "Dockerfile", "FROM scratch\n")
    ctx = build_context(tmp_path / "ctx", dockerfile=outside)
    files = read_archive(b"".join(ctx))
    assert files[".dockerignore"] == f".dockerignore\n{ctx.dockerfile}\n".encode()
    assert sorted(files) == sorted([ctx.dockerfile, ".dockerignore", "file"])


def test_errors_come_before_streaming(tmp_path: Path) -> None:
    with pytest.raises(NotADirectoryError):
        build_context(tmp_path / "missing")
    with pytest.raises(FileNotFoundError, match="Dockerfile"):
        build_context(tmp_path)
    write(tmp_path / "Dockerfile", "FROM scratch\n")
    write(tmp_path / ".dockerignore", "ok\n[unterminated\n")
    with pytest.raises(DockerignoreError, match="syntax error in pattern"):
        build_context(tmp_path)
    with pytest.raises(FileNotFoundError):
        tar_path(tmp_path / "missing")


def test_large_file_is_streamed_in_bounded_chunks(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", "FROM scratch\n")
    size = 50 * 1024 * 1024
    with open(tmp_path / "big.bin", "wb") as f:
        f.truncate(size)  # sparse: costs no disk
    ctx = build_context(tmp_path)
    tracemalloc.start()
    try:
        total, count, largest = 0, 0, 0
        for chunk in ctx:
            total += len(chunk)
            count += 1
            largest = max(largest, len(chunk))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert largest <= CHUNK_SIZE <= 1024 * 1024
    assert count >= size // CHUNK_SIZE
    assert total > size and total % tarfile.RECORDSIZE == 0
    assert peak < 2 * 1024 * 1024, f"peak memory {peak} bytes while streaming a {size}-byte file"


def test_chunks_are_lazy(tmp_path: Path) -> None:
    """Nothing is read before the first chunk is asked for, and a file is read piece by piece."""
    write(tmp_path / "Dockerfile", "FROM scratch\n")
    write(tmp_path / "big.bin", b"\1" * (4 * CHUNK_SIZE))
    chunks = iter(build_context(tmp_path, chunk_size=1024))
    (tmp_path / "late").write_text("made after build_context()")
    first = next(chunks)
    assert len(first) == 1024
    rest = b"".join(chunks)
    assert "late" in names(first + rest)


def test_file_shrinking_while_archived_raises(tmp_path: Path) -> None:
    write(tmp_path / "Dockerfile", "FROM scratch\n")
    big = write(tmp_path / "big.bin", b"\1" * (4 * CHUNK_SIZE))
    chunks = iter(build_context(tmp_path))
    next(chunks)
    big.write_bytes(b"short")
    with pytest.raises(ArchiveError, match="shrank"):
        b"".join(chunks)


def test_sockets_are_skipped(tmp_path: Path) -> None:
    import socket

    write(tmp_path / "Dockerfile", "FROM scratch\n")
    os.mkfifo(tmp_path / "fifo")
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(tmp_path / "sock"))
        data = b"".join(build_context(tmp_path))
        with pytest.raises(ArchiveError, match="socket"):
            tar_path(tmp_path / "sock")
    finally:
        sock.close()
    assert names(data) == ["Dockerfile", "fifo"]
    assert members(data)[1].isfifo()


# --------------------------------------------------------------------------
# tar_path
# --------------------------------------------------------------------------


def test_tar_path_of_a_directory(context: Path) -> None:
    data = b"".join(tar_path(context / "sub"))
    assert names(data) == ["sub", "sub/deep", "sub/deep/y.tmp", "sub/x.tmp", "sub/y.txt"]
    data = b"".join(tar_path(context / "sub", "renamed/here"))
    assert names(data)[0] == "renamed/here" and names(data)[-1] == "renamed/here/y.txt"
    data = b"".join(tar_path(context / "sub", "."))
    assert names(data) == ["deep", "deep/y.tmp", "x.tmp", "y.txt"]


def test_tar_path_of_a_file_and_a_link(context: Path) -> None:
    (info,) = members(b"".join(tar_path(context / "app.py")))
    assert (info.name, info.mode, info.size, info.uid) == ("app.py", 0o755, 12, 0)
    (info,) = members(b"".join(tar_path(context / "link", "l")))
    assert info.issym() and info.linkname == "app.py"
    (info,) = members(b"".join(tar_path(context / "app.py", owner=None)))
    assert info.uid == os.getuid()
    with pytest.raises(ValueError, match="arcname"):
        tar_path(context / "app.py", "../x")
    with pytest.raises(ValueError, match="not a directory"):
        tar_path(context / "app.py", ".")


def test_tar_path_round_trips_through_extract(context: Path, tmp_path: Path) -> None:
    chunks = list(tar_path(context, "copy", chunk_size=100))
    assert all(len(c) == 100 for c in chunks[:-1])
    with pytest.raises(ArchiveError, match="'copy/dangling': symbolic link to '/nowhere/at/all'"):
        extract(iter(chunks), tmp_path / "refused")
    written = extract(iter(chunks), tmp_path / "out", skip_unsafe_links=True)
    assert written[0] == "copy" and "copy/dangling" not in written
    out = tmp_path / "out" / "copy"
    assert tree(out) == {k: v for k, v in tree(context).items() if k != "dangling"}
    assert stat.S_IMODE((out / "app.py").stat().st_mode) == 0o755
    assert stat.S_IMODE((out / "private.key").stat().st_mode) == 0o600
    assert (out / "hard.py").stat().st_ino == (out / "app.py").stat().st_ino
    assert int((out / "app.py").stat().st_mtime) == int((context / "app.py").stat().st_mtime)


# --------------------------------------------------------------------------
# reading and extracting safely
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        ("../evil", "file", "x"),
        ("a/../../evil", "file", "x"),
        ("/abs/evil", "file", "x"),
        ("//abs", "file", "x"),
        ("ok", "hardlink", "../outside"),
        ("ok", "hardlink", "/etc/passwd"),
    ],
)
def test_member_outside_the_root_raises(bad: tuple[str, str, str], tmp_path: Path) -> None:
    archive = make_tar(("fine", "file", "fine"), bad, ("after", "file", "after"))
    with pytest.raises(ArchiveError, match="unsafe archive"):
        list(iter_archive(archive))
    target = tmp_path / "deep" / "target"
    with pytest.raises(ArchiveError) as info:
        extract(archive, target)
    assert isinstance(info.value, DockerError)
    assert tree(tmp_path) == {"deep": "/", "deep/target": "/", "deep/target/fine": "fine"}


@pytest.mark.parametrize("link", ["../outside", "/etc", "a/../../..", "sub/../../x"])
def test_symlink_escape_raises(link: str, tmp_path: Path) -> None:
    (tmp_path / "outside").mkdir()
    archive = make_tar(("sub", "dir", ""), ("link", "symlink", link), ("link/evil", "file", "x"))
    target = tmp_path / "target"
    with pytest.raises(ArchiveError, match="symbolic link"):
        extract(archive, target)
    assert not (tmp_path / "outside" / "evil").exists() and not (tmp_path / "x").exists()
    assert not (target / "link").is_symlink()


def test_skip_unsafe_links(tmp_path: Path) -> None:
    archive = make_tar(("bad", "symlink", "/etc/passwd"), ("good", "symlink", "file"), ("file", "file", "f"))
    assert extract(archive, tmp_path / "t", skip_unsafe_links=True) == ["good", "file"]
    assert tree(tmp_path / "t") == {"good": "->file", "file": "f"}


def test_symlink_escaping_through_another_link(tmp_path: Path) -> None:
    """`d1/d2/s -> ../..` (the root) and `d1/d2/l -> s/../x` each look inside,
    but `l` resolves to the root's parent."""
    archive = make_tar(("d1/d2/s", "symlink", "../.."), ("d1/d2/l", "symlink", "s/../x"))
    with pytest.raises(ArchiveError, match="resolves outside"):
        extract(archive, tmp_path / "t")
    assert not (tmp_path / "t" / "d1" / "d2" / "l").is_symlink()
    assert (tmp_path / "t" / "d1" / "d2" / "s").is_symlink()


def test_never_writes_through_a_symlink(tmp_path: Path) -> None:
    # From the archive: a link inside the root, then a member below it.
    archive = make_tar(("sub", "dir", ""), ("inner", "symlink", "sub"), ("inner/file", "file", "x"))
    with pytest.raises(ArchiveError, match="through the symbolic link 'inner'"):
        extract(archive, tmp_path / "t1")
    assert not (tmp_path / "t1" / "sub" / "file").exists()
    # Already in the target directory, pointing outside it.
    (tmp_path / "outside").mkdir()
    (tmp_path / "t2").mkdir()
    (tmp_path / "t2" / "pre").symlink_to(tmp_path / "outside")
    with pytest.raises(ArchiveError, match="through the symbolic link 'pre'"):
        extract(make_tar(("pre/evil", "file", "x")), tmp_path / "t2")
    assert list((tmp_path / "outside").iterdir()) == []


def test_existing_files_are_replaced_not_written_through(tmp_path: Path) -> None:
    outside = write(tmp_path / "outside.txt", "precious")
    target = tmp_path / "t"
    target.mkdir()
    os.link(outside, target / "hard")  # a hard link to a file outside
    (target / "soft").symlink_to(outside)
    extract(make_tar(("hard", "file", "new"), ("soft", "file", "new")), target)
    assert outside.read_text() == "precious"
    assert (target / "hard").read_text() == "new" and not (target / "soft").is_symlink()


def test_extract_links_dirs_and_modes(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, mode in (("ro", 0o555), ("ro/f", 0o4755)):
            info = tarfile.TarInfo(name)
            info.mode, info.mtime = mode, 1_600_000_000
            if name == "ro":
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = 1
                tar.addfile(info, io.BytesIO(b"1"))
        dev = tarfile.TarInfo("dev")
        dev.type = tarfile.CHRTYPE
        tar.addfile(dev)
        hard = tarfile.TarInfo("ro/h")
        hard.type, hard.linkname = tarfile.LNKTYPE, "ro/f"
        tar.addfile(hard)
    target = tmp_path / "t"
    assert extract(buf.getvalue(), target) == ["ro", "ro/f", "ro/h"]
    assert stat.S_IMODE((target / "ro").stat().st_mode) == 0o555
    assert stat.S_IMODE((target / "ro" / "f").stat().st_mode) == 0o755  # set-id bits dropped
    assert (target / "ro").stat().st_mtime == 1_600_000_000
    assert (target / "ro" / "h").stat().st_ino == (target / "ro" / "f").stat().st_ino
    assert not (target / "dev").exists()
    (target / "ro").chmod(0o755)


def test_iter_archive_sources(tmp_path: Path) -> None:
    archive = make_tar(("./d/", "dir", ""), ("d/f", "file", "content"), ("d/l", "symlink", "f"))

    def chunks(size: int) -> Iterator[bytes]:
        for i in range(0, len(archive), size):
            yield archive[i : i + size]

    for source in (archive, bytearray(archive), io.BytesIO(archive), chunks(7), chunks(100_000)):
        got = [
            (m.name, m.is_dir(), m.is_file(), m.is_symlink(), m.read() if m.is_file() else None)
            for m in iter_archive(source)
        ]
        assert got == [
            ("d", True, False, False, None),
            ("d/f", False, True, False, b"content"),
            ("d/l", False, False, True, None),
        ]
    assert read_archive(gzip.compress(archive)) == {"d/f": b"content"}


def test_member_content_only_while_current() -> None:
    it = iter_archive(make_tar(("a", "file", "A"), ("b", "file", "B")))
    first = next(it)
    assert first.read() == b"A"
    second = next(it)
    with pytest.raises(ArchiveError, match="moved past"):
        first.read()
    assert second.read() == b"B" and second.size == 1 and second.mode == 0o644


def test_malformed_archives_raise() -> None:
    archive = make_tar(("a", "file", "x" * 5000))
    with pytest.raises(ArchiveError):
        read_archive(archive[:1500])  # cut inside the content
    with pytest.raises(ArchiveError):
        list(iter_archive(b"this is not a tar archive" * 40))


def test_an_archive_cut_between_members_is_truncated_not_shorter(tmp_path: Path) -> None:
    archive = make_tar(("a", "file", "x" * 1000), ("b", "file", "y" * 10))
    assert read_archive(archive) == {"a": b"x" * 1000, "b": b"y" * 10}
    first_member_end = 512 + 1024  # its header, then its content padded to blocks
    for cut in (first_member_end, first_member_end + 100):  # at the next header, inside it
        with pytest.raises(ArchiveError, match=f"truncated archive: the data ends at byte {first_member_end}"):
            read_archive(archive[:cut])
        with pytest.raises(ArchiveError, match="truncated"):
            extract(iter([archive[:cut]]), tmp_path / f"out-{cut}")
    # Both members whole, only the end-of-archive blocks missing: a cut too.
    end_blocks = first_member_end + 512 + 512
    assert archive[end_blocks : end_blocks + 1024] == bytes(1024)
    with pytest.raises(ArchiveError, match=f"ends at byte {end_blocks} "):
        read_archive(archive[:end_blocks])
    assert read_archive(archive[: end_blocks + 512]) == {"a": b"x" * 1000, "b": b"y" * 10}  # one zero block ends it


# --------------------------------------------------------------------------
# decode_path_stat
# --------------------------------------------------------------------------


def header(**stat_json: object) -> str:
    return base64.b64encode(json.dumps(stat_json).encode()).decode()


# As daemons 20.10 and 28 send them for HEAD /containers/{id}/archive?path=/etc/ (here with a
# nanosecond mtime) and ?path=/bin/sh (busybox)
ETC = (
    "eyJuYW1lIjoiZXRjIiwic2l6ZSI6NDA5NiwibW9kZSI6MjE0NzQ4NDE0MSwibXRpbWUiOiIyMDI0LTA1LTAxVDEwOjAwOjAwLjEy"
    "MzQ1Njc4OVoiLCJsaW5rVGFyZ2V0IjoiIn0="
)
BIN_SH = (
    "eyJuYW1lIjoic2giLCJzaXplIjo3LCJtb2RlIjoxMzQyMTgyMzksIm10aW1lIjoiMjAyNi0wNS0wN1QyMDozMzo0NVoiLCJsaW5r"
    "VGFyZ2V0IjoiL2Jpbi9idXN5Ym94In0="
)


def test_decode_path_stat_directory() -> None:
    got = decode_path_stat(ETC)
    assert got == PathStat(name="etc", size=4096, mode=(1 << 31) | 0o755, mtime=got.mtime, link_target="")
    assert got.is_dir and not got.is_file and not got.is_symlink
    assert got.permissions == 0o755
    assert stat.S_ISDIR(got.st_mode) and stat.S_IMODE(got.st_mode) == 0o755
    assert (got.mtime.year, got.mtime.microsecond, got.mtime.nanosecond) == (2024, 123456, 789)
    assert got.mtime.text == "2024-05-01T10:00:00.123456789Z"


def test_decode_path_stat_file_and_link() -> None:
    regular = decode_path_stat(header(name="su", size=10, mode=(1 << 23) | 0o755, mtime="2024-05-01T12:00:00+02:00"))
    assert regular.is_file and not regular.is_dir and regular.permissions == 0o755
    assert regular.st_mode == stat.S_IFREG | stat.S_ISUID | 0o755
    assert regular.mtime.utcoffset() is not None and regular.mtime.hour == 12
    link = decode_path_stat(BIN_SH)
    assert (link.name, link.size, link.permissions) == ("sh", 7, 0o777)
    assert link.is_symlink and link.link_target == "/bin/busybox" and stat.S_ISLNK(link.st_mode)
    assert link.mtime.text == "2026-05-07T20:33:45Z"


def test_decode_path_stat_alphabets_and_headers() -> None:
    raw = json.dumps({"name": "f?>", "size": 1, "mode": 420, "mtime": "2024-05-01T10:00:00Z", "linkTarget": ""})
    urlsafe = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
    assert decode_path_stat(urlsafe).name == "f?>"
    headers = httpx.Headers({"x-docker-container-path-stat": urlsafe, "content-type": "application/x-tar"})
    assert path_stat_from_headers(headers).permissions == 0o644
    assert path_stat_from_headers({"X-DOCKER-CONTAINER-PATH-STAT": urlsafe}).size == 1
    with pytest.raises(ArchiveError, match="no X-Docker-Container-Path-Stat"):
        path_stat_from_headers({})


@pytest.mark.parametrize(
    "bad",
    ["", "!!!", base64.b64encode(b"[1]").decode(), header(name="x"), header(name="x", size=1, mode=1, mtime="later")],
)
def test_decode_path_stat_malformed(bad: str) -> None:
    with pytest.raises(ArchiveError, match="malformed"):
        decode_path_stat(bad)
