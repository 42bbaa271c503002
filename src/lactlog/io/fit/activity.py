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

from lactlog.errors import EmptyFileError
from lactlog.io.common import RawInput, build_sample_table
from lactlog.io.fit import heartbeats, profile
from lactlog.io.fit.columns import END_OF_TIME as _END_OF_TIME
from lactlog.io.fit.columns import column as _column
from lactlog.io.fit.columns import first as _first
from lactlog.io.fit.columns import fit_ns, fit_seconds, fit_times
from lactlog.io.fit.columns import length as _length
from lactlog.io.fit.decode import Columns, DecodedFit
from lactlog.io.fit.heartbeats import Beats
from lactlog.io.fit.quality import channel_warnings, session_warnings
from lactlog.io.fit.split import SessionSplit
from lactlog.model import (
    SAMPLE_COLUMNS,
    WARN_CLOCK_NOT_SET,
    Activity,
    ActivityMeta,
    DeviceSummary,
    TimeInZone,
)
from lactlog.table import Table

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


#: The ``session`` fields the activities use (:func:`_sessions`; a session message has ~100).
_SESSION_FIELDS: tuple[str, ...] = (
    "start_time", "timestamp", "total_elapsed_time", "total_timer_time", "message_index",
    "sport", "sub_sport", "total_distance", "avg_heart_rate", "max_heart_rate", "avg_power",
    "normalized_power", "training_stress_score", "intensity_factor", "threshold_power",
    "total_training_effect", "total_anaerobic_training_effect",
)

#: Every field :func:`build_activities` reads, by message: the reader decodes only these
#: (:func:`lactlog.io.fit.decode.decode`, ``fields``). tests/io/test_fit_read_fields.py checks
#: that the builder reads exactly these from the corpus files and the generated ones.
READ_FIELDS: dict[str, frozenset[str]] = {
    "record": frozenset(
        ("timestamp", *(name for _, names, _ in _SAMPLE_FIELDS for name in names))),
    "session": frozenset(_SESSION_FIELDS),
    "lap": frozenset(("start_time", "total_elapsed_time", "total_timer_time", "total_distance",
                      "avg_heart_rate", "max_heart_rate", "avg_power")),
    "set": frozenset(("start_time", "timestamp", "duration", "category", "category_subtype",
                      "set_type", "repetitions", "weight")),
    "event": frozenset(("timestamp", "event", "event_type")),
    "length": frozenset(("start_time", "total_elapsed_time", "length_type")),
    "hr": frozenset(("timestamp", "fractional_timestamp", "event_timestamp", "filtered_bpm")),
    "hrv": frozenset(("time",)),
    "time_in_zone": frozenset((
        "reference_mesg", "reference_index", "hr_zone_high_boundary", "time_in_hr_zone",
        "power_zone_high_boundary", "time_in_power_zone", "threshold_heart_rate",
        "max_heart_rate", "resting_heart_rate", "functional_threshold_power")),
    "file_id": frozenset(("manufacturer", "product", "product_name")),
    "zones_target": frozenset(("threshold_heart_rate", "functional_threshold_power",
                               "max_heart_rate")),
    "user_profile": frozenset(("default_max_heart_rate", "resting_heart_rate")),
    "activity": frozenset(("timestamp", "local_timestamp")),
    "sport": frozenset(("sport", "sub_sport")),
}

#: Default largest number of sessions read from one FIT file (:func:`build_activities`).
MAX_SESSIONS = 1000


def build_activities(
    raw: RawInput, decoded: DecodedFit, max_sessions: int = MAX_SESSIONS
) -> list[Activity]:
    """Turn decoded messages into one activity per session, at most ``max_sessions`` (the
    first ones; the others and what they own are dropped, and the first session's warnings
    say so once, naming the file and how many were dropped).

    Each message kind is split by session once, so an activity costs the same whatever the
    number of sessions in the file (a damaged file can hold thousands).
    """
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
    capped = (too_many_sessions(raw.source, len(sessions), max_sessions),) \
        if len(sessions) > max_sessions else ()
    starts = np.array([s["start_time"] for s in sessions], dtype=np.float64)
    split = SessionSplit(messages, record_times, starts, min_time, decoded.warnings)
    device, thresholds, offset = _device(messages), _thresholds(messages), _utc_offset_s(messages)
    activities = []
    for index, session in enumerate(sessions[:max_sessions]):
        span = (session["start_time"], _session_end(session))
        samples, sample_warnings = _samples(
            records, record_times, split.records[index], split.hr_beats(index, span)
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
            warnings=(capped if index == 0 else ()) + tuple(decoded.warnings + sample_warnings),
        )
        activities.append(
            Activity(
                meta=meta,
                samples=samples,
                pauses=split.pauses(index, span),
                laps=split.laps(index),
                sets=split.sets(index),
                device_summary=_device_summary(session, split.time_in_zone(session), thresholds),
                rr=heartbeats.rr_table(split.rr_beats(index, span)),
            )
        )
    return activities


def too_many_sessions(source: str, found: int, max_sessions: int) -> str:
    """The warning of a file with more sessions than the cap."""
    return (f"{source} holds {found:,} sessions, more than the {max_sessions:,} lactlog reads "
            f"from one file (setting max_sessions_per_file): the first {max_sessions:,} are "
            f"read, the other {found - max_sessions:,} and their records dropped — is the file "
            "damaged?")


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
    present = [name for name in _SESSION_FIELDS if name in columns]
    sessions: list[dict[str, Any]] = []
    for row in range(_length(columns)):
        session: dict[str, Any] = {name: _first(columns, name, row) for name in present}
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


def _samples(
    records: Columns, times: np.ndarray, mask: np.ndarray, beats: Beats
) -> tuple[Table, list[str]]:
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
    table, repairs = build_sample_table(fit_ns(times[mask]), columns)
    times_ns = table.index_ns
    assert times_ns is not None  # samples always have times
    merged = heartbeats.heart_rate_rows(fit_seconds(times_ns), table.get("heart_rate_bpm"), beats)
    if merged is None:
        return table, channel_warnings(columns) + repairs
    row_s, heart_rate = merged
    row_ns = fit_ns(row_s)
    spread = {name: _on_rows(values, times_ns, row_ns) for name, values in table.columns.items()}
    spread["heart_rate_bpm"] = heart_rate
    table = Table({c: spread[c] for c in SAMPLE_COLUMNS if c in spread}, index_ns=row_ns)
    return table, channel_warnings({**columns, "heart_rate_bpm": heart_rate}) + repairs


def _on_rows(values: np.ndarray, times_ns: np.ndarray, rows_ns: np.ndarray) -> np.ndarray:
    """``values`` at ``times_ns`` put on the sorted ``rows_ns`` (NaN at rows without a value)."""
    out = np.full(len(rows_ns), np.nan)
    position = np.minimum(np.searchsorted(rows_ns, times_ns), max(len(rows_ns) - 1, 0))
    exact = rows_ns[position] == times_ns if len(rows_ns) else np.zeros(0, dtype=bool)
    out[position[exact]] = values[exact]
    return out


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
    session: dict[str, Any], time_in_zone: tuple[TimeInZone, ...],
    thresholds: dict[str, float | None],
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
        time_in_zone=time_in_zone,
        **thresholds,
    )

