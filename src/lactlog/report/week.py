"""Rendering of weekly summaries: a Rich table with a small bar per week, and JSON records."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from lactlog.report.bars import bar
from lactlog.report.jsondoc import SCHEMA_VERSION, clean
from lactlog.results import FileError

if TYPE_CHECKING:  # the weekly analysis (pandas) is not needed to render its result
    from lactlog.analysis.duplicates import Duplicate
    from lactlog.analysis.week import WeekSummary
    from lactlog.report.layout import RowTable

_BAR_WIDTH = 6


def week_dict(week: WeekSummary) -> dict[str, Any]:
    """One week for JSON/NDJSON/CSV (SI units, unit-suffixed keys, null never NaN); ``clean``
    turns the dataclass into its fields as ``asdict`` would, without the deep copy."""
    return clean(week)


def week_document(
    weeks: list[WeekSummary], duplicates: list[Duplicate], errors: list[FileError],
    left_out: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The ``lactlog week --json`` document.

    ``weeks`` holds every week, empty ones included (only the table collapses runs of empty
    weeks); ``left_out`` the sessions not placed in a week (see :func:`left_out_records`).
    """
    return {
        "schema_version": SCHEMA_VERSION,
        "weeks": [week_dict(w) for w in weeks],
        "left_out": left_out or [],
        "duplicates": [asdict(d) for d in duplicates],
        "errors": [{"source": e.source, "error": e.error} for e in errors],
    }


def left_out_records(sessions: list) -> list[dict[str, Any]]:
    """JSON records of the sessions ``week`` left out (see
    :func:`~lactlog.analysis.select.clock_wrong_sessions`)."""
    from lactlog.summaries import WARN_CLOCK_NOT_SET

    return [{"source": s.source, "session_index": s.session_index, "reason": WARN_CLOCK_NOT_SET}
            for s in sessions]


def _above(week: WeekSummary) -> str:
    """Minutes at or above threshold and the change from the previous week: ``166′ -2``."""
    change = (week.change or {}).get("time_above_lt_s") or {}
    absolute = change.get("absolute")
    delta = "" if absolute is None else f" {absolute / 60:+.0f}"
    return f"{week.stimulus_minutes:.0f}′{delta}"


_SHORT_SPORT = {"running": "run", "cycling": "bike", "training": "gym", "swimming": "swim",
                "rowing": "row", "walking": "walk", "hiking": "hike", "generic": "other"}


def _sports(week: WeekSummary) -> str:
    """``7: 2 bike 2 run 3 gym`` — session count and the sports, shortened."""
    parts = [f"{n} {_SHORT_SPORT.get(sport, sport[:5])}"
             for sport, n in sorted(week.sessions_by_sport.items())]
    return f"{week.sessions}: " + " ".join(parts) if parts else "0"


#: Runs of at least this many weeks without a session are one line in the table.
EMPTY_RUN_MIN_WEEKS = 2


def week_table(weeks: list[WeekSummary], all_weeks: bool = False) -> RowTable:
    """One row per ISO week, newest last, with a bar of the minutes at or above threshold.

    Runs of :data:`EMPTY_RUN_MIN_WEEKS` or more weeks without a session are one line
    ("… 12 weeks without sessions (2025-W02 to 2025-W13) …") unless ``all_weeks``.
    """
    from lactlog.report.layout import Column, RowTable  # rich: not for --json

    table = RowTable(
        [Column("Week"), Column("Sessions", flexible=True), Column("Timer", "right"),
         Column("≥LT Δ", "right"), Column(""), Column("H/M/L", "right"), Column("Int", "right"),
         Column("MS", "right"), Column("Load", "right"), Column("CTL/ATL/TSB", "right"),
         Column("48h", "right"), Column("PI", "right")],
        title="Weeks (estimated from HR/power/pace and set logs — not blood lactate)",
        caption="≥LT Δ: minutes at or above threshold and change from the previous week; H/M/L: sessions "
        "by stimulus; MS: metabolic-stress sets; 48h: share of the week within 48 h after a HIGH "
        "session (a heuristic: post-exercise insulin sensitivity is reported to last up to "
        "~48 h); PI: polarisation index of the Seiler zones (Treff et al. 2019), defined only when "
        "Z1 > Z3 > Z2 (else –)",
    )
    longest = max((w.stimulus_minutes for w in weeks), default=0.0)
    for kind, run in _runs(weeks, all_weeks):
        if kind == "empty":
            table.add_line(f"… {len(run)} weeks without sessions ({run[0].week} to {run[-1].week}) …")
            continue
        w = run[0]
        table.add_row(
            w.week,
            _sports(w),
            f"{w.timer_s / 3600:.1f}h",
            _above(w),
            bar(w.stimulus_minutes, longest, _BAR_WIDTH),
            f"{w.high_sessions}/{w.moderate_sessions}/{w.low_sessions}",
            str(w.hard_intervals),
            str(w.metabolic_stress_sets),
            f"{w.load:.0f}",
            f"{w.ctl:.0f}/{w.atl:.0f}/{w.tsb:+.0f}",
            f"{w.window_48h_coverage:.0%}",
            "–" if w.polarization_index is None else f"{w.polarization_index:.2f}",
        )
    return table


def _runs(weeks: list[WeekSummary], all_weeks: bool) -> list[tuple[str, list[WeekSummary]]]:
    """("week", [w]) per shown week and ("empty", [w...]) per collapsed run of empty weeks."""
    parts: list[tuple[str, list[WeekSummary]]] = []
    pending: list[WeekSummary] = []

    def flush() -> None:
        if len(pending) >= EMPTY_RUN_MIN_WEEKS:
            parts.append(("empty", list(pending)))
        else:
            parts.extend(("week", [w]) for w in pending)
        pending.clear()

    for w in weeks:
        if w.sessions == 0 and not all_weeks:
            pending.append(w)
            continue
        flush()
        parts.append(("week", [w]))
    flush()
    return parts
