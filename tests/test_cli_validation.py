"""Hostile configs and flags (issue 14, classes 3 and 8): every command gives one clear line
naming the problem and exit code 2 — never a traceback, never an "internal error" per file.

The config is the autouse fixture's ``$LACTLOG_CONFIG`` (tests/conftest.py); each case writes it.
Runtime: about 95 s on the shared 2-core machine (23 bad profiles × 12 command runs, in-process).
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from conftest import DEMO_CSV, REPO_ROOT
from lactlog.cli import app
from lactlog.errors import ConfigError
from lactlog.testing.fitactivity import AthleteSettings, write_activity
from lactlog.testing.simulate import heart_rate, piecewise, samples_frame

RUN = REPO_ROOT / "sample_data" / "2026-11-16-hiit-run.fit"
runner = CliRunner()


def _commands(path: Path, sheet: Path) -> list[list[str]]:
    """Every command that reads the profile, as a table and as JSON."""
    commands = []
    for fmt in ([], ["--json"]):
        commands += [["analyze", "--no-cache", *fmt, str(path)], ["show", *fmt, str(path)],
                     ["week", "--no-cache", *fmt, str(path)], ["thresholds", *fmt, str(path)],
                     ["lactate-test", *fmt, str(sheet)]]
    return commands + [["config", "show"], ["config", "show", "--json"]]


@pytest.fixture
def sheet(tmp_path: Path) -> Path:
    path = tmp_path / "step-test.csv"
    path.write_text(DEMO_CSV, encoding="utf-8")
    return path


def _one_clear_line(result, *expected: str) -> None:
    """Exit code 2, no exception, no traceback, and a stderr that names the problem."""
    assert result.exit_code == 2, (result.exit_code, result.stderr, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    flat = " ".join(result.stderr.replace("│", " ").split())
    for text in expected:
        assert text in flat, result.stderr
    assert result.stdout == ""


NESTED = "x = " + "[" * 3000 + "]" * 3000 + "\n"

#: (id, profile text, words the one error line must contain)
BAD_CONFIGS = [
    ("nested-arrays", NESTED, ["not valid TOML (nested too deeply)"]),
    ("pace-list", "[thresholds.run]\nthreshold_pace = [1]\n", ["threshold pace [1]"]),
    ("settings-number", "settings = 5\n", ["settings must be a table", "not 5"]),
    ("thresholds-number", "thresholds = 5\n", ["thresholds must be a table"]),
    ("group-list", "thresholds = {run = [1, 2]}\n", ["thresholds.run must be a table"]),
    ("zone-mars", 'timezone = "Mars/Olympus_Mons"\n', ["unknown time zone 'Mars/Olympus_Mons'"]),
    ("zone-path", 'timezone = "../../../../etc/passwd"\n', ["unknown time zone '../../../../etc"]),
    ("zone-number", "timezone = 5\n", ["timezone", "not 5"]),
    ("zone-folder", 'timezone = "Europe"\n', ["unknown time zone 'Europe'"]),
    ("profile-nan", "[thresholds.run]\nlthr_bpm = nan\n", ["lthr_bpm must be a finite number"]),
    ("profile-inf", "[thresholds.bike]\nftp_w = inf\n", ["ftp_w must be a finite number"]),
    ("profile-range", "[thresholds.all]\nmax_hr_bpm = 41\n", ["max_hr_bpm must be between 100"]),
    ("lt1-zero", "[settings]\nlt1_fraction_of_lthr = 0\n", ["lt1_fraction_of_lthr must be between"]),
    ("lt1-huge", "[settings]\nlt1_fraction_of_lthr = 1e6\n", ["lt1_fraction_of_lthr must be"]),
    ("file-limit-inf", "[settings]\nmax_file_mb = inf\n", ["max_file_mb must be a finite number"]),
    ("file-limit-1e400", "[settings]\nmax_file_mb = 1e400\n", ["max_file_mb must be a finite"]),
    ("setting-text", '[settings]\nmax_gap_s = "25"\n', ["max_gap_s must be a number"]),
    ("settings-order", "[settings]\nstrength_moderate_min_stress_sets = 7\n",
     ["strength_moderate_min_stress_sets (7) must be below strength_high_min_stress_sets (6)"]),
    ("setting-unknown", "[settings]\nhr_min_bpm_x = 1\n", ["unknown setting 'hr_min_bpm_x'"]),
    ("rest-above-max", "[thresholds.all]\nmax_hr_bpm = 100\nrest_hr_bpm = 110\n",
     ["max_hr_bpm (100 bpm) must be above rest_hr_bpm (110 bpm)"]),
    ("dated-rest-above-max",
     ('[thresholds.all]\nmax_hr_bpm = 120\n[thresholds.run."2026-01-01"]\nrest_hr_bpm = 119\n'
     'lthr_bpm = 118\n'), ["run from 2026-01-01", "lthr_bpm (118 bpm) must be above rest_hr_bpm"]),
    ("default-rest-above-max", ("[settings]\ndefault_rest_hr_bpm = 110\n[thresholds.run]\n"
     "max_hr_bpm = 105\n"), ["must be above settings.default_rest_hr_bpm (110 bpm)"]),
]


@pytest.mark.parametrize(("text", "expected"), [pytest.param(t, e, id=i) for i, t, e in BAD_CONFIGS])
def test_a_bad_profile_is_one_line_and_exit_2_in_every_command(text: str, expected: list[str],
                                                                sheet: Path) -> None:
    config = Path(os.environ["LACTLOG_CONFIG"])
    config.write_text(text, encoding="utf-8")
    for command in _commands(RUN, sheet):
        result = runner.invoke(app, command)
        _one_clear_line(result, str(config), *expected)
        assert len(result.stderr.strip().splitlines()) == 1, (command, result.stderr)


#: (id, flags, words of the usage error)
BAD_FLAGS = [
    ("max-hr-60", ["--max-hr", "60"], ["max_hr_bpm must be between 100 and 230 bpm, not 60"]),
    ("pace-nan", ["--threshold-pace", "nan"], ["threshold pace 'nan'"]),
    ("pace-inf", ["--threshold-pace", "inf"], ["threshold pace 'inf'"]),
    ("ftp-inf", ["--ftp", "inf"], ["ftp_w must be a finite number, not inf"]),
    ("ftp-1e400", ["--ftp", "1e400"], ["ftp_w must be a finite number"]),
    ("lthr-nan", ["--lthr", "nan"], ["lthr_bpm must be a finite number"]),
    ("lthr-above-max", ["--max-hr", "150", "--lthr", "160"],
     ["--lthr 160 --max-hr 150 with the profile", "max_hr_bpm (150 bpm) must be above lthr_bpm"]),
]


@pytest.mark.parametrize(("flags", "expected"), [pytest.param(f, e, id=i) for i, f, e in BAD_FLAGS])
@pytest.mark.parametrize("command", ["analyze", "show"])
@pytest.mark.parametrize("fmt", [[], ["--json"]], ids=["table", "json"])
def test_bad_threshold_flags_are_usage_errors(command: str, fmt: list[str], flags: list[str],
                                              expected: list[str]) -> None:
    extra = ["--no-cache"] if command == "analyze" else []
    result = runner.invoke(app, [command, *extra, *fmt, str(RUN), *flags])
    _one_clear_line(result, *expected)


def test_flags_are_checked_against_the_profiles_resting_heart_rate() -> None:
    Path(os.environ["LACTLOG_CONFIG"]).write_text("[thresholds.run]\nrest_hr_bpm = 105\n")
    result = runner.invoke(app, ["show", str(RUN), "--max-hr", "104"])
    _one_clear_line(result, "max_hr_bpm (104 bpm) must be above rest_hr_bpm (105 bpm)")
    assert runner.invoke(app, ["show", "--json", str(RUN), "--max-hr", "190"]).exit_code == 0


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("settings.max_file_mb", "1e400", "max_file_mb must be a finite number"),
    ("settings.max_file_mb", "inf", "max_file_mb must be a finite number"),
    ("settings.lt1_fraction_of_lthr", "0", "lt1_fraction_of_lthr must be between 0.5 and 1"),
    ("settings.lt1_fraction_of_lthr", "1e6", "lt1_fraction_of_lthr must be between 0.5 and 1"),
    ("settings.hr_min_bpm", "nan", "hr_min_bpm must be a finite number"),
    ("settings.default_rest_hr_bpm", "119", "must be above settings.default_rest_hr_bpm"),
    ("timezone", "../../../../etc/passwd", "unknown time zone"),
    ("timezone", "Mars/Olympus_Mons", "unknown time zone"),
    ("run.lthr_bpm", "nan", "lthr_bpm must be a finite number"),
    ("run.rest_hr_bpm", "118", "profile: run: max_hr_bpm (118 bpm) must be above rest_hr_bpm"),
    ("all.max_hr_bpm", "1e400", "max_hr_bpm must be a finite number"),
])
def test_config_set_refuses_and_keeps_the_file(key: str, value: str, expected: str) -> None:
    config = Path(os.environ["LACTLOG_CONFIG"])
    config.write_text("[thresholds.run]\nlthr_bpm = 110\nmax_hr_bpm = 118\n", encoding="utf-8")
    before = config.read_bytes()
    result = runner.invoke(app, ["config", "set", key, value])
    _one_clear_line(result, expected)
    assert config.read_bytes() == before  # nothing half-saved


def test_a_refused_value_never_stays_in_the_profile() -> None:
    """``set_value`` restores the old value when the combination check refuses the new one
    (``thresholds --save`` goes on with the other estimates and then saves the profile)."""
    from lactlog.profile import Profile, set_value, to_document

    profile = Profile()
    set_value(profile, "run.max_hr_bpm", "110")
    with pytest.raises(ConfigError, match="must be above"):
        set_value(profile, "run.rest_hr_bpm", "110")
    with pytest.raises(ConfigError, match="must be above"):
        set_value(profile, "settings.default_rest_hr_bpm", "115")
    assert to_document(profile) == {"thresholds": {"run": {"max_hr_bpm": 110}}}


def _run_with_device_max_hr(path: Path, max_hr_bpm: int, rest_hr_bpm: int | None = None) -> Path:
    """A 20-min run whose watch stored ``zones_target.max_heart_rate`` (and resting HR)."""
    rng = np.random.default_rng(3)
    target = piecewise([(300, 110.0), (600, 150.0), (300, 165.0)])
    samples = samples_frame(datetime(2026, 11, 2, 7, tzinfo=UTC),
                            heart_rate_bpm=heart_rate(target, rng, initial_bpm=95))
    athlete = AthleteSettings(max_heart_rate_bpm=max_hr_bpm, resting_heart_rate_bpm=rest_hr_bpm)
    path.write_bytes(write_activity(samples, athlete=athlete))
    return path


@pytest.mark.parametrize(("max_hr", "rest_hr"), [(41, None), (0, None), (255, None), (41, 60)],
                         ids=["max-41", "max-0", "max-255", "max-41-rest-60"])
def test_implausible_device_heart_rates_are_missing(tmp_path: Path, max_hr: int,
                                                    rest_hr: int | None) -> None:
    """A watch's max HR of 41 (default rest 60) made TRIMP's HR reserve negative: a ValueError
    traceback in load.heart_rate_reserve_fraction. Now the device value is not used."""
    path = _run_with_device_max_hr(tmp_path / "run.fit", max_hr, rest_hr)
    for command in (["analyze", "--no-cache", "--json"], ["show", "--json"],
                    ["week", "--no-cache", "--json"], ["thresholds", "--json"]):
        result = runner.invoke(app, [*command, str(path)])
        assert result.exit_code == 0, (command, result.stderr, result.exception)
        json.loads(result.stdout)
    session = json.loads(runner.invoke(app, ["show", "--json", str(path)]).stdout)["session"]
    max_used = session["thresholds"]["max_hr_bpm"]
    # the history's max HR (at least the assumed 180 bpm) instead of the device's placeholder
    assert max_used["source"] != "device" and max_used["value"] >= 180
    assert session["trimp"] is not None
    for command in (["analyze", "--no-cache"], ["show"]):  # and the tables
        assert runner.invoke(app, [*command, str(path)]).exit_code == 0


@pytest.mark.parametrize(("device", "kept"), [
    ({"max_heart_rate_setting_bpm": 110, "resting_heart_rate_bpm": 115}, {"max_hr_bpm": 110}),
    ({"threshold_heart_rate_bpm": 170, "max_heart_rate_setting_bpm": 160},
     {"max_hr_bpm": 160}),
])
def test_device_heart_rates_that_do_not_fit_are_dropped(device: dict, kept: dict) -> None:
    """Plausible one by one, but no HR reserve (rest 115 ≥ max 110) or LTHR above max: the
    device's resting HR, then its LTHR, goes (resolve_thresholds), so TRIMP never divides by a
    reserve ≤ 0."""
    from datetime import date

    from lactlog.analysis.thresholds import resolve_thresholds, threshold_rules
    from lactlog.model import DeviceSummary
    from lactlog.profile import Profile
    from lactlog.settings import Settings

    found = resolve_thresholds("run", date(2026, 11, 2), {}, Profile(), DeviceSummary(**device),
                               threshold_rules(Settings()))
    assert found.rest_hr_bpm.value is None
    for name, value in kept.items():
        assert (getattr(found, name).value, getattr(found, name).source) == (value, "device")
    assert found.lthr_bpm.value is None or found.lthr_bpm.value < found.max_hr_bpm.value
