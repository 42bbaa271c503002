"""Threshold estimates from training history: FTP, LTHR, critical power and W', maximum HR.

Every estimate comes from the best-effort windows of the sessions (:mod:`lactlog.analysis.bests`).
The functions' docstrings give formulas and sources.
Training sessions are rarely all-out tests, so the estimates are only as high as the hardest
efforts in the history; every estimate keeps the windows it rests on so the athlete can judge.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

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
from lactlog.summaries import SessionBests, Window


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
