"""Numbers, durations and paces as text: the formats the tables, chart captions and stored
profile values share (a missing value, a number with its unit, h:mm:ss, m:ss per km), and the
one pace syntax read back. A few one-off phrasings stay with the text that uses them (the
verdict's "2.5 min above FTP", a window's "20 min", a table's "15′ 30%").

Each function takes SI values (seconds, metres per second) and returns ``str``; a missing value
(None, NaN, ±inf) is ``missing`` (default an en dash).
"""

from __future__ import annotations

import math

#: What a missing value prints as.
MISSING = "–"


def number_text(value: float | None, digits: int = 0, unit: str = "", *, missing: str = MISSING,
           space: bool = False) -> str:
    """``value`` with ``digits`` decimals and thousands separators, then ``unit`` (after one
    space with ``space``): ``number_text(1234.5, 1, " W")`` -> ``1,234.5 W``."""
    if value is None or not math.isfinite(value):
        return missing
    separator = " " if space and unit else ""
    return f"{value:,.{digits}f}{separator}{unit}"


def duration_text(seconds: float | None, *, missing: str = MISSING) -> str:
    """Seconds as ``h:mm:ss``, rounded to whole seconds: ``3725`` -> ``1:02:05``."""
    if seconds is None or not math.isfinite(seconds):
        return missing
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def pace_from_seconds_text(seconds_per_km: float, suffix: str = "") -> str:
    """A pace [s per km] as ``m:ss`` plus ``suffix``, rounded to whole seconds *before* the
    split into minutes and seconds (299.6 s -> ``5:00``, never ``4:60``)."""
    total = round(seconds_per_km)
    return f"{total // 60}:{total % 60:02d}{suffix}"


def seconds_from_pace_text(text: str) -> float:
    """The inverse of :func:`pace_from_seconds_text`: ``"4:10"`` (whole minutes, then seconds
    00–59) or decimal minutes (``"4.5"``, ``"4,5"``) -> seconds per km (250.0, 270.0).

    The one pace syntax of profile values, flags and lactate sheets; ValueError otherwise.
    """
    minutes, colon, seconds = text.strip().partition(":")
    if not colon:
        return float(minutes.replace(",", ".")) * 60
    if not (minutes.isdigit() and len(seconds) == 2 and seconds.isdigit()) or int(seconds) > 59:
        raise ValueError(text)
    return float(int(minutes) * 60 + int(seconds))


def pace_text(speed_mps: float, suffix: str = "/km") -> str:
    """Speed [m/s] as pace ``m:ss/km`` (pace = 1000 m / speed, rounded to whole seconds)."""
    return pace_from_seconds_text(1000.0 / speed_mps, suffix)
