"""Pieces every reader shares: the raw input, and turning columns into canonical samples."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from lactlog.errors import EmptyFileError
from lactlog.io.raw import RawInput  # noqa: F401 (re-exported)
from lactlog.model import SAMPLE_COLUMNS

#: Sample times outside [start, end) are not believed: no sports device recorded before 1980
#: (GPS time starts 1980-01-06), and nothing after 2100 is a real recording. Keeping them would
#: also let a file span more than pandas' ±292-year nanosecond range, which no time arithmetic
#: survives. :func:`build_samples` drops such samples with a warning (every reader uses it).
PLAUSIBLE_TIMES = (pd.Timestamp("1980-01-01", tz="UTC"), pd.Timestamp("2100-01-01", tz="UTC"))


def build_samples(
    time_utc: pd.DatetimeIndex | np.ndarray, columns: Mapping[str, np.ndarray]
) -> tuple[pd.DataFrame, list[str]]:
    """Make a canonical samples frame: UTC index named ``time``, sorted, unique, float columns.

    Rows without a time are dropped, and so are rows with a time outside :data:`PLAUSIBLE_TIMES`
    (with a warning; :class:`~lactlog.errors.EmptyFileError` when that leaves no row); rows that
    share a timestamp are merged (per column, the last non-missing value wins). Columns that
    are entirely NaN are dropped, and only names from :data:`SAMPLE_COLUMNS` are allowed.

    Returns the frame and a list of warnings describing what had to be repaired.
    """
    unknown = set(columns) - set(SAMPLE_COLUMNS)
    if unknown:
        raise ValueError(f"not canonical sample columns: {sorted(unknown)}")
    index = pd.DatetimeIndex(time_utc)
    index = index.tz_localize("UTC") if index.tz is None else index.tz_convert("UTC")
    index = index.as_unit("ns")
    keep = ~index.isna()
    plausible = (index >= PLAUSIBLE_TIMES[0]) & (index < PLAUSIBLE_TIMES[1])
    implausible = int((keep & ~plausible).sum())
    keep &= plausible
    data = {}
    for name in SAMPLE_COLUMNS:
        if name in columns:
            values = np.asarray(columns[name], dtype=np.float64)[keep]
            if not np.isnan(values).all():
                data[name] = values
    index = index[keep]
    warnings: list[str] = []
    if implausible and len(index) == 0:
        first, end = PLAUSIBLE_TIMES
        raise EmptyFileError(
            f"no sample has a time from {first.year} to {end.year - 1} ({implausible:,} dated "
            "outside: a damaged or mis-set clock)"
        )
    if implausible:
        warnings.append(_implausible_warning(implausible))
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


def _implausible_warning(dropped: int) -> str:
    first, end = PLAUSIBLE_TIMES
    return (
        f"{dropped:,} samples dated before {first.year} or after {end.year - 1} were dropped "
        "(a damaged or mis-set clock)"
    )
