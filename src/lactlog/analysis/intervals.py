"""Work intervals: stretches where a channel stays at or above a threshold.

Works on the regular 1-Hz frame of :func:`~lactlog.analysis.clean.clean_samples`; the threshold
(e.g. CP [W] or LTHR [bpm]) is an argument. Run-length logic is vectorised (``np.diff`` of the
boolean mask); statistics per interval come from cumulative sums and ``np.maximum.reduceat``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Interval:
    """One detected work interval.

    Attributes
    ----------
    start : Timestamp
        First second of the interval (UTC).
    duration_s : float
        Length [s], including merged dips.
    mean_heart_rate_bpm, peak_heart_rate_bpm : float or None
        Heart rate over the interval [bpm]; None when the channel is absent or all NaN there.
    mean_power_w, peak_power_w : float or None
        Power over the interval, unsmoothed [W].
    mean_speed_mps : float or None
        Speed over the interval [m/s].
    """

    start: pd.Timestamp
    duration_s: float
    mean_heart_rate_bpm: float | None
    peak_heart_rate_bpm: float | None
    mean_power_w: float | None
    peak_power_w: float | None
    mean_speed_mps: float | None


def detect_intervals(
    clean: pd.DataFrame,
    channel: str,
    threshold: float,
    *,
    min_duration_s: float = 30,
    merge_gap_s: float = 10,
    smooth_s: float = 5,
) -> list[Interval]:
    """Intervals in which ``channel`` is at or above ``threshold``.

    1. ``power_w`` only: smoothed by a centred rolling mean over ``smooth_s`` seconds (NaN
       ignored inside the window, NaN seconds stay NaN; 0 or 1 s disables). Power is noisy
       second to second; heart rate and speed are used as they are.
    2. Seconds with value ≥ ``threshold`` form runs (NaN counts as below).
    3. Runs separated by dips shorter than ``merge_gap_s`` are merged into one interval.
    4. Intervals shorter than ``min_duration_s`` are dropped.

    Parameters
    ----------
    clean : DataFrame
        Regular frame from ``clean_samples`` (UTC ``DatetimeIndex``, 1-s step).
    channel : str
        Column to threshold, e.g. ``"power_w"`` or ``"heart_rate_bpm"``.
    threshold : float
        In the unit of ``channel``.
    min_duration_s : float
        Shortest interval kept [s].
    merge_gap_s : float
        Dips shorter than this [s] do not split an interval.
    smooth_s : float
        Width of the centred power smoothing window [s].

    Returns
    -------
    list of Interval, sorted by start, not overlapping; empty when ``channel`` is absent.
    """
    if channel not in clean.columns or len(clean) == 0:
        return []
    sample_s = _sample_s(clean.index)
    values = clean[channel].to_numpy(dtype=np.float64)
    window = round(smooth_s / sample_s)
    if channel == "power_w" and window > 1:
        smoothed = pd.Series(values).rolling(window, center=True, min_periods=1).mean()
        values = np.where(np.isnan(values), np.nan, smoothed.to_numpy())
    with np.errstate(invalid="ignore"):
        above = values >= threshold
    starts, ends = run_bounds(above)
    starts, ends = merge_runs(starts, ends, merge_gap_s / sample_s)
    keep = (ends - starts) * sample_s >= min_duration_s
    starts, ends = starts[keep], ends[keep]
    stats = {
        "mean_heart_rate_bpm": _segment_means(clean.get("heart_rate_bpm"), starts, ends),
        "peak_heart_rate_bpm": _segment_peaks(clean.get("heart_rate_bpm"), starts, ends),
        "mean_power_w": _segment_means(clean.get("power_w"), starts, ends),
        "peak_power_w": _segment_peaks(clean.get("power_w"), starts, ends),
        "mean_speed_mps": _segment_means(clean.get("speed_mps"), starts, ends),
    }
    return [
        Interval(
            start=clean.index[begin],
            duration_s=float(end - begin) * sample_s,
            **{name: column[i] for name, column in stats.items()},
        )
        for i, (begin, end) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True))
    ]


def _sample_s(index: pd.Index) -> float:
    if len(index) < 2:
        return 1.0
    return float(np.median(np.diff((index - index[0]) / pd.Timedelta(seconds=1))))


def run_bounds(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start (inclusive) and end (exclusive) positions of the runs of True in ``mask``."""
    edges = np.diff(np.concatenate(([0], np.asarray(mask, dtype=np.int8), [0])))
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)


def merge_runs(
    starts: np.ndarray, ends: np.ndarray, min_gap: float
) -> tuple[np.ndarray, np.ndarray]:
    """Merge consecutive runs whose gap (next start − previous end) is below ``min_gap``.

    Positions in samples; runs sorted and disjoint.
    """
    if len(starts) < 2:
        return starts, ends
    split = (starts[1:] - ends[:-1]) >= min_gap
    return starts[np.concatenate(([True], split))], ends[np.concatenate((split, [True]))]


def _segment_means(
    column: pd.Series | None, starts: np.ndarray, ends: np.ndarray
) -> list[float | None]:
    """Mean of the valid values in each [start, end); None where there are none."""
    if column is None:
        return [None] * len(starts)
    values = column.to_numpy(dtype=np.float64)
    valid = ~np.isnan(values)
    sums = np.concatenate(([0.0], np.cumsum(np.where(valid, values, 0.0))))
    counts = np.concatenate(([0], np.cumsum(valid)))
    total, count = sums[ends] - sums[starts], counts[ends] - counts[starts]
    return [
        float(s / c) if c else None for s, c in zip(total.tolist(), count.tolist(), strict=True)
    ]


def _segment_peaks(
    column: pd.Series | None, starts: np.ndarray, ends: np.ndarray
) -> list[float | None]:
    """Maximum of the valid values in each [start, end); None where there are none."""
    if column is None or len(starts) == 0:
        return [None] * len(starts)
    values = np.append(column.to_numpy(dtype=np.float64), -np.inf)  # room for end == len
    values = np.where(np.isnan(values), -np.inf, values)
    bounds = np.column_stack([starts, ends]).ravel()
    peaks = np.maximum.reduceat(values, bounds)[::2]
    return [float(p) if p > -np.inf else None for p in peaks.tolist()]
