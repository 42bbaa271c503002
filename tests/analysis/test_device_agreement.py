"""lactlog's numbers against what the recording devices computed, over the shared corpus.

- Time per heart-rate zone, with the device's own zone boundaries (FIT ``time_in_zone``): each
  zone within ±2 % of timer time (or ±10 s) on ≥ 95 % of the sessions that have one.
- Normalized power within 1 % and TSS within 2 % of the device's values (or, for TSS, within the
  0.1 resolution the FIT session stores it in), except the files listed below with the reason
  (each exception is asserted to still disagree, so the list stays honest).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pytest

from conftest import corpus_files
from lactlog.analysis.clean import clean_samples
from lactlog.analysis.load import (
    normalized_power_duration_s,
    normalized_power_w,
    training_stress_score,
)
from lactlog.analysis.zones import time_in_zones_s
from lactlog.io import read
from lactlog.model import Activity

FIT_FILES = corpus_files("fit")
pytestmark = pytest.mark.skipif(not FIT_FILES, reason="../shared/corpus/fit absent")

#: Sessions whose device zone times lactlog does not reproduce, and why.
ZONE_EXCEPTIONS = {
    # An Apple Watch app: 6 boundaries but only 6 zone times, nothing counted below the first
    # boundary (92 bpm), and zone times summing to 3,008 s of 4,904 s timer time.
    ("gc__2024-10-14-070422-Pool_Swim-BingiWatch.fit", 0),
}

#: Sessions whose device NP lactlog does not reproduce within 1 %, and why.
NP_EXCEPTIONS = {
    # the device counted power-meter glitches of up to 21,733 W (NP 773 W); lactlog drops
    # power above 2,500 W and gets 214 W
    ("gc__20130717_143733.fit", 0),
    # IpBike (Android app) reports NP 408 W where no 30-s-rolling variant gives more than 275 W
    ("gc__IpBike-HRV-Data.fit", 0),
    # 32-s session: NP over barely one 30-s window
    ("gofit__unterminated-strings.fit", 0),
    # Wahoo ELEMNT (−2.1 %), Garmin Edge MTB (−2.2 %; its average power also differs by 1.4 %
    # from the recorded samples) and an SRM head unit (−1.2 %): the devices' NP is computed from
    # data that is not in the file or by a variant lactlog could not identify (tested: partial
    # windows, time-based windows, EWMA, zeros excluded, non-overlapping blocks)
    ("fitparse__2019-02-17-062644-ELEMNT-297E-195-0.fit", 0),
    ("jkfit__road-with-power.fit", 0),
    ("sportslib__broken-start-latlng.fit", 0),
}

#: FIT stores ``session.training_stress_score`` with scale 10: a device value is known to ±0.1 at
#: best, which is more than 2 % below TSS 5 (a few minutes' riding).
TSS_RESOLUTION = 0.1
TSS_EXCEPTIONS = {
    # NP already differs (see NP_EXCEPTIONS)
    ("fitparse__2019-02-17-062644-ELEMNT-297E-195-0.fit", 0),
    ("jkfit__road-with-power.fit", 0),
}


@cache
def _activities(path: Path) -> tuple[Activity, ...]:
    return tuple(read(path))


def _sessions():
    for path in FIT_FILES:
        for activity in _activities(path):
            yield path.name, activity


def test_time_in_hr_zones_matches_the_device() -> None:
    checked, agreeing, disagreeing = 0, 0, set()
    for name, activity in _sessions():
        zones = activity.device_summary.time_in_zone
        if not zones or not zones[0].hr_zone_high_bpm or "heart_rate_bpm" not in activity.samples:
            continue
        device = zones[0]
        clean = clean_samples(activity.samples, activity.pauses)
        # The device's "high boundary" of zone i is where zone i+1 starts (checked on the
        # corpus: 58 of 59 sessions agree this way, 29 the other way). Pool swims: rest outside
        # active lengths is in activity.pauses, as the device counts (3 swims 8–18 % off if not).
        ours = time_in_zones_s(clean["heart_rate_bpm"], device.hr_zone_high_bpm)
        theirs = device.time_in_hr_zone_s
        timer_s = activity.device_summary.timer_s or sum(theirs)
        tolerance = max(0.02 * timer_s, 10.0)
        checked += 1
        same = len(ours) == len(theirs) and all(
            abs(a - b) <= tolerance for a, b in zip(ours, theirs)
        )
        if same:
            agreeing += 1
        else:
            disagreeing.add((name, activity.meta.session_index))
    assert checked >= 43
    assert agreeing / checked >= 0.95
    assert disagreeing == ZONE_EXCEPTIONS


def _power_sessions():
    for name, activity in _sessions():
        device = activity.device_summary
        if device.normalized_power_w and "power_w" in activity.samples:
            clean = clean_samples(activity.samples, activity.pauses)
            yield name, activity, clean


def test_normalized_power_matches_the_device() -> None:
    checked, off = 0, set()
    for name, activity, clean in _power_sessions():
        ours = normalized_power_w(clean["power_w"].to_numpy())
        checked += 1
        if ours is None or abs(ours / activity.device_summary.normalized_power_w - 1) > 0.01:
            off.add((name, activity.meta.session_index))
    assert checked >= 25
    assert off == NP_EXCEPTIONS


def _tss_sessions():
    for name, activity, clean in _power_sessions():
        device = activity.device_summary
        if device.training_stress_score and device.threshold_power_w:
            yield name, activity, clean


def _tss_agrees(ours: float | None, device_tss: float) -> bool:
    return ours is not None and abs(ours - device_tss) <= max(0.02 * device_tss, TSS_RESOLUTION)


def test_tss_matches_the_device() -> None:
    """TSS over the seconds NP averages (valid power seconds less one 30-s window).

    The rule was chosen on the Garmin sessions (14 of 14 with NP within 1 % agree; every
    recorded second: 10 of 14) and holds on the others, not looked at while choosing (2 of 2;
    every recorded second: 1 of 2).
    """
    checked, off = 0, set()
    for name, activity, clean in _tss_sessions():
        device = activity.device_summary
        power = clean["power_w"].to_numpy()
        ours_np = normalized_power_w(power)
        ours = training_stress_score(
            normalized_power_duration_s(power), ours_np, device.threshold_power_w
        )
        checked += 1
        if not _tss_agrees(ours, device.training_stress_score):
            off.add((name, activity.meta.session_index))
    assert checked >= 19
    assert off == TSS_EXCEPTIONS


def test_tss_over_every_recorded_second_agrees_less_often() -> None:
    """Evidence for the duration: TSS over every recorded second misses far more sessions."""
    by_np_seconds = by_recorded_seconds = 0
    for _name, activity, clean in _tss_sessions():
        device = activity.device_summary
        power = clean["power_w"].to_numpy()
        ours_np = normalized_power_w(power)
        if ours_np is None or abs(ours_np / device.normalized_power_w - 1) > 0.01:
            continue
        for duration_s, is_np in ((normalized_power_duration_s(power), True),
                                  (float(clean["recording"].sum()), False)):
            tss = training_stress_score(duration_s, ours_np, device.threshold_power_w)
            if _tss_agrees(tss, device.training_stress_score):
                by_np_seconds += is_np
                by_recorded_seconds += not is_np
    assert by_np_seconds >= by_recorded_seconds + 4


def test_zone_boundary_convention_is_the_devices() -> None:
    """The other boundary convention agrees on far fewer sessions (evidence for the choice)."""
    inclusive = exclusive = 0
    for _name, activity in _sessions():
        zones = activity.device_summary.time_in_zone
        if not zones or not zones[0].hr_zone_high_bpm or "heart_rate_bpm" not in activity.samples:
            continue
        clean = clean_samples(activity.samples, activity.pauses)
        theirs = np.array(zones[0].time_in_hr_zone_s)
        for flag in (True, False):
            ours = np.array(time_in_zones_s(clean["heart_rate_bpm"], zones[0].hr_zone_high_bpm,
                                            inclusive_upper=flag))
            if len(ours) == len(theirs) and np.abs(ours - theirs).max() <= 10 + 0.02 * theirs.sum():
                if flag:
                    inclusive += 1
                else:
                    exclusive += 1
    assert exclusive > inclusive
