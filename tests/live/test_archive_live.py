"""Container archives on real daemons: put_archive of a tree tarred on the fly,
archive() back, archive_info → decode_path_stat."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from docker_engine._archive import (
    extract,
    iter_archive,
    read_archive,
    tar_path,
)
from docker_engine._errors import NotFoundError


@pytest.fixture
def container(docker: Any, busybox: str) -> Iterator[str]:
    """A created (never started) container: archives work on it all the same."""
    created = docker.containers.create(body={"Image": busybox, "Cmd": ["sh"], "HostConfig": {"NetworkMode": "none"}})
    try:
        yield created.id
    finally:
        docker.containers.delete(created.id, force=True)


def make_tree(root: Path) -> Path:
    (root / "nested" / "deeper").mkdir(parents=True)
    (root / "empty").mkdir()
    (root / "hello.txt").write_text("hello\n")
    (root / "run.sh").write_text("#!/bin/sh\necho run\n")
    (root / "run.sh").chmod(0o755)
    (root / "private").write_text("secret")
    (root / "private").chmod(0o600)
    (root / "nested" / "deeper" / "data.bin").write_bytes(bytes(range(256)) * 1000)
    (root / "link").symlink_to("hello.txt")
    return root


def snapshot(root: Path) -> dict[str, tuple[str, int, bytes | str]]:
    out: dict[str, tuple[str, int, bytes | str]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            full = Path(dirpath, name)
            st = full.lstat()
            rel = full.relative_to(root).as_posix()
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("link", 0, os.readlink(full))
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ("dir", stat.S_IMODE(st.st_mode), b"")
            else:
                out[rel] = ("file", stat.S_IMODE(st.st_mode), full.read_bytes())
    return out


def test_put_archive_and_back(docker: Any, container: str, tmp_path: Path) -> None:
    src = make_tree(tmp_path / "src")
    # A generator body: streamed to the daemon chunk by chunk.
    assert docker.containers.put_archive(container, path="/tmp", body=tar_path(src, "data", chunk_size=4096)) is None
    with docker.containers.archive(container, path="/tmp/data") as stream:
        assert stream.stat.name == "data" and stream.stat.is_dir  # the header of the GET, decoded
        archive = stream.read()
    assert isinstance(archive, bytes)
    listed = [m.name for m in iter_archive(archive)]
    assert listed[0] == "data"
    assert set(listed) == {"data"} | {f"data/{rel}" for rel in snapshot(src)}
    files = read_archive(archive)
    assert files["data/hello.txt"] == b"hello\n"
    assert files["data/nested/deeper/data.bin"] == bytes(range(256)) * 1000
    extract(archive, tmp_path / "out")
    assert snapshot(tmp_path / "out" / "data") == snapshot(src)


def test_put_archive_single_file_and_contents_only(docker: Any, container: str, tmp_path: Path) -> None:
    src = make_tree(tmp_path / "src")
    docker.containers.put_archive(container, path="/etc", body=tar_path(src / "hello.txt", "greeting"))
    assert read_archive(docker.containers.archive(container, path="/etc/greeting")) == {"greeting": b"hello\n"}
    docker.containers.put_archive(container, path="/root", body=tar_path(src / "nested", "."))
    assert read_archive(docker.containers.archive(container, path="/root/deeper")).keys() == {"deeper/data.bin"}


def test_archive_info_decodes(docker: Any, container: str, tmp_path: Path) -> None:
    src = make_tree(tmp_path / "src")
    docker.containers.put_archive(container, path="/tmp", body=tar_path(src, "data"))

    directory = docker.containers.archive_info(container, path="/tmp/data")
    assert directory.name == "data" and directory.is_dir and not directory.is_file
    assert directory.permissions == stat.S_IMODE(src.stat().st_mode)
    assert stat.S_ISDIR(directory.st_mode)

    script = docker.containers.archive_info(container, path="/tmp/data/run.sh")
    assert (script.name, script.size, script.permissions) == ("run.sh", len("#!/bin/sh\necho run\n"), 0o755)
    assert script.is_file and not script.is_dir and not script.is_symlink
    assert int(script.mtime.timestamp()) == int((src / "run.sh").stat().st_mtime)
    assert script.link_target == ""

    big = docker.containers.archive_info(container, path="/tmp/data/nested/deeper/data.bin")
    assert big.size == 256_000 and big.permissions == 0o644

    link = docker.containers.archive_info(container, path="/tmp/data/link")
    assert link.is_symlink and link.link_target == "/tmp/data/hello.txt"

    with pytest.raises(NotFoundError):
        docker.containers.archive_info(container, path="/tmp/data/missing")


def test_put_archive_streams_a_large_file(docker: Any, container: str, tmp_path: Path) -> None:
    """A 64 MiB sparse file goes up in 64 KiB chunks; the daemon sees every byte."""
    (tmp_path / "big").mkdir()
    with open(tmp_path / "big" / "zeros", "wb") as f:
        f.truncate(64 * 1024 * 1024)
    docker.containers.put_archive(container, path="/tmp", body=tar_path(tmp_path / "big"))
    stat_ = docker.containers.archive_info(container, path="/tmp/big/zeros")
    assert stat_.size == 64 * 1024 * 1024 and stat_.is_file
