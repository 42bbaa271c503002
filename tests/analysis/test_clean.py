"""Sample cleaning: hand-built frames with hand-computed results, plus property tests."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lactlog.analysis.clean
from lactlog.analysis.clean import (
    MAX_GRID_GAP_S,
    CleaningRules,
    _row_nanmedian,
    clean_samples,
    grid_gap_s,
    grid_seconds,
    hampel_outliers,
    interpolate_short_gaps,
    paused_mask,
    recording_mask,
)

T0 = pd.Timestamp("2024-05-01T10:00:00Z")


def frame(offsets_s, **columns) -> pd.DataFrame:
    """Samples at ``T0 + offsets_s`` with the given float columns."""
    index = pd.DatetimeIndex(
        T0 + pd.to_timedelta(np.asarray(offsets_s, float), unit="s"), name="time"
    )
    return pd.DataFrame({k: np.asarray(v, float) for k, v in columns.items()}, index=index)


NO_PAUSES = pd.DataFrame(
    {"start": pd.Series(dtype="datetime64[ns, UTC]"), "end": pd.Series(dtype="datetime64[ns, UTC]")}
)


def test_grid_starts_at_first_second_and_ends_at_last_sample():
    clean = clean_samples(frame([0.5, 1.5, 3.2], power_w=[100, 110, 130]), NO_PAUSES)
    assert list(clean.index) == [T0 + pd.Timedelta(seconds=s) for s in range(4)]
    assert str(clean.index.tz) == "UTC" and clean.index.name == "time"
    # floored to their seconds 0, 1, 3; second 2 interpolated halfway: (110 + 130) / 2 = 120
    assert clean["power_w"].tolist() == [100, 110, 120, 130]
    assert clean["recording"].tolist() == [True] * 4


def test_heart_rate_placeholders_become_gaps_that_are_bridged():
    # 0 and 255 ("no reading") are outside [30, 240]; linear interpolation: 151 and 153.
    clean = clean_samples(frame(range(5), heart_rate_bpm=[150, 0, 152, 255, 154]), NO_PAUSES)
    assert clean["heart_rate_bpm"].tolist() == [150, 151, 152, 153, 154]


def test_heart_rate_range_limits_are_inclusive():
    rules = CleaningRules()
    clean = clean_samples(frame(range(3), heart_rate_bpm=[30, 240, 29.9]), NO_PAUSES, rules)
    assert clean["heart_rate_bpm"].iloc[0] == 30
    assert clean["heart_rate_bpm"].iloc[1] == 240
    assert np.isnan(clean["heart_rate_bpm"].iloc[2])  # invalid and nothing after it to bridge to


def test_power_spikes_and_negative_values_removed():
    clean = clean_samples(frame(range(5), power_w=[200, 3000, 220, -5, 240]), NO_PAUSES)
    # 3000 W > 2500 W → bridged (200 + 220) / 2; -5 W → (220 + 240) / 2
    assert clean["power_w"].tolist() == [200, 210, 220, 230, 240]


def test_isolated_heart_rate_spike_replaced_by_its_neighbours():
    hr = np.full(30, 140.0)
    hr[::3] = 141.0  # small wiggle
    hr[15] = 200.0  # optical cadence lock
    clean = clean_samples(frame(range(30), heart_rate_bpm=hr), NO_PAUSES)
    expected = hr.copy()
    expected[15] = (hr[14] + hr[16]) / 2  # interpolated between the valid neighbours: 140
    np.testing.assert_array_equal(clean["heart_rate_bpm"].to_numpy(), expected)


def test_heart_rate_step_is_not_a_spike():
    hr = np.r_[np.full(20, 120.0), np.full(20, 160.0)]
    clean = clean_samples(frame(range(40), heart_rate_bpm=hr), NO_PAUSES)
    np.testing.assert_array_equal(clean["heart_rate_bpm"].to_numpy(), hr)


def test_hampel_hand_computed():
    x = np.array([10, 10, 11, 10, 50, 10, 9, 10, 10], float)
    # i = 4: window [11, 10, 50, 10, 9], median 10, |x − 10| = [1, 0, 40, 0, 1], MAD 1,
    #        limit 3 · 1.4826 · 1 = 4.45 < 40 → outlier.
    # i = 2: window [10, 10, 11, 10, 50], median 10, MAD 0 → limit 0 < |11 − 10| → outlier too;
    # i = 6: window [50, 10, 9, 10, 10], median 10, MAD 0 → |9 − 10| > 0 → outlier;
    #        both only because MAD = 0, unless a minimum deviation (here 2) is required.
    textbook = hampel_outliers(x, half_window=2, n_sigma=3.0)
    assert np.flatnonzero(textbook).tolist() == [2, 4, 6]
    floored = hampel_outliers(x, half_window=2, n_sigma=3.0, min_deviation=2.0)
    assert np.flatnonzero(floored).tolist() == [4]


def test_hampel_ignores_nan():
    x = np.array([np.nan, 100, 100, np.nan, 180, 100, 100, np.nan])
    assert np.flatnonzero(hampel_outliers(x, 3, 3.0, 5.0)).tolist() == [4]


def test_gap_rule_bridges_25_s_but_not_35_s():
    clean = clean_samples(frame([0, 25, 60], heart_rate_bpm=[100, 150, 120]), NO_PAUSES)
    hr, recording = clean["heart_rate_bpm"], clean["recording"]
    assert hr.iloc[10] == pytest.approx(100 + 50 * 10 / 25)  # 120 bpm, linear in time
    assert recording.iloc[:26].all() and not recording.iloc[26:60].any() and recording.iloc[60]
    assert hr.iloc[26:60].isna().all() and hr.iloc[60] == 120


def test_channel_gap_longer_than_limit_stays_empty_while_recording():
    hr = np.r_[np.full(10, 150.0), np.full(30, np.nan), np.full(10, 160.0)]
    clean = clean_samples(
        frame(range(50), heart_rate_bpm=hr, power_w=np.full(50, 200.0)), NO_PAUSES
    )
    assert clean["recording"].all()
    assert clean["heart_rate_bpm"].iloc[10:40].isna().all()  # 31 s between valid values
    assert (clean["power_w"] == 200).all()


def test_pauses_stop_recording():
    pauses = pd.DataFrame(
        {
            "start": [T0 + pd.Timedelta(seconds=5), T0 + pd.Timedelta(seconds=15)],
            "end": [T0 + pd.Timedelta(seconds=10), pd.NaT],
        }
    )
    clean = clean_samples(frame(range(20), power_w=np.arange(20.0)), pauses)
    paused = [*range(5, 10), *range(15, 20)]  # [start, end) and an open pause to the end
    assert np.flatnonzero(~clean["recording"].to_numpy()).tolist() == paused
    assert clean["power_w"].iloc[paused].isna().all()
    assert clean["power_w"].iloc[10] == 10


def test_paused_mask_overlapping_and_open_pauses():
    mask = paused_mask(np.arange(14), np.array([[2, 8], [3, 5], [10, np.inf]]))
    assert np.flatnonzero(mask).tolist() == [2, 3, 4, 5, 6, 7, 10, 11, 12, 13]


def test_recording_mask_hand():
    assert recording_mask(np.array([0, 2, 10]), np.arange(11), 3.0).tolist() == [True] * 3 + [
        False
    ] * 7 + [True]


def test_grid_leaves_out_long_gaps():
    # samples at 0..2 s, then a clock jump of two years, then 3 more seconds
    jump = 2 * 365 * 86400
    grid = grid_seconds(np.array([0, 1, 2, jump, jump + 1, jump + 2]), 600)
    assert grid.tolist() == [0, 1, 2, jump, jump + 1, jump + 2]
    assert grid_seconds(np.array([0, 5, 700]), 600).tolist() == [0, 1, 2, 3, 4, 5, 700]


def test_clock_jump_costs_no_memory_and_is_not_interpolated():
    jump = 2 * 365 * 86400.0
    clean = clean_samples(
        frame([0, 1, 2, jump, jump + 1], heart_rate_bpm=[100, 101, np.nan, 150, 151]), NO_PAUSES
    )
    assert len(clean) == 5
    assert np.isnan(clean["heart_rate_bpm"].iloc[2])  # not bridged across the jump
    assert clean["recording"].tolist() == [True, True, True, True, True]


def test_samples_within_one_second_are_averaged():
    clean = clean_samples(frame([0.0, 0.5, 1.0], power_w=[100, 200, 300]), NO_PAUSES)
    assert clean["power_w"].tolist() == [150, 300]


def test_other_columns_kept_and_interpolated():
    clean = clean_samples(frame([0, 4], distance_m=[0, 20], altitude_m=[400, 404]), NO_PAUSES)
    assert list(clean.columns) == ["distance_m", "altitude_m", "recording"]
    assert clean["distance_m"].tolist() == [0, 5, 10, 15, 20]


def test_interpolate_short_gaps_hand():
    x = np.array([np.nan, 1, np.nan, 3, np.nan, np.nan, np.nan, 7, np.nan])
    np.testing.assert_array_equal(
        interpolate_short_gaps(x, max_gap_s=3), [np.nan, 1, 2, 3, np.nan, np.nan, np.nan, 7, np.nan]
    )
    np.testing.assert_array_equal(
        interpolate_short_gaps(x, max_gap_s=2, sample_s=0.5)[:8], [np.nan, 1, 2, 3, 4, 5, 6, 7]
    )


def test_empty_input():
    clean = clean_samples(
        pd.DataFrame({"heart_rate_bpm": []}, index=pd.DatetimeIndex([], tz="UTC")), NO_PAUSES
    )
    assert len(clean) == 0 and list(clean.columns) == ["heart_rate_bpm", "recording"]


@st.composite
def sample_frames(draw):
    n = draw(st.integers(1, 80))
    steps_ms = draw(st.lists(st.integers(1, 40_000), min_size=n - 1, max_size=n - 1))
    offsets = np.cumsum([draw(st.integers(0, 999))] + steps_ms) / 1000.0
    hr = st.one_of(st.just(np.nan), st.sampled_from([0.0, 255.0]), st.floats(20, 260))
    power = st.one_of(st.just(np.nan), st.floats(-50, 3000))
    return frame(
        offsets,
        heart_rate_bpm=draw(st.lists(hr, min_size=n, max_size=n)),
        power_w=draw(st.lists(power, min_size=n, max_size=n)),
    )


@settings(max_examples=150, deadline=None)
@given(sample_frames(), st.floats(0, 200), st.floats(1, 100))
def test_clean_samples_invariants(samples, pause_start_s, pause_len_s):
    pauses = pd.DataFrame(
        {
            "start": [T0 + pd.Timedelta(seconds=pause_start_s)],
            "end": [T0 + pd.Timedelta(seconds=pause_start_s + pause_len_s)],
        }
    )
    clean = clean_samples(samples, pauses)
    first, last = samples.index[0], samples.index[-1]
    assert clean.index[0] == first.floor("s") and clean.index[-1] <= last
    assert len(clean) == (last.floor("s") - first.floor("s")).total_seconds() + 1
    assert ((clean.index - clean.index[0]) / pd.Timedelta(seconds=1)).tolist() == list(
        range(len(clean))
    )
    off = ~clean["recording"]
    assert clean.loc[off, ["heart_rate_bpm", "power_w"]].isna().all().all()
    hr, power = clean["heart_rate_bpm"].dropna(), clean["power_w"].dropna()
    assert hr.between(30, 240).all() and power.between(0, 2500).all()
    valid_power = samples["power_w"][(samples["power_w"] >= 0) & (samples["power_w"] <= 2500)]
    if len(power):  # interpolation never overshoots the valid inputs
        assert valid_power.min() - 1e-9 <= power.min() and power.max() <= valid_power.max() + 1e-9


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.lists(st.one_of(st.none(), st.floats(-300, 300)), min_size=1, max_size=13),
        min_size=1,
        max_size=30,
    ).filter(lambda rows: len({len(r) for r in rows}) == 1)
)
def test_row_nanmedian_equals_numpy(rows: list[list[float | None]]) -> None:
    data = np.array([[np.nan if v is None else v for v in row] for row in rows])
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows
        expected = np.nanmedian(data, axis=1)
    np.testing.assert_allclose(_row_nanmedian(data), expected, equal_nan=True)


# -- bounded memory (issue 14, class 5) --------------------------------------------------------


def test_hampel_in_blocks_equals_one_block(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(5)
    hr = 140 + rng.normal(0, 3, 5_000)
    hr[rng.integers(0, 5_000, 100)] = np.nan
    hr[rng.integers(0, 5_000, 50)] += 40
    whole = hampel_outliers(hr, 5, 3.0, 5.0)
    monkeypatch.setattr(lactlog.analysis.clean, "_HAMPEL_BLOCK_VALUES", 11 * 7)  # 7 rows a block
    assert np.array_equal(hampel_outliers(hr, 5, 3.0, 5.0), whole)
    assert whole.sum() >= 40


def test_grid_gap_limit_counts_rows_like_grid_seconds() -> None:
    second = np.array([0, 3, 3, 700, 701, 1300, 1400, 5000])
    assert len(grid_seconds(second, MAX_GRID_GAP_S)) == 4 + 701 + 1  # 0-3, 700-1400, 5000
    limit_s = lactlog.analysis.clean._grid_gap_limit_s
    assert limit_s(second, 25) == MAX_GRID_GAP_S  # small grids keep every short gap
    long_gaps = np.arange(40_000) * 599
    assert len(grid_seconds(long_gaps, MAX_GRID_GAP_S)) > 1_000_000
    assert limit_s(long_gaps, 25) == 25
    assert limit_s(np.arange(40_000) * 29, 25) == MAX_GRID_GAP_S  # 29 rows a sample: kept


def test_samples_599_s_apart_put_one_row_per_sample_on_the_grid() -> None:
    """50,000 samples 599 s apart made a 30 M-row grid and a 4.9 GiB Hampel matrix; gaps longer
    than max_gap_s now get no rows once the grid would exceed GRID_MAX_ROWS and 30 rows per
    sampled second. Recording, values and the time left out are as before."""
    n = 50_000
    offsets = np.arange(n) * 599.0
    clean = clean_samples(frame(offsets, heart_rate_bpm=140 + np.arange(n) % 20), NO_PAUSES)
    assert len(clean) == n
    assert clean["recording"].all()  # sampled seconds record; the gaps between are not rows
    assert grid_gap_s(_seconds(clean.index))[1:].tolist() == [598.0] * (n - 1)
    small = clean_samples(frame(offsets[:100], heart_rate_bpm=np.full(100, 140.0)), NO_PAUSES)
    assert len(small) == 99 * 599 + 1  # under the cap the grid is unchanged
    assert small["recording"].sum() == 100  # ... and records the same seconds


def _seconds(index: pd.DatetimeIndex) -> np.ndarray:
    """A grid frame's times as seconds since its first row."""
    return ((index - index[0]) / pd.Timedelta(seconds=1)).to_numpy()


