"""Threshold estimates from training history: FTP, LTHR, critical power and W', maximum HR.

Every estimate comes from the best-effort windows of the sessions (:mod:`lactlog.analysis.bests`).
The functions' docstrings give formulas and sources.
Training sessions are rarely all-out tests, so the estimates are only as high as the hardest
efforts in the history; every estimate keeps the windows it rests on so the athlete can judge.
An estimate the history rules reject (:mod:`lactlog.analysis.history`: an LTHR or FTP effort
below 85 % of max HR, a max HR below a typical maximum, a CP/W' fit out of bounds) is shown
with the reason and is not ``plausible``: ``lactlog thresholds --save`` never stores it, so a
saved profile value is never one that ``analyze`` would itself have refused to use.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lactlog.analysis.history import (
    HistoryRules,
    assumed_max_hr_bpm,
    plausibly_hard,
    robust_max_hr_bpm,
)
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
    windows, a ``note`` (why there is no value, or what to keep in mind), and ``plausible``
    (False: the history rules reject the value, the note says why; not saved)."""

    name: str
    value: float | None
    method: str
    evidence: tuple[Window, ...] = ()
    note: str | None = None
    plausible: bool = True


@dataclass(frozen=True)
class CriticalPowerFit:
    """CP [W], W' [J] and R² of the work–time fit, with the best power per duration used."""

    cp_w: float | None
    w_prime_j: float | None
    r2: float | None
    points: tuple[Window, ...]
    missing_durations_s: tuple[int, ...]
    note: str | None = None
    within_bounds: bool = True
    """False when CP is not below the best 20-min power or W' is above the history rules'
    ``cp_max_w_prime_j`` (the note says which)."""

    @property
    def usable(self) -> bool:
        """A fit on enough durations with positive CP, a plausible W' (≥ 5 kJ) and within the
        history's bounds (CP below the best 20-min power, W' ≤ ``cp_max_w_prime_j``).

        A smaller W' comes from efforts that were not all-out; saving it would make every later
        W' balance look like deep depletion, so ``--save`` leaves CP and W' out then.
        """
        return (self.cp_w is not None and self.w_prime_j is not None and self.within_bounds
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
            if estimate.plausible and estimate.value is not None and round(estimate.value) > 0:
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
    rules: HistoryRules | None = None,
) -> EstimateReport:
    """Estimate FTP, LTHR, CP/W' and maximum HR from the best windows of many sessions.

    Power comes from sessions of group ``sport`` (default ``bike``: running power needs its own
    thresholds, so run power is used only with ``sport="run"``); heart rate from sessions of
    ``sport`` (default: every sport). Strength sessions count for maximum HR only. ``rules``
    (the history rules, :func:`~lactlog.analysis.history.history_rules`) judge which estimates
    are plausible (module docstring); default: the default rules.
    """
    rules = HistoryRules() if rules is None else rules
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
        ftp_w=_ftp(power, power_group, rules),
        lthr_bpm=_lthr([b for b in heart if not b.strength],
                       _reference_max_hr(heart, heart_rate_group, rules), rules),
        max_hr_bpm=_max_hr(heart, assumed_max_hr_bpm(heart_rate_group, rules)),
        critical_power=_critical_power(power, durations, power_group, rules),
    )


def _reference_max_hr(sessions: list[SessionBests], group: str, rules: HistoryRules) -> float:
    """The max HR that LTHR and FTP efforts are judged against, as the history does
    (:func:`~lactlog.analysis.history.reference_max_hr`): the sessions' robust 5-s peak, never
    below the assumed maximum."""
    peaks = [b.heart_rate_peak_5_s.mean for b in sessions if b.heart_rate_peak_5_s is not None]
    observed = robust_max_hr_bpm(peaks)
    return max(observed or 0.0, assumed_max_hr_bpm(group, rules))


def _not_hard(what: str, effort_bpm: float, reference_bpm: float, rules: HistoryRules) -> str:
    return (f"not saved: the {what} was ridden or run at a mean HR of {effort_bpm:.0f} bpm, below "
            f"{rules.lthr_min_fraction_of_max_hr:.0%} of max HR {reference_bpm:.0f} bpm — not a "
            "threshold effort (the history rules analyze uses give none either)")


def _best(windows: Iterable[Window | None]) -> Window | None:
    return max((w for w in windows if w is not None), key=lambda w: w.mean, default=None)


