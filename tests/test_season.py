"""The season report's document (lactlog.season): the numbers of week --json and show --json,
the daily CTL/ATL/TSB, the downsampled series."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from lactlog.analysis.options import AnalysisOptions
from lactlog.analysis.series import bucket_last
from lactlog.season import REPORT_MAX_POINTS, season_report

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


def test_bucket_last_takes_each_buckets_last_valid_value() -> None:
    # buckets of 3 s: [0, 1, 2] -> 2.0 (t=2), [3, 4, 5] -> 4.0 (t=4; t=5 is NaN), [6..8] empty
    values = np.array([0.0, 1.0, 2.0, 3.0, 4.0, np.nan, 9.0])
    times = np.array([0, 1, 2, 3, 4, 5, 9])
    out = bucket_last(values, times, 3)
    np.testing.assert_array_equal(out, [2.0, 4.0, np.nan, 9.0])
    assert bucket_last(np.array([]), np.array([], dtype=int), 3).size == 0


@pytest.fixture(scope="module")
def document() -> dict:
    return season_report([SAMPLE], AnalysisOptions(), jobs=1).document


def test_days_end_each_week_with_its_ctl_atl_tsb(document: dict) -> None:
    days = {d["date"]: d for d in document["days"]}
    for week in document["week"]["weeks"]:
        monday = np.datetime64(week["week_start"])
        last = str(monday + np.timedelta64(6, "D"))
        last = last if last in days else max(days)  # the last week ends on the last session day
        assert days[last]["ctl"] == pytest.approx(week["ctl"], abs=0.01)
        assert days[last]["atl"] == pytest.approx(week["atl"], abs=0.01)
        assert days[last]["tsb"] == pytest.approx(week["tsb"], abs=0.01)
    week_load = sum(w["load"] for w in document["week"]["weeks"])
    assert sum(d["load"] for d in document["days"]) == pytest.approx(week_load, abs=0.1)


def test_sessions_are_show_json_documents_with_short_series(document: dict) -> None:
    week = document["week"]["weeks"]
    assert len(document["sessions"]) == sum(w["sessions"] for w in week) == 6
    assert document["schema_version"] == "1.0" and document["kind"] == "season_report"
    for doc in document["sessions"]:
        assert set(doc) == {"schema_version", "session", "series", "dfa"}
        series = doc["series"]
        if series is not None:
            assert len(series["time_s"]) <= REPORT_MAX_POINTS
            assert series["start"] is None or series["start"].endswith("Z")
    high = [d["session"] for d in document["sessions"] if d["session"]["stimulus"] == "high"]
    assert [s["source"].rsplit("/", 1)[-1] for s in high] == ["2026-11-16-hiit-run.fit"]
