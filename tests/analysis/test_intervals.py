"""Interval detection on hand-built 1-Hz grids, plus structural invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lactlog.analysis.clean import CleanSamples
from lactlog.analysis.intervals import (
    centred_mean,
    detect_intervals,
    merge_runs,
    run_bounds,
    schmitt_trigger,
)

T0 = pd.Timestamp("2024-05-01T10:00:00Z")


def grid(**columns) -> CleanSamples:
    """A contiguous 1-Hz grid from T0, recording throughout."""
    n = len(next(iter(columns.values())))
    return CleanSamples(T0.value, np.arange(n), {k: np.asarray(v, float) for k, v in columns.items()},
                        np.ones(n, dtype=bool))


def test_six_three_minute_blocks():
    # 120 s warm-up at 100 W, then 6 × (180 s at 300 W, 120 s at 100 W); threshold 200 W.
    # Centred 30-s mean at second i after a 100→300 step at s: 100 + 200·(i − s + 15)/30. It
    # reaches the entry level 1.03 × 200 = 206 W at i = s + 1 (206.7 W) and, after the
    # 300→100 step at e, is 200 W at i = e (window e−15..e+14) and below from e + 1: efforts
    # [s + 1, e + 1) of 180 s; above_s counts the 30-s mean ≥ 200 W inside them: 180 s.
    power = np.r_[np.full(120, 100.0), np.tile(np.r_[np.full(180, 300.0), np.full(120, 100.0)], 6)]
    clean = grid(power_w=power, heart_rate_bpm=np.full(power.size, 150.0))
    found = detect_intervals(clean, "power_w", 200)
    assert [i.duration_s for i in found] == [180.0] * 6
    assert [i.start for i in found] == [T0 + pd.Timedelta(seconds=121 + 300 * k) for k in range(6)]
    assert [i.above_s for i in found] == [180.0] * 6
    first = found[0]
    assert first.mean_heart_rate_bpm == 150.0 and first.peak_power_w == 300.0
    # unsmoothed mean over [121, 301): 179 s at 300 W and 1 s at 100 W
    assert first.mean_power_w == pytest.approx((179 * 300 + 100) / 180)


def test_short_dip_merges_and_mean_includes_it():
    # 60 s at 300 W, 5-s dip at 100 W, 60 s at 300 W, unsmoothed, no band: one interval of
    # 125 s, mean power (120 × 300 + 5 × 100) / 125 = 292 W
    power = np.r_[
        np.full(20, 100.0),
        np.full(60, 300.0),
        np.full(5, 100.0),
        np.full(60, 300.0),
        np.full(20, 100.0),
    ]
    (interval,) = detect_intervals(grid(power_w=power), "power_w", 200, smooth_s=0,
                                   band_fraction=0)
    assert interval.duration_s == 125.0 and interval.mean_power_w == pytest.approx(292.0)
    assert interval.above_s == 120.0
    assert interval.peak_power_w == 300.0 and interval.mean_heart_rate_bpm is None


def test_dip_as_long_as_merge_gap_splits():
    power = np.r_[np.full(60, 300.0), np.full(10, 100.0), np.full(60, 300.0)]
    found = detect_intervals(grid(power_w=power), "power_w", 200, smooth_s=0)
    assert [i.duration_s for i in found] == [60.0, 60.0]


def test_short_effort_dropped():
    power = np.r_[np.full(60, 100.0), np.full(20, 400.0), np.full(60, 100.0)]
    assert detect_intervals(grid(power_w=power), "power_w", 200, smooth_s=0) == []


def test_one_second_power_spikes_are_not_efforts():
    # 1 s at 600 W every 10 s over 140 W: raw power is ≥ FTP 250 W for 10 % of the time, but
    # the 30-s mean is (9 × 140 + 600) / 10 = 186 W, never near FTP
    power = np.tile(np.r_[np.full(9, 140.0), 600.0], 60)
    clean = grid(power_w=power)
    assert detect_intervals(clean, "power_w", 250) == []
    assert detect_intervals(clean, "power_w", 250, smooth_s=0, band_fraction=0,
                            min_duration_s=1, merge_gap_s=0) != []


def test_steady_ride_at_ftp_with_noise_has_no_hard_effort():
    # 40 min at FTP 250 W with ±25 W of uniform 1-s noise: raw power is ≥ FTP half the time;
    # the 30-s mean has an SD of 25/√3/√30 ≈ 2.6 W, so it rarely goes clearly above FTP
    # (≥ 257.5 W, ~2.9 SD) and never for long: efforts hold less than a minute above FTP
    rng = np.random.default_rng(1)
    power = 250 + rng.uniform(-25, 25, 2400)
    found = detect_intervals(grid(power_w=power), "power_w", 250)
    assert sum(i.above_s for i in found) < 60
    assert (power >= 250).sum() > 1000


def test_heart_rate_hovering_at_lthr_is_not_a_string_of_intervals():
    # HR oscillating ±3 bpm around LTHR 165 (period 60 s) for 40 min: without hysteresis that
    # is 40 runs of 30 s at or above LTHR; with the ±3 % band (entry ≥ 169.95 bpm) none starts
    t = np.arange(2400)
    hr = np.round(165 + 3 * np.sin(2 * np.pi * t / 60))
    clean = grid(heart_rate_bpm=hr)
    plain = detect_intervals(clean, "heart_rate_bpm", 165, band_fraction=0, merge_gap_s=0,
                             min_duration_s=20)
    assert len(plain) == 40
    assert detect_intervals(clean, "heart_rate_bpm", 165) == []


def test_hysteresis_keeps_one_effort_through_small_dips():
    # HR 175 bpm with a 60-s sag to 167 bpm (above LTHR 165, below the entry level 169.95) and
    # an 8-s dip to 160 bpm (below LTHR, shorter than 10 s): one effort of 90 + 60 + 90 + 8 +
    # 30 = 278 s, 270 s of it at or above LTHR
    hr = np.r_[np.full(60, 140.0), np.full(90, 175.0), np.full(60, 167.0), np.full(90, 175.0),
               np.full(8, 160.0), np.full(30, 175.0), np.full(60, 140.0)]
    (effort,) = detect_intervals(grid(heart_rate_bpm=hr), "heart_rate_bpm", 165)
    assert effort.duration_s == 278.0 and effort.above_s == 270.0
    assert effort.start == T0 + pd.Timedelta(seconds=60)
    # a stretch at 167 bpm alone never goes clearly above LTHR: no effort
    assert detect_intervals(grid(heart_rate_bpm=np.full(300, 167.0)), "heart_rate_bpm", 165) == []


def test_power_is_smoothed_heart_rate_is_not():
    # one-second dip inside 40 + 40 s; merging off, no band. Power: the 30-s mean at the dip is
    # (29 × 300 + 100) / 30 ≥ 200 W → one interval. Heart rate: not smoothed → two.
    dip = np.r_[np.full(40, 1.0), 0.0, np.full(40, 1.0)]
    clean = grid(power_w=100 + 200 * dip, heart_rate_bpm=150 + 20 * dip)
    power = detect_intervals(clean, "power_w", 200, merge_gap_s=0, band_fraction=0)
    heart = detect_intervals(clean, "heart_rate_bpm", 160, merge_gap_s=0, band_fraction=0)
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


def test_centred_mean_and_schmitt_trigger():
    # window 3 over [1, 2, NaN, 4, 5]: NaN left out of the means, NaN seconds stay NaN
    out = centred_mean(np.array([1.0, 2.0, np.nan, 4.0, 5.0]), 3)
    assert out[0] == 1.5 and out[1] == 1.5 and np.isnan(out[2]) and out[3] == 4.5
    assert out[4] == 4.5
    state = schmitt_trigger(np.array([0, 5, 11, 7, 5, 9, 4, 12, np.nan, 8]), 10, 5)
    assert state.tolist() == [False, False, True, True, True, True, False, True, False, False]


def test_an_effort_ends_below_the_threshold_unless_clearly_above_again_within_the_gap():
    # LTHR 165, entry level 170 (1.03 x). After 120 s at 172:
    # - an 8-s dip to 160, then 120 s at 167 (above LTHR, below the entry level): the effort
    #   ends at the dip; the 120 s at 167 are time above LTHR but in no effort
    # - an 8-s dip to 160, then 120 s at 172: one effort of 248 s, 240 s of it at or above LTHR
    # - 60 s at 162 (98 %), then 120 s at 172: a gap longer than 10 s, two efforts
    def efforts(*blocks):
        hr = np.concatenate([np.full(60, 130.0), *(np.full(n, v) for n, v in blocks),
                             np.full(60, 130.0)])
        return [(i.duration_s, i.above_s)
                for i in detect_intervals(grid(heart_rate_bpm=hr), "heart_rate_bpm", 165.0)]

    assert efforts((120, 172.0), (8, 160.0), (120, 167.0)) == [(120.0, 120.0)]
    assert efforts((120, 172.0), (8, 160.0), (120, 172.0)) == [(248.0, 240.0)]
    assert efforts((120, 172.0), (60, 162.0), (120, 172.0)) == [(120.0, 120.0), (120.0, 120.0)]


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
        clean, "heart_rate_bpm", 150, min_duration_s=min_duration_s, merge_gap_s=merge_gap_s,
        band_fraction=0,
    )
    hr = clean.frame()["heart_rate_bpm"]  # by time
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
