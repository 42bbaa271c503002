"""DFA-α1 against an independent, plain-loop implementation of the textbook definition.

Reference (written here from Peng et al. 1995, Chaos 5:82–87, without the library's tricks): for
a series x₁…x_N, subtract its mean and integrate, y(k) = Σᵢ₌₁ᵏ (xᵢ − x̄); for each box size n cut
y into ⌊N/n⌋ boxes from the start, fit a least-squares line in each (numpy.polyfit, degree 1),
F(n) = √(mean of the squared residuals over all boxed points); α1 = slope of log F(n) on log n
over n = 4…16 (numpy.polyfit). Exponents of synthetic series (Peng 1995): white noise 0.5,
1/f ("pink") noise 1.0, Brownian motion 1.5 asymptotically; over boxes of 4–16 the expected
values follow from the profile's covariance (computed below): 0.583 and 1.50.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from lactlog.analysis.dfa import (
    BOX_SIZES,
    alpha1_windows,
    artefact_mask,
    artefact_percent,
    correct_artefacts,
    dfa_alpha1,
    missing_beats,
)


def reference_alpha1(x: list[float], sizes: range = range(4, 17)) -> float:
    """Plain-loop textbook DFA-α1 (module docstring)."""
    mean = sum(x) / len(x)
    profile, total = [], 0.0
    for value in x:
        total += value - mean
        profile.append(total)
    log_n, log_f = [], []
    for n in sizes:
        squares, count = 0.0, 0
        for box in range(len(profile) // n):
            segment = profile[box * n:(box + 1) * n]
            k = list(range(n))
            slope, intercept = np.polyfit(k, segment, 1)
            for j in range(n):
                squares += (segment[j] - (intercept + slope * k[j])) ** 2
                count += 1
        log_n.append(math.log(n))
        log_f.append(math.log(math.sqrt(squares / count)))
    return float(np.polyfit(log_n, log_f, 1)[0])


def pink_noise(n: int, rng: np.random.Generator) -> np.ndarray:
    """1/f noise by spectral synthesis: random phases, amplitude ∝ f^(−1/2)."""
    freqs = np.fft.rfftfreq(n)
    amplitude = np.zeros_like(freqs)
    amplitude[1:] = freqs[1:] ** -0.5
    phases = rng.uniform(0, 2 * np.pi, len(freqs))
    return np.fft.irfft(amplitude * np.exp(1j * phases), n)


def rr_frame(rr_s: np.ndarray, start: str = "2026-11-03T08:00:00Z") -> pd.DataFrame:
    """An Activity.rr frame of consecutive beats (each beat one interval after the last)."""
    times = pd.Timestamp(start) + pd.to_timedelta(np.cumsum(rr_s), unit="s")
    return pd.DataFrame({"rr_s": rr_s}, index=pd.DatetimeIndex(times, name="time"))


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("length", [120, 301, 500])
def test_alpha1_equals_plain_loop_reference(seed: int, length: int) -> None:
    rng = np.random.default_rng(seed)
    rr = 0.5 + 0.02 * pink_noise(length, rng) + 0.005 * rng.standard_normal(length)
    assert dfa_alpha1(rr) == pytest.approx(reference_alpha1(list(rr)), abs=1e-9)


def expected_alpha1(profile_covariance) -> float:
    """α1 of the expected F(n): E[F²(n)] = trace((I − P) Σ) / n for a profile with covariance
    Σ (n × n), P the projection on a line (least squares on 1 and k)."""
    log_f = []
    for n in range(4, 17):
        k = np.arange(1, n + 1)
        design = np.column_stack([np.ones(n), k])
        projection = design @ np.linalg.pinv(design)
        log_f.append(0.5 * math.log(np.trace((np.eye(n) - projection) @ profile_covariance(k)) / n))
    return float(np.polyfit(np.log(np.arange(4, 17)), log_f, 1)[0])


def random_walk_covariance(k: np.ndarray) -> np.ndarray:
    """Profile of white noise = a random walk: Cov(y_i, y_j) = min(i, j)."""
    return np.minimum.outer(k, k).astype(np.float64)


def integrated_walk_covariance(k: np.ndarray) -> np.ndarray:
    """Profile of Brownian motion = an integrated random walk: Σ_{p≤i} Σ_{q≤j} min(p, q)."""
    walk = random_walk_covariance(np.arange(1, k.max() + 1))
    return np.cumsum(np.cumsum(walk, axis=0), axis=1)[np.ix_(k - 1, k - 1)]


def test_expected_exponents_of_the_box_range() -> None:
    """Over boxes of 4–16 beats the exponents are not the asymptotic 0.5 and 1.5: white noise
    gives 0.583 (E[F²(n)] = (n² − 4) / (15 n) exactly), Brownian motion 1.50."""
    assert expected_alpha1(random_walk_covariance) == pytest.approx(0.583, abs=0.001)
    for n in (4, 9, 16):
        k = np.arange(1, n + 1)
        design = np.column_stack([np.ones(n), k])
        residual = np.eye(n) - design @ np.linalg.pinv(design)
        trace = np.trace(residual @ random_walk_covariance(k)) / n
        assert trace == pytest.approx((n * n - 4) / (15 * n))
    assert expected_alpha1(integrated_walk_covariance) == pytest.approx(1.50, abs=0.01)


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda rng, n: rng.standard_normal(n), expected_alpha1(random_walk_covariance)),
        (lambda rng, n: pink_noise(n, rng), 1.0),
        (lambda rng, n: np.cumsum(rng.standard_normal(n)),
         expected_alpha1(integrated_walk_covariance)),
    ],
    ids=["white", "pink", "brownian"],
)
def test_alpha1_of_synthetic_noise(make, expected: float) -> None:
    """Mean α1 of 20 series of 2,000 points (SD of one α1 ≈ 0.02–0.03, so of the mean < 0.01);
    the reference agrees on one of them."""
    rng = np.random.default_rng(7)
    series = [make(rng, 2000) for _ in range(20)]
    values = [dfa_alpha1(x) for x in series]
    assert np.mean(values) == pytest.approx(expected, abs=0.04)
    assert values[0] == pytest.approx(reference_alpha1(list(series[0])), abs=1e-9)


def test_windows_match_reference_on_each_window() -> None:
    """Every 2-min window's α1 is the reference α1 of exactly the beats in (end − 120 s, end]."""
    rng = np.random.default_rng(11)
    rr = 0.45 + 0.03 * pink_noise(1200, rng)
    frame = rr_frame(rr)
    windows = alpha1_windows(frame, step_s=30.0)
    assert len(windows) > 5
    beat_t = (frame.index - frame.index[0]).total_seconds().to_numpy()
    for end, row in windows.iterrows():
        end_s = (end - frame.index[0]).total_seconds()
        inside = (beat_t > end_s - 120.0) & (beat_t <= end_s)
        assert row["n_beats"] == inside.sum()
        assert row["alpha1"] == pytest.approx(reference_alpha1(list(rr[inside])), abs=1e-9)
        assert row["heart_rate_bpm"] == pytest.approx(60.0 / rr[inside].mean())
        assert row["artefact_percent"] == 0.0


