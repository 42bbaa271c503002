"""Decoded FIT messages -> canonical :class:`~lactlog.model.Activity` objects.

Shared by both decoders (lactlog's columnar one and fitparse), so they can only differ in
decoding. One activity per ``session`` message (multisport files have several); records, laps,
sets, timer pauses and pool ``length`` messages go to the session whose start precedes them
(the time outside a pool swim's active lengths becomes pauses: :func:`_rest_outside_lengths`). Beats of ``hr`` and ``hrv``
messages (:mod:`lactlog.io.fit.heartbeats`) go to the session whose time span
[start, start + elapsed time] holds them: a strap's stored beats often begin minutes before
the session.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from lactlog.errors import EmptyFileError
from lactlog.io.common import RawInput, build_samples
from lactlog.io.fit import heartbeats, profile
from lactlog.io.fit.columns import END_OF_TIME as _END_OF_TIME
from lactlog.io.fit.columns import column as _column
from lactlog.io.fit.columns import first as _first
from lactlog.io.fit.columns import fit_seconds as _fit_seconds
from lactlog.io.fit.columns import fit_times
from lactlog.io.fit.columns import length as _length
from lactlog.io.fit.columns import to_index as _to_index
from lactlog.io.fit.decode import Columns, DecodedFit
from lactlog.io.fit.heartbeats import Beats
from lactlog.io.fit.quality import channel_warnings, session_warnings
from lactlog.model import (
    LAP_COLUMNS,
    PAUSE_COLUMNS,
    SAMPLE_COLUMNS,
    SET_COLUMNS,
    WARN_CLOCK_NOT_SET,
    Activity,
    ActivityMeta,
    DeviceSummary,
    TimeInZone,
    empty_frame,
)

_SEMICIRCLE_DEG = 180.0 / 2**31
_FIRST_ABSOLUTE_TIME = 0x10000000  # smaller FIT date_time values are relative (device uptime)

#: record field -> canonical sample column (first present wins) and the factor to apply.
_SAMPLE_FIELDS: tuple[tuple[str, tuple[str, ...], float], ...] = (
    ("heart_rate_bpm", ("heart_rate",), 1.0),
    ("power_w", ("power",), 1.0),
    ("speed_mps", ("enhanced_speed", "speed"), 1.0),
    ("cadence_rpm", ("cadence",), 1.0),
    ("distance_m", ("distance",), 1.0),
    ("altitude_m", ("enhanced_altitude", "altitude"), 1.0),
    ("lat_deg", ("position_lat",), _SEMICIRCLE_DEG),
    ("lon_deg", ("position_long",), _SEMICIRCLE_DEG),
    ("temperature_c", ("temperature",), 1.0),
)


def build_activities(raw: RawInput, decoded: DecodedFit) -> list[Activity]:
    """Turn decoded messages into one activity per session."""
    messages = decoded.messages
    records = messages.get("record", {})
    min_time = _earliest_valid_time(records)
    sessions = _sessions(messages, min_time)
    record_times = fit_times(_column(records, "timestamp"), min_time)
    if not sessions and np.isnan(record_times).all():
        if decoded.stopped_early:
            raise EmptyFileError(f"{decoded.warnings[0]} — nothing usable before the damage")
        raise EmptyFileError("no activity in this FIT file (no session and no timed records)")
    if min_time == 0:
        decoded.warnings.append(WARN_CLOCK_NOT_SET)
    if not sessions:
        sessions = [_implicit_session(messages, record_times)]
    starts = np.array([s["start_time"] for s in sessions], dtype=np.float64)
    device = _device(messages)
    thresholds = _thresholds(messages)
    offset = _utc_offset_s(messages)
    hr_beats = heartbeats.file_hr_beats(messages.get("hr", {}), min_time, decoded.warnings)
    rr_beats = heartbeats.file_rr_beats(messages.get("hrv", {}), min_time)
    activities = []
    for index, session in enumerate(sessions):
        def owner(times: np.ndarray, i: int = index) -> np.ndarray:
            return _session_of(times, starts) == i

        def in_session(beats: Beats, s: dict[str, float] = session) -> Beats:
            mine = owner(beats.time_s)
            return Beats(beats.time_s[mine], beats.value[mine]).within(
                s["start_time"], _session_end(s)
            )

        samples, sample_warnings = _samples(
            records, record_times, owner(record_times), in_session(hr_beats)
        )
        sample_warnings += session_warnings(session.get("total_elapsed_time"), samples)
        meta = ActivityMeta(
            source=raw.source,
            sha256=raw.sha256,
            format="fit",
            sport=profile.enum_name("sport", session.get("sport")) or "generic",
            sub_sport=profile.enum_name("sub_sport", session.get("sub_sport")),
            start=_datetime(session["start_time"]),
            utc_offset_s=offset,
            manufacturer=device[0],
            product=device[1],
            session_index=index,
            warnings=tuple(decoded.warnings + sample_warnings),
        )
        activities.append(
            Activity(
                meta=meta,
                samples=samples,
                pauses=_pauses(
                    messages.get("event", {}), messages.get("length", {}), owner,
                    (session["start_time"], _session_end(session)), min_time,
                ),
                laps=_laps(messages.get("lap", {}), owner, min_time),
                sets=_sets(messages.get("set", {}), owner, min_time),
                device_summary=_device_summary(session, messages, thresholds),
                rr=heartbeats.rr_frame(in_session(rr_beats)),
            )
        )
    return activities


def _session_end(session: dict[str, float]) -> float:
    """End of a session [FIT s]: start + elapsed time, else its timestamp, else open."""
    elapsed, end = session.get("total_elapsed_time"), session.get("timestamp")
    if elapsed is not None and elapsed >= 0:
        return session["start_time"] + elapsed
    return end if end is not None and end >= session["start_time"] else math.inf


def _earliest_valid_time(records: Columns) -> float:
    """Smallest acceptable FIT time: absolute times only, unless the file has no absolute time.

    FIT date_time values below 0x10000000 are relative to the device's power-on (FIT SDK,
    ``date_time`` type); a device whose clock was never set writes only those.
    """
    times = _column(records, "timestamp")
    times = times[times < _END_OF_TIME]
    if times.size and not (times >= _FIRST_ABSOLUTE_TIME).any() and (times >= 0).any():
        return 0.0
    return float(_FIRST_ABSOLUTE_TIME)


def _datetime(seconds: float) -> datetime | None:
    if not 0 <= seconds < _END_OF_TIME:  # NaN included
        return None
    return datetime.fromtimestamp(seconds + profile.FIT_EPOCH_UNIX_S, tz=UTC)


def _sessions(messages: dict[str, Columns], min_time: float) -> list[dict[str, Any]]:
    """Session rows as dicts, in time order, each with a usable ``start_time``."""
    columns = messages.get("session", {})
    sessions: list[dict[str, Any]] = []
    for row in range(_length(columns)):
        session: dict[str, Any] = {
            name: _first(columns, name, row)
            for name, values in columns.items()
            if values.dtype != object
        }
        start = session.get("start_time")
        if start is None or not min_time <= start < _END_OF_TIME:
            end, elapsed = session.get("timestamp"), session.get("total_elapsed_time")
            if end is None or elapsed is None or not min_time <= end - elapsed < _END_OF_TIME:
                continue
            start = end - elapsed
        session["start_time"] = start
        sessions.append(session)
    return sorted(sessions, key=lambda s: s["start_time"])


def _implicit_session(messages: dict[str, Columns], record_times: np.ndarray) -> dict[str, Any]:
    """A session for files that have records but no session message."""
    valid = record_times[~np.isnan(record_times)]
    sport = messages.get("sport", {})
    return {
        "start_time": float(valid.min()) if valid.size else float("nan"),
        "sport": _first(sport, "sport"),
        "sub_sport": _first(sport, "sub_sport"),
    }


def _session_of(times: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Index of the session each time belongs to: the last one started at or before it."""
    return np.maximum(np.searchsorted(starts, times, side="right") - 1, 0)


