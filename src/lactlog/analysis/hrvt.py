"""HRV thresholds from DFA-α1: HRVT1 (α1 = 0.75) and HRVT2 (α1 = 0.5), and the session summary.

Rogers et al. 2021 (Front Physiol 11:596567) define the HRV threshold HRVT1 as the heart rate
(and power / speed) at which α1 falls through 0.75 during an incremental test, found by a linear
regression of α1 on heart rate over the part of the test where α1 falls steadily; it agreed
with the first ventilatory threshold (VT1). Rogers, Giles, Draper, Hoos & Gronwald 2021 (J
Funct Morphol Kinesiol 6:38) take α1 = 0.5 in the same way as HRVT2, near VT2. Here:

- the regression uses the clean windows of :func:`lactlog.analysis.dfa.alpha1_windows` whose
  α1 lies in [:data:`FIT_ALPHA1_MIN`, :data:`FIT_ALPHA1_MAX`] — the falling part; α1 near
  rest sits on a plateau of 1.0–1.5 and no longer tracks intensity;
- α1 = a + b·HR by least squares (and α1 = c + d·P on power when the session has it); the
  threshold is HR = (target − a) / b;
- a threshold is only given when the session *reaches* it (at least :data:`MIN_SIDE_WINDOWS`
  clean windows with α1 on each side of the target, and the threshold inside the observed
  heart-rate range: never extrapolated), heart rate spans at least :data:`MIN_HR_SPAN_BPM`
  (steady sessions cannot give a threshold), there are :data:`MIN_CLEAN_WINDOWS` clean
  windows, and α1 falls with heart rate (b < 0, r² ≥ :data:`MIN_R_SQUARED`).

Quality: ``ramp`` when heart rate rises steadily through the regression windows (correlation
of heart rate with time ≥ :data:`RAMP_CORRELATION`) and r² ≥ :data:`GOOD_R_SQUARED` — the
conditions the method was validated in; otherwise ``weak``: an ordinary session with pauses,
intervals and cardiac drift gives a rougher estimate (α1 lags intensity and stays low after
hard efforts).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from lactlog.analysis.dfa import (
    MAX_ARTEFACT_PERCENT,
    STEP_S,
    WINDOW_S,
    alpha1_windows,
    beat_quality,
)
from lactlog.summaries import DfaAnalysis, HrvThreshold

if TYPE_CHECKING:  # session imports this module
    from lactlog.analysis.session import SessionSummary

HRVT1_ALPHA1 = 0.75
HRVT2_ALPHA1 = 0.5
#: α1 range of the windows the regression uses (the falling part of the α1–intensity curve).
FIT_ALPHA1_MIN = 0.2
FIT_ALPHA1_MAX = 1.2
#: Fewest clean windows for a threshold (60 windows at 5-s steps = 5 min of clean α1).
MIN_CLEAN_WINDOWS = 60
#: Heart rate must span this much (5th to 95th percentile of the clean windows) [bpm].
MIN_HR_SPAN_BPM = 20.0
#: Clean windows needed with α1 above and below a target (1 min at 5-s steps).
MIN_SIDE_WINDOWS = 12
MIN_R_SQUARED = 0.3
GOOD_R_SQUARED = 0.6
RAMP_CORRELATION = 0.8
#: One value per this many seconds in the stored series (the summary is cached).
COMPACT_STEP_S = 30.0
#: Above this share of successive identical RR intervals [%] the file does not hold one value
#: per beat (some devices repeat a value for every beat of a second): no α1. Beat-to-beat data
#: at 1-ms resolution repeats far less (the corpus: at most 19 %, a steady
#: 129-bpm ride; the file that repeats: 72 %).
MAX_REPEATED_PERCENT = 50.0


def _line(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """Least-squares y = a + b·x: (a, b, r²); NaNs where undefined."""
    xc, yc = x - x.mean(), y - y.mean()
    sxx, syy = float(xc @ xc), float(yc @ yc)
    if sxx == 0 or syy == 0:
        return float("nan"), float("nan"), float("nan")
    b = float(xc @ yc) / sxx
    return float(y.mean() - b * x.mean()), b, float(xc @ yc) ** 2 / (sxx * syy)


def _crossing(x: np.ndarray, alpha1: np.ndarray, target: float) -> float | None:
    """x where the regression of α1 on x reaches ``target``, if inside the observed x range."""
    finite = np.isfinite(x)
    if finite.sum() < MIN_SIDE_WINDOWS * 2:
        return None
    a, b, r_squared = _line(x[finite], alpha1[finite])
    if not (b < 0 and r_squared >= MIN_R_SQUARED):
        return None
    value = (target - a) / b
    return value if x[finite].min() <= value <= x[finite].max() else None


def hrv_thresholds(
    times_s: np.ndarray,
    alpha1: np.ndarray,
    heart_rate_bpm: np.ndarray,
    power_w: np.ndarray | None = None,
    targets: tuple[tuple[str, float], ...] = (("HRVT1", HRVT1_ALPHA1), ("HRVT2", HRVT2_ALPHA1)),
) -> tuple[dict[str, HrvThreshold], tuple[str, ...]]:
    """HRVT1 / HRVT2 from per-window α1 (module docstring for the rules).

    Parameters
    ----------
    times_s : array
        Window end times [s] (for the ramp check).
    alpha1 : array
        α1 per window, NaN where refused.
    heart_rate_bpm : array
        Mean heart rate per window [bpm].
    power_w : array or None
        Mean power per window [W].
    targets : tuple of (name, α1)
        Thresholds to look for.

    Returns
    -------
    dict, tuple of str
        The thresholds found by name; one note per threshold not found, saying why.
    """
    t, a1, hr = (np.asarray(v, dtype=np.float64) for v in (times_s, alpha1, heart_rate_bpm))
    clean = np.isfinite(a1) & np.isfinite(hr)
    names = " and ".join(name for name, _ in targets)
    if clean.sum() < MIN_CLEAN_WINDOWS:
        return {}, (f"no {names}: only {int(clean.sum())} clean 2-min windows "
                    f"(need {MIN_CLEAN_WINDOWS}, i.e. 5 min of clean beats)",)
    span = float(np.subtract(*np.percentile(hr[clean], [95, 5])))
    if span < MIN_HR_SPAN_BPM:
        return {}, (f"no {names}: heart rate spans only {span:.1f} bpm (5th–95th percentile) "
                    f"over the clean windows "
                    f"(a steady session; a threshold needs a ramp through "
                    f"{MIN_HR_SPAN_BPM:.0f} bpm or more)",)
    fit = clean & (a1 >= FIT_ALPHA1_MIN) & (a1 <= FIT_ALPHA1_MAX)
    if fit.sum() < 2 * MIN_SIDE_WINDOWS:
        return {}, (f"no {names}: only {int(fit.sum())} clean windows with α1 between "
                    f"{FIT_ALPHA1_MIN} and {FIT_ALPHA1_MAX}",)
    intercept, slope, r_squared = _line(hr[fit], a1[fit])
    if not (slope < 0 and r_squared >= MIN_R_SQUARED):
        return {}, (f"no {names}: α1 does not fall with heart rate in this session "
                    f"(r² = {r_squared:.2f}, slope {slope:+.3f}/bpm)",)
    ramp = float(np.corrcoef(t[fit], hr[fit])[0, 1]) >= RAMP_CORRELATION
    quality = "ramp" if ramp and r_squared >= GOOD_R_SQUARED else "weak"
    power = None if power_w is None else np.asarray(power_w, dtype=np.float64)[fit]
    found: dict[str, HrvThreshold] = {}
    notes: list[str] = []
    for name, target in targets:
        above, below = int((a1[fit] > target).sum()), int((a1[fit] < target).sum())
        heart_rate = (target - intercept) / slope
        if min(above, below) < MIN_SIDE_WINDOWS:
            side = "never fell below" if below < MIN_SIDE_WINDOWS else "was never above"
            notes.append(f"no {name}: α1 {side} {target:.2f} for a minute "
                         f"(clean windows: {np.min(a1[clean]):.2f} to {np.max(a1[clean]):.2f})"
                         ": not reached, not extrapolated")
            continue
        if not hr[fit].min() <= heart_rate <= hr[fit].max():
            notes.append(f"no {name}: the regression crosses α1 = {target:.2f} at "
                         f"{heart_rate:.0f} bpm, outside the heart rates of the session")
            continue
        watts = None if power is None else _crossing(power, a1[fit], target)
        found[name] = HrvThreshold(name, target, float(heart_rate), watts, r_squared,
                                   int(fit.sum()), quality)
    return found, tuple(notes)


def repeated_percent(rr_s: np.ndarray) -> float:
    """Share of beats whose RR interval equals the previous one [%] (0 for < 2 beats)."""
    if len(rr_s) < 2:
        return 0.0
    return 100.0 * float(np.mean(np.diff(rr_s) == 0))


def window_power_w(
    samples_power_w: pd.Series | None, window_end: pd.DatetimeIndex, window_s: float
) -> np.ndarray | None:
    """Mean power over each window (end − window_s, end] [W]; None without power data.

    Uses the recorded samples (NaN ignored); a window without a power sample gives NaN.
    """
    if samples_power_w is None or not samples_power_w.notna().any() or not len(window_end):
        return None
    valid = samples_power_w.dropna()
    origin = window_end[0]
    t = (valid.index - origin).total_seconds().to_numpy(dtype=np.float64)
    ends = (window_end - origin).total_seconds().to_numpy(dtype=np.float64)
    lo = np.searchsorted(t, ends - window_s, side="right")
    hi = np.searchsorted(t, ends, side="right")
    prefix = np.concatenate(([0.0], np.cumsum(valid.to_numpy(dtype=np.float64))))
    count = hi - lo
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, (prefix[hi] - prefix[lo]) / count, np.nan)


def analyse_dfa(
    rr: pd.DataFrame,
    samples_power_w: pd.Series | None = None,
    max_artefact_percent: float = MAX_ARTEFACT_PERCENT,
    compact_step_s: float = COMPACT_STEP_S,
) -> DfaAnalysis | None:
    """DFA-α1 series, artefact share and HRV thresholds of one session.

    Parameters
    ----------
    rr : DataFrame
        :attr:`lactlog.model.Activity.rr`.
    samples_power_w : Series or None
        The session's power samples [W] (UTC index), for power at the thresholds.
    max_artefact_percent : float
        Windows above this share of artefacts give no α1 [%].
    compact_step_s : float
        Spacing of the stored series [s].

    Returns
    -------
    DfaAnalysis or None
        None when the beats do not span one 2-min window.
    """
    if rr is None or len(rr) < 2 or "rr_s" not in rr:
        return None
    quality = beat_quality(rr)
    windows = alpha1_windows(rr, max_artefact_percent=max_artefact_percent, quality=quality)
    if not len(windows):
        return None
    a1 = windows["alpha1"].to_numpy()
    repeated = repeated_percent(rr["rr_s"].to_numpy(dtype=np.float64))
    refused: tuple[str, ...] = ()
    if repeated > MAX_REPEATED_PERCENT:
        a1 = np.full(len(a1), np.nan)
        refused = (f"no α1: {repeated:.0f} % of successive RR intervals are identical — the "
                   "file repeats values instead of recording every beat",)
    hr = windows["heart_rate_bpm"].to_numpy()
    power = window_power_w(samples_power_w, windows.index, WINDOW_S)
    start = rr.index[0]
    t = (windows.index - start).total_seconds().to_numpy(dtype=np.float64)
    found, notes = hrv_thresholds(t, a1, hr, power) if not refused else ({}, refused)
    step = max(1, int(round(compact_step_s / STEP_S)))

    def compact(values: np.ndarray) -> tuple[float, ...]:
        return tuple(np.round(values[::step], 3).tolist())

    return DfaAnalysis(
        start=start.to_pydatetime(warn=False),
        offset_s=compact(t),
        alpha1=compact(a1),
        heart_rate_bpm=compact(hr),
        power_w=None if power is None else compact(power),
        artefact_percent=quality.artefact_percent,
        max_artefact_percent=max_artefact_percent,
        n_windows=len(windows),
        n_clean_windows=int(np.isfinite(a1).sum()),
        hrvt1=found.get("HRVT1"),
        hrvt2=found.get("HRVT2"),
        notes=notes,
    )


@dataclass(frozen=True)
class SessionHrvThreshold:
    """An HRV threshold found in one session of the history, with the athlete's date of it."""

    day: date
    source: str
    session_index: int
    group: str
    threshold: HrvThreshold


