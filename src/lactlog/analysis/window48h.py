"""The 48-hour window after a HIGH-stimulus session (:func:`window_48h_coverage`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from lactlog.localtime import as_utc

#: Length of the window after a HIGH session counted by :func:`window_48h_coverage` [s].
WINDOW_48H_S = 48 * 3600.0


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
