"""lactlog.formatting: the one module that writes numbers, durations and paces (hand-computed)."""

from __future__ import annotations

import math

import pytest

from lactlog.formatting import (
    duration_text,
    number_text,
    pace_from_seconds_text,
    pace_text,
)


@pytest.mark.parametrize(
    ("value", "digits", "unit", "expected"),
    [
        (1234.5, 1, " W", "1,234.5 W"),
        (172.4, 0, "", "172"),
        (0.855, 2, "", "0.85"),  # binary 0.855 is just below the half: rounds down
        (None, 0, " W", "–"),
        (math.nan, 0, "", "–"),
        (math.inf, 1, "", "–"),
    ],
)
def test_number_text(value, digits, unit, expected):
    assert number_text(value, digits, unit) == expected


def test_number_text_missing_and_space():
    assert number_text(None, missing="?") == "?"
    assert number_text(151.6, 0, "bpm", space=True) == "152 bpm"
    assert number_text(151.6, 0, "", space=True) == "152"


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [(3725, "1:02:05"), (59.5, "0:01:00"), (0, "0:00:00"), (36_000, "10:00:00"), (None, "–")],
)
def test_duration_text(seconds, expected):
    assert duration_text(seconds) == expected


@pytest.mark.parametrize(
    ("seconds_per_km", "expected"),
    [(299.6, "5:00"), (299.4, "4:59"), (250, "4:10"), (120, "2:00"), (900, "15:00")],
)
def test_pace_rounds_before_splitting(seconds_per_km, expected):
    # 4:59.6 per km is 299.6 s: whole seconds first (300), then minutes:seconds -> 5:00,
    # never "4:60" (the stimulus table's old formatter rounded the seconds part alone).
    assert pace_from_seconds_text(seconds_per_km) == expected


def test_pace_text_from_speed():
    assert pace_text(1000 / 299.6) == "5:00/km"
    assert pace_text(4.0) == "4:10/km"  # 1000 m / 4 m/s = 250 s
    assert pace_text(4.0, suffix="") == "4:10"


def test_stimulus_table_threshold_pace_never_prints_60_seconds():
    from lactlog.analysis.endurance import EnduranceAnalysis
    from lactlog.analysis.thresholds import SessionThresholds, Threshold
    from lactlog.report.tables import _threshold_text

    thresholds = SessionThresholds(threshold_speed_mps=Threshold(1000 / 299.6, "flag"))
    analysis = EnduranceAnalysis(thresholds=thresholds, recorded_s=600.0, primary_channel="speed",
                                 time_above_lt_s=60.0)
    assert _threshold_text(analysis) == "5:00/km (flag)"
    assert analysis.time_above_lt_fraction == pytest.approx(0.1)  # 60 s of 600 s


def test_one_pace_syntax_for_profile_flags_and_sheets() -> None:
    from lactlog.formatting import seconds_from_pace_text
    from lactlog.io.lactate_steps import _pace_s_per_km
    from lactlog.profile import pace_to_speed_mps

    assert seconds_from_pace_text("4:10") == 250.0 == seconds_from_pace_text(" 4:10 ")
    assert seconds_from_pace_text("4.5") == 270.0 == seconds_from_pace_text("4,5")
    for bad in ("+4:10", "-4:10", "4:60", "4:1", "4:", ":10", "abc", ""):
        with pytest.raises(ValueError):
            seconds_from_pace_text(bad)
    # the profile/flags and a lactate sheet accept and refuse the same texts
    assert pace_to_speed_mps("4,5") == pytest.approx(1000 / 270)
    assert _pace_s_per_km("4,5", "row 2") == 270.0
    for bad in ("+4:10", "inf"):
        with pytest.raises(Exception, match="pace"):
            pace_to_speed_mps(bad)
        with pytest.raises(Exception, match="pace"):
            _pace_s_per_km(bad, "row 2")
