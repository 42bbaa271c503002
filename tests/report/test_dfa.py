"""DFA-α1 in ``show`` (table and JSON) for a synthetic ramp with beat-to-beat intervals."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from rich.console import Console

from lactlog.analysis.options import AnalysisOptions
from lactlog.analysis.series import session_series
from lactlog.analysis.session import summarize
from lactlog.model import Activity
from lactlog.report.chart import chart_columns
from lactlog.report.dfa import dfa_dict
from lactlog.report.jsondoc import session_dict
from lactlog.report.show import show_document, show_renderable
from lactlog.testing.beats import ramp_activity

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "schema" / "lactlog-output.schema.json").read_text())
WIDTH = 80


def rendered(activity: Activity) -> tuple[str, dict]:
    options = AnalysisOptions(flags={"lthr_bpm": 165.0, "ftp_w": 230.0})
    summary = summarize(activity, options)
    thresholds = summary.endurance.thresholds if summary.endurance else None
    series = session_series(activity, options.settings, thresholds,
                            max_buckets=chart_columns(WIDTH))
    console = Console(record=True, width=WIDTH, color_system=None, file=io.StringIO())
    console.print(show_renderable(summary, series, WIDTH))
    json_series = session_series(activity, options.settings, thresholds)
    return console.export_text(), show_document(summary, json_series)


@pytest.fixture(scope="module")
def ramp() -> tuple[str, dict]:
    return rendered(ramp_activity())


def test_ramp_gives_hrvt1_below_hrvt2(ramp) -> None:
    _, document = ramp
    dfa = document["dfa"]
    first, second = dfa["hrvt1"], dfa["hrvt2"]
    assert first is not None and second is not None
    assert 100 < first["heart_rate_bpm"] < second["heart_rate_bpm"] < 180
    assert first["quality"] == "ramp"
    assert first["power_w"] == pytest.approx(2 * first["heart_rate_bpm"] - 100, abs=3)
    assert dfa["artefact_percent"] == 0 and dfa["n_clean_windows"] == dfa["n_windows"]


def test_show_prints_the_alpha1_chart_and_thresholds(ramp) -> None:
    text, document = ramp
    assert "DFA-α1" in text and "HRVT1 (LT1)" in text and "HRVT2 (LT2)" in text
    hr = round(document["dfa"]["hrvt1"]["heart_rate_bpm"])
    assert f"{hr} bpm" in text
    assert "validated on ramp tests" in text
    assert max(len(line) for line in text.splitlines()) <= WIDTH


def test_show_json_validates_and_carries_the_series(ramp) -> None:
    _, document = ramp
    validator = Draft202012Validator({"$ref": "#/$defs/show", "$defs": SCHEMA["$defs"]})
    errors = list(validator.iter_errors(json.loads(json.dumps(document))))
    assert not errors, errors[:3]
    series = document["dfa"]["series"]
    assert len(series["time_s"]) == len(series["alpha1"]) == len(series["heart_rate_bpm"])
    assert series["step_s"] == 30 and series["power_w"] is not None
    assert series["alpha1"][0] > series["alpha1"][-1]
    assert "series" not in document["session"]["dfa"]  # analyze --json stays compact


def test_session_without_beats_has_no_dfa() -> None:
    text, document = rendered(ramp_activity(with_rr=False))
    assert document["dfa"] is None and document["session"]["dfa"] is None
    assert "DFA-α1" not in text
    assert dfa_dict(None) is None


def test_session_dict_dfa_is_json_safe(ramp) -> None:
    summary = summarize(ramp_activity(seed=1), AnalysisOptions())
    data = session_dict(summary)
    json.dumps(data, allow_nan=False)
    assert data["dfa"]["method"].startswith("DFA-α1")
