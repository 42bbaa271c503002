"""``lactlog show`` and ``lactlog thresholds`` end to end with Typer's CliRunner."""

from __future__ import annotations

import hashlib
import json
import tomllib
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lactlog.cli import app

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
HIIT = SAMPLE / "2026-11-16-hiit-run.fit"
runner = CliRunner()


def _shas() -> dict[Path, str]:
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in SAMPLE.iterdir()}


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """An empty profile file, so the user's own profile never leaks into a test (a --config
    file must exist)."""
    path = tmp_path / "profile.toml"
    path.write_text("", encoding="utf-8")
    return path


def test_show_hiit_run_text(config: Path) -> None:
    result = runner.invoke(app, ["show", str(HIIT), "--lthr", "172", "--config", str(config)],
                           env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.stderr
    assert "Hard efforts: 6" in result.stdout
    assert "Lactate stimulus: HIGH" in result.stdout
    assert "LTHR 172 bpm (flag)" in result.stdout
    assert "Z5b" in result.stdout and " 172┤" in result.stdout
    assert config.read_text(encoding="utf-8") == ""


def test_show_json(config: Path) -> None:
    before = _shas()
    result = runner.invoke(
        app, ["show", str(HIIT), "--lthr", "172", "--json", "--config", str(config)]
    )
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert set(document) == {"schema_version", "session", "series", "dfa"}
    assert document["schema_version"] == "1.0"
    session = document["session"]
    analyze = json.loads(runner.invoke(
        app, ["analyze", str(HIIT), "--lthr", "172", "--json", "--config", str(config)]
    ).stdout)
    assert session == analyze["sessions"][0]  # the same session dict as analyze --json
    assert len(session["intervals"]) == 6 and session["stimulus"] == "high"
    series = document["series"]
    assert set(series) == {"bucket_s", "time_s", "heart_rate_bpm", "power_w",
                           "w_prime_balance_j", "start"}
    assert len(series["time_s"]) == len(series["heart_rate_bpm"]) > 0
    assert series["power_w"] is None and series["w_prime_balance_j"] is None  # no power
    assert series["start"] == session["start"]  # time_s counts from the session start
    assert "NaN" not in result.stdout
    assert before == _shas()


def test_show_session_out_of_range_is_a_usage_error(config: Path) -> None:
    result = runner.invoke(app, ["show", str(HIIT), "--session", "2", "--config", str(config)])
    assert result.exit_code == 2
    assert "--session" in result.stderr and "holds 1 session" in result.stderr
    assert runner.invoke(app, ["show", str(HIIT), "--session", "0"]).exit_code == 2


def test_show_second_workout_of_a_strong_export(config: Path) -> None:
    result = runner.invoke(
        app, ["show", str(SAMPLE / "2026-11-21-strong.csv"), "--session", "2",
              "--config", str(config)], env={"COLUMNS": "100"},
    )
    assert result.exit_code == 0, result.stderr
    assert "session 2 of 2" in result.stdout
    # 13 rows: 1 warm-up (W) and 12 working sets; RPE 8 -> 2 reps in reserve
    assert "12 working sets (1 warm-up)" in result.stdout
    assert "METABOLIC STRESS" in result.stdout


def test_show_unreadable_file_one_line_exit_1(tmp_path: Path, config: Path) -> None:
    bad = tmp_path / "garbage.fit"
    bad.write_bytes(bytes(range(256)) * 4)
    result = runner.invoke(app, ["show", str(bad), "--config", str(config)])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"error: {bad}: not a FIT file (no '.FIT' signature)"
    ]
    assert "Traceback" not in result.stderr


def test_show_strength_session(config: Path) -> None:
    result = runner.invoke(
        app, ["show", str(SAMPLE / "2026-11-20-strength.fit"), "--config", str(config)],
        env={"COLUMNS": "100"},
    )
    assert result.exit_code == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert "16 working sets (0 warm-up)" in out and "Metabolic stress: MODERATE" in out
    assert "RPE missing: verdict from rest and reps only" in out


def test_show_no_color(config: Path) -> None:
    result = runner.invoke(
        app, ["show", str(SAMPLE / "2026-11-18-threshold-ride.fit"), "--config", str(config)],
        env={"NO_COLOR": "1", "TERM": "xterm", "COLUMNS": "100"},
    )
    assert result.exit_code == 0
    assert "\x1b[" not in result.stdout
    # 2 × 20 min at 97–98 % of FTP: threshold work, not above it (raw 1-s power used to make
    # it HIGH); judged on the 30-s mean it never goes clearly above FTP
    assert "MODERATE" in result.stdout and "Power [W]" in result.stdout
    assert "none in an effort ≥ 30 s" in result.stdout


