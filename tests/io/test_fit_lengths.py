"""Pool lengths (FIT ``length`` messages): rest outside active lengths is not recording time.

A synthetic 300-s pool swim written with the project's FIT writer, heart rate constant per
stretch so the zone times can be counted by hand:

=========  ======  ====  ======================
seconds    length  bpm   zone (boundaries 125, 145, 155; a boundary value belongs above)
=========  ======  ====  ======================
0–60       active  130   1
60–120     active  150   2
120–180    idle    120   (0: rest, not counted)
180–240    active  165   3
240–270    idle    140   (1: rest, not counted)
270–290    active  160   3
290–300    none    110   (0: after the last length, not counted)
=========  ======  ====  ======================

Counted only in active lengths, as Garmin watches count ``time_in_zone`` in pool swims:
(0, 60, 60, 80) s; every second: (70, 90, 60, 80) s.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from lactlog import time_in_zones
from lactlog.analysis.session import summarize
from lactlog.io.common import RawInput
from lactlog.io.fit import read_fit
from lactlog.model import Activity, TimeInZone
from lactlog.testing.fitactivity import LengthSpec, write_activity

START = datetime(2024, 3, 1, 7, 0, tzinfo=UTC)
HIGHS = (125.0, 145.0, 155.0)
#: (first second, last second + 1, length type or None, heart rate [bpm])
STRETCHES = (
    (0, 60, "active", 130), (60, 120, "active", 150), (120, 180, "idle", 120),
    (180, 240, "active", 165), (240, 270, "idle", 140), (270, 290, "active", 160),
    (290, 300, None, 110),
)
ACTIVE_ZONES_S = [0.0, 60.0, 60.0, 80.0]
EVERY_SECOND_ZONES_S = [70.0, 90.0, 60.0, 80.0]


def _at(second: int) -> datetime:
    return START + timedelta(seconds=second)


def _pool_swim(with_lengths: bool = True) -> Activity:
    hr = np.concatenate([np.full(b - a, bpm, dtype=float) for a, b, _, bpm in STRETCHES])
    index = pd.date_range(START, periods=len(hr), freq="1s", tz="UTC", name="time")
    samples = pd.DataFrame({"heart_rate_bpm": hr}, index=index)
    lengths = [LengthSpec(_at(a), _at(b), kind) for a, b, kind, _ in STRETCHES if kind]
    device_zones = TimeInZone("session", 0, HIGHS, tuple(ACTIVE_ZONES_S))
    data = write_activity(
        samples, sport="swimming", sub_sport="lap_swimming", time_in_zone=device_zones,
        lengths=lengths if with_lengths else (),
    )
    (activity,) = read_fit(RawInput.from_bytes("pool.fit", data))
    return activity


def test_rest_outside_active_lengths_becomes_pauses() -> None:
    pauses = _pool_swim().pauses
    assert list(pauses["start"]) == [pd.Timestamp(_at(s)) for s in (120, 240, 290)]
    assert list(pauses["end"]) == [pd.Timestamp(_at(s)) for s in (180, 270, 300)]


def test_zone_times_count_only_active_lengths_as_the_device() -> None:
    activity = _pool_swim()
    assert time_in_zones(activity, list(HIGHS)) == ACTIVE_ZONES_S
    assert list(activity.device_summary.time_in_zone[0].time_in_hr_zone_s) == ACTIVE_ZONES_S


def test_without_lengths_every_second_counts() -> None:
    activity = _pool_swim(with_lengths=False)
    assert activity.pauses.empty
    assert time_in_zones(activity, list(HIGHS)) == EVERY_SECOND_ZONES_S


def test_timer_time_stays_the_devices() -> None:
    activity = _pool_swim()
    assert activity.device_summary.timer_s == 300.0
    assert summarize(activity).timer_s == 300.0
