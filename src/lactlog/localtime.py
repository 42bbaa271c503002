"""The athlete's local time: one rule, used by every command and every output.

A session's times are stored as UTC instants. Shown or grouped by day, they are converted to the
local time of, in this order:

1. the profile's IANA time zone (``lactlog config set timezone Europe/Berlin``; knows daylight
   saving time, so a summer session is +02:00 and a winter one +01:00);
2. else the file's own UTC offset (FIT ``activity.local_timestamp`` − ``timestamp``, an ISO
   offset in TCX/GPX/CSV times);
3. else this computer's time zone (``TZ``; its offset at that instant).

Some files only hold local wall-clock times (lifting apps, CSV exports); their readers store the
wall time as if it were UTC and set ``wall_clock``. Such a time already *is* local time: it is
kept as it is and given the offset the zone chosen by the same rule has at that wall time
(without a profile zone: this computer's).

Every function takes ``datetime`` objects and pandas ``Timestamp`` objects alike (a Timestamp is
converted to a ``datetime`` first, because ``Timestamp.astimezone()`` needs a zone under pandas
3); a naive instant is taken to be UTC. They return standard-library ``datetime``/``date``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import cache
from typing import TYPE_CHECKING, Any

from lactlog.errors import ConfigError

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo


@cache
def named_zone(name: str) -> ZoneInfo:
    """The IANA zone ``name`` (e.g. ``Europe/Berlin``).

    Raises
    ------
    ConfigError
        No such zone.
    """
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # 5-40 ms: only when a zone is used

    shown = repr(name) if len(name) <= 40 else repr(name[:37] + "...")
    if not re.fullmatch(_ZONE_NAME, name):  # no "..", no absolute path: never a file outside tzdata
        raise ConfigError(f"unknown time zone {shown} (use an IANA name like Europe/Berlin)")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder such as "Europe"
        raise ConfigError(
            f"unknown time zone {shown} (use an IANA name like Europe/Berlin)"
        ) from None


#: The shape of an IANA zone name: words of letters, digits, "_", "+", "-" joined by "/"
#: (compiled on first use, by ``re.fullmatch``'s cache: most runs name no zone).
_ZONE_NAME = r"[A-Za-z][A-Za-z0-9_+\-]{0,30}(?:/[A-Za-z0-9][A-Za-z0-9_+\-]{0,30}){0,2}"


def _plain(moment: datetime) -> datetime:
    """A standard-library datetime (pandas Timestamps converted, nanoseconds dropped)."""
    if type(moment) is not datetime and hasattr(moment, "to_pydatetime"):
        return moment.to_pydatetime(warn=False)
    return moment


def as_utc(instant: datetime) -> datetime:
    """``instant`` as an aware standard-library datetime in UTC; naive is taken to be UTC."""
    instant = _plain(instant)
    if instant.tzinfo is None:
        return instant.replace(tzinfo=UTC)
    return instant.astimezone(UTC)


def _fixed_zone(profile_timezone: str | None, utc_offset_s: int | None) -> tzinfo | None:
    """Rule steps 1 and 2; None means step 3 (this computer's zone)."""
    if profile_timezone:
        return named_zone(profile_timezone)
    if utc_offset_s is not None:
        return timezone(timedelta(seconds=utc_offset_s))
    return None


def to_local(
    instant: datetime,
    profile_timezone: str | None = None,
    utc_offset_s: int | None = None,
    *,
    wall_clock: bool = False,
) -> datetime:
    """A UTC instant as an aware local datetime, by the rule of the module docstring.

    ``wall_clock``: ``instant`` is a local wall time stored as UTC; the result has the same wall
    time and the offset of the chosen zone at that wall time.
    """
    if wall_clock:
        wall = as_utc(instant).replace(tzinfo=None)
        zone = _fixed_zone(profile_timezone, None)
        return wall.replace(tzinfo=zone) if zone is not None else wall.astimezone()
    zone = _fixed_zone(profile_timezone, utc_offset_s)
    return as_utc(instant).astimezone(zone)  # zone None: this computer's zone


def local_date(
    instant: datetime,
    profile_timezone: str | None = None,
    utc_offset_s: int | None = None,
    *,
    wall_clock: bool = False,
) -> date:
    """The local calendar date of an instant (:func:`to_local`'s date)."""
    return to_local(instant, profile_timezone, utc_offset_s, wall_clock=wall_clock).date()


def to_utc(
    instant: datetime,
    profile_timezone: str | None = None,
    utc_offset_s: int | None = None,
    *,
    wall_clock: bool = False,
) -> datetime:
    """The true UTC instant: ``instant`` itself, or for a wall-clock time, wall time − offset."""
    if wall_clock:
        return to_local(instant, profile_timezone, utc_offset_s, wall_clock=True).astimezone(UTC)
    return as_utc(instant)


def local_midnight(
    day: date, profile_timezone: str | None = None, utc_offset_s: int | None = None
) -> datetime:
    """The instant local ``day`` begins (aware datetime), by the same rule."""
    midnight = datetime.combine(day, time(0))
    zone = _fixed_zone(profile_timezone, utc_offset_s)
    return midnight.replace(tzinfo=zone) if zone is not None else midnight.astimezone()


def session_local_time(summary: Any, instant: datetime) -> datetime:
    """An instant of a session (its start, an interval's start) in the session's local time.

    ``summary`` is anything with ``utc_offset_s``, ``profile_timezone`` and ``wall_clock`` (a
    :class:`~lactlog.analysis.session.SessionSummary`); missing attributes count as None/False.
    """
    return to_local(
        instant,
        getattr(summary, "profile_timezone", None),
        getattr(summary, "utc_offset_s", None),
        wall_clock=getattr(summary, "wall_clock", False),
    )


def session_start_local(summary: Any) -> datetime | None:
    """A session's start in local time (:func:`session_local_time`); None when it has none."""
    return None if summary.start is None else session_local_time(summary, summary.start)
