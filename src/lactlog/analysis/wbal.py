"""W' balance (Skiba): how much of the work capacity above critical power is left.

Two published models, both on regularly sampled power (1 Hz from
:func:`~lactlog.analysis.clean.clean_samples`); NaN power counts as 0 W (coasting, no data).
Stops left out of the grid (longer than :data:`~lactlog.analysis.clean.MAX_GRID_GAP_S`) are
passed as ``gap_s``, the seconds without a row before each row
(:func:`~lactlog.analysis.clean.grid_gap_s`): W' recovers across them at 0 W, in closed form
over the whole gap, so a stop of any length costs one row and recovers as if every second of it
were on the grid at 0 W:

* :func:`w_prime_balance_differential_j` — Skiba et al. (2015), differential form;
* :func:`w_prime_balance_integral_j` — Skiba et al. (2012), integral form.

Both are first-order linear recurrences s_t = a_t·s_{t−1} + b_t in the expended W', evaluated
without a per-sample Python loop by :func:`linear_recurrence`. W'bal is never above W' and may go
below 0 when an effort exceeds the modelled W' (informative: CP or W' is set too low).
"""

from __future__ import annotations

import math
import sys
from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np

from lactlog.summaries import WPrimeSummary

if TYPE_CHECKING:
    import pandas as pd

_MAX_STEP_DECAY = 50.0
"""Largest decay exponent −ln a_t of a single step; e^(−50) ≈ 2e-22 is already total decay."""
_CHUNK_DECAY = 600.0
"""Decay exponent spanned per chunk of :func:`linear_recurrence` (e^(650) < float64 max)."""


def linear_recurrence(decay: np.ndarray, increment: np.ndarray, initial: float = 0.0) -> np.ndarray:
    """Evaluate s_t = a_t · s_{t−1} + b_t (s_{−1} = ``initial``) without a per-sample loop.

    Closed form with A_t = Π_{j≤t} a_j: s_t = A_t · (initial + Σ_{k≤t} b_k / A_k), computed with
    cumulative sums of ln a. To keep 1/A_k finite the series is cut into chunks spanning a decay
    exponent of at most ~650 (one loop step per chunk — one chunk for a typical session), and a
    single step decays by at most e^(−50) (smaller a_t are treated as e^(−50), a relative change
    below 1e-21 of the carried value).

    Parameters
    ----------
    decay : array
        a_t, in [0, 1].
    increment : array
        b_t, same length.
    initial : float
        s before the first sample.

    Returns
    -------
    ndarray of float, s_t.
    """
    a = np.asarray(decay, dtype=np.float64).ravel()
    b = np.asarray(increment, dtype=np.float64).ravel()
    if a.shape != b.shape:
        raise ValueError("decay and increment must have the same length")
    if a.size == 0:
        return np.empty(0)
    with np.errstate(divide="ignore"):
        log_a = np.maximum(np.log(a), -_MAX_STEP_DECAY)
    cumulative = np.cumsum(log_a)
    chunk = np.floor(-cumulative / _CHUNK_DECAY)
    bounds = np.concatenate(([0], np.flatnonzero(np.diff(chunk)) + 1, [a.size]))
    out = np.empty_like(a)
    carried = float(initial)
    for begin, end in pairwise(bounds.tolist()):
        local = np.cumsum(log_a[begin:end])  # ln of A_t / A_(begin−1), ≥ −650
        scale = np.exp(local)
        out[begin:end] = scale * (carried + np.cumsum(b[begin:end] / scale))
        carried = float(out[end - 1])
    return out


def _power_array(power_w: np.ndarray | pd.Series) -> np.ndarray:
    """Power as float array, NaN and negative values as 0 W."""
    power = np.asarray(power_w, dtype=np.float64).ravel()
    return np.clip(np.nan_to_num(power, nan=0.0), 0.0, None)


def _gap_array(gap_s: np.ndarray | pd.Series | None, size: int) -> np.ndarray:
    """Seconds without a sample before each row [s] (zeros for None), checked."""
    if gap_s is None:
        return np.zeros(size)
    gap = np.asarray(gap_s, dtype=np.float64).ravel()
    if gap.shape != (size,):
        raise ValueError(f"gap_s must have one value per sample ({size}), got {gap.size}")
    if not np.all(gap >= 0):  # also rejects NaN
        raise ValueError("gap_s must be non-negative seconds")
    return gap


def _check(cp_w: float, w_prime_j: float, sample_s: float) -> None:
    for name, value in (("cp_w", cp_w), ("w_prime_j", w_prime_j), ("sample_s", sample_s)):
        if not value > 0:
            raise ValueError(f"{name} must be positive, got {value}")


