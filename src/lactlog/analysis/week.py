"""Weekly summaries: sessions grouped by ISO week in the athlete's local time.

Pure functions of :class:`~lactlog.analysis.session.SessionSummary` objects (anything with the
same attributes works). Conventions, in one place:

- **Local time** (:func:`local_start`): the one rule of :mod:`lactlog.localtime` — the
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
- **Duplicates** (:func:`find_duplicates`) are dropped before anything else is computed.
"""

from __future__ import annotations

import bisect
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from lactlog.analysis.pmc import performance_management
from lactlog.analysis.select import clock_known_wrong, matches_sport
from lactlog.analysis.zones import _ZONE2_SUBSTITUTE, polarization_index
from lactlog.localtime import as_utc, local_midnight, to_local, to_utc

if TYPE_CHECKING:
    from lactlog.analysis.session import SessionSummary

#: Two recordings starting at most this far apart may be one activity [s] (see find_duplicates).
DUPLICATE_START_TOLERANCE_S = 60.0
#: ... when their time spans overlap by at least this share of the longer span [0-1].
DUPLICATE_MIN_OVERLAP = 0.5
#: Which recording of a duplicated activity is kept: the device's own file first.
_FORMAT_RANK = {"fit": 0, "tcx": 1, "gpx": 2, "csv": 3}
#: Length of the window after a HIGH session counted by :func:`window_48h_coverage` [s].
WINDOW_48H_S = 48 * 3600.0
SEILER_SYSTEM = "Seiler three zones"
CHANGE_FIELDS = ("time_above_lt_s", "load", "sessions")
_LEVEL_RANK = {"low": 0, "moderate": 1, "high": 2}


@dataclass(frozen=True)
class Duplicate:
    """A session dropped because it is the same activity as ``kept`` (both are source paths)."""

    kept: str
    duplicate: str
    reason: str


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


# --- per session -----------------------------------------------------------------------------


def _start_utc(summary: SessionSummary, tz: str | None) -> datetime:
    """The true UTC start (a wall-clock start converted by the local time rule)."""
    if summary.start is None:
        raise ValueError(f"{summary.source}: the session has no start time")
    return to_utc(summary.start, tz, summary.utc_offset_s,
                  wall_clock=getattr(summary, "wall_clock", False))


def local_start(summary: SessionSummary, tz: str | None) -> datetime:
    """Session start in the athlete's local time (aware datetime), by the rule of
    :mod:`lactlog.localtime` with ``tz`` as the profile's zone: ``tz`` (an IANA name; it knows
    daylight saving), else the file's ``utc_offset_s``, else this computer's zone. A naive
    ``start`` is taken to be UTC.

    Raises
    ------
    ValueError
        The session has no start time.
    """
    if summary.start is None:
        raise ValueError(f"{summary.source}: the session has no start time")
    return to_local(summary.start, tz, summary.utc_offset_s,
                    wall_clock=getattr(summary, "wall_clock", False))


def session_end_utc(summary: SessionSummary, tz: str | None = None) -> datetime:
    """Start + elapsed duration (else timer time, else 0) in UTC."""
    length_s = next((v for v in (summary.duration_s, summary.timer_s) if v is not None), 0.0)
    return _start_utc(summary, tz) + timedelta(seconds=float(length_s))


def session_load(summary: SessionSummary) -> float:
    """Training load of one session [TSS-like points]: TSS, else normalised TRIMP, else 0."""
    endurance = summary.endurance
    if endurance is None:
        return 0.0
    for value in (endurance.tss, endurance.trimp_normalized):
        if value is not None and math.isfinite(value):
            return float(value)
    return 0.0


def session_level(summary: SessionSummary) -> str | None:
    """The session's stimulus level: the higher of the endurance and strength verdicts."""
    levels = [
        getattr(getattr(part, "verdict", None), "level", None)
        for part in (summary.endurance, getattr(summary, "strength", None))
        if part is not None
    ]
    known = [level for level in levels if level in _LEVEL_RANK]
    return max(known, key=_LEVEL_RANK.__getitem__) if known else None


