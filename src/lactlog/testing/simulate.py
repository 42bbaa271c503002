"""Simple, deterministic models of workout signals at 1 Hz, for sample data and tests.

These are plausible-looking stand-ins, not physiology research: heart rate follows its target with
first-order (exponential) kinetics, power and speed get correlated noise, cycling speed comes from a
steady-state power balance, positions run round a loop; plus small helpers to frame samples and
cut laps. Every random draw comes from the ``numpy.random.Generator`` passed in, so a fixed seed
gives identical output.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from itertools import pairwise

import numpy as np
import pandas as pd

from lactlog.testing.fitactivity import LapSpec

EARTH_M_PER_DEG_LAT = 111_320.0
"""Length of one degree of latitude [m] (spherical approximation)."""

G_MPS2 = 9.81
"""Gravitational acceleration [m/s²]."""


def piecewise(segments: Sequence[tuple[float, ...]]) -> np.ndarray:
    """Per-second values from ``(duration_s, value)`` steps and ``(duration_s, start, end)`` ramps."""
    parts: list[np.ndarray] = []
    for segment in segments:
        duration = int(segment[0])
        start, end = (segment[1], segment[1]) if len(segment) == 2 else segment[1:3]
        parts.append(np.linspace(start, end, duration, endpoint=False) if duration else np.empty(0))
    return np.concatenate(parts).astype(float)


def first_order(
    target: np.ndarray,
    tau_up_s: float,
    tau_down_s: float | None = None,
    initial: float | None = None,
) -> np.ndarray:
    """Exponential approach to ``target`` at 1 Hz.

    x[t] = x[t-1] + (target[t] - x[t-1]) · (1 - exp(-1 s / τ)), with τ = ``tau_up_s`` [s] while
    rising and ``tau_down_s`` [s] (default: the same) while falling.
    """
    k_up = 1.0 - math.exp(-1.0 / tau_up_s)
    k_down = 1.0 - math.exp(-1.0 / (tau_down_s or tau_up_s))
    out = np.empty(len(target))
    value = float(target[0] if initial is None else initial)
    for i, goal in enumerate(target):
        value += (goal - value) * (k_up if goal > value else k_down)
        out[i] = value
    return out


def ar1_noise(rng: np.random.Generator, n: int, sigma: float, correlation_s: float) -> np.ndarray:
    """Stationary AR(1) noise with standard deviation ``sigma`` and correlation time
    ``correlation_s`` [s] (lag-1 coefficient exp(-1/τ))."""
    phi = math.exp(-1.0 / correlation_s)
    shocks = rng.normal(0.0, sigma * math.sqrt(1.0 - phi * phi), n)
    out = np.empty(n)
    value = rng.normal(0.0, sigma)
    for i, shock in enumerate(shocks):
        value = phi * value + shock
        out[i] = value
    return out


def heart_rate(
    target_bpm: np.ndarray,
    rng: np.random.Generator,
    tau_up_s: float = 30.0,
    tau_down_s: float = 30.0,
    noise_bpm: float = 2.0,
    initial_bpm: float | None = None,
) -> np.ndarray:
    """Whole-bpm heart rate [bpm]: first-order kinetics towards ``target_bpm`` plus uniform
    noise of ±``noise_bpm`` smoothed over a few seconds (a chest strap's beat averaging)."""
    smooth = first_order(target_bpm, tau_up_s, tau_down_s, initial_bpm)
    noise = ar1_noise(rng, len(target_bpm), noise_bpm / 2.0, 3.0).clip(-noise_bpm, noise_bpm)
    return np.round(smooth + noise)


def cumulative_distance(speed_mps: np.ndarray) -> np.ndarray:
    """Distance at each second [m] from 1 Hz speed [m/s], starting at 0."""
    return np.concatenate(([0.0], np.cumsum(speed_mps[:-1])))


def loop_route(
    distance_m: np.ndarray,
    centre: tuple[float, float],
    circumference_m: float,
    wobble: float = 0.15,
) -> tuple[np.ndarray, np.ndarray]:
    """(lat, lon) [deg] of a point ``distance_m`` along a roughly circular loop round ``centre``
    (lat, lon [deg]); ``wobble`` makes the radius vary by that fraction round the loop."""
    angle = 2.0 * math.pi * distance_m / circumference_m
    radius = circumference_m / (2.0 * math.pi) * (1.0 + wobble * np.sin(3.0 * angle))
    lat = centre[0] + radius * np.sin(angle) / EARTH_M_PER_DEG_LAT
    lon = centre[1] + radius * np.cos(angle) / (
        EARTH_M_PER_DEG_LAT * math.cos(math.radians(centre[0]))
    )
    return lat, lon


def rolling_terrain(
    distance_m: np.ndarray, base_m: float, amplitude_m: float, wavelength_m: float
) -> np.ndarray:
    """Altitude [m] of gently rolling terrain: two superposed sines along the distance."""
    phase = 2.0 * math.pi * distance_m / wavelength_m
    return base_m + amplitude_m * (np.sin(phase) + 0.4 * np.sin(2.7 * phase + 1.0))


def cycling_speed(
    power_w: float,
    grade: float = 0.0,
    mass_kg: float = 82.0,
    cda_m2: float = 0.30,
    crr: float = 0.004,
    rho_kgpm3: float = 1.2,
) -> float:
    """Steady-state road speed [m/s] for ``power_w`` [W] on slope ``grade`` (rise/run).

    Solves P = v·m·g·(Crr·cos θ + sin θ) + ½·ρ·CdA·v³ for v ≥ 0 by bisection (no wind,
    no drivetrain loss).
    """
    theta = math.atan(grade)
    resist = mass_kg * G_MPS2 * (crr * math.cos(theta) + math.sin(theta))
    drag = 0.5 * rho_kgpm3 * cda_m2
    low, high = 0.0, 30.0
    for _ in range(50):
        mid = 0.5 * (low + high)
        if mid * resist + drag * mid**3 < power_w:
            low = mid
        else:
            high = mid
    return 0.5 * (low + high)


def normalized_power(power_w: np.ndarray) -> float:
    """Coggan normalized power [W]: 30-s rolling mean of 1 Hz power, raised to the 4th power,
    averaged, 4th root (Allen & Coggan, *Training and Racing with a Power Meter*)."""
    power = np.asarray(power_w, dtype=float)
    rolling = np.convolve(power, np.ones(30) / 30.0, mode="valid")
    return float(np.mean(rolling**4) ** 0.25)


def intensity_and_tss(
    duration_s: float, normalized_power_w: float, ftp_w: float
) -> tuple[float, float]:
    """(intensity factor, training stress score): IF = NP / FTP;
    TSS = duration_s × NP × IF / (FTP × 3600) × 100 (Coggan)."""
    intensity = normalized_power_w / ftp_w
    return intensity, duration_s * normalized_power_w * intensity / (ftp_w * 3600.0) * 100.0


def samples_frame(start: datetime, **columns: np.ndarray) -> pd.DataFrame:
    """1 Hz samples from ``start`` (UTC)."""
    n = len(next(iter(columns.values())))
    index = pd.date_range(start, periods=n, freq="1s", tz="UTC", name="time")
    return pd.DataFrame(columns, index=index)


def consecutive_laps(start: datetime, segments: Sequence[tuple[float, str]]) -> list[LapSpec]:
    """Consecutive laps from (duration_s, intensity) pairs."""
    laps, t = [], start
    for duration, intensity in segments:
        laps.append(LapSpec(t, t + timedelta(seconds=duration), intensity))
        t += timedelta(seconds=duration)
    return laps


def distance_laps(samples: pd.DataFrame, every_m: float) -> list[LapSpec]:
    """Laps triggered each ``every_m`` metres of distance (a device's auto-lap)."""
    distance = samples["distance_m"]
    marks = [samples.index[0]]
    for k in range(1, int(distance.max() // every_m) + 1):
        marks.append(distance.index[distance.to_numpy() >= k * every_m][0])
    marks.append(samples.index[-1] + pd.Timedelta(seconds=1))
    return [
        LapSpec(a.to_pydatetime(), b.to_pydatetime(), "active", "distance")
        for a, b in pairwise(marks)
    ]
