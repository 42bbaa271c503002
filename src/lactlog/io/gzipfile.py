"""gzip decompression with a size cap, streamed in chunks, every member of the file.

A gzip file may hold several members one after the other (RFC 1952 §2.2, what ``cat a.gz b.gz``
makes); its content is the concatenation of theirs, as ``gzip -d`` reads it. An empty member
contributes nothing (so an empty first member does not make the file look empty), and bytes
after the last member that do not start another member are ignored, as ``gzip -d`` does.
Two FIT files in two members are a chained FIT file, which the FIT reader reads in full.

Memory: the input is fed to zlib in 64 KiB pieces and taken out in 1 MiB pieces. While the
output stays under :data:`KEEP_BYTES` the pieces are kept; beyond that only their sizes are
counted, and the file is decompressed a second time once its size is known to be within the
cap. So a file that decompresses to more than the cap (a gzip bomb) is refused with a peak of
about the input + :data:`KEEP_BYTES` + 1 MiB, and one within the cap costs at most the input +
2 × its decompressed size + 1 MiB (the pieces and their join).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

from lactlog.errors import CorruptFileError, InputTooLargeError

MAGIC = b"\x1f\x8b"
#: Decompressed bytes kept during the first pass; a larger output is decompressed twice.
KEEP_BYTES = 32 * 2**20
_IN_BYTES = 64 * 2**10
_OUT_BYTES = 2**20


def gunzip(data: bytes, max_bytes: int) -> bytes:
    """Decompress every member of gzip ``data``, refusing to produce more than ``max_bytes``.

    Raises
    ------
    InputTooLargeError
        The content is larger than ``max_bytes``.
    CorruptFileError
        A member is damaged or cut off.
    """
    parts: list[bytes] | None = []
    total = 0
    for piece in _pieces(data):
        total += len(piece)
        if total > max_bytes:
            raise InputTooLargeError(_too_large(max_bytes))
        if parts is not None:
            parts.append(piece)
            if total > KEEP_BYTES:
                parts = None  # count only; decompressed again below
    if parts is None:
        return b"".join(_pieces(data))
    return b"".join(parts)


def _pieces(data: bytes) -> Iterator[bytes]:
    """The decompressed content of every member, in pieces of at most 1 MiB."""
    view = memoryview(data)
    pos = 0
    while data[pos : pos + 2] == MAGIC:
        decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        while not decompressor.eof:
            if decompressor.unconsumed_tail:
                chunk: bytes | memoryview = decompressor.unconsumed_tail
            else:
                chunk = view[pos : pos + _IN_BYTES]
                pos += len(chunk)
            try:
                piece = decompressor.decompress(chunk, _OUT_BYTES)
            except zlib.error as exc:
                raise CorruptFileError(f"damaged gzip data ({exc})") from None
            if piece:
                yield piece
            elif not chunk:
                raise CorruptFileError("gzip data is truncated")
        pos -= len(decompressor.unused_data)


def _too_large(max_bytes: int) -> str:
    from lactlog.io import megabytes

    return (
        f"decompresses to more than {megabytes(max_bytes)} (the limit); refusing to read it "
        "(if it is genuine: lactlog config set settings.max_decompressed_mb N)"
    )