def test_windows_step_and_length() -> None:
    rr = np.full(1000, 0.5) + 0.01 * np.random.default_rng(0).standard_normal(1000)
    windows = alpha1_windows(rr_frame(rr))
    span_s = rr[1:].sum()  # first beat to last beat
    assert len(windows) == math.floor((span_s - 120.0) / 5.0) + 1
    steps = np.diff(windows.index.asi8) / 1e9
    assert np.allclose(steps, 5.0)


def test_artefacts_detected_corrected_and_counted() -> None:
    rng = np.random.default_rng(3)
    rr = 0.5 + 0.005 * rng.standard_normal(600)
    bad = rr.copy()
    bad[100] *= 2.0  # missed beat
    bad[200] *= 0.5  # extra beat
    bad[300] *= 0.7  # premature (ectopic) beat
    mask = artefact_mask(bad)
    assert set(np.flatnonzero(mask)) == {100, 200, 300}
    fixed = correct_artefacts(bad, mask)
    assert fixed[100] == pytest.approx((bad[99] + bad[101]) / 2)
    assert np.array_equal(fixed[~mask], bad[~mask])
    assert artefact_percent(rr_frame(bad)) == pytest.approx(100 * 3 / 600)


def test_missing_beats_from_clock_jumps() -> None:
    rr = np.full(10, 0.5)
    t = np.cumsum(rr)
    t[5:] += 1.5  # three beats of 0.5 s never recorded before beat 5
    assert missing_beats(t, rr).tolist() == [0, 0, 0, 0, 0, 3, 0, 0, 0, 0]


