"""Downsampled heart rate and power of one session, for charts and ``lactlog show --json``.

The cleaned 1-Hz grid of :func:`~lactlog.analysis.clean.clean` (with the same cleaning
rules as the session's analysis) is cut into buckets of ``bucket_s`` seconds counted from the
first second; each bucket holds the mean of the valid (recording) seconds in it, NaN when there
are none (pauses, gaps).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from lactlog.analysis.clean import CleanSamples, clean, group_means
from lactlog.analysis.endurance import channel_threshold, cleaning_rules
from lactlog.analysis.thresholds import SessionThresholds
from lactlog.analysis.wbal import w_prime_balance_differential_j
from lactlog.model import Activity
from lactlog.settings import Settings

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_BUCKET_S = 60
"""Bucket length of the JSON series [s]."""
MAX_BUCKETS = 10_000
"""Most buckets a series has: a longer span (beyond ~7 days at 60 s, e.g. samples across a
clock jump of years) gets longer buckets instead of millions of them."""


@dataclass(frozen=True)
class SessionSeries:
    """Bucket means of heart rate and power, and the thresholds they are compared with.

    Attributes
    ----------
    bucket_s : int
        Bucket length [s].
    time_s : ndarray
        Start of each bucket since the session's first sample [s].
    heart_rate_bpm, power_w : ndarray or None
        Mean per bucket (NaN for gaps); None when the session has no such channel.
    lthr_bpm : float or None
        Lactate-threshold heart rate used for the session [bpm].
    threshold_power_w : float or None
        Power threshold used for the session: FTP, else CP [W].
    w_prime_balance_j : ndarray or None
        W' balance (Skiba's differential model, as the session's analysis computes it) at the
        end of each bucket [J]; None without power, CP or W'.
    start : Timestamp or None
        UTC time of the first second (``time_s`` = 0); None for an empty session.
    """

    bucket_s: int
    time_s: np.ndarray
    heart_rate_bpm: np.ndarray | None
    power_w: np.ndarray | None
    lthr_bpm: float | None = None
    threshold_power_w: float | None = None
    w_prime_balance_j: np.ndarray | None = None
    start: pd.Timestamp | None = None


def bucket_means(values: np.ndarray, times_s: np.ndarray, bucket_s: int) -> np.ndarray:
    """Mean of the valid values in each bucket [t, t + bucket_s) [unit of ``values``].

    Parameters
    ----------
    values : array
        Samples (NaN = missing).
    times_s : array of int
        Time of each sample since the start [s], ≥ 0.
    bucket_s : int
        Bucket length [s], ≥ 1.

    Returns
    -------
    ndarray with one mean per bucket up to the last sample's; NaN for buckets without data.
    """
    if bucket_s < 1:
        raise ValueError(f"bucket_s must be at least 1, got {bucket_s}")
    t = np.asarray(times_s, dtype=np.int64)
    if t.size == 0:
        return np.empty(0)
    x = np.asarray(values, dtype=np.float64)
    bucket = t // bucket_s
    return group_means(bucket, x, int(bucket.max()) + 1)


def bucket_for_columns(span_s: float, n_columns: int) -> int:
    """Smallest whole-second bucket that fits ``span_s`` [s] into ``n_columns`` buckets."""
    return max(1, math.ceil(max(span_s, 1.0) / max(n_columns, 1)))


def session_series(
    activity: Activity,
    settings: Settings,
    thresholds: SessionThresholds | None = None,
    bucket_s: int = DEFAULT_BUCKET_S,
    max_buckets: int | None = None,
) -> SessionSeries:
    """Heart rate and power of ``activity`` in buckets of ``bucket_s`` [s] (module docstring).

    ``thresholds`` are the session's (``SessionSummary.endurance.thresholds``); None for
    sessions without endurance analysis. With ``max_buckets`` (e.g. a chart's columns) the
    bucket is instead the shortest whole number of seconds giving at most that many buckets;
    there are never more than :data:`MAX_BUCKETS`.
    """
    grid = clean(activity.table("samples"), activity.table("pauses"), cleaning_rules(settings))
    times_s = grid.time_s - grid.time_s[0] if len(grid) else np.empty(0, dtype=np.int64)
    span_s = int(times_s.max()) + 1 if times_s.size else 1
    if max_buckets is not None:
        bucket_s = bucket_for_columns(span_s, max_buckets)
    bucket_s = max(bucket_s, bucket_for_columns(span_s, MAX_BUCKETS))

    def channel(name: str) -> np.ndarray | None:
        if name not in grid:
            return None
        return bucket_means(np.where(grid.recording, grid[name], np.nan), times_s, bucket_s)

    n_buckets = int(times_s.max()) // bucket_s + 1 if times_s.size else 0
    balance = _w_prime_balance(grid, thresholds)
    return SessionSeries(
        bucket_s=bucket_s,
        time_s=np.arange(n_buckets, dtype=np.int64) * bucket_s,
        heart_rate_bpm=channel("heart_rate_bpm"),
        power_w=channel("power_w"),
        lthr_bpm=thresholds.lthr_bpm.value if thresholds else None,
        threshold_power_w=channel_threshold("power", thresholds) if thresholds else None,
        w_prime_balance_j=None if balance is None else bucket_last(balance, times_s, bucket_s),
        start=_timestamp(grid.time_ns()[0]) if len(grid) else None,
    )


def bucket_last(values: np.ndarray, times_s: np.ndarray, bucket_s: int) -> np.ndarray:
    """The last valid value in each bucket [t, t + bucket_s) [unit of ``values``]; NaN for
    buckets without data. For a running state such as W' balance, where the state at the
    bucket's end is the reading (a mean would smear a sharp drop)."""
    t = np.asarray(times_s, dtype=np.int64)
    if t.size == 0:
        return np.empty(0)
    x = np.asarray(values, dtype=np.float64)
    bucket = t // bucket_s
    out = np.full(int(bucket.max()) + 1, np.nan)
    rows = np.flatnonzero(~np.isnan(x))  # times are sorted, so buckets are too
    buckets = bucket[rows]
    last = np.r_[buckets[1:] != buckets[:-1], True] if rows.size else np.empty(0, dtype=bool)
    out[buckets[last]] = x[rows[last]]
    return out


def _w_prime_balance(grid: CleanSamples, thresholds: SessionThresholds | None) -> np.ndarray | None:
    """W' balance per 1-Hz row [J] as :func:`~lactlog.analysis.endurance.analyse_endurance`
    computes it (differential model, recovery across stops); None without power, CP or W'."""
    if thresholds is None or "power_w" not in grid:
        return None
    cp, w_prime = thresholds.cp_w.value, thresholds.w_prime_j.value
    power = grid["power_w"]
    if cp is None or w_prime is None or np.isnan(power).all():
        return None
    return np.asarray(w_prime_balance_differential_j(power, cp, w_prime, gap_s=grid.gap_s()))


def _timestamp(time_ns: int) -> pd.Timestamp:
    """A UTC Timestamp (``SessionSeries.start`` is one: its users do Timestamp arithmetic)."""
    import pandas as pd

    return pd.Timestamp(int(time_ns), unit="ns", tz="UTC")

