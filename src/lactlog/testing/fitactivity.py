"""Write a complete FIT activity file from 1 Hz samples (for sample data and tests).

:func:`write_activity` produces what a Garmin watch or bike computer writes: ``file_id``,
``device_info``, optionally ``user_profile`` and ``zones_target``, timer ``event`` messages,
``record`` messages interleaved with ``lap`` (and pool ``length``) messages in time order,
``set`` messages,
``time_in_zone``, ``session`` and ``activity``; optionally a strap's stored beats as ``hr``
messages and RR intervals as ``hrv`` messages after the records. Session and lap summaries
(times, distance, averages, maxima) are computed from the samples so they agree with the
records; device-computed values that need a model (training effect, normalized power, TSS ...)
are passed in.

Conventions: each record stands for the second that starts at its timestamp, so a session's end is
one second after its last record and its timer time equals the number of records when recording
is 1 Hz. Pauses are ``(stop, start)`` UTC times; records inside a pause are dropped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from lactlog.model import TimeInZone
from lactlog.testing.fitprofile import ProfileEncoder, enum_value, profile_field
from lactlog.testing.fitwriter import SEMICIRCLES_PER_DEGREE, degrees_to_semicircles

RECORD_FIELDS: dict[str, str] = {
    "lat_deg": "position_lat",
    "lon_deg": "position_long",
    "distance_m": "distance",
    "altitude_m": "altitude",
    "speed_mps": "speed",
    "heart_rate_bpm": "heart_rate",
    "cadence_rpm": "cadence",
    "power_w": "power",
    "temperature_c": "temperature",
}
"""Canonical sample column → FIT ``record`` field, in the order fields are written."""

Pause = tuple[datetime, datetime]

_EVENT, _LAP, _RECORD, _HRV = 0, 1, 2, 3  # order of messages sharing a timestamp
#: ``event_timestamp`` ticks per second (scale 1024) and beats per ``event_timestamp_12``.
_TICKS_PER_S, _BEATS_PER_HR_MESSAGE = 1024, 8
#: RR intervals per ``hrv`` message (Garmin devices write arrays of five).
RR_PER_HRV_MESSAGE = 5


@dataclass(frozen=True)
class StrapBeats:
    """Beats a chest strap stored, written as FIT ``hr`` messages as Garmin devices do.

    Each beat in ``anchors`` (indices) gets an anchor message (``timestamp`` = its second,
    ``fractional_timestamp`` = the rest, one full ``event_timestamp``, one ``filtered_bpm``);
    the other beats go, up to eight at a time, into messages with ``event_timestamp_12`` (the
    low 12 bits of each beat's event_timestamp in 1/1024 s, packed little-endian) and
    ``filtered_bpm``. ``strap_clock_s`` is the strap's event_timestamp of the first beat [s]; the
    strap clock runs with UTC from there and wraps at 2³² ticks, like the uint32 field.
    """

    times: Sequence[datetime]
    bpm: Sequence[int]
    strap_clock_s: float = 100_000.0
    anchors: Sequence[int] = (0,)


def hr_messages(beats: StrapBeats) -> list[dict[str, Any]]:
    """Field values (by profile name) of the ``hr`` messages for ``beats``, in file order."""
    first = beats.times[0]
    ticks = [
        round((beats.strap_clock_s + (t - first).total_seconds()) * _TICKS_PER_S) % 2**32
        for t in beats.times
    ]
    messages: list[dict[str, Any]] = []
    pending: list[int] = []

    def flush() -> None:
        if pending:
            packed = sum((ticks[i] & 0xFFF) << (12 * j) for j, i in enumerate(pending))
            size = (12 * len(pending) + 7) // 8
            messages.append({
                "filtered_bpm": [beats.bpm[i] for i in pending],
                "event_timestamp_12": packed.to_bytes(size, "little"),
            })
            pending.clear()

    for i, moment in enumerate(beats.times):
        if i in beats.anchors:
            flush()
            second = moment.replace(microsecond=0)
            messages.append({
                "timestamp": second,
                "event_timestamp": [ticks[i] / _TICKS_PER_S],
                "fractional_timestamp": (moment - second).total_seconds(),
                "filtered_bpm": [beats.bpm[i]],
            })
            continue
        pending.append(i)
        if len(pending) == _BEATS_PER_HR_MESSAGE:
            flush()
    flush()
    return messages


@dataclass(frozen=True)
class LapSpec:
    """A lap from ``start`` (inclusive) to ``end`` (exclusive), UTC; ``intensity`` and ``trigger``
    are FIT profile names (``active``/``warmup``/``cooldown``/``recovery``..., ``manual``...)."""

    start: datetime
    end: datetime
    intensity: str = "active"
    trigger: str = "manual"


@dataclass(frozen=True)
class LengthSpec:
    """A pool length from ``start`` (inclusive) to ``end`` (exclusive), UTC; ``length_type`` is
    ``active`` (swimming) or ``idle`` (rest at the wall), as Garmin watches write them."""

    start: datetime
    end: datetime
    length_type: str = "active"


@dataclass(frozen=True)
class AthleteSettings:
    """The athlete's device settings, written to ``user_profile`` and ``zones_target``."""

    threshold_heart_rate_bpm: int | None = None
    functional_threshold_power_w: int | None = None
    max_heart_rate_bpm: int | None = None
    resting_heart_rate_bpm: int | None = None
    weight_kg: float | None = None


@dataclass(frozen=True)
class DeviceSpec:
    """The recording device: ``manufacturer`` a FIT manufacturer name, ``product`` a product
    name from ``<manufacturer>_product`` (e.g. ``fr965``) or a product id."""

    manufacturer: str = "garmin"
    product: str | int = "fr965"
    serial_number: int = 3_400_000_001
    software_version: float = 20.26


def write_activity(
    samples: pd.DataFrame,
    *,
    sport: str = "running",
    sub_sport: str = "generic",
    device: DeviceSpec = DeviceSpec(),
    pauses: Sequence[Pause] = (),
    laps: Sequence[LapSpec] = (),
    sets: pd.DataFrame | None = None,
    session: Mapping[str, Any] | None = None,
    time_in_zone: TimeInZone | None = None,
    athlete: AthleteSettings | None = None,
    utc_offset_s: int = 0,
    strap_beats: StrapBeats | None = None,
    rr_intervals: Sequence[tuple[datetime, Sequence[float | None]]] = (),
    lengths: Sequence[LengthSpec] = (),
) -> bytes:
    """FIT bytes of one activity.

    Parameters
    ----------
    samples : DataFrame
        UTC ``DatetimeIndex``; any of the columns of :data:`RECORD_FIELDS` (canonical units:
        bpm, W, m/s, rpm, m, degrees, °C). NaN values are written as invalid.
    sport, sub_sport : str
        FIT profile names (``running``/``generic``, ``training``/``strength_training`` ...).
    pauses : sequence of (stop, start)
        Timer pauses, written as ``timer stop_all`` / ``timer start`` events.
    laps : sequence of LapSpec
        Laps; one lap over the whole session when empty.
    sets : DataFrame, optional
        Strength sets with the columns of :data:`lactlog.model.SET_COLUMNS`.
    session : mapping, optional
        Extra ``session`` fields by FIT profile name in physical units (e.g.
        ``{"normalized_power": 251, "training_stress_score": 95.3}``); they override the values
        computed from the samples.
    time_in_zone : TimeInZone, optional
        Written as a ``time_in_zone`` message referring to the session.
    athlete : AthleteSettings, optional
        Written as ``user_profile`` and ``zones_target``.
    utc_offset_s : int
        Local time minus UTC [s], stored as the activity's ``local_timestamp``.
    strap_beats : StrapBeats, optional
        Written as ``hr`` messages after the records (:func:`hr_messages`).
    rr_intervals : sequence of (time, intervals)
        Each an ``hrv`` message written right after the record at ``time``; ``intervals`` are
        RR intervals [s] (``None`` = invalid), padded to five with invalid values.
    lengths : sequence of LengthSpec
        Pool lengths, each a ``length`` message at its end (pool swims).
    """
    samples = _drop_paused(samples, pauses)
    start = samples.index[0].to_pydatetime()
    end = samples.index[-1].to_pydatetime() + timedelta(seconds=1)
    laps = tuple(laps) or (LapSpec(start, end, trigger="session_end"),)
    enc = ProfileEncoder()
    _write_header_messages(enc, device, start, athlete)
    timed = _timed_messages(samples, pauses, laps, sport, start, end)
    timed += [(t, _HRV, "hrv", {"time": _rr_array(rr)}) for t, rr in rr_intervals]
    timed += [(length.end, _LAP, "length", _length_fields(length, i))
              for i, length in enumerate(lengths)]
    for _, _, name, values in sorted(timed, key=lambda m: (m[0], m[1])):
        enc.message(name, values)
    for values in hr_messages(strap_beats) if strap_beats is not None else ():
        enc.message("hr", values)
    for index, row in enumerate(() if sets is None else sets.itertuples(index=False)):
        enc.message("set", _set_fields(row, index))
    if time_in_zone is not None:
        enc.message("time_in_zone", _present(_time_in_zone_fields(time_in_zone, end)))
    fields = _session_fields(samples, pauses, start, end, sport, sub_sport, len(laps))
    enc.message("session", _present({**fields, **(session or {})}))
    enc.message("activity", _activity_fields(end, fields["total_timer_time"], utc_offset_s))
    return enc.to_bytes()


def fit_resolution(samples: pd.DataFrame) -> pd.DataFrame:
    """``samples`` rounded to what a FIT ``record`` stores (the profile's scale and offset;
    positions to the semicircle grid), so values read back from a written file equal them."""
    out = samples.copy()
    for column, name in RECORD_FIELDS.items():
        if column not in out:
            continue
        values = out[column].astype(float)
        if name.startswith("position_"):
            out[column] = np.round(values * SEMICIRCLES_PER_DEGREE) / SEMICIRCLES_PER_DEGREE
            continue
        field = profile_field("record", name)
        scale, offset = field.scale or 1, field.offset or 0
        out[column] = np.round((values + offset) * scale) / scale - offset
    return out


def time_in_zones(
    values: pd.Series, zone_high: Sequence[float], sample_s: float = 1.0
) -> tuple[float, ...]:
    """Time per zone [s] of heart rate [bpm] or power [W]: zone *i* holds values ≤
    ``zone_high[i]`` (and above the previous boundary); the last of the ``len(zone_high) + 1``
    times is the time above the last boundary. Each non-NaN sample counts ``sample_s`` seconds."""
    data = values.dropna().to_numpy()
    zone = np.searchsorted(np.asarray(zone_high, dtype=float), data, side="left")
    counts = np.bincount(zone, minlength=len(zone_high) + 1)
    return tuple(float(c) * sample_s for c in counts)


def _activity_fields(end: datetime, timer_s: float, utc_offset_s: int) -> dict[str, Any]:
    """The closing ``activity`` message: one session, ended at ``end``, with its local time."""
    return {
        "timestamp": end,
        "total_timer_time": timer_s,
        "num_sessions": 1,
        "type": "manual",
        "event": "activity",
        "event_type": "stop",
        "local_timestamp": (end + timedelta(seconds=utc_offset_s)).replace(tzinfo=None),
    }


def _rr_array(intervals: Sequence[float | None]) -> list[float | None]:
    """RR intervals [s] padded with invalid values to one ``hrv.time`` array."""
    values = list(intervals)
    if len(values) > RR_PER_HRV_MESSAGE:
        raise ValueError(f"an hrv message holds at most {RR_PER_HRV_MESSAGE} RR intervals")
    return values + [None] * (RR_PER_HRV_MESSAGE - len(values))


def _drop_paused(samples: pd.DataFrame, pauses: Sequence[Pause]) -> pd.DataFrame:
    keep = np.ones(len(samples), dtype=bool)
    for stop, restart in pauses:
        keep &= ~((samples.index >= stop) & (samples.index < restart))
    return samples[keep]


def _paused_s(pauses: Sequence[Pause], start: datetime, end: datetime) -> float:
    """Seconds of the pauses that fall inside [start, end)."""
    overlap = (min(end, restart) - max(start, stop) for stop, restart in pauses)
    return sum(max(o.total_seconds(), 0.0) for o in overlap)


def _write_header_messages(
    enc: ProfileEncoder, device: DeviceSpec, start: datetime, athlete: AthleteSettings | None
) -> None:
    product = device.product
    if isinstance(product, str):
        product = enum_value(f"{device.manufacturer}_product", product)
    ids = {
        "manufacturer": device.manufacturer,
        "product": product,
        "serial_number": device.serial_number,
    }
    enc.message("file_id", {"type": "activity", **ids, "time_created": start})
    enc.message(
        "device_info",
        {
            "timestamp": start,
            "device_index": "creator",
            **ids,
            "software_version": device.software_version,
            "source_type": "local",
        },
    )
    if athlete is None:
        return
    enc.message(
        "user_profile",
        _present(
            {
                "weight": athlete.weight_kg,
                "resting_heart_rate": athlete.resting_heart_rate_bpm,
                "default_max_heart_rate": athlete.max_heart_rate_bpm,
            }
        ),
    )
    enc.message(
        "zones_target",
        _present(
            {
                "max_heart_rate": athlete.max_heart_rate_bpm,
                "threshold_heart_rate": athlete.threshold_heart_rate_bpm,
                "functional_threshold_power": athlete.functional_threshold_power_w,
                "hr_calc_type": "percent_lthr" if athlete.threshold_heart_rate_bpm else None,
                "pwr_calc_type": "percent_ftp" if athlete.functional_threshold_power_w else None,
            }
        ),
    )


def _timed_messages(
    samples: pd.DataFrame,
    pauses: Sequence[Pause],
    laps: Sequence[LapSpec],
    sport: str,
    start: datetime,
    end: datetime,
) -> list[tuple]:
    """(time, order, message name, fields) for events, records and laps."""
    timer = [(start, "start")]
    for stop, restart in pauses:
        timer += [(stop, "stop_all"), (restart, "start")]
    timer.append((end, "stop_all"))
    out: list[tuple] = [
        (
            t,
            _EVENT,
            "event",
            {"timestamp": t, "event": "timer", "event_type": kind, "data": 0, "event_group": 0},
        )
        for t, kind in timer
    ]
    out += [(t, _RECORD, "record", fields) for t, fields in _record_fields(samples)]
    for index, lap in enumerate(laps):
        fields = {
            "timestamp": lap.end,
            "message_index": index,
            **_summary_fields(samples, pauses, lap.start, lap.end),
            "event": "lap",
            "event_type": "stop",
            "intensity": lap.intensity,
            "lap_trigger": lap.trigger,
            "sport": sport,
        }
        out.append((lap.end, _LAP, "lap", fields))
    return out


def _length_fields(length: LengthSpec, index: int) -> dict[str, Any]:
    duration_s = (length.end - length.start).total_seconds()
    return {
        "timestamp": length.end,
        "message_index": index,
        "start_time": length.start,
        "total_elapsed_time": duration_s,
        "total_timer_time": duration_s,
        "event": "length",
        "event_type": "stop",
        "length_type": length.length_type,
    }


def _record_fields(samples: pd.DataFrame) -> list[tuple[datetime, dict[str, Any]]]:
    columns = [c for c in RECORD_FIELDS if c in samples.columns]
    frame = samples[columns].astype(float)
    for col in ("lat_deg", "lon_deg"):
        if col in frame:
            frame[col] = [None if np.isnan(v) else degrees_to_semicircles(v) for v in frame[col]]
    names = [RECORD_FIELDS[c] for c in columns]
    out = []
    for t, row in zip(samples.index, frame.itertuples(index=False)):
        moment = t.to_pydatetime()
        out.append((moment, {"timestamp": moment, **dict(zip(names, row))}))
    return out


def _summary_fields(
    samples: pd.DataFrame, pauses: Sequence[Pause], start: datetime, end: datetime
) -> dict[str, Any]:
    """Fields shared by lap and session, computed from the samples in [start, end)."""
    window = samples[(samples.index >= start) & (samples.index < end)]
    elapsed_s = (end - start).total_seconds()
    fields: dict[str, Any] = {
        "start_time": start,
        "total_elapsed_time": elapsed_s,
        "total_timer_time": elapsed_s - _paused_s(pauses, start, end),
    }
    if "lat_deg" in window and window["lat_deg"].notna().any():
        first = window[["lat_deg", "lon_deg"]].dropna().iloc[0]
        fields["start_position_lat"] = degrees_to_semicircles(first["lat_deg"])
        fields["start_position_long"] = degrees_to_semicircles(first["lon_deg"])
    if "distance_m" in window:
        before = samples.loc[samples.index < start, "distance_m"].dropna()
        fields["total_distance"] = window["distance_m"].max() - (
            before.iloc[-1] if len(before) else 0.0
        )
    for column, name in (
        ("speed_mps", "speed"),
        ("heart_rate_bpm", "heart_rate"),
        ("cadence_rpm", "cadence"),
        ("power_w", "power"),
    ):
        if column in window and window[column].notna().any():
            fields[f"avg_{name}"] = float(window[column].mean())
            fields[f"max_{name}"] = float(window[column].max())
    return fields


def _session_fields(
    samples: pd.DataFrame,
    pauses: Sequence[Pause],
    start: datetime,
    end: datetime,
    sport: str,
    sub_sport: str,
    num_laps: int,
) -> dict[str, Any]:
    return {
        "timestamp": end,
        "message_index": 0,
        **_summary_fields(samples, pauses, start, end),
        "event": "session",
        "event_type": "stop",
        "sport": sport,
        "sub_sport": sub_sport,
        "first_lap_index": 0,
        "num_laps": num_laps,
        "trigger": "activity_end",
    }


def _set_fields(row: Any, index: int) -> dict[str, Any]:
    """``set`` message fields from one row of a SET_COLUMNS frame."""
    start = pd.Timestamp(row.start).to_pydatetime()
    category = _none_if_nan(row.exercise_category)
    name = _none_if_nan(row.exercise_name)
    subtype = None
    if category is not None and name is not None:
        subtype = enum_value(f"{category}_exercise_name", name)
    weight = _none_if_nan(row.weight_kg)
    return {
        "timestamp": start + timedelta(seconds=float(row.duration_s)),
        "duration": float(row.duration_s),
        "repetitions": _none_if_nan(row.repetitions),
        "weight": weight,
        "set_type": row.set_type,
        "start_time": start,
        "category": category,
        "category_subtype": subtype,
        "weight_display_unit": "kilogram" if weight is not None else None,
        "message_index": index,
    }


def _time_in_zone_fields(zones: TimeInZone, end: datetime) -> dict[str, Any]:
    return {
        "timestamp": end,
        "reference_mesg": zones.reference,
        "reference_index": zones.reference_index,
        "time_in_hr_zone": list(zones.time_in_hr_zone_s) or None,
        "time_in_power_zone": list(zones.time_in_power_zone_s) or None,
        "hr_zone_high_boundary": list(zones.hr_zone_high_bpm) or None,
        "power_zone_high_boundary": list(zones.power_zone_high_w) or None,
        "hr_calc_type": "percent_lthr" if zones.threshold_heart_rate_bpm else None,
        "max_heart_rate": zones.max_heart_rate_bpm,
        "resting_heart_rate": zones.resting_heart_rate_bpm,
        "threshold_heart_rate": zones.threshold_heart_rate_bpm,
        "functional_threshold_power": zones.functional_threshold_power_w,
    }


def _present(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The fields that have a value (one-off messages leave absent fields out)."""
    return {k: v for k, v in fields.items() if _none_if_nan(v) is not None}


def _none_if_nan(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else value
