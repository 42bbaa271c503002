"""The FIT activity builder (io/fit/activity.py) against hand-built FIT files.

The oracle tests run both decoders through the same builder, so they cannot catch a builder
bug; here lactlog.testing's writer makes a file whose every value is stated below, and the
reader must give back exactly those values (hand-counted, not pasted from output).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from lactlog.io import read_bytes
from lactlog.testing.fitactivity import AthleteSettings, LapSpec, write_activity

START = datetime(2026, 3, 1, 7, 0, 0, tzinfo=UTC)
PAUSE = (START + timedelta(minutes=5), START + timedelta(minutes=6))  # 60 s timer stop


def _ride() -> bytes:
    """10 min at 1 Hz: HR 150 bpm, power alternating 200/300 W, speed 8 m/s; the sixth minute
    paused; two laps (0–4 min, 4–10 min); device thresholds LTHR 170, FTP 250, max HR 190,
    rest 50; local time UTC+1."""
    index = pd.date_range(START, periods=600, freq="s", tz="UTC", name="time")
    samples = pd.DataFrame({
        "heart_rate_bpm": 150.0,
        "power_w": np.where(np.arange(600) % 2 == 0, 200.0, 300.0),
        "speed_mps": 8.0,
    }, index=index)
    laps = (LapSpec(START, START + timedelta(minutes=4)),
            LapSpec(START + timedelta(minutes=4), START + timedelta(minutes=10)))
    athlete = AthleteSettings(threshold_heart_rate_bpm=170, functional_threshold_power_w=250,
                              max_heart_rate_bpm=190, resting_heart_rate_bpm=50)
    return write_activity(samples, sport="cycling", sub_sport="road", pauses=[PAUSE],
                          laps=laps, athlete=athlete, utc_offset_s=3600)


@pytest.fixture(scope="module")
def ride():
    activities = read_bytes(_ride(), "ride.fit")
    assert len(activities) == 1
    return activities[0]


def test_meta(ride):
    meta = ride.meta
    assert (meta.format, meta.sport, meta.sub_sport) == ("fit", "cycling", "road")
    assert meta.start == START
    assert meta.utc_offset_s == 3600
    assert (meta.manufacturer, meta.product) == ("garmin", "fr965")
    assert meta.session_index == 0


def test_samples_leave_out_the_paused_minute(ride):
    samples = ride.samples
    assert str(samples.index.tz) == "UTC" and samples.index.is_monotonic_increasing
    assert len(samples) == 600 - 60  # the records inside the pause are not written
    assert not ((samples.index >= PAUSE[0]) & (samples.index < PAUSE[1])).any()
    assert (samples["heart_rate_bpm"] == 150).all()
    assert samples["power_w"].mean() == pytest.approx(250.0)  # 270 × 200 W and 270 × 300 W
    assert samples["speed_mps"].to_numpy() == pytest.approx(8.0)


def test_pause_is_the_timer_stop(ride):
    assert len(ride.pauses) == 1
    assert ride.pauses["start"].iloc[0] == pd.Timestamp(PAUSE[0])
    assert ride.pauses["end"].iloc[0] == pd.Timestamp(PAUSE[1])


def test_laps(ride):
    laps = ride.laps
    assert len(laps) == 2
    assert list(laps["start"]) == [pd.Timestamp(START), pd.Timestamp(START + timedelta(minutes=4))]
    assert list(laps["elapsed_s"]) == pytest.approx([240.0, 360.0])
    assert list(laps["timer_s"]) == pytest.approx([240.0, 300.0])  # lap 2 holds the pause
    assert list(laps["avg_heart_rate_bpm"]) == pytest.approx([150.0, 150.0])


def test_device_summary(ride):
    device = ride.device_summary
    assert device.elapsed_s == pytest.approx(600.0)
    assert device.timer_s == pytest.approx(540.0)
    assert device.distance_m is None  # no distance in the records, none in the session
    assert device.avg_heart_rate_bpm == pytest.approx(150.0)
    assert device.max_heart_rate_bpm == pytest.approx(150.0)
    assert device.avg_power_w == pytest.approx(250.0, abs=1.0)
    assert device.threshold_heart_rate_bpm == pytest.approx(170.0)
    assert device.functional_threshold_power_w == pytest.approx(250.0)
    assert device.max_heart_rate_setting_bpm == pytest.approx(190.0)
    assert device.resting_heart_rate_bpm == pytest.approx(50.0)
