"""Weekly summaries: sessions grouped by ISO week in the athlete's local time.

Pure functions of :class:`~lactlog.analysis.session.SessionSummary` objects (anything with the
same attributes works). Conventions, in one place:

- **Local time** (:func:`~lactlog.analysis.calendar_time.local_start`): the one rule of :mod:`lactlog.localtime` — the
  profile's IANA time zone when given, else the file's UTC offset, else this computer's zone.
  Weeks are ISO weeks (Monday to Sunday) of the local date.
- **Session load** (:func:`session_load`): the session's TSS when known, else its normalised
  TRIMP (scaled so that one hour at LTHR scores 100, like TSS), else 0. Both score one hour at
  threshold as 100, so they can be summed, but they are not the same quantity: a heart-rate
  based score lags and under-scores short hard efforts compared with power.
- **Performance management** (:func:`performance_management`): GoldenCheetah's PMC
  (exponentially weighted daily load, time constants 42 and 7 days).
- **Week-over-week change** (``WeekSummary.change``): for ``time_above_lt_s``, ``load`` and
  ``sessions``: ``absolute`` = this week − previous calendar week, ``relative`` = absolute /
  previous week (``None`` when the previous week is 0). ``change`` is ``None`` for the first
  week of the history.
- **Duplicates** (:func:`~lactlog.analysis.duplicates.find_duplicates`) are dropped before
  anything else is computed.

The session time helpers live in :mod:`lactlog.analysis.calendar_time`, duplicate detection in
:mod:`lactlog.analysis.duplicates` and the 48-h window in :mod:`lactlog.analysis.window48h`;
their names stay importable from here.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from lactlog.analysis.calendar_time import (
    iso_week_label,
    local_start,
    session_end_utc,
    week_monday,
)
from lactlog.analysis.duplicates import Duplicate, find_duplicates
from lactlog.analysis.pmc import exponential_average, performance_management
from lactlog.analysis.polarization import SEILER_SYSTEM, polarization_index, zone2_substituted
from lactlog.analysis.select import clock_known_wrong, matches_sport
from lactlog.analysis.window48h import WINDOW_48H_S, window_48h_coverage
from lactlog.localtime import as_utc, local_midnight

if TYPE_CHECKING:  # daily_load and daily_performance import pandas; weekly_summaries does not
    import pandas as pd

    from lactlog.analysis.session import SessionSummary

CHANGE_FIELDS = ("time_above_lt_s", "load", "sessions")
_LEVEL_RANK = {"low": 0, "moderate": 1, "high": 2}


@dataclass(frozen=True)
class WeekSummary:
    """One ISO week of training (local time); SI units, sums over the week's sessions.

    ``ctl``, ``atl`` [load/day] are the PMC values at the end of the week's last day (of the
    last day with data, or ``until``, for the final week); ``tsb`` = ``ctl`` − ``atl`` of that
    day, i.e. GoldenCheetah's stress balance of the following day ("form going into next
    week"). ``seiler_fractions`` are the shares (Z1, Z2, Z3) of the week's time in Seiler's
    three zones (None without any); ``polarization_index`` and ``polarization_index_note`` see
    :func:`treff_polarization_index`; ``window_48h_coverage`` see :func:`window_48h_coverage`;
    ``change`` see the module docstring; ``stimulus_minutes`` = ``time_above_lt_s`` / 60 [min].
    """

    week: str
    week_start: date
    sessions: int
    sessions_by_sport: dict[str, int]
    duration_s: float
    timer_s: float
    time_above_lt_s: float
    high_sessions: int
    moderate_sessions: int
    low_sessions: int
    hard_intervals: int
    metabolic_stress_sets: int
    volume_load_kg: float | None
    load: float
    ctl: float
    atl: float
    tsb: float
    seiler_fractions: tuple[float, float, float] | None
    polarization_index: float | None
    polarization_index_note: str | None
    window_48h_coverage: float
    change: dict[str, dict[str, float | None]] | None
    stimulus_minutes: float


# --- per session ---------------------------------------------------------------------------


def session_load(summary: SessionSummary) -> float:
    """Training load of one session [TSS-like points]: :attr:`EnduranceAnalysis.load`, else 0."""
    endurance = summary.endurance
    load = None if endurance is None else endurance.load
    return 0.0 if load is None else load


def session_level(summary: SessionSummary) -> str | None:
    """The session's stimulus level: the higher of the endurance and strength verdicts."""
    levels = [
        getattr(getattr(part, "verdict", None), "level", None)
        for part in (summary.endurance, getattr(summary, "strength", None))
        if part is not None
    ]
    known = [level for level in levels if level in _LEVEL_RANK]
    return max(known, key=_LEVEL_RANK.__getitem__) if known else None


