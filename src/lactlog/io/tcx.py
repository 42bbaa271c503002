"""Garmin Training Center XML (TCX) reader.

The document is streamed (:mod:`lactlog.io.xmlstream`: no DTD, bounded depth and tokens) and
matched on *local* tag names only, because TCX files in the wild use several namespace URIs (and
prefixes such as ``ns3``/``TPX`` for the ActivityExtension). One ``<Activity>`` (also inside a
``MultiSportSession``) becomes one :class:`~lactlog.model.Activity`.

Trackpoint fields (unit as in the TCX schema, which is already SI):
``Time``, ``HeartRateBpm/Value`` [bpm], ``Cadence`` [rpm], ``DistanceMeters`` [m],
``AltitudeMeters`` [m], ``Position/LatitudeDegrees``, ``LongitudeDegrees`` [deg], and from the
extension ``TPX``: ``Speed`` [m/s], ``Watts`` [W], ``RunCadence`` [steps/min per foot, used when
``Cadence`` is absent]. A field is looked for anywhere inside ``Activity/Lap/Track/Trackpoint``.

Memory: what is kept while parsing is 80 bytes per timed trackpoint (see
:mod:`lactlog.io.xmlcommon`) and 48 bytes per lap of the current activity (at most
:data:`MAX_LAPS`), never the document.
"""

from __future__ import annotations

from array import array
from dataclasses import replace

import numpy as np
import pandas as pd

from lactlog.errors import EmptyFileError
from lactlog.io.common import RawInput
from lactlog.io.xmlcommon import (
    MAX_SESSIONS,
    PointColumns,
    TimeColumn,
    build_activity,
    manufacturer_from_name,
    sessions_left_out,
    to_float,
)
from lactlog.io.xmlstream import stream_xml
from lactlog.model import LAP_COLUMNS, Activity, ActivityMeta, DeviceSummary, empty_frame

_TCX_FIELDS: tuple[str, ...] = (
    "heart_rate_bpm",
    "power_w",
    "speed_mps",
    "cadence_rpm",
    "run_cadence",
    "distance_m",
    "altitude_m",
    "lat_deg",
    "lon_deg",
)
_TIME = -1
_TCX_SLOTS: dict[str, int] = {
    "Time": _TIME,
    "Value": 0,  # HeartRateBpm/Value, the only <Value> a Trackpoint has
    "Watts": 1,
    "Speed": 2,
    "Cadence": 3,
    "RunCadence": 4,
    "DistanceMeters": 5,
    "AltitudeMeters": 6,
    "LatitudeDegrees": 7,
    "LongitudeDegrees": 8,
}
_TCX_SPORTS: dict[str, str] = {"running": "running", "biking": "cycling", "other": "generic"}
#: Lap values, in the order of the lap row: direct children of ``<Lap>``, then the ``<Value>``
#: of its first Average/MaximumHeartRateBpm, then the first ``AvgWatts`` in its Extensions.
_LAP_FIELDS: dict[str, int] = {"TotalTimeSeconds": 0, "DistanceMeters": 1}
_LAP_HEART_RATES: dict[str, int] = {"AverageHeartRateBpm": 2, "MaximumHeartRateBpm": 3}
_LAP_WATTS = 4
_N_LAP = 5
#: Most laps kept per activity; the trackpoints of further laps are still read.
MAX_LAPS = 10_000
# Text targets other than a trackpoint slot.
_PRODUCT = -2
_LAP = 100  # + index in the lap row


def read_tcx(raw: RawInput, max_sessions: int = MAX_SESSIONS) -> list[Activity]:
    """Read a TCX file: one Activity per ``<Activity>`` (session_index 0, 1, ...).

    Activities without any timed trackpoint are left out, as are activities beyond the first
    ``max_sessions`` (default :data:`~lactlog.io.xmlcommon.MAX_SESSIONS`; with a warning).

    Raises
    ------
    CorruptFileError, UnsupportedFormatError
        Malformed XML, a DOCTYPE/ENTITY declaration, nesting or tokens beyond the limits of
        :mod:`lactlog.io.xmlstream`, or a root that is not a TCX database.
    EmptyFileError
        No trackpoint with a time in the whole file.
    """
    handler = _TcxHandler(raw, max_sessions)
    stream_xml(raw, "TCX", "TrainingCenterDatabase", handler)
    if not handler.activities:
        raise EmptyFileError("no trackpoints with a time")
    sessions_left_out(handler.activities, handler.left_out, "<Activity>", max_sessions)
    return handler.activities