def _ftp(power: list[SessionBests], group: str, rules: HistoryRules) -> Estimate:
    method = "0.95 × best 20-min mean power (Allen & Coggan)"
    best = _best(b.power_w.get(FTP_WINDOW_S) for b in power)
    if best is None:
        return Estimate("ftp_w", None, method,
                        note=f"no {group} session with 20 min of power in a row")
    during = next(b.heart_rate_during_best_20_min_power_bpm for b in power
                  if b.power_w.get(FTP_WINDOW_S) is best)
    reference = _reference_max_hr(power, group, rules)
    if during is not None and not plausibly_hard(during, reference,
                                                 rules.lthr_min_fraction_of_max_hr):
        return Estimate("ftp_w", estimate_ftp(best.mean), method, (best,),
                        _not_hard("best 20 min of power", during, reference, rules), False)
    return Estimate("ftp_w", estimate_ftp(best.mean), method, (best,))


def _lthr(heart: list[SessionBests], reference_bpm: float, rules: HistoryRules) -> Estimate:
    """LTHR from the best efforts; not plausible when the effort's mean HR is below
    ``rules.lthr_min_fraction_of_max_hr`` × ``reference_bpm`` (:func:`_reference_max_hr`)."""
    test = _best(b.heart_rate_30_min for b in heart)
    tail = next((b.heart_rate_30_min_tail for b in heart if b.heart_rate_30_min is test), None)
    if test is not None and tail is not None:  # session_bests sets both or neither
        value, _ = lthr_from_best_efforts(tail.mean, None)
        method = "mean HR of the last 20 min of the best 30-min effort (Friel's 30-min test)"
        evidence: tuple[Window, ...] = (test, tail)
        effort, what = test.mean, "best 30-min effort"
    else:
        method = "0.95 × best 20-min mean HR (no session with 30 min of heart rate in a row)"
        best = _best(b.heart_rate_20_min for b in heart)
        if best is None:
            return Estimate("lthr_bpm", None, method,
                            note="no session with 20 min of heart rate in a row")
        value, _ = lthr_from_best_efforts(None, best.mean)
        evidence, effort, what = (best,), best.mean, "best 20-min effort"
    if not plausibly_hard(effort, reference_bpm, rules.lthr_min_fraction_of_max_hr):
        return Estimate("lthr_bpm", value, method, evidence,
                        _not_hard(what, effort, reference_bpm, rules), False)
    return Estimate("lthr_bpm", value, method, evidence)


def _max_hr(heart: list[SessionBests], assumed_bpm: float) -> Estimate:
    """The highest 5-s peak; not plausible below ``assumed_bpm`` (the history then assumes
    that typical maximum instead of a training peak)."""
    method = "highest 5-s mean of cleaned heart rate"
    best = _best(b.heart_rate_peak_5_s for b in heart)
    if best is None:
        return Estimate("max_hr_bpm", None, method, note="no heart rate in these sessions")
    if best.mean < assumed_bpm:
        note = (f"not saved: a training peak below a typical maximum of {assumed_bpm:.0f} bpm "
                "(Tanaka et al. 2001), which the history assumes instead; if this is your "
                "maximum, set max_hr_bpm yourself")
        return Estimate("max_hr_bpm", best.mean, method, (best,), note, False)
    note = "a training maximum: lower than a true HRmax unless a session went all-out"
    return Estimate("max_hr_bpm", best.mean, method, (best,), note)


def _critical_power(
    power: list[SessionBests], durations_s: tuple[int, ...], group: str, rules: HistoryRules
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
    best_20 = _best(b.power_w.get(FTP_WINDOW_S) for b in power)
    within = True
    if note is None and w_prime_j > rules.cp_max_w_prime_j:
        within, note = False, (f"W' above {rules.cp_max_w_prime_j / 1000:.0f} kJ: the short "
                               "best efforts were harder than the long ones, not a power "
                               "curve (not saved by --save)")
    elif note is None and best_20 is not None and cp_w >= best_20.mean:
        within, note = False, (f"CP {cp_w:.0f} W not below the best 20-min power "
                               f"{best_20.mean:.0f} W: the long efforts were not maximal "
                               "(not saved by --save)")
    return CriticalPowerFit(cp_w, w_prime_j, r2, found, missing, note, within)
