"""Step means of a blood-lactate step test from the test's own recording
(``lactlog lactate-test --fit``): each exercise step's mean power or speed and heart rate, from
the laps or from fixed step lengths, paired with the lactates the athlete typed
(:mod:`lactlog.io.lactate_steps` reads the sheet)."""

from __future__ import annotations

import math
from typing import Any

from lactlog.analysis.clean import DEFAULT_RULES, CleaningRules, clean_samples
from lactlog.errors import InputError
from lactlog.steptest import LactateSheet, LactateStep, StepTest, check_step_test


def step_test_from_recording(
    sheet: LactateSheet,
    activity,
    first_lap: int | None = None,
    step_s: float | None = None,
    start_s: float = 0.0,
    profile_timezone: str | None = None,
    cleaning: CleaningRules = DEFAULT_RULES,
) -> StepTest:
    """The sheet's lactates with each step's mean intensity and heart rate from the recording.

    Windows: with ``step_s``, exercise step k (1, 2, ...) covers ``start_s + (k−1)·step_s`` to
    ``start_s + k·step_s`` seconds after the recording's first sample; else laps: step k is lap
    ``first_lap + k − 1`` (1-based; ``first_lap`` may be left out only when the recording has
    exactly one lap per exercise step). Intensity: mean speed [m/s] for running sports, else
    mean power [W] (falling back to the other channel when one is absent); heart rate: mean
    [bpm]. The means are of the cleaned 1-Hz samples (:func:`~lactlog.analysis.clean.clean`
    with ``cleaning``, as every other analysis uses them): heart-rate placeholders, power
    glitches and paused seconds (the stop for a blood sample) are left out. A step-0 row of the sheet is the resting baseline (intensity 0, its typed HR). The
    test date, unless the sheet has one, is the recording's local start date (profile time zone,
    else the file's offset: :mod:`lactlog.localtime`).

    Raises
    ------
    InputError
        Too few laps or samples for the steps, no power or speed in a step.
    """
    from lactlog.profile import sport_group

    if activity.samples.empty:
        raise InputError("the recording has no samples")
    samples = clean_samples(activity.samples, activity.pauses, cleaning)
    baseline = [r for r in sheet.rows if r.step == 0]
    exercise = [r for r in sheet.rows if r.step != 0]
    windows = _windows(activity, len(exercise), first_lap, step_s, start_s)
    group = sport_group(activity.meta.sport)
    order = ("speed_mps", "power_w") if group == "run" else ("power_w", "speed_mps")
    field = next((name for name in order if name in samples
                  and samples[name].notna().any()), None)
    if field is None:
        raise InputError("the recording has neither power nor speed")
    steps = [LactateStep(r.step, 0.0, 0.0, r.lactate_mmol, r.heart_rate_bpm) for r in baseline]
    for row, (start, end) in zip(exercise, windows, strict=True):
        window = samples[(samples.index >= start) & (samples.index < end)]
        intensity = window[field].mean() if not window.empty else float("nan")
        if not math.isfinite(intensity):
            raise InputError(f"step {row.step}: no {field} samples between {start:%H:%M:%S} and "
                             f"{end:%H:%M:%S} UTC")
        heart_rate = (window["heart_rate_bpm"].mean() if "heart_rate_bpm" in window else None)
        if heart_rate is None or not math.isfinite(heart_rate):
            heart_rate = row.heart_rate_bpm
        steps.append(LactateStep(row.step, (end - start).total_seconds(), float(intensity),
                                 row.lactate_mmol, heart_rate))
    test_date = sheet.test_date
    if test_date is None and activity.meta.start is not None:
        from lactlog.localtime import local_date

        meta = activity.meta
        test_date = local_date(meta.start, profile_timezone, meta.utc_offset_s,
                               wall_clock=meta.wall_clock)
    recorded_group = group if group in ("run", "bike") else None  # "other": from the intensity
    test = StepTest(tuple(steps), field, sheet.source, test_date, sheet.sport or recorded_group)
    check_step_test(test)
    return test


def _windows(activity, n_steps: int, first_lap: int | None, step_s: float | None,
             start_s: float) -> list[tuple[Any, Any]]:
    """(start, end) UTC times of the exercise steps, from fixed lengths or from the laps."""
    import pandas as pd

    if step_s is not None:
        origin = activity.samples.index[0] + pd.Timedelta(seconds=start_s)
        windows = [(origin + pd.Timedelta(seconds=k * step_s),
                    origin + pd.Timedelta(seconds=(k + 1) * step_s)) for k in range(n_steps)]
        if windows[-1][0] >= activity.samples.index[-1]:
            raise InputError(f"{n_steps} steps of {step_s / 60:g} min from minute "
                             f"{start_s / 60:g} run past the end of the recording")
        return windows
    laps = activity.laps
    n_laps = len(laps)
    if first_lap is None:
        if n_laps != n_steps:
            raise InputError(f"the recording has {n_laps} laps for {n_steps} exercise steps: "
                             "say which lap is step 1 with --first-lap, or give --step-min")
        first_lap = 1
    if first_lap < 1 or first_lap - 1 + n_steps > n_laps:
        raise InputError(f"laps {first_lap}–{first_lap + n_steps - 1} for {n_steps} steps, but "
                         f"the recording has {n_laps} laps")
    chosen = laps.iloc[first_lap - 1: first_lap - 1 + n_steps]
    return [(pd.Timestamp(row.start), pd.Timestamp(row.start) + pd.Timedelta(seconds=row.elapsed_s))
            for row in chosen.itertuples()]
