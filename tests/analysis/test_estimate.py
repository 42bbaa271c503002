"""Threshold estimates against hand-computed values on synthetic 1-Hz traces."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lactlog.analysis.bests import best_mean, friel_lthr_bpm, rolling_mean, session_bests
from lactlog.analysis.estimate import (
    MAX_HR_WINDOW_S,
    check_cp_durations,
    estimate_ftp,
    estimate_thresholds,
    fit_critical_power,
    lthr_from_best_efforts,
)
from lactlog.analysis.history import HistoryRules
from lactlog.model import Activity, ActivityMeta

T0 = pd.Timestamp("2026-03-02T08:00:00Z")


def activity(sport: str = "cycling", gap_after_s: int | None = None, gap_s: int = 0,
             **columns: np.ndarray) -> Activity:
    """A 1-Hz activity; with ``gap_after_s`` the samples after that second move ``gap_s``
    later (a stretch without records, i.e. the timer stopped)."""
    n = len(next(iter(columns.values())))
    seconds = np.arange(n)
    if gap_after_s is not None:
        seconds = np.where(seconds >= gap_after_s, seconds + gap_s, seconds)
    index = pd.DatetimeIndex(T0 + pd.to_timedelta(seconds, unit="s"), name="time")
    samples = pd.DataFrame({k: np.asarray(v, float) for k, v in columns.items()}, index=index)
    meta = ActivityMeta(source=f"{sport}.fit", sha256="0" * 64, format="fit", sport=sport,
                        start=T0.to_pydatetime(), utc_offset_s=3600)
    return Activity(meta=meta, samples=samples)


def test_rolling_mean_by_hand():
    # windows of 2: (1+2)/2, (2+3)/2, (3+NaN) -> NaN, (NaN+5) -> NaN
    values = np.array([1.0, 2.0, 3.0, np.nan, 5.0])
    assert np.allclose(rolling_mean(values, 2), [1.5, 2.5, np.nan, np.nan], equal_nan=True)
    # seconds 0, 1, 2, 10, 11: a window from second 2 to 10 is not 2 consecutive seconds
    times = np.array([0, 1, 2, 10, 11])
    values = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    assert np.allclose(rolling_mean(values, 2, times), [1.5, 2.5, np.nan, 4.5], equal_nan=True)
    assert rolling_mean(values, 6).size == 0


def test_best_20_min_power_known_block():
    # 1 h at 100 W with 20 min at 300 W from second 1000 and a 60-s sprint at 500 W at 3000 s:
    # no 20-min window beats the 300-W block (every shift trades 300 W for 100 W seconds,
    # the sprint adds at most 60 × 400 J), so P20 = 300 W starting at 1000.
    power = np.full(3600, 100.0)
    power[1000:2200] = 300.0
    power[3000:3060] = 500.0
    value, start = best_mean(power, 1200)
    assert value == pytest.approx(300.0) and start == 1000
    # Allen & Coggan: FTP = 0.95 × P20 = 285 W
    assert estimate_ftp(value) == pytest.approx(285.0)
    # the best 60 s is the sprint
    assert best_mean(power, 60) == (pytest.approx(500.0), 3000)


def test_window_never_spans_missing_data():
    # 2 × 700 s at 300 W separated by one NaN second: no 20-min window exists at all
    power = np.r_[np.full(700, 300.0), np.nan, np.full(700, 300.0)]
    assert best_mean(power, 1200) == (None, None)
    assert best_mean(power, 600) == (pytest.approx(300.0), 0)


def test_critical_power_fit_recovers_exact_model():
    # P(t) = CP + W'/t with CP = 250 W and W' = 20 000 J (Monod & Scherrer): W = CP·t + W'
    durations = [180, 300, 720, 1200]
    powers = [250 + 20000 / t for t in durations]  # 361.1, 316.7, 277.8, 266.7 W
    cp_w, w_prime_j, r2 = fit_critical_power(durations, powers)
    assert cp_w == pytest.approx(250.0)
    assert w_prime_j == pytest.approx(20000.0)
    assert r2 == pytest.approx(1.0)


def test_critical_power_fit_r2_below_one_for_noisy_data():
    durations = [180, 300, 720, 1200]
    powers = [250 + 20000 / t + e for t, e in zip(durations, (5, -5, 5, -5), strict=True)]
    _, _, r2 = fit_critical_power(durations, powers)
    assert 0.99 < r2 < 1.0
    with pytest.raises(ValueError):
        fit_critical_power([300, 300], [280, 290])


def test_cp_durations_are_checked():
    assert check_cp_durations([1200, 180, 300, 300]) == (180, 300, 1200)
    with pytest.raises(ValueError, match="within 3–20 min"):
        check_cp_durations([60, 300, 720])
    with pytest.raises(ValueError, match="at least 3"):
        check_cp_durations([300, 720])


def test_friel_lthr_last_20_min_of_best_30():
    # 10 min at 130, then the test: 10 min at 160 and 20 min at 170, then 10 min at 120 bpm.
    # The best 30-min window is the test (mean (600·160 + 1200·170)/1800 = 166.7 bpm; shifting
    # it trades 160/170 for 130 or 120), and LTHR = mean of its last 20 min = 170 bpm (Friel).
    heart_rate = np.r_[np.full(600, 130.0), np.full(600, 160.0), np.full(1200, 170.0),
                       np.full(600, 120.0)]
    assert friel_lthr_bpm(heart_rate) == (pytest.approx(170.0), 600)
    assert lthr_from_best_efforts(170.0, 180.0) == (170.0, "friel-30-min")
    # without a 30-min effort: 0.95 × best 20-min mean heart rate
    assert lthr_from_best_efforts(None, 180.0) == (pytest.approx(171.0), "0.95 x best 20-min")
    assert lthr_from_best_efforts(None, None) == (None, None)
    assert friel_lthr_bpm(heart_rate[:1799]) == (None, None)


def test_max_hr_ignores_a_one_second_spike():
    # 150 bpm, a 5-s plateau at 180, a single second at 220 elsewhere: the best 5-s mean is the
    # plateau (the spike's windows average at most (220 + 4·150)/5 = 164 bpm)
    heart_rate = np.full(600, 150.0)
    heart_rate[100:105] = 180.0
    heart_rate[400] = 220.0
    # the maximum-HR estimate is the best mean over MAX_HR_WINDOW_S (5 s)
    assert best_mean(heart_rate, MAX_HR_WINDOW_S) == (pytest.approx(180.0), 100)


def test_session_bests_use_cleaned_signals():
    # a 240-bpm spike is removed by the Hampel filter (clean_samples), so the 5-s max is 180
    heart_rate = np.full(1800, 150.0)
    heart_rate[100:110] = 180.0
    heart_rate[900] = 235.0
    bests = session_bests(activity("running", heart_rate_bpm=heart_rate))
    assert bests.heart_rate_peak_5_s.mean == pytest.approx(180.0)
    assert bests.heart_rate_peak_5_s.start == T0 + pd.Timedelta(seconds=100)
    assert bests.group == "run" and not bests.strength


def test_session_bests_skip_windows_across_a_recording_gap():
    # 2 × 700 s at 300 W with 60 s without records between them (timer stopped): the gap is
    # "not recording", so there is no 12-min (720 s) or 20-min window, but there is a 5-min one
    power = np.full(1400, 300.0)
    bests = session_bests(activity(gap_after_s=700, gap_s=60, power_w=power))
    assert sorted(bests.power_w) == [180, 300]
    assert bests.power_w[300].mean == pytest.approx(300.0)


def test_estimate_thresholds_from_history():
    # a ride with efforts at P(t) = 250 + 20000/t for 3, 5 and 12 min and 15 min at the 20-min
    # model power; its last 30 min at 170 bpm. A run at 400 W only counts with sport="run".
    t = np.arange(3600)
    power = np.full(3600, 150.0)
    power[600:780] = 250 + 20000 / 180
    power[1200:1500] = 250 + 20000 / 300
    power[1800:2520] = 250 + 20000 / 720
    power[2700:3600] = 250 + 20000 / 1200
    heart_rate = 120 + 50 * (t >= 1800)
    ride = activity("cycling", power_w=power, heart_rate_bpm=heart_rate)
    run = activity("running", power_w=np.full(3600, 400.0), heart_rate_bpm=np.full(3600, 150.0))
    report = estimate_thresholds([session_bests(ride), session_bests(run)])
    assert report.power_group == "bike" and report.heart_rate_group == "all"
    # FTP = 0.95 × best 20 min of the ride; the run's 400 W are ignored
    p20, _ = best_mean(power, 1200)
    assert report.ftp_w.value == pytest.approx(0.95 * p20)
    assert report.ftp_w.evidence[0].session.sport == "cycling"
    fit = report.critical_power
    assert len(fit.points) == 4 and fit.cp_w is not None and fit.r2 > 0.9
    # LTHR: the ride's last 30 min at 170 bpm -> 170; max HR 170
    assert report.lthr_bpm.value == pytest.approx(170.0)
    assert report.max_hr_bpm.value == pytest.approx(170.0)
    saved = report.values_to_save()
    assert saved["bike.ftp_w"] == round(0.95 * p20)
    assert saved["all.lthr_bpm"] == 170
    # a 170-bpm peak is below the assumed typical maximum (180): shown, not saved
    assert not report.max_hr_bpm.plausible and "not saved" in report.max_hr_bpm.note
    assert "all.max_hr_bpm" not in saved
    # with sport="run" power comes from the run and everything is stored under run
    run_report = estimate_thresholds([session_bests(ride), session_bests(run)], sport="run")
    assert run_report.ftp_w.value == pytest.approx(380.0)
    assert run_report.lthr_bpm.value == pytest.approx(150.0)
    assert set(run_report.values_to_save()) <= {f"run.{n}" for n in
                                                ("ftp_w", "lthr_bpm", "max_hr_bpm", "cp_w",
                                                 "w_prime_j")}


def test_too_few_durations_for_cp():
    # only 10 min of power: 3 and 5 min exist, 12 and 20 min do not
    bests = session_bests(activity(power_w=np.full(600, 200.0)))
    fit = estimate_thresholds([bests]).critical_power
    assert fit.cp_w is None and not fit.usable
    assert fit.missing_durations_s == (720, 1200)
    assert "at least 3 durations" in fit.note
    report = estimate_thresholds([bests])
    assert report.ftp_w.value is None and "20 min" in report.ftp_w.note
    assert report.values_to_save() == {}


def test_estimates_the_history_rules_reject_are_not_saved():
    # six easy runs (HR 135-150): the naive LTHR (Friel tail 14x bpm) and max HR (150) are not
    # hard enough against the assumed max HR of 180 (0.85 x 180 = 153 bpm), as analyze's
    # history rules find: shown with the reason, never saved into the profile
    runs = [session_bests(activity("running", heart_rate_bpm=np.full(3600, 135.0 + 3 * k)))
            for k in range(6)]
    report = estimate_thresholds(runs)
    assert report.lthr_bpm.value == pytest.approx(150.0) and not report.lthr_bpm.plausible
    assert "below 85% of max HR 180 bpm" in report.lthr_bpm.note
    assert not report.max_hr_bpm.plausible
    assert report.values_to_save() == {}
    # with a lower assumed maximum (the setting), the same runs are hard enough
    easy = estimate_thresholds(runs, rules=HistoryRules(assumed_max_hr_bpm=160.0))
    assert easy.lthr_bpm.plausible and easy.values_to_save()["all.lthr_bpm"] == 150


def test_ftp_from_a_ride_at_low_heart_rate_is_not_saved():
    # 40 min at 250 W with HR 120 (< 0.85 x 180): 20-min power is no threshold effort
    ride = activity("cycling", power_w=np.full(2400, 250.0), heart_rate_bpm=np.full(2400, 120.0))
    report = estimate_thresholds([session_bests(ride)])
    assert report.ftp_w.value == pytest.approx(237.5) and not report.ftp_w.plausible
    assert "bike.ftp_w" not in report.values_to_save()
