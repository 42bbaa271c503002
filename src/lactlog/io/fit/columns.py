"""Robust access to decoded FIT message columns and FIT times.

A damaged or unusual definition can give any field any type and size; these helpers give the
activity builder plain float arrays whatever the decoder found (NaN where a value is missing,
text, or of the wrong shape).
"""

from __future__ import annotations

import math

import numpy as np

from lactlog.io.fit import profile
from lactlog.io.fit.decode import Columns
from lactlog.table import seconds_to_ns

END_OF_TIME = 2**32  # FIT date_time is a uint32 (0xFFFFFFFF = invalid)


def fit_times(seconds: np.ndarray, min_time: float) -> np.ndarray:
    """FIT date_time seconds with values below ``min_time`` (relative, invalid) or beyond the
    uint32 range (a damaged field of another type) set to NaN."""
    seconds = np.asarray(seconds, dtype=np.float64)
    return np.where((seconds >= min_time) & (seconds < END_OF_TIME), seconds, np.nan)


def fit_ns(seconds: np.ndarray) -> np.ndarray:
    """FIT seconds (NaN = missing) -> int64 UTC nanoseconds (NaT = missing)."""
    return seconds_to_ns(seconds, profile.FIT_EPOCH_UNIX_S)


def fit_seconds(time_ns: np.ndarray) -> np.ndarray:
    """int64 UTC nanoseconds -> FIT seconds (inverse of :func:`fit_ns`)."""
    return np.asarray(time_ns, dtype=np.int64) / 1e9 - profile.FIT_EPOCH_UNIX_S


def length(columns: Columns) -> int:
    """Number of messages of one kind (every column has one row per message)."""
    return len(next(iter(columns.values()))) if columns else 0


def column(columns: Columns, name: str, first_element: bool = False) -> np.ndarray:
    """A numeric field as a 1-D float array with one value per message.

    NaN where the field is absent, holds text, or (unless ``first_element``) is an array: a
    damaged or unusual definition can give any field any type and size, and the builder must
    not care.
    """
    n = length(columns)
    values = columns.get(name)
    if values is None or values.dtype == object or len(values) != n:
        return np.full(n, np.nan)
    if values.ndim != 1:
        if not first_element or values.ndim != 2 or not values.shape[1]:
            return np.full(n, np.nan)
        values = values[:, 0]
    return values.astype(np.float64, copy=False)


def matrix(columns: Columns, name: str) -> np.ndarray:
    """A numeric (array) field as a 2-D float array, one row per message; NaN when absent or
    text."""
    n = length(columns)
    values = columns.get(name)
    if values is None or values.dtype == object or len(values) != n or values.ndim > 2:
        return np.full((n, 1), np.nan)
    return values.reshape(n, -1).astype(np.float64, copy=False)


def first(columns: Columns, name: str, row: int = 0) -> float | None:
    """A numeric field of one message row (an array field's first element); None when absent,
    invalid, infinite or text."""
    values = columns.get(name)
    if values is None or row >= len(values) or values.dtype == object:
        return None
    value = values[row]
    if isinstance(value, np.ndarray):  # array field: its first element
        value = value.flat[0] if value.size else np.nan
    value = float(value)
    return value if math.isfinite(value) else None
