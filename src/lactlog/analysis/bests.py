"""Best-effort windows of one session: the highest mean power and heart rate over full windows
of its cleaned 1-Hz signals (:func:`session_bests`).

A batch's first pass finds them for every session (:mod:`lactlog.batch`); the thresholds of a
training history (:mod:`lactlog.analysis.history`) and the threshold estimates
(:mod:`lactlog.analysis.estimate`) are computed from them. A
window counts only when each of its seconds holds a value and the seconds are consecutive, so no
window spans a pause or a recording gap.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from lactlog.analysis.clean import CleaningRules, CleanSamples, clean
from lactlog.analysis.power_model import (
    DEFAULT_CP_DURATIONS_S,
    FTP_WINDOW_S,
    LTHR_TAIL_S,
    LTHR_TEST_S,
    MAX_HR_WINDOW_S,
)
from lactlog.analysis.session import is_strength
from lactlog.model import Activity
from lactlog.profile import sport_group
from lactlog.summaries import SessionBests, SessionRef, Window

if TYPE_CHECKING:
    import pandas as pd


def rolling_mean(
    values: np.ndarray | pd.Series, window_s: int, times_s: np.ndarray | None = None
) -> np.ndarray:
    """Mean of each full window of ``window_s`` consecutive samples of a 1-Hz series.

    Element i is the mean of values[i : i + window_s]; NaN when any value in the window is NaN
    (min_periods = window) or, with ``times_s``, when the window's seconds are not consecutive
    (times_s[i + w − 1] − times_s[i] ≠ w − 1). Computed from cumulative sums, no Python loop.

    Parameters
    ----------
    values : array or Series
        1-Hz series (NaN = no data / not recording).
    window_s : int
        Window length [s] = samples, ≥ 1.
    times_s : array or None
        Second of each sample [s] when rows may skip seconds.

    Returns
    -------
    ndarray of length max(0, n − window_s + 1).
    """
    if window_s < 1:
        raise ValueError(f"window_s must be at least 1, got {window_s}")
    x = np.asarray(values, dtype=np.float64).ravel()
    if x.size < window_s:
        return np.empty(0)
    valid = ~np.isnan(x)
    sums = np.concatenate(([0.0], np.cumsum(np.where(valid, x, 0.0))))
    counts = np.concatenate(([0], np.cumsum(valid)))
    means = (sums[window_s:] - sums[:-window_s]) / window_s
    full = (counts[window_s:] - counts[:-window_s]) == window_s
    if times_s is not None:
        t = np.asarray(times_s, dtype=np.float64).ravel()
        full &= (t[window_s - 1 :] - t[: t.size - window_s + 1]) == window_s - 1
    return np.where(full, means, np.nan)


def best_mean(
    values_1hz: np.ndarray | pd.Series, window_s: int, times_s: np.ndarray | None = None
) -> tuple[float | None, int | None]:
    """Highest mean over any full window of ``window_s`` seconds (see :func:`rolling_mean`):
    (mean [unit of ``values_1hz``], index of the window's first sample), the earliest on ties;
    (None, None) when no full window exists."""
    means = rolling_mean(values_1hz, window_s, times_s)
    if means.size == 0 or np.isnan(means).all():
        return None, None
    start = int(np.nanargmax(means))
    return float(means[start]), start


def friel_lthr_bpm(
    heart_rate_bpm: np.ndarray | pd.Series, times_s: np.ndarray | None = None
) -> tuple[float | None, int | None]:
    """LTHR from Friel's 30-min test: mean heart rate of the last 20 min of the best 30-min
    effort [bpm] (Friel J, "The Cyclist's Training Bible"; "Quick Guide to Setting Zones").

    Returns (lthr_bpm, index where the 30-min effort starts); (None, None) without a full
    30-min window of heart rate.
    """
    _, start = best_mean(heart_rate_bpm, LTHR_TEST_S, times_s)
    if start is None:
        return None, None
    x = np.asarray(heart_rate_bpm, dtype=np.float64).ravel()
    tail = x[start + LTHR_TEST_S - LTHR_TAIL_S : start + LTHR_TEST_S]
    return float(tail.mean()), start


def session_bests(
    activity: Activity,
    rules: CleaningRules | None = None,
    power_windows_s: Iterable[int] = (FTP_WINDOW_S, *DEFAULT_CP_DURATIONS_S),
    profile_timezone: str | None = None,
) -> SessionBests:
    """Clean one activity (``rules``: default :class:`CleaningRules`) and find its best
    windows of power (each of ``power_windows_s`` [s]) and heart rate. ``profile_timezone``
    is kept in the session reference for showing its times in local time."""
    meta = activity.meta
    ref = SessionRef(meta.source, meta.session_index, meta.start, meta.utc_offset_s, meta.sport,
                     profile_timezone, meta.wall_clock)
    samples = activity.table("samples")
    if not len(samples) or not samples.names:  # e.g. a lifting-app workout: no windows and
        # no cleaning
        return SessionBests(ref, sport_group(meta.sport), is_strength(activity))
    grid = clean(samples, activity.table("pauses"), rules or CleaningRules())
    if len(grid) == 0:
        return SessionBests(ref, sport_group(meta.sport), is_strength(activity))
    times_s = grid.time_s - grid.time_s[0]

    def channel(name: str) -> np.ndarray | None:
        values = grid.get(name)
        return None if values is None else np.where(grid.recording, values, np.nan)

    def window(values: np.ndarray | None, window_s: int) -> Window | None:
        if values is None:
            return None
        mean, start = best_mean(values, window_s, times_s)
        if start is None or mean is None:
            return None
        return Window(ref, grid.datetime_at(start), window_s, mean)

    power, heart_rate = channel("power_w"), channel("heart_rate_bpm")
    power_bests = {w: window(power, w) for w in sorted(set(power_windows_s))}
    test, tail = None, None
    if heart_rate is not None:
        lthr, start = friel_lthr_bpm(heart_rate, times_s)
        if start is not None and lthr is not None:
            test = Window(ref, grid.datetime_at(start), LTHR_TEST_S,
                          float(heart_rate[start : start + LTHR_TEST_S].mean()))
            tail_start = grid.datetime_at(start + LTHR_TEST_S - LTHR_TAIL_S)
            tail = Window(ref, tail_start, LTHR_TAIL_S, lthr)
    return SessionBests(
        session=ref,
        group=sport_group(meta.sport),
        strength=is_strength(activity),
        power_w={w: best for w, best in power_bests.items() if best is not None},
        heart_rate_30_min=test,
        heart_rate_30_min_tail=tail,
        heart_rate_20_min=window(heart_rate, FTP_WINDOW_S),
        heart_rate_peak_5_s=window(heart_rate, MAX_HR_WINDOW_S),
        heart_rate_during_best_20_min_power_bpm=_mean_during(
            heart_rate, grid, power_bests.get(FTP_WINDOW_S)),
    )


def _mean_during(
    values: np.ndarray | None, grid: CleanSamples, window: Window | None
) -> float | None:
    """Mean of ``values`` (one per row of ``grid``) over ``window``'s seconds; None unless
    ≥ 80 % of them hold a value."""
    if values is None or window is None:
        return None
    start = grid.row_at(window.start)
    part = values[start : start + int(window.duration_s)]
    valid = ~np.isnan(part)
    if part.size == 0 or valid.sum() < 0.8 * window.duration_s:
        return None
    return float(part[valid].mean())
