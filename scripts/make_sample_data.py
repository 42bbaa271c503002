#!/usr/bin/env python
"""Generate lactlog's sample training week, 2026-11-16 … 2026-11-22 (deterministic).

Usage: ``python scripts/make_sample_data.py [OUTDIR]`` (default: ``sample_data/`` at the repo
root). Every file comes from a fixed numpy seed and fixed dates, so a rerun is byte-identical.

The athlete lives in Europe/Berlin (UTC+1 in November); FIT files carry that offset in the
activity's ``local_timestamp``; the Strong CSV holds local times.

The file is longer than the ~400-line guide because most of it is the week itself (workout plans
and their parameters), kept together so the week reads top to bottom; the reusable machinery is
in :mod:`lactlog.testing`.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from lactlog.model import SET_COLUMNS, TimeInZone
from lactlog.testing.fitactivity import (
    AthleteSettings,
    DeviceSpec,
    fit_resolution,
    time_in_zones,
    write_activity,
)
from lactlog.testing.simulate import (
    ar1_noise,
    consecutive_laps,
    cumulative_distance,
    cycling_speed,
    distance_laps,
    first_order,
    heart_rate,
    intensity_and_tss,
    loop_route,
    normalized_power,
    piecewise,
    rolling_terrain,
    samples_frame,
)
from lactlog.testing.tcxwriter import write_tcx

LTHR_BPM = 172
FTP_W = 260
MAX_HR_BPM = 192
REST_HR_BPM = 48
BODY_MASS_KG = 72.0
UTC_OFFSET_S = 3600  # Europe/Berlin, CET (no daylight saving time in November)
LOCAL = timezone(timedelta(seconds=UTC_OFFSET_S))

ATHLETE = AthleteSettings(LTHR_BPM, FTP_W, MAX_HR_BPM, REST_HR_BPM, BODY_MASS_KG)
FR965 = DeviceSpec("garmin", "fr965", serial_number=3_400_000_001, software_version=20.26)
EDGE840 = DeviceSpec("garmin", "edge_840", serial_number=3_500_000_002, software_version=26.10)

HR_ZONE_HIGH_BPM = tuple(math.ceil(f * LTHR_BPM) - 1 for f in (0.85, 0.90, 0.95, 1.00, 1.03, 1.07))
"""Friel's %LTHR run zones 1, 2, 3, 4, 5a, 5b (zone 5c above): HR < 85, 90, 95, 100, 103, 107 %."""
POWER_ZONE_HIGH_W = tuple(math.floor(f * FTP_W) for f in (0.55, 0.75, 0.90, 1.05, 1.20, 1.50))
"""Coggan's power zones 1–6 (zone 7 above): ≤ 55, 75, 90, 105, 120, 150 % FTP."""


def local(day: int, hour: int, minute: int) -> datetime:
    """A November 2026 Berlin wall-clock time as an aware UTC datetime."""
    return datetime(2026, 11, day, hour, minute, tzinfo=LOCAL).astimezone(UTC)


def hr_zones(hr: pd.Series, **settings: float) -> TimeInZone:
    """The session's time_in_zone message for the Friel zones."""
    return TimeInZone(
        "session",
        0,
        HR_ZONE_HIGH_BPM,
        time_in_zones(hr, HR_ZONE_HIGH_BPM),
        threshold_heart_rate_bpm=LTHR_BPM,
        max_heart_rate_bpm=MAX_HR_BPM,
        resting_heart_rate_bpm=REST_HR_BPM,
        **settings,
    )


def running_track(
    rng: np.random.Generator,
    start: datetime,
    speed_target: np.ndarray,
    hr_target: np.ndarray,
    centre: tuple[float, float],
    circumference_m: float,
) -> pd.DataFrame:
    """Outdoor run at 1 Hz: speed, HR, cadence, distance, altitude, GPS (FIT resolution)."""
    n = len(speed_target)
    moving = speed_target > 0
    speed = np.where(moving, first_order(speed_target, 4.0) + ar1_noise(rng, n, 0.07, 5.0), 0.0)
    distance = cumulative_distance(speed)
    lat, lon = loop_route(distance, centre, circumference_m)
    jitter = ar1_noise(rng, 2 * n, 1.5, 20.0) / 111_320.0
    cadence = np.where(moving, np.round(73.0 + 3.6 * speed + rng.normal(0, 0.8, n)), 0.0)
    return fit_resolution(
        samples_frame(
            start,
            heart_rate_bpm=heart_rate(hr_target, rng, initial_bpm=95.0),
            speed_mps=speed,
            cadence_rpm=cadence,
            distance_m=distance,
            altitude_m=rolling_terrain(distance, 36.0, 2.0, 900.0) + ar1_noise(rng, n, 0.3, 30.0),
            lat_deg=lat + jitter[:n],
            lon_deg=lon + jitter[n:] * 1.6,
        )
    )


