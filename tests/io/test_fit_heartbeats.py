"""Heart rate from FIT ``hr`` messages and RR intervals from ``hrv`` messages, on generated files.

Expected values are worked out by hand from the rules in :mod:`lactlog.io.fit.heartbeats` (FIT
SDK ``expandHeartRates`` / ``mergeHeartRates``; record-anchored cumulative RR sums).
"""

from __future__ import annotations

import warnings
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from lactlog.errors import LactlogError
from lactlog.io.common import RawInput
from lactlog.io.fit import read_fit
from lactlog.io.fit.activity import build_activities
from lactlog.io.fit.decode import decode
from lactlog.io.fit.heartbeats import Beats, expand_gaps, hr_beats, rr_beats, window_means
from lactlog.io.fit.oracle import decode_with_fitparse
from lactlog.io.tcx import read_tcx
from lactlog.model import RR_COLUMNS
from lactlog.testing.damage import damaged
from lactlog.testing.fitactivity import LapSpec, StrapBeats, hr_messages, write_activity
from lactlog.testing.tcxwriter import write_tcx

START = datetime(2024, 3, 5, 7, 0, 0, tzinfo=UTC)
N_RECORDS = 60  # a 60-s pool swim, records at START + 0 … 59 s without heart rate


def _swim_samples(n: int = N_RECORDS) -> pd.DataFrame:
    index = pd.date_range(START, periods=n, freq="1s", tz="UTC")
    return pd.DataFrame({"speed_mps": np.full(n, 1.2)}, index=index)


def _read(data: bytes) -> list:
    return read_fit(RawInput.from_bytes("swim.fit", data))


def _half_second_beats(strap_clock_s: float, anchors: tuple[int, ...] = (0,)) -> StrapBeats:
    """Beat k (k = 1 … 2·N_RECORDS) at START + 0.5·k s with 100 + k bpm."""
    ks = range(1, 2 * N_RECORDS + 1)
    times = [START + timedelta(seconds=0.5 * k) for k in ks]
    return StrapBeats(times, [100 + k for k in ks], strap_clock_s, anchors)


def test_hr_messages_layout_is_the_devices() -> None:
    """One anchor, then messages of eight packed 12-bit event timestamps (12 bytes)."""
    messages = hr_messages(_half_second_beats(strap_clock_s=1000.0))
    assert messages[0]["event_timestamp"] == [1000.0]
    assert messages[0]["fractional_timestamp"] == 0.5
    assert [len(m["filtered_bpm"]) for m in messages[1:]] == [8] * 14 + [7]
    assert len(messages[1]["event_timestamp_12"]) == 12
    # beats 2 and 3 are 0.5 and 1.0 s after the anchor: ticks 1000·1024 + 512 and + 1024
    low = int.from_bytes(messages[1]["event_timestamp_12"], "little")
    assert low & 0xFFF == (1000 * 1024 + 512) % 4096
    assert (low >> 12) & 0xFFF == (1000 * 1024 + 1024) % 4096


@pytest.mark.parametrize("strap_clock_s", [1000.0, 2**32 / 1024 - 7.25])
def test_beat_times_follow_the_anchor(strap_clock_s: float) -> None:
    """Beat times come back exactly, also when the strap's uint32 clock wraps mid-session."""
    beats = _half_second_beats(strap_clock_s)
    decoded = decode(write_activity(_swim_samples(), sport="swimming", strap_beats=beats))
    hr = decoded.messages["hr"]
    anchor = hr["timestamp"] + hr["fractional_timestamp"]  # NaN where no timestamp
    found, unanchored = hr_beats(anchor, hr["event_timestamp"], hr["filtered_bpm"])
    fit_start = (START - datetime(1989, 12, 31, tzinfo=UTC)).total_seconds()
    expected = fit_start + 0.5 * np.arange(1, 2 * N_RECORDS + 1)
    np.testing.assert_array_equal(found.time_s, expected)
    np.testing.assert_array_equal(found.value, 100 + np.arange(1, 2 * N_RECORDS + 1))
    assert unanchored == 0


def test_gap_filling_and_window_means_by_hand() -> None:
    """SDK gap filling: a 0.5-s gap gets the earlier value once more 0.25 s later; 1.2 s gets
    it four times (steps while the rest of the gap exceeds 0.25 s); a 9-s gap at most 20 times."""
    beats = Beats(np.array([10.0, 10.5, 11.7, 20.7]), np.array([100.0, 110.0, 120.0, 130.0]))
    expanded = expand_gaps(beats)
    np.testing.assert_allclose(
        expanded.time_s[:8], [10.0, 10.25, 10.5, 10.75, 11.0, 11.25, 11.5, 11.7]
    )
    np.testing.assert_array_equal(expanded.value[:8], [100, 100, 110, 110, 110, 110, 110, 120])
    assert len(expanded.time_s) == 4 + 1 + 4 + 20
    # (9.5, 10.5]: 100, 100, 110 → 103.3 → 103; (10.5, 11.5]: 110 ×4 → 110; (11.5, 12.5]: the
    # 11.7-s beat and its fillers from 11.95 s on: all 120
    np.testing.assert_array_equal(
        window_means(expanded, np.array([10.5, 11.5, 12.5])), [103, 110, 120]
    )
    # rounding is half up (SDK Math.round), not half to even: (100 + 101) / 2 → 101
    two_beats = Beats(np.array([0.5, 1.0]), np.array([100.0, 101.0]))
    assert window_means(two_beats, np.array([1.0]))[0] == 101