def latest_hrv_thresholds(
    found: Iterable[SessionHrvThreshold],
) -> dict[tuple[str, str], SessionHrvThreshold]:
    """Per (sport group, ``HRVT1``/``HRVT2``) the threshold to offer: the latest one from a
    ramp-like session, else the latest one at all (quality ``weak``, said so when shown)."""
    best: dict[tuple[str, str], SessionHrvThreshold] = {}
    for item in found:
        key = (item.group, item.threshold.name)
        current = best.get(key)
        rank = (item.threshold.quality == "ramp", item.day, item.source)
        if current is None or rank > (current.threshold.quality == "ramp", current.day,
                                      current.source):
            best[key] = item
    return dict(sorted(best.items()))


def session_hrv_thresholds(
    summaries: Iterable[SessionSummary], group: str | None = None
) -> list[SessionHrvThreshold]:
    """The HRVT1/HRVT2 of analysed sessions (``group``: only that sport group's), each dated
    by the athlete's local calendar day (:func:`lactlog.localtime.session_start_local`)."""
    from lactlog.localtime import session_start_local
    from lactlog.profile import sport_group

    found = []
    for summary in summaries:
        dfa, start = summary.dfa, session_start_local(summary)
        own_group = sport_group(summary.sport)
        if dfa is None or start is None or (group is not None and own_group != group):
            continue
        for threshold in (dfa.hrvt1, dfa.hrvt2):
            if threshold is not None:
                found.append(SessionHrvThreshold(start.date(), summary.source,
                                                 summary.session_index, own_group, threshold))
    return found
