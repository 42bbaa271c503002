"""The bytes of one input file, before any reader parses them (no numpy, no pandas: the batch
names them on paths that read nothing)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True, eq=False)
class RawInput:
    """The bytes of one input file (decompressed if it was gzip) and where they came from.

    ``sha256`` is the digest of the file as stored on disk, so a ``.fit.gz`` and its content have
    different digests.
    """

    source: str
    data: bytes
    sha256: str

    @classmethod
    def from_bytes(cls, source: str, data: bytes) -> RawInput:
        return cls(source=source, data=data, sha256=hashlib.sha256(data).hexdigest())
