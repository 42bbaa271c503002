"""Weekly summaries: local ISO weeks, duplicates, PMC, 48-h coverage, change, filters, bars.

Sessions are real ``SessionSummary`` / ``EnduranceAnalysis`` objects built with
``dataclasses.replace`` on one base (no activities are read); strength is a stand-in object
with the attributes the strength analysis will have.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lactlog.analysis.endurance import EnduranceAnalysis, ZoneTimes
from lactlog.analysis.intervals import Interval
from lactlog.analysis.pmc import performance_management
from lactlog.analysis.session import SessionSummary
from lactlog.analysis.stimulus import HIGH, LOW, MODERATE, Verdict
from lactlog.analysis.thresholds import SessionThresholds
from lactlog.analysis.week import (
    daily_load,
    find_duplicates,
    local_start,
    session_load,
    treff_polarization_index,
    weekly_summaries,
    window_48h_coverage,
)
from lactlog.report.bars import bar

BASE = SessionSummary(
    source="a.fit", session_index=0, sha256="0" * 64, format="fit", sport="running",
    sub_sport=None, start=datetime(2026, 11, 16, 7, 0, tzinfo=UTC), utc_offset_s=None,
    manufacturer="garmin", product="fr265", duration_s=3600.0, timer_s=3500.0,
    avg_heart_rate_bpm=None, max_heart_rate_bpm=None, avg_power_w=None, distance_m=None,
    n_samples=3600, n_sets=0, warnings=(),
)
ENDURANCE = EnduranceAnalysis(
    thresholds=SessionThresholds(), recorded_s=3600.0, primary_channel="heart_rate",
    time_above_lt_s=0.0, verdict=Verdict(LOW, ()),
)
_counter = iter(range(1_000_000))


def session(start: datetime, *, level: str | None = LOW, above_s: float = 0.0,
            tss: float | None = None, trimp: float | None = None, n_intervals: int = 0,
            seiler_s: tuple[float, float, float] | None = None, **changes: Any) -> SessionSummary:
    """A session with a unique source and sha256 (unless given) and an endurance analysis."""
    n = next(_counter)
    interval = Interval(pd.Timestamp(start), 60.0, 60.0, None, None, None, None, None)
    zones = () if seiler_s is None else (
        ZoneTimes("Seiler three zones", "heart_rate_bpm", ("Z1", "Z2", "Z3"), (150, 170), seiler_s),
    )
    endurance = replace(ENDURANCE, time_above_lt_s=above_s, tss=tss, trimp_normalized=trimp,
                        intervals=(interval,) * n_intervals, zones=zones,
                        verdict=Verdict(level, ()))
    fields = {"source": f"s{n:05d}.fit", "sha256": f"{n:064x}", "start": start,
              "endurance": endurance, **changes}
    return replace(BASE, **fields)


def test_load_is_tss_else_normalised_trimp() -> None:
    day = datetime(2026, 11, 16, 7, 0, tzinfo=UTC)
    cases = [((80.0, 55.0), 80.0), ((None, 55.0), 55.0), ((math.nan, 55.0), 55.0),
             ((math.inf, None), None), ((None, None), None)]
    for (tss, trimp), load in cases:
        summary = session(day, tss=tss, trimp=trimp)
        assert summary.endurance is not None and summary.endurance.load == load
        assert session_load(summary) == (0.0 if load is None else load)
    assert session_load(replace(BASE, endurance=None)) == 0.0


@dataclass(frozen=True)
class Strength:
    """Stand-in with the attributes of the coming StrengthAnalysis."""

    metabolic_stress_sets: int
    volume_load_kg: float | None
    verdict: Verdict


@dataclass(frozen=True)
class StrengthSession(SessionSummary):
    """SessionSummary with a ``strength`` field (until the real one has it)."""

    strength: Any = None


def strength_session(start: datetime, sets: int, volume_kg: float | None, level: str) -> Any:
    base = session(start, level=None)
    return StrengthSession(**{**base.__dict__, "endurance": None,
                              "strength": Strength(sets, volume_kg, Verdict(level, ()))})


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- local time and ISO weeks ------------------------------------------------------------------


@pytest.fixture
def machine_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """Set this computer's time zone (``TZ``) for the test."""

    def set_zone(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield set_zone
    monkeypatch.undo()
    time.tzset()


def test_sunday_late_evening_west_of_utc_belongs_to_the_local_week(
    machine_zone: Callable[[str], None],
) -> None:
    # Sunday 2026-11-22 23:30 in New York (EST, UTC−5) is Monday 2026-11-23 04:30 UTC (W48).
    machine_zone("Asia/Tokyo")  # this computer's zone, the last fallback (UTC+9)
    s = session(utc(2026, 11, 23, 4, 30), utc_offset_s=-5 * 3600)
    assert local_start(s, "America/New_York") == datetime(
        2026, 11, 22, 23, 30, tzinfo=ZoneInfo("America/New_York"))
    assert local_start(s, None).date() == date(2026, 11, 22)  # the file's offset
    assert local_start(replace(s, utc_offset_s=None), None).hour == 13  # Tokyo: 04:30 + 9 h
    # the profile's zone wins over the file's offset: 04:30 UTC is 05:30 in Berlin (CET)
    assert local_start(s, "Europe/Berlin").hour == 5
    rows, _ = weekly_summaries([s], "America/New_York")
    assert [(r.week, r.week_start) for r in rows] == [("2026-W47", date(2026, 11, 16))]
    rows, _ = weekly_summaries([replace(s, utc_offset_s=None)], None)
    assert [r.week for r in rows] == ["2026-W48"]
    machine_zone("America/Los_Angeles")  # UTC−8: Sunday 20:30, week 47
    rows, _ = weekly_summaries([replace(s, utc_offset_s=None)], None)
    assert [r.week for r in rows] == ["2026-W47"]


def test_local_start_needs_a_start() -> None:
    with pytest.raises(ValueError, match="no start time"):
        local_start(replace(BASE, start=None), None)


# --- duplicates --------------------------------------------------------------------------------


def test_duplicate_by_sha256_keeps_first_path() -> None:
    original = session(utc(2026, 11, 16, 7), source="b/run.fit", sha256="ab" * 32)
    copy = replace(original, source="a/run.fit")
    other_session = replace(original, source="c/run.fit", session_index=1,
                            start=utc(2026, 11, 17, 7))
    kept, duplicates = find_duplicates([original, copy, other_session])
    assert [s.source for s in kept] == ["a/run.fit", "c/run.fit"]
    assert [(d.kept, d.duplicate) for d in duplicates] == [("a/run.fit", "b/run.fit")]
    assert "sha256" in duplicates[0].reason


def test_duplicate_recordings_across_formats_and_devices() -> None:
    fit = session(utc(2026, 11, 16, 7, 0, 0), source="x.fit")  # 07:00-08:00
    # its export, 60 s later, no device: 07:01-08:01 overlaps 59 of 60 min = 98 %
    export = session(utc(2026, 11, 16, 7, 1, 0), source="a.tcx", format="tcx",
                     manufacturer=None, product=None, sport="generic")
    late = session(utc(2026, 11, 16, 7, 1, 1), source="y.tcx", format="tcx")  # 61 s: another
    short = session(utc(2026, 11, 16, 7, 0, 30), source="z1.fit", product="edge540",
                    duration_s=1200.0)  # 20 of 60 min overlap (33 %): another activity
    other_sport = session(utc(2026, 11, 16, 7, 0, 30), source="z2.fit", sport="cycling")
    bike_computer = session(utc(2026, 11, 16, 7, 0, 20), source="z3.fit", product="edge540")
    kept, duplicates = find_duplicates([export, late, fit, short, other_sport, bike_computer])
    assert [s.source for s in kept] == ["x.fit", "y.tcx", "z1.fit", "z2.fit"]
    # the device's FIT file is kept although "a.tcx" sorts first
    assert [(d.kept, d.duplicate) for d in duplicates] == [("x.fit", "z3.fit"), ("x.fit", "a.tcx")]
    assert "starts 60 s apart" in duplicates[1].reason
    assert "overlap 98%" in duplicates[1].reason and "tcx" in duplicates[1].reason
    rows, reported = weekly_summaries([export, late, fit, short, other_sport, bike_computer], None)
    assert rows[0].sessions == 4 and reported == duplicates


def test_a_file_is_never_a_duplicate_of_itself() -> None:
    # two sessions of one multisport file 30 s apart (a transition), and the same path twice
    first = session(utc(2026, 11, 16, 7, 0, 0), source="tri.fit", sha256="cd" * 32,
                    duration_s=60.0)
    second = replace(first, session_index=1, start=utc(2026, 11, 16, 7, 0, 30))
    kept, duplicates = find_duplicates([first, second, first])
    assert [(s.source, s.session_index) for s in kept] == [("tri.fit", 0), ("tri.fit", 1)]
    assert duplicates == []


def test_duplicates_compare_wall_clock_starts_in_utc() -> None:
    # An app logged 08:00 wall time in Berlin (CET) = 07:00 UTC, the watch says 07:00 UTC.
    watch = session(utc(2026, 11, 16, 7, 0, 0), source="w.fit")
    app = session(utc(2026, 11, 16, 8, 0, 0), source="log.csv", format="csv", wall_clock=True)
    assert len(find_duplicates([watch, app], "Europe/Berlin")[1]) == 1
    assert find_duplicates([watch, app], "UTC")[1] == []  # 08:00 UTC: an hour apart


# --- performance management --------------------------------------------------------------------


def test_ctl_atl_tsb_after_seven_days_of_100() -> None:
    # CTL_n = 100·(1 − e^(−n/42)), ATL_n = 100·(1 − e^(−n/7)) from 0 (geometric series):
    # day 7: CTL = 100·(1 − e^(−1/6)) = 15.3518, ATL = 100·(1 − e^(−1)) = 63.2121;
    # TSB (GoldenCheetah: yesterday's) = CTL_6 − ATL_6 = 100·(e^(−6/7) − e^(−1/7)) = −44.2568.
    loads = pd.Series(100.0, index=pd.date_range("2026-11-16", periods=7, freq="D"))
    pmc = performance_management(loads)
    last = pmc.iloc[-1]
    assert last["ctl"] == pytest.approx(100 * (1 - math.exp(-7 / 42)))
    assert last["ctl"] == pytest.approx(15.3518, abs=1e-4)
    assert last["atl"] == pytest.approx(100 * (1 - math.exp(-1)))
    assert last["tsb"] == pytest.approx(100 * (math.exp(-6 / 7) - math.exp(-1 / 7)))
    assert pmc.iloc[0]["tsb"] == 0.0
    assert pmc.iloc[0]["ctl"] == pytest.approx(100 * (1 - math.exp(-1 / 42)))
    # the same through weekly_summaries: one session of TSS 100 each day Mon–Sun
    week = [session(utc(2026, 11, 16 + d, 7), tss=100.0) for d in range(7)]
    (row,), _ = weekly_summaries(week, "UTC")
    assert row.load == pytest.approx(700.0)
    assert row.ctl == pytest.approx(15.3518, abs=1e-4)
    assert row.atl == pytest.approx(63.2121, abs=1e-4)
    assert row.tsb == pytest.approx(100 * (math.exp(-1) - math.exp(-1 / 6)))  # CTL_7 − ATL_7


def test_pmc_fills_missing_days_with_zero() -> None:
    # 100 on day 0, nothing on day 1, 2: CTL_2 = 100·a·e^(−2/42), a = 1 − e^(−1/42)
    loads = pd.Series([100.0, 0.0], index=pd.to_datetime(["2026-11-16", "2026-11-18"]))
    pmc = performance_management(loads)
    assert len(pmc) == 3
    assert pmc["ctl"].iloc[-1] == pytest.approx(100 * (1 - math.exp(-1 / 42)) * math.exp(-2 / 42))
    assert performance_management(loads.iloc[:0]).empty


def test_daily_load_local_days_tss_else_trimp() -> None:
    # Berlin (CET, UTC+1): 23:30 UTC Monday is Tuesday 00:30 local
    sessions = [
        session(utc(2026, 11, 16, 7), tss=50.0, trimp=999.0),   # Mon: TSS wins
        session(utc(2026, 11, 16, 12), tss=None, trimp=30.0),   # Mon: nTRIMP
        session(utc(2026, 11, 16, 23, 30), tss=20.0),           # Tue local
        session(utc(2026, 11, 19, 7)),                          # Thu: no load known
    ]
    loads = daily_load(sessions, "Europe/Berlin")
    assert list(loads.index.date) == [date(2026, 11, 16 + d) for d in range(4)]
    assert loads.tolist() == [80.0, 20.0, 0.0, 0.0]


# --- 48-h coverage -----------------------------------------------------------------------------


def test_window_48h_coverage_hand_computed() -> None:
    monday, next_monday = utc(2026, 11, 16), utc(2026, 11, 23)
    wednesday_18 = utc(2026, 11, 18, 18)
    assert window_48h_coverage([wednesday_18], monday, next_monday) == pytest.approx(48 / 168)
    assert 48 / 168 == pytest.approx(0.2857, abs=1e-4)
    # Sunday 12:00: 12 h left in this week, 36 h in the next
    sunday_12 = utc(2026, 11, 22, 12)
    assert window_48h_coverage([sunday_12], monday, next_monday) == pytest.approx(12 / 168)
    assert window_48h_coverage([sunday_12], next_monday, utc(2026, 11, 30)) == pytest.approx(
        36 / 168)
    # overlapping windows count once: Wed 18:00 – Sat 18:00 = 72 h
    thursday_18 = utc(2026, 11, 19, 18)
    assert window_48h_coverage([thursday_18, wednesday_18], monday, next_monday) == pytest.approx(
        72 / 168)
    assert window_48h_coverage([], monday, next_monday) == 0.0
    assert window_48h_coverage([utc(2026, 11, 23, 1)], monday, next_monday) == 0.0  # after


def test_window_48h_coverage_in_a_daylight_saving_week() -> None:
    # Berlin, week of 2026-10-19: clocks go back on Sunday 25 Oct, the week has 169 h
    berlin = ZoneInfo("Europe/Berlin")
    start, end = datetime(2026, 10, 19, tzinfo=berlin), datetime(2026, 10, 26, tzinfo=berlin)
    ending = datetime(2026, 10, 21, 18, tzinfo=berlin)
    assert window_48h_coverage([ending], start, end) == pytest.approx(48 / 169)


def test_weekly_coverage_counts_high_sessions_of_the_previous_week() -> None:
    # HIGH session Sun 2026-11-22 11:00–12:00 UTC: 12 h of W47, 36 h of W48; a LOW session in
    # W48 adds nothing
    high = session(utc(2026, 11, 22, 11), level=HIGH, duration_s=3600.0)
    low = session(utc(2026, 11, 25, 7), level=LOW)
    rows, _ = weekly_summaries([high, low], "UTC")
    assert [r.window_48h_coverage for r in rows] == pytest.approx([12 / 168, 36 / 168])
    assert [(r.high_sessions, r.low_sessions) for r in rows] == [(1, 0), (0, 1)]


# --- weeks -------------------------------------------------------------------------------------


def test_empty_weeks_between_and_ctl_decay() -> None:
    # one TSS-100 session Monday of W45 and of W48; W46, W47 empty.
    # CTL at Sunday of W45 = 100·a·e^(−6/42) (a = 1 − e^(−1/42)); each empty week × e^(−7/42)
    first = session(utc(2026, 11, 2, 7), tss=100.0)
    last = session(utc(2026, 11, 23, 7), tss=100.0)
    rows, _ = weekly_summaries([last, first], "UTC")
    assert [r.week for r in rows] == ["2026-W45", "2026-W46", "2026-W47", "2026-W48"]
    assert [r.sessions for r in rows] == [1, 0, 0, 1]
    ctl_w45 = 100 * (1 - math.exp(-1 / 42)) * math.exp(-6 / 42)
    assert rows[0].ctl == pytest.approx(ctl_w45)
    assert rows[1].ctl == pytest.approx(ctl_w45 * math.exp(-7 / 42))
    assert rows[2].ctl == pytest.approx(ctl_w45 * math.exp(-14 / 42))
    assert rows[1].load == 0.0 and rows[1].seiler_fractions is None
    assert rows[1].polarization_index is None and rows[1].volume_load_kg is None
    assert rows[1].polarization_index_note == "no time in Seiler zones"
    # final week: values at the last day with data (Monday), no decay into the future
    assert rows[3].ctl == pytest.approx(
        ctl_w45 * math.exp(-15 / 42) + 100 * (1 - math.exp(-1 / 42)))


def test_week_totals_seiler_and_polarization() -> None:
    # Seiler time 800/50/150 s → fractions 0.8/0.05/0.15 (Z1 > Z3 > Z2),
    # PI = log10(0.8/0.05 × 0.15 × 100) = log10 240 = 2.3802
    sessions = [
        session(utc(2026, 11, 16, 7), level=HIGH, above_s=900.0, n_intervals=3,
                seiler_s=(500.0, 20.0, 100.0), tss=80.0),
        session(utc(2026, 11, 18, 7), level=MODERATE, above_s=300.0, seiler_s=(300.0, 30.0, 50.0),
                sport="cycling", trimp=40.0, duration_s=1800.0, timer_s=None),
        strength_session(utc(2026, 11, 20, 17), sets=4, volume_kg=2500.0, level=HIGH),
        strength_session(utc(2026, 11, 21, 17), sets=2, volume_kg=None, level=MODERATE),
    ]
    (row,), _ = weekly_summaries(sessions, "UTC")
    assert row.sessions == 4
    assert row.sessions_by_sport == {"cycling": 1, "running": 3}
    assert row.duration_s == 3600 * 3 + 1800
    assert row.timer_s == 3500 * 3
    assert row.time_above_lt_s == 1200.0 and row.stimulus_minutes == 20.0
    assert (row.high_sessions, row.moderate_sessions, row.low_sessions) == (2, 2, 0)
    assert row.hard_intervals == 3
    assert row.metabolic_stress_sets == 6 and row.volume_load_kg == 2500.0
    assert row.load == pytest.approx(120.0)  # TSS 80 + nTRIMP 40
    assert row.seiler_fractions == pytest.approx((0.8, 0.05, 0.15))
    assert row.polarization_index == pytest.approx(2.38021, abs=1e-5)
    assert row.polarization_index_note is None
    assert row.change is None  # first week


def test_polarization_index_only_where_treff_defines_it() -> None:
    # Treff et al. 2019 (Front Physiol 10:707): PI = log10(Z1/Z2 × Z3 × 100), only if Z1 > Z3 > Z2
    # 0.75/0.05/0.20: log10(0.75/0.05 × 0.20 × 100) = log10 300 = 2.47712 (polarized, > 2)
    value, note = treff_polarization_index((0.75, 0.05, 0.20))
    assert value == pytest.approx(2.47712, abs=1e-5) and note is None
    # 0.60/0.15/0.25: log10(0.60/0.15 × 0.25 × 100) = log10 100 = 2.0
    assert treff_polarization_index((0.60, 0.15, 0.25)) == (pytest.approx(2.0), None)
    # threshold-type distribution, Z2 > Z3: the formula would give log10(0.7/0.25 × 0.05 × 100)
    # = 1.146, and a pyramidal 0.50/0.45/0.05 gives log10 5.56 = 0.74: both undefined
    for fractions in ((0.70, 0.25, 0.05), (0.50, 0.45, 0.05), (0.80, 0.10, 0.10)):
        value, note = treff_polarization_index(fractions)
        assert value is None
        assert note is not None and "Z1 > Z3 > Z2" in note
    # Z3 ≥ Z1 (0.35/0.05/0.60): undefined, where the formula would give log10 420 = 2.62
    value, note = treff_polarization_index((0.35, 0.05, 0.60))
    assert value is None and note.startswith("not polarized (Z1 35%, Z2 5%, Z3 60%)")
    # Z2 = 0: the index's substitution (Z2 0.01, Z3 0.20 − 0.01): log10(0.8/0.01 × 0.19 × 100)
    assert treff_polarization_index((0.80, 0.0, 0.20))[0] == pytest.approx(math.log10(1520))
    # Z2 = 0 with Z3 = 0.015: after substitution Z3 0.005 < Z2 0.01, so undefined (the formula
    # would give log10(0.985/0.01 × 0.005 × 100) = 1.69)
    assert treff_polarization_index((0.985, 0.0, 0.015))[0] is None
    assert treff_polarization_index(None) == (None, "no time in Seiler zones")


def test_week_polarization_index_undefined_is_null_with_reason() -> None:
    # 700/200/100 s: Z2 > Z3 → no index, a note
    (row,), _ = weekly_summaries([session(utc(2026, 11, 16, 7), seiler_s=(700.0, 200.0, 100.0))],
                                 "UTC")
    assert row.polarization_index is None
    assert row.polarization_index_note == (
        "not polarized (Z1 70%, Z2 20%, Z3 10%): Treff et al. 2019 define the index only for "
        "Z1 > Z3 > Z2"
    )


def test_week_over_week_change() -> None:
    # W47: 2 sessions, 600 s above, load 100; W48: 3 sessions, 900 s above, load 150;
    # W49: nothing → −100 % each; W50: 1 session after an empty week → relative None
    def week(monday_day: int, n: int, month: int = 11) -> list[SessionSummary]:
        return [session(utc(2026, month, monday_day + d, 7), above_s=300.0, tss=50.0)
                for d in range(n)]

    rows, _ = weekly_summaries(week(16, 2) + week(23, 3) + week(7, 1, month=12), "UTC")
    assert [r.week for r in rows] == ["2026-W47", "2026-W48", "2026-W49", "2026-W50"]
    assert rows[0].change is None
    assert rows[1].change == {
        "time_above_lt_s": {"absolute": 300.0, "relative": pytest.approx(0.5)},
        "load": {"absolute": 50.0, "relative": pytest.approx(0.5)},
        "sessions": {"absolute": 1.0, "relative": pytest.approx(0.5)},
    }
    assert rows[2].change["sessions"] == {"absolute": -3.0, "relative": -1.0}
    assert rows[3].change["load"] == {"absolute": 50.0, "relative": None}


def test_filters_choose_rows_but_history_keeps_load() -> None:
    runs = [session(utc(2026, 11, 2 + 7 * w, 7), tss=100.0) for w in range(4)]  # W45–W48
    ride = session(utc(2026, 11, 11, 7), tss=200.0, sport="cycling", source="ride.fit")  # W46
    everything, _ = weekly_summaries(runs + [ride], "UTC")
    by_week = {r.week: r for r in everything}
    # since Wednesday of W46 → whole weeks W46..; until Tuesday of W47 → ..W47
    rows, _ = weekly_summaries(runs + [ride], "UTC", since=date(2026, 11, 11),
                               until=date(2026, 11, 17))
    assert [r.week for r in rows] == ["2026-W46", "2026-W47"]
    assert rows[0].ctl == by_week["2026-W46"].ctl  # history before the window still counts
    assert rows[0].change == by_week["2026-W46"].change  # compared with W45 (not shown)
    assert rows[0].sessions == 2
    rows, _ = weekly_summaries(runs + [ride], "UTC", weeks=2)
    assert [r.week for r in rows] == ["2026-W47", "2026-W48"]
    assert rows[1].ctl == by_week["2026-W48"].ctl
    # --sport filters the history too: CTL without the ride's 200
    rows, _ = weekly_summaries(runs + [ride], "UTC", sport="running")
    assert [r.sessions for r in rows] == [1, 1, 1, 1]
    assert rows[1].ctl < by_week["2026-W46"].ctl
    assert weekly_summaries(runs, "UTC", sport="swimming")[0] == []
    assert weekly_summaries(runs, "UTC", until=date(2026, 1, 1))[0] == []
    with pytest.raises(ValueError, match="weeks"):
        weekly_summaries(runs, "UTC", weeks=0)


def test_sessions_without_start_are_left_out() -> None:
    rows, _ = weekly_summaries([session(utc(2026, 11, 16, 7)), replace(BASE, start=None)], None)
    assert [r.sessions for r in rows] == [1]
    assert weekly_summaries([], None) == ([], [])


# --- bar ---------------------------------------------------------------------------------------


def test_bar() -> None:
    assert bar(0, 10, 4) == ""
    assert bar(float("nan"), 10, 4) == ""
    assert bar(5, 0, 4) == ""
    assert bar(10, 10, 4) == "████"
    assert bar(25, 10, 4) == "████"  # capped
    assert bar(5, 10, 4) == "██"
    assert bar(1, 10, 4) == "▍"  # 0.4 cell = 3.2 eighths → 3/8
    assert bar(3, 10, 4) == "█▎"  # 1.2 cells = 9.6 eighths → 10 = 1 + 2/8
    assert bar(0.001, 10, 4) == "▏"  # tiny but visible


# --- properties --------------------------------------------------------------------------------

_starts = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 4, 1),
                       timezones=st.just(UTC))


