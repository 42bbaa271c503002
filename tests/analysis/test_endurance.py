"""The endurance analysis on synthetic sessions with hand-computed answers, and on sample data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lactlog
from lactlog.analysis.endurance import analyse_endurance, endurance_rules
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
        endurance_rules(Settings()),
        "male",
    )
    assert analysis.primary_channel == "heart_rate"
    assert analysis.time_above_lt_s == 6 * 180  # 18 min
    # 178 bpm ≥ 1.03 × 172 = 177.2 bpm starts each effort; 140 < 0.97 × 172 ends it
    assert [i.duration_s for i in analysis.intervals] == [180] * 6
    assert analysis.time_above_lt_in_efforts_s == 6 * 180
    assert analysis.verdict.level == "high"
    assert analysis.verdict.reasons[0] == "18 min above LTHR, all in 6 efforts ≥ 30 s"
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
        endurance_rules(Settings()),
        None,
    )
    assert analysis.primary_channel == "power"
    # 30-s centred mean (15 s before, 14 after): exactly 250 W = FTP at second 1200 and 1800,
    # above in between → 601 s
    assert analysis.time_above_lt_s == 601
    assert analysis.time_above_by_channel_s == {"power": 601, "heart_rate": 0}
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
        _activity(heart_rate_bpm=np.full(600, 150.0)), SessionThresholds(), endurance_rules(Settings()), None
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


def _thresholds(**values: float) -> SessionThresholds:
    return SessionThresholds(**{k: Threshold(v, "flag") for k, v in values.items()})


def test_steady_ride_at_ftp_with_noise_is_not_high() -> None:
    # 60 min at FTP 250 W with ±40 W of 1-s noise: raw power ≥ FTP half the time (30 min), which
    # used to read "30 min above FTP" → HIGH. Judged on the 30-s mean it is threshold work.
    rng = np.random.default_rng(7)
    power = 250 + rng.uniform(-40, 40, 3600)
    analysis = analyse_endurance(
        _activity(power_w=power), _thresholds(ftp_w=250), endurance_rules(Settings()), None
    )
    assert (power >= 250).sum() > 1700
    assert analysis.time_above_lt_in_efforts_s < Settings().high_min_above_lt_s / 2  # 4.1 min
    assert analysis.verdict.level == "moderate"


def test_heart_rate_hovering_at_lthr_is_moderate_not_high() -> None:
    # 40 min with HR oscillating ±3 bpm around LTHR 165 (the steady run, AnTE 0.4):
    # about half of it at or above LTHR, but never clearly above → no hard effort, MODERATE
    t = np.arange(2400)
    hr = np.r_[np.full(600, 140.0), np.round(165 + 3 * np.sin(2 * np.pi * t / 90))]
    analysis = analyse_endurance(
        _activity(heart_rate_bpm=hr), _thresholds(lthr_bpm=165, max_hr_bpm=190), endurance_rules(Settings()), None
    )
    assert analysis.time_above_lt_s > 1000
    assert analysis.intervals == ()
    assert analysis.verdict.level == "moderate"
    assert analysis.verdict.reasons[0].endswith("none in an effort ≥ 30 s")


def test_raw_power_surges_do_not_count_as_time_above_ftp() -> None:
    # a triathlon-style ride at IF ~0.8 with a 3-s surge to 400 W every 60 s: raw power is
    # ≥ FTP 5 % of the time; the 30-s mean never reaches FTP
    block = np.r_[np.full(57, 190.0), np.full(3, 400.0)]
    power = np.tile(block, 90)
    analysis = analyse_endurance(_activity(power_w=power), _thresholds(ftp_w=260), endurance_rules(Settings()), None)
    assert analysis.time_above_lt_s == 0
    assert analysis.verdict.level == "low"


def test_seiler_zones_fall_back_to_power_when_heart_rate_is_empty() -> None:
    # a heart-rate column with no valid second (e.g. every value a 0 or 255 placeholder) is no
    # heart rate: Seiler's zones go on power (250 W vs FTP 260 W: LT1–LT2, all 1,800 s)
    power, empty = np.full(1800, 250.0), np.full(1800, np.nan)
    analysis = analyse_endurance(
        _activity(power_w=power, heart_rate_bpm=empty), _thresholds(lthr_bpm=165, ftp_w=260),
        endurance_rules(Settings()), None,
    )
    (seiler,) = [z for z in analysis.zones if z.system == "Seiler three zones"]
    assert seiler.channel == "power_w" and seiler.seconds == (0.0, 1800.0, 0.0)
