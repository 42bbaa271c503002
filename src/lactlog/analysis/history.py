"""Thresholds from the athlete's own history: dated, per sport group, from a rolling window.

For a session on day D, the *window* holds the sessions of the same sport group (run, bike,
swim, other) dated D − (window − 1) … D, the session itself included. From their best-effort
windows (:class:`~lactlog.summaries.SessionBests`):

- **FTP, CP, W'** (power sessions of the group, strength sessions left out): the best mean power
  of each of 3, 5, 12 and 20 min over the window is fitted with the two-parameter critical-power
  model W = CP·t + W' (Monod & Scherrer 1965; Jones et al. 2010, Med Sci Sports Exerc
  42:1876–1890; GoldenCheetah's CP), see :func:`~lactlog.analysis.power_model.fit_critical_power`.
  The fit is taken as maximal — and then FTP = CP, as intervals.icu's eFTP also reads FTP off a
  fitted power–duration model — when 5 kJ ≤ W' ≤ ``cp_max_w_prime_j`` (trained cyclists: W'
  ≈ 10–25 kJ, Jones et al. 2010) and 0 < CP < best 20-min power. Otherwise the bests were not
  all-out and FTP = 0.95 × best 20-min power (Allen & Coggan's 20-min test), CP/W' unknown.
  Either way, when the best 20 minutes carry heart rate and its mean is below
  ``lthr_min_fraction_of_max_hr`` × max HR (below), they were no threshold effort and give no
  FTP. CP and W' of the history are never used on their own (:meth:`HistoryThresholds.
  usable_alone`), only as evidence that a stored CP is stale.
- **max HR**: the second-highest of the sessions' 5-s peaks of cleaned heart rate (the cleaning
  already removes isolated spikes with a Hampel filter; taking the second-highest session also
  discards one session with a sensor artefact such as an optical sensor locked onto cadence).
  With one session its own peak stands. A training peak is only a lower bound of the true
  maximum, and every threshold derived from a lower bound overrates every session, so the max
  HR is never taken below ``assumed_max_hr_bpm`` (180 bpm: Tanaka et al. 2001, J Am Coll
  Cardiol 37:153, 208 − 0.7 × age at 40 years; swims: minus the swim offset); the source says
  when the assumed value is used.
- **LTHR**: the mean HR of the last 20 min of the best 30-min HR effort (Friel's 30-min test),
  else 0.95 × the best 20-min mean HR — only when that effort was plausibly hard: its mean HR
  ≥ ``lthr_min_fraction_of_max_hr`` (0.85) × max HR, the low end of the 85–95 % of HRmax at
  which trained athletes' LTHR lies (Friel, "The Triathlete's Training Bible"). An easy
  steady session never becomes a "threshold" this way.
- **swim**: swimming HR runs lower than running HR — peak HR in maximal swimming is ~11 bpm
  below treadmill running and DiCarlo et al. (1991, Int J Sports Med 12:309–312) advise
  subtracting 12 bpm (6.7 bpm in elite swimmers: Olstad et al. 2019, Sports 7:235). Without a
  swim value of its own, a swim gets the run value − ``swim_hr_offset_bpm``, said so in the
  source. No other sport gets another sport's thresholds.

Every value carries its source text with the evidence (``history 90 d: 0.95 × best 20-min 281 W
(3 sessions)``). The raw evidence (best 20-min power, best 30-min tail HR, peak HR) is kept for
the stale checks of :mod:`lactlog.analysis.thresholds`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, timedelta

from lactlog.analysis.history_window import SlidingWindow, WindowEvidence, window_evidence
from lactlog.analysis.power_model import (
    DEFAULT_CP_DURATIONS_S,
    FTP_WINDOW_S,
    LTHR_FALLBACK_FRACTION,
    MIN_CP_POINTS,
    PLAUSIBLE_MIN_W_PRIME_J,
    estimate_ftp,
    fit_critical_power,
)
from lactlog.settings import Settings, rules_from
from lactlog.summaries import DatedBests, SessionBests, Threshold

#: Sport groups with thresholds of their own (``sport_group`` names).
GROUPS: tuple[str, ...] = ("run", "bike", "swim", "other")


@dataclass(frozen=True, eq=False)
class HistoryRules:
    """How history thresholds are formed (the ``history_*``/``stale_*`` settings)."""

    window_days: int = 90
    min_sessions: int = 1
    lthr_min_fraction_of_max_hr: float = 0.85
    assumed_max_hr_bpm: float = 180.0
    cp_max_w_prime_j: float = 40000.0
    swim_hr_offset_bpm: float = 12.0
    stale_power_tolerance: float = 0.05
    stale_lthr_margin_bpm: float = 5.0
    stale_max_hr_margin_bpm: float = 1.0


def history_rules(settings: Settings) -> HistoryRules:
    """The history part of a :class:`~lactlog.settings.Settings` (same field names with
    ``history_`` dropped where the settings carry that prefix)."""
    prefixed = {f.name: getattr(settings, f"history_{f.name}") for f in fields(HistoryRules)
                if hasattr(settings, f"history_{f.name}")}
    return rules_from(HistoryRules, settings, **prefixed)


@dataclass(frozen=True)
class HistoryThresholds:
    """Thresholds a sport group's history gives on one day, and the evidence behind them.

    ``n_power_sessions`` / ``n_heart_rate_sessions``: sessions of the window with a 20-min
    power window / any heart rate; a threshold is used on its own (no stored value) only when
    it rests on ``min_sessions`` (:meth:`usable_alone`). ``best_20_min_power_w``, ``best_hr_tail_bpm`` (last 20 min
    of the best 30-min HR effort) and ``peak_hr_bpm`` (see max HR above) are the evidence the
    stale checks compare stored thresholds with; ``lthr_effort_mean_bpm`` is the mean HR of the
    effort the LTHR comes from (checked again against a stored max HR); ``notes`` say why a
    value is missing.
    """

    group: str
    window_days: int
    min_sessions: int = 1
    n_power_sessions: int = 0
    n_heart_rate_sessions: int = 0
    ftp_w: Threshold = field(default_factory=Threshold)
    cp_w: Threshold = field(default_factory=Threshold)
    w_prime_j: Threshold = field(default_factory=Threshold)
    lthr_bpm: Threshold = field(default_factory=Threshold)
    max_hr_bpm: Threshold = field(default_factory=Threshold)
    best_20_min_power_w: float | None = None
    best_hr_tail_bpm: float | None = None
    peak_hr_bpm: float | None = None
    lthr_effort_mean_bpm: float | None = None
    notes: tuple[str, ...] = ()

    def sessions_for(self, name: str) -> int:
        """How many sessions the threshold ``name`` rests on (power or heart rate)."""
        return self.n_power_sessions if name in ("ftp_w", "cp_w", "w_prime_j") else (
            self.n_heart_rate_sessions
        )

    def usable_alone(self, name: str) -> bool:
        """Whether threshold ``name`` has a value resting on at least ``min_sessions``.

        CP and W' never are: a CP fit of the sessions' own best efforts is emptied by those very
        efforts, so every hard session would read as "W' fully depleted". W' balance needs CP
        and W' from a test, the profile or the device; the history's fit only flags them stale.
        """
        if name in ("cp_w", "w_prime_j"):
            return False
        found = getattr(self, name, None)
        return (found is not None and found.value is not None
                and self.sessions_for(name) >= self.min_sessions)


def robust_max_hr_bpm(peaks_bpm: Sequence[float]) -> float | None:
    """Second-highest of the sessions' 5-s HR peaks [bpm]; the only one with one session;
    None without any. E.g. peaks (171, 188, 183) -> 183."""
    ordered = sorted((float(p) for p in peaks_bpm), reverse=True)
    if not ordered:
        return None
    return ordered[1] if len(ordered) > 1 else ordered[0]


def assumed_max_hr_bpm(group: str, rules: HistoryRules) -> float:
    """The lowest max HR assumed for sport group ``group`` [bpm]: ``rules.assumed_max_hr_bpm``,
    for swims less ``rules.swim_hr_offset_bpm`` (swim HR runs lower)."""
    return rules.assumed_max_hr_bpm - (rules.swim_hr_offset_bpm if group == "swim" else 0.0)


def plausibly_hard(effort_mean_hr_bpm: float, max_hr_bpm: float | None, fraction: float) -> bool:
    """An HR effort counts for LTHR when its mean ≥ ``fraction`` × max HR (False without max)."""
    return max_hr_bpm is not None and effort_mean_hr_bpm >= fraction * max_hr_bpm


def power_thresholds(
    bests: Sequence[SessionBests], rules: HistoryRules, label: str,
    durations_s: Sequence[int] = DEFAULT_CP_DURATIONS_S,
    min_heart_rate_bpm: float | None = None,
) -> tuple[Threshold, Threshold, Threshold, float | None]:
    """(FTP, CP, W', best 20-min power [W]) from the power bests of ``bests`` (module rules).

    ``label`` starts every source text (e.g. ``history 90 d``). With ``min_heart_rate_bpm``,
    a best 20 minutes ridden at a lower mean heart rate gives no FTP: it was not a threshold
    effort (the best-20-min power stays as evidence for the stale checks).
    """
    evidence = window_evidence(bests, (FTP_WINDOW_S, *durations_s))
    return _power_thresholds(evidence, rules, label, durations_s, min_heart_rate_bpm)


def _power_thresholds(
    evidence: WindowEvidence, rules: HistoryRules, label: str, durations_s: Sequence[int],
    min_heart_rate_bpm: float | None,
) -> tuple[Threshold, Threshold, Threshold, float | None]:
    """:func:`power_thresholds` from a window's evidence."""
    best = evidence.best_power_w
    best_20 = best[FTP_WINDOW_S]
    if best_20 is None or best_20 <= 0:  # no power, or a meter that only ever sent zeros
        return Threshold(), Threshold(), Threshold(), None
    during = evidence.heart_rate_during_best_20_min_power_bpm
    threshold_effort = min_heart_rate_bpm is None or during is None or during >= min_heart_rate_bpm
    points = [(d, p) for d in durations_s if (p := best[d])]
    if len(points) >= MIN_CP_POINTS:
        cp_w, w_prime_j, _ = fit_critical_power([d for d, _ in points], [p for _, p in points])
        if 0 < cp_w < best_20 and PLAUSIBLE_MIN_W_PRIME_J <= w_prime_j <= rules.cp_max_w_prime_j:
            lo, hi = min(d for d, _ in points) // 60, max(d for d, _ in points) // 60
            text = f"{label}: CP fit of {lo}–{hi}-min bests, W' {w_prime_j / 1000:.1f} kJ " \
                   f"({_count(evidence.n_power)})"
            cp, w_prime = Threshold(round(cp_w, 1), text), Threshold(round(w_prime_j), text)
            return (Threshold(round(cp_w, 1), text) if threshold_effort else Threshold(),
                    cp, w_prime, best_20)
    if not threshold_effort:
        return Threshold(), Threshold(), Threshold(), best_20
    text = f"{label}: 0.95 × best 20-min {best_20:.0f} W ({_count(evidence.n_power_20_min)})"
    return Threshold(round(estimate_ftp(best_20), 1), text), Threshold(), Threshold(), best_20


@dataclass(frozen=True, eq=False)
class HeartRateHistory:
    """What :func:`heart_rate_thresholds` finds (see :class:`HistoryThresholds`)."""

    lthr_bpm: Threshold = field(default_factory=Threshold)
    max_hr_bpm: Threshold = field(default_factory=Threshold)
    best_hr_tail_bpm: float | None = None
    peak_hr_bpm: float | None = None
    lthr_effort_mean_bpm: float | None = None
    note: str | None = None


def reference_max_hr(
    peak_bpm: float, assumed_bpm: float, label: str, how: str
) -> tuple[float, Threshold]:
    """The max HR that thresholds rest on: the history's peak, but never below the assumed
    population maximum ``assumed_bpm`` (module docstring), with its source text."""
    if peak_bpm >= assumed_bpm:
        return peak_bpm, Threshold(round(peak_bpm, 1), f"{label}: {how}")
    text = (f"assumed {assumed_bpm:.0f} bpm: the {label} peak {peak_bpm:.0f} bpm ({how}) is a "
            "training peak, below a typical maximum (Tanaka et al. 2001)")
    return assumed_bpm, Threshold(round(assumed_bpm, 1), text)


def heart_rate_thresholds(
    bests: Sequence[SessionBests], rules: HistoryRules, label: str,
    assumed_max_hr_bpm: float | None = None,
) -> HeartRateHistory:
    """LTHR, max HR and their evidence from ``bests`` (module rules); ``assumed_max_hr_bpm``
    (default ``rules.assumed_max_hr_bpm``) is the lowest max HR assumed."""
    assumed = rules.assumed_max_hr_bpm if assumed_max_hr_bpm is None else assumed_max_hr_bpm
    return _heart_rate_thresholds(window_evidence(bests, ()), rules, label, assumed)


def _heart_rate_thresholds(
    evidence: WindowEvidence, rules: HistoryRules, label: str, assumed_max_hr_bpm: float
) -> HeartRateHistory:
    """:func:`heart_rate_thresholds` from a window's evidence."""
    observed = robust_max_hr_bpm(evidence.top_peaks_bpm)
    if observed is None:
        return HeartRateHistory()
    n_peaks = evidence.n_heart_rate
    how = f"2nd-highest 5-s peak of {n_peaks} sessions" if n_peaks > 1 else (
        "5-s peak of the only session")
    peak, max_hr = reference_max_hr(observed, assumed_max_hr_bpm, label, how)
    fraction = rules.lthr_min_fraction_of_max_hr
    if evidence.best_30_min_hr_bpm is not None:
        effort, tail = evidence.best_30_min_hr_bpm
        if plausibly_hard(effort, peak, fraction):
            text = f"{label}: best 30-min HR effort, last 20 min {tail:.0f} bpm"
            return HeartRateHistory(Threshold(round(tail, 1), text), max_hr, tail, observed,
                                    effort)
        return HeartRateHistory(Threshold(), max_hr, tail, observed, None, (
            f"best 30-min HR effort ({effort:.0f} bpm) below {fraction:.0%} of max HR "
            f"{peak:.0f} bpm: not hard enough for an LTHR"))
    best_20 = evidence.best_20_min_hr_bpm
    if best_20 is not None and plausibly_hard(best_20, peak, fraction):
        value = LTHR_FALLBACK_FRACTION * best_20
        text = f"{label}: 0.95 × best 20-min HR {best_20:.0f} bpm"
        return HeartRateHistory(Threshold(round(value, 1), text), max_hr, None, observed,
                                best_20)
    return HeartRateHistory(Threshold(), max_hr, None, observed, None,
                            "no hard 20-min heart-rate effort")


def group_history(
    group: str, bests: Sequence[SessionBests], rules: HistoryRules,
    run: HistoryThresholds | None = None,
) -> HistoryThresholds:
    """History thresholds of ``group`` from its sessions ``bests`` (one window, in day order).

    ``run``: the run group's history of the same window, carried to a swim (with the offset)
    where the swims give no value of their own.
    """
    own = window_evidence((b for b in bests if b.group == group), _POWER_WINDOWS_S)
    return _group_history(group, own, rules, run)


#: The best-power windows the history uses [s].
_POWER_WINDOWS_S: tuple[int, ...] = (FTP_WINDOW_S, *DEFAULT_CP_DURATIONS_S)


def _group_history(
    group: str, evidence: WindowEvidence, rules: HistoryRules, run: HistoryThresholds | None
) -> HistoryThresholds:
    """:func:`group_history` from the evidence of the group's sessions of the window."""
    label = f"history {rules.window_days} d"
    assumed = assumed_max_hr_bpm(group, rules)
    heart = _heart_rate_thresholds(evidence, rules, label, assumed)
    reference = max(heart.peak_hr_bpm or 0.0, assumed)
    ftp, cp, w_prime, best_20 = _power_thresholds(
        evidence, rules, label, DEFAULT_CP_DURATIONS_S,
        min_heart_rate_bpm=rules.lthr_min_fraction_of_max_hr * reference)
    lthr, max_hr, effort = heart.lthr_bpm, heart.max_hr_bpm, heart.lthr_effort_mean_bpm
    n_heart_rate = evidence.n_heart_rate
    if group == "swim" and run is not None:
        lthr, max_hr = _carry_to_swim(lthr, max_hr, run, rules)
        if lthr is not heart.lthr_bpm and run.lthr_effort_mean_bpm is not None:  # carried
            effort = run.lthr_effort_mean_bpm - rules.swim_hr_offset_bpm
        if lthr is not heart.lthr_bpm or max_hr is not heart.max_hr_bpm:
            n_heart_rate += run.n_heart_rate_sessions  # carried values rest on the runs too
    return HistoryThresholds(
        group=group,
        window_days=rules.window_days,
        min_sessions=rules.min_sessions,
        n_power_sessions=evidence.n_power_20_min,
        n_heart_rate_sessions=n_heart_rate,
        ftp_w=ftp, cp_w=cp, w_prime_j=w_prime, lthr_bpm=lthr, max_hr_bpm=max_hr,
        best_20_min_power_w=best_20, best_hr_tail_bpm=heart.best_hr_tail_bpm,
        peak_hr_bpm=heart.peak_hr_bpm, lthr_effort_mean_bpm=effort,
        notes=(heart.note,) if heart.note else (),
    )


def _carry_to_swim(
    lthr: Threshold, max_hr: Threshold, run: HistoryThresholds, rules: HistoryRules
) -> tuple[Threshold, Threshold]:
    """Run LTHR / max HR − the swim offset where the swims have none (max HR: the higher)."""
    offset = rules.swim_hr_offset_bpm
    cite = f"− {offset:.0f} bpm swim offset (DiCarlo et al. 1991)"
    if lthr.value is None and run.lthr_bpm.value is not None:
        lthr = Threshold(round(run.lthr_bpm.value - offset, 1),
                         f"{(run.lthr_bpm.source or '').split(':')[0]}: run LTHR "
                         f"{run.lthr_bpm.value:.0f} bpm {cite}")
    if run.max_hr_bpm.value is not None:
        carried = run.max_hr_bpm.value - offset
        if max_hr.value is None or carried > max_hr.value:
            max_hr = Threshold(round(carried, 1),
                               f"{(run.max_hr_bpm.source or '').split(':')[0]}: run max HR "
                               f"{run.max_hr_bpm.value:.0f} bpm {cite}")
    return lthr, max_hr


def history_by_session(
    sessions: Iterable[DatedBests], rules: HistoryRules
) -> dict[tuple[str, int], HistoryThresholds]:
    """History thresholds of every session, keyed by (source, session index).

    The window of a session on day D holds the sessions dated D − (window_days − 1) … D (so
    ``window_days`` calendar days, D included); sessions of the same group and day share it.
    Copies of one activity (same sport group and start, e.g. a FIT and its GPX export) count
    once as evidence. ``window_days`` 0 switches history thresholds off (an empty result).
    Strength sessions are evidence for the others but get none (they use no threshold:
    :func:`~lactlog.analysis.session.uses_history`; a lifting log holds thousands).
    """
    everything = list(sessions)
    if rules.window_days < 1:  # history thresholds switched off
        return {}
    unique: dict[object, DatedBests] = {}
    for s in everything:
        ref = s.bests.session
        same = (s.bests.group, ref.start) if ref.start is not None else (ref.source, ref.session_index)
        unique.setdefault(same, s)
    # each group's sessions by day: a group's thresholds rest on its own sessions alone
    # (group_history), so its windows need not hold (and filter) the other groups'
    by_group: dict[str, list[DatedBests]] = {}
    for s in sorted(unique.values(), key=lambda s: s.day):
        by_group.setdefault(s.bests.group, []).append(s)
    wanted: dict[str, set[date]] = {}  # the days each group's history is asked for
    for s in everything:
        if not s.bests.strength:
            wanted.setdefault(s.bests.group, set()).add(s.day)
    if "swim" in wanted:  # a swim's history carries the run's of its day
        wanted.setdefault("run", set()).update(wanted["swim"])
    on: dict[tuple[str, date], HistoryThresholds] = {}
    for group in sorted(wanted, key=lambda g: g != "run"):  # the runs' before the swims'
        for day, evidence in _windows(by_group.get(group, []), sorted(wanted[group]), rules):
            run = on[("run", day)] if group == "swim" else None
            on[(group, day)] = _group_history(group, evidence, rules, run)
    return {(s.bests.session.source, s.bests.session.session_index): on[(s.bests.group, s.day)]
            for s in everything if not s.bests.strength}


def _windows(
    sessions: Sequence[DatedBests], days: Iterable[date], rules: HistoryRules
) -> Iterator[tuple[date, WindowEvidence]]:
    """The evidence of the window of each of ``days`` (ascending) over ``sessions`` (one
    group's, in day order): the window slides, each session enters and leaves it once."""
    window = SlidingWindow(_POWER_WINDOWS_S)
    entered = left = 0
    for day in days:
        while entered < len(sessions) and sessions[entered].day <= day:
            window.enter(sessions[entered].bests)
            entered += 1
        first_day = day - timedelta(days=rules.window_days - 1)
        while left < entered and sessions[left].day < first_day:
            window.leave()
            left += 1
        yield day, window.evidence()


def latest_by_group(
    sessions: Iterable[DatedBests], rules: HistoryRules
) -> dict[str, HistoryThresholds]:
    """Each sport group's history thresholds on the day of its latest session — what
    :func:`history_by_session` gives that session (``lactlog thresholds`` shows these)."""
    everything = list(sessions)
    by_session = history_by_session(everything, rules)
    latest: dict[str, DatedBests] = {}
    for s in everything:
        if s.bests.group not in latest or s.day >= latest[s.bests.group].day:
            latest[s.bests.group] = s
    return {group: by_session[(s.bests.session.source, s.bests.session.session_index)]
            for group, s in sorted(latest.items(), key=lambda item: GROUPS.index(item[0]))
            if (s.bests.session.source, s.bests.session.session_index) in by_session}


def _count(n: int) -> str:
    return f"{n} session{'s' if n != 1 else ''}"
