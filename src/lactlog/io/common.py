"""Pieces every reader shares: the raw input, and turning columns into canonical samples."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lactlog.model import SAMPLE_COLUMNS


@dataclass(frozen=True)
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


def build_samples(
    time_utc: pd.DatetimeIndex | np.ndarray, columns: Mapping[str, np.ndarray]
) -> tuple[pd.DataFrame, list[str]]:
    """Make a canonical samples frame: UTC index named ``time``, sorted, unique, float columns.

    Rows without a time are dropped; rows that share a timestamp are merged (per column, the last
    non-missing value wins). Columns that are entirely NaN are dropped, and only names from
    :data:`SAMPLE_COLUMNS` are allowed.

    Returns the frame and a list of warnings describing what had to be repaired.
    """
    unknown = set(columns) - set(SAMPLE_COLUMNS)
    if unknown:
        raise ValueError(f"not canonical sample columns: {sorted(unknown)}")
    index = pd.DatetimeIndex(time_utc)
    index = index.tz_localize("UTC") if index.tz is None else index.tz_convert("UTC")
    index = index.as_unit("ns")
    keep = ~index.isna()
    data = {}
    for name in SAMPLE_COLUMNS:
        if name in columns:
            values = np.asarray(columns[name], dtype=np.float64)[keep]
            if not np.isnan(values).all():
                data[name] = values
    index = index[keep]
    warnings: list[str] = []
    stamps = index.asi8
    if len(stamps) > 1 and (np.diff(stamps) < 0).any():
        warnings.append("timestamps go backwards; samples were sorted by time")
        order = np.argsort(stamps, kind="stable")
        index, stamps = index[order], stamps[order]
        data = {name: values[order] for name, values in data.items()}
    frame = pd.DataFrame(data, index=index, copy=False)
    frame.index.name = "time"
    if len(stamps) > 1 and (np.diff(stamps) == 0).any():
        repeated = int((np.diff(stamps) == 0).sum())
        warnings.append(f"{repeated:,} samples with a repeated timestamp were merged")
        frame = frame.groupby(level=0, sort=False).last()
    return frame, warnings