def _like_input(values: np.ndarray, power_w: np.ndarray | pd.Series) -> np.ndarray | pd.Series:
    """A Series on the input's index for a Series input (pandas is loaded if it is one)."""
    pandas = sys.modules.get("pandas")
    if pandas is not None and isinstance(power_w, pandas.Series):
        return pandas.Series(values, index=power_w.index, name="w_prime_balance_j")
    return values


def w_prime_balance_differential_j(
    power_w: np.ndarray | pd.Series,
    cp_w: float,
    w_prime_j: float,
    sample_s: float = 1.0,
    gap_s: np.ndarray | pd.Series | None = None,
) -> np.ndarray | pd.Series:
    """W' balance after each sample, differential model [J].

    Skiba PF, Fulford J, Clarke DC, Vanhatalo A, Jones AM (2015), "Intramuscular determinants of
    the ability to recover work capacity above critical power", Eur J Appl Physiol 115:703–713;
    form due to Froncioni and Clarke (Clarke DC, Skiba PF (2013), Adv Physiol Educ 37:134–152).
    Starting from W'bal = W', for each sample of power P held for Δt:

    * P ≥ CP: W'bal_t = W'bal_{t−1} − (P − CP)·Δt (linear depletion);
    * P < CP: W'bal_t = W' − (W' − W'bal_{t−1})·e^(−(CP − P)·Δt / W') (exact solution of
      dW'bal/dt = (CP − P)·(W' − W'bal)/W' for P constant over the step).

    A gap of g seconds before a sample is a step at P = 0 W first: the expended W' is multiplied
    by e^(−CP·g / W') (the same exact solution, time constant W'/CP), then the sample's step
    follows. Both are affine in the expended W' (W' − W'bal) and run through
    :func:`linear_recurrence`.

    Parameters
    ----------
    power_w : array or Series
        Power [W], regularly sampled; NaN counts as 0 W.
    cp_w : float
        Critical power [W].
    w_prime_j : float
        W', work capacity above CP [J].
    sample_s : float
        Sampling interval Δt [s].
    gap_s : array or None
        Seconds without a sample before each sample, beyond Δt [s] (≥ 0, e.g. a stop left out
        of the grid, :func:`~lactlog.analysis.clean.grid_gap_s`); None for none.

    Returns
    -------
    ndarray (Series with the same index for a Series input) of W'bal [J], ≤ W'.
    """
    _check(cp_w, w_prime_j, sample_s)
    power = _power_array(power_w)
    gap = _gap_array(gap_s, power.size)
    above = power >= cp_w
    step_decay = np.where(above, 0.0, -(cp_w - power) * sample_s / w_prime_j)
    decay = np.exp(step_decay - cp_w * gap / w_prime_j)
    spent = np.where(above, (power - cp_w) * sample_s, 0.0)
    return _like_input(w_prime_j - linear_recurrence(decay, spent), power_w)


def skiba_tau_s(
    power_w: np.ndarray | pd.Series,
    cp_w: float,
    sample_s: float = 1.0,
    gap_s: np.ndarray | pd.Series | None = None,
) -> float:
    """Recovery time constant of the integral model, τ = 546·e^(−0.01·D_CP) + 316 [s].

    D_CP = CP − mean power of the time below CP [W] (Skiba et al. 2012). NaN power counts as
    0 W, and so do the gap seconds (``gap_s``): a stop left out of the grid weighs as much as
    the same stop on the grid as not-recording seconds. Without any time below CP the mean
    recovery power is taken as 0 W (D_CP = CP), as in GoldenCheetah's implementation
    (``src/Metrics/WPrime.cpp``).

    Parameters
    ----------
    power_w : array or Series
        Power [W].
    cp_w : float
        Critical power [W].
    sample_s : float
        Sampling interval Δt [s].
    gap_s : array or None
        Seconds without a sample before each sample, beyond Δt [s]; None for none.
    """
    power = _power_array(power_w)
    below = power[power < cp_w]
    below_s = below.size * sample_s + float(_gap_array(gap_s, power.size).sum())
    mean_below_w = float(below.sum()) * sample_s / below_s if below_s > 0 else 0.0
    return 546.0 * math.exp(-0.01 * (cp_w - mean_below_w)) + 316.0


