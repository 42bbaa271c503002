"""The ``show`` renderables, rendered to plain text at a fixed width."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

from lactlog.analysis.options import AnalysisOptions
from lactlog.analysis.series import SessionSeries, bucket_means, session_series
from lactlog.analysis.session import summarize
from lactlog.io import read
from lactlog.report.chart import THRESHOLD_CHAR, chart_columns, line_chart
from lactlog.report.show import bar, show_document, show_renderable

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
WIDTH = 100


def render(renderable) -> str:
    console = Console(record=True, width=WIDTH, color_system=None, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def shown(name: str, **flags: float) -> tuple[str, object, SessionSeries]:
    options = AnalysisOptions(flags=flags)
    activity = read(SAMPLE / name)[0]
    summary = summarize(activity, options)
    thresholds = summary.endurance.thresholds if summary.endurance else None
    series = session_series(activity, options.settings, thresholds,
                            max_buckets=chart_columns(WIDTH))
    return render(show_renderable(summary, series, WIDTH)), summary, series


def test_hiit_run_shows_every_section():
    text, summary, _ = shown("2026-11-16-hiit-run.fit", lthr_bpm=172)
    assert "2026-11-16-hiit-run.fit" in text
    assert "running/street" in text and "garmin fr965" in text
    assert "2026-11-16 07:00" in text and "0:50:40" in text and "0:50:00" in text
    assert "LTHR 172 bpm (flag)" in text and "max HR 192 bpm (device)" in text
    assert "Lactate stimulus: HIGH" in text and "in 6 efforts ≥ 30 s" in text
    assert "Hard efforts: 6" in text
    for zone in ("Z1", "Z2", "Z3", "Z4", "Z5a", "Z5b", "Z5c"):
        assert f"\n{zone} " in text
    assert "Friel running heart rate" in text and "Seiler three zones" in text
    assert "Hard efforts: 6" in text
    assert "07:16:52" in text  # first effort (local time, UTC+1): HR reaches 1.03 × 172 bpm
    load = summary.endurance  # the renderer shows analysis values (hand-checked in test_load)
    assert f"TRIMP {load.trimp:.0f}" in text
    assert f"normalised TRIMP {load.trimp_normalized:.0f}" in text
    assert "W' balance" not in text  # no power, no W'
    assert "Heart rate [bpm]" in text and "Power [W]" not in text
    lines = text.splitlines()
    threshold_line = next(line for line in lines if line.startswith(" 172┤"))
    assert threshold_line.count(THRESHOLD_CHAR) > 20  # drawn where no bar covers it
    assert "min" in lines[-1] and " 0 " in lines[-1]  # x-axis in minutes
    assert all(len(line) <= WIDTH for line in lines)


def test_ride_with_power_has_w_prime_and_a_power_chart():
    text, summary, _ = shown("2026-11-18-threshold-ride.fit", cp_w=250, w_prime_j=20000)
    assert "Coggan power levels" in text
    assert "W' balance: lowest" in text and "% of W'" in text
    np_w = summary.endurance.normalized_power_w
    assert f"NP {np_w:.0f} W" in text
    assert f"IF {np_w / 260:.2f}" in text  # IF = NP / FTP, the device's FTP of 260 W
    assert f"TSS {summary.endurance.tss:.0f}" in text
    assert "Power [W]" in text and "FTP 260 W" in text
    assert " 260┤" in text


def test_strength_session_says_what_is_there():
    text, summary, _ = shown("2026-11-20-strength.fit")
    assert summary.endurance is None
    words = " ".join(text.split())
    assert summary.strength is not None and summary.strength.n_sets == 16
    assert "16 working sets" in words and "barbell_back_squat" in words and "Rest" in words
    assert "Heart rate [bpm]" in text


def test_zone_bar_lengths():
    assert bar(1.0, 1.0, 10) == "█" * 10
    assert bar(0.0, 1.0, 10) == ""
    assert bar(0.55, 1.0, 10) == "█" * 5 + "▌"  # 44 eighths: 5 full blocks and 4/8


def test_chart_threshold_row_and_bars():
    # 10 buckets at 100, 10 at 200 bpm, threshold 150: the threshold row shows '─' over the
    # low half and bars over the high half; labels for bottom, threshold and top
    values = np.r_[np.full(10, 100.0), np.full(10, 200.0)]
    text = render(line_chart(values, 60, "Heart rate", "bpm", 40, 150, "LTHR", height=4))
    lines = text.splitlines()
    assert "─── LTHR 150 bpm" in lines[0] and "1 column = 60 s" in lines[0]
    row = next(line for line in lines if line.startswith(" 150┤"))
    assert row[5:15] == THRESHOLD_CHAR * 10 and row[15:25] == "█" * 10
    assert lines[-2].startswith("    └┬")
    assert lines[-1].split()[:2] == ["0", "10"]  # ticks at least 6 columns apart


def test_chart_gaps_and_no_data():
    values = np.array([150.0, np.nan, 160.0])
    text = render(line_chart(values, 60, "Heart rate", "bpm", 40, 155, "LTHR", height=4))
    row = next(line for line in text.splitlines() if line.startswith(" 155┤"))
    assert row[5:8] == f"{THRESHOLD_CHAR}{THRESHOLD_CHAR}█"
    assert "no data" in render(line_chart(np.full(3, np.nan), 60, "Power", "W", 40))
    assert "no data" in render(line_chart(None, 60, "Power", "W", 40))


def test_bucket_means_by_hand():
    # seconds 0..5 in buckets of 2: (1+2)/2, (NaN, 4) -> 4, (5+6)/2; second 9 -> bucket 4
    values = np.array([1.0, 2.0, np.nan, 4.0, 5.0, 6.0, 9.0])
    times = np.array([0, 1, 2, 3, 4, 5, 9])
    assert np.allclose(bucket_means(values, times, 2), [1.5, 4.0, 5.5, np.nan, 9.0],
                       equal_nan=True)


def test_show_document_series_has_nulls_for_gaps():
    options = AnalysisOptions(flags={"lthr_bpm": 172})
    activity = read(SAMPLE / "2026-11-16-hiit-run.fit")[0]
    summary = summarize(activity, options)
    series = session_series(activity, options.settings, summary.endurance.thresholds, 10)
    document = show_document(summary, series)
    assert set(document) == {"schema_version", "session", "series", "dfa"}
    data = document["series"]
    assert data["bucket_s"] == 10 and data["power_w"] is None
    assert len(data["time_s"]) == len(data["heart_rate_bpm"]) == pytest.approx(3040 / 10, abs=1)
    # the 40-s timer pause 8 min in: no heart rate for the buckets inside it
    assert None in data["heart_rate_bpm"][48:54]
    assert len(document["session"]["intervals"]) == 6
