"""A saved HRVT1 (or lactate-test LT1) moves Seiler's zone 1 boundary of later sessions only."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
import pytest

from lactlog.analysis.options import AnalysisOptions
from lactlog.analysis.session import summarize
from lactlog.profile import Profile, set_measured, set_value
from lactlog.testing.beats import ramp_activity

SOURCE = "HRVT1 2026-11-01 (DFA-α1 0.75, ramp.fit, ramp)"


def options() -> AnalysisOptions:
    profile = Profile()
    set_value(profile, "all.lthr_bpm", "165")
    set_measured(profile, "bike", "lt1_hr_bpm", 130, date(2026, 11, 1), SOURCE)
    return AnalysisOptions.from_profile(profile)


def seiler(summary):
    (zones,) = [z for z in summary.endurance.zones if z.system.startswith("Seiler")]
    return zones


def moved(activity, days: int):
    """The activity shifted by ``days`` (samples, beats and start)."""
    shift = pd.Timedelta(days=days)
    activity.samples.index = activity.samples.index + shift
    activity.rr.index = activity.rr.index + shift
    activity.meta = replace(activity.meta, start=activity.meta.start + shift.to_pytimedelta())
    return activity


def test_session_after_the_saved_hrvt1_uses_it() -> None:
    summary = summarize(ramp_activity(), options())  # 2026-11-03
    lt1 = summary.endurance.thresholds.lt1_hr_bpm
    assert lt1.value == 130 and lt1.source == SOURCE
    assert seiler(summary).upper_bounds[0] == pytest.approx(130.0)
    assert seiler(summary).channel == "heart_rate_bpm"


def test_session_before_it_keeps_the_default_fraction() -> None:
    opts = options()
    summary = summarize(moved(ramp_activity(), -10), opts)  # 2026-10-24
    assert summary.endurance.thresholds.lt1_hr_bpm.value is None
    fraction = opts.settings.lt1_fraction_of_lthr
    assert seiler(summary).upper_bounds[0] == pytest.approx(round(fraction * 165, 1))


def test_other_sport_groups_do_not_borrow_it() -> None:
    activity = ramp_activity(sport="running")
    summary = summarize(activity, options())
    assert summary.endurance.thresholds.lt1_hr_bpm.value is None


def test_lt1_above_lthr_is_ignored_for_zones() -> None:
    opts = options()
    set_measured(opts.profile, "bike", "lt1_hr_bpm", 170, date(2026, 11, 2), SOURCE)
    summary = summarize(ramp_activity(), opts)
    fraction = opts.settings.lt1_fraction_of_lthr
    assert seiler(summary).upper_bounds[0] == pytest.approx(round(fraction * 165, 1))

