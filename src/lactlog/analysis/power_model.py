"""Power and heart-rate threshold models of best efforts: FTP from the best 20 minutes, critical
power and W' from a work–time line, and the windows they use.

Plain Python (no numpy): the history thresholds of a batch (:mod:`lactlog.analysis.history`) are
computed from cached best efforts on every run, so a run that finds everything in the cache
needs no numeric library. :mod:`lactlog.analysis.estimate` finds the best efforts and re-exports
these names.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

FTP_WINDOW_S = 1200  # best-effort window of the FTP estimate [s]
FTP_FRACTION = 0.95  # FTP / best 20-min mean power (Allen & Coggan)
LTHR_TEST_S = 1800  # Friel's test effort [s]...
LTHR_TAIL_S = 1200  # ...whose last 20 min give LTHR [s]
LTHR_FALLBACK_FRACTION = 0.95  # LTHR / best 20-min mean HR without a 30-min effort
MAX_HR_WINDOW_S = 5  # rolling window of the maximum heart rate [s]
#: Durations of the best mean powers fitted for CP and W' [s] (3, 5, 12, 20 min).
DEFAULT_CP_DURATIONS_S: tuple[int, ...] = (180, 300, 720, 1200)
#: Allowed CP fit durations [s]: the 2-parameter model holds for efforts of ~2–20 min.
CP_DURATION_RANGE_S = (180, 1200)
MIN_CP_POINTS = 3  # fewest durations with data for a CP fit
#: Below this W' [J] the fit gets a caveat: trained cyclists' W' is typically 10–25 kJ
#: (Jones et al. 2010), so a smaller one means the efforts were not maximal.
PLAUSIBLE_MIN_W_PRIME_J = 5000.0


def estimate_ftp(best_20_min_power_w: float) -> float:
    """Functional threshold power FTP = 0.95 × P₂₀ [W].

    P₂₀ is the best 20-min mean power [W]; the 5 % reduction approximates the 60-min power
    (Allen H, Coggan A, "Training and Racing with a Power Meter", 20-min test).
    """
    return FTP_FRACTION * float(best_20_min_power_w)


def fit_critical_power(
    durations_s: Sequence[float], powers_w: Sequence[float]
) -> tuple[float, float, float]:
    """Critical power and W' from the linear work–time model W = CP·t + W'.

    Least-squares line through the points (tᵢ, Wᵢ = Pᵢ·tᵢ): the slope is CP [W], the intercept
    W' [J]; R² = 1 − Σ(Wᵢ − Ŵᵢ)² / Σ(Wᵢ − W̄)² of that fit (Monod H, Scherrer J (1965),
    Ergonomics 8:329–338; Jones AM, Vanhatalo A, Burnley M, Morton RH, Poole DC (2010), Med Sci
    Sports Exerc 42:1876–1890). Equivalent to P(t) = CP + W'/t for exact data. Slope
    CP = Σ(tᵢ − t̄)(Wᵢ − W̄) / Σ(tᵢ − t̄)², intercept W' = W̄ − CP·t̄ (sums by ``math.fsum``).

    Parameters
    ----------
    durations_s : sequence of float
        Effort durations [s], at least two different ones.
    powers_w : sequence of float
        Best mean power over each duration [W].

    Returns
    -------
    (cp_w, w_prime_j, r2)
    """
    t = [float(d) for d in durations_s]
    p = [float(w) for w in powers_w]
    if len(t) != len(p) or len(set(t)) < 2 or any(math.isnan(v) for v in t + p):
        raise ValueError("need power values for at least two different durations")
    work = [pi * ti for pi, ti in zip(p, t, strict=True)]
    t_mean, work_mean = math.fsum(t) / len(t), math.fsum(work) / len(work)
    spread = math.fsum((ti - t_mean) ** 2 for ti in t)
    cp_w = math.fsum((ti - t_mean) * (wi - work_mean) for ti, wi in zip(t, work, strict=True)) \
        / spread
    w_prime_j = work_mean - cp_w * t_mean
    residual = math.fsum((wi - (cp_w * ti + w_prime_j)) ** 2
                         for ti, wi in zip(t, work, strict=True))
    total = math.fsum((wi - work_mean) ** 2 for wi in work)
    r2 = 1.0 - residual / total if total > 0 else 1.0
    return cp_w, w_prime_j, r2
