"""The one local-time rule (lactlog.localtime): profile zone, else the file's offset, else the
machine's zone; datetimes and pandas Timestamps alike; daylight saving; wall-clock files.

Expected values are worked out by hand from the zones' published rules (IANA tz database):
Europe/Berlin is UTC+1 (CET), +2 (CEST) from the last Sunday of March 01:00 UTC to the last
Sunday of October 01:00 UTC; America/New_York is UTC−5 (EST), −4 (EDT) from the second Sunday of
March to the first Sunday of November (02:00 local).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from lactlog.errors import ConfigError
from lactlog.localtime import (
    as_utc,
    local_date,
    local_midnight,
    session_local_time,
    session_start_local,
    to_local,
    to_utc,
)
from lactlog.profile import load_profile


@pytest.fixture
def new_york(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This computer's zone is America/New_York for the test."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def offset_h(moment: datetime) -> float:
    offset = moment.utcoffset()
    assert offset is not None
    return offset / timedelta(hours=1)


@pytest.mark.parametrize("kind", [lambda moment: moment, pd.Timestamp], ids=["datetime", "Timestamp"])
def test_profile_zone_wins_over_offset_and_machine(new_york: None, kind: Callable[[datetime], datetime]) -> None:
    # 2026-11-16 09:26 UTC: Berlin (CET, +1) 10:26; the file says +05:30 (ignored).
    instant = kind(datetime(2026, 11, 16, 9, 26, tzinfo=UTC))
    local = to_local(instant, "Europe/Berlin", 5 * 3600 + 1800)
    assert type(local) is datetime
    assert (local.replace(tzinfo=None), offset_h(local)) == (datetime(2026, 11, 16, 10, 26), 1.0)


@pytest.mark.parametrize("kind", [lambda moment: moment, pd.Timestamp], ids=["datetime", "Timestamp"])
def test_file_offset_then_machine_zone(new_york: None, kind: Callable[[datetime], datetime]) -> None:
    instant = kind(datetime(2026, 11, 16, 9, 26, tzinfo=UTC))
    with_offset = to_local(instant, None, 5 * 3600 + 1800)  # 09:26 + 5:30 = 14:56
    assert (with_offset.hour, with_offset.minute, offset_h(with_offset)) == (14, 56, 5.5)
    machine = to_local(instant, None, None)  # New York in November: EST, −5 -> 04:26
    assert (machine.hour, machine.minute, offset_h(machine)) == (4, 26, -5.0)
    summer = to_local(kind(datetime(2026, 7, 1, 9, 26, tzinfo=UTC)))  # EDT, −4 -> 05:26
    assert (summer.hour, offset_h(summer)) == (5, -4.0)


def test_daylight_saving_in_the_profile_zone() -> None:
    # Berlin switches to CEST on 2026-03-29 at 01:00 UTC.
    before = to_local(datetime(2026, 3, 29, 0, 59, tzinfo=UTC), "Europe/Berlin")
    after = to_local(datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "Europe/Berlin")
    assert (before.hour, before.minute, offset_h(before)) == (1, 59, 1.0)
    assert (after.hour, after.minute, offset_h(after)) == (3, 0, 2.0)


def test_local_date_crosses_midnight() -> None:
    # Monday 04:30 UTC is Sunday 23:30 in New York (EST).
    instant = pd.Timestamp("2026-11-23 04:30", tz="UTC")
    assert local_date(instant, "America/New_York") == date(2026, 11, 22)
    assert local_date(instant, None, -5 * 3600) == date(2026, 11, 22)
    assert local_date(instant, "Europe/Berlin") == date(2026, 11, 23)


def test_naive_instants_are_utc() -> None:
    assert as_utc(datetime(2026, 1, 1, 12)) == datetime(2026, 1, 1, 12, tzinfo=UTC)
    assert to_local(datetime(2026, 1, 1, 12), "Europe/Berlin").hour == 13


def test_wall_clock_keeps_the_wall_time(new_york: None) -> None:
    # A lifting app logged 10:26 (local wall time, stored as if UTC).
    wall = datetime(2026, 6, 14, 10, 26, tzinfo=UTC)
    berlin = to_local(wall, "Europe/Berlin", wall_clock=True)  # June: CEST, +2
    assert (berlin.hour, berlin.minute, offset_h(berlin)) == (10, 26, 2.0)
    assert to_utc(wall, "Europe/Berlin", wall_clock=True) == datetime(2026, 6, 14, 8, 26, tzinfo=UTC)
    machine = to_local(pd.Timestamp(wall), None, None, wall_clock=True)  # New York EDT, −4
    assert (machine.hour, machine.minute, offset_h(machine)) == (10, 26, -4.0)
    assert to_utc(wall) == wall  # not wall clock: already UTC


def test_local_midnight(new_york: None) -> None:
    assert as_utc(local_midnight(date(2026, 11, 16), "Europe/Berlin")) == datetime(
        2026, 11, 15, 23, 0, tzinfo=UTC)
    assert as_utc(local_midnight(date(2026, 11, 16), None, 3600)) == datetime(
        2026, 11, 15, 23, 0, tzinfo=UTC)
    assert as_utc(local_midnight(date(2026, 11, 16))) == datetime(2026, 11, 16, 5, 0, tzinfo=UTC)


def test_unknown_zone_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown time zone 'Mars/Olympus'"):
        to_local(datetime(2026, 1, 1, tzinfo=UTC), "Mars/Olympus")
    profile = tmp_path / "profile.toml"
    profile.write_text('timezone = "Mars/Olympus"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"profile\.toml: timezone: unknown time zone"):
        load_profile(profile)  # refused once, on loading, not per session


@dataclass(frozen=True)
class Session:
    start: datetime | None
    utc_offset_s: int | None
    profile_timezone: str | None = None
    wall_clock: bool = False


def test_session_helpers(new_york: None) -> None:
    session = Session(datetime(2026, 11, 16, 9, 26, tzinfo=UTC), None, "Europe/Berlin")
    start = session_start_local(session)
    assert start is not None and (start.hour, offset_h(start)) == (10, 1.0)
    later = session_local_time(session, pd.Timestamp("2026-11-16 09:40", tz="UTC"))
    assert (later.hour, later.minute) == (10, 40)
    assert session_start_local(Session(None, 3600)) is None