def _samples(
    records: Columns, times: np.ndarray, mask: np.ndarray, beats: Beats
) -> tuple[pd.DataFrame, list[str]]:
    """The session's samples from its records, heart rate from hr-message ``beats`` merged in
    (:func:`lactlog.io.fit.heartbeats.heart_rate_rows`)."""
    columns = {}
    for column, fields, factor in _SAMPLE_FIELDS:
        values = None
        for name in fields:
            candidate = records.get(name)
            if candidate is None or candidate.ndim != 1 or candidate.dtype == object:
                continue
            values = candidate if values is None else np.where(np.isnan(values), candidate, values)
        if values is not None:
            columns[column] = values[mask] * factor
    frame, repairs = build_samples(_to_index(times[mask]), columns)
    hr = frame["heart_rate_bpm"].to_numpy() if "heart_rate_bpm" in frame else None
    merged = heartbeats.heart_rate_rows(_fit_seconds(frame.index), hr, beats)
    if merged is None:
        return frame, channel_warnings(columns) + repairs
    row_s, heart_rate = merged
    index = _to_index(row_s)
    index.name = "time"
    frame = frame.reindex(index)
    frame["heart_rate_bpm"] = heart_rate
    frame = frame[[c for c in SAMPLE_COLUMNS if c in frame]]
    return frame, channel_warnings({**columns, "heart_rate_bpm": heart_rate}) + repairs


