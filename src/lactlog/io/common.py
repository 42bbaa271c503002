"""Pieces every reader shares: the raw input, and turning columns into canonical samples."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import numpy as np

from lactlog.errors import EmptyFileError
from lactlog.io.raw import RawInput  # noqa: F401 (re-exported)
from lactlog.model import SAMPLE_COLUMNS
from lactlog.table import NAT_NS, NS_PER_S, Table

if TYPE_CHECKING:
    import pandas as pd

#: Sample times outside [start, end) are not believed: no sports device recorded before 1980
#: (GPS time starts 1980-01-06), and nothing after 2100 is a real recording. Keeping them would
#: also let a file span more than pandas' ±292-year nanosecond range, which no time arithmetic
#: survives. :func:`build_samples` drops such samples with a warning (every reader uses it).
PLAUSIBLE_TIMES = (datetime(1980, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
_PLAUSIBLE_NS = tuple(int(t.timestamp()) * NS_PER_S for t in PLAUSIBLE_TIMES)


def build_samples(
    time_utc: pd.DatetimeIndex | np.ndarray, columns: Mapping[str, np.ndarray]
) -> tuple[pd.DataFrame, list[str]]:
    """:func:`build_sample_table` of a pandas index (naive times are UTC), as a DataFrame."""
    import pandas as pd

    # asi8 of an aware index counts from the epoch in UTC; a naive one's times are taken as UTC
    time_ns = pd.DatetimeIndex(time_utc).as_unit("ns").asi8
    table, warnings = build_sample_table(time_ns, columns)
    return table.frame(), warnings


def build_sample_table(
    time_ns: np.ndarray, columns: Mapping[str, np.ndarray]
) -> tuple[Table, list[str]]:
    """Make canonical samples: UTC times [ns] (:data:`~lactlog.table.NAT_NS` = missing)
    sorted and unique, float columns; the :class:`~lactlog.table.Table` of ``Activity.samples``.

    Rows without a time are dropped, and so are rows with a time outside :data:`PLAUSIBLE_TIMES`
    (with a warning; :class:`~lactlog.errors.EmptyFileError` when that leaves no row); rows that
    share a timestamp are merged (per column, the last non-missing value wins). Columns that
    are entirely NaN are dropped, and only names from :data:`SAMPLE_COLUMNS` are allowed.

    Returns the table and a list of warnings describing what had to be repaired.
    """
    unknown = set(columns) - set(SAMPLE_COLUMNS)
    if unknown:
        raise ValueError(f"not canonical sample columns: {sorted(unknown)}")
    time_ns = np.asarray(time_ns, dtype=np.int64)
    keep = time_ns != NAT_NS
    plausible = (time_ns >= _PLAUSIBLE_NS[0]) & (time_ns < _PLAUSIBLE_NS[1])
    implausible = int((keep & ~plausible).sum())
    keep &= plausible
    every = bool(keep.all())  # then no copies: the readers hand over arrays of their own
    data = {}
    for name in SAMPLE_COLUMNS:
        if name in columns:
            values = np.asarray(columns[name], dtype=np.float64)
            values = values if every else values[keep]
            if not np.isnan(values).all():
                data[name] = values
    stamps = time_ns if every else time_ns[keep]
    warnings: list[str] = []
    if implausible and len(stamps) == 0:
        first, end = PLAUSIBLE_TIMES
        raise EmptyFileError(
            f"no sample has a time from {first.year} to {end.year - 1} ({implausible:,} dated "
            "outside: a damaged or mis-set clock)"
        )
    if implausible:
        warnings.append(_implausible_warning(implausible))
    if len(stamps) > 1 and (np.diff(stamps) < 0).any():
        warnings.append("timestamps go backwards; samples were sorted by time")
        order = np.argsort(stamps, kind="stable")
        stamps = stamps[order]
        data = {name: values[order] for name, values in data.items()}
    if len(stamps) > 1 and (np.diff(stamps) == 0).any():
        first_of_time = np.concatenate(([True], np.diff(stamps) != 0))
        warnings.append(f"{int((~first_of_time).sum()):,} samples with a repeated timestamp "
                        "were merged")
        starts = np.flatnonzero(first_of_time)
        stamps = stamps[starts]
        data = {name: _last_valid(values, starts) for name, values in data.items()}
    return Table(data, index_ns=stamps), warnings


def _last_valid(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Per group of rows (each from ``starts[i]`` to the next start) the last non-NaN value;
    NaN for a group without one. (One column at a time: a file of a million rows at one
    timestamp needs 9 bytes a row here, not 9 per row and column.)"""
    position = np.arange(len(values))
    position[np.isnan(values)] = -1
    last = np.maximum.reduceat(position, starts)
    return np.where(last >= 0, values[np.maximum(last, 0)], np.nan)


def _implausible_warning(dropped: int) -> str:
    first, end = PLAUSIBLE_TIMES
    return (
        f"{dropped:,} samples dated before {first.year} or after {end.year - 1} were dropped "
        "(a damaged or mis-set clock)"
    )
