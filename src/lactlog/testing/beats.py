"""Synthetic beat-to-beat (RR) recordings with a known α1 course, for tests and examples.

Short-term correlations are set by blending two noises: 1/f noise (DFA-α1 ≈ 1.0, spectral
synthesis with amplitude ∝ f^(−1/2) and random phases) and anti-persistent noise
eₜ − 0.9·eₜ₋₁ of white noise e (α1 ≈ 0.2). The blend weight falls along the recording, so α1
falls from about 1.0 to about 0.25 as heart rate rises — the shape of an incremental test.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd

from lactlog.model import Activity, ActivityMeta


def pink_noise(n: int, rng: np.random.Generator) -> np.ndarray:
    """1/f noise of ``n`` points, unit standard deviation."""
    freqs = np.fft.rfftfreq(n)
    amplitude = np.r_[0.0, freqs[1:] ** -0.5]
    x = np.fft.irfft(amplitude * np.exp(2j * np.pi * rng.uniform(size=len(freqs))), n)
    return x / x.std()


def ramp_rr(
    n_beats: int = 5600, hr_from_bpm: float = 100.0, hr_to_bpm: float = 180.0,
    variability: float = 0.02, seed: int = 0,
    start: datetime = datetime(2026, 11, 3, 8, 0, tzinfo=UTC),
) -> pd.DataFrame:
    """An :attr:`Activity.rr` frame of a ramp: heart rate rising linearly over the beats,
    RR = 60 / HR × (1 + ``variability`` × blend) [s] (module docstring for the blend)."""
    rng = np.random.default_rng(seed)
    hr = np.linspace(hr_from_bpm, hr_to_bpm, n_beats)
    e = rng.standard_normal(n_beats + 1)
    anti = e[1:] - 0.9 * e[:-1]
    weight = np.linspace(1.0, 0.15, n_beats)
    blend = weight * pink_noise(n_beats, rng) + (1 - weight) * anti / anti.std()
    rr = 60.0 / hr * (1 + variability * blend)
    times = pd.Timestamp(start) + pd.to_timedelta(np.cumsum(rr), unit="s")
    return pd.DataFrame({"rr_s": rr}, index=pd.DatetimeIndex(times, name="time"))


def ramp_activity(seed: int = 0, with_rr: bool = True, sport: str = "cycling") -> Activity:
    """A ~40-min ramp (:func:`ramp_rr`) as an Activity: 1-Hz heart rate from the beats and
    power = 2·HR − 100 W."""
    rr = ramp_rr(seed=seed)
    start = rr.index[0] - pd.Timedelta(seconds=float(rr["rr_s"].iloc[0]))
    seconds = pd.date_range(start, rr.index[-1].floor("s"), freq="1s", name="time")
    beat_s = (rr.index - start).total_seconds().to_numpy()
    hr = np.interp((seconds - start).total_seconds().to_numpy(), beat_s,
                   60.0 / rr["rr_s"].to_numpy())
    samples = pd.DataFrame({"heart_rate_bpm": np.round(hr), "power_w": np.round(2 * hr - 100)},
                           index=seconds)
    meta = ActivityMeta(source="ramp.fit", sha256="0" * 64, format="fit", sport=sport,
                        start=start.to_pydatetime(warn=False), utc_offset_s=0)
    activity = Activity(meta=meta, samples=samples)
    if with_rr:
        activity.rr = rr
    return activity
