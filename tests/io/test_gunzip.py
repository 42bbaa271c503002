"""gzip inputs: every member read (issue 14, class 11), the cap checked while streaming."""

from __future__ import annotations

import gzip
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

import lactlog.io.gzipfile
from lactlog.errors import CorruptFileError, InputTooLargeError
from lactlog.io import read
from lactlog.io.gzipfile import gunzip
from lactlog.testing.exports import interval_run
from lactlog.testing.fitactivity import write_activity


def _run(day: int) -> bytes:
    start = datetime(2026, 11, day, 7, tzinfo=UTC)
    return write_activity(interval_run(start, n_intervals=1, warmup_s=120))


def test_every_member_is_read_and_empty_members_add_nothing() -> None:
    first, second = b"time,heart_rate\n", b"1700000000,140\n" * 1000
    data = gzip.compress(first) + gzip.compress(b"") + gzip.compress(second)
    assert gunzip(data, 2**20) == first + second
    assert gunzip(gzip.compress(b"") + gzip.compress(second), 2**20) == second
    assert gunzip(gzip.compress(second) + b"\x00\x00 trailing", 2**20) == second  # as gzip -d


def test_the_cap_counts_every_member() -> None:
    member = gzip.compress(bytes(600_000))
    assert len(gunzip(member + member, 1_200_000)) == 1_200_000
    with pytest.raises(InputTooLargeError, match="decompresses to more than"):
        gunzip(member + member, 1_000_000)


def test_a_damaged_or_cut_second_member_is_an_error() -> None:
    first, second = gzip.compress(b"a" * 1000), gzip.compress(b"b" * 100_000)
    with pytest.raises(CorruptFileError, match="truncated"):
        gunzip(first + second[:-8], 2**20)
    damaged = second[:10] + b"\xff" * 20 + second[30:]
    with pytest.raises(CorruptFileError, match="damaged gzip data"):
        gunzip(first + damaged, 2**20)


def test_output_beyond_the_kept_size_is_decompressed_again(monkeypatch) -> None:
    monkeypatch.setattr(lactlog.io.gzipfile, "KEEP_BYTES", 10_000)
    payload = bytes(range(256)) * 4000
    assert gunzip(gzip.compress(payload) + gzip.compress(payload), 2**21) == payload * 2


def test_two_fit_files_in_two_members_are_both_read(tmp_path: Path) -> None:
    """``cat a.fit.gz b.fit.gz`` (or a device's multi-member upload) read only the first
    member before: the second activity was lost without a word. Both members together are a
    chained FIT file (FIT protocol: several files one after the other), so both are read."""
    path = tmp_path / "two.fit.gz"
    path.write_bytes(gzip.compress(_run(16)) + gzip.compress(_run(17)))
    days = sorted({a.meta.start.day for a in read(path)})
    assert days == [16, 17]


def test_an_empty_first_member_is_not_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "ride.fit.gz"
    path.write_bytes(gzip.compress(b"") + gzip.compress(_run(16)))
    (activity,) = read(path)
    assert activity.meta.start.day == 16 and len(activity.samples) > 100


def test_zlib_stream_that_is_not_gzip_is_damaged() -> None:
    with pytest.raises(CorruptFileError):
        gunzip(b"\x1f\x8b" + zlib.compress(b"x" * 100)[2:], 2**20)
