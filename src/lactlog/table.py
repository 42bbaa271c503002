"""Columns of numpy arrays that become a pandas DataFrame only when someone asks for one.

The readers hand the canonical :class:`~lactlog.model.Activity` its samples, pauses, laps and
beats as a :class:`Table`; the analysis works on the arrays (:attr:`Table.columns`,
:attr:`Table.index_ns`) and never needs pandas, which takes longer to import (≈ 0.3–0.6 s) than
reading and analysing a one-hour FIT file (≈ 10 ms). ``Activity.samples`` and the other frame
fields stay DataFrames at the public edge: :meth:`Table.frame` builds the frame the first time
one is used (issue 13).

Times are int64 nanoseconds since the Unix epoch, UTC, with :data:`NAT_NS` for a missing time
(numpy's and pandas' NaT).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

#: A missing time (NaT) in int64 nanoseconds.
NAT_NS = np.iinfo(np.int64).min
#: Nanoseconds per second.
NS_PER_S = 1_000_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class NamedColumns:
    """Access by name to the ``columns`` mapping of name -> array of a subclass."""

    columns: Mapping[str, np.ndarray]

    def __contains__(self, name: object) -> bool:
        return name in self.columns

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]

    def get(self, name: str) -> np.ndarray | None:
        """The column ``name``, None when absent."""
        return self.columns.get(name)

    @property
    def names(self) -> tuple[str, ...]:
        """Column names, in order."""
        return tuple(self.columns)


@dataclass(frozen=True, eq=False)
class Table(NamedColumns):
    """A table as numpy columns (see the module docstring).

    Attributes
    ----------
    columns : mapping of name -> ndarray
        One value per row each, in column order; float64 for measurements, object for text,
        int64 ns for the columns named in ``time_columns``.
    index_ns : ndarray of int64 or None
        The rows' UTC times [ns], the frame's ``DatetimeIndex`` named ``time``; None for a
        plain 0..n−1 index.
    time_columns : frozenset of str
        Columns of UTC times [ns] (:data:`NAT_NS` = missing), datetime columns in the frame.
    """

    columns: Mapping[str, np.ndarray]
    index_ns: np.ndarray | None = None
    time_columns: frozenset[str] = field(default_factory=frozenset)

    def __len__(self) -> int:
        if self.index_ns is not None:
            return len(self.index_ns)
        return len(next(iter(self.columns.values()))) if self.columns else 0

    def times_ns(self) -> np.ndarray:
        """The rows' UTC times [ns]; empty for a table without a time index."""
        return self.index_ns if self.index_ns is not None else np.empty(0, dtype=np.int64)

    def frame(self) -> pd.DataFrame:
        """The table as a DataFrame: a UTC ``DatetimeIndex`` named ``time`` (or a
        ``RangeIndex``), datetime64[ns, UTC] time columns, text columns as Python objects."""
        import pandas as pd

        data = {}
        for name, values in self.columns.items():
            if name in self.time_columns:
                data[name] = _datetimes(values)
            elif values.dtype == object:
                data[name] = values.tolist()  # pandas infers the text dtype it uses for lists
            else:
                data[name] = values
        if self.index_ns is None:
            if not data:
                return pd.DataFrame()
            return pd.DataFrame(data)
        index = pd.DatetimeIndex(_datetimes(self.index_ns), name="time")
        if not data:
            return pd.DataFrame(index=index)
        return pd.DataFrame(data, index=index, copy=False)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> Table:
        """The arrays of a DataFrame (no copy where pandas allows): a ``DatetimeIndex``
        becomes ``index_ns``, datetime columns become time columns, numbers float64."""
        import pandas as pd

        index_ns = None
        if isinstance(frame.index, pd.DatetimeIndex):
            index_ns = _ns(frame.index)
        columns: dict[str, np.ndarray] = {}
        times = set()
        for name in frame.columns:
            series = frame[name]
            if isinstance(series.dtype, pd.DatetimeTZDtype) or series.dtype.kind == "M":
                columns[str(name)] = _ns(pd.DatetimeIndex(series))
                times.add(str(name))
            elif series.dtype.kind in "biuf":
                columns[str(name)] = series.to_numpy(dtype=np.float64)
            elif series.dtype.kind == "m":  # durations: seconds
                columns[str(name)] = series.dt.total_seconds().to_numpy(dtype=np.float64)
            else:
                columns[str(name)] = series.to_numpy(dtype=object)
        return cls(columns, index_ns, frozenset(times))


def _datetimes(values_ns: np.ndarray) -> pd.DatetimeIndex:
    import pandas as pd

    return pd.DatetimeIndex(np.asarray(values_ns, dtype=np.int64).view("M8[ns]")).tz_localize("UTC")


def _ns(index: pd.DatetimeIndex) -> np.ndarray:
    """int64 UTC nanoseconds of a DatetimeIndex (naive times are taken as UTC)."""
    if index.tz is not None:
        index = index.tz_convert("UTC").tz_localize(None)
    return np.asarray(index.as_unit("ns").asi8, dtype=np.int64)


def seconds_to_ns(seconds: np.ndarray, epoch_s: float = 0.0) -> np.ndarray:
    """Seconds since ``epoch_s`` (Unix seconds; NaN = missing) → int64 UTC ns (NaT = missing),
    rounded to the nanosecond."""
    seconds = np.asarray(seconds, dtype=np.float64)
    missing = np.isnan(seconds)
    unix_ns = np.round((np.where(missing, 0.0, seconds) + epoch_s) * 1e9)
    return np.where(missing, NAT_NS, unix_ns.astype(np.int64))


def to_datetime(time_ns: int) -> datetime:
    """UTC nanoseconds → an aware datetime (sub-microsecond digits dropped, as datetime has
    none)."""
    return _EPOCH + timedelta(microseconds=int(time_ns) // 1000)


def to_ns(moment: datetime) -> int:
    """An aware datetime → UTC nanoseconds (exact)."""
    return (moment - _EPOCH) // timedelta(microseconds=1) * 1000