class _ActivityState:
    """What is collected of the current ``<Activity>``."""

    def __init__(self, sport: str | None) -> None:
        self.sport = sport
        self.points = PointColumns(len(_TCX_FIELDS))
        self.lap_starts = TimeColumn()
        self.lap_values = array("d")
        self.lap_row = [float("nan")] * _N_LAP
        self.lap_seen: set[str] = set()
        self.laps_left_out = 0
        self.creator_seen = False
        self.name_seen = False
        self.product: str | None = None


class _TcxHandler:
    """Event handler of :func:`~lactlog.io.xmlstream.stream_xml`: a state machine over the
    depths of the open elements that matter (0: no such element is open)."""

    def __init__(self, raw: RawInput, max_sessions: int) -> None:
        self.raw = raw
        self.max_sessions = max_sessions
        self.activities: list[Activity] = []
        self.left_out = 0
        self.state: _ActivityState | None = None
        self.activity = self.lap = self.track = self.point = 0
        self.creator = self.lap_hr = self.extensions = 0
        self.lap_hr_index = 0
        self.target = 0  # where the next text goes: a slot, _TIME, _PRODUCT or _LAP + index

    def start(self, name: str, attributes: dict[str, str], depth: int) -> bool:
        if self.point:  # any descendant of a trackpoint
            slot = _TCX_SLOTS.get(name)
            if slot is None:
                return False
            self.target = slot
            return True
        if not self.activity:
            if name == "Activity":
                self._begin_activity(attributes, depth)
            return False
        state = self.state
        if state is None:  # an activity beyond MAX_SESSIONS
            return False
        if depth == self.activity + 1:
            if name == "Lap":
                self.lap = depth
                if len(state.lap_starts) < MAX_LAPS:
                    state.lap_starts.append(attributes.get("StartTime"))
                else:
                    state.laps_left_out += 1
                state.lap_row = [float("nan")] * _N_LAP
                state.lap_seen.clear()
            elif name == "Creator" and not state.creator_seen:
                state.creator_seen = True
                self.creator = depth
            return False
        if self.lap and depth == self.lap + 1:
            return self._lap_child(state, name, depth)
        if self.track and depth == self.track + 1 and name == "Trackpoint":
            self.point = depth
            state.points.begin()
        elif self.lap_hr and depth == self.lap_hr + 1 and name == "Value":
            return self._first(state, f"Value{self.lap_hr_index}", _LAP + self.lap_hr_index)
        elif self.extensions and name == "AvgWatts":
            return self._first(state, "AvgWatts", _LAP + _LAP_WATTS)
        elif self.creator and depth == self.creator + 1 and name == "Name" and not state.name_seen:
            state.name_seen = True
            self.target = _PRODUCT
            return True
        return False

    def _lap_child(self, state: _ActivityState, name: str, depth: int) -> bool:
        if name == "Track":
            self.track = depth
        elif name in _LAP_FIELDS:
            return self._first(state, name, _LAP + _LAP_FIELDS[name])
        elif name in _LAP_HEART_RATES:
            if name not in state.lap_seen:
                state.lap_seen.add(name)
                self.lap_hr = depth
                self.lap_hr_index = _LAP_HEART_RATES[name]
        elif name == "Extensions":
            self.extensions = depth
        return False

    def _first(self, state: _ActivityState, key: str, target: int) -> bool:
        """Ask for the text of the first element of its kind in the lap only."""
        if key in state.lap_seen:
            return False
        state.lap_seen.add(key)
        self.target = target
        return True

    def text(self, text: str) -> None:
        state = self.state
        assert state is not None
        target = self.target
        if target >= _LAP:
            state.lap_row[target - _LAP] = to_float(text)
        elif target >= 0:
            state.points.row[target] = to_float(text)
        elif target == _TIME:
            state.points.time = text
        else:
            state.product = text.strip() or None

    def end(self, name: str, depth: int) -> None:
        if depth == self.point:
            assert self.state is not None
            self.state.points.end()
            self.point = 0
        elif depth == self.track:
            self.track = 0
        elif depth == self.lap_hr:
            self.lap_hr = 0
        elif depth == self.extensions:
            self.extensions = 0
        elif depth == self.lap:
            state = self.state
            assert state is not None
            if len(state.lap_values) < _N_LAP * len(state.lap_starts):
                state.lap_values.extend(state.lap_row)
            self.lap = 0
        elif depth == self.creator:
            self.creator = 0
        elif depth == self.activity:
            self._end_activity()
            self.activity = 0

    def _begin_activity(self, attributes: dict[str, str], depth: int) -> None:
        self.activity = depth
        if len(self.activities) >= self.max_sessions:
            self.state = None
            self.left_out += 1
        else:
            self.state = _ActivityState(attributes.get("Sport"))

    def _end_activity(self) -> None:
        state, self.state = self.state, None
        if state is None:
            return
        points = state.points.finish()
        columns = {name: points.values[:, slot] for slot, name in enumerate(_TCX_FIELDS)}
        run_cadence = columns.pop("run_cadence")
        cadence = columns["cadence_rpm"]
        columns["cadence_rpm"] = np.where(np.isnan(cadence), run_cadence, cadence)
        meta = ActivityMeta(
            source=self.raw.source,
            sha256=self.raw.sha256,
            format="tcx",
            sport=_tcx_sport(state.sport),
            manufacturer=manufacturer_from_name(state.product),
            product=state.product,
            session_index=len(self.activities),
        )
        activity = build_activity(meta, points, columns)
        if activity is None:
            return
        activity.laps = _laps_frame(state)
        activity.device_summary = _summary_from_laps(activity.laps)
        if state.laps_left_out:
            note = (
                f"only the first {MAX_LAPS:,} laps were read ({state.laps_left_out:,} more left "
                "out; their trackpoints were read)"
            )
            activity.meta = replace(activity.meta, warnings=(*activity.meta.warnings, note))
        self.activities.append(activity)


