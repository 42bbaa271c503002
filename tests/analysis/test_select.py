"""Choosing sessions: local dates, sport names and aliases, sessions whose clock is wrong."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from lactlog.analysis.select import (
    clock_known_wrong,
    clock_wrong_sessions,
    matches_sport,
    select_sessions,
)
from lactlog.analysis.session import SessionSummary
from lactlog.analysis.week import weekly_summaries
from lactlog.errors import ConfigError
from lactlog.model import WARN_CLOCK_NOT_SET

BASE = SessionSummary(
    source="a.fit", session_index=0, sha256="0" * 64, format="fit", sport="running",
    sub_sport=None, start=datetime(2026, 11, 16, 7, 0, tzinfo=UTC), utc_offset_s=None,
    manufacturer="garmin", product="fr265", duration_s=3600.0, timer_s=3500.0,
    avg_heart_rate_bpm=None, max_heart_rate_bpm=None, avg_power_w=None, distance_m=None,
    n_samples=3600, n_sets=0, warnings=(),
)


def _session(n: int, start: datetime | None, sport: str = "running", **changes) -> SessionSummary:
    return replace(BASE, source=f"s{n}.fit", sha256=f"{n:064x}", start=start, sport=sport,
                   **changes)


RUN = _session(1, datetime(2026, 11, 16, 23, 30, tzinfo=UTC))  # 2026-11-17 00:30 in Berlin
RIDE = _session(2, datetime(2026, 11, 18, 7, 0, tzinfo=UTC), sport="cycling")
SWIM = _session(3, datetime(2026, 11, 20, 7, 0, tzinfo=UTC), sport="swimming")
UNTIMED = _session(4, None, sport="running")


@pytest.mark.parametrize(
    ("name", "expected"),
    [("run", True), ("running", True), ("Running", True), ("bike", False), ("ride", False)],
)
def test_sport_aliases_name_one_group(name: str, expected: bool) -> None:
    assert matches_sport(RUN, name) is expected
    assert matches_sport(RIDE, "ride") and matches_sport(RIDE, "cycling")
    assert matches_sport(SWIM, "swimming") and matches_sport(SWIM, "swim")


def test_unknown_sport_is_a_config_error_listing_the_names() -> None:
    with pytest.raises(ConfigError, match=r"unknown sport 'rowingx'.*run \(running\)"):
        matches_sport(RUN, "rowingx")


def test_select_by_local_date_sport_and_order() -> None:
    everything = [SWIM, UNTIMED, RIDE, RUN]
    assert select_sessions(everything, "UTC") == [RUN, RIDE, SWIM, UNTIMED]
    assert select_sessions(everything, "UTC", reverse=True) == [SWIM, RIDE, RUN, UNTIMED]
    # the run starts 2026-11-16 23:30 UTC = 2026-11-17 00:30 in Berlin: the local date decides
    assert select_sessions(everything, "UTC", since=date(2026, 11, 17)) == [RIDE, SWIM]
    assert select_sessions(everything, "Europe/Berlin", since=date(2026, 11, 17),
                           until=date(2026, 11, 18)) == [RUN, RIDE]
    assert select_sessions(everything, "UTC", sport="run") == [RUN, UNTIMED]


def test_clock_never_set_is_known_wrong_and_left_out_of_the_weeks() -> None:
    # a session of a device whose clock was never set lands in 1989/1990
    stale = _session(5, datetime(1990, 7, 18, 6, 44, tzinfo=UTC), warnings=(WARN_CLOCK_NOT_SET,))
    assert clock_known_wrong(stale) and not clock_known_wrong(RUN)
    assert clock_wrong_sessions([RUN, stale, RIDE]) == [stale]
    rows, _ = weekly_summaries([RUN, stale, RIDE], "UTC")
    # without the 1990 session: one week (2026-W47), not every week since July 1990
    assert [row.week for row in rows] == ["2026-W47"]
    assert rows[0].sessions == 2