def iso_week_label(day: date) -> str:
    """ISO week of a date, e.g. ``"2026-W47"``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_monday(day: date) -> date:
    """The Monday of the ISO week holding ``day``."""
    return day - timedelta(days=day.weekday())


# --- duplicates ------------------------------------------------------------------------------


def find_duplicates(
    summaries: Iterable[SessionSummary], tz: str | None = None
) -> tuple[list[SessionSummary], list[Duplicate]]:
    """Keep each activity once: (kept sessions sorted by source path, dropped duplicates).

    Two sessions of different files are the same activity when

    - they have the same ``sha256`` and ``session_index`` (the same file twice), or
    - they are two recordings of one activity, whatever their formats and devices (a FIT file
      and its GPX or TCX export; a watch and a bike computer): their starts are at most
      :data:`DUPLICATE_START_TOLERANCE_S` apart, their time spans [start, start + duration]
      overlap by at least :data:`DUPLICATE_MIN_OVERLAP` of the longer span, and their sports
      agree (a ``generic`` sport agrees with any; exports often lose the sport).

    Sessions of one file are never duplicates of each other, and a session given twice (same
    source and session index) is counted once without a report. The recording kept is the
    device's own first (FIT, then TCX, GPX, CSV), then by (source, session_index); every other
    one is compared with the kept ones. Start times are compared in UTC (``tz`` converts
    wall-clock starts, see :mod:`lactlog.localtime`).
    """
    kept: list[SessionSummary] = []
    duplicates: list[Duplicate] = []
    seen: set[tuple[str, int]] = set()
    by_content: dict[tuple[str, int], SessionSummary] = {}
    spans: list[tuple[float, float, int]] = []  # (start [s], end [s], index in kept), sorted
    for summary in sorted(summaries, key=_keep_order):
        if (summary.source, summary.session_index) in seen:
            continue
        seen.add((summary.source, summary.session_index))
        content = (summary.sha256, summary.session_index)
        first = by_content.get(content) if summary.sha256 else None
        if first is not None and first.source != summary.source:
            reason = f"same file content (sha256 {summary.sha256[:12]}…, session " \
                     f"{summary.session_index})"
            duplicates.append(Duplicate(first.source, summary.source, reason))
            continue
        if summary.start is not None:
            start_s = _start_utc(summary, tz).timestamp()
            end_s = session_end_utc(summary, tz).timestamp()
            match = _same_activity(summary, start_s, end_s, spans, kept)
            if match is not None:
                first, reason = match
                duplicates.append(Duplicate(first.source, summary.source, reason))
                continue
            bisect.insort(spans, (start_s, end_s, len(kept)))
        by_content.setdefault(content, summary)
        kept.append(summary)
    kept.sort(key=lambda s: (s.source, s.session_index))
    return kept, duplicates


def _keep_order(summary: SessionSummary) -> tuple[int, str, int]:
    return (_FORMAT_RANK.get(summary.format, len(_FORMAT_RANK)), summary.source,
            summary.session_index)


def _sports_agree(a: str, b: str) -> bool:
    return a == b or "generic" in (a, b)


def _same_activity(
    summary: SessionSummary,
    start_s: float,
    end_s: float,
    spans: Sequence[tuple[float, float, int]],
    kept: Sequence[SessionSummary],
) -> tuple[SessionSummary, str] | None:
    """The kept session ``summary`` is another recording of, with the reason; None if none."""
    low = bisect.bisect_left(spans, (start_s - DUPLICATE_START_TOLERANCE_S,))
    for other_start_s, other_end_s, index in spans[low:]:
        if other_start_s > start_s + DUPLICATE_START_TOLERANCE_S:
            break
        other = kept[index]
        if other.source == summary.source or not _sports_agree(other.sport, summary.sport):
            continue
        longer_s = max(end_s - start_s, other_end_s - other_start_s)
        overlap_s = min(end_s, other_end_s) - max(start_s, other_start_s)
        share = overlap_s / longer_s if longer_s > 0 else 1.0
        if share >= DUPLICATE_MIN_OVERLAP:
            reason = (f"the same activity: starts {abs(other_start_s - start_s):.0f} s apart, "
                      f"time spans overlap {share:.0%} ({other.format} and {summary.format}, "
                      f"sport {other.sport if other.sport != 'generic' else summary.sport})")
            return other, reason
    return None


# --- daily load ------------------------------------------------------------------------------


def daily_load(summaries: Iterable[SessionSummary], tz: str | None) -> pd.Series:
    """Sum of :func:`session_load` per local calendar day.

    Returns a Series named ``load`` on a daily ``DatetimeIndex`` (naive local midnights) from the
    first to the last day with a session, 0 on days without; empty without sessions. Sessions
    without a start time are left out.
    """
    loads: dict[pd.Timestamp, float] = {}
    for summary in summaries:
        if summary.start is None:
            continue
        day = pd.Timestamp(local_start(summary, tz).date())
        loads[day] = loads.get(day, 0.0) + session_load(summary)
    if not loads:
        return pd.Series([], index=pd.DatetimeIndex([], freq="D"), dtype=float, name="load")
    index = pd.date_range(min(loads), max(loads), freq="D")
    return pd.Series(loads, dtype=float).reindex(index, fill_value=0.0).rename("load")


# --- 48-h window -----------------------------------------------------------------------------


def window_48h_coverage(
    high_end_times: Iterable[datetime],
    week_start: datetime,
    week_end: datetime,
    window_s: float = WINDOW_48H_S,
) -> float:
    """Share of the week's hours within 48 h after the end of a HIGH-stimulus session [0–1].

    The windows [end, end + 48 h] of all sessions are united (overlaps count once) and clipped
    to [``week_start``, ``week_end``); windows from sessions of the previous week reach into
    this one. Arithmetic is in UTC, so a week with a daylight-saving change has 167 or 169 h.
    Naive datetimes are taken to be UTC.

    A heuristic, not a physiological measurement: insulin sensitivity of skeletal muscle is
    raised after exercise, reported for up to ~48 h after a session (Richter EA, Hargreaves M
    (2013), "Exercise, GLUT4, and skeletal muscle glucose uptake", Physiol Rev 93:993–1017);
    how long and how much depends on the session, the glycogen depletion and what is eaten.
    """
    start, end = as_utc(week_start), as_utc(week_end)
    week_s = (end - start).total_seconds()
    if week_s <= 0:
        return 0.0
    windows = sorted(
        (max(as_utc(t), start), min(as_utc(t) + timedelta(seconds=window_s), end))
        for t in high_end_times
    )
    covered_s, reach = 0.0, start
    for low, high in windows:
        low = max(low, reach)
        if high > low:
            covered_s += (high - low).total_seconds()
            reach = high
    return min(1.0, covered_s / week_s)


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
    loads = daily_load(history, tz)
    loads = loads.reindex(pd.date_range(loads.index[0], pd.Timestamp(horizon), freq="D"),
                          fill_value=0.0)
    pmc = performance_management(loads)
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
    pmc: pd.DataFrame,
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
        state = pmc.loc[pd.Timestamp(min(monday + timedelta(days=6), horizon))]
        rows.append(_week_summary(monday, [m.summary for m in members], state, coverage,
                                  rows[-1] if rows else None))
        monday += timedelta(weeks=1)
    return rows


def _week_summary(
    monday: date,
    members: Sequence[SessionSummary],
    state: pd.Series,
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
    ctl, atl = float(state["ctl"]), float(state["atl"])
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
    checked_z2, checked_z3 = (z2, z3) if z2 > 0 else (_ZONE2_SUBSTITUTE, z3 - _ZONE2_SUBSTITUTE)
    if not z1 > checked_z3 > checked_z2:
        return None, (
            f"not polarized (Z1 {z1:.0%}, Z2 {z2:.0%}, Z3 {z3:.0%}): Treff et al. 2019 define "
            "the index only for Z1 > Z3 > Z2"
        )
    return polarization_index(z1, z2, z3), None


def _seiler_fractions(endurance: Sequence[Any]) -> tuple[float, float, float] | None:
    seconds = np.zeros(3)
    for analysis in endurance:
        for zones in analysis.zones:
            if zones.system == SEILER_SYSTEM and len(zones.seconds) == 3:
                seconds += np.asarray(zones.seconds, dtype=np.float64)
    total = float(seconds.sum())
    if not total > 0:
        return None
    z1, z2, z3 = (float(x) for x in seconds / total)
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
