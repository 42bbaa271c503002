"""DFA-α1 of beat-to-beat (RR) intervals: artefacts, 2-min windows, short-term scaling exponent.

Pure numpy functions; everything is vectorised over beats and windows (all windows of a session
at once, one gather per box size — no Python loop per beat or per window).

**Variant implemented** (state it exactly, because implementations differ):

1. *Artefacts* (:func:`artefact_mask`): a beat is an artefact when its RR interval deviates by
   more than ``tolerance`` (default 20 %) from the median of the 11 beats centred on it. This is
   the classic 20 % rule (Malik et al. 1989, Eur Heart J 10:1060–1074: an interval differing by
   more than 20 % from its neighbours is not a normal beat) taken against a local median so
   that one bad beat does not condemn its neighbour; it catches missed beats (+100 %), extra
   beats (−50 %) and most ectopic beats. It is simpler than the beat classification of
   Lipponen & Tarvainen 2019 (J Med Eng Technol 43:173–181), which Kubios uses. Beats missing
   from the file (:func:`missing_beats`: the beat clock jumps further than the interval — the
   reader drops intervals outside 0.25–2.5 s and re-anchors) count as artefacts too.
2. *Correction* (:func:`correct_artefacts`): each artefact is replaced by linear interpolation
   over beat number between the nearest clean beats (Kubios interpolates with a cubic spline).
3. *Windows* (:func:`alpha1_windows`): 120-s windows of beats, one ending every 5 s (Rogers et
   al. 2021, Front Physiol 11:596567: 2-min windows recalculated every 5 s). A window with more
   than ``max_artefact_percent`` (default 5 %) artefact or missing beats, or fewer than
   :data:`MIN_WINDOW_BEATS` beats, gives no α1 (NaN) — corrected beats bias α1 (Rogers, Giles,
   Draper, Mourot & Gronwald 2021, Sensors 21:821, on artefact correction and α1).
4. *DFA* (Peng et al. 1995, Chaos 5:82–87), per window of N beats RR₁…RR_N:
   profile y(k) = Σᵢ₌₁ᵏ (RRᵢ − mean RR); for each box size n = 4…16 beats the window is cut
   from its first beat into ⌊N/n⌋ non-overlapping boxes (the remaining < n beats at the end
   are left out), a least-squares line is fitted to y in each box (first-order detrending) and
   F(n) = √( Σ residual² / (n·⌊N/n⌋) ). α1 is the least-squares slope of log F(n) against
   log n over n = 4…16 (13 sizes; the short-term range of Peng 1995, and of Kubios as used by
   Gronwald et al. 2020 and Rogers et al. 2021). No smoothness-priors pre-detrending (Kubios'
   optional Tarvainen 2002 high-pass) is applied; the per-box line already removes trends
   within a box.

Implementation note: the profile is built once over the whole session, not per window. Within
one window it differs from the window's own profile by a constant plus a linear function of the
beat number (the other window mean), which the per-box linear fit removes exactly, so F(n) is
the same.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Box sizes of α1 [beats] (Peng et al. 1995 short-term exponent).
BOX_SIZES: tuple[int, ...] = tuple(range(4, 17))
#: Window length [s] and step between window ends [s] (Rogers et al. 2021).
WINDOW_S = 120.0
STEP_S = 5.0
#: Windows above this share of artefact or missing beats give no α1 [%].
MAX_ARTEFACT_PERCENT = 5.0
#: A beat deviating more than this fraction from its local median is an artefact.
ARTEFACT_TOLERANCE = 0.20
#: Beats either side of a beat in its local median (11 beats in all).
MEDIAN_HALF_WIDTH = 5
#: Fewest beats a window needs for α1: six boxes of the largest size (a 120-s window at
#: 48 bpm). Fewer beats make F(16) rest on too few boxes.
MIN_WINDOW_BEATS = 96


def artefact_mask(
    rr_s: np.ndarray, tolerance: float = ARTEFACT_TOLERANCE, half_width: int = MEDIAN_HALF_WIDTH
) -> np.ndarray:
    """True for beats whose interval deviates more than ``tolerance`` from the local median.

    Parameters
    ----------
    rr_s : array
        RR intervals [s] in beat order; NaN counts as an artefact.
    tolerance : float
        Largest accepted |RR − median| / median [fraction].
    half_width : int
        Beats either side in the centred median (fewer at the ends).
    """
    rr = np.asarray(rr_s, dtype=np.float64)
    if not rr.size:
        return np.zeros(0, dtype=bool)
    median = (
        pd.Series(rr).rolling(2 * half_width + 1, center=True, min_periods=1).median().to_numpy()
    )
    with np.errstate(invalid="ignore"):
        return ~(np.abs(rr - median) <= tolerance * median)


def missing_beats(time_s: np.ndarray, rr_s: np.ndarray, tolerance: float = ARTEFACT_TOLERANCE
                  ) -> np.ndarray:
    """Beats missing just before each beat, from jumps of the beat clock.

    In a continuous recording a beat comes one interval after the previous one,
    tᵢ − tᵢ₋₁ = RRᵢ. A larger step g = tᵢ − tᵢ₋₁ − RRᵢ beyond ``tolerance`` × RRᵢ is a stretch
    without beats: about max(1, round(g / RRᵢ)) beats are missing there.

    An interval that is not a positive number is measured against the median of the valid
    ones (1 s when there is none). Returns an int array (0 for the first beat).
    """
    t = np.asarray(time_s, dtype=np.float64)
    rr = np.asarray(rr_s, dtype=np.float64)
    missing = np.zeros(len(t), dtype=np.int64)
    if len(t) < 2:
        return missing
    valid = np.isfinite(rr) & (rr > 0)
    typical = float(np.median(rr[valid])) if valid.any() else 1.0
    interval = np.where(valid, rr, typical)[1:]
    gap = np.diff(t) - interval
    jumped = gap > tolerance * interval
    count = np.maximum(1.0, np.round(np.where(jumped, gap, 0.0) / interval))
    missing[1:] = np.where(jumped, np.minimum(count, len(t) * 1e3), 0).astype(np.int64)
    return missing


def correct_artefacts(rr_s: np.ndarray, artefact: np.ndarray) -> np.ndarray:
    """``rr_s`` with each artefact replaced by linear interpolation over beat number between
    the nearest clean beats (held constant before the first / after the last clean beat).

    All artefacts (or no beats): returned unchanged.
    """
    rr = np.asarray(rr_s, dtype=np.float64)
    good = ~np.asarray(artefact, dtype=bool)
    if not good.any() or good.all():
        return rr.copy()
    beat = np.arange(len(rr))
    return np.where(good, rr, np.interp(beat, beat[good], rr[good]))


@dataclass(frozen=True)
class BeatQuality:
    """Steps 1–2 of the module docstring for one recording (arrays in beat order).

    ``time_s`` [s from the first beat], ``artefact`` (bool), ``missing`` (beats missing before
    each beat), ``corrected_s`` (RR with artefacts interpolated [s]).
    """

    time_s: np.ndarray
    artefact: np.ndarray
    missing: np.ndarray
    corrected_s: np.ndarray

    @property
    def artefact_percent(self) -> float:
        """Artefact and missing beats over the recording [% of beats, missing ones included]."""
        missing = int(self.missing.sum())
        total = len(self.artefact) + missing
        return 100.0 * (int(self.artefact.sum()) + missing) / total if total else float("nan")


def beat_quality(rr: pd.DataFrame, tolerance: float = ARTEFACT_TOLERANCE) -> BeatQuality:
    """Artefacts, missing beats and corrected intervals of an :attr:`Activity.rr` frame."""
    values = rr["rr_s"].to_numpy(dtype=np.float64)
    t = (rr.index - rr.index[0]).total_seconds().to_numpy(dtype=np.float64)
    bad = artefact_mask(values, tolerance)
    return BeatQuality(t, bad, missing_beats(t, values, tolerance), correct_artefacts(values, bad))


def box_residuals(profile: np.ndarray, n: int) -> np.ndarray:
    """Residual sum of squares of a least-squares line through y(p) … y(p + n − 1), for every
    start p = 0 … len(profile) − n.

    With vⱼ = y(p + j) − y(p) (a shift: changes no residual, keeps the numbers small) and
    kⱼ = j − (n − 1)/2 (centred, Σk = 0): RSS = Σv² − (Σv)²/n − (Σk·v)²/Σk². The sums run over
    the n offsets j, each at once for every start p.
    """
    m = len(profile) - n + 1
    k = np.arange(n) - (n - 1) / 2.0
    first = profile[:m]
    total = np.zeros(m)
    moment = np.zeros(m)
    squares = np.zeros(m)
    for j in range(1, n):  # j = 0 contributes v = 0
        v = profile[j : j + m] - first
        total += v
        moment += k[j] * v
        squares += v * v
    return np.maximum(squares - total**2 / n - moment**2 / (k @ k), 0.0)


def fluctuations(
    profile: np.ndarray, start: np.ndarray, length: np.ndarray, box_sizes: tuple[int, ...]
) -> np.ndarray:
    """F(n) [same unit as the profile] of many windows of one profile at once.

    For each n, :func:`box_residuals` gives every possible box once; a cumulative sum taken
    with stride n, C(p) = RSS(p) + C(p − n), then gives a window's sum over its boxes
    p = s, s + n, …, s + (⌊N/n⌋ − 1)·n as a difference of two values of C.

    Parameters
    ----------
    profile : array
        Integrated series y(k) (any offset and linear trend: removed per box).
    start, length : int arrays (w,)
        First profile index and number of points of each window.
    box_sizes : tuple of int
        Box sizes n [points].

    Returns
    -------
    array (w, len(box_sizes))
        F(n) = √(mean squared residual of a least-squares line in each of the ⌊N/n⌋ boxes
        cut from the window's first point); NaN where a window has fewer than n points.
    """
    start = np.asarray(start, dtype=np.int64)
    length = np.asarray(length, dtype=np.int64)
    result = np.full((len(start), len(box_sizes)), np.nan)
    for column, n in enumerate(box_sizes):  # 13 sizes; all windows at once
        n_boxes = length // n
        has = n_boxes > 0
        if len(profile) < n or not has.any():
            continue
        rss = box_residuals(profile, n)
        rows = -(-len(rss) // n)
        padded = np.zeros(rows * n)
        padded[: len(rss)] = rss
        strided_sum = np.cumsum(padded.reshape(rows, n), axis=0).reshape(-1)
        s, count = start[has], n_boxes[has]
        last = strided_sum[s + (count - 1) * n]
        before = np.where(s >= n, strided_sum[np.maximum(s - n, 0)], 0.0)
        result[has, column] = np.sqrt(np.maximum(last - before, 0.0) / (count * n))
    return result


def scaling_exponent(fluctuation: np.ndarray, box_sizes: tuple[int, ...]) -> np.ndarray:
    """Least-squares slope of log F(n) on log n per row of ``fluctuation`` (w, sizes).

    NaN for a row with a missing or zero F(n) (e.g. a constant series).
    """
    x = np.log(np.asarray(box_sizes, dtype=np.float64))
    x = x - x.mean()
    with np.errstate(divide="ignore", invalid="ignore"):
        log_f = np.log(fluctuation)
    log_f = np.where(np.isfinite(log_f), log_f, np.nan)
    return (log_f - log_f.mean(axis=1, keepdims=True)) @ x / (x @ x)


def dfa_alpha1(rr_s: np.ndarray, box_sizes: tuple[int, ...] = BOX_SIZES) -> float:
    """α1 of one artefact-free series of RR intervals [s] (module docstring, step 4).

    NaN when the series is shorter than the largest box or constant.
    """
    rr = np.asarray(rr_s, dtype=np.float64)
    if len(rr) < max(box_sizes) or not np.isfinite(rr).all():
        return float("nan")
    profile = np.cumsum(rr - rr.mean())
    f = fluctuations(profile, np.array([0]), np.array([len(rr)]), box_sizes)
    return float(scaling_exponent(f, box_sizes)[0])


def alpha1_windows(
    rr: pd.DataFrame,
    window_s: float = WINDOW_S,
    step_s: float = STEP_S,
    max_artefact_percent: float = MAX_ARTEFACT_PERCENT,
    tolerance: float = ARTEFACT_TOLERANCE,
    min_beats: int = MIN_WINDOW_BEATS,
    box_sizes: tuple[int, ...] = BOX_SIZES,
    quality: BeatQuality | None = None,
) -> pd.DataFrame:
    """α1 over a session in sliding windows (module docstring, steps 1–4).

    Parameters
    ----------
    rr : DataFrame
        :attr:`lactlog.model.Activity.rr`: UTC ``DatetimeIndex`` of beat times, column
        ``rr_s`` [s].
    window_s, step_s : float
        Window length and step between window ends [s].
    max_artefact_percent : float
        Windows with more artefact + missing beats than this [% of beats] give NaN.
    tolerance : float
        Artefact rule (:func:`artefact_mask`, :func:`missing_beats`).
    min_beats : int
        Fewest beats for an α1.
    quality : BeatQuality or None
        :func:`beat_quality` of ``rr`` when the caller has it already.

    Returns
    -------
    DataFrame
        Index: window end (UTC, named ``time``), one row every ``step_s`` from the first beat
        + ``window_s``. Columns ``alpha1`` (NaN where refused), ``heart_rate_bpm`` (60 / mean
        corrected RR of the window [bpm]), ``artefact_percent`` [%], ``n_beats``. Empty when
        the beats span less than one window.
    """
    columns = ["alpha1", "heart_rate_bpm", "artefact_percent", "n_beats"]
    empty = pd.DataFrame({c: pd.Series(dtype="float64") for c in columns},
                         index=pd.DatetimeIndex([], tz="UTC", name="time"))
    if rr is None or len(rr) < 2 or "rr_s" not in rr:
        return empty
    origin = rr.index[0]
    if (rr.index[-1] - origin).total_seconds() < window_s:
        return empty
    quality = quality or beat_quality(rr, tolerance)
    t, bad, missing, corrected = (quality.time_s, quality.artefact, quality.missing,
                                  quality.corrected_s)
    ends = window_s + step_s * np.arange(int(np.floor((t[-1] - window_s) / step_s)) + 1)
    lo = np.searchsorted(t, ends - window_s, side="right")
    hi = np.searchsorted(t, ends, side="right")
    n_beats = hi - lo

    def window_sum(per_beat: np.ndarray, first: np.ndarray) -> np.ndarray:
        prefix = np.concatenate(([0.0], np.cumsum(per_beat, dtype=np.float64)))
        return prefix[hi] - prefix[np.minimum(first, hi)]

    # a gap before the window's first beat lies outside the window
    n_missing = window_sum(missing, lo + 1)
    n_bad = window_sum(bad, lo)
    with np.errstate(invalid="ignore", divide="ignore"):
        percent = 100.0 * (n_bad + n_missing) / (n_beats + n_missing)
        heart_rate = 60.0 * n_beats / window_sum(corrected, lo)
    usable = (n_beats >= max(min_beats, max(box_sizes))) & (percent <= max_artefact_percent)
    if bad.all():
        usable[:] = False
    alpha1 = np.full(len(ends), np.nan)
    if usable.any():
        profile = np.cumsum(corrected - corrected.mean())
        f = fluctuations(profile, lo[usable], n_beats[usable], box_sizes)
        alpha1[usable] = scaling_exponent(f, box_sizes)
    index = pd.DatetimeIndex(origin + pd.to_timedelta(ends, unit="s"), name="time")
    return pd.DataFrame(
        {"alpha1": alpha1, "heart_rate_bpm": np.where(n_beats > 0, heart_rate, np.nan),
         "artefact_percent": percent, "n_beats": n_beats.astype(np.float64)},
        index=index,
    )


def artefact_percent(rr: pd.DataFrame, tolerance: float = ARTEFACT_TOLERANCE) -> float:
    """Share of artefact and missing beats over the whole recording [%] (NaN without beats)."""
    if rr is None or not len(rr) or "rr_s" not in rr:
        return float("nan")
    return beat_quality(rr, tolerance).artefact_percent