@given(st.lists(_starts, max_size=20), _starts, st.integers(1, 14))
def test_coverage_always_between_0_and_1(ends: list[datetime], start: datetime,
                                          days: int) -> None:
    coverage = window_48h_coverage(ends, start, start + timedelta(days=days))
    assert 0.0 <= coverage <= 1.0


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(_starts, st.sampled_from(["running", "cycling"]), st.integers(0, 2),
                       st.sampled_from([None, -18000, 3600])), max_size=25),
    st.sampled_from([None, "running"]),
    st.sampled_from([None, "UTC", "America/New_York"]),
    st.one_of(st.none(), st.dates(date(2026, 1, 1), date(2026, 4, 1))),
    st.one_of(st.none(), st.dates(date(2026, 1, 1), date(2026, 4, 1))),
)
def test_weekly_sessions_sum_to_deduplicated_filtered_sessions(
    specs: list[tuple[datetime, str, int, int | None]], sport: str | None, tz: str | None,
    since: date | None, until: date | None,
) -> None:
    summaries = [
        session(start, level=HIGH, sport=s, product=f"p{device}", utc_offset_s=offset)
        for start, s, device, offset in specs
    ]
    kept, _ = find_duplicates(summaries)
    low = since - timedelta(days=since.weekday()) if since else date.min
    high = until - timedelta(days=until.weekday()) if until else date.max
    expected = 0
    for s in kept:
        day = local_start(s, tz).date()
        if (sport is None or s.sport == sport) and low <= day - timedelta(days=day.weekday()) <= high:
            expected += 1
    rows, _ = weekly_summaries(summaries, tz, since=since, until=until, sport=sport)
    assert sum(r.sessions for r in rows) == expected
    assert all(0.0 <= r.window_48h_coverage <= 1.0 for r in rows)
