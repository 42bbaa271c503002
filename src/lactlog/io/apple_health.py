"""Apple Health export (``export.xml``, often several GB): workouts with their heart rate.

The document is streamed through expat in 1 MB chunks; no element tree is built. Memory holds
the workouts (a few hundred bytes each) and the heart-rate records as compact arrays (12 bytes
per record: int64 time [s] and float32 value [bpm]), never the document.

What is read (attributes as Apple writes them, HealthKit names):

* ``<Workout workoutActivityType= startDate= endDate= duration= durationUnit=
  totalDistance= totalDistanceUnit=>`` with its ``<WorkoutStatistics type= average= maximum=
  sum= unit=>`` children (heart rate average/maximum [count/min], distance sum [m, km, mi...]).
* ``<Record type="HKQuantityTypeIdentifierHeartRate" startDate= value=>`` [count/min]. Records
  and workouts are not ordered together (Apple writes all records first), so records are
  collected, sorted, and assigned to each workout's [start, end] span by binary search.
* Route files ``workout-routes/*.gpx`` beside the document (location only, no heart rate) are
  joined to the workout their time span overlaps most.

Dates look like ``2024-05-01 07:12:33 +0200``; the workout's offset becomes the session's UTC
offset. Hostile XML: like the TCX and GPX readers (:mod:`lactlog.io.xmlcommon`), entity
declarations are refused; Apple's DOCTYPE (element declarations only) is accepted, external
entities and DTDs are never loaded.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO
from xml.parsers import expat

import numpy as np
import pandas as pd

from lactlog.errors import CorruptFileError, EmptyFileError, InputError, UnsupportedFormatError
from lactlog.io.common import RawInput, build_samples
from lactlog.io.xmlcommon import ENTITIES_REFUSED, parse_utc_times
from lactlog.model import Activity, ActivityMeta, DeviceSummary

HEART_RATE = "HKQuantityTypeIdentifierHeartRate"
_CHUNK_BYTES = 1 << 20
_FLUSH_RECORDS = 1 << 14
#: Length units of ``totalDistanceUnit`` / statistics ``unit`` → metres.
_METRES_PER_UNIT = {"m": 1.0, "km": 1000.0, "mi": 1609.344, "yd": 0.9144, "ft": 0.3048}
#: Duration units → seconds.
_SECONDS_PER_UNIT = {"s": 1.0, "min": 60.0, "hr": 3600.0, "h": 3600.0}

#: HKWorkoutActivityType suffix → (FIT sport, sub_sport); anything else is ``generic``.
SPORTS: dict[str, tuple[str, str | None]] = {
    "Running": ("running", None),
    "Cycling": ("cycling", None),
    "HandCycling": ("cycling", "hand_cycling"),
    "Swimming": ("swimming", None),
    "Walking": ("walking", None),
    "Hiking": ("hiking", None),
    "Rowing": ("rowing", None),
    "TraditionalStrengthTraining": ("training", "strength_training"),
    "FunctionalStrengthTraining": ("training", "strength_training"),
    "HighIntensityIntervalTraining": ("training", "cardio_training"),
    "CrossTraining": ("training", "cardio_training"),
    "MixedCardio": ("training", "cardio_training"),
    "Yoga": ("training", "yoga"),
    "Pilates": ("training", "pilates"),
    "Elliptical": ("fitness_equipment", "elliptical"),
    "StairClimbing": ("fitness_equipment", "stair_climbing"),
    "CrossCountrySkiing": ("cross_country_skiing", None),
    "DownhillSkiing": ("alpine_skiing", None),
    "Snowboarding": ("snowboarding", None),
    "PaddleSports": ("paddling", None),
    "Climbing": ("rock_climbing", None),
    "Soccer": ("soccer", None),
    "Tennis": ("tennis", None),
    "Basketball": ("basketball", None),
    "Golf": ("golf", None),
    "Boxing": ("boxing", None),
}
_TYPE_PREFIX = "HKWorkoutActivityType"
_DISTANCE_PREFIX = "HKQuantityTypeIdentifierDistance"


@dataclass
class _Workout:
    """One ``<Workout>`` as read: its attributes and the statistics that matter."""

    attributes: dict[str, str]
    heart_rate_avg_bpm: float | None = None
    heart_rate_max_bpm: float | None = None
    distance_m: float | None = None


@dataclass
class _Collector:
    """Parser state: finished workouts, the open one, and heart-rate records in chunks."""

    workouts: list[_Workout] = field(default_factory=list)
    current: _Workout | None = None
    dates: list[str] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    times_s: list[np.ndarray] = field(default_factory=list)
    bpm: list[np.ndarray] = field(default_factory=list)
    n_records: int = 0

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if name == "Record":
            if attributes.get("type") == HEART_RATE:
                self.dates.append(attributes.get("startDate", ""))
                self.values.append(_number(attributes.get("value")))
                if len(self.dates) >= _FLUSH_RECORDS:
                    self.flush()
        elif name == "Workout":
            self.current = _Workout(attributes)
        elif name == "WorkoutStatistics" and self.current is not None:
            _add_statistics(self.current, attributes)

    def end(self, name: str) -> None:
        if name == "Workout" and self.current is not None:
            self.workouts.append(self.current)
            self.current = None

    def flush(self) -> None:
        """Turn the pending date strings into UTC seconds (vectorised) and drop bad ones."""
        if not self.dates:
            return
        seconds = _utc_seconds(self.dates)
        values = np.asarray(self.values, dtype=np.float32)
        keep = (seconds != _NAT) & np.isfinite(values)
        self.times_s.append(seconds[keep])
        self.bpm.append(values[keep])
        self.n_records += int(keep.sum())
        self.dates, self.values = [], []

    def heart_rate(self) -> tuple[np.ndarray, np.ndarray]:
        """All records sorted by time: (UTC seconds, bpm)."""
        self.flush()
        times = np.concatenate(self.times_s) if self.times_s else np.empty(0, np.int64)
        values = np.concatenate(self.bpm) if self.bpm else np.empty(0, np.float32)
        order = np.argsort(times, kind="stable")
        return times[order], values[order]


_NAT = np.iinfo(np.int64).min


def _utc_seconds(dates: list[str]) -> np.ndarray:
    """Apple date strings → UTC seconds since 1970 (int64; :data:`_NAT` where unreadable).

    Vectorised over the fixed layout ``YYYY-MM-DD HH:MM:SS ±HHMM`` (25 characters): digits are
    read as character codes, the day number comes from the proleptic Gregorian calendar
    ("days from civil", H. Hinnant, *chrono-Compatible Low-Level Date Algorithms*, 2013), and
    the offset is subtracted. Strings of any other layout go through pandas' parser.
    """
    text = np.array(dates, dtype="U26")
    codes = text.view(np.uint32).reshape(len(text), 26)
    digits = codes[:, _DIGITS].astype(np.int64) - 48
    layout = ((codes[:, [4, 7]] == 45).all(1) & (codes[:, [10, 19]] == 32).all(1)
              & (codes[:, [13, 16]] == 58).all(1) & np.isin(codes[:, 20], (43, 45))
              & (codes[:, 25] == 0) & ((digits >= 0) & (digits <= 9)).all(1))

    def number(*columns: int) -> np.ndarray:
        value = np.zeros(len(text), dtype=np.int64)
        for column in columns:
            value = value * 10 + digits[:, _DIGITS.index(column)]
        return value

    year, month, day = number(0, 1, 2, 3), number(5, 6), number(8, 9)
    hour, minute, second = number(11, 12), number(14, 15), number(17, 18)
    offset = number(21, 22) * 3600 + number(23, 24) * 60
    offset = np.where(codes[:, 20] == 45, -offset, offset)
    valid = (layout & (month >= 1) & (month <= 12) & (day >= 1) & (day <= 31) & (hour < 24)
             & (minute < 60) & (second < 61))
    shifted = year - (month <= 2)
    era = np.floor_divide(shifted, 400)
    year_of_era = shifted - era * 400
    day_of_year = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    days = era * 146097 + day_of_era - 719468
    seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset
    result = np.where(valid, seconds, _NAT)
    if not valid.all():
        result[~valid] = _pandas_seconds([dates[i] for i in np.flatnonzero(~valid)])
    return result


_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 21, 22, 23, 24]


def _pandas_seconds(dates: list[str]) -> np.ndarray:
    """Other layouts (ISO 8601, as the TCX/GPX readers parse it) → UTC seconds; :data:`_NAT`
    where unreadable or out of range."""
    nanoseconds = parse_utc_times(list(dates)).asi8
    return np.where(nanoseconds == _NAT, _NAT, nanoseconds // 1_000_000_000)


def _number(text: str | None) -> float:
    try:
        value = float(text) if text is not None else float("nan")
    except ValueError:
        return float("nan")
    return value if value - value == 0.0 else float("nan")


def _add_statistics(workout: _Workout, attributes: dict[str, str]) -> None:
    kind = attributes.get("type", "")
    if kind == HEART_RATE:
        workout.heart_rate_avg_bpm = _known(_number(attributes.get("average")))
        workout.heart_rate_max_bpm = _known(_number(attributes.get("maximum")))
    elif kind.startswith(_DISTANCE_PREFIX):
        metres = _METRES_PER_UNIT.get(attributes.get("unit", ""), float("nan"))
        workout.distance_m = _known(_number(attributes.get("sum")) * metres)


def _known(value: float) -> float | None:
    return None if math.isnan(value) else value


def parse(stream: IO[bytes]) -> tuple[_Collector, str]:
    """Stream the document through expat; the collector and the SHA-256 of the bytes read.

    Raises
    ------
    UnsupportedFormatError
        The document declares entities (refused like in TCX/GPX), or is not a HealthData export.
    CorruptFileError
        Malformed XML (line and column in the message).
    """
    collector = _Collector()
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    root: list[str] = []

    def refuse_entities(*_: object) -> None:
        raise UnsupportedFormatError(
            f"Apple Health export with an ENTITY declaration; {ENTITIES_REFUSED}"
        )

    def start(name: str, attributes: dict[str, str]) -> None:
        """The root element: check it, then hand every further element to the collector."""
        root.append(name)
        if name != "HealthData":
            raise UnsupportedFormatError(f"XML root is <{name}>, not an Apple Health <HealthData>")
        parser.StartElementHandler = collector.start

    parser.EntityDeclHandler = refuse_entities
    parser.ExternalEntityRefHandler = lambda *_: 0
    parser.StartElementHandler = start
    parser.EndElementHandler = collector.end
    digest = hashlib.sha256()
    try:
        while chunk := stream.read(_CHUNK_BYTES):
            digest.update(chunk)
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        reason = expat.ErrorString(exc.code)
        raise CorruptFileError(
            f"malformed Apple Health XML at line {exc.lineno}, column {exc.offset + 1} ({reason})"
        ) from None
    except (ValueError, LookupError) as exc:  # e.g. an unknown encoding declaration
        raise CorruptFileError(f"unreadable Apple Health XML ({exc})") from None
    if not root:
        raise EmptyFileError("the file is empty")
    return collector, digest.hexdigest()


def read_apple_health(
    stream: IO[bytes],
    source: str,
    routes: Callable[[], Iterable[RawInput]] = lambda: (),
) -> list[Activity]:
    """One Activity per ``<Workout>`` (in document order; one without a readable start date is
    left out), with the heart-rate records of its span as samples and, when a route overlaps
    it, the route's positions.

    ``routes`` yields the route GPX files (only called when there are workouts).

    Raises
    ------
    InputError
        See :func:`parse`; EmptyFileError when the export has no workouts.
    """
    collector, sha256 = parse(stream)
    workouts = [w for w in collector.workouts if _span_s(w)[0] != _NAT]  # no start: unplaceable
    if not workouts:
        raise EmptyFileError("the Apple Health export holds no workouts with a readable start")
    times_s, bpm = collector.heart_rate()
    spans = np.array([_span_s(w) for w in workouts], dtype=np.int64).reshape(-1, 2)
    route_frames = _routes_by_workout(routes(), spans)
    activities = []
    for index, workout in enumerate(workouts):
        start_s, end_s = spans[index]
        first = np.searchsorted(times_s, start_s, side="left")
        last = np.searchsorted(times_s, end_s, side="right")
        activities.append(
            _activity(workout, source, sha256, index, times_s[first:last], bpm[first:last],
                      route_frames.get(index))
        )
    return activities


def _span_s(workout: _Workout) -> tuple[int, int]:
    """(start, end) of a workout [UTC s]; the end from ``duration`` when ``endDate`` is absent."""
    start, end = _utc_seconds([workout.attributes.get("startDate", ""),
                               workout.attributes.get("endDate", "")])
    if start != _NAT and (end == _NAT or end < start):
        duration = _duration_s(workout.attributes)
        end = start + int(duration) if duration is not None else start
    return int(start), int(end)


def _duration_s(attributes: dict[str, str]) -> float | None:
    unit = _SECONDS_PER_UNIT.get(attributes.get("durationUnit", "min"), float("nan"))
    return _known(_number(attributes.get("duration")) * unit)


def _offset_s(date: str | None) -> int | None:
    """UTC offset of an Apple date's ``+HHMM`` suffix [s]."""
    text = (date or "").strip()
    sign, digits = text[-5:-4], text[-4:]
    if sign not in ("+", "-") or not digits.isdigit():
        return None
    seconds = int(digits[:2]) * 3600 + int(digits[2:]) * 60
    return -seconds if sign == "-" else seconds


