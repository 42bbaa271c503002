"""Measured profile values keep their source (``lactlog lactate-test --save``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from lactlog.errors import ConfigError
from lactlog.profile import load_profile, save_profile, set_measured, set_value

SOURCE = "lactate test 2026-11-03 (ModDmax)"


def test_a_measured_value_round_trips_with_its_source(tmp_path: Path) -> None:
    path = tmp_path / "profile.toml"
    profile = load_profile(path)
    assert set_measured(profile, "run", "threshold_pace", "4:20", date(2026, 11, 3), SOURCE) \
        == "4:20"
    set_measured(profile, "run", "lt1_hr_bpm", 149, date(2026, 11, 3),
                 "lactate test 2026-11-03 (Log-log)")
    save_profile(profile, path)
    again = load_profile(path)
    pace = again.threshold("threshold_pace", "run", date(2026, 12, 1))
    assert pace is not None and pace.source == SOURCE and pace.since == date(2026, 11, 3)
    assert pace.value == pytest.approx(1000 / 260)
    assert again.threshold("lt1_hr_bpm", "run", date(2026, 11, 3)).source.endswith("(Log-log)")
    assert again.threshold("threshold_pace", "run", date(2026, 11, 2)) is None  # before the test


def test_setting_a_value_by_hand_drops_its_source(tmp_path: Path) -> None:
    profile = load_profile(tmp_path / "profile.toml")
    set_measured(profile, "bike", "ftp_w", 140, date(2026, 11, 3), SOURCE)
    set_value(profile, "bike.ftp_w", "150", date(2026, 11, 3))
    found = profile.threshold("ftp_w", "bike", date(2026, 11, 3))
    assert found.value == 150 and found.source is None


@pytest.mark.parametrize(("entry", "message"), [
    ('ftp_w = 140\nsource = "lactate test"\n', "source must be a table of texts"),
    ('ftp_w = 140\nsource = { lthr_bpm = "lactate test" }\n', "does not set: \\['lthr_bpm'\\]"),
    ("lt1_power_w = 5000\n", "lt1_power_w must be between 20 and 600 W"),
    ('lt1_pace = "4:75"\n', "not min:sec"),
])
def test_bad_entries_are_refused(tmp_path: Path, entry: str, message: str) -> None:
    path = tmp_path / "profile.toml"
    path.write_text(f'[thresholds.bike."2026-11-03"]\n{entry}', encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_profile(path)


def test_config_show_names_the_source(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from lactlog.cli import app

    path = tmp_path / "profile.toml"
    profile = load_profile(path)
    set_measured(profile, "bike", "ftp_w", 140, date(2026, 11, 3), SOURCE)
    save_profile(profile, path)
    result = CliRunner().invoke(app, ["config", "show", "--config", str(path)],
                                terminal_width=200, env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert f"functional threshold power [W]; {SOURCE}" in result.stdout
