"""Threshold resolution order: flag > profile (dated, per sport) > device > estimate."""

from __future__ import annotations

from datetime import date

import pytest

from lactlog.analysis.thresholds import (
    lthr_from_heart_rate_reserve,
    resolve_thresholds,
    threshold_rules,
)
from lactlog.model import DeviceSummary, TimeInZone
from lactlog.profile import Profile, set_value
from lactlog.settings import Settings

DAY = date(2026, 3, 15)
DEVICE = DeviceSummary(
    threshold_heart_rate_bpm=168,
    max_heart_rate_setting_bpm=190,
    functional_threshold_power_w=250,
    time_in_zone=(TimeInZone("session", 0, threshold_heart_rate_bpm=170),),
)

RULES = threshold_rules(Settings())  # the default settings' threshold rules


def _profile() -> Profile:
    profile = Profile()
    set_value(profile, "run.lthr_bpm", "172", date(2026, 1, 1))
    set_value(profile, "bike.ftp_w", "260", date(2026, 1, 1))
    return profile


def test_order_of_sources() -> None:
    t = resolve_thresholds("run", DAY, {"ftp_w": 300}, _profile(), DEVICE, RULES)
    assert (t.ftp_w.value, t.ftp_w.source) == (300, "flag")
    assert (t.lthr_bpm.value, t.lthr_bpm.source) == (172, "profile 2026-01-01")
    assert (t.max_hr_bpm.value, t.max_hr_bpm.source) == (190, "device")
    bike = resolve_thresholds("bike", DAY, {}, Profile(), DEVICE, RULES)
    # the session's own time_in_zone wins over the device's general settings
    assert (bike.lthr_bpm.value, bike.lthr_bpm.source) == (170, "device")
    assert (bike.ftp_w.value, bike.ftp_w.source) == (250, "device")


def test_device_ftp_is_not_used_for_running() -> None:
    run = resolve_thresholds("run", DAY, {}, Profile(), DEVICE, RULES)
    assert run.ftp_w.value is None


def test_profile_value_from_a_later_date_does_not_apply() -> None:
    t = resolve_thresholds("run", date(2025, 12, 1), {}, _profile(), DeviceSummary(), RULES)
    assert t.lthr_bpm.value is None


def test_estimate_from_heart_rate_reserve() -> None:
    # LTHR = 50 + 0.85 × (190 − 50) = 169.0 (85 % of heart-rate reserve)
    t = resolve_thresholds(
        "run", DAY, {"max_hr_bpm": 190}, Profile(),
        DeviceSummary(resting_heart_rate_bpm=50), RULES,
    )
    assert t.lthr_bpm.value == pytest.approx(169.0)
    assert t.lthr_bpm.source == "estimate (85 % of HR reserve)"
    # unknown resting HR: the documented default of 60 bpm: 60 + 0.85 × 130 = 170.5
    assert lthr_from_heart_rate_reserve(190, None, 0.85, 60.0).value == pytest.approx(170.5)