def _pauses(
    events: Columns, lengths: Columns, owner, span: tuple[float, float], min_time: float
) -> pd.DataFrame:
    """Timer pauses (FIT ``event``) and a pool swim's rest (:func:`_rest_outside_lengths`), in
    order of start (see :attr:`lactlog.model.Activity.pauses`)."""
    timer = _timer_pauses(events, min_time)
    timer = timer[owner(timer[:, 0])]
    rest = _rest_outside_lengths(lengths, owner, span, min_time)
    starts = np.concatenate([timer[:, 0], rest[:, 0]])
    if not starts.size:
        return empty_frame(PAUSE_COLUMNS)
    order = np.argsort(starts, kind="stable")
    ends = np.concatenate([timer[:, 1], rest[:, 1]])[order]
    return pd.DataFrame({"start": _to_index(starts[order]), "end": _to_index(ends)})


def _rest_outside_lengths(
    lengths: Columns, owner, span: tuple[float, float], min_time: float
) -> np.ndarray:
    """(start, end) [FIT s] of the session's time outside its active pool lengths, (n, 2).

    A length runs from ``start_time`` for ``total_elapsed_time`` (its ``timestamp`` is often
    written minutes later, at the end of the interval). In a session with active lengths, the
    rest is every stretch of ``span`` (session start, end) that no active length covers: idle
    lengths (``length_type`` idle, rest at the wall), before the first and after the last
    length, and the fractions of a second between consecutive lengths.
    """
    starts = fit_times(_column(lengths, "start_time"), min_time)
    ends = fit_times(starts + _column(lengths, "total_elapsed_time"), min_time)  # NaN if absurd
    active = _column(lengths, "length_type") == profile.enum_code("length_type", "active")
    keep = active & (ends > starts)
    keep[keep] = owner(starts[keep])
    if not keep.any():
        return np.empty((0, 2))
    order = np.argsort(starts[keep], kind="stable")
    starts, ends = starts[keep][order], np.maximum.accumulate(ends[keep][order])
    session_end = span[1] if math.isfinite(span[1]) else math.nan
    gaps = np.column_stack([
        np.concatenate([[span[0]], ends]), np.concatenate([starts, [session_end]])
    ])
    return gaps[~(gaps[:, 1] <= gaps[:, 0])]  # open end (NaN) kept: rest to the end


def _timer_pauses(events: Columns, min_time: float) -> np.ndarray:
    """Each timer stop up to the next timer start [FIT s], shape (n, 2)."""
    times = fit_times(_column(events, "timestamp"), min_time)
    kind = _column(events, "event")
    timer = (kind == profile.enum_code("event", "timer")) & ~np.isnan(times)
    types = [profile.enum_name("event_type", t) for t in _column(events, "event_type")[timer]]
    pauses: list[tuple[float, float]] = []
    stopped_at: float | None = None
    for time_s, event_type in zip(times[timer].tolist(), types):  # one step per timer event
        if event_type is not None and event_type.startswith("stop") and stopped_at is None:
            stopped_at = time_s
        elif event_type == "start" and stopped_at is not None:
            if time_s > stopped_at:
                pauses.append((stopped_at, time_s))
            stopped_at = None
    return np.array(pauses, dtype=np.float64).reshape(-1, 2)


def _laps(laps: Columns, owner, min_time: float) -> pd.DataFrame:
    starts = fit_times(_column(laps, "start_time"), min_time)
    if not starts.size:
        return empty_frame(LAP_COLUMNS)
    keep = owner(starts) & ~np.isnan(starts)

    def values(name: str) -> np.ndarray:
        return _column(laps, name)[keep]

    return pd.DataFrame(
        {
            "start": _to_index(starts[keep]),
            "elapsed_s": values("total_elapsed_time"),
            "timer_s": values("total_timer_time"),
            "distance_m": values("total_distance"),
            "avg_heart_rate_bpm": values("avg_heart_rate"),
            "max_heart_rate_bpm": values("max_heart_rate"),
            "avg_power_w": values("avg_power"),
        }
    )


def _sets(sets: Columns, owner, min_time: float) -> pd.DataFrame:
    """Strength sets from FIT ``set`` messages (global 225)."""
    starts = fit_times(_column(sets, "start_time"), min_time)
    if not starts.size:
        return empty_frame(SET_COLUMNS)
    if np.isnan(starts).all():  # some devices only fill the timestamp (the set's end)
        ends = fit_times(_column(sets, "timestamp"), min_time)
        starts = ends - np.nan_to_num(_column(sets, "duration"))
    keep = owner(starts) & ~np.isnan(starts)
    category = _column(sets, "category", first_element=True)[keep]
    subtype = _column(sets, "category_subtype", first_element=True)[keep]
    categories = [profile.enum_name("exercise_category", c) for c in category]
    names = [profile.exercise_name(c, s) for c, s in zip(categories, subtype)]
    return pd.DataFrame(
        {
            "start": _to_index(starts[keep]),
            "duration_s": _column(sets, "duration")[keep],
            "set_type": [profile.enum_name("set_type", t) for t in _column(sets, "set_type")[keep]],
            "repetitions": _column(sets, "repetitions")[keep],
            "weight_kg": _column(sets, "weight")[keep],
            "exercise_category": categories,
            "exercise_name": names,
        }
    )


