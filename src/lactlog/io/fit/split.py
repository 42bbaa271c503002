"""A FIT file's messages split by session, once per file.

Every message kind (records, hr/hrv beats, timer events, pool lengths, laps, sets,
``time_in_zone``) is assigned to its session in one sort (:func:`rows_by_session`), so building
one activity costs the same whatever the number of sessions: a damaged file can hold thousands
(issue 14 class 4: before this, each session scanned every message of the file, 40k one-record
sessions took 45 s).
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

from lactlog.io.fit import heartbeats, profile
from lactlog.io.fit.columns import column as _column
from lactlog.io.fit.columns import first as _first
from lactlog.io.fit.columns import fit_ns, fit_times
from lactlog.io.fit.columns import length as _length
from lactlog.io.fit.decode import Columns
from lactlog.io.fit.heartbeats import Beats
from lactlog.model import LAP_COLUMNS, SET_COLUMNS, TimeInZone
from lactlog.table import Table


def rows_by_session(times: np.ndarray, starts: np.ndarray) -> list[np.ndarray]:
    """Row numbers of ``times`` per session (ascending): session *i* owns the rows whose time
    is at or after its start and before the next one's (:func:`session_of`; NaN times go to
    the last session). One sort for all sessions."""
    if len(starts) == 1:  # most files: every row is the one session's
        return [np.arange(len(times))]
    owner = session_of(times, starts)
    order = np.argsort(owner, kind="stable")
    bounds = np.searchsorted(owner[order], np.arange(len(starts) + 1))
    return [order[low:high] for low, high in itertools.pairwise(bounds)]


class SessionSplit:
    """A file's messages split by session once (records, beats, timer pauses, pool lengths,
    laps, sets, time in zone); the methods give one session's share."""

    def __init__(
        self, messages: dict[str, Columns], record_times: np.ndarray, starts: np.ndarray,
        min_time: float, warnings: list[str],
    ) -> None:
        self._hr = heartbeats.file_hr_beats(messages.get("hr", {}), min_time, warnings)
        self._rr = heartbeats.file_rr_beats(messages.get("hrv", {}), min_time)
        self._timer = _timer_pauses(messages.get("event", {}), min_time)
        self._lengths = _active_lengths(messages.get("length", {}), min_time)
        self._laps = _lap_columns(messages.get("lap", {}), min_time)
        self._sets = _set_columns(messages.get("set", {}), min_time)
        self._time_in_zone = _time_in_zone_by_index(messages.get("time_in_zone", {}))
        self.records = rows_by_session(record_times, starts)
        none = np.empty(0)
        self._rows = {
            name: rows_by_session(times, starts) for name, times in (
                ("hr", self._hr.time_s), ("rr", self._rr.time_s), ("timer", self._timer[:, 0]),
                ("lengths", self._lengths[:, 0]), ("laps", self._laps.get("start", none)),
                ("sets", self._sets.get("start", none)),
            )
        }

    def _beats(self, beats: Beats, rows: np.ndarray, span: tuple[float, float]) -> Beats:
        return Beats(beats.time_s[rows], beats.value[rows]).within(*span)

    def hr_beats(self, index: int, span: tuple[float, float]) -> Beats:
        return self._beats(self._hr, self._rows["hr"][index], span)

    def rr_beats(self, index: int, span: tuple[float, float]) -> Beats:
        return self._beats(self._rr, self._rows["rr"][index], span)

    def pauses(self, index: int, span: tuple[float, float]) -> Table | None:
        return _pauses(self._timer[self._rows["timer"][index]],
                       _rest_outside_lengths(self._lengths[self._rows["lengths"][index]], span))

    def laps(self, index: int) -> Table | None:
        return _table_rows(self._laps, self._rows["laps"][index], LAP_COLUMNS)

    def sets(self, index: int) -> Table | None:
        return _table_rows(self._sets, self._rows["sets"][index], SET_COLUMNS)

    def time_in_zone(self, session: dict[str, Any]) -> tuple[TimeInZone, ...]:
        """The device's ``time_in_zone`` messages that refer to this session (all that refer
        to a session when it has no ``message_index``)."""
        index = session.get("message_index")
        if index is None:
            return self._time_in_zone.get("all", ())
        return self._time_in_zone.get(index, ())