def hiit_run(rng: np.random.Generator) -> tuple[bytes, dict]:
    """6 × 3 min at LTHR + 8 bpm, 2 min jogs, with a 40 s traffic-light pause in the warm-up."""
    start = local(16, 7, 0)
    steps = [(480, 2.85, 128, 140), (40, 0.0, 112, 112), (420, 2.95, 142, 142)]
    for i in range(6):
        steps.append((180, 4.50 + 0.02 * i, LTHR_BPM + 8 + 0.8 * i, LTHR_BPM + 8 + 0.8 * i))
        if i < 5:
            steps.append((120, 2.55, 146, 146))
    steps.append((420, 2.65, 140, 128))
    speed_target = piecewise([(d, v) for d, v, _, _ in steps])
    hr_target = piecewise([(d, a, b) for d, _, a, b in steps])
    samples = running_track(rng, start, speed_target, hr_target, (52.5145, 13.3500), 2600.0)
    pause = (start + timedelta(seconds=480), start + timedelta(seconds=520))
    kept = samples[(samples.index < pause[0]) | (samples.index >= pause[1])]
    laps = consecutive_laps(
        start,
        [(940, "warmup")]
        + [(d, "active" if v > 4 else "recovery") for d, v, _, _ in steps[3:-1]]
        + [(420, "cooldown")],
    )
    data = write_activity(
        samples,
        sport="running",
        sub_sport="street",
        device=FR965,
        pauses=[pause],
        laps=laps,
        session={
            "total_training_effect": 3.9,
            "total_anaerobic_training_effect": 3.4,
            "total_calories": round(0.95 * BODY_MASS_KG * kept["distance_m"].max() / 1000),
        },
        time_in_zone=hr_zones(kept["heart_rate_bpm"]),
        athlete=ATHLETE,
        utc_offset_s=UTC_OFFSET_S,
    )
    return data, {
        "records": len(kept),
        "laps": len(laps),
        "pauses": 1,
        "max_hr_bpm": int(kept["heart_rate_bpm"].max()),
    }


def power_session(
    rng: np.random.Generator, power_target: np.ndarray, hr_offset_bpm: float, drift_bpm_per_s: float
) -> tuple[np.ndarray, np.ndarray]:
    """(power [W], HR [bpm]) of a steady trainer session: noisy power, HR lagging power."""
    n = len(power_target)
    power = power_target + ar1_noise(rng, n, 10.0, 6.0) + rng.normal(0, 7.0, n)
    power = np.round(np.clip(power, 0, None))
    hard = np.cumsum(power_target > 0.85 * FTP_W)  # seconds spent near threshold so far
    hr_target = hr_offset_bpm + 0.38 * first_order(power_target, 20.0) + drift_bpm_per_s * hard
    return power, heart_rate(hr_target, rng, tau_up_s=40.0, tau_down_s=35.0, initial_bpm=88.0)