def _routes_by_workout(routes: Iterable[RawInput], spans: np.ndarray) -> dict[int, pd.DataFrame]:
    """Samples of each route GPX, keyed by the workout whose span it overlaps most."""
    from lactlog.io.gpx import read_gpx

    joined: dict[int, pd.DataFrame] = {}
    for raw in routes:
        try:
            tracks = read_gpx(raw)
        except InputError:
            continue  # a damaged route leaves its workout without positions
        for track in tracks:
            stamps = track.samples.index.asi8 // 1_000_000_000
            overlap = np.minimum(spans[:, 1], stamps[-1]) - np.maximum(spans[:, 0], stamps[0])
            best = int(np.argmax(overlap)) if len(overlap) else -1
            if best >= 0 and overlap[best] > 0 and best not in joined:
                joined[best] = track.samples.drop(columns=["heart_rate_bpm"], errors="ignore")
    return joined


def _activity(
    workout: _Workout,
    source: str,
    sha256: str,
    index: int,
    times_s: np.ndarray,
    bpm: np.ndarray,
    route: pd.DataFrame | None,
) -> Activity:
    attributes = workout.attributes
    kind = attributes.get("workoutActivityType", "").removeprefix(_TYPE_PREFIX)
    sport, sub_sport = SPORTS.get(kind, ("generic", None))
    start_s, end_s = _span_s(workout)
    heart = pd.DataFrame({"heart_rate_bpm": bpm.astype(np.float64)},
                         index=pd.to_datetime(times_s, unit="s", utc=True))
    frame = heart if route is None else heart.join(route, how="outer")
    samples, repairs = build_samples(frame.index, {c: frame[c].to_numpy() for c in frame.columns})
    distance = workout.distance_m
    if distance is None:
        metres = _METRES_PER_UNIT.get(attributes.get("totalDistanceUnit", ""), float("nan"))
        distance = _known(_number(attributes.get("totalDistance")) * metres)
    meta = ActivityMeta(
        source=source,
        sha256=sha256,
        format="apple_health",
        sport=sport,
        sub_sport=sub_sport,
        start=pd.Timestamp(start_s, unit="s", tz="UTC").to_pydatetime(),
        utc_offset_s=_offset_s(attributes.get("startDate")),
        product=attributes.get("sourceName") or None,
        session_index=index,
        warnings=tuple(repairs) + (() if len(samples) else ("no heart-rate records in the workout",)),
    )
    summary = DeviceSummary(
        elapsed_s=float(end_s - start_s),
        timer_s=_duration_s(attributes),
        distance_m=distance,
        avg_heart_rate_bpm=workout.heart_rate_avg_bpm,
        max_heart_rate_bpm=workout.heart_rate_max_bpm,
    )
    return Activity(meta=meta, samples=samples, device_summary=summary)
