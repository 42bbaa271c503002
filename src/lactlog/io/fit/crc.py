"""FIT CRC-16, vectorised with numpy.

The FIT file CRC is CRC-16/ARC (reflected polynomial 0xA001, initial value 0, no final XOR;
FIT SDK "FIT File CRC"). Byte-at-a-time CRC in Python costs ~0.2 µs per byte, slower than all of
lactlog's decoding, so the data is cut into equal chunks whose CRCs are computed side by side
(one numpy step per word *position* in a chunk), then joined pairwise in a tree: because the CRC
is linear with a zero initial value, ``crc(A + B) = shift(crc(A), len(B)) ^ crc(B)``, where
``shift`` feeds zero bytes through the register and is itself linear (two 256-entry tables; the
tables for 2**k words are made from those for 2**(k-1) by applying the map twice to 16 bits).
Leading zero bytes do not change a zero-initialised CRC, which lets the data be zero-padded in
front to a whole number of chunks, and a level of the tree with an odd count of chunks take a
zero CRC in front.

Both paths take two bytes per step: a 16-bit register fed 16 bits is a linear function of
``register ^ word`` alone (``word`` = the two bytes, little-endian, as the reflected CRC reads
them), so one lookup in a 65,536-entry table replaces two byte steps.
"""

from __future__ import annotations

from functools import cache

import numpy as np


@cache
def _byte_table() -> np.ndarray:
    """The 256-entry table of the byte-wise reflected CRC-16 (polynomial 0xA001)."""
    table = np.zeros(256, dtype=np.uint16)
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table[byte] = crc
    return table


@cache
def _word_table() -> np.ndarray:
    """CRC register after feeding the 16-bit value x (low byte first) into a zero register."""
    table = _byte_table()
    x = np.arange(65536, dtype=np.uint16)
    after_low = table[x & 0xFF]
    return (after_low >> 8) ^ table[((x >> 8) ^ after_low) & 0xFF]


@cache
def _word_list() -> list[int]:
    """:func:`_word_table` as Python ints, for the short-data loop."""
    return _word_table().tolist()


def _even_words(view: np.ndarray, n_words: int) -> np.ndarray:
    """``view`` zero-padded in front to ``n_words`` little-endian 16-bit words."""
    padded = np.zeros(2 * n_words, dtype=np.uint8)
    padded[len(padded) - len(view) :] = view
    return padded.view("<u2")


#: Up to this many words the Python loop beats numpy's per-step overhead.
_SMALL_WORDS = 256


@cache
def _shift_images(log2_words: int) -> np.ndarray:
    """Images of the 16 one-bit registers under "feed 2**log2_words zero words" (uint16)."""
    if log2_words == 0:
        return _word_table()[1 << np.arange(16)]  # feeding a zero word to x gives table[x]
    half = _shift_images(log2_words - 1)
    return _apply(_byte_tables(half), half)  # the half shift applied twice


def _byte_tables(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Tables (low byte, high byte) of the linear map with these 16 bit images."""
    bits = (np.arange(256)[:, None] >> np.arange(8)) & 1  # (256, 8): the bits of each byte
    low = np.bitwise_xor.reduce(np.where(bits == 1, images[:8], 0), axis=1)
    high = np.bitwise_xor.reduce(np.where(bits == 1, images[8:], 0), axis=1)
    return low.astype(np.uint16), high.astype(np.uint16)


def _apply(tables: tuple[np.ndarray, np.ndarray], registers: np.ndarray) -> np.ndarray:
    low, high = tables
    return low[registers & 0xFF] ^ high[registers >> 8]


@cache
def _shift_table(log2_words: int) -> np.ndarray:
    """The 65,536-entry table of "feed 2**log2_words zero words" into a register."""
    tables = _byte_tables(_shift_images(log2_words))
    return _apply(tables, np.arange(65536, dtype=np.uint16))


def _crc_words(words: np.ndarray) -> int:
    """CRC-16 of little-endian 16-bit words (from a zero register)."""
    while len(words) > _SMALL_WORDS:
        words = _fold(words)
    table = _word_list()
    crc = 0
    for word in words.tolist():
        crc = table[crc ^ word]
    return crc


def _fold(words: np.ndarray) -> np.ndarray:
    """Words of the same CRC, far fewer: the data as rows of 2**k words (zero-padded in
    front), each row shifted through the register and added to the next, column by column.

    The register being linear, feeding word ``w`` adds ``W(w)`` and shifts all earlier input by
    one word, so the data's CRC is that of the ``2**k`` column sums ``acc[c] = sum_j
    shift(2**k words)**(rows - 1 - j) of row_j[c]``, summed by Horner's rule along contiguous
    rows (no transposition).
    """
    log2_width = max(4, (4 * int(len(words) ** 0.5) - 1).bit_length())
    width = 1 << log2_width
    n_rows = -(-len(words) // width)
    padded = np.zeros(n_rows * width, dtype=np.uint16)
    padded[len(padded) - len(words) :] = words
    rows = padded.reshape(n_rows, width)
    shift = _shift_table(log2_width)
    acc = rows[0]
    for row in rows[1:]:
        acc = np.take(shift, acc) ^ row
    return acc


def crc16(data: bytes, start: int = 0, end: int | None = None) -> int:
    """CRC-16 of ``data[start:end]`` as the FIT protocol defines it."""
    view = np.frombuffer(data, dtype=np.uint8)[start:end]
    return _crc_words(_even_words(view, -(-len(view) // 2)))
