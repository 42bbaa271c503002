"""lactlog's numbers against what the recording devices computed, over the shared corpus.

- Time per heart-rate zone, with the device's own zone boundaries (FIT ``time_in_zone``): each
  zone within ±2 % of timer time (or ±10 s) on ≥ 95 % of the sessions that have one.
- Normalized power within 1 % and TSS within 2 % of the device's values, except the files listed
  below with the reason (each exception is asserted to still disagree, so the list stays honest).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pytest

from conftest import corpus_files
from lactlog.analysis.clean import clean_samples
from lactlog.analysis.load import normalized_power_w, training_stress_score
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

#: TSS is only compared for sessions of at least this timer time [s]: Garmin's TSS uses the
#: duration of its 30-s rolling windows (timer − ~29 s; implied by the stored values), which
#: differs from Coggan's full duration by more than 2 % below ~25 min.
TSS_MIN_TIMER_S = 1500.0
TSS_EXCEPTIONS = {
    # NP already differs (see NP_EXCEPTIONS)
    ("fitparse__2019-02-17-062644-ELEMNT-297E-195-0.fit", 0),
    ("jkfit__road-with-power.fit", 0),
    # Hammerhead Karoo: NP within 0.4 %, but its TSS implies 58 s less duration (pauses)
    ("gc__Karoo-Botley_BW_Swanmore_Wickham-2025-05-09-1238.fit", 0),
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
        # corpus: 55 of 56 sessions agree this way, 27 the other way).
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


def test_tss_matches_the_device() -> None:
    checked, off = 0, set()
    for name, activity, clean in _power_sessions():
        device = activity.device_summary
        ftp = device.threshold_power_w
        if not device.training_stress_score or not ftp or (device.timer_s or 0) < TSS_MIN_TIMER_S:
            continue
        ours_np = normalized_power_w(clean["power_w"].to_numpy())
        ours = training_stress_score(float(clean["recording"].sum()), ours_np, ftp)
        checked += 1
        if abs(ours / device.training_stress_score - 1) > 0.02:
            off.add((name, activity.meta.session_index))
    assert checked >= 10
    assert off == TSS_EXCEPTIONS


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
