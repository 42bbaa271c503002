"""Interval detection on hand-built 1-Hz frames, plus structural invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lactlog.analysis.intervals import Interval, detect_intervals, merge_runs, run_bounds

T0 = pd.Timestamp("2024-05-01T10:00:00Z")


def grid(**columns) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    index = pd.date_range(T0, periods=n, freq="s", name="time")
    frame = pd.DataFrame({k: np.asarray(v, float) for k, v in columns.items()}, index=index)
    frame["recording"] = True
    return frame


def test_six_three_minute_blocks():
    # 120 s warm-up at 100 W, then 6 × (180 s at 300 W, 120 s at 100 W); threshold 200 W.
    # The centred 5-s mean at a 100→300 step is 180 W one second before and 220 W at the step,
    # so the smoothed edges stay where they are: 6 intervals of exactly 180 s.
    power = np.r_[np.full(120, 100.0), np.tile(np.r_[np.full(180, 300.0), np.full(120, 100.0)], 6)]
    clean = grid(power_w=power, heart_rate_bpm=np.full(power.size, 150.0))
    found = detect_intervals(clean, "power_w", 200)
    assert [i.duration_s for i in found] == [180.0] * 6
    assert [i.start for i in found] == [T0 + pd.Timedelta(seconds=120 + 300 * k) for k in range(6)]
    first = found[0]
    assert first == Interval(
        start=T0 + pd.Timedelta(seconds=120),
        duration_s=180.0,
        mean_heart_rate_bpm=150.0,
        peak_heart_rate_bpm=150.0,
        mean_power_w=300.0,
        peak_power_w=300.0,
        mean_speed_mps=None,
    )


def test_short_dip_merges_and_mean_includes_it():
    # 60 s at 300 W, 5-s dip at 100 W, 60 s at 300 W: one interval of 125 s,
    # mean power (120 × 300 + 5 × 100) / 125 = 292 W
    power = np.r_[
        np.full(20, 100.0),
        np.full(60, 300.0),
        np.full(5, 100.0),
        np.full(60, 300.0),
        np.full(20, 100.0),
    ]
    for smooth_s in (5, 0):
        (interval,) = detect_intervals(grid(power_w=power), "power_w", 200, smooth_s=smooth_s)
        assert interval.duration_s == 125.0 and interval.mean_power_w == pytest.approx(292.0)
        assert interval.peak_power_w == 300.0 and interval.mean_heart_rate_bpm is None


def test_dip_as_long_as_merge_gap_splits():
    power = np.r_[np.full(60, 300.0), np.full(10, 100.0), np.full(60, 300.0)]
    found = detect_intervals(grid(power_w=power), "power_w", 200, smooth_s=0)
    assert [i.duration_s for i in found] == [60.0, 60.0]


def test_short_effort_dropped():
    power = np.r_[np.full(60, 100.0), np.full(20, 400.0), np.full(60, 100.0)]
    assert detect_intervals(grid(power_w=power), "power_w", 200) == []


def test_power_is_smoothed_heart_rate_is_not():
    # one-second dip inside 40 + 40 s; merging off. Power: the 5-s mean at the dip is
    # (4 × 300 + 100) / 5 = 260 W ≥ 200 W → one interval. Heart rate: not smoothed → two.
    dip = np.r_[np.full(40, 1.0), 0.0, np.full(40, 1.0)]
    clean = grid(power_w=100 + 200 * dip, heart_rate_bpm=150 + 20 * dip)
    power = detect_intervals(clean, "power_w", 200, merge_gap_s=0)
    heart = detect_intervals(clean, "heart_rate_bpm", 160, merge_gap_s=0)
    assert [i.duration_s for i in power] == [81.0]
    assert [i.duration_s for i in heart] == [40.0, 40.0]
    assert heart[1].start == T0 + pd.Timedelta(seconds=41)


def test_nan_stretch_splits_interval():
    power = np.r_[np.full(60, 300.0), np.full(15, np.nan), np.full(60, 300.0)]
    found = detect_intervals(grid(power_w=power), "power_w", 200)
    assert [i.duration_s for i in found] == [60.0, 60.0]


def test_absent_channel_and_empty_frame():
    assert detect_intervals(grid(power_w=np.full(100, 300.0)), "heart_rate_bpm", 150) == []
    assert detect_intervals(grid(power_w=np.array([])), "power_w", 150) == []


def test_speed_and_missing_heart_rate_in_interval():
    clean = grid(speed_mps=np.full(60, 5.0), heart_rate_bpm=np.full(60, np.nan))
    (interval,) = detect_intervals(clean, "speed_mps", 4.5)
    assert interval.mean_speed_mps == 5.0 and interval.peak_heart_rate_bpm is None


def test_run_helpers():
    starts, ends = run_bounds(np.array([1, 1, 0, 0, 1, 0, 1], bool))
    assert starts.tolist() == [0, 4, 6] and ends.tolist() == [2, 5, 7]
    merged = merge_runs(starts, ends, 2)  # gaps 2 (kept apart) and 1 (merged)
    assert merged[0].tolist() == [0, 4] and merged[1].tolist() == [2, 7]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.one_of(st.floats(100, 200), st.just(np.nan)), min_size=1, max_size=400),
    st.floats(0, 60),
    st.floats(0, 20),
)
def test_interval_invariants(heart_rate, min_duration_s, merge_gap_s):
    clean = grid(heart_rate_bpm=heart_rate)
    found = detect_intervals(
        clean, "heart_rate_bpm", 150, min_duration_s=min_duration_s, merge_gap_s=merge_gap_s
    )
    hr = clean["heart_rate_bpm"]
    previous_end = None
    for interval in found:
        assert interval.duration_s >= min_duration_s and interval.duration_s >= 1
        end = interval.start + pd.Timedelta(seconds=interval.duration_s)
        if previous_end is not None:  # sorted, disjoint, separated by at least the merge gap
            assert (interval.start - previous_end).total_seconds() >= merge_gap_s
            assert interval.start >= previous_end
        # unsmoothed channel: an interval starts and ends on seconds at or above threshold
        assert hr[interval.start] >= 150 and hr[end - pd.Timedelta(seconds=1)] >= 150
        assert interval.peak_heart_rate_bpm >= 150
        previous_end = end
