"""HRVT1/HRVT2 from α1 (Rogers et al. 2021): regression, refusals, and the session summary."""

from __future__ import annotations

import pickle
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lactlog.analysis.dfa import alpha1_windows
from lactlog.analysis.hrvt import (
    FIT_ALPHA1_MAX,
    FIT_ALPHA1_MIN,
    HrvThreshold,
    SessionHrvThreshold,
    analyse_dfa,
    hrv_thresholds,
    latest_hrv_thresholds,
    repeated_percent,
    session_hrv_thresholds,
    window_power_w,
)

CORPUS = Path("/work/shared/corpus/fit")


def ramp(minutes: float = 30.0, noise: float = 0.03, seed: int = 0):
    """Windows every 5 s of a ramp: HR 100 → 180 bpm, α1 = 1.5 − 0.02·(HR − 100) + noise,
    power = 2·HR − 100 W. By construction α1 = 0.75 at 137.5 bpm / 175 W and α1 = 0.5 at
    150 bpm / 200 W."""
    rng = np.random.default_rng(seed)
    t = np.arange(0, minutes * 60, 5.0)
    hr = 100 + 80 * t / t[-1]
    a1 = 1.5 - 0.02 * (hr - 100) + noise * rng.standard_normal(len(t))
    return t, a1, hr, 2 * hr - 100


def test_ramp_gives_both_thresholds_with_power() -> None:
    t, a1, hr, power = ramp()
    found, notes = hrv_thresholds(t, a1, hr, power)
    assert notes == ()
    assert found["HRVT1"].heart_rate_bpm == pytest.approx(137.5, abs=1.0)
    assert found["HRVT1"].power_w == pytest.approx(175, abs=2.0)
    assert found["HRVT2"].heart_rate_bpm == pytest.approx(150.0, abs=1.0)
    assert found["HRVT2"].power_w == pytest.approx(200, abs=2.0)
    assert found["HRVT1"].quality == "ramp"
    assert found["HRVT1"].r_squared > 0.9


def test_threshold_is_the_regression_on_the_falling_windows() -> None:
    """Same numbers as numpy.polyfit of α1 on HR over the windows with α1 in the fit range."""
    t, a1, hr, _ = ramp(noise=0.1, seed=4)
    found, _ = hrv_thresholds(t, a1, hr)
    used = (a1 >= FIT_ALPHA1_MIN) & (a1 <= FIT_ALPHA1_MAX)
    slope, intercept = np.polyfit(hr[used], a1[used], 1)
    assert found["HRVT1"].heart_rate_bpm == pytest.approx((0.75 - intercept) / slope)
    assert found["HRVT2"].heart_rate_bpm == pytest.approx((0.5 - intercept) / slope)
    assert found["HRVT1"].n_windows == used.sum()


def test_refused_windows_are_ignored() -> None:
    t, a1, hr, _ = ramp()
    holes = a1.copy()
    holes[::3] = np.nan
    found, _ = hrv_thresholds(t, holes, hr)
    assert found["HRVT1"].heart_rate_bpm == pytest.approx(137.5, abs=1.5)


def test_steady_session_gives_no_threshold() -> None:
    rng = np.random.default_rng(1)
    t = np.arange(0, 3600, 5.0)
    hr = 140 + 3 * rng.standard_normal(len(t))
    a1 = 0.8 + 0.1 * rng.standard_normal(len(t))
    found, notes = hrv_thresholds(t, a1, hr)
    assert found == {}
    assert "steady" in notes[0] and "HRVT1 and HRVT2" in notes[0]


def test_too_few_clean_windows() -> None:
    t, a1, hr, _ = ramp()
    a1[40:] = np.nan
    found, notes = hrv_thresholds(t, a1, hr)
    assert found == {} and "only 40 clean 2-min windows" in notes[0]


def test_threshold_not_reached_is_not_extrapolated() -> None:
    """A ramp stopped at 145 bpm: α1 ends near 0.6 — HRVT1 found, HRVT2 "not reached"."""
    t, a1, hr, _ = ramp()
    keep = hr <= 145
    found, notes = hrv_thresholds(t[keep], a1[keep], hr[keep])
    assert "HRVT1" in found and "HRVT2" not in found
    assert "not reached" in notes[0] and "HRVT2" in notes[0]


def test_alpha1_rising_with_heart_rate_gives_no_threshold() -> None:
    t, a1, hr, _ = ramp()
    found, notes = hrv_thresholds(t, a1[::-1], hr)
    assert found == {} and "does not fall" in notes[0]


def test_intervals_give_a_weak_estimate() -> None:
    """Heart rate up and down (not a ramp) with the same α1–HR relation: found, but 'weak'."""
    rng = np.random.default_rng(2)
    t = np.arange(0, 3600, 5.0)
    hr = 140 + 40 * np.sin(2 * np.pi * t / 600)
    a1 = 1.5 - 0.02 * (hr - 100) + 0.03 * rng.standard_normal(len(t))
    found, _ = hrv_thresholds(t, a1, hr)
    assert found["HRVT1"].quality == "weak"
    assert found["HRVT1"].heart_rate_bpm == pytest.approx(137.5, abs=1.0)


