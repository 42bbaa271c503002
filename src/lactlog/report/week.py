"""Rendering of weekly summaries: a Rich table with a small bar per week, and JSON records."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from rich import box
from rich.table import Table

from lactlog.analysis.week import Duplicate, WeekSummary
from lactlog.batch import FileError
from lactlog.report.bars import bar
from lactlog.report.jsondoc import SCHEMA_VERSION, clean

_BAR_WIDTH = 6


def week_dict(week: WeekSummary) -> dict[str, Any]:
    """One week for JSON/NDJSON/CSV (SI units, unit-suffixed keys, null never NaN)."""
    return clean(asdict(week))


def week_document(
    weeks: list[WeekSummary], duplicates: list[Duplicate], errors: list[FileError]
) -> dict[str, Any]:
    """The ``lactlog week --json`` document."""
    return {
        "schema_version": SCHEMA_VERSION,
        "weeks": [week_dict(w) for w in weeks],
        "duplicates": [asdict(d) for d in duplicates],
        "errors": [{"source": e.source, "error": e.error} for e in errors],
    }


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


def week_table(weeks: list[WeekSummary]) -> Table:
    """One row per ISO week, newest last, with a bar of the minutes at or above threshold."""
    table = Table(
        title="Weeks (estimated from HR/power/pace and set logs — not blood lactate)",
        title_justify="left", header_style="bold", box=box.SIMPLE_HEAD, padding=(0, 0),
        pad_edge=False,
        caption="≥LT Δ: minutes at or above threshold and change from the previous week; H/M/L: sessions "
        "by stimulus; MS: metabolic-stress sets; 48h: share of the week within 48 h after a HIGH "
        "session (a heuristic: post-exercise insulin sensitivity is reported to last up to "
        "~48 h); PI: polarisation index of the Seiler zones (Treff et al. 2019), defined only when "
        "Z1 > Z3 > Z2 (else –)",
        caption_justify="left",
    )
    for header, justify in (
        ("Week", "left"), ("Sessions", "left"), ("Timer", "right"), ("≥LT Δ", "right"),
        ("", "left"), ("H/M/L", "right"), ("Int", "right"), ("MS", "right"),
        ("Load", "right"), ("CTL/ATL/TSB", "right"), ("48h", "right"), ("PI", "right"),
    ):
        table.add_column(header, justify=justify, no_wrap=header != "Sessions",
                         overflow="fold" if header == "Sessions" else "ellipsis",
                         min_width=8 if header == "Sessions" else None)
    longest = max((w.stimulus_minutes for w in weeks), default=0.0)
    for w in weeks:
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