def threshold_ride(rng: np.random.Generator) -> tuple[bytes, dict]:
    """Indoor 2 × 20 min at 97–98 % FTP with 5 min recovery, 75 min in all."""
    start = local(18, 18, 30)
    segments = [
        (900, 140, 200),
        (1200, 253, 253),
        (300, 130, 130),
        (1200, 256, 256),
        (900, 160, 110),
    ]
    power, hr = power_session(rng, piecewise(segments), 62.0, 0.004)
    for second in (2560, 2561, 2562, 4100, 4101):  # standing up to drink: no pedalling
        power[second] = 0.0
    cadence = np.where(
        power > 0,
        np.round(
            piecewise([(900, 86), (1200, 92), (300, 84), (1200, 93), (900, 84)])
            + rng.normal(0, 1.2, len(power))
        ),
        0.0,
    )
    speed = np.array([cycling_speed(p) for p in first_order(power, 8.0)])
    samples = fit_resolution(
        samples_frame(
            start,
            heart_rate_bpm=hr,
            power_w=power,
            cadence_rpm=cadence,
            speed_mps=speed,
            distance_m=cumulative_distance(speed),
        )
    )
    session, facts = power_summary(samples, aerobic_te=4.1, anaerobic_te=1.6)
    laps = consecutive_laps(
        start,
        [(900, "warmup"), (1200, "active"), (300, "recovery"), (1200, "active"), (900, "cooldown")],
    )
    zones = hr_zones(
        samples["heart_rate_bpm"],
        power_zone_high_w=POWER_ZONE_HIGH_W,
        time_in_power_zone_s=time_in_zones(samples["power_w"], POWER_ZONE_HIGH_W),
        functional_threshold_power_w=FTP_W,
    )
    data = write_activity(
        samples,
        sport="cycling",
        sub_sport="indoor_cycling",
        device=EDGE840,
        laps=laps,
        session=session,
        time_in_zone=zones,
        athlete=ATHLETE,
        utc_offset_s=UTC_OFFSET_S,
    )
    return data, {"records": len(samples), "laps": len(laps), **facts}


def easy_ride(rng: np.random.Generator) -> tuple[bytes, dict]:
    """Outdoor Z2 ride, 60 min, rolling terrain, coasting on descents; gzip-compressed FIT."""
    start, n = local(19, 12, 0), 3600
    power, speed, distance = terrain_ride(rng, n, 165.0)
    hr = heart_rate(
        70 + 0.36 * first_order(power, 25.0) + 0.002 * np.arange(n),
        rng,
        tau_up_s=35.0,
        tau_down_s=40.0,
        initial_bpm=85.0,
    )
    cadence = np.where(power > 0, np.round(86 + rng.normal(0, 2.0, n)), 0.0)
    lat, lon = loop_route(distance, (52.4700, 13.2300), 29_000.0, wobble=0.08)
    samples = fit_resolution(
        samples_frame(
            start,
            heart_rate_bpm=hr,
            power_w=power,
            cadence_rpm=cadence,
            speed_mps=speed,
            distance_m=distance,
            altitude_m=rolling_terrain(distance, 55, 8, 4000),
            lat_deg=lat,
            lon_deg=lon,
        )
    )
    laps = distance_laps(samples, 5000.0)
    session, facts = power_summary(samples, aerobic_te=2.4, anaerobic_te=0.0)
    data = write_activity(
        samples,
        sport="cycling",
        sub_sport="road",
        device=EDGE840,
        laps=laps,
        session=session,
        athlete=ATHLETE,
        utc_offset_s=UTC_OFFSET_S,
    )
    compressed = gzip.compress(data, compresslevel=9, mtime=0)
    return compressed, {"records": n, "laps": len(laps), **facts}


