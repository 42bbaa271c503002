"""Every reader on generated worst cases in a subprocess under an address-space limit
(``RLIMIT_AS``): a result or a clear LactlogError, never a MemoryError (issue 14, class 5).

The bounds README states: FIT scan 4 bytes per record and at most 10 M records; the 1-Hz grid at
most max(1 M, 30 × sampled seconds) rows and a Hampel filter in blocks of 1 Mi values; CSV lines
of at most 100,000 characters; gzip refused with ≤ 32 MiB held. Each case below broke its limit
before (measured peaks in the commit messages: 4.5 GB, 7.4 GB, 24 GB, 1.1 GB). The CSV shapes
also check the peak RSS of the read above the child's imports against README's bound.

Runtime: about 100 s (the CSV shapes: 4 MiB each, a few µs per line through the CSV reader).
"""

from __future__ import annotations

import gzip
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest

import lactlog.io.fit.scan
from lactlog.errors import InputTooLargeError
from lactlog.io.fit.scan import scan
from lactlog.testing import FitWriter

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS as on Linux")

#: Address space of a child: Python, numpy and pandas take ~250 MB of it before any reading.
LIMIT_BYTES = 1024 * 2**20

_CHILD = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
import lactlog.io.fit.scan
from lactlog.analysis.clean import clean_samples
from lactlog.errors import LactlogError
from lactlog.io import read
import lactlog.io.csvfile
def status_bytes(field):
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith(field))
imported = status_bytes("VmRSS:")
lactlog.io.fit.scan.MAX_RECORDS = int(sys.argv[2])
try:
    rows = [len(clean_samples(a.samples, a.pauses)) for a in read(sys.argv[1])]
except LactlogError as exc:
    print("refused:", exc)
else:
    print("rows:", sum(rows))
print(status_bytes("VmHWM:") - imported)
"""


def _run_limited(path: Path, max_records: int = 10_000_000) -> tuple[str, int]:
    """Outcome of reading and cleaning ``path`` in a child under :data:`LIMIT_BYTES`, and the
    child's peak RSS above its RSS after the imports [bytes] (its own VmHWM, not ru_maxrss,
    which Linux carries over from this process)."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    result = subprocess.run(
        [sys.executable, "-c", _CHILD.format(limit=LIMIT_BYTES), str(path), str(max_records)],
        capture_output=True, text=True, timeout=120, env=env, check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    outcome, peak = result.stdout.strip().rsplit("\n", 1)
    return outcome, int(peak)


def _read_limited(path: Path, max_records: int = 10_000_000) -> str:
    return _run_limited(path, max_records)[0]


def _fit(body: bytes) -> bytes:
    return struct.pack("<BBHI4s", 12, 0x20, 2132, len(body), b".FIT") + body + b"\0\0"


def _records(times_s: np.ndarray) -> bytes:
    """FIT record messages (timestamp, heart rate) at FIT times ``times_s``, 6 bytes each."""
    writer = FitWriter()
    writer.define(0, 20, [(253, 0x86, 4), (3, 0x02, 1)])
    layout = np.dtype([("header", "u1"), ("time", "<u4"), ("hr", "u1")])
    records = np.zeros(len(times_s), dtype=layout)
    records["time"], records["hr"] = times_s, 140 + np.arange(len(times_s)) % 20
    return _fit(bytes(writer._body) + records.tobytes())


def test_fit_records_599_s_apart(tmp_path: Path) -> None:
    """12 M grid seconds before (a 1 GiB Hampel matrix); now one row per record."""
    path = tmp_path / "gaps.fit"
    path.write_bytes(_records(1_100_000_000 + 599 * np.arange(20_000)))
    assert _read_limited(path) == "rows: 20000"


def test_fit_gz_of_tiny_records_is_refused_past_the_record_cap(tmp_path: Path) -> None:
    """1-byte records (a definition without fields): the scan keeps 4 bytes per record and
    refuses the file past MAX_RECORDS (lowered here to keep the test fast)."""
    definition = struct.pack("<BBBHB", 0x40, 0, 0, 20, 0)
    path = tmp_path / "tiny.fit.gz"
    path.write_bytes(gzip.compress(_fit(definition + bytes(3_000_000))))
    assert _read_limited(path, max_records=2_000_000).startswith(
        "refused: more than 2,000,000 FIT records")


def test_scan_keeps_positions_in_typed_arrays() -> None:
    result = scan(_records(1_100_000_000 + np.arange(1000)), frozenset({20}))
    (records,) = result.bins
    assert records.positions.typecode == "i" and len(records.positions) == 1000


def test_csv_rows_599_s_apart(tmp_path: Path) -> None:
    path = tmp_path / "gaps.csv"
    times = 1_600_000_000 + 599 * np.arange(20_000)
    path.write_text("time,heart_rate\n" + "".join(f"{t},150\n" for t in times))
    assert _read_limited(path) == "rows: 20000"