def test_window_power_is_the_mean_of_the_samples_in_each_window() -> None:
    index = pd.date_range("2026-11-03T08:00:00Z", periods=600, freq="1s", name="time")
    power = pd.Series(np.arange(600, dtype=float), index=index)
    power.iloc[::7] = np.nan
    ends = index[[120, 300, 599]]
    means = window_power_w(power, ends, 120.0)
    for end, mean in zip(ends, means):
        inside = power[(power.index > end - pd.Timedelta(seconds=120)) & (power.index <= end)]
        assert mean == pytest.approx(inside.mean())
    assert window_power_w(None, ends, 120.0) is None
    assert window_power_w(power * np.nan, ends, 120.0) is None


def synthetic_rr(minutes: float = 20.0, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = int(minutes * 60 / 0.5)
    walk = np.cumsum(rng.standard_normal(n)) / np.sqrt(n)
    rr = 0.5 + 0.01 * walk + 0.005 * rng.standard_normal(n)
    times = pd.Timestamp("2026-11-03T08:00:00Z") + pd.to_timedelta(np.cumsum(rr), unit="s")
    return pd.DataFrame({"rr_s": rr}, index=pd.DatetimeIndex(times, name="time"))


def test_analyse_dfa_compact_series_is_the_30_s_subsample() -> None:
    rr = synthetic_rr()
    result = analyse_dfa(rr)
    windows = alpha1_windows(rr)
    assert result is not None
    assert result.n_windows == len(windows)
    assert len(result.alpha1) == len(windows.iloc[::6])
    assert np.allclose(result.alpha1, windows["alpha1"].iloc[::6].round(3), equal_nan=True)
    assert np.allclose(np.diff(result.offset_s), 30.0, atol=1e-3)
    assert result.power_w is None and result.artefact_percent == 0.0
    assert result.n_clean_windows == len(windows)
    stored = pickle.dumps(result)
    assert len(stored) < 20_000  # 20 min of α1, cached with the summary
    assert np.allclose(pickle.loads(stored).alpha1, result.alpha1, equal_nan=True)


def test_analyse_dfa_short_or_empty_recording() -> None:
    assert analyse_dfa(synthetic_rr(minutes=1.0)) is None
    assert analyse_dfa(synthetic_rr().iloc[:0]) is None


def test_repeated_values_are_refused() -> None:
    rr = synthetic_rr()
    rr["rr_s"] = np.repeat(rr["rr_s"].to_numpy()[::2], 2)[: len(rr)]
    assert repeated_percent(rr["rr_s"].to_numpy()) > 45
    result = analyse_dfa(rr)
    assert result is not None and result.n_clean_windows == 0
    assert result.hrvt1 is None and "identical" in result.notes[0]


@pytest.mark.skipif(not CORPUS.exists(), reason="shared corpus not present")
def test_corpus_file_with_rr() -> None:
    """The Edge 530 ride with hrv messages: α1 over the session, artefacts counted, no crash."""
    path = CORPUS / "fitparsers__hrv-activity.fit"
    if not path.exists():
        pytest.skip("corpus file absent")
    import lactlog

    activity = lactlog.read(path)[0]
    result = analyse_dfa(activity.rr, activity.samples.get("power_w"))
    assert result is not None
    assert 0 < result.artefact_percent < 10
    assert 0 < result.n_clean_windows <= result.n_windows
    assert result.power_w is not None
    assert result.hrvt1 is None and result.notes


def _threshold(name: str, hr: float, quality: str) -> HrvThreshold:
    return HrvThreshold(name, 0.75 if name == "HRVT1" else 0.5, hr, None, 0.8, 100, quality)


def test_latest_prefers_ramp_then_newest() -> None:
    items = [
        SessionHrvThreshold(date(2026, 10, 1), "ramp-oct.fit", 0, "bike",
                            _threshold("HRVT1", 140, "ramp")),
        SessionHrvThreshold(date(2026, 11, 1), "ride-nov.fit", 0, "bike",
                            _threshold("HRVT1", 150, "weak")),
        SessionHrvThreshold(date(2026, 11, 2), "run.fit", 0, "run",
                            _threshold("HRVT1", 145, "weak")),
        SessionHrvThreshold(date(2026, 11, 3), "run2.fit", 0, "run",
                            _threshold("HRVT1", 147, "weak")),
        SessionHrvThreshold(date(2026, 11, 3), "run2.fit", 0, "run",
                            _threshold("HRVT2", 170, "weak")),
    ]
    picks = latest_hrv_thresholds(items)
    assert list(picks) == [("bike", "HRVT1"), ("run", "HRVT1"), ("run", "HRVT2")]
    assert picks[("bike", "HRVT1")].source == "ramp-oct.fit"  # a ramp beats a newer ordinary
    assert picks[("run", "HRVT1")].source == "run2.fit"  # newest among equals


def test_session_hrv_thresholds_from_summaries() -> None:
    from lactlog.analysis.options import AnalysisOptions
    from lactlog.analysis.session import summarize
    from lactlog.testing.beats import ramp_activity

    summary = summarize(ramp_activity(), AnalysisOptions())
    found = session_hrv_thresholds([summary])
    assert [f.threshold.name for f in found] == ["HRVT1", "HRVT2"]
    assert found[0].group == "bike" and found[0].day == date(2026, 11, 3)
    assert session_hrv_thresholds([summary], group="run") == []
