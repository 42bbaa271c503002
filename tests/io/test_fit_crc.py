"""The vectorised FIT CRC against fitparse's byte-wise reference implementation."""

from __future__ import annotations

import numpy as np
import pytest
from fitparse.records import Crc
from hypothesis import given, settings
from hypothesis import strategies as st

from lactlog.io.fit import crc
from lactlog.io.fit.crc import crc16


def test_known_value() -> None:
    # CRC-16/ARC check value of "123456789" (catalogue of parametrised CRC algorithms): 0xBB3D
    assert crc16(b"123456789") == 0xBB3D


@pytest.mark.parametrize("folded_before", [0, crc._WORD_TABLE_WORDS])
def test_long_data_matches_reference_with_either_tables(
    folded_before: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a fresh process folds with the byte tables; one that has folded 512 kB with word tables
    monkeypatch.setattr(crc, "_folded_words", folded_before)
    data = bytes(np.random.default_rng(7).integers(0, 256, 100_003, dtype=np.uint8))
    assert crc16(data) == Crc.calculate(data)
    assert crc16(data, 17, 90_000) == Crc.calculate(data[17:90_000])


def test_a_process_switches_to_word_tables_after_512_kb(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(crc, "_folded_words", 0)
    data = bytes(np.random.default_rng(11).integers(0, 256, 600_001, dtype=np.uint8))
    assert crc16(data, 3, 524_291) == Crc.calculate(data[3:524_291])  # exactly 2**18 words
    assert crc._folded_words >= crc._WORD_TABLE_WORDS
    assert crc16(data) == Crc.calculate(data)


@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=0, max_size=6000))
def test_any_bytes_match_reference(data: bytes) -> None:
    assert crc16(data) == Crc.calculate(data)