# --- daily load ------------------------------------------------------------------------------


def daily_load(summaries: Iterable[SessionSummary], tz: str | None) -> pd.Series:
    """Sum of :func:`session_load` per local calendar day.

    Returns a Series named ``load`` on a daily ``DatetimeIndex`` (naive local midnights) from the
    first to the last day with a session, 0 on days without; empty without sessions. Sessions
    without a start time are left out.
    """
    import pandas as pd

    loads = {pd.Timestamp(day): load for day, load in _day_loads(summaries, tz).items()}
    if not loads:
        return pd.Series([], index=pd.DatetimeIndex([], freq="D"), dtype=float, name="load")
    index = pd.date_range(min(loads), max(loads), freq="D")
    return pd.Series(loads, dtype=float).reindex(index, fill_value=0.0).rename("load")


def _day_loads(summaries: Iterable[SessionSummary], tz: str | None) -> dict[date, float]:
    """Sum of :func:`session_load` per local calendar day with a session (sessions without a
    start time left out)."""
    loads: dict[date, float] = {}
    for summary in summaries:
        if summary.start is None:
            continue
        day = local_start(summary, tz).date()
        loads[day] = loads.get(day, 0.0) + session_load(summary)
    return loads


def _pmc_by_day(loads: dict[date, float], last: date) -> dict[date, tuple[float, float]]:
    """(CTL, ATL) at the end of every day from the first day of ``loads`` to ``last``
    [load/day], as :func:`~lactlog.analysis.pmc.performance_management` gives them (days
    without sessions count as load 0)."""
    first = min(loads)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    load = [loads.get(day, 0.0) for day in days]
    return dict(zip(days, zip(exponential_average(load, 42), exponential_average(load, 7),
                              strict=True), strict=True))


# --- weeks -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Session:
    summary: SessionSummary
    day: date
    end_utc: datetime
    utc_offset_s: int | None


def weekly_summaries(
    summaries: Iterable[SessionSummary],
    tz: str | None,
    *,
    weeks: int | None = None,
    since: date | None = None,
    until: date | None = None,
    sport: str | None = None,
) -> tuple[list[WeekSummary], list[Duplicate]]:
    """Deduplicate, filter and summarise sessions per ISO week (oldest first).

    Rows are whole ISO weeks of local dates: every week from the first to the last week with a
    session, empty weeks in between included (zero sessions; CTL keeps decaying). The filters
    choose the rows shown — ``since`` / ``until`` keep the weeks containing a day of
    [since, until] (whole weeks, so a row always means the same thing), ``weeks`` keeps the
    last N of those — but CTL/ATL, the 48-h windows of the previous week and ``change`` are
    computed from the whole history. ``sport`` (a sport group or alias, e.g. ``run`` or
    ``running``, see :func:`~lactlog.analysis.select.matches_sport`) filters the history itself:
    CTL/ATL are then those of that sport group alone. Sessions without a start time, and sessions
    whose device clock was never set (:func:`~lactlog.analysis.select.clock_known_wrong`), cannot
    be placed in a week and are left out.

    Returns (weeks, duplicates dropped, see :func:`find_duplicates`).

    Raises
    ------
    ValueError
        ``weeks`` < 1.
    """
    if weeks is not None and weeks < 1:
        raise ValueError(f"weeks must be at least 1, got {weeks}")
    kept, duplicates = find_duplicates(summaries, tz)
    history = [s for s in kept if s.start is not None and matches_sport(s, sport)
               and not clock_known_wrong(s)]
    if not history:
        return [], duplicates
    sessions = sorted(
        (_Session(s, local_start(s, tz).date(), session_end_utc(s, tz), s.utc_offset_s)
         for s in history),
        key=lambda item: item.end_utc,
    )
    first_week = min(week_monday(s.day) for s in sessions)
    last_week = max(week_monday(s.day) for s in sessions)
    shown_first, shown_last = _shown_weeks(first_week, last_week, weeks, since, until)
    if shown_first > shown_last:
        return [], duplicates
    last_day = max(s.day for s in sessions)
    horizon = max(last_day, until) if until is not None else last_day
    pmc = _pmc_by_day(_day_loads(history, tz), horizon)
    rows = _all_weeks(sessions, first_week, shown_last, pmc, horizon, tz)
    return [row for row in rows if shown_first <= row.week_start <= shown_last], duplicates


