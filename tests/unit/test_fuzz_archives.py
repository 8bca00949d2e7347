"""Hypothesis against the archive decoders (issue #13: "hypothesis fuzzing of every decoder"): a tar
with bytes flipped, cut or appended, and any `X-Docker-Container-Path-Stat` value, end either in a
result or in an ArchiveError, never in another exception, and never write outside the target."""

from __future__ import annotations

import contextlib
import io
import tarfile
import tempfile
from pathlib import Path

from docker_engine import ArchiveError, decode_path_stat, extract
from docker_engine._archive import iter_archive
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def _valid_tar() -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in (("a.txt", b"alpha\n"), ("d/b.txt", b"beta" * 100), ("d/e/c.bin", bytes(range(256)))):
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), 1_700_000_000
            tar.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("d/link")
        link.type, link.linkname = tarfile.SYMTYPE, "b.txt"
        tar.addfile(link)
    return buf.getvalue()


VALID = _valid_tar()


@st.composite
def damaged_tars(draw: st.DrawFn) -> bytes:
    data = bytearray(VALID)
    for _ in range(draw(st.integers(0, 8))):
        position = draw(st.integers(0, len(data) - 1))
        data[position] = draw(st.integers(0, 255))
    cut = draw(st.integers(0, len(data)))
    return bytes(data[:cut]) + draw(st.binary(max_size=600))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged_tars())
def test_a_damaged_tar_is_extracted_or_refused(archive: bytes) -> None:
    with tempfile.TemporaryDirectory() as top:
        target, outside = Path(top) / "target", Path(top) / "outside"
        outside.mkdir()
        with contextlib.suppress(ArchiveError):
            extract(archive, target, max_size=1 << 20)
        assert list(outside.iterdir()) == []
        for path in Path(top).rglob("*"):
            assert path.resolve(strict=False).is_relative_to(Path(top).resolve()) or path.is_symlink()


@settings(max_examples=300, deadline=None)
@given(damaged_tars())
def test_a_damaged_tar_is_read_or_refused(archive: bytes) -> None:
    try:
        for member in iter_archive(archive):
            member.read()
    except ArchiveError:
        pass


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(max_size=300), st.binary(max_size=300)))
def test_any_path_stat_header_is_decoded_or_refused(value: str | bytes) -> None:
    with contextlib.suppress(ArchiveError):
        decode_path_stat(value)
