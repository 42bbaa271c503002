"""Which sessions a command shows: by local date, by sport group, and whether their dates can
be trusted. Pure functions of :class:`~lactlog.analysis.session.SessionSummary` objects."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from lactlog.profile import parse_sport, sport_group
from lactlog.summaries import WARN_CLOCK_NOT_SET

if TYPE_CHECKING:
    from lactlog.analysis.session import SessionSummary


def clock_known_wrong(summary: SessionSummary) -> bool:
    """True when the reader found the device clock was never set, so the date is wrong
    (:data:`~lactlog.summaries.WARN_CLOCK_NOT_SET` among the session's warnings)."""
    return WARN_CLOCK_NOT_SET in summary.warnings


def clock_wrong_sessions(summaries: Iterable[SessionSummary]) -> list[SessionSummary]:
    """The sessions :func:`clock_known_wrong` finds (``lactlog week`` leaves them out)."""
    return [s for s in summaries if clock_known_wrong(s)]


def matches_sport(summary: SessionSummary, sport: str | None) -> bool:
    """True when ``sport`` is None or names the session's sport group (``run``, ``running``,
    ``bike``, ``ride`` ... see :func:`lactlog.profile.parse_sport`; ConfigError if unknown)."""
    return sport is None or sport_group(summary.sport) == parse_sport(sport)


def select_sessions(
    summaries: Iterable[SessionSummary],
    tz: str | None,
    *,
    since: date | None = None,
    until: date | None = None,
    sport: str | None = None,
    reverse: bool = False,
) -> list[SessionSummary]:
    """Sessions whose local start date lies in [``since``, ``until``] (either bound optional)
    and whose sport group is ``sport``, sorted by start time (newest first with ``reverse``).

    Local dates follow the one rule of :mod:`lactlog.localtime` (``tz`` is the profile's zone).
    With a date bound, sessions without a start time are left out; without one they are kept
    and come last.
    """
    from lactlog.analysis.calendar_time import local_start

    timed: list[tuple[float, SessionSummary]] = []
    untimed: list[SessionSummary] = []
    for summary in summaries:
        if not matches_sport(summary, sport):
            continue
        if summary.start is None:
            if since is None and until is None:
                untimed.append(summary)
            continue
        local = local_start(summary, tz)
        if (since is not None and local.date() < since) or (until is not None and local.date() > until):
            continue
        timed.append((local.timestamp(), summary))
    timed.sort(key=lambda item: item[0], reverse=reverse)
    return [summary for _, summary in timed] + untimed