def w_prime_balance_integral_j(
    power_w: np.ndarray | pd.Series,
    cp_w: float,
    w_prime_j: float,
    sample_s: float = 1.0,
    tau_s: float | None = None,
    gap_s: np.ndarray | pd.Series | None = None,
) -> np.ndarray | pd.Series:
    """W' balance after each sample, integral model [J].

    Skiba PF, Chidnok W, Vanhatalo A, Jones AM (2012), "Modeling the expenditure and
    reconstitution of work capacity above critical power", Med Sci Sports Exerc 44:1526–1532:

        W'bal(t) = W' − Σ_{u≤t} W'exp(u) · e^(−(t − u)/τ),  W'exp(u) = (P(u) − CP)·Δt if P > CP

    with τ from :func:`skiba_tau_s`. The sum is the first-order filter
    S_t = S_{t−1}·e^(−(Δt + g_t)/τ) + W'exp_t (exact for a constant τ; g_t = ``gap_s``, the time
    without a sample before sample t, during which nothing is expended), run through
    :func:`linear_recurrence`. The sample's own expenditure counts undecayed, as in
    GoldenCheetah. Note that the model lets expended W' decay also during an effort, so a
    constant effort above CP depletes less than (P − CP)·t.

    Parameters
    ----------
    power_w : array or Series
        Power [W], regularly sampled; NaN counts as 0 W.
    cp_w : float
        Critical power [W].
    w_prime_j : float
        W' [J].
    sample_s : float
        Sampling interval Δt [s].
    tau_s : float or None
        Recovery time constant [s]; None computes it from the session (:func:`skiba_tau_s`,
        gaps included).
    gap_s : array or None
        Seconds without a sample before each sample, beyond Δt [s] (≥ 0); None for none.

    Returns
    -------
    ndarray (Series with the same index for a Series input) of W'bal [J], ≤ W'.
    """
    _check(cp_w, w_prime_j, sample_s)
    power = _power_array(power_w)
    gap = _gap_array(gap_s, power.size)
    tau = skiba_tau_s(power, cp_w, sample_s, gap) if tau_s is None else float(tau_s)
    if not tau > 0:
        raise ValueError(f"tau_s must be positive, got {tau_s}")
    expended = np.where(power > cp_w, (power - cp_w) * sample_s, 0.0)
    decay = np.exp(-(sample_s + gap) / tau)
    return _like_input(w_prime_j - linear_recurrence(decay, expended), power_w)


def summarize_w_prime(
    balance_j: np.ndarray | pd.Series,
    power_w: np.ndarray | pd.Series,
    cp_w: float,
    w_prime_j: float,
    effort_fraction: float = 0.1,
    sample_s: float = 1.0,
) -> WPrimeSummary:
    """Summarise a W' balance trace (from either model) and the power it came from.

    Parameters
    ----------
    balance_j : array or Series
        W'bal [J].
    power_w : array or Series
        Power [W] (NaN counts as 0 W).
    cp_w : float
        Critical power [W].
    w_prime_j : float
        W' [J].
    effort_fraction : float
        Smallest depletion that counts as an effort, as a fraction of W' [-].
    sample_s : float
        Sampling interval [s].
    """
    _check(cp_w, w_prime_j, sample_s)
    balance = np.asarray(balance_j, dtype=np.float64).ravel()
    balance = balance[~np.isnan(balance)]
    power = _power_array(power_w)
    expended = float(np.sum(np.clip(power - cp_w, 0.0, None)) * sample_s)
    if balance.size == 0:
        return WPrimeSummary(None, None, expended, 0)
    lowest = float(balance.min())
    return WPrimeSummary(
        min_balance_j=lowest,
        min_balance_fraction=lowest / w_prime_j,
        expended_j=expended,
        n_efforts=count_depletions(balance, effort_fraction * w_prime_j),
    )


def count_depletions(values: np.ndarray, min_drop: float) -> int:
    """Number of separate falls of at least ``min_drop`` from a local maximum (hysteresis).

    A fall is counted when the series drops ``min_drop`` below the highest value since the last
    counted fall ended; a fall ends once the series has risen ``min_drop`` above its lowest value
    since the fall was counted. Wiggles smaller than ``min_drop`` neither count nor reset.

    The turning points are found vectorised; the hysteresis state is then stepped through them
    in a plain loop (inherently sequential, and over turning points only, not every sample).

    Parameters
    ----------
    values : array
        The series (e.g. W'bal [J]); NaN is ignored.
    min_drop : float
        Smallest fall that counts, > 0 [unit of ``values``].
    """
    if not min_drop > 0:
        raise ValueError(f"min_drop must be positive, got {min_drop}")
    x = np.asarray(values, dtype=np.float64).ravel()
    x = x[~np.isnan(x)]
    x = x[np.concatenate(([True], np.diff(x) != 0))] if x.size else x  # drop repeats
    if x.size < 2:
        return 0
    slope = np.sign(np.diff(x))
    turning = np.concatenate(([True], slope[1:] != slope[:-1], [True]))
    count, falling = 0, False
    peak = trough = float(x[0])
    for value in x[turning].tolist():
        if falling:
            trough = min(trough, value)
            if value >= trough + min_drop:
                falling, peak = False, value
        else:
            peak = max(peak, value)
            if value <= peak - min_drop:
                falling, trough, count = True, value, count + 1
    return count