def _device(messages: dict[str, Columns]) -> tuple[str | None, str | None]:
    """(manufacturer, product) of the recording device, from ``file_id``."""
    file_id = messages.get("file_id", {})
    manufacturer = _first(file_id, "manufacturer")
    product_name = file_id.get("product_name")
    product: str | None
    if product_name is not None and product_name.dtype == object and product_name[0]:
        product = str(product_name[0])
    else:
        product = profile.product_name(manufacturer, _first(file_id, "product"))
    return profile.enum_name("manufacturer", manufacturer), product


def _thresholds(messages: dict[str, Columns]) -> dict[str, float | None]:
    zones, user = messages.get("zones_target", {}), messages.get("user_profile", {})
    return {
        "threshold_heart_rate_bpm": _first(zones, "threshold_heart_rate"),
        "functional_threshold_power_w": _first(zones, "functional_threshold_power"),
        "max_heart_rate_setting_bpm": _first(zones, "max_heart_rate")
        or _first(user, "default_max_heart_rate"),
        "resting_heart_rate_bpm": _first(user, "resting_heart_rate"),
    }


def _utc_offset_s(messages: dict[str, Columns]) -> int | None:
    """Local time minus UTC, from the ``activity`` message, rounded to 15 min."""
    activity = messages.get("activity", {})
    local, utc = _first(activity, "local_timestamp"), _first(activity, "timestamp")
    if local is None or utc is None or not abs(local - utc) < 15 * 3600:
        return None
    offset = round((local - utc) / 900) * 900
    return int(offset) if abs(offset) <= 14 * 3600 else None


def _device_summary(
    session: dict[str, float], messages: dict[str, Columns], thresholds: dict[str, float | None]
) -> DeviceSummary:
    return DeviceSummary(
        elapsed_s=session.get("total_elapsed_time"),
        timer_s=session.get("total_timer_time"),
        distance_m=session.get("total_distance"),
        avg_heart_rate_bpm=session.get("avg_heart_rate"),
        max_heart_rate_bpm=session.get("max_heart_rate"),
        avg_power_w=session.get("avg_power"),
        normalized_power_w=session.get("normalized_power"),
        training_stress_score=session.get("training_stress_score"),
        intensity_factor=session.get("intensity_factor"),
        threshold_power_w=session.get("threshold_power"),
        aerobic_training_effect=session.get("total_training_effect"),
        anaerobic_training_effect=session.get("total_anaerobic_training_effect"),
        time_in_zone=_time_in_zone(messages.get("time_in_zone", {}), session),
        **thresholds,
    )


def _time_in_zone(columns: Columns, session: dict[str, float]) -> tuple[TimeInZone, ...]:
    """The device's ``time_in_zone`` messages that refer to this session."""
    session_number = profile.message_number("session")
    index = session.get("message_index")
    found = []
    for row in range(_length(columns)):
        reference = _first(columns, "reference_mesg", row)
        reference_index = _first(columns, "reference_index", row)
        if reference != session_number or (index is not None and reference_index != index):
            continue
        found.append(
            TimeInZone(
                reference="session",
                reference_index=None if reference_index is None else int(reference_index),
                hr_zone_high_bpm=_array(columns, "hr_zone_high_boundary", row),
                time_in_hr_zone_s=_array(columns, "time_in_hr_zone", row),
                power_zone_high_w=_array(columns, "power_zone_high_boundary", row),
                time_in_power_zone_s=_array(columns, "time_in_power_zone", row),
                threshold_heart_rate_bpm=_first(columns, "threshold_heart_rate", row),
                max_heart_rate_bpm=_first(columns, "max_heart_rate", row),
                resting_heart_rate_bpm=_first(columns, "resting_heart_rate", row),
                functional_threshold_power_w=_first(columns, "functional_threshold_power", row),
            )
        )
    return tuple(found)


def _array(columns: Columns, name: str, row: int) -> tuple[float, ...]:
    values = columns.get(name)
    if values is None or values.dtype == object or row >= len(values):
        return ()
    cells = np.atleast_1d(values[row]).astype(np.float64)
    return tuple(float(v) for v in cells[~np.isnan(cells)])