def test_windows_above_artefact_limit_are_refused() -> None:
    rng = np.random.default_rng(5)
    rr = 0.5 + 0.01 * pink_noise(1200, rng)
    dirty = rr.copy()
    dirty[300:330:2] *= 2.0  # 15 missed beats within 30 s: > 5 % of a 240-beat window
    windows = alpha1_windows(rr_frame(dirty))
    end_s = (windows.index - windows.index[0]).total_seconds() + 120.0
    beat_s = np.cumsum(dirty)[300]
    hit = (end_s > beat_s + 20) & (end_s < beat_s + 100)
    assert windows["artefact_percent"][hit].min() > 5.0
    assert windows["alpha1"][hit].isna().all()
    assert windows["alpha1"][~hit & (windows["artefact_percent"] == 0)].notna().all()


def test_correction_changes_little_at_low_artefact_rate() -> None:
    """One missed beat in a window (≈ 0.4 %) moves α1 by less than 0.05 after correction."""
    rng = np.random.default_rng(8)
    rr = 0.5 + 0.01 * pink_noise(2000, rng)
    dirty = np.r_[rr[:1000], rr[1000] + rr[1001], rr[1002:]]  # beat 1001 not detected
    clean_w = alpha1_windows(rr_frame(rr), step_s=60.0)
    dirty_w = alpha1_windows(rr_frame(dirty), step_s=60.0)
    both = clean_w["alpha1"].notna() & dirty_w["alpha1"].notna()
    assert both.sum() > 5
    assert np.abs(clean_w["alpha1"][both] - dirty_w["alpha1"][both]).max() < 0.05


@pytest.mark.parametrize(
    "rr",
    [np.zeros(0), np.array([0.5]), np.full(400, 0.5), np.full(400, np.nan),
     np.r_[np.full(200, 0.5), np.full(200, np.nan)]],
    ids=["empty", "one", "constant", "nan", "half-nan"],
)
def test_bad_input_gives_nan_not_a_crash(rr: np.ndarray) -> None:
    assert math.isnan(dfa_alpha1(rr)) or len(rr) >= max(BOX_SIZES)
    frame = rr_frame(np.nan_to_num(rr, nan=0.5))
    frame["rr_s"] = rr
    windows = alpha1_windows(frame)
    assert list(windows.columns) == ["alpha1", "heart_rate_bpm", "artefact_percent", "n_beats"]
    if np.isfinite(rr).sum() > 1 and np.nanstd(rr) == 0:
        assert windows["alpha1"].isna().all()


@settings(max_examples=60, deadline=None)
@given(
    rr=arrays(np.float64, st.integers(0, 700),
              elements=st.one_of(st.floats(0.2, 2.6), st.just(np.nan), st.just(0.0),
                                 st.floats(-1.0, 1e4))),
    jitter=st.floats(0.0, 3.0),
)
def test_any_beats_give_a_frame_never_an_exception(rr: np.ndarray, jitter: float) -> None:
    """Invariants on arbitrary intervals (NaN, zero, negative, huge) and clock jumps."""
    steps = np.where(np.isfinite(rr) & (rr > 0), rr, 0.5) + jitter * (np.arange(len(rr)) % 7 == 0)
    times = pd.Timestamp("2026-11-03T08:00:00Z") + pd.to_timedelta(np.cumsum(steps), unit="s")
    frame = pd.DataFrame({"rr_s": rr}, index=pd.DatetimeIndex(times, name="time"))
    windows = alpha1_windows(frame)
    assert list(windows.columns) == ["alpha1", "heart_rate_bpm", "artefact_percent", "n_beats"]
    used = windows["alpha1"].notna()
    assert (windows["artefact_percent"][used] <= 5.0).all()
    assert (windows["n_beats"][used] >= 96).all()
    share = artefact_percent(frame)
    assert math.isnan(share) == (len(rr) == 0)
    assert len(rr) == 0 or 0.0 <= share <= 100.0


def test_missing_beats_with_invalid_intervals() -> None:
    """A NaN or zero interval is measured against the median interval: no jump, no beat lost."""
    rr = np.array([0.5, 0.5, np.nan, 0.5, 0.0, 0.5])
    t = np.cumsum(np.full(6, 0.5))
    assert missing_beats(t, rr).tolist() == [0, 0, 0, 0, 0, 0]
    t[5:] += 1.0
    assert missing_beats(t, rr).tolist() == [0, 0, 0, 0, 0, 2]
