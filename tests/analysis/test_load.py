"""Load metrics: NP, IF, TSS, Banister TRIMP, normalized TRIMP."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lactlog.analysis.load import (
    banister_trimp,
    heart_rate_reserve_fraction,
    intensity_factor,
    normalized_power_duration_s,
    normalized_power_w,
    normalized_trimp,
    rolling_power_w,
    training_stress_score,
)


def test_normalized_power_of_constant_power_is_that_power():
    assert normalized_power_w(np.full(600, 250.0)) == pytest.approx(250.0)


def test_normalized_power_hand_computed_step():
    # 30 s at 100 W then 30 s at 200 W: 31 full 30-s windows with means 100 + 100·k/30,
    # k = 0 … 30; NP = (Σ mean⁴ / 31)^(1/4) = 158.2825 W (vs. 150 W average power).
    power = np.r_[np.full(30, 100.0), np.full(30, 200.0)]
    expected = (sum((100 + 100 * k / 30) ** 4 for k in range(31)) / 31) ** 0.25
    assert expected == pytest.approx(158.28249, abs=1e-5)
    assert normalized_power_w(power) == pytest.approx(expected)


def test_normalized_power_needs_one_full_window():
    assert normalized_power_w(np.full(29, 300.0)) is None
    assert normalized_power_w(np.r_[np.full(29, 300.0), np.nan]) is None
    assert normalized_power_w(np.arange(30.0)) == pytest.approx(14.5)  # one window: its mean
    assert normalized_power_w(np.full(15, 300.0), sample_s=2.0) == pytest.approx(300.0)


def test_normalized_power_skips_nan_seconds():
    power = np.r_[np.full(30, 100.0), np.full(30, 200.0)]
    with_gap = np.r_[power[:30], np.full(100, np.nan), power[30:]]
    assert normalized_power_w(pd.Series(with_gap)) == pytest.approx(normalized_power_w(power))


def test_intensity_factor_and_tss_hand_computed():
    # TrainingPeaks: one hour at FTP is TSS 100 by definition.
    assert intensity_factor(250.0, 250.0) == 1.0
    assert training_stress_score(3600, 250.0, 250.0) == pytest.approx(100.0)
    # 2 h at NP 200 W, FTP 250 W: IF 0.8; TSS = 7200 × 200 × 0.8 / (250 × 3600) × 100 = 128
    assert intensity_factor(200.0, 250.0) == pytest.approx(0.8)
    assert training_stress_score(7200, 200.0, 250.0) == pytest.approx(128.0)
    assert intensity_factor(None, 250.0) is None
    assert training_stress_score(3600, None, 250.0) is None
    with pytest.raises(ValueError):
        intensity_factor(200.0, 0.0)


def test_normalized_power_duration_counts_the_rolling_windows():
    # 50 valid seconds (10 NaN among 60) hold 50 − 30 + 1 = 21 full 30-s windows → 21 s
    power = np.r_[np.full(20, 200.0), np.full(10, np.nan), np.full(30, 100.0)]
    assert rolling_power_w(power).size == 21
    assert normalized_power_duration_s(power) == 21.0
    # at 0.5 Hz (Δt = 2 s) a 30-s window holds 15 samples: 40 samples → 26 windows → 52 s
    assert normalized_power_duration_s(np.full(40, 200.0), sample_s=2.0) == 52.0
    assert normalized_power_duration_s(np.full(29, 200.0)) is None


def test_tss_over_the_seconds_np_averages():
    # One hour at FTP, 1 Hz: NP = FTP over 3600 − 29 = 3571 windows;
    # TSS = 3571 × 250 × 1.0 / (250 × 3600) × 100 = 99.1944 (100 over the full hour).
    power = np.full(3600, 250.0)
    duration_s = normalized_power_duration_s(power)
    assert duration_s == 3571.0
    assert training_stress_score(duration_s, normalized_power_w(power), 250.0) == pytest.approx(
        99.19444, abs=1e-5
    )
    # a 20-min stop without power adds nothing (it did before: TSS counted recorded seconds)
    stopped = np.r_[power[:1800], np.full(1200, np.nan), power[1800:]]
    assert normalized_power_duration_s(stopped) == duration_s


def test_banister_trimp_hand_computed():
    # rest 60, max 200, HR 130 → HRr 0.5; 60 min:
    # male   60 × 0.5 × 0.64 × e^(1.92·0.5) = 50.1446
    # female 60 × 0.5 × 0.86 × e^(1.67·0.5) = 59.4642
    hr = np.full(3600, 130.0)
    assert banister_trimp(hr, 60, 200) == pytest.approx(60 * 0.5 * 0.64 * math.exp(0.96))
    assert banister_trimp(hr, 60, 200) == pytest.approx(50.1446, abs=1e-4)
    assert banister_trimp(hr, 60, 200, "female") == pytest.approx(59.4642, abs=1e-4)
    assert banister_trimp(hr[::5], 60, 200, sample_s=5.0) == pytest.approx(50.1446, abs=1e-4)


def test_banister_trimp_clipping_nan_and_none():
    # below rest counts 0; above max counts as HRr = 1: 1 min × 0.64 × e^1.92
    assert banister_trimp(np.full(60, 50.0), 60, 200) == 0.0
    assert banister_trimp(np.full(60, 220.0), 60, 200) == pytest.approx(0.64 * math.exp(1.92))
    assert banister_trimp(np.r_[np.full(60, 220.0), np.full(60, np.nan)], 60, 200) == pytest.approx(
        0.64 * math.exp(1.92)
    )
    assert banister_trimp(np.full(10, np.nan), 60, 200) is None
    assert banister_trimp(np.array([]), 60, 200) is None
    with pytest.raises(ValueError):
        banister_trimp(np.full(10, 150.0), 60, 200, sex="other")
    with pytest.raises(ValueError):
        banister_trimp(np.full(10, 150.0), 200, 60)


def test_normalized_trimp_one_hour_at_lthr_is_100():
    lthr = 170.0
    assert normalized_trimp(np.full(3600, lthr), 50, 195, lthr) == pytest.approx(100.0)
    assert normalized_trimp(np.full(1800, lthr), 50, 195, lthr) == pytest.approx(50.0)
    assert normalized_trimp(np.full(1800, lthr), 50, 195, lthr, "female", 2.0) == pytest.approx(
        100.0
    )
    assert normalized_trimp(np.full(5, np.nan), 50, 195, lthr) is None
    with pytest.raises(ValueError):
        normalized_trimp(np.full(5, 150.0), 50, 195, 40)


def test_heart_rate_reserve_fraction():
    assert heart_rate_reserve_fraction(np.array([40.0, 130.0, 250.0, np.nan]), 60, 200).tolist()[
        :3
    ] == [0.0, 0.5, 1.0]


power_lists = st.lists(st.one_of(st.floats(0, 2000), st.just(np.nan)), min_size=0, max_size=300)


@given(power_lists)
def test_normalized_power_between_mean_of_windows_and_max(power):
    value = normalized_power_w(np.array(power, dtype=float))
    valid = np.array([p for p in power if not math.isnan(p)])
    if len(valid) < 30:
        assert value is None
        return
    rolling = np.convolve(valid, np.ones(30) / 30, mode="valid")
    # power-mean inequality: mean ≤ 4-mean ≤ max
    assert rolling.mean() - 1e-6 <= value <= valid.max() + 1e-6


hr_lists = st.lists(st.one_of(st.floats(30, 230), st.just(np.nan)), min_size=1, max_size=300)


@given(hr_lists, st.floats(0, 30))
def test_trimp_non_negative_and_monotone_in_heart_rate(hr, rise):
    hr = np.array(hr)
    base = banister_trimp(hr, 55, 195)
    higher = banister_trimp(hr + rise, 55, 195)
    if np.isnan(hr).all():
        assert base is None and higher is None
    else:
        assert 0 <= base <= higher + 1e-12
        # at most HRr = 1 for every valid second
        assert higher <= (~np.isnan(hr)).sum() / 60 * 0.64 * math.exp(1.92) + 1e-9
