"""Threshold estimates from training history: FTP, LTHR, critical power and W', maximum HR.

Every estimate comes from best-effort windows of the cleaned 1-Hz signals of
:func:`~lactlog.analysis.clean.clean_samples`. A window counts only when each of its seconds
holds a value and the seconds are consecutive, so no window spans a pause or a recording gap.
The functions' docstrings give formulas and sources. Training sessions are rarely all-out tests,
so the estimates are only as high as the hardest efforts in the history; every estimate keeps
the windows it rests on so the athlete can judge.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from lactlog.analysis.clean import CleaningRules, CleanSamples, clean
from lactlog.analysis.power_model import (  # noqa: F401 (re-exported)
    CP_DURATION_RANGE_S,
    DEFAULT_CP_DURATIONS_S,
    FTP_FRACTION,
    FTP_WINDOW_S,
    LTHR_FALLBACK_FRACTION,
    LTHR_TAIL_S,
    LTHR_TEST_S,
    MAX_HR_WINDOW_S,
    MIN_CP_POINTS,
    PLAUSIBLE_MIN_W_PRIME_J,
    estimate_ftp,
    fit_critical_power,
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


def lthr_from_best_efforts(
    friel_lthr: float | None, best_20_min_heart_rate_bpm: float | None
) -> tuple[float | None, str | None]:
    """(LTHR [bpm], method): Friel's 30-min value (:func:`friel_lthr_bpm`) when known
    (``"friel-30-min"``), else 0.95 × the best 20-min mean heart rate, the 20-min test corrected
    like FTP (``"0.95 x best 20-min"``), else (None, None)."""
    if friel_lthr is not None:
        return float(friel_lthr), "friel-30-min"
    if best_20_min_heart_rate_bpm is not None:
        return LTHR_FALLBACK_FRACTION * float(best_20_min_heart_rate_bpm), "0.95 x best 20-min"
    return None, None


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


@dataclass(frozen=True)
class Estimate:
    """One estimated threshold: profile field ``name`` (e.g. ``ftp_w``), ``value`` in its unit
    (None without usable data), ``method`` (formula and source in words), the ``evidence``
    windows, and a ``note`` (why there is no value, or what to keep in mind)."""

    name: str
    value: float | None
    method: str
    evidence: tuple[Window, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class CriticalPowerFit:
    """CP [W], W' [J] and R² of the work–time fit, with the best power per duration used."""

    cp_w: float | None
    w_prime_j: float | None
    r2: float | None
    points: tuple[Window, ...]
    missing_durations_s: tuple[int, ...]
    note: str | None = None

    @property
    def usable(self) -> bool:
        """A fit on enough durations with positive CP and a plausible W' (≥ 5 kJ).

        A smaller W' comes from efforts that were not all-out; saving it would make every later
        W' balance look like deep depletion, so ``--save`` leaves CP and W' out then.
        """
        return (self.cp_w is not None and self.w_prime_j is not None
                and self.cp_w > 0 and self.w_prime_j >= PLAUSIBLE_MIN_W_PRIME_J)


@dataclass(frozen=True)
class EstimateReport:
    """Estimates from a training history and which sessions they rest on.

    ``power_group`` is the sport group whose sessions gave FTP, CP and W' (and where they are
    saved); ``heart_rate_group`` the one for LTHR and maximum HR (``all`` = every sport).
    """

    power_group: str
    heart_rate_group: str
    n_sessions: int
    n_power_sessions: int
    n_heart_rate_sessions: int
    ftp_w: Estimate
    lthr_bpm: Estimate
    max_hr_bpm: Estimate
    critical_power: CriticalPowerFit

    def values_to_save(self) -> dict[str, float]:
        """Profile keys (``<group>.<field>``) and rounded values of every usable estimate."""
        values: dict[str, float] = {}
        for estimate, group in ((self.ftp_w, self.power_group),
                                (self.lthr_bpm, self.heart_rate_group),
                                (self.max_hr_bpm, self.heart_rate_group)):
            if estimate.value is not None and round(estimate.value) > 0:
                values[f"{group}.{estimate.name}"] = round(estimate.value)
        cp_w, w_prime_j = self.critical_power.cp_w, self.critical_power.w_prime_j
        if self.critical_power.usable and cp_w is not None and w_prime_j is not None:
            values[f"{self.power_group}.cp_w"] = round(cp_w)
            values[f"{self.power_group}.w_prime_j"] = round(w_prime_j)
        return values


def check_cp_durations(durations_s: Iterable[int]) -> tuple[int, ...]:
    """Sorted unique CP fit durations; ValueError outside 3–20 min or fewer than three."""
    values = tuple(sorted({int(d) for d in durations_s}))
    low, high = CP_DURATION_RANGE_S
    if any(not low <= d <= high for d in values):
        raise ValueError(f"CP durations must lie within {low // 60}–{high // 60} min")
    if len(values) < MIN_CP_POINTS:
        raise ValueError(f"CP needs at least {MIN_CP_POINTS} different durations")
    return values