def test_csv_single_30_mb_line_is_refused(tmp_path: Path) -> None:
    """One 30 MB line of fields was OOM-killed at 24 GB (every field scored as a header)."""
    path = tmp_path / "line.csv"
    path.write_text("time,heart_rate\n" + "1," * (15 * 2**20) + "\n")
    assert _read_limited(path) == (
        "refused: line 2 is 31,457,280 characters long; lactlog reads CSV lines of up to "
        "100,000 characters")


def test_gzip_bomb_is_refused_within_the_limit(tmp_path: Path) -> None:
    """600 MiB of zeros in 600 kB against the default 512 MiB cap: 1.1 GB peak before."""
    compressor = zlib.compressobj(1, zlib.DEFLATED, 31)
    zeros = bytes(2**20)
    path = tmp_path / "bomb.fit.gz"
    path.write_bytes(b"".join([*(compressor.compress(zeros) for _ in range(600)),
                              compressor.flush()]))
    assert _read_limited(path).startswith("refused: decompresses to more than 512.0 MB")


def test_record_cap_counts_records_of_any_size(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _records(1_100_000_000 + np.arange(1000))  # 1 definition + 1000 records of 6 bytes
    monkeypatch.setattr(lactlog.io.fit.scan, "MAX_RECORDS", 1001)
    assert scan(data, frozenset({20})).n_records == 1001
    monkeypatch.setattr(lactlog.io.fit.scan, "MAX_RECORDS", 1000)
    with pytest.raises(InputTooLargeError, match="more than 1,000 FIT records"):
        scan(data, frozenset({20}))


#: README's bounds of a CSV read above the imports: lines that are no rows (blank, a field count
#: other than the header's, only delimiters) and refused tables cost at most 4 × the decoded size
#: + 16 MiB; rows read cost at most 24 × (time series) or 32 × (FitCSVTool dump) + 16 MiB.
_SKIPPED, _ROWS, _DUMP_ROWS = 4, 24, 32
_CSV_MIB = 4
_STRONG = "Date,Workout Name,Exercise Name,Set Order,Weight,Reps,Notes\n"
_FITCSV = "Type,Local Number,Message,Field 1,Value 1,Units 1\n"
_TIME = "time,heart_rate\n1600000000,150\n"
#: Worst shapes: name -> (text of about _CSV_MIB MiB, bound factor, expected outcome start).
_CSV_SHAPES = {
    "blank lines": (_TIME + "\n" * (_CSV_MIB * 2**20), _SKIPPED, "rows: 1"),
    "blank lines, CR only": (_TIME + "\r" * (_CSV_MIB * 2**20), _SKIPPED, "rows: 1"),
    "1-character lines": (_TIME + "1\n" * (_CSV_MIB * 2**19), _SKIPPED, "rows: 1"),
    "rows of only delimiters": (_TIME + ",\n" * (_CSV_MIB * 2**19), _SKIPPED, "rows: 1"),
    "a wide header, then empty cells": (
        "time,heart_rate" + ",x" * 998 + "\n" + ("," * 999 + "\n") * (_CSV_MIB * 2**10),
        _SKIPPED, "refused: no time column recognised"),
    "rows of 4 characters": ("t,hr\n" + "1,1\n" * (_CSV_MIB * 2**18), _ROWS, "rows: 1"),
    "dump: blank lines": (_FITCSV + "\n" * (_CSV_MIB * 2**20), _SKIPPED,
                          "refused: a FitCSVTool dump without data messages"),
    "dump: a wide line, then short ones": (
        _FITCSV + "Data,0,record" + ",x" * 3000 + "\n" + "Data,\n" * (_CSV_MIB * 2**20 // 6),
        _SKIPPED, "refused: 699,051 rows of 3,003 columns"),
    "dump: records of empty fields": (
        _FITCSV + ("Data,0,record" + "," * 99 + "\n") * (_CSV_MIB * 2**20 // 113), _DUMP_ROWS,
        "refused: a FitCSVTool dump without timestamped record messages"),
    "lifting log: short lines": (_STRONG + "a\n" * (_CSV_MIB * 2**19), _SKIPPED,
                                 "refused: 2,097,153 rows of 7 columns"),
    # 8 MB peaked at +797 MB (30 MB: 3.0 GB): converted row by row, then skipped as dateless
    "lifting log: rows of only delimiters": (
        "Date,Exercise Name,Set Order\n2026-01-01 07:00:00,Squat,1\n"
        + ",,\n" * (_CSV_MIB * 2**20 // 3), _SKIPPED, "rows: 0"),
}


@pytest.mark.parametrize("shape", list(_CSV_SHAPES))
def test_csv_worst_shapes_stay_within_the_bound(tmp_path: Path, shape: str) -> None:
    """Before, every line was one Python string in one list and pandas padded short rows to the
    header: 30 MB of blank lines peaked at 1.09 GB (34 × its size), of ',' lines at 1.50 GB, a
    lifting log of 'a' lines hit MemoryError at 4 GB."""
    text, factor, expected = _CSV_SHAPES[shape]
    path = tmp_path / "shape.csv"
    path.write_text(text, newline="")
    outcome, peak_bytes = _run_limited(path)
    assert outcome.startswith(expected), outcome
    assert peak_bytes <= factor * len(text) + 16 * 2**20, (peak_bytes / len(text), outcome)
