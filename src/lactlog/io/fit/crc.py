"""FIT CRC-16, vectorised with numpy.

The FIT file CRC is CRC-16/ARC (reflected polynomial 0xA001, initial value 0, no final XOR;
FIT SDK "FIT File CRC"). Byte-at-a-time CRC in Python costs ~0.2 µs per byte, slower than all of
lactlog's decoding, so long data is folded first (:func:`_fold`): the CRC register is linear
over GF(2) with a zero initial value, so the data, cut into rows of 2**k little-endian 16-bit
words, has the CRC of one row of 2**k words, each row shifted through the register and added
(XOR) to the next. "Shift by 2**k zero words" is itself linear: two 256-entry tables (low byte,
high byte of the register), made from the 16 one-bit images of the shift, and the images for
2**k words from those for 2**(k-1) by applying the map twice. The last few hundred words go
through the byte-wise 256-entry table in Python. Once a process has folded 2**18 words (512 kB:
one large file, or a few of a batch), the two tables are merged into one of 65,536 entries per
row width, which takes about 1 ms to build and then halves the lookups; a one-file run of a
small file never pays for it.

Leading zero bytes do not change a zero-initialised CRC, which lets the data be zero-padded in
front to whole words and whole rows.
"""

from __future__ import annotations

from functools import cache

import numpy as np


@cache
def _byte_table() -> np.ndarray:
    """The 256-entry table of the byte-wise reflected CRC-16 (polynomial 0xA001)."""
    crc = np.arange(256, dtype=np.uint16)
    for _ in range(8):
        crc = np.where(crc & 1, (crc >> 1) ^ 0xA001, crc >> 1).astype(np.uint16)
    return crc


@cache
def _byte_list() -> list[int]:
    """:func:`_byte_table` as Python ints, for the short-data loop."""
    return _byte_table().tolist()


def _feed_word(registers: np.ndarray) -> np.ndarray:
    """Registers after feeding one zero word (two zero bytes), byte-wise."""
    table = _byte_table()
    after_low = (registers >> 8) ^ table[registers & 0xFF]
    return (after_low >> 8) ^ table[after_low & 0xFF]


def _even_words(view: np.ndarray, n_words: int) -> np.ndarray:
    """``view`` zero-padded in front to ``n_words`` little-endian 16-bit words."""
    padded = np.zeros(2 * n_words, dtype=np.uint8)
    padded[len(padded) - len(view) :] = view
    return padded.view("<u2")


#: Up to this many words the Python loop beats numpy's per-step overhead.
_SMALL_WORDS = 256

#: Once a process has folded this many words (512 kB), :func:`_fold` uses 65,536-entry shift
#: tables (about 1 ms each to build), saving about 4 ns per word against two byte-table lookups
#: (measured on this machine): they pay for themselves over the next 512 kB.
_WORD_TABLE_WORDS = 1 << 18

#: Words folded by this process so far (decides the tables, see above).
_folded_words = 0


@cache
def _shift_images(log2_words: int) -> np.ndarray:
    """Images of the 16 one-bit registers under "feed 2**log2_words zero words" (uint16)."""
    if log2_words == 0:
        return _feed_word((1 << np.arange(16)).astype(np.uint16))
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
def _shift_tables(log2_words: int) -> tuple[np.ndarray, np.ndarray]:
    """The byte tables of "feed 2**log2_words zero words" into a register."""
    return _byte_tables(_shift_images(log2_words))


@cache
def _shift_word_table(log2_words: int) -> np.ndarray:
    """:func:`_shift_tables` merged into one 65,536-entry table: one lookup per word, not two."""
    return _apply(_shift_tables(log2_words), np.arange(65536, dtype=np.uint16))


def _crc_words(words: np.ndarray) -> int:
    """CRC-16 of little-endian 16-bit words (from a zero register)."""
    while len(words) > _SMALL_WORDS:
        words = _fold(words)
    table = _byte_list()
    crc = 0
    for word in words.tolist():
        crc = (crc >> 8) ^ table[(crc ^ word) & 0xFF]  # low byte first
        crc = (crc >> 8) ^ table[(crc ^ (word >> 8)) & 0xFF]
    return crc


def _fold(words: np.ndarray) -> np.ndarray:
    """Words of the same CRC, far fewer: the data as rows of 2**k words (zero-padded in
    front), each row shifted through the register and added to the next, column by column.

    The register being linear, feeding word ``w`` adds ``W(w)`` and shifts all earlier input by
    one word, so the data's CRC is that of the ``2**k`` column sums ``acc[c] = sum_j
    shift(2**k words)**(rows - 1 - j) of row_j[c]``, summed by Horner's rule along contiguous
    rows (no transposition).
    """
    global _folded_words
    _folded_words += len(words)
    log2_width = max(4, (4 * int(len(words) ** 0.5) - 1).bit_length())
    width = 1 << log2_width
    n_rows = -(-len(words) // width)
    padded = np.zeros(n_rows * width, dtype=np.uint16)
    padded[len(padded) - len(words) :] = words
    rows = padded.reshape(n_rows, width)
    acc = rows[0]
    if _folded_words >= _WORD_TABLE_WORDS:
        table = _shift_word_table(log2_width)
        for row in rows[1:]:
            acc = table[acc] ^ row
    else:
        tables = _shift_tables(log2_width)
        for row in rows[1:]:
            acc = _apply(tables, acc) ^ row
    return acc


def crc16(data: bytes, start: int = 0, end: int | None = None) -> int:
    """CRC-16 of ``data[start:end]`` as the FIT protocol defines it."""
    view = np.frombuffer(data, dtype=np.uint8)[start:end]
    return _crc_words(_even_words(view, -(-len(view) // 2)))