def session_of(times: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Index of the session each time belongs to: the last one started at or before it."""
    return np.maximum(np.searchsorted(starts, times, side="right") - 1, 0)


def _pauses(timer: np.ndarray, rest: np.ndarray) -> Table | None:
    """A session's timer pauses (:func:`_timer_pauses`) and pool-swim rest
    (:func:`_rest_outside_lengths`), both (n, 2) [FIT s], in order of start (see
    :attr:`lactlog.model.Activity.pauses`); None without any (the empty default)."""
    starts = np.concatenate([timer[:, 0], rest[:, 0]])
    if not starts.size:
        return None
    order = np.argsort(starts, kind="stable")
    ends = np.concatenate([timer[:, 1], rest[:, 1]])[order]
    return Table({"start": fit_ns(starts[order]), "end": fit_ns(ends)},
                 time_columns=frozenset({"start", "end"}))


def _active_lengths(lengths: Columns, min_time: float) -> np.ndarray:
    """(start, end) [FIT s] of the file's active pool lengths that last, (n, 2).

    A length runs from ``start_time`` for ``total_elapsed_time`` (its ``timestamp`` is often
    written minutes later, at the end of the interval).
    """
    starts = fit_times(_column(lengths, "start_time"), min_time)
    ends = fit_times(starts + _column(lengths, "total_elapsed_time"), min_time)  # NaN if absurd
    active = _column(lengths, "length_type") == profile.enum_code("length_type", "active")
    keep = active & (ends > starts)
    return np.column_stack([starts[keep], ends[keep]]).reshape(-1, 2)


def _rest_outside_lengths(lengths: np.ndarray, span: tuple[float, float]) -> np.ndarray:
    """(start, end) [FIT s] of a session's time outside its active pool ``lengths``, (n, 2).

    In a session with active lengths (:func:`_active_lengths`), the rest is every stretch of
    ``span`` (session start, end) that no active length covers: idle lengths (``length_type``
    idle, rest at the wall), before the first and after the last length, and the fractions of
    a second between consecutive lengths.
    """
    if not len(lengths):
        return np.empty((0, 2))
    order = np.argsort(lengths[:, 0], kind="stable")
    starts, ends = lengths[order, 0], np.maximum.accumulate(lengths[order, 1])
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


def _lap_columns(laps: Columns, min_time: float) -> dict[str, np.ndarray]:
    """The file's laps as :data:`LAP_COLUMNS` arrays (``start`` in FIT s); {} without laps."""
    starts = fit_times(_column(laps, "start_time"), min_time)
    if not starts.size:
        return {}
    fields = ("total_elapsed_time", "total_timer_time", "total_distance", "avg_heart_rate",
              "max_heart_rate", "avg_power")
    return {"start": starts, **{name: _column(laps, field)
                                for name, field in zip(LAP_COLUMNS[1:], fields)}}


def _set_columns(sets: Columns, min_time: float) -> dict[str, np.ndarray]:
    """The file's strength sets from FIT ``set`` messages (global 225) as :data:`SET_COLUMNS`
    arrays (``start`` in FIT s, names as object arrays); {} without sets."""
    starts = fit_times(_column(sets, "start_time"), min_time)
    if not starts.size:
        return {}
    if np.isnan(starts).all():  # some devices only fill the timestamp (the set's end)
        ends = fit_times(_column(sets, "timestamp"), min_time)
        starts = ends - np.nan_to_num(_column(sets, "duration"))
    category = _column(sets, "category", first_element=True)
    subtype = _column(sets, "category_subtype", first_element=True)
    categories = [profile.enum_name("exercise_category", c) for c in category]
    names = [profile.exercise_name(c, s) for c, s in zip(categories, subtype)]
    types = [profile.enum_name("set_type", t) for t in _column(sets, "set_type")]
    return {
        "start": starts,
        "duration_s": _column(sets, "duration"),
        "set_type": np.array(types, dtype=object),
        "repetitions": _column(sets, "repetitions"),
        "weight_kg": _column(sets, "weight"),
        "exercise_category": np.array(categories, dtype=object),
        "exercise_name": np.array(names, dtype=object),
    }


def _table_rows(
    columns: dict[str, np.ndarray], rows: np.ndarray, names: tuple[str, ...]
) -> Table | None:
    """One session's ``rows`` of :func:`_lap_columns`/:func:`_set_columns` as a table (rows
    without a start left out); None (the empty default) when the file has none at all."""
    if not columns:
        return None
    rows = rows[~np.isnan(columns["start"][rows])]
    table = {name: columns[name][rows] for name in names}
    table["start"] = fit_ns(table["start"])
    return Table(table, time_columns=frozenset({"start"}))


def _time_in_zone_by_index(columns: Columns) -> dict[float | str, tuple[TimeInZone, ...]]:
    """The device's ``time_in_zone`` messages that refer to a session, by the session's
    ``message_index`` (their ``reference_index``), and all of them under ``"all"`` (for a
    session without ``message_index``)."""
    session_number = profile.message_number("session")
    found: dict[float | str, list[TimeInZone]] = {"all": []}
    for row in range(_length(columns)):
        if _first(columns, "reference_mesg", row) != session_number:
            continue
        reference_index = _first(columns, "reference_index", row)
        zone = TimeInZone(
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
        found["all"].append(zone)
        if reference_index is not None:
            found.setdefault(reference_index, []).append(zone)
    return {key: tuple(zones) for key, zones in found.items()}


def _array(columns: Columns, name: str, row: int) -> tuple[float, ...]:
    values = columns.get(name)
    if values is None or values.dtype == object or row >= len(values):
        return ()
    cells = np.atleast_1d(values[row]).astype(np.float64)
    return tuple(float(v) for v in cells[~np.isnan(cells)])
