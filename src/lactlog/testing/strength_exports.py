"""Lifting-app exports (Strong, Hevy) of any size, for tests and benchmarks.

Deterministic for a given ``seed``. The rows look like the apps' own exports (Strong's
``Date,Workout Name,Duration,…`` header with ``W``/``F`` set orders, ``Rest Timer`` rows and
blank cells; Hevy's ``title,start_time,…`` header with set types), so the readers take the same
paths as on real files.

:func:`strong_export` with its defaults has the shape of the slow export of issue 14 class 12:
3,605 workouts in 6,625 rows (≈ 1.8 sets per workout, ≈ 0.57 MB).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

STRONG_HEADER = ("Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,"
                 "Seconds,Notes,Workout Notes,RPE")
HEVY_HEADER = ("title,start_time,end_time,description,exercise_title,superset_id,exercise_notes,"
               "set_index,set_type,weight_kg,reps,distance_km,duration_seconds,rpe")
EXERCISES = ("Bench Press (Barbell)", "Squat (Barbell)", "Deadlift (Barbell)", "Pull Up",
             "Seated Row (Cable)", "Lateral Raise (Dumbbell)", "Leg Press", "Plank",
             "Bicep Curl (Dumbbell)", "Rowing (Machine)")
WORKOUT_NAMES = ("Push", "Pull", "Legs", "Afternoon Workout", "Full body")
_FIRST = datetime(2020, 1, 6, 6, 30)


def _sets_per_workout(rng: np.random.Generator, n_workouts: int, n_rows: int) -> np.ndarray:
    """How many rows each workout gets: at least one, ``n_rows`` in all, spread at random."""
    if n_rows < n_workouts:
        raise ValueError("need at least one row per workout")
    counts = np.ones(n_workouts, dtype=int)
    np.add.at(counts, rng.integers(0, n_workouts, n_rows - n_workouts), 1)
    return counts


def strong_export(n_workouts: int = 3605, n_rows: int = 6625, seed: int = 12) -> str:
    """A Strong CSV export: ``n_workouts`` workouts, ``n_rows`` set rows in all.

    Workouts start 9–15 h apart from 2020-01-06 06:30 (local wall time, as Strong writes it);
    about 1 row in 8 is a warm-up (``W``), 1 in 20 a failure set (``F``), 1 in 10 a
    ``Rest Timer`` row, 1 in 3 has an RPE, 1 in 25 a note mentioning BFR.
    """
    rng = np.random.default_rng(seed)
    lines = [STRONG_HEADER]
    start = _FIRST
    for count in _sets_per_workout(rng, n_workouts, n_rows):
        start += timedelta(hours=int(rng.integers(9, 16)), minutes=int(rng.integers(0, 60)))
        name = WORKOUT_NAMES[int(rng.integers(len(WORKOUT_NAMES)))]
        duration = f"{int(rng.integers(0, 2))}h {int(rng.integers(1, 60))}m".removeprefix("0h ")
        exercise = EXERCISES[int(rng.integers(len(EXERCISES)))]
        number = 0
        for _ in range(count):
            if rng.random() < 0.3:
                exercise = EXERCISES[int(rng.integers(len(EXERCISES)))]
                number = 0
            draw = rng.random()
            if draw < 0.1 and number:
                lines.append(f'{start:%Y-%m-%d %H:%M:%S},"{name}",{duration},"{exercise}",'
                             f"Rest Timer,0,0,0,{int(rng.integers(30, 240))},,,")
                continue
            if draw < 0.225:
                order = "W"
            elif draw < 0.275:
                order = "F"
            else:
                number += 1
                order = str(number)
            weight = float(rng.integers(0, 80)) * 2.5
            reps = int(rng.integers(1, 21))
            seconds = int(rng.integers(30, 900)) if exercise in ("Plank", "Rowing (Machine)") else 0
            note = '"bfr cuffs"' if rng.random() < 0.04 else '""'
            rpe = f"{rng.integers(12, 21) / 2:g}" if rng.random() < 1 / 3 else ""
            lines.append(f'{start:%Y-%m-%d %H:%M:%S},"{name}",{duration},"{exercise}",{order},'
                         f"{weight:g},{reps},0,{seconds},{note},,{rpe}")
    return "\n".join(lines) + "\n"


def hevy_export(n_workouts: int = 1000, n_rows: int = 6000, seed: int = 12) -> str:
    """A Hevy CSV export (kg, km): ``n_workouts`` workouts, ``n_rows`` set rows in all."""
    rng = np.random.default_rng(seed)
    lines = [HEVY_HEADER]
    start = _FIRST
    types = ("warmup", "normal", "normal", "normal", "failure", "dropset")
    for count in _sets_per_workout(rng, n_workouts, n_rows):
        start += timedelta(hours=int(rng.integers(9, 40)), minutes=int(rng.integers(0, 60)))
        end = start + timedelta(minutes=int(rng.integers(20, 100)))
        times = f'"{start:%d %b %Y, %H:%M}","{end:%d %b %Y, %H:%M}"'
        name = WORKOUT_NAMES[int(rng.integers(len(WORKOUT_NAMES)))]
        exercise, index = EXERCISES[int(rng.integers(len(EXERCISES)))], 0
        for _ in range(count):
            if rng.random() < 0.3:
                exercise, index = EXERCISES[int(rng.integers(len(EXERCISES)))], 0
            set_type = types[int(rng.integers(len(types)))]
            rpe = f"{rng.integers(12, 21) / 2:g}" if rng.random() < 0.5 else ""
            lines.append(f'"{name}",{times},"","{exercise}",,"",{index},{set_type},'
                         f"{float(rng.integers(0, 80)) * 2.5:g},{int(rng.integers(1, 21))},,,"
                         f"{rpe}")
            index += 1
    return "\n".join(lines) + "\n"
