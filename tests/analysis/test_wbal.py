"""W' balance: both Skiba models against hand computations, the vectorised recurrence against a
plain loop, the summary, and invariants."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lactlog.analysis.clean import clean_samples, grid_gap_s
from lactlog.analysis.endurance import analyse_endurance, endurance_rules
from lactlog.analysis.thresholds import SessionThresholds, Threshold
from lactlog.analysis.wbal import (
    WPrimeSummary,
    count_depletions,
    linear_recurrence,
    skiba_tau_s,
    summarize_w_prime,
    w_prime_balance_differential_j,
    w_prime_balance_integral_j,
)
from lactlog.model import Activity, ActivityMeta
from lactlog.settings import Settings

CP, W_PRIME = 250.0, 20_000.0


def loop_recurrence(a, b, initial=0.0):
    out, s = [], initial
    for a_t, b_t in zip(a, b, strict=True):
        s = a_t * s + b_t
        out.append(s)
    return np.array(out)


def loop_differential(power, cp, w_prime, dt=1.0):
    """Skiba 2015 differential model written out sample by sample."""
    out, w = [], w_prime
    for p in power:
        p = 0.0 if math.isnan(p) else p
        w = (
            w - (p - cp) * dt
            if p >= cp
            else w_prime - (w_prime - w) * math.exp(-(cp - p) * dt / w_prime)
        )
        out.append(w)
    return np.array(out)


def test_linear_recurrence_hand():
    # s = 0.5·s + 1 from 0: 1, 1.5, 1.75
    assert linear_recurrence([0.5, 0.5, 0.5], [1, 1, 1]).tolist() == pytest.approx([1, 1.5, 1.75])
    assert linear_recurrence([1, 1], [2, 3], initial=1).tolist() == pytest.approx([3, 6])
    assert linear_recurrence([0.0, 1.0], [5.0, 1.0], initial=100).tolist() == pytest.approx([5, 6])
    assert linear_recurrence([], []).size == 0


def test_linear_recurrence_many_chunks_matches_loop():
    # total decay exponent 3 × 1000 = 3000 ≫ 709: needs several chunks
    a = np.full(1000, math.exp(-3.0))
    b = np.linspace(0, 50, 1000)
    np.testing.assert_allclose(linear_recurrence(a, b, 7.0), loop_recurrence(a, b, 7.0), rtol=1e-9)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1e4)), min_size=1, max_size=400),
    st.floats(0, 1e4),
)
def test_linear_recurrence_matches_loop(pairs, initial):
    a, b = np.array(pairs).T
    np.testing.assert_allclose(
        linear_recurrence(a, b, initial), loop_recurrence(a, b, initial), rtol=1e-9, atol=1e-6
    )


def test_differential_constant_effort_depletes_exactly():
    # 60 s at CP + 100 W: W'bal(t) = W' − 100 · t exactly
    balance = w_prime_balance_differential_j(np.full(60, CP + 100), CP, W_PRIME)
    np.testing.assert_allclose(balance, W_PRIME - 100 * np.arange(1, 61), rtol=0, atol=1e-9)


def test_differential_recovery_hand_computed():
    # 60 s at 350 W spends 6000 J; then 100 s at 150 W (D_CP = 100 W):
    # W'bal = W' − 6000 · e^(−100 · 100 / 20000) = 20000 − 6000 · e^(−0.5) = 16360.816 J
    power = np.r_[np.full(60, 350.0), np.full(100, 150.0)]
    balance = w_prime_balance_differential_j(power, CP, W_PRIME)
    assert balance[59] == pytest.approx(14_000.0)
    assert balance[-1] == pytest.approx(16_360.816, abs=1e-3)
    np.testing.assert_allclose(balance, loop_differential(power, CP, W_PRIME), rtol=1e-12)


def test_differential_nan_is_zero_watts_and_series_in_series_out():
    power = pd.Series(
        [400.0, np.nan, 400.0], index=pd.date_range("2024-01-01", periods=3, freq="s", tz="UTC")
    )
    balance = w_prime_balance_differential_j(power, CP, W_PRIME)
    assert isinstance(balance, pd.Series) and balance.index.equals(power.index)
    expected = w_prime_balance_differential_j(np.array([400.0, 0.0, 400.0]), CP, W_PRIME)
    np.testing.assert_allclose(balance.to_numpy(), expected)


def test_differential_goes_below_zero_when_effort_exceeds_w_prime():
    balance = w_prime_balance_differential_j(np.full(300, CP + 100), CP, W_PRIME)
    assert balance[-1] == pytest.approx(W_PRIME - 30_000)


def test_skiba_tau_hand_computed():
    # below-CP samples average 100 W → D_CP = 150 W; τ = 546 · e^(−1.5) + 316 = 437.829 s
    power = np.r_[np.full(60, 300.0), np.full(60, 100.0)]
    assert skiba_tau_s(power, CP) == pytest.approx(437.829, abs=1e-3)
    # no sample below CP: D_CP = CP (GoldenCheetah's convention) → 546 · e^(−2.5) + 316
    assert skiba_tau_s(np.full(10, 300.0), CP) == pytest.approx(546 * math.exp(-2.5) + 316)


def test_integral_first_sample_and_constant_effort():
    tau = 400.0
    r = math.exp(-1 / tau)
    balance = w_prime_balance_integral_j(np.full(60, CP + 100), CP, W_PRIME, tau_s=tau)
    # first sample: undecayed, W' − 100 J; after n s: W' − 100 · (1 − rⁿ) / (1 − r)
    assert balance[0] == pytest.approx(W_PRIME - 100)
    n = np.arange(1, 61)
    np.testing.assert_allclose(balance, W_PRIME - 100 * (1 - r**n) / (1 - r), rtol=1e-12)
    # with (practically) no recovery the integral model also depletes (P − CP) · t exactly
    no_decay = w_prime_balance_integral_j(np.full(60, CP + 100), CP, W_PRIME, tau_s=1e15)
    np.testing.assert_allclose(no_decay, W_PRIME - 100 * n, atol=1e-6)


def test_integral_recovery_decays_with_tau():
    power = np.r_[np.full(60, 350.0), np.full(300, 100.0)]
    tau = skiba_tau_s(power, CP)  # below-CP mean 100 W → D_CP 150 W
    balance = w_prime_balance_integral_j(power, CP, W_PRIME)
    spent_60 = W_PRIME - balance[59]
    # after the effort only decay: (W' − W'bal) shrinks by e^(−k/τ) in k seconds
    assert W_PRIME - balance[-1] == pytest.approx(spent_60 * math.exp(-300 / tau))


def test_summary_hand_computed():
    # warm-up, then 6 × (60 s at 400 W, 120 s at 100 W); each effort spends 9000 J
    power = np.r_[np.full(60, 100.0), np.tile(np.r_[np.full(60, 400.0), np.full(120, 100.0)], 6)]
    balance = w_prime_balance_differential_j(power, CP, W_PRIME)
    summary = summarize_w_prime(balance, power, CP, W_PRIME)
    assert isinstance(summary, WPrimeSummary)
    assert summary.expended_j == pytest.approx(6 * 60 * 150)
    assert summary.min_balance_j == pytest.approx(balance.min())
    assert summary.min_balance_fraction == pytest.approx(balance.min() / W_PRIME)
    assert summary.n_efforts == 6


def test_summary_empty_trace():
    empty = summarize_w_prime(np.array([]), np.array([]), CP, W_PRIME)
    assert empty == WPrimeSummary(None, None, 0.0, 0)


def test_count_depletions_hysteresis():
    assert count_depletions(np.array([10, 5, 10, 5, 10.0]), 3) == 2
    # a 3-unit fall counts once; wiggles of 1 neither count nor end it
    assert count_depletions(np.array([10, 8, 9, 7, 8, 6, 7, 6.0]), 3) == 1
    assert count_depletions(np.array([10, 9.5] * 50), 1) == 0
    assert count_depletions(np.array([10.0, 10.0, 7.0, 7.0, 10.0, 6.9]), 3) == 2
    with pytest.raises(ValueError):
        count_depletions(np.array([1.0, 2.0]), 0)


power_lists = st.lists(st.one_of(st.floats(0, 1200), st.just(np.nan)), min_size=1, max_size=400)


@settings(max_examples=150, deadline=None)
@given(power_lists, st.floats(100, 400), st.floats(5_000, 40_000))
def test_w_prime_balance_invariants(power, cp, w_prime):
    power = np.array(power)
    p = np.nan_to_num(power)
    for balance in (
        w_prime_balance_differential_j(power, cp, w_prime),
        w_prime_balance_integral_j(power, cp, w_prime),
    ):
        assert len(balance) == len(power)
        assert (balance <= w_prime + 1e-6).all()  # never above W'
        previous = np.r_[w_prime, balance[:-1]]
        assert (balance[p < cp] >= previous[p < cp] - 1e-6).all()  # below CP: recovers
    differential = w_prime_balance_differential_j(power, cp, w_prime)
    previous = np.r_[w_prime, differential[:-1]]
    above = p >= cp  # above CP: exactly (P − CP)·Δt less
    np.testing.assert_allclose(differential[above], previous[above] - (p[above] - cp), atol=1e-6)
    np.testing.assert_allclose(
        differential, loop_differential(power, cp, w_prime), rtol=1e-9, atol=1e-6
    )


@given(st.lists(st.floats(-1e4, 1e4), max_size=200), st.floats(1, 1e3))
def test_count_depletions_bounded(values, drop):
    x = np.array(values)
    n = count_depletions(x, drop)
    # every counted fall needs its own drop of at least `drop`
    falls = np.clip(-np.diff(x), 0, None).sum() if x.size > 1 else 0.0
    assert 0 <= n <= falls / drop + 1e-9


# --- stops between samples (gap_s) ---------------------------------------------------------------


def _ride_with_stop(stop_s: int) -> tuple[pd.Series, np.ndarray]:
    """60 s at 350 W, a stop of ``stop_s`` without samples, 60 s at 150 W (1 Hz, as cleaned)."""
    start = pd.Timestamp("2024-06-01 08:00", tz="UTC")
    samples = pd.DataFrame(
        {"power_w": np.r_[np.full(60, 350.0), np.full(60, 150.0)]},
        index=start + pd.to_timedelta(np.r_[np.arange(60), np.arange(60) + 60 + stop_s], unit="s"),
    )
    clean = clean_samples(samples)
    seconds = ((clean.index - clean.index[0]) / pd.Timedelta(seconds=1)).to_numpy()
    return clean["power_w"], grid_gap_s(seconds)


def test_differential_recovers_across_a_20_min_stop_off_the_grid():
    # 60 s at CP + 100 W spends 6000 J. The 1200-s stop (> MAX_GRID_GAP_S, so no rows) is a step
    # at 0 W: expended × e^(−CP·1200/W') = e^(−15); the first 150-W second then multiplies by
    # e^(−100/20000): W'bal = 20000 − 6000·e^(−15)·e^(−0.005) = 19999.998174 J
    # (without the gap it stayed at 20000 − 6000·e^(−0.005) = 14029.93 J).
    power, gap = _ride_with_stop(1200)
    assert len(power) == 120 and gap[60] == 1200.0 and gap.sum() == 1200.0
    balance = w_prime_balance_differential_j(power, CP, W_PRIME, gap_s=gap)
    assert balance.iloc[59] == pytest.approx(14_000.0)
    assert balance.iloc[60] == pytest.approx(20_000 - 6000 * math.exp(-15.005), abs=1e-6)
    assert balance.iloc[60] == pytest.approx(19_999.998174, abs=1e-6)
    no_gap = w_prime_balance_differential_j(power.to_numpy(), CP, W_PRIME)
    assert no_gap[60] == pytest.approx(14_029.93, abs=0.01)


def test_integral_recovers_across_a_20_min_stop_with_its_tau():
    # below CP: 60 s at 150 W and 1200 s at 0 W → mean 9000/1260 = 7.142857 W, D_CP = 242.857 W,
    # τ = 546·e^(−2.428571) + 316 = 364.1368 s. After the effort S₆₀ = 100·(1 − r⁶⁰)/(1 − r),
    # r = e^(−1/τ), = 5539.347 J; the first second after the stop decays it by e^(−1201/τ):
    # W'bal = 20000 − 5539.347·e^(−3.298211) = 19795.325 J.
    power, gap = _ride_with_stop(1200)
    tau = skiba_tau_s(power, CP, gap_s=gap)
    assert tau == pytest.approx(546 * math.exp(-0.01 * (CP - 9000 / 1260)) + 316)
    assert tau == pytest.approx(364.1368, abs=1e-4)
    balance = w_prime_balance_integral_j(power, CP, W_PRIME, gap_s=gap)
    r = math.exp(-1 / tau)
    spent_60 = 100 * (1 - r**60) / (1 - r)
    assert W_PRIME - balance.iloc[59] == pytest.approx(spent_60)
    assert W_PRIME - balance.iloc[60] == pytest.approx(spent_60 * math.exp(-1201 / tau))
    assert balance.iloc[60] == pytest.approx(19_795.325, abs=1e-3)


def test_a_stop_off_the_grid_equals_the_same_stop_on_the_grid_at_0_w():
    # 5 min: once as 300 NaN seconds on the grid, once as gap_s = 300 on the next row
    effort, recovery = np.full(60, 350.0), np.full(60, 150.0)
    on_grid = np.r_[effort, np.full(300, np.nan), recovery]
    off_grid = np.r_[effort, recovery]
    gap = np.zeros(120)
    gap[60] = 300.0
    kept = np.r_[np.arange(60), np.arange(360, 420)]
    for model in (w_prime_balance_differential_j, w_prime_balance_integral_j):
        np.testing.assert_allclose(
            model(off_grid, CP, W_PRIME, gap_s=gap), model(on_grid, CP, W_PRIME)[kept], rtol=1e-12
        )
    assert skiba_tau_s(off_grid, CP, gap_s=gap) == pytest.approx(skiba_tau_s(on_grid, CP))


def test_two_hour_stop_closed_form():
    # integral model with τ = 3000 s given: 7200 s stop + 1 s → expended × e^(−7201/3000)
    power, gap = _ride_with_stop(7200)
    assert gap[60] == 7200.0
    tau = 3000.0
    balance = w_prime_balance_integral_j(power, CP, W_PRIME, tau_s=tau, gap_s=gap)
    r = math.exp(-1 / tau)
    spent_60 = 100 * (1 - r**60) / (1 - r)  # 5941.388 J
    assert W_PRIME - balance.iloc[60] == pytest.approx(spent_60 * math.exp(-7201 / tau))
    assert W_PRIME - balance.iloc[60] == pytest.approx(538.811, abs=1e-3)
    differential = w_prime_balance_differential_j(power, CP, W_PRIME, gap_s=gap)
    assert differential.iloc[60] == pytest.approx(W_PRIME)  # e^(−90): fully recovered


def test_clock_jump_of_years_costs_one_row_and_recovers_fully():
    ten_years_s = 10 * 365 * 86_400
    power, gap = _ride_with_stop(ten_years_s)
    assert len(power) == 120 and gap[60] == ten_years_s
    for model in (w_prime_balance_differential_j, w_prime_balance_integral_j):
        balance = model(power, CP, W_PRIME, gap_s=gap)
        assert np.isfinite(balance).all()
        assert balance.iloc[60] == pytest.approx(W_PRIME, abs=1e-9)


def test_gap_s_is_checked():
    with pytest.raises(ValueError, match="one value per sample"):
        w_prime_balance_differential_j(np.full(3, 300.0), CP, W_PRIME, gap_s=np.zeros(2))
    with pytest.raises(ValueError, match="non-negative"):
        w_prime_balance_integral_j(np.full(2, 300.0), CP, W_PRIME, gap_s=np.array([0, np.nan]))
    with pytest.raises(ValueError, match="non-negative"):
        skiba_tau_s(np.full(2, 300.0), CP, gap_s=np.array([0.0, -1.0]))


def test_grid_gap_s_of_contiguous_and_empty_grids():
    seconds = np.arange(5)
    assert grid_gap_s(seconds).tolist() == [0.0] * 5
    assert grid_gap_s(seconds[:0]).size == 0
    assert grid_gap_s(seconds[[0, 1, 4]]).tolist() == [0.0, 0.0, 2.0]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0, 1200), st.integers(0, 40)), min_size=1, max_size=100),
    st.floats(100, 400),
    st.floats(5_000, 40_000),
)
def test_gaps_match_their_expansion_into_0_w_seconds(rows, cp, w_prime):
    power = np.array([p for p, _ in rows])
    gap = np.array([float(g) for _, g in rows])
    expanded = np.concatenate([np.r_[np.full(int(g), np.nan), p] for p, g in rows])
    kept = np.cumsum(gap + 1).astype(int) - 1
    for model in (w_prime_balance_differential_j, w_prime_balance_integral_j):
        with_gaps = model(power, cp, w_prime, gap_s=gap)
        assert (with_gaps <= w_prime + 1e-6).all()
        np.testing.assert_allclose(
            with_gaps, model(expanded, cp, w_prime)[kept], rtol=1e-9, atol=1e-6
        )


def test_endurance_analysis_recovers_w_prime_during_a_cafe_stop():
    # Regression (issue 9): 120 s at 400 W (CP 250 W, W' 20 kJ: spends 18 kJ), a 20-min stop
    # without samples, the same effort again. Differential: the stop multiplies the 18 kJ by
    # e^(−250·1200/20000) = e^(−15), so the low point is 20000 − 18000 − 18000·e^(−15)
    # = 1999.9945 J (without recovery it was −16000 J). Integral: no power below CP, so the
    # 1200 s at 0 W give D_CP = 250 W, τ = 546·e^(−2.5) + 316 = 360.818 s; S₁ = 150·(1 − r¹²⁰)
    # /(1 − r) = 15334.01 J, low point 20000 − (S₁·e^(−1201/τ)·r¹¹⁹ + S₁) = 4270.76 J
    # (−6329.61 J without recovery).
    start = pd.Timestamp("2024-06-01 08:00", tz="UTC")
    seconds = np.r_[np.arange(120), np.arange(120) + 1320]
    samples = pd.DataFrame(
        {"power_w": np.full(240, 400.0)},
        index=pd.DatetimeIndex(start + pd.to_timedelta(seconds, unit="s"), name="time"),
    )
    activity = Activity(meta=ActivityMeta("x.fit", "0" * 64, "fit", sport="cycling"),
                        samples=samples)
    thresholds = SessionThresholds(cp_w=Threshold(CP, "flag"), w_prime_j=Threshold(W_PRIME, "flag"))
    analysis = analyse_endurance(activity, thresholds, endurance_rules(Settings()), None)
    assert analysis.w_prime.min_balance_j == pytest.approx(1999.99449, abs=1e-5)
    assert analysis.w_prime.n_efforts == 2
    assert analysis.min_w_prime_balance_integral_j == pytest.approx(4270.760, abs=1e-3)
