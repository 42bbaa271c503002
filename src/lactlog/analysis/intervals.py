"""Hard efforts: sustained stretches above a threshold, judged the way physiology responds.

Works on the regular 1-Hz grid of :func:`~lactlog.analysis.clean.clean`; the threshold
(FTP or CP [W], LTHR [bpm], threshold speed [m/s]) is an argument. Two rules keep noise and
steady work at threshold from becoming a string of "intervals":

- **Smoothing.** Power and speed are judged on a centred rolling mean over ``smooth_s``
  seconds (default 30 s: the window of Coggan's normalized power, chosen because the body's
  responses to a change in work rate — heart rate, ventilation, blood lactate — follow it
  with time constants of roughly 30 s; Allen & Coggan, *Training and Racing with a Power
  Meter*). One-second power spikes at every pedal surge do not count as time above FTP.
  Heart rate is already an integrated, lagging response (it trails work rate by 30–60 s), so it
  is used as it is: heart-rate efforts start that much after the work and can be shorter than
  it (the sample data's 3-min repeats read as efforts of 2–2.5 min).
- **Hysteresis.** A hard effort starts only when the judged signal is *clearly* above the
  threshold — at least (1 + ``band_fraction``) × threshold — and lasts while the signal stays at
  or above the threshold itself. It ends at the first second below the threshold, unless the
  signal is clearly above again within ``merge_gap_s`` seconds: then both parts are one effort
  (the dip inside it). The default margin of 3 % is about 5 bpm
  at an LTHR of 165 bpm: the size of the day-to-day variation of heart rate at a given work
  rate (Lamberts et al. 2011, Eur J Appl Physiol 111:1849) and of the uncertainty of a
  field-test threshold, and the width of Friel's zone 5a (100–102 % of LTHR), the threshold
  zone itself. Heart rate or power hovering at the threshold is steady threshold work — blood
  lactate in its steady state — not a string of intervals, and not one long effort either: an
  effort does not carry on through a dip at the threshold level itself (an exit delay there
  would turn a steady ride at FTP with 1-s noise into 10 min of efforts; see
  ``tests/analysis/test_endurance.py``).

Run-length logic is vectorised (a Schmitt trigger by forward-filled states; ``np.diff`` of the
mask); per-effort statistics come from cumulative sums and ``np.maximum.reduceat``.
"""

from __future__ import annotations

import numpy as np

from lactlog.analysis.clean import CleanSamples, median
from lactlog.summaries import Interval

#: Channels judged on a rolling mean (noisy second to second); heart rate is used as recorded.
SMOOTHED_CHANNELS: frozenset[str] = frozenset({"power_w", "speed_mps"})


