"""``lactlog lactate-test``: table, chart, JSON/CSV against the schema, errors, --fit, and
--save changing the thresholds of later sessions only (with the test as their source)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from conftest import DEMO_CSV
from lactlog.cli import app
from lactlog.testing.fitactivity import LapSpec, write_activity

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "schema" / "lactlog-output.schema.json").read_text())
runner = CliRunner()

SOURCE = "lactate test 2026-11-03 (ModDmax)"


@pytest.fixture
def sheet(tmp_path: Path) -> Path:
    path = tmp_path / "ramp.csv"
    path.write_text(DEMO_CSV, encoding="utf-8")
    return path


def invoke(*args: str, width: int = 80):
    return runner.invoke(app, [str(a) for a in args], terminal_width=width,
                         env={"COLUMNS": str(width)})


@pytest.mark.parametrize("width", [80, 160])
def test_table_and_chart(sheet: Path, width: int) -> None:
    result = invoke("lactate-test", sheet, width=width)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    for method in ("Log-log (LT1)", "OBLA 4.0", "Bsln+0.5", "ModDmax (LT2)", "Exp-Dmax",
                   "Log-Exp-ModDmax", "LTP2"):
        assert method in out
    assert "140 W" in out and "Bishop et al. 1998" in out
    assert "Lactate curve [mmol/L] against intensity [W]" in out
    assert "●" in out and "┊" in out and "LT2 ModDmax 140 W" in out
    assert "…" not in out
    assert all(len(line) <= width for line in out.splitlines())


def test_json_validates_and_carries_every_method(sheet: Path) -> None:
    result = invoke("lactate-test", sheet, "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    validator = Draft202012Validator({"$ref": "#/$defs/lactate_test", "$defs": SCHEMA["$defs"]})
    errors = list(validator.iter_errors(document))
    assert not errors, errors[:3]
    assert Draft202012Validator(SCHEMA).is_valid(document)
    assert document["kind"] == "lactate_test" and document["saved"] is None
    by_method = {t["method"]: t for t in document["thresholds"]}
    assert len(by_method) == 16
    assert by_method["ModDmax"]["power_w"] == pytest.approx(140, abs=1.5)
    assert by_method["ModDmax"]["heart_rate_bpm"] == pytest.approx(173, abs=1)


def test_csv_and_ndjson(sheet: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(invoke("lactate-test", sheet, "--csv").stdout)))
    assert len(rows) == 16 and rows[0]["method"] == "Log-log"
    assert float(rows[0]["power_w"]) == pytest.approx(83.4, abs=1.5)
    lines = [json.loads(x) for x in invoke("lactate-test", sheet, "--ndjson").stdout.splitlines()]
    validator = Draft202012Validator({"$ref": "#/$defs/lactate_threshold",
                                      "$defs": SCHEMA["$defs"]})
    for line in lines:
        assert line["kind"] == "lactate_test"
        assert validator.is_valid({k: v for k, v in line.items()
                                   if k not in ("kind", "schema_version")})


def test_a_curve_that_stays_below_4_mmol(tmp_path: Path) -> None:
    path = tmp_path / "easy.csv"
    path.write_text("step,duration_min,power_w,lactate_mmol\n1,3,100,1.0\n2,3,130,1.2\n"
                    "3,3,160,1.6\n4,3,190,2.3\n5,3,220,3.2\n", encoding="utf-8")
    result = invoke("lactate-test", path, width=100)
    assert result.exit_code == 0, result.stderr
    assert "OBLA 4.0: not reached: the fitted curve peaks at" in result.stdout
    document = json.loads(invoke("lactate-test", path, "--json").stdout)
    obla4 = next(t for t in document["thresholds"] if t["method"] == "OBLA 4.0")
    assert obla4["power_w"] is None and obla4["note"].startswith("not reached")


@pytest.mark.parametrize(("text", "message"), [
    ("step,duration_min,lactate_mmol\n1,3,1\n", "missing column(s): power_w or"),
    (DEMO_CSV.replace("8.64", "86.4"), "step 7: lactate 86.4 mmol/L is outside 0.3–30"),
    ("\n".join(DEMO_CSV.splitlines()[:4]), "2 exercise step(s): a lactate curve needs at least 4"),
])
def test_bad_sheets_are_one_line_and_exit_1(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    result = invoke("lactate-test", path, width=200)
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}: ") and message in lines[0]


def test_usage_errors_exit_2(sheet: Path) -> None:
    assert invoke("lactate-test", sheet, "--lt2", "Dmaxx").exit_code == 2
    assert invoke("lactate-test", sheet, "--first-lap", "2").exit_code == 2
    assert invoke("lactate-test", sheet, "--date", "3.11.2026").exit_code == 2


def ramp_fit(path: Path) -> Path:
    """A ride: 10-min warm-up lap, then five 3-min laps at 100…300 W, HR 120…160 bpm."""
    start = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
    seconds = np.arange(600 + 5 * 180)
    step = np.clip((seconds - 600) // 180, -1, 4)
    samples = pd.DataFrame(
        {"power_w": np.where(step < 0, 80.0, 100.0 + 50 * step),
         "heart_rate_bpm": np.where(step < 0, 100.0, 120.0 + 10 * step)},
        index=pd.DatetimeIndex(pd.Timestamp(start) + pd.to_timedelta(seconds, "s"), name="time"))
    edges = [pd.Timestamp(start)] + [pd.Timestamp(start) + pd.Timedelta(seconds=600 + 180 * k)
                                     for k in range(6)]
    laps = [LapSpec(a.to_pydatetime(), b.to_pydatetime()) for a, b in zip(edges, edges[1:])]
    path.write_bytes(write_activity(samples, sport="cycling", sub_sport="indoor_cycling",
                                    laps=laps, utc_offset_s=3600))
    return path


def test_fit_recording_gives_the_step_means(tmp_path: Path) -> None:
    sheet = tmp_path / "lactates.csv"
    sheet.write_text("step,lactate_mmol\n0,0.9\n1,1.0\n2,1.3\n3,2.0\n4,3.5\n5,6.0\n",
                     encoding="utf-8")
    recording = ramp_fit(tmp_path / "ramp.fit")
    result = invoke("lactate-test", sheet, "--fit", recording, "--first-lap", "2", "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["test_date"] == "2026-11-03"
    steps = document["steps"][1:]
    assert [round(s["power_w"]) for s in steps] == [100, 150, 200, 250, 300]
    assert [round(s["heart_rate_bpm"]) for s in steps] == [120, 130, 140, 150, 160]
    wrong = invoke("lactate-test", sheet, "--fit", recording, width=200)
    assert wrong.exit_code == 1 and "6 laps for 5 exercise steps" in wrong.stderr
    assert f"error: {recording}: " in wrong.stderr


def test_fit_recording_is_read_within_the_profiles_size_limit(tmp_path: Path) -> None:
    sheet = tmp_path / "lactates.csv"
    sheet.write_text("step,lactate_mmol\n0,0.9\n1,1.0\n2,1.3\n3,2.0\n4,3.5\n5,6.0\n",
                     encoding="utf-8")
    recording = ramp_fit(tmp_path / "ramp.fit")
    profile = tmp_path / "profile.toml"
    profile.write_text("[settings]\nmax_file_mb = 0.01\n", encoding="utf-8")  # 10 kB
    result = invoke("lactate-test", sheet, "--fit", recording, "--first-lap", "2",
                    "--config", profile, width=200)
    assert result.exit_code == 1 and result.stdout == ""
    assert f"error: {recording}: " in result.stderr and "too large" in result.stderr


def ride(path: Path, day: int) -> Path:
    """A 40-min ride at 150 W on 2026-11-<day>, 10:00 UTC."""
    start = pd.Timestamp(datetime(2026, 11, day, 10, 0, tzinfo=UTC))
    samples = pd.DataFrame({"power_w": np.full(2400, 150.0), "heart_rate_bpm": np.full(2400, 150.0)},
                           index=pd.DatetimeIndex(start + pd.to_timedelta(np.arange(2400), "s"),
                                                  name="time"))
    path.write_bytes(write_activity(samples, sport="cycling", sub_sport="road"))
    return path


def test_save_changes_later_sessions_only(sheet: Path, tmp_path: Path) -> None:
    profile = tmp_path / "profile.toml"
    profile.write_text('[thresholds.bike."2026-01-01"]\nftp_w = 250\n', encoding="utf-8")
    saved = invoke("lactate-test", sheet, "--save", "--date", "2026-11-03", "--config", profile,
                   "--json", width=200)
    assert saved.exit_code == 0, saved.stderr
    document = json.loads(saved.stdout)
    assert document["saved"]["group"] == "bike" and document["saved"]["since"] == "2026-11-03"
    assert document["saved"]["values"] == {"ftp_w": 140, "lthr_bpm": 173, "lt1_power_w": 83,
                                           "lt1_hr_bpm": 140}
    assert document["saved"]["sources"]["ftp_w"] == SOURCE
    assert document["saved"]["sources"]["lt1_hr_bpm"] == "lactate test 2026-11-03 (Log-log)"
    assert f"saved bike.ftp_w = 140 from 2026-11-03 on ({SOURCE})" in saved.stderr
    before, after = ride(tmp_path / "before.fit", 1), ride(tmp_path / "after.fit", 5)
    result = invoke("analyze", before, after, "--json", "--no-cache", "--config", profile)
    assert result.exit_code == 0, result.stderr
    sessions = {Path(s["source"]).name: s for s in json.loads(result.stdout)["sessions"]}
    assert sessions["before.fit"]["thresholds"]["ftp_w"]["value"] == 250.0
    assert sessions["before.fit"]["thresholds"]["ftp_w"]["source"] == "profile 2026-01-01"
    assert sessions["after.fit"]["thresholds"]["ftp_w"]["value"] == 140.0
    assert sessions["after.fit"]["thresholds"]["ftp_w"]["source"] == SOURCE
    assert sessions["after.fit"]["thresholds"]["lthr_bpm"]["source"] == SOURCE
    assert sessions["after.fit"]["threshold_source"] == SOURCE
    assert sessions["before.fit"]["threshold_source"] != SOURCE
    shown = invoke("show", after, "--config", profile, width=200)
    assert SOURCE in shown.stdout
