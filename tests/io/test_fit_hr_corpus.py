"""FIT ``hr`` and ``hrv`` messages of the real files, against what the devices computed.

Every corpus FIT file with such messages is found by decoding it (no list of names). The
decoders' agreement with fitparse (columns and activities) is checked with all other messages
in ``test_fit_corpus.py``; here the values are checked against the devices' own summaries:

- pool swims whose heart rate exists only as ``hr`` messages: the device's session maximum
  and lap averages, and its time in zones. Garmin counts zone time only while swimming
  (active ``length`` messages; its rest laps hold 0–2 s), so the zone times are compared over
  the active lengths: within 1 % of timer time (measured: 0.44–0.59 %; over all recorded
  seconds, rests included, the error is 8–18 %).
- ``hrv`` messages: clean, ordered beats, timed within the record clock (no drift): the heart
  rate from the RR intervals follows the records' heart rate better as timed than 10 s off.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import corpus_files
from lactlog.analysis.clean import clean_samples
from lactlog.analysis.zones import time_in_zones_s
from lactlog.io import load, read
from lactlog.io.fit import profile
from lactlog.io.fit.activity import build_activities
from lactlog.io.fit.decode import decode
from lactlog.io.fit.heartbeats import MAX_RECORD_HR_SHARE, RR_MAX_S, RR_MIN_S
from lactlog.model import Activity

FIT_FILES = corpus_files("fit")
pytestmark = pytest.mark.skipif(not FIT_FILES, reason="../shared/corpus/fit absent")
ACTIVE_LENGTH = 1  # FIT length_type "active"


@cache
def _messages(path: Path) -> dict:
    return decode(load(path).data, wanted=("hr", "hrv", "record", "length")).messages


def _files_with(name: str) -> list[Path]:
    return [p for p in FIT_FILES if name in _messages(p)]


def _strap_only_sessions() -> list[tuple[str, Activity]]:
    """Sessions whose heart rate comes from hr messages: read without them, fewer than
    :data:`MAX_RECORD_HR_SHARE` of their samples have a heart rate."""
    found = []
    for path in _files_with("hr"):
        raw = load(path)
        decoded = decode(raw.data)
        del decoded.messages["hr"]
        for with_hr, without in zip(read(path), build_activities(raw, decoded), strict=True):
            samples = without.samples
            share = samples["heart_rate_bpm"].notna().mean() if "heart_rate_bpm" in samples else 0
            if share < MAX_RECORD_HR_SHARE and "heart_rate_bpm" in with_hr.samples:
                found.append((path.name, with_hr))
    return found


def test_corpus_has_files_with_hr_and_hrv_messages() -> None:
    assert len(_files_with("hr")) >= 6
    assert len(_files_with("hrv")) >= 15


def test_strap_heart_rate_matches_the_device_maximum_and_lap_averages() -> None:
    checked = 0
    for name, activity in _strap_only_sessions():
        device, hr = activity.device_summary, activity.samples["heart_rate_bpm"]
        if not device.max_heart_rate_bpm:
            continue
        assert abs(hr.max() - device.max_heart_rate_bpm) <= 1, name
        differences = []
        for lap in activity.laps.itertuples():
            end = lap.start + pd.Timedelta(seconds=lap.elapsed_s)
            values = hr[(hr.index >= lap.start) & (hr.index < end)].dropna()
            if len(values) and not np.isnan(lap.avg_heart_rate_bpm):
                differences.append(values.mean() - lap.avg_heart_rate_bpm)
        assert abs(np.median(differences)) <= 1, name
        checked += 1
    assert checked >= 5  # four pool swims, one open-water swim


def _active_seconds(path: Path, index: pd.DatetimeIndex) -> np.ndarray:
    lengths = _messages(path)["length"]
    seconds = index.asi8 / 1e9 - profile.FIT_EPOCH_UNIX_S
    active = np.zeros(len(index), dtype=bool)
    for start, elapsed, kind in zip(
        lengths["start_time"], lengths["total_elapsed_time"], lengths["length_type"]
    ):
        if kind == ACTIVE_LENGTH:
            active |= (seconds >= start) & (seconds < start + elapsed)
    return active


def test_strap_heart_rate_zone_times_match_the_device_while_swimming() -> None:
    checked = 0
    for name, activity in _strap_only_sessions():
        zones = activity.device_summary.time_in_zone
        if not zones or not zones[0].hr_zone_high_bpm:
            continue
        path = next(p for p in FIT_FILES if p.name == name)
        if "length" not in _messages(path):
            continue
        clean = clean_samples(activity.samples, activity.pauses)
        active = _active_seconds(path, clean.index)
        ours = time_in_zones_s(clean["heart_rate_bpm"][active], zones[0].hr_zone_high_bpm)
        error_s = np.abs(np.array(ours) - np.array(zones[0].time_in_hr_zone_s))
        assert error_s.max() <= 0.01 * activity.device_summary.timer_s, name
        checked += 1
    assert checked >= 3


def test_rr_beats_are_clean_and_locked_to_the_record_clock() -> None:
    """The heart rate from the RR intervals (60/RR over each record's last 5 s) follows the
    records' heart rate better as timed than shifted by ±10 s, in the last quarter of every long
    session: the beat clock has not drifted from the records by the end. (Measured, whole
    sessions: median |difference| 0.3–1.4 bpm as timed, 0.9–5 bpm shifted by 10 s.) Sessions
    whose sensor disagrees with the records at any timing (median > 2 bpm) are skipped."""
    checked = 0
    for path in _files_with("hrv"):
        for activity in read(path):
            rr = activity.rr
            if rr.empty:
                continue
            assert rr.index.is_unique and rr.index.is_monotonic_increasing
            assert str(rr.index.tz) == "UTC" and list(rr.columns) == ["rr_s"]
            assert rr["rr_s"].between(RR_MIN_S, RR_MAX_S).all()
            if len(rr) < 3000 or "heart_rate_bpm" not in activity.samples:
                continue
            if np.median(np.abs(_rr_minus_record_hr(activity))) > 2:
                continue  # another sensor than the records' (one file: 5 bpm at any lag)
            as_timed, *shifted = (
                _last_quarter_error_bpm(activity, shift_s) for shift_s in (0.0, 10.0, -10.0)
            )
            assert as_timed < min(shifted), path.name
            checked += 1
    assert checked >= 10


def _last_quarter_error_bpm(activity: Activity, shift_s: float) -> float:
    differences = _rr_minus_record_hr(activity, shift_s)
    return float(np.median(np.abs(differences[-len(differences) // 4 :])))


def _rr_minus_record_hr(activity: Activity, shift_s: float = 0.0) -> np.ndarray:
    """Record heart rate minus the mean of 60/RR over the beats in (t − 5 s, t] [bpm], with the
    beats moved by ``shift_s``."""
    beat_s = activity.rr.index.asi8 / 1e9 + shift_s
    rate = np.concatenate(([0.0], np.cumsum(60.0 / activity.rr["rr_s"].to_numpy())))
    samples = activity.samples["heart_rate_bpm"].dropna()
    record_s = samples.index.asi8 / 1e9
    low = np.searchsorted(beat_s, record_s - 5.0, side="right")
    high = np.searchsorted(beat_s, record_s, side="right")
    has = high > low
    mean = (rate[high] - rate[low])[has] / (high - low)[has]
    return samples.to_numpy()[has] - mean