def centred_mean(values: np.ndarray, window: int) -> np.ndarray:
    """Centred rolling mean over ``window`` samples of a 1-Hz series.

    NaN values are left out of each window's mean (a window with no valid value gives NaN), and
    seconds that are NaN stay NaN, so smoothing never invents data in pauses. ``window`` ≤ 1
    returns the values unchanged. Cumulative sums, no Python loop.
    """
    x = np.asarray(values, dtype=np.float64)
    if window <= 1 or x.size == 0:
        return x
    valid = ~np.isnan(x)
    sums = np.concatenate(([0.0], np.cumsum(np.where(valid, x, 0.0))))
    counts = np.concatenate(([0], np.cumsum(valid)))
    position = np.arange(x.size)
    low = np.clip(position - window // 2, 0, x.size)
    high = np.clip(position - window // 2 + window, 0, x.size)
    n = counts[high] - counts[low]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (sums[high] - sums[low]) / n
    return np.where(valid & (n > 0), mean, np.nan)


def judged_signal(grid: CleanSamples, channel: str, smooth_s: float) -> np.ndarray:
    """The values of ``channel`` that thresholds are compared with (see the module docstring):
    power and speed as a centred ``smooth_s``-second mean, heart rate as recorded."""
    values = np.asarray(grid[channel], dtype=np.float64)
    if channel in SMOOTHED_CHANNELS:
        return centred_mean(values, round(smooth_s / _sample_s(grid.time_s)))
    return values


def schmitt_trigger(values: np.ndarray, on_level: float, off_level: float) -> np.ndarray:
    """Boolean state that turns on at ``values`` ≥ ``on_level`` and off below ``off_level``.

    Between the two levels the previous state is kept; NaN turns the state off. Starts off.
    """
    x = np.asarray(values, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        code = np.where(x >= on_level, 1, np.where((x < off_level) | np.isnan(x), 0, -1))
    decided = np.where(code >= 0, np.arange(x.size), -1)
    last = np.maximum.accumulate(decided) if x.size else decided
    return np.where(last >= 0, code[np.maximum(last, 0)], 0).astype(bool)


def detect_intervals(
    grid: CleanSamples,
    channel: str,
    threshold: float,
    *,
    min_duration_s: float = 30,
    merge_gap_s: float = 10,
    smooth_s: float = 30,
    band_fraction: float = 0.03,
) -> list[Interval]:
    """Hard efforts in which ``channel`` goes clearly above ``threshold`` (module docstring).

    1. The judged signal: :func:`judged_signal` (power and speed smoothed over ``smooth_s``).
    2. An effort turns on at ≥ (1 + ``band_fraction``) × ``threshold`` and off below
       ``threshold`` (:func:`schmitt_trigger`); NaN (not recording) counts as below.
    3. Efforts less than ``merge_gap_s`` apart (from the first second below ``threshold`` to
       the next start at the entry level) are one effort.
    4. Efforts shorter than ``min_duration_s`` are dropped.

    Parameters
    ----------
    grid : CleanSamples
        The 1-Hz grid of :func:`~lactlog.analysis.clean.clean`.
    channel : str
        Column to threshold, e.g. ``"power_w"`` or ``"heart_rate_bpm"``.
    threshold : float
        In the unit of ``channel``.
    min_duration_s : float
        Shortest effort kept [s].
    merge_gap_s : float
        Efforts whose gap is shorter than this [s] are merged (step 3).
    smooth_s : float
        Width of the centred rolling mean for power and speed [s]; 0 or 1 disables it.
    band_fraction : float
        How far above ``threshold`` an effort must go to start (0 = no hysteresis).

    Returns
    -------
    list of Interval, sorted by start, not overlapping; empty when ``channel`` is absent.
    """
    if channel not in grid or len(grid) == 0:
        return []
    sample_s = _sample_s(grid.time_s)
    values = judged_signal(grid, channel, smooth_s)
    state = schmitt_trigger(values, (1 + band_fraction) * threshold, threshold)
    starts, ends = run_bounds(state)
    starts, ends = merge_runs(starts, ends, merge_gap_s / sample_s)
    keep = (ends - starts) * sample_s >= min_duration_s
    starts, ends = starts[keep], ends[keep]
    with np.errstate(invalid="ignore"):
        above = (values >= threshold).astype(np.float64)
    above_s = [sample_s * v for v in _segment_sums(above, starts, ends)]
    stats = {
        "mean_heart_rate_bpm": _segment_means(grid.get("heart_rate_bpm"), starts, ends),
        "peak_heart_rate_bpm": _segment_peaks(grid.get("heart_rate_bpm"), starts, ends),
        "mean_power_w": _segment_means(grid.get("power_w"), starts, ends),
        "peak_power_w": _segment_peaks(grid.get("power_w"), starts, ends),
        "mean_speed_mps": _segment_means(grid.get("speed_mps"), starts, ends),
    }
    return [
        Interval(
            start=grid.datetime_at(begin),
            duration_s=float(end - begin) * sample_s,
            above_s=above_s[i],
            **{name: column[i] for name, column in stats.items()},
        )
        for i, (begin, end) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True))
    ]


def _sample_s(time_s: np.ndarray) -> float:
    if len(time_s) < 2:
        return 1.0
    return median(np.diff(np.asarray(time_s, dtype=np.float64)))


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


def _segment_sums(values: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> list[float]:
    """Sum of the valid values in each [start, end)."""
    valid = ~np.isnan(values)
    sums = np.concatenate(([0.0], np.cumsum(np.where(valid, values, 0.0))))
    return [float(s) for s in (sums[ends] - sums[starts]).tolist()]


def _segment_means(
    column: np.ndarray | None, starts: np.ndarray, ends: np.ndarray
) -> list[float | None]:
    """Mean of the valid values in each [start, end); None where there are none."""
    if column is None:
        return [None] * len(starts)
    values = np.asarray(column, dtype=np.float64)
    totals = _segment_sums(values, starts, ends)
    counts = _segment_sums((~np.isnan(values)).astype(np.float64), starts, ends)
    return [
        s / c if c else None for s, c in zip(totals, counts, strict=True)
    ]


def _segment_peaks(
    column: np.ndarray | None, starts: np.ndarray, ends: np.ndarray
) -> list[float | None]:
    """Maximum of the valid values in each [start, end); None where there are none."""
    if column is None or len(starts) == 0:
        return [None] * len(starts)
    values = np.append(np.asarray(column, dtype=np.float64), -np.inf)  # room for end == len
    values = np.where(np.isnan(values), -np.inf, values)
    bounds = np.column_stack([starts, ends]).ravel()
    peaks = np.maximum.reduceat(values, bounds)[::2]
    return [float(p) if p > -np.inf else None for p in peaks.tolist()]