def _tcx_sport(sport: str | None) -> str:
    """TCX ``Sport`` attribute (Running, Biking, Other) to a FIT sport name."""
    lowered = (sport or "").strip().lower()
    return _TCX_SPORTS.get(lowered, lowered or "generic")


def _laps_frame(state: _ActivityState) -> pd.DataFrame:
    """Laps frame (:data:`LAP_COLUMNS`); ``elapsed_s`` is NaN because TCX does not record it."""
    starts = state.lap_starts.finish()
    if not len(starts):
        return empty_frame(LAP_COLUMNS)
    values = np.frombuffer(state.lap_values, dtype=np.float64).reshape(len(starts), _N_LAP)
    frame = pd.DataFrame(
        {
            "start": pd.Series(starts),
            "elapsed_s": np.full(len(starts), np.nan),
            "timer_s": values[:, 0],
            "distance_m": values[:, 1],
            "avg_heart_rate_bpm": values[:, 2],
            "max_heart_rate_bpm": values[:, 3],
            "avg_power_w": values[:, 4],
        }
    )
    return frame[list(LAP_COLUMNS)]


def _summary_from_laps(laps: pd.DataFrame) -> DeviceSummary:
    """Session values from the laps: sums of timer/distance, time-weighted mean of lap average
    heart rate and power [bpm, W], maximum of lap maxima [bpm]."""
    timer = laps["timer_s"].to_numpy(dtype="float64")
    return DeviceSummary(
        timer_s=_finite_sum(timer),
        distance_m=_finite_sum(laps["distance_m"].to_numpy(dtype="float64")),
        avg_heart_rate_bpm=_weighted_mean(laps["avg_heart_rate_bpm"].to_numpy("float64"), timer),
        max_heart_rate_bpm=_finite_max(laps["max_heart_rate_bpm"].to_numpy("float64")),
        avg_power_w=_weighted_mean(laps["avg_power_w"].to_numpy("float64"), timer),
    )


def _finite_sum(values: np.ndarray) -> float | None:
    finite = values[np.isfinite(values)]
    return float(finite.sum()) if finite.size else None


def _finite_max(values: np.ndarray) -> float | None:
    finite = values[np.isfinite(values)]
    return float(finite.max()) if finite.size else None


def _weighted_mean(values: np.ndarray, weights_s: np.ndarray) -> float | None:
    """Mean of ``values`` weighted by lap durations [s]; plain mean when no lap has a duration."""
    known = np.isfinite(values)
    weighted = known & np.isfinite(weights_s) & (weights_s > 0)
    if weighted.any():
        return float(np.average(values[weighted], weights=weights_s[weighted]))
    return float(values[known].mean()) if known.any() else None