def daily_performance(
    summaries: Iterable[SessionSummary],
    tz: str | None,
    *,
    weeks: int | None = None,
    since: date | None = None,
    until: date | None = None,
    sport: str | None = None,
) -> pd.DataFrame:
    """Load, CTL, ATL and TSB per local day, as :func:`weekly_summaries` computes them with the
    same arguments (the same sessions: deduplicated, ``sport`` filtered, sessions without a
    usable clock left out; CTL/ATL from the whole history), for a performance-management chart.

    Returns a DataFrame with columns ``load``, ``ctl``, ``atl``, ``tsb`` [load/day] on a daily
    index (naive local midnights) covering the days of the weeks :func:`weekly_summaries` shows,
    up to the last session's day (or ``until``). ``tsb`` is ``ctl`` − ``atl`` at the day's end,
    as :class:`WeekSummary` gives it (not the PMC's previous-day balance,
    :func:`~lactlog.analysis.pmc.performance_management`), so a week's last day has exactly that
    week's ``ctl``, ``atl`` and ``tsb``. Empty without sessions.
    """
    import pandas as pd

    kept, _ = find_duplicates(summaries, tz)
    history = [s for s in kept if s.start is not None and matches_sport(s, sport)
               and not clock_known_wrong(s)]
    columns = ["load", "ctl", "atl", "tsb"]
    if not history:
        return pd.DataFrame(columns=columns, index=pd.DatetimeIndex([]), dtype=float)
    days = [local_start(s, tz).date() for s in history]
    shown_first, shown_last = _shown_weeks(week_monday(min(days)), week_monday(max(days)),
                                           weeks, since, until)
    horizon = max(max(days), until) if until is not None else max(days)
    loads = daily_load(history, tz)
    loads = loads.reindex(pd.date_range(loads.index[0], pd.Timestamp(horizon), freq="D"),
                          fill_value=0.0)
    pmc = performance_management(loads)
    pmc.insert(0, "load", loads.to_numpy())
    pmc["tsb"] = pmc["ctl"] - pmc["atl"]
    last = min(horizon, shown_last + timedelta(days=6))
    return pmc.loc[pd.Timestamp(shown_first):pd.Timestamp(last), columns]


def _shown_weeks(
    first_week: date, last_week: date, weeks: int | None, since: date | None, until: date | None
) -> tuple[date, date]:
    """Mondays of the first and last week shown."""
    if since is not None:
        first_week = max(first_week, week_monday(since))
    if until is not None:
        last_week = min(last_week, week_monday(until))
    if weeks is not None:
        first_week = max(first_week, last_week - timedelta(weeks=weeks - 1))
    return first_week, last_week


def _all_weeks(
    sessions: Sequence[_Session],
    first_week: date,
    last_week: date,
    pmc: dict[date, tuple[float, float]],
    horizon: date,
    tz: str | None,
) -> list[WeekSummary]:
    """WeekSummary of every week from ``first_week`` to ``last_week`` (Mondays)."""
    by_week: dict[date, list[_Session]] = {}
    for session in sessions:
        by_week.setdefault(week_monday(session.day), []).append(session)
    high_ends = [s.end_utc for s in sessions if session_level(s.summary) == "high"]
    high_ends.sort()
    offset_s = sessions[0].utc_offset_s
    rows: list[WeekSummary] = []
    monday = first_week
    while monday <= last_week:
        members = by_week.get(monday, [])
        if members:  # used without a profile zone: the offset of the week's files
            offset_s = members[0].utc_offset_s
        start = as_utc(local_midnight(monday, tz, offset_s))
        end = as_utc(local_midnight(monday + timedelta(days=7), tz, offset_s))
        low = bisect.bisect_left(high_ends, start - timedelta(seconds=WINDOW_48H_S))
        high = bisect.bisect_left(high_ends, end)
        coverage = window_48h_coverage(high_ends[low:high], start, end)
        state = pmc[min(monday + timedelta(days=6), horizon)]
        rows.append(_week_summary(monday, [m.summary for m in members], state, coverage,
                                  rows[-1] if rows else None))
        monday += timedelta(weeks=1)
    return rows


