"""The profile's rules: undated values, one check per threshold, sport names and aliases."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from lactlog.errors import ConfigError
from lactlog.profile import (
    UNDATED,
    Profile,
    check_threshold,
    load_profile,
    pace_to_speed_mps,
    parse_sport,
    save_profile,
    set_value,
    sport_names,
)


def test_undated_value_applies_before_and_after_dated_ones(tmp_path: Path) -> None:
    profile = Profile(path=tmp_path / "p.toml")
    assert set_value(profile, "bike.ftp_w", "250") == ("bike.ftp_w", 250)
    assert set_value(profile, "cycling.ftp_w", "270", date(2026, 3, 1)) == ("bike.ftp_w", 270)
    save_profile(profile)
    text = (tmp_path / "p.toml").read_text(encoding="utf-8")
    assert "[thresholds.bike]\nftp_w = 250\n" in text  # undated: a plain key of the group
    loaded = load_profile(tmp_path / "p.toml")
    before = loaded.threshold("ftp_w", "bike", date(2001, 1, 1))
    assert (before.value, before.since, before.source) == (250, UNDATED, "profile (undated)")
    assert loaded.threshold("ftp_w", "bike", date(2026, 3, 1)).value == 270


def test_check_threshold_bounds_and_types() -> None:
    assert check_threshold("lthr_bpm", "172") == 172
    assert check_threshold("lthr_bpm", "171.5") == 171.5  # stored exactly, never truncated
    assert check_threshold("w_prime_j", 20000) == 20000
    for name, value in [("lthr_bpm", "300"), ("lthr_bpm", "29"), ("ftp_w", "-5"),
                        ("w_prime_j", "500"), ("rest_hr_bpm", "nan"), ("cp_w", "inf"),
                        ("max_hr_bpm", "fast"), ("ftp_w", True)]:
        with pytest.raises(ConfigError):
            check_threshold(name, value)
    with pytest.raises(ConfigError, match="unknown threshold"):
        check_threshold("lthr", 170)


@pytest.mark.parametrize(
    ("pace", "speed_mps"),
    # 1000 m / (4·60 + 10 s) = 4.0 m/s; 2:00/km = 8.333 m/s; 15:00/km = 1.111 m/s; 4.5 min = 4:30
    [("4:10", 4.0), ("2:00", 1000 / 120), ("15:00", 1000 / 900), ("4.5", 1000 / 270), (5, 1000 / 300)],
)
def test_paces_accepted(pace, speed_mps: float) -> None:
    assert pace_to_speed_mps(pace) == pytest.approx(speed_mps)


@pytest.mark.parametrize("pace", ["4:75", "4:6", "0:01", "99", "1:59", "15:01", "-4:10", "4:10:00", ""])
def test_paces_refused(pace: str) -> None:
    with pytest.raises(ConfigError):
        pace_to_speed_mps(pace)


def test_sport_names_and_aliases() -> None:
    assert [parse_sport(n) for n in ("run", "running", "Trail-Running", "walking")] == ["run"] * 4
    assert {parse_sport(n) for n in ("bike", "cycling", "ride", "biking", "e_biking")} == {"bike"}
    assert parse_sport("swimming") == "swim" and parse_sport("other") == "other"
    assert parse_sport("all", with_all=True) == "all"
    with pytest.raises(ConfigError):
        parse_sport("all")  # a --sport filter is one group
    names = sport_names()
    assert names["ride"] == "bike" and "all" not in names
