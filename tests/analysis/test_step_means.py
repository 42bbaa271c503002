"""Step means of a lactate step test from its recording: laps or fixed step lengths, cleaned
samples (the rules every analysis uses)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lactlog.analysis.step_means import step_test_from_recording
from lactlog.errors import InputError
from lactlog.io.lactate_steps import read_lactate_sheet
from lactlog.model import LAP_COLUMNS, Activity, ActivityMeta


def write(tmp_path: Path, text: str, name: str = "test.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def ramp_activity(sport: str = "cycling") -> Activity:
    """A warm-up lap, then five 3-min steps of 100…300 W / 2.5…4.5 m/s with HR 120…160."""
    start = pd.Timestamp(datetime(2026, 11, 3, 9, 0, tzinfo=UTC))
    seconds = np.arange(600 + 5 * 180)
    step = np.clip((seconds - 600) // 180, -1, 4)
    power = np.where(step < 0, 80.0, 100.0 + 50 * step)
    speed = np.where(step < 0, 2.0, 2.5 + 0.5 * step)
    heart_rate = np.where(step < 0, 100.0, 120.0 + 10 * step)
    samples = pd.DataFrame({"power_w": power, "speed_mps": speed, "heart_rate_bpm": heart_rate},
                           index=pd.DatetimeIndex(start + pd.to_timedelta(seconds, "s"),
                                                  name="time"))
    lap_starts = [start] + [start + pd.Timedelta(seconds=600 + 180 * k) for k in range(5)]
    laps = pd.DataFrame({"start": lap_starts, "elapsed_s": [600.0] + [180.0] * 5,
                         "timer_s": [600.0] + [180.0] * 5})
    laps = laps.reindex(columns=list(LAP_COLUMNS))
    meta = ActivityMeta(source="ramp.fit", sha256="0", format="fit", sport=sport,
                        start=start.to_pydatetime(), utc_offset_s=3600)
    return Activity(meta=meta, samples=samples, laps=laps)


SHEET_LACTATES = "step,lactate_mmol\n0,0.9\n1,1.0\n2,1.3\n3,2.0\n4,3.5\n5,6.0\n"


def test_step_means_from_laps(tmp_path: Path) -> None:
    sheet = read_lactate_sheet(write(tmp_path, SHEET_LACTATES), need_intensity=False)
    test = step_test_from_recording(sheet, ramp_activity(), first_lap=2)
    assert test.intensity_field == "power_w"
    assert [s.intensity for s in test.exercise_steps] == [100, 150, 200, 250, 300]
    assert [s.heart_rate_bpm for s in test.exercise_steps] == [120, 130, 140, 150, 160]
    assert [s.duration_s for s in test.exercise_steps] == [180.0] * 5
    assert test.baseline is not None and test.baseline.lactate_mmol == 0.9
    assert test.test_date == date(2026, 11, 3)


def test_step_means_from_a_step_length_and_running_speed(tmp_path: Path) -> None:
    sheet = read_lactate_sheet(write(tmp_path, SHEET_LACTATES), need_intensity=False)
    test = step_test_from_recording(sheet, ramp_activity("running"), step_s=180, start_s=600)
    assert test.intensity_field == "speed_mps" and test.sport_group == "run"
    assert [s.intensity for s in test.exercise_steps] == [2.5, 3.0, 3.5, 4.0, 4.5]


def test_laps_that_do_not_match_the_steps(tmp_path: Path) -> None:
    sheet = read_lactate_sheet(write(tmp_path, SHEET_LACTATES), need_intensity=False)
    with pytest.raises(InputError, match="6 laps for 5 exercise steps.*--first-lap"):
        step_test_from_recording(sheet, ramp_activity())
    with pytest.raises(InputError, match="laps 3–7 for 5 steps, but the recording has 6"):
        step_test_from_recording(sheet, ramp_activity(), first_lap=3)
    with pytest.raises(InputError, match="run past the end"):
        step_test_from_recording(sheet, ramp_activity(), step_s=600)


def test_step_means_leave_out_placeholders_glitches_and_pauses(tmp_path: Path) -> None:
    # step 3 (200 W, HR 140): 20 s of HR 0 placeholders and a 3,000 W glitch; step 4 (250 W,
    # HR 150): a 30-s pause at 0 W for the blood sample. The raw means would be 215.6 W /
    # 124.4 bpm and 208.3 W; the cleaned ones are those of the step.
    activity = ramp_activity()
    samples = activity.samples.copy()
    step3, step4 = 600 + 2 * 180, 600 + 3 * 180
    samples.iloc[step3 + 60: step3 + 80, samples.columns.get_loc("heart_rate_bpm")] = 0.0
    samples.iloc[step3 + 100, samples.columns.get_loc("power_w")] = 3000.0
    samples.iloc[step4 + 90: step4 + 120, samples.columns.get_loc("power_w")] = 0.0
    pause_start = samples.index[step4 + 90]
    pauses = pd.DataFrame({"start": [pause_start], "end": [pause_start + pd.Timedelta(seconds=30)]})
    activity = Activity(meta=activity.meta, samples=samples, laps=activity.laps, pauses=pauses)
    sheet = read_lactate_sheet(write(tmp_path, SHEET_LACTATES), need_intensity=False)
    test = step_test_from_recording(sheet, activity, first_lap=2)
    assert [s.intensity for s in test.exercise_steps] == pytest.approx([100, 150, 200, 250, 300])
    assert [s.heart_rate_bpm for s in test.exercise_steps] == pytest.approx(
        [120, 130, 140, 150, 160])