def test_swim_heart_rate_from_hr_messages() -> None:
    """Records without heart rate get it from the strap's beats.

    Expanded beats in (START + s − 1, START + s] for s ≥ 2: beat 2s−2's filler (100 + 2s − 2),
    beat 2s−1 and its filler (100 + 2s − 1, twice), beat 2s (100 + 2s): mean 99 + 2s. s = 1
    has beat 1, its filler and beat 2: (101 + 101 + 102) / 3 → 101; s = 0 has no beat. The
    last beats (START + 60 s) fall in the session (it ends 1 s after the last record) but after
    every record, so they get a row of their own: 99 + 2·60 = 219.
    """
    beats = _half_second_beats(strap_clock_s=5000.0)
    (activity,) = _read(write_activity(_swim_samples(), sport="swimming", strap_beats=beats))
    hr = activity.samples["heart_rate_bpm"]
    assert len(hr) == N_RECORDS + 1
    assert np.isnan(hr.iloc[0])
    assert hr.iloc[1] == 101
    seconds = np.arange(2, N_RECORDS + 1)
    np.testing.assert_array_equal(hr.iloc[2:].to_numpy(), 99 + 2 * seconds)
    assert hr.index[-1] == pd.Timestamp(START) + pd.Timedelta(seconds=N_RECORDS)
    assert list(activity.samples.columns) == ["heart_rate_bpm", "speed_mps"]
    assert np.isnan(activity.samples["speed_mps"].iloc[-1])
    assert activity.samples.index.is_unique and activity.samples.index.is_monotonic_increasing
    assert activity.rr.empty and list(activity.rr.columns) == list(RR_COLUMNS)


def test_anchors_and_beats_outside_the_session() -> None:
    """Beats before the session start are left out; beats before any anchor too, with a
    warning. (A strap writes an anchor after every gap: 12-bit deltas only span 4 s.)"""
    early = [START - timedelta(seconds=30 - 0.5 * k) for k in range(4)]  # before the start
    times = early + [START + timedelta(seconds=0.5 * k) for k in range(1, 2 * N_RECORDS + 1)]
    bpm = [90] * len(early) + [140] * (2 * N_RECORDS)
    second_anchor = len(early) + 40  # the beat at START + 20.5 s
    beats = StrapBeats(times, bpm, strap_clock_s=77.0, anchors=(0, len(early), second_anchor))
    (activity,) = _read(write_activity(_swim_samples(), sport="swimming", strap_beats=beats))
    hr = activity.samples["heart_rate_bpm"]
    assert hr.index[0] == pd.Timestamp(START) and np.isnan(hr.iloc[0])
    assert (hr.iloc[1:] == 140).all()  # no 90-bpm beat from before the start
    assert not any("anchor" in w for w in activity.meta.warnings)

    late = StrapBeats(times, bpm, strap_clock_s=77.0, anchors=(second_anchor,))
    (activity,) = _read(write_activity(_swim_samples(), sport="swimming", strap_beats=late))
    warnings = activity.meta.warnings
    assert any("44 heart beats" in w and "precede every anchor" in w for w in warnings)
    # the first timed beat is the anchor at START + 20.5 s, in the window of START + 21 s
    first = activity.samples["heart_rate_bpm"].first_valid_index()
    assert first == pd.Timestamp(START) + pd.Timedelta(seconds=21)


def test_records_with_heart_rate_keep_it() -> None:
    """When most records carry a heart rate, the hr messages are a second source: unused."""
    samples = _swim_samples().assign(heart_rate_bpm=120.0)
    beats = _half_second_beats(strap_clock_s=5000.0)
    (activity,) = _read(write_activity(samples, sport="swimming", strap_beats=beats))
    assert len(activity.samples) == N_RECORDS
    assert (activity.samples["heart_rate_bpm"] == 120).all()


