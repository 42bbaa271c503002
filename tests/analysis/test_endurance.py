"""The endurance analysis on synthetic sessions with hand-computed answers, and on sample data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lactlog
from lactlog.analysis.endurance import analyse_endurance
from lactlog.analysis.options import AnalysisOptions
from lactlog.analysis.session import summarize
from lactlog.analysis.thresholds import SessionThresholds, Threshold
from lactlog.model import Activity, ActivityMeta
from lactlog.settings import Settings

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
T0 = pd.Timestamp("2026-11-16T06:00:00Z")


def _activity(**columns: np.ndarray) -> Activity:
    n = len(next(iter(columns.values())))
    index = pd.DatetimeIndex(T0 + pd.to_timedelta(np.arange(n), unit="s"), name="time")
    samples = pd.DataFrame({k: np.asarray(v, float) for k, v in columns.items()}, index=index)
    return Activity(meta=ActivityMeta("x.fit", "0" * 64, "fit", sport="running"), samples=samples)


def _intervals_hr(n_reps: int, work_s: int, rest_s: int, hard: float, easy: float) -> np.ndarray:
    block = np.concatenate([np.full(work_s, hard), np.full(rest_s, easy)])
    return np.concatenate([np.full(600, easy), np.tile(block, n_reps), np.full(300, easy)])


def test_six_by_three_minutes_above_lthr_is_high() -> None:
    hr = _intervals_hr(6, 180, 120, hard=178, easy=140)
    analysis = analyse_endurance(
        _activity(heart_rate_bpm=hr),
        SessionThresholds(lthr_bpm=Threshold(172, "flag"), max_hr_bpm=Threshold(192, "flag")),
        Settings(),
        "male",
    )
    assert analysis.primary_channel == "heart_rate"
    assert analysis.time_above_lt_s == 6 * 180  # 18 min
    assert [i.duration_s for i in analysis.intervals] == [180] * 6
    assert analysis.verdict.level == "high"
    assert analysis.verdict.reasons[0] == "18 min above LTHR in 6 hard intervals"
    seiler = next(z for z in analysis.zones if z.system == "Seiler three zones")
    assert seiler.seconds == (len(hr) - 1080, 0.0, 1080.0)  # LT1 = 0.9 × 172 = 154.8 bpm


def test_power_is_the_primary_channel_and_drives_np_tss() -> None:
    power = np.full(3600, 200.0)
    power[1200:1800] = 300.0  # 10 min above FTP 250
    analysis = analyse_endurance(
        _activity(power_w=power, heart_rate_bpm=np.full(3600, 150.0)),
        SessionThresholds(
            ftp_w=Threshold(250, "flag"), lthr_bpm=Threshold(170, "flag"),
            cp_w=Threshold(250, "flag"), w_prime_j=Threshold(20000, "flag"),
        ),
        Settings(),
        None,
    )
    assert analysis.primary_channel == "power"
    assert analysis.time_above_lt_s == 600
    assert analysis.time_above_by_channel_s == {"power": 600, "heart_rate": 0}
    assert len(analysis.intervals) == 1
    # W' expended above CP: (300 − 250) W × 600 s = 30 kJ > W' → fully depleted → HIGH
    assert analysis.w_prime.expended_j == pytest.approx(30000)
    assert analysis.w_prime.min_balance_j < 0
    assert analysis.verdict.level == "high"
    assert analysis.tss is not None and analysis.intensity_factor == pytest.approx(
        analysis.normalized_power_w / 250
    )


def test_no_threshold_gives_no_verdict_but_says_why() -> None:
    analysis = analyse_endurance(
        _activity(heart_rate_bpm=np.full(600, 150.0)), SessionThresholds(), Settings(), None
    )
    assert analysis.verdict.level is None
    assert analysis.time_above_lt_s is None
    assert "no threshold known" in analysis.verdict.reasons[0]


def test_sample_hiit_run_end_to_end() -> None:
    (run,) = lactlog.read(SAMPLE / "2026-11-16-hiit-run.fit")
    summary = summarize(run, AnalysisOptions(flags={"lthr_bpm": 172.0}))
    analysis = summary.endurance
    assert analysis.thresholds.lthr_bpm.source == "flag"
    assert len(analysis.intervals) == 6  # the generator's 6 × 3 min
    assert analysis.verdict.level == "high"


def test_public_time_in_zones_helper() -> None:
    activity = _activity(heart_rate_bpm=np.r_[np.full(100, 120.0), np.full(50, 160.0)])
    # boundary 160 belongs to the upper zone (the devices' convention)
    assert lactlog.time_in_zones(activity, [140, 160]) == [100.0, 0.0, 50.0]
    assert lactlog.time_in_zones(activity, [140], channel="power_w") == [0.0, 0.0]