def test_thresholds_sample_data(config: Path) -> None:
    before = _shas()
    result = runner.invoke(app, ["thresholds", str(SAMPLE), "--config", str(config)],
                           env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "FTP" in out and "242 W" in out and "2026-11-18-threshold-ride.fit" in out
    assert "LTHR" in out and "168 bpm" in out and "Friel" in out
    assert "Max HR" in out and "185 bpm" in out
    assert "CP 254 W" in out and "W' 1,158 J" in out and "R²" in out
    assert config.read_text(encoding="utf-8") == ""  # nothing written without --save
    assert before == _shas()


def test_thresholds_json_evidence(config: Path) -> None:
    result = runner.invoke(app, ["thresholds", str(SAMPLE), "--json", "--config", str(config)])
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["schema_version"] == "1.0" and document["saved"] is None
    estimates = document["estimates"]
    ftp = estimates["ftp_w"]
    assert ftp["value"] == pytest.approx(0.95 * ftp["evidence"][0]["mean"])
    assert ftp["evidence"][0]["source"].endswith("2026-11-18-threshold-ride.fit")
    assert ftp["evidence"][0]["window_s"] == 1200
    assert ftp["evidence"][0]["window_start_local"].endswith("+01:00")
    lthr = estimates["lthr_bpm"]
    assert [w["window_s"] for w in lthr["evidence"]] == [1800, 1200]
    assert lthr["value"] == pytest.approx(lthr["evidence"][1]["mean"])
    assert estimates["max_hr_bpm"]["value"] == pytest.approx(184.6, abs=0.1)
    cp = estimates["critical_power"]
    assert [p["duration_s"] for p in cp["points"]] == [180, 300, 720, 1200]
    # the sample week has no all-out efforts: W' ≈ 1.2 kJ is implausible, so not usable
    assert not cp["usable"] and 0.9 < cp["r2"] <= 1.0
    assert "not saved" in cp["note"]


def test_thresholds_save_writes_profile_dated_today(config: Path) -> None:
    before = _shas()
    result = runner.invoke(app, ["thresholds", str(SAMPLE), "--save", "--config", str(config)])
    assert result.exit_code == 0, result.stderr
    profile = tomllib.loads(config.read_text(encoding="utf-8"))
    today = date.today().isoformat()
    # CP/W' left out: the fit's W' (1,158 J) is below the 5 kJ plausibility limit
    assert profile["thresholds"]["bike"][today] == {"ftp_w": 242}
    assert profile["thresholds"]["all"][today] == {"lthr_bpm": 168, "max_hr_bpm": 185}
    assert f"saved bike.ftp_w = 242 (from {today} on) in {config}" in " ".join(result.stderr.split())
    assert before == _shas()


def test_thresholds_sport_run(config: Path) -> None:
    result = runner.invoke(
        app, ["thresholds", str(SAMPLE), "--sport", "run", "--json", "--save",
              "--config", str(config)],
    )
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["power_group"] == document["heart_rate_group"] == "run"
    assert document["estimates"]["ftp_w"]["value"] is None  # the runs have no power
    saved = tomllib.loads(config.read_text(encoding="utf-8"))["thresholds"]
    assert set(saved) == {"run"}
    assert document["saved"]["values"] == {"run.lthr_bpm": 168, "run.max_hr_bpm": 185}


def test_thresholds_bad_file_reported_and_exit_1(tmp_path: Path, config: Path) -> None:
    bad = tmp_path / "broken.fit"
    bad.write_bytes(b"not a fit file at all")
    result = runner.invoke(
        app, ["thresholds", str(bad), str(SAMPLE / "2026-11-18-threshold-ride.fit"),
              "--json", "--config", str(config)],
    )
    assert result.exit_code == 1
    assert [line for line in result.stderr.splitlines() if line.startswith("error:")] == [
        f"error: {bad}: not a FIT file (no '.FIT' signature)"
    ]
    assert json.loads(result.stdout)["estimates"]["ftp_w"]["value"] is not None


def test_thresholds_usage_errors(config: Path) -> None:
    base = ["thresholds", str(SAMPLE), "--config", str(config)]
    assert runner.invoke(app, base + ["--cp-durations", "1,5,12"]).exit_code == 2
    assert runner.invoke(app, base + ["--cp-durations", "5,12"]).exit_code == 2
    assert runner.invoke(app, base + ["--sport", "no-such-sport"]).exit_code == 2
    result = runner.invoke(app, base + ["--cp-durations", "3,5,20", "--json"])
    assert result.exit_code == 0
    points = json.loads(result.stdout)["estimates"]["critical_power"]["points"]
    assert [p["duration_s"] for p in points] == [180, 300, 1200]


def test_thresholds_save_skips_what_the_history_rules_reject(tmp_path: Path, config: Path) -> None:
    """Six easy runs (HR 135-150): the naive LTHR and max HR are shown with the reason but not
    saved (they would beat the history's own judgement in every later session)."""
    import numpy as np
    import pandas as pd

    from lactlog.testing.fitactivity import write_activity

    folder = tmp_path / "runs"
    folder.mkdir()
    for k in range(6):
        start = pd.Timestamp("2026-11-02T07:00:00Z") + pd.Timedelta(days=k)
        index = pd.DatetimeIndex(start + pd.to_timedelta(np.arange(3600), "s"), name="time")
        samples = pd.DataFrame({"heart_rate_bpm": np.full(3600, 135.0 + 3 * k)}, index=index)
        (folder / f"run{k}.fit").write_bytes(write_activity(samples, sport="running"))
    result = runner.invoke(app, ["thresholds", str(folder), "--save", "--json",
                                 "--config", str(config)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.stderr
    estimates = json.loads(result.stdout)["estimates"]
    assert estimates["lthr_bpm"]["value"] == pytest.approx(150.0)
    assert not estimates["lthr_bpm"]["plausible"] and not estimates["max_hr_bpm"]["plausible"]
    assert "not saved: all.lthr_bpm (see its note)" in result.stderr
    assert "nothing saved: no usable estimate" in result.stderr
    assert config.read_text(encoding="utf-8") == ""
