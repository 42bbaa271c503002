"""The vectorised FIT CRC against fitparse's byte-wise reference implementation."""

from __future__ import annotations

import numpy as np
from fitparse.records import Crc
from hypothesis import given, settings
from hypothesis import strategies as st

from lactlog.io.fit.crc import crc16


def test_known_value() -> None:
    # CRC-16/ARC check value of "123456789" (catalogue of parametrised CRC algorithms): 0xBB3D
    assert crc16(b"123456789") == 0xBB3D


def test_long_data_uses_chunks_and_matches_reference() -> None:
    data = bytes(np.random.default_rng(7).integers(0, 256, 100_003, dtype=np.uint8))
    assert crc16(data) == Crc.calculate(data)
    assert crc16(data, 17, 90_000) == Crc.calculate(data[17:90_000])


def test_data_over_512_kb_uses_the_word_table_and_matches_reference() -> None:
    data = bytes(np.random.default_rng(11).integers(0, 256, 600_001, dtype=np.uint8))
    assert crc16(data) == Crc.calculate(data)
    assert crc16(data, 3, 524_291) == Crc.calculate(data[3:524_291])  # exactly 2**18 words


@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=0, max_size=6000))
def test_any_bytes_match_reference(data: bytes) -> None:
    assert crc16(data) == Crc.calculate(data)
