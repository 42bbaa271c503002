"""A session's times on the athlete's calendar: true UTC start and end, local start, ISO week.

Every conversion goes through :mod:`lactlog.localtime` (the one local-time rule): ``tz`` is the
profile's IANA zone, else the file's UTC offset, else this computer's zone.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from lactlog.localtime import to_local, to_utc

if TYPE_CHECKING:
    from lactlog.analysis.session import SessionSummary


def start_utc(summary: SessionSummary, tz: str | None) -> datetime:
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
    return start_utc(summary, tz) + timedelta(seconds=float(length_s))


def iso_week_label(day: date) -> str:
    """ISO week of a date, e.g. ``"2026-W47"``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_monday(day: date) -> date:
    """The Monday of the ISO week holding ``day``."""
    return day - timedelta(days=day.weekday())
