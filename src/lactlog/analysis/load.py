"""Session load: normalized power, intensity factor, TSS, Banister TRIMP, normalized TRIMP.

Pure functions of regularly sampled arrays (1 Hz from
:func:`~lactlog.analysis.clean.clean_samples`) and thresholds passed in by the caller.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

NP_WINDOW_S = 30.0
"""Rolling-average window of normalized power [s] (Coggan)."""

#: Banister's weighting y = k · e^(b·HRr) per sex: (k, b). Morton, Fitz-Clarke & Banister (1990),
#: J Appl Physiol 69:1171–1177; Banister (1991), in Physiological Testing of the High-Performance
#: Athlete, pp. 403–424.
TRIMP_WEIGHTING: dict[str, tuple[float, float]] = {
    "male": (0.64, 1.92),
    "female": (0.86, 1.67),
}


def rolling_power_w(
    power_w: np.ndarray | pd.Series, sample_s: float = 1.0, window_s: float = NP_WINDOW_S
) -> np.ndarray:
    """The trailing rolling averages that normalized power averages over [W].

    NaN samples (not recording, dropouts longer than the cleaning's gap limit) are removed first,
    i.e. the recorded pieces are joined; the windows then run from the first full window on, so
    n valid samples give n − w + 1 values, w = round(window_s / sample_s). Empty with fewer than
    w valid samples.

    Parameters
    ----------
    power_w : array or Series
        Power [W], regularly sampled.
    sample_s : float
        Sampling interval [s].
    window_s : float
        Rolling window [s].
    """
    _check_positive(sample_s=sample_s)
    power = np.asarray(power_w, dtype=np.float64).ravel()
    power = power[~np.isnan(power)]
    window = max(1, round(window_s / sample_s))
    if power.size < window:
        return np.empty(0)
    cumulative = np.concatenate(([0.0], np.cumsum(power)))
    return (cumulative[window:] - cumulative[:-window]) / window


def normalized_power_w(
    power_w: np.ndarray | pd.Series, sample_s: float = 1.0, window_s: float = NP_WINDOW_S
) -> float | None:
    """Normalized power [W] (Coggan).

    NP = (mean over t of P̄₃₀(t)⁴)^(1/4), where P̄₃₀(t) is the trailing 30-s rolling average of
    power, evaluated from the first full window on (Allen & Coggan, "Training and Racing with a
    Power Meter"), over the valid samples only (see :func:`rolling_power_w`).

    Parameters
    ----------
    power_w : array or Series
        Power [W], regularly sampled.
    sample_s : float
        Sampling interval [s].
    window_s : float
        Rolling window [s]; 30 s is Coggan's definition.

    Returns
    -------
    float or None
        None with fewer valid samples than one window (30 at 1 Hz).
    """
    rolling = rolling_power_w(power_w, sample_s, window_s)
    if rolling.size == 0:
        return None
    return float(np.mean(rolling**4) ** 0.25)


def normalized_power_duration_s(
    power_w: np.ndarray | pd.Series, sample_s: float = 1.0, window_s: float = NP_WINDOW_S
) -> float | None:
    """The time normalized power is averaged over, (n − w + 1) × Δt [s]: one Δt per rolling
    average of :func:`rolling_power_w` (n valid samples, w samples per window).

    This is the duration to put into :func:`training_stress_score` so that TSS and NP count the
    same seconds. Checked against the devices' own values on the shared corpus (Garmin, Hammerhead,
    Sigma; ``tests/analysis/test_device_agreement.py``): with NP within 1 % of the device, TSS with
    this duration is within 2 % (or the stored 0.1 resolution) on 16 of 16 sessions, against 11
    of 16 with every recorded second, which also counts the seconds without power and the
    first window's w − 1 samples (+1.6 % on a 30-min ride). None when NP is None.

    Parameters
    ----------
    power_w : array or Series
        Power [W], regularly sampled.
    sample_s : float
        Sampling interval Δt [s].
    window_s : float
        Rolling window [s], as for :func:`normalized_power_w`.
    """
    rolling = rolling_power_w(power_w, sample_s, window_s)
    return float(rolling.size * sample_s) if rolling.size else None


def intensity_factor(normalized_power_w: float | None, ftp_w: float) -> float | None:
    """Intensity factor IF = NP / FTP [-] (Coggan); None when NP is None.

    Parameters
    ----------
    normalized_power_w : float or None
        Normalized power [W].
    ftp_w : float
        Functional threshold power [W], > 0.
    """
    _check_positive(ftp_w=ftp_w)
    if normalized_power_w is None:
        return None
    return float(normalized_power_w) / ftp_w


def training_stress_score(
    duration_s: float, normalized_power_w: float | None, ftp_w: float
) -> float | None:
    """Training stress score [-] (Coggan; TrainingPeaks).

    TSS = duration_s × NP × IF / (FTP × 3600) × 100, with IF = NP / FTP; one hour at FTP gives
    100. None when NP is None.

    Parameters
    ----------
    duration_s : float
        Duration [s] that NP was averaged over, :func:`normalized_power_duration_s` (the seconds
        with power less 29 s: one per full 30-s window), as the devices compute it — not every
        recorded second.
    normalized_power_w : float or None
        Normalized power [W].
    ftp_w : float
        Functional threshold power [W], > 0.
    """
    factor = intensity_factor(normalized_power_w, ftp_w)
    if factor is None or normalized_power_w is None:
        return None
    return float(duration_s) * float(normalized_power_w) * factor / (ftp_w * 3600.0) * 100.0


def heart_rate_reserve_fraction(
    heart_rate_bpm: np.ndarray | pd.Series, rest_hr_bpm: float, max_hr_bpm: float
) -> np.ndarray:
    """Fraction of heart-rate reserve HRr = (HR − rest) / (max − rest), clipped to [0, 1] [-].

    Parameters
    ----------
    heart_rate_bpm : array or Series
        Heart rate [bpm]; NaN stays NaN.
    rest_hr_bpm, max_hr_bpm : float
        Resting and maximum heart rate [bpm], max > rest.
    """
    if not max_hr_bpm > rest_hr_bpm:
        raise ValueError(f"max_hr_bpm ({max_hr_bpm}) must exceed rest_hr_bpm ({rest_hr_bpm})")
    heart_rate = np.asarray(heart_rate_bpm, dtype=np.float64)
    return np.clip((heart_rate - rest_hr_bpm) / (max_hr_bpm - rest_hr_bpm), 0.0, 1.0)


def _weighting(sex: str) -> tuple[float, float]:
    try:
        return TRIMP_WEIGHTING[sex]
    except KeyError:
        raise ValueError(f"sex must be one of {sorted(TRIMP_WEIGHTING)}, got {sex!r}") from None


def banister_trimp(
    heart_rate_bpm: np.ndarray | pd.Series,
    rest_hr_bpm: float,
    max_hr_bpm: float,
    sex: str = "male",
    sample_s: float = 1.0,
) -> float | None:
    """Banister's training impulse TRIMP [a.u., weighted minutes].

    TRIMP = Σ Δt [min] × HRr × k·e^(b·HRr), with HRr the heart-rate reserve fraction
    (:func:`heart_rate_reserve_fraction`) and (k, b) = (0.64, 1.92) for men, (0.86, 1.67) for
    women (Banister 1991; Morton, Fitz-Clarke & Banister 1990). Summed per sample, so it follows
    the heart-rate trace rather than the session mean. NaN samples are not counted.

    Parameters
    ----------
    heart_rate_bpm : array or Series
        Heart rate [bpm], regularly sampled.
    rest_hr_bpm, max_hr_bpm : float
        Resting and maximum heart rate [bpm].
    sex : {"male", "female"}
    sample_s : float
        Sampling interval Δt [s].

    Returns
    -------
    float or None
        None when there is no valid sample.
    """
    _check_positive(sample_s=sample_s)
    k, b = _weighting(sex)
    reserve = heart_rate_reserve_fraction(heart_rate_bpm, rest_hr_bpm, max_hr_bpm).ravel()
    reserve = reserve[~np.isnan(reserve)]
    if reserve.size == 0:
        return None
    return float(np.sum(reserve * k * np.exp(b * reserve)) * sample_s / 60.0)


def normalized_trimp(
    heart_rate_bpm: np.ndarray | pd.Series,
    rest_hr_bpm: float,
    max_hr_bpm: float,
    lthr_bpm: float,
    sex: str = "male",
    sample_s: float = 1.0,
) -> float | None:
    """Banister TRIMP scaled so that one hour at LTHR scores 100 (an hrTSS-like score) [-].

    nTRIMP = 100 × TRIMP / TRIMP₆₀(LTHR), TRIMP₆₀(LTHR) = 60 × HRr_LT × k·e^(b·HRr_LT) with
    HRr_LT = (LTHR − rest) / (max − rest) (see :func:`banister_trimp`).

    Parameters
    ----------
    heart_rate_bpm : array or Series
        Heart rate [bpm], regularly sampled.
    rest_hr_bpm, max_hr_bpm : float
        Resting and maximum heart rate [bpm].
    lthr_bpm : float
        Lactate-threshold heart rate [bpm], > rest.
    sex : {"male", "female"}
    sample_s : float
        Sampling interval [s].

    Returns
    -------
    float or None
        None when there is no valid sample.
    """
    if not lthr_bpm > rest_hr_bpm:
        raise ValueError(f"lthr_bpm ({lthr_bpm}) must exceed rest_hr_bpm ({rest_hr_bpm})")
    trimp = banister_trimp(heart_rate_bpm, rest_hr_bpm, max_hr_bpm, sex, sample_s)
    if trimp is None:
        return None
    k, b = _weighting(sex)
    reserve_lt = float(heart_rate_reserve_fraction(lthr_bpm, rest_hr_bpm, max_hr_bpm))
    hour_at_lthr = 60.0 * reserve_lt * k * math.exp(b * reserve_lt)
    return 100.0 * trimp / hour_at_lthr


def _check_positive(**values: float) -> None:
    for name, value in values.items():
        if not value > 0:
            raise ValueError(f"{name} must be positive, got {value}")
