"""DFA-α1 end to end: a FIT ramp with ``hrv`` messages through ``show`` and ``thresholds``."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from lactlog.cli import app
from lactlog.testing.beats import ramp_activity
from lactlog.testing.fitactivity import RR_PER_HRV_MESSAGE, write_activity

runner = CliRunner()


def ramp_fit(path: Path) -> Path:
    """The synthetic ramp (:func:`ramp_activity`) written as a FIT ride: 1-Hz records and
    its RR intervals in ``hrv`` messages of five, each after the record of the second in
    which its first beat starts."""
    activity = ramp_activity()
    rr = activity.rr["rr_s"].to_numpy()
    beat_start = activity.rr.index - pd.to_timedelta(rr, unit="s")
    messages = []
    for first in range(0, len(rr), RR_PER_HRV_MESSAGE):
        second = beat_start[first].floor("s").to_pydatetime()
        messages.append((second, [float(v) for v in np.round(rr[first:first + 5], 3)]))
    path.write_bytes(write_activity(activity.samples, sport="cycling", rr_intervals=messages))
    return path


@pytest.fixture(scope="module")
def ramp_file(tmp_path_factory) -> Path:
    return ramp_fit(tmp_path_factory.mktemp("dfa") / "ramp.fit")


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """thresholds analyses through the result cache: keep it out of the user's."""
    monkeypatch.setenv("LACTLOG_CACHE_DIR", str(tmp_path / "cache"))


def test_show_json_has_alpha1_and_thresholds(ramp_file: Path) -> None:
    result = runner.invoke(app, ["show", str(ramp_file), "--json"])
    assert result.exit_code == 0, result.stderr
    dfa = json.loads(result.stdout)["dfa"]
    assert dfa["artefact_percent"] < 1
    assert dfa["hrvt1"]["quality"] == "ramp"
    assert 100 < dfa["hrvt1"]["heart_rate_bpm"] < dfa["hrvt2"]["heart_rate_bpm"] < 180
    assert len(dfa["series"]["alpha1"]) > 60


def test_show_table_has_the_alpha1_chart(ramp_file: Path) -> None:
    result = runner.invoke(app, ["show", str(ramp_file)], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.stderr
    assert "DFA-α1" in result.stdout and "HRVT1 (LT1)" in result.stdout


def test_thresholds_offers_and_saves_hrvt1(ramp_file: Path, tmp_path: Path) -> None:
    config = tmp_path / "profile.toml"
    shown = runner.invoke(app, ["thresholds", str(ramp_file), "--config", str(config), "--save",
                                "--json"])
    assert shown.exit_code == 0, shown.stderr
    document = json.loads(shown.stdout)
    offered = {item["name"]: item for item in document["hrv_thresholds"]}
    assert set(offered) == {"HRVT1", "HRVT2"} and offered["HRVT1"]["group"] == "bike"
    profile = tomllib.loads(config.read_text())
    day = offered["HRVT1"]["day"]
    entry = profile["thresholds"]["bike"][day]
    assert entry["lt1_hr_bpm"] == round(offered["HRVT1"]["heart_rate_bpm"])
    assert entry["lt1_power_w"] == round(offered["HRVT1"]["power_w"])
    assert entry["source"]["lt1_hr_bpm"].startswith(f"HRVT1 {day} (DFA-α1 0.75, ramp.fit, ramp")
    assert "lthr_bpm" not in entry  # HRVT2 is a cross-check, never stored
    assert {v["key"] for v in document["saved_hrv"]["values"]} == {"bike.lt1_hr_bpm",
                                                                   "bike.lt1_power_w"}