def test_median_is_numpys_median():
    # hand-computed: odd count → the middle value, even → the mean of the two middle ones
    assert lactlog.analysis.clean.median(np.array([3.0, 1.0, 2.0])) == 2.0
    assert lactlog.analysis.clean.median(np.array([4.0, 1.0, 3.0, 2.0])) == 2.5
    assert lactlog.analysis.clean.median(np.array([7.0])) == 7.0
    rng = np.random.default_rng(3)
    for n in range(1, 60):
        values = rng.integers(0, 5, n).astype(float)  # ties included
        assert lactlog.analysis.clean.median(values) == float(np.median(values))


def _hampel_by_definition(x: np.ndarray, h: int, n_sigma: float, floor: float) -> list[bool]:
    """Hampel's rule written out one sample at a time (the docstring's formula)."""
    flags = []
    for i, value in enumerate(x):
        window = x[max(0, i - h) : i + h + 1]
        window = window[~np.isnan(window)]
        if np.isnan(value) or not window.size:
            flags.append(False)
            continue
        median = np.median(window)
        mad = np.median(np.abs(window - median))
        flags.append(bool(abs(value - median) > max(n_sigma * 1.4826 * mad, floor)))
    return flags


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(st.floats(40, 220), st.just(np.nan)), min_size=1, max_size=120),
    st.integers(1, 8),
    st.sampled_from([0.0, 1.0, 5.0, 20.0]),
)
def test_hampel_equals_its_definition(values, half_window, floor):
    x = np.asarray(values, dtype=np.float64)
    expected = _hampel_by_definition(x, half_window, 3.0, floor)
    assert hampel_outliers(x, half_window, 3.0, floor).tolist() == expected
