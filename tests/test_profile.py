"""Athlete profile: dated per-sport thresholds, TOML round trip, validation."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from lactlog.errors import ConfigError
from lactlog.profile import (
    Profile,
    load_profile,
    pace_to_speed_mps,
    save_profile,
    set_value,
    sport_group,
)


def test_pace_to_speed() -> None:
    assert pace_to_speed_mps("4:10") == pytest.approx(1000 / 250)
    assert pace_to_speed_mps(5) == pytest.approx(1000 / 300)
    with pytest.raises(ConfigError):
        pace_to_speed_mps("fast")


def test_dated_values_apply_from_their_date(tmp_path: Path) -> None:
    profile = Profile(path=tmp_path / "p.toml")
    set_value(profile, "run.lthr_bpm", "170", date(2026, 1, 1))
    set_value(profile, "run.lthr_bpm", "174", date(2026, 3, 1))
    set_value(profile, "all.max_hr_bpm", "192", date(2025, 6, 1))
    assert profile.threshold("lthr_bpm", "run", date(2025, 12, 31)) is None
    assert profile.threshold("lthr_bpm", "run", date(2026, 2, 28)).value == 170
    march = profile.threshold("lthr_bpm", "run", date(2026, 3, 15))
    assert (march.value, march.since) == (174, date(2026, 3, 1))
    assert profile.threshold("lthr_bpm", "bike", date(2026, 3, 15)) is None
    assert profile.threshold("max_hr_bpm", "bike", date(2026, 3, 15)).value == 192  # "all"


def test_round_trip_through_toml(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "profile.toml"
    profile = Profile(path=path)
    set_value(profile, "sex", "female", date(2026, 1, 1))
    set_value(profile, "bike.ftp_w", "260", date(2026, 1, 1))
    set_value(profile, "run.threshold_pace", "4:10", date(2026, 1, 1))
    set_value(profile, "settings.high_min_above_lt_s", "900", date(2026, 1, 1))
    save_profile(profile)
    loaded = load_profile(path)
    assert loaded.sex == "female"
    assert loaded.threshold("ftp_w", "bike", date(2026, 5, 1)).value == 260
    assert loaded.threshold("threshold_pace", "run", date(2026, 5, 1)).value == pytest.approx(4.0)
    assert loaded.settings == {"high_min_above_lt_s": 900}


def test_missing_file_is_an_empty_profile(tmp_path: Path) -> None:
    assert load_profile(tmp_path / "none.toml").thresholds == {}


@pytest.mark.parametrize(
    "text",
    [
        "sex = 'other'",
        "[thresholds.skiing.2026-01-01]\nlthr_bpm = 150",
        "[thresholds.run.yesterday]\nlthr_bpm = 150",
        "[thresholds.run.2026-01-01]\nlthr = 150",
        "[thresholds.run.2026-01-01]\nlthr_bpm = -3",
        "[settings]\nnot_a_setting = 1",
        "this is not toml",
    ],
)
def test_invalid_profiles_are_config_errors(tmp_path: Path, text: str) -> None:
    path = tmp_path / "p.toml"
    path.write_text(text)
    with pytest.raises(ConfigError):
        load_profile(path)


def test_set_value_rejects_unknown_keys() -> None:
    with pytest.raises(ConfigError):
        set_value(Profile(), "run.speed", "3", date(2026, 1, 1))
    with pytest.raises(ConfigError):
        set_value(Profile(), "timezone", "Mars/Olympus", date(2026, 1, 1))


def test_sport_groups() -> None:
    assert sport_group("running") == "run"
    assert sport_group("cycling") == "bike"
    assert sport_group("rowing") == "other"