def terrain_ride(
    rng: np.random.Generator, n: int, base_power_w: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(power [W], speed [m/s], distance [m]) of n seconds on rolling terrain: more power
    uphill, coasting on descents steeper than 1.8 %, speed settling with τ = 10 s."""
    noise = ar1_noise(rng, n, 14.0, 8.0) + rng.normal(0, 6.0, n)
    power, speed, distance = np.zeros(n), np.zeros(n), np.zeros(n)
    d, v = 0.0, 0.0
    for t in range(n):
        ahead, behind = rolling_terrain(np.array([d + 5.0, d - 5.0]), 55, 8, 4000)
        grade = (ahead - behind) / 10.0
        ramp = min(1.0, t / 300.0)  # rolling out of town
        target = ramp * (base_power_w + 900 * grade) + noise[t]
        power[t] = 0.0 if grade < -0.018 else max(0.0, target)
        v += (cycling_speed(power[t], grade) - v) * (1 - math.exp(-1 / 10.0))
        distance[t], speed[t] = d, v
        d += v
    return np.round(power), speed, distance


def power_summary(
    samples: pd.DataFrame, aerobic_te: float, anaerobic_te: float
) -> tuple[dict, dict]:
    """Session fields a power-meter head unit computes (NP, IF, TSS from the records, FTP 260 W)
    plus the given training effects; and the rounded facts printed by :func:`main`."""
    np_w = normalized_power(samples["power_w"].to_numpy())
    intensity, tss = intensity_and_tss(len(samples), np_w, FTP_W)
    session = {
        "threshold_power": FTP_W,
        "normalized_power": np_w,
        "training_stress_score": tss,
        "intensity_factor": intensity,
        "total_training_effect": aerobic_te,
        "total_anaerobic_training_effect": anaerobic_te,
    }
    facts = {"np_w": round(np_w, 1), "if": round(intensity, 3), "tss": round(tss, 1)}
    return session, facts


@dataclass(frozen=True)
class Exercise:
    """One strength exercise: FIT category/name, Strong name, sets as (reps, kg), HR target."""

    category: str
    fit_name: str
    strong_name: str
    sets: tuple[tuple[int, float], ...]
    rep_s: float
    hr_bpm: float
    to_failure: bool


STRENGTH_PLAN = (
    Exercise(
        "squat",
        "barbell_back_squat",
        "Squat (Barbell)",
        ((8, 60.0), (8, 80.0), (8, 80.0), (7, 80.0)),
        3.0,
        146,
        True,
    ),
    Exercise(
        "bench_press",
        "barbell_bench_press",
        "Bench Press (Barbell)",
        ((8, 50.0), (8, 62.5), (8, 62.5), (6, 62.5)),
        2.6,
        126,
        True,
    ),
    Exercise(
        "row",
        "bent_over_row_with_barbell",
        "Bent Over Row (Barbell)",
        ((10, 50.0), (10, 50.0), (10, 50.0), (10, 50.0)),
        2.4,
        132,
        False,
    ),
    Exercise(
        "deadlift",
        "romanian_deadlift",
        "Romanian Deadlift (Barbell)",
        ((10, 70.0), (10, 70.0), (10, 70.0), (8, 70.0)),
        3.2,
        140,
        True,
    ),
)
"""The 2026-11-20 gym session, in both the FIT file and the Strong CSV."""


def strength_sets(rng: np.random.Generator, start: datetime) -> pd.DataFrame:
    """Active and rest ``set`` rows (SET_COLUMNS) and an HR target column ``hr_target``."""
    rows, t = [], start

    def add(kind: str, seconds: float, reps=None, kg=None, ex=None, hr=100.0) -> None:
        nonlocal t
        rows.append((t, float(seconds), kind, reps, kg, ex and ex.category, ex and ex.fit_name, hr))
        t += timedelta(seconds=seconds)

    add("rest", 240, hr=98)
    for e_index, ex in enumerate(STRENGTH_PLAN):
        for s_index, (reps, kg) in enumerate(ex.sets):
            last = s_index == len(ex.sets) - 1
            failing = ex.to_failure and last
            seconds = round(reps * (ex.rep_s + (0.9 if failing else 0.0)) + 6)
            add("active", seconds, reps, kg, ex, ex.hr_bpm + 3 * s_index + (14 if failing else 0))
            if not last:
                add("rest", 45 if ex.category == "row" else int(rng.integers(60, 121)))
        if e_index < len(STRENGTH_PLAN) - 1:
            add("rest", int(rng.integers(240, 300)))
    add("rest", 180, hr=92)
    return pd.DataFrame(rows, columns=[*SET_COLUMNS, "hr_target"]).astype(
        {"repetitions": float, "weight_kg": float}
    )


def strength(rng: np.random.Generator) -> tuple[bytes, dict]:
    """Gym session: 16 working sets of squat, bench, row, RDL, with rests; HR only."""
    start = local(20, 18, 5)
    sets = strength_sets(rng, start)
    hr_target = piecewise([(r.duration_s, r.hr_target) for r in sets.itertuples()])
    hr = heart_rate(hr_target, rng, tau_up_s=15.0, tau_down_s=45.0, initial_bpm=92.0)
    samples = fit_resolution(samples_frame(start, heart_rate_bpm=hr))
    data = write_activity(
        samples,
        sport="training",
        sub_sport="strength_training",
        device=FR965,
        sets=sets[list(SET_COLUMNS)],
        session={"total_training_effect": 2.2, "total_anaerobic_training_effect": 1.8},
        time_in_zone=hr_zones(samples["heart_rate_bpm"]),
        athlete=ATHLETE,
        utc_offset_s=UTC_OFFSET_S,
    )
    active = sets[sets["set_type"] == "active"]
    return data, {
        "records": len(samples),
        "active_sets": len(active),
        "rest_sets": len(sets) - len(active),
    }


STRONG_HEADER = [
    "Date",
    "Workout Name",
    "Duration",
    "Exercise Name",
    "Set Order",
    "Weight",
    "Reps",
    "Distance",
    "Seconds",
    "Notes",
    "Workout Notes",
    "RPE",
]
LEG_DAY = (  # (exercise, set order, kg, reps, RPE)
    [("Squat (Barbell)", "W", 40.0, 10, "")]
    + [("Squat (Barbell)", str(i), 90.0, 5, rpe) for i, rpe in ((1, "7"), (2, "8"), (3, "8.5"))]
    + [
        ("Bulgarian Split Squat (Dumbbell)", str(i), 16.0, 10, rpe)
        for i, rpe in ((1, "7.5"), (2, "8"), (3, "8.5"))
    ]
    + [
        ("Leg Curl (Machine)", "1", 35.0, 12, "8"),
        ("Leg Curl (Machine)", "2", 35.0, 12, "9"),
        ("Leg Curl (Machine)", "F", 35.0, 9, "10"),
    ]
    + [("Standing Calf Raise (Machine)", str(i), 60.0, 15, "8") for i in (1, 2, 3)]
)


def strong_csv() -> bytes:
    """Strong-app export: the 2026-11-20 session of the FIT file and a 2026-11-22 leg day."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(STRONG_HEADER)
    for ex in STRENGTH_PLAN:
        for order, (reps, kg) in enumerate(ex.sets, start=1):
            writer.writerow(
                [
                    "2026-11-20 18:05:00",
                    "Evening Workout",
                    "44m",
                    ex.strong_name,
                    order,
                    f"{kg:.1f}",
                    reps,
                    0,
                    0,
                    "",
                    "",
                    "",
                ]
            )
    for name, order, kg, reps, rpe in LEG_DAY:
        writer.writerow(
            [
                "2026-11-22 17:00:00",
                "Leg Day",
                "52m",
                name,
                order,
                f"{kg:.1f}",
                reps,
                0,
                0,
                "Last set to failure" if order == "F" else "",
                "Legs heavy from the tempo run",
                rpe,
            ]
        )
    return out.getvalue().encode("utf-8")


def tempo_run(rng: np.random.Generator) -> tuple[bytes, dict]:
    """40 min: 10 min easy, 20 min at ~LTHR, 10 min easy; TCX with smart recording."""
    start = local(22, 9, 30)
    steps = [(600, 2.9, 125, 142), (1200, 3.95, 166, 174), (600, 2.7, 145, 132)]
    samples = running_track(
        rng,
        start,
        piecewise([(d, v) for d, v, _, _ in steps]),
        piecewise([(d, a, b) for d, _, a, b in steps]),
        (52.4730, 13.4010),
        6000.0,
    )
    gaps = rng.integers(2, 7, len(samples))  # "smart recording": a point every 2–6 s
    picks = np.unique(np.concatenate(([0], np.cumsum(gaps)), axis=None))
    track = samples.iloc[picks[picks < len(samples)]]
    laps = consecutive_laps(start, [(600, "active"), (1200, "active"), (600, "active")])
    text = write_tcx(track, laps, sport="Running", weight_kg=BODY_MASS_KG)
    return text.encode("utf-8"), {"trackpoints": len(track), "laps": len(laps)}


GENERATORS = {  # file name → (generator, seed)
    "2026-11-16-hiit-run.fit": (hiit_run, 1116),
    "2026-11-18-threshold-ride.fit": (threshold_ride, 1118),
    "2026-11-19-easy-ride.fit.gz": (easy_ride, 1119),
    "2026-11-20-strength.fit": (strength, 1120),
    "2026-11-22-tempo-run.tcx": (tempo_run, 1122),
}


def main(argv: list[str]) -> int:
    """Write the sample week into ``argv[1]`` (default ``sample_data/``) and print a summary."""
    out = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parents[1] / "sample_data"
    out.mkdir(parents=True, exist_ok=True)
    for name, (generate, seed) in GENERATORS.items():
        data, facts = generate(np.random.default_rng(seed))
        (out / name).write_bytes(data)
        print(f"{name:34s} {len(data) / 1024:7.1f} KiB  {facts}")
    (out / "2026-11-21-strong.csv").write_bytes(strong_csv())
    print(f"{'2026-11-21-strong.csv':34s} {len(strong_csv()) / 1024:7.1f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