def estimate_thresholds(
    bests: Iterable[SessionBests],
    sport: str | None = None,
    cp_durations_s: Iterable[int] = DEFAULT_CP_DURATIONS_S,
) -> EstimateReport:
    """Estimate FTP, LTHR, CP/W' and maximum HR from the best windows of many sessions.

    Power comes from sessions of group ``sport`` (default ``bike``: running power needs its own
    thresholds, so run power is used only with ``sport="run"``); heart rate from sessions of
    ``sport`` (default: every sport). Strength sessions count for maximum HR only.
    """
    durations = check_cp_durations(cp_durations_s)
    bests = list(bests)
    power_group, heart_rate_group = sport or "bike", sport or "all"
    power = [b for b in bests if b.group == power_group and not b.strength]
    heart = [b for b in bests if heart_rate_group in ("all", b.group)]
    return EstimateReport(
        power_group=power_group,
        heart_rate_group=heart_rate_group,
        n_sessions=len(bests),
        n_power_sessions=sum(bool(b.power_w) for b in power),
        n_heart_rate_sessions=sum(b.heart_rate_peak_5_s is not None for b in heart),
        ftp_w=_ftp(power, power_group),
        lthr_bpm=_lthr([b for b in heart if not b.strength]),
        max_hr_bpm=_max_hr(heart),
        critical_power=_critical_power(power, durations, power_group),
    )


def _best(windows: Iterable[Window | None]) -> Window | None:
    return max((w for w in windows if w is not None), key=lambda w: w.mean, default=None)


def _ftp(power: list[SessionBests], group: str) -> Estimate:
    method = "0.95 × best 20-min mean power (Allen & Coggan)"
    best = _best(b.power_w.get(FTP_WINDOW_S) for b in power)
    if best is None:
        return Estimate("ftp_w", None, method,
                        note=f"no {group} session with 20 min of power in a row")
    return Estimate("ftp_w", estimate_ftp(best.mean), method, (best,))


def _lthr(heart: list[SessionBests]) -> Estimate:
    test = _best(b.heart_rate_30_min for b in heart)
    tail = next((b.heart_rate_30_min_tail for b in heart if b.heart_rate_30_min is test), None)
    if test is not None and tail is not None:  # session_bests sets both or neither
        value, _ = lthr_from_best_efforts(tail.mean, None)
        return Estimate("lthr_bpm", value,
                        "mean HR of the last 20 min of the best 30-min effort (Friel's 30-min test)",
                        (test, tail))
    method = "0.95 × best 20-min mean HR (no session with 30 min of heart rate in a row)"
    best = _best(b.heart_rate_20_min for b in heart)
    if best is None:
        return Estimate("lthr_bpm", None, method, note="no session with 20 min of heart rate in a row")
    value, _ = lthr_from_best_efforts(None, best.mean)
    return Estimate("lthr_bpm", value, method, (best,))


def _max_hr(heart: list[SessionBests]) -> Estimate:
    method = "highest 5-s mean of cleaned heart rate"
    best = _best(b.heart_rate_peak_5_s for b in heart)
    if best is None:
        return Estimate("max_hr_bpm", None, method, note="no heart rate in these sessions")
    note = "a training maximum: lower than a true HRmax unless a session went all-out"
    return Estimate("max_hr_bpm", best.mean, method, (best,), note)


def _critical_power(
    power: list[SessionBests], durations_s: tuple[int, ...], group: str
) -> CriticalPowerFit:
    points = {d: _best(b.power_w.get(d) for b in power) for d in durations_s}
    found = tuple(p for p in points.values() if p is not None)
    missing = tuple(d for d, p in points.items() if p is None)
    if len(found) < MIN_CP_POINTS:
        return CriticalPowerFit(None, None, None, found, missing, (
            f"needs best powers for at least {MIN_CP_POINTS} durations; {group} sessions give "
            f"{len(found)} of {len(durations_s)}"))
    cp_w, w_prime_j, r2 = fit_critical_power([p.duration_s for p in found], [p.mean for p in found])
    note: str | None = None
    if not (cp_w > 0 and w_prime_j > 0):
        note = ("fit not physiological (CP or W' ≤ 0): the best efforts are not maximal — "
                "add all-out efforts of 3–20 min")
    elif w_prime_j < PLAUSIBLE_MIN_W_PRIME_J:
        note = (f"W' below {PLAUSIBLE_MIN_W_PRIME_J / 1000:.0f} kJ: the best efforts were "
                "probably not all-out, so W' is underestimated and CP overestimated "
                "(not saved by --save)")
    return CriticalPowerFit(cp_w, w_prime_j, r2, found, missing, note)
