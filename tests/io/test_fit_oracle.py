"""``--decoder fitparse`` on damaged files: fitparse's own exception classes (issue 14, class 10).

python-fitparse has no top-level ``FitCRCError``; naming it turned every fitparse error (a bad
CRC, a truncated file, a bad header) into "internal error (AttributeError …)".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO_ROOT, corpus_files
from lactlog.errors import CorruptFileError, LactlogError
from lactlog.io import read, read_bytes
from lactlog.io.fit.decode import CRC_MISMATCH

RUN = REPO_ROOT / "sample_data" / "2026-11-16-hiit-run.fit"


def bad_crc(data: bytes) -> bytes:
    """The file with its closing CRC flipped (the data untouched)."""
    return data[:-2] + bytes(b ^ 0xFF for b in data[-2:])


def test_bad_crc_is_read_with_a_warning_by_both_decoders() -> None:
    data = bad_crc(RUN.read_bytes())
    ours = read_bytes(data, "run.fit")
    theirs = read_bytes(data, "run.fit", decoder="fitparse")
    assert len(theirs) == len(ours) >= 1
    assert CRC_MISMATCH in theirs[0].meta.warnings
    assert len(theirs[0].samples) == len(ours[0].samples) > 0


def test_truncated_file_keeps_what_fitparse_read() -> None:
    data = RUN.read_bytes()
    activities = read_bytes(data[: len(data) * 2 // 3], "run.fit", decoder="fitparse")
    assert activities and len(activities[0].samples) > 0


def test_a_bad_header_is_a_corrupt_file_not_an_internal_error() -> None:
    data = bytearray(RUN.read_bytes())
    data[0] = 200  # header size nonsense; ".FIT" signature kept
    with pytest.raises(LactlogError):
        read_bytes(bytes(data), "run.fit", decoder="fitparse")
    with pytest.raises(CorruptFileError):
        read_bytes(RUN.read_bytes()[:20], "run.fit", decoder="fitparse")


@pytest.mark.parametrize("path", corpus_files("fit-broken"), ids=lambda p: p.name)
def test_broken_corpus_files_give_a_result_or_an_input_error(path: Path) -> None:
    try:
        read(path, decoder="fitparse")
    except LactlogError:
        pass  # one clear line; anything else (AttributeError …) fails the test