def test_rr_intervals_by_hand() -> None:
    """Cumulative RR sums within the record clock (records every second, a dropout after 1 s).

    After the record at +0 s (next record +1 s): 0.6, 0.6 → the first beat not before +0 s:
    beats at +0.0, +0.6. After +1 s: 0.8 → +1.4 (≥ +1, ≤ +2). After +5 s: 0.5, then 3.0 and
    0.1 (artefacts: removed, no time) → the clock (+1.9) is behind the record (+5), it jumps:
    beat at +5.0. After +5 s again: 0.7 → +5.7.
    """
    rr = [
        (START, [0.6, 0.6]),
        (START + timedelta(seconds=1), [0.8]),
        (START + timedelta(seconds=5), [0.5, 3.0, 0.1]),
        (START + timedelta(seconds=5), [0.7]),
    ]
    data = write_activity(_swim_samples(10), sport="running", rr_intervals=rr)
    (activity,) = _read(data)
    after_start_s = (activity.rr.index - pd.Timestamp(START)).total_seconds()
    np.testing.assert_allclose(after_start_s, [0.0, 0.6, 1.4, 5.0, 5.7], atol=1e-6)
    np.testing.assert_allclose(activity.rr["rr_s"], [0.6, 0.6, 0.8, 0.5, 0.7])
    assert activity.rr.index.name == "time" and activity.rr.index.is_unique
    assert str(activity.rr.index.tz) == "UTC"


def test_rr_clock_never_runs_ahead_of_the_next_record() -> None:
    """Message 2 (1.8 s of beats, first beat not before 1 s) would end at 2.3 s, after the next
    record (2 s): it ends at 2.0 s (beats 1.1, 2.0), and message 1 moves back so that beats
    never overlap (beats −0.3, 0.2): successive beats stay exactly one RR interval apart."""
    beats = rr_beats(
        np.array([[0.5, 0.5], [0.9, 0.9]]), np.array([0.0, 1.0]), np.array([1.0, 2.0])
    )
    np.testing.assert_allclose(beats.time_s, [-0.3, 0.2, 1.1, 2.0])
    np.testing.assert_allclose(np.diff(beats.time_s), beats.value[1:])


def test_rr_before_the_first_record_is_placed_back_from_it() -> None:
    """hrv messages before any record end where the first anchored message starts: the third
    (first beat at its record, 100 s) has its beat at 100.0 s and starts at 99.2 s; the second
    (1.0 s of beats) starts at 98.2 s, the first (0.5 s) at 97.7 s: beats at 98.2, 98.6, 99.2,
    100.0 s."""
    before = np.array([np.nan, np.nan, 100.0])
    after = np.array([100.0, 100.0, np.nan])
    rr = np.array([[0.5, np.nan], [0.4, 0.6], [0.8, np.nan]])
    beats = rr_beats(rr, before, after)
    np.testing.assert_allclose(beats.time_s, [98.2, 98.6, 99.2, 100.0])
    np.testing.assert_allclose(beats.value, [0.5, 0.4, 0.6, 0.8])


def test_both_decoders_give_the_same_activity() -> None:
    data = _swim_with_beats_and_rr()
    raw = RawInput.from_bytes("swim.fit", data)
    ours, theirs = decode(data), decode_with_fitparse(data)
    for name, field in (("hr", "event_timestamp"), ("hr", "filtered_bpm"), ("hrv", "time")):
        np.testing.assert_allclose(ours.messages[name][field], theirs.messages[name][field])
    (a,), (b,) = build_activities(raw, ours), build_activities(raw, theirs)
    pd.testing.assert_frame_equal(a.samples, b.samples)
    pd.testing.assert_frame_equal(a.rr, b.rr)
    assert len(a.rr) == 2 * N_RECORDS


def test_other_formats_have_an_empty_rr_frame() -> None:
    samples = _swim_samples().assign(heart_rate_bpm=130.0)
    laps = [LapSpec(START, START + timedelta(seconds=N_RECORDS))]
    (activity,) = read_tcx(RawInput.from_bytes("run.tcx", write_tcx(samples, laps).encode()))
    assert activity.rr.empty
    assert list(activity.rr.columns) == ["rr_s"]
    assert str(activity.rr.index.tz) == "UTC"


def _swim_with_beats_and_rr() -> bytes:
    beats = _half_second_beats(strap_clock_s=2**32 / 1024 - 3.0, anchors=(0, 50))
    rr = [(START + timedelta(seconds=s), [0.5, 0.5]) for s in range(N_RECORDS)]
    return write_activity(_swim_samples(), sport="swimming", strap_beats=beats, rr_intervals=rr)


@settings(max_examples=150, deadline=None)
@given(damaged(_swim_with_beats_and_rr()))
def test_damaged_hr_and_hrv_messages_raise_only_lactlog_errors(data: bytes) -> None:
    """Damage anywhere (also inside hr/hrv definitions and arrays): a result or a LactlogError."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            activities = _read(data)
        except LactlogError:
            return
    for activity in activities:
        assert activity.samples.index.is_unique and activity.samples.index.is_monotonic_increasing
        assert activity.rr.index.is_unique and activity.rr.index.is_monotonic_increasing