def _week_summary(
    monday: date,
    members: Sequence[SessionSummary],
    state: tuple[float, float],
    coverage: float,
    previous: WeekSummary | None,
) -> WeekSummary:
    endurance = [s.endurance for s in members if s.endurance is not None]
    strength = [x for s in members if (x := getattr(s, "strength", None)) is not None]
    levels = Counter(session_level(s) for s in members)
    volumes = [x.volume_load_kg for x in strength if x.volume_load_kg is not None]
    time_above_s = float(sum(e.time_above_lt_s or 0.0 for e in endurance))
    fractions = _seiler_fractions(endurance)
    index, index_note = treff_polarization_index(fractions)
    totals = {
        "time_above_lt_s": time_above_s,
        "load": float(sum(session_load(s) for s in members)),
        "sessions": len(members),
    }
    ctl, atl = state  # at the end of the week's last day
    return WeekSummary(
        week=iso_week_label(monday),
        week_start=monday,
        sessions=len(members),
        sessions_by_sport=dict(sorted(Counter(s.sport for s in members).items())),
        duration_s=float(sum(s.duration_s or 0.0 for s in members)),
        timer_s=float(sum(s.timer_s or 0.0 for s in members)),
        time_above_lt_s=time_above_s,
        high_sessions=levels["high"],
        moderate_sessions=levels["moderate"],
        low_sessions=levels["low"],
        hard_intervals=sum(len(e.intervals) for e in endurance),
        metabolic_stress_sets=int(sum(x.metabolic_stress_sets for x in strength)),
        volume_load_kg=float(sum(volumes)) if volumes else None,
        load=totals["load"],
        ctl=ctl,
        atl=atl,
        tsb=ctl - atl,
        seiler_fractions=fractions,
        polarization_index=index,
        polarization_index_note=index_note,
        window_48h_coverage=coverage,
        change=None if previous is None else week_change(totals, previous),
        stimulus_minutes=time_above_s / 60.0,
    )


def treff_polarization_index(
    fractions: tuple[float, float, float] | None,
) -> tuple[float | None, str | None]:
    """The polarization index where it is defined, else None with the reason.

    Treff G, Winkert K, Sareban M, Steinacker JM, Sperlich B (2019), "The Polarization-Index: a
    simple calculation to distinguish polarized from non-polarized training intensity
    distributions", Front Physiol 10:707: PI = log10(Z1 / Z2 × Z3 × 100)
    (:func:`~lactlog.analysis.zones.polarization_index`) is defined only for a distribution with
    Z1 > Z3 > Z2 (fractions of time in Seiler's three zones); with Z2 = 0 the condition is
    checked after the index's own substitution (Z2 → 0.01, Z3 → Z3 − 0.01). Under the condition
    PI > log10(100 / 3) ≈ 1.52 (Z1 > 1/3 and Z3 / Z2 > 1), so it is never negative; elsewhere
    the index is not computed.

    Parameters
    ----------
    fractions : (Z1, Z2, Z3) or None
        Fractions of time in Seiler's zones [-], summing to 1; None without any zone time.

    Returns
    -------
    (float or None, str or None)
        The index [a.u.] or None, and a note: None when the index is given, else why it is not.
    """
    if fractions is None:
        return None, "no time in Seiler zones"
    z1, z2, z3 = fractions
    checked_z2, checked_z3 = zone2_substituted(z2, z3)
    if not z1 > checked_z3 > checked_z2:
        return None, (
            f"not polarized (Z1 {z1:.0%}, Z2 {z2:.0%}, Z3 {z3:.0%}): Treff et al. 2019 define "
            "the index only for Z1 > Z3 > Z2"
        )
    return polarization_index(z1, z2, z3), None


def _seiler_fractions(endurance: Sequence[Any]) -> tuple[float, float, float] | None:
    seconds = [0.0, 0.0, 0.0]
    for analysis in endurance:
        for zones in analysis.zones:
            if zones.system == SEILER_SYSTEM and len(zones.seconds) == 3:
                seconds = [s + float(z) for s, z in zip(seconds, zones.seconds, strict=True)]
    total = seconds[0] + seconds[1] + seconds[2]
    if not total > 0:
        return None
    z1, z2, z3 = (s / total for s in seconds)
    return z1, z2, z3


def week_change(
    totals: dict[str, float], previous: WeekSummary
) -> dict[str, dict[str, float | None]]:
    """Change against the previous week for :data:`CHANGE_FIELDS`.

    ``absolute`` = this − previous (in the field's unit), ``relative`` = absolute / previous
    (a fraction: 0.25 is +25 %), None when the previous week's value is 0.
    """
    change: dict[str, dict[str, float | None]] = {}
    for name in CHANGE_FIELDS:
        before = float(getattr(previous, name))
        absolute = float(totals[name]) - before
        change[name] = {"absolute": absolute, "relative": absolute / before if before else None}
    return change
