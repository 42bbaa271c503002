"""Garmin Training Center XML (TCX) reader, plus the XML helpers the GPX reader shares.

Parsing uses :mod:`xml.etree.ElementTree` and matches on *local* tag names only, because TCX
files in the wild use several namespace URIs (and prefixes such as ``ns3``/``TPX`` for the
ActivityExtension). One ``<Activity>`` becomes one :class:`~lactlog.model.Activity`.

Trackpoint fields (unit as in the TCX schema, which is already SI):
``Time``, ``HeartRateBpm/Value`` [bpm], ``Cadence`` [rpm], ``DistanceMeters`` [m],
``AltitudeMeters`` [m], ``Position/LatitudeDegrees``, ``LongitudeDegrees`` [deg], and from the
extension ``TPX``: ``Speed`` [m/s], ``Watts`` [W], ``RunCadence`` [steps/min per foot, used when
``Cadence`` is absent].
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from pyexpat import ErrorString

import numpy as np
import pandas as pd

from lactlog.errors import CorruptFileError, EmptyFileError, UnsupportedFormatError
from lactlog.io.common import RawInput, build_samples
from lactlog.model import LAP_COLUMNS, Activity, ActivityMeta, DeviceSummary, empty_frame

# --------------------------------------------------------------------------------------------
# Shared XML helpers (also used by lactlog.io.gpx)
# --------------------------------------------------------------------------------------------

_BOM_AND_SPACE = b"\xef\xbb\xbf \t\r\n"
_DTD_DECLARATION = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_UTC_OFFSET = re.compile(r"([+-])(\d{2}):?(\d{2})\s*$")

#: Slot code of the time element in a field map passed to :func:`walk_points`.
TIME_SLOT = -2

#: Device-name prefixes that identify the maker, with the FIT profile's manufacturer name.
_MANUFACTURER_PREFIXES: dict[str, tuple[str, ...]] = {
    "garmin": ("garmin", "edge", "forerunner", "fenix", "fēnix", "epix", "vivoactive", "venu"),
    "polar_electro": ("polar",),
    "suunto": ("suunto",),
    "wahoo_fitness": ("wahoo",),
    "coros": ("coros",),
}


def parse_xml(raw: RawInput, format_name: str) -> ET.Element:
    """Parse the whole document and return its root element.

    Leading whitespace and a UTF-8 byte-order mark are stripped first (some Polar exports have
    them before the XML declaration). Documents with a DOCTYPE or ENTITY declaration are refused:
    neither format needs one, and entity expansion is the classic "XML bomb".

    Raises
    ------
    UnsupportedFormatError
        The document declares a DOCTYPE or entities.
    CorruptFileError
        The XML is not well-formed (message gives line and column as counted in the file).
    """
    body = raw.data.lstrip(_BOM_AND_SPACE)
    skipped = raw.data[: len(raw.data) - len(body)]
    if _DTD_DECLARATION.search(body):
        raise UnsupportedFormatError(
            f"{format_name} file with a DOCTYPE/ENTITY declaration; lactlog refuses those "
            "(real exports never have one, and entities can expand without bound)"
        )
    try:
        return ET.fromstring(body)
    except ET.ParseError as exc:
        line, column = exc.position
        if line == 1:
            column += len(skipped) - (skipped.rfind(b"\n") + 1)
        line += skipped.count(b"\n")
        reason = ErrorString(exc.code) if isinstance(exc.code, int) else str(exc)
        raise CorruptFileError(
            f"malformed {format_name} XML at line {line}, column {column + 1} ({reason})"
        ) from None
    except (ValueError, LookupError, UnicodeError) as exc:
        raise CorruptFileError(f"unreadable {format_name} XML ({exc})") from None


def local_name(tag: object) -> str:
    """The tag without its ``{namespace}`` part (empty for comments/processing instructions)."""
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def children(element: ET.Element, name: str) -> Iterator[ET.Element]:
    """Direct children of ``element`` whose local tag name is ``name``."""
    return (child for child in element if local_name(child.tag) == name)


def first_child(element: ET.Element | None, name: str) -> ET.Element | None:
    """The first direct child named ``name`` (local name), or None."""
    if element is None:
        return None
    return next(children(element, name), None)


def to_float(text: str | None) -> float:
    """Parse a number; NaN for missing, unparsable or non-finite text."""
    if text is None:
        return float("nan")
    try:
        value = float(text)
    except ValueError:
        return float("nan")
    return value if value - value == 0.0 else float("nan")


def walk_points(
    points: Iterable[ET.Element],
    field_slots: Mapping[str, int],
    n_slots: int,
    attribute_slots: Mapping[str, int] | None = None,
) -> tuple[list[str | None], np.ndarray]:
    """Collect time strings and numeric fields of track points in one pass.

    ``field_slots`` maps a descendant's local tag name to a column slot (or :data:`TIME_SLOT`);
    ``attribute_slots`` maps attributes of the point itself to slots. Returns the time strings
    (None where absent) and an ``(n_points, n_slots)`` float array with NaN for missing values.
    """
    slot_by_tag: dict[object, int] = {}
    times: list[str | None] = []
    rows: list[list[float]] = []
    nan = float("nan")
    for point in points:
        row = [nan] * n_slots
        time_text: str | None = None
        for element in point.iter():
            tag = element.tag
            slot = slot_by_tag.get(tag)
            if slot is None:
                slot = slot_by_tag[tag] = field_slots.get(local_name(tag), -1)
            if slot >= 0:
                row[slot] = to_float(element.text)
            elif slot == TIME_SLOT:
                time_text = element.text
        for attribute, slot in (attribute_slots or {}).items():
            row[slot] = to_float(point.get(attribute))
        times.append(time_text.strip() if time_text else None)
        rows.append(row)
    values = np.array(rows, dtype="float64").reshape(len(rows), n_slots)
    return times, values


def parse_utc_times(strings: list[str | None]) -> pd.DatetimeIndex:
    """ISO 8601 strings to a UTC index (ns); NaT where missing, unparsable or out of range.

    Strings without an offset are read as UTC.
    """
    index = pd.to_datetime(
        pd.Index(strings, dtype=object), utc=True, format="ISO8601", errors="coerce"
    )
    index = pd.DatetimeIndex(index)
    in_range = (index >= pd.Timestamp.min.tz_localize("UTC")) & (
        index <= pd.Timestamp.max.tz_localize("UTC")
    )
    return index.where(in_range).as_unit("ns")


def describe_offsets(strings: list[str | None]) -> tuple[int | None, bool]:
    """The first explicit non-``Z`` UTC offset [s] in the strings, and whether times are naive.

    "Naive" means the first time string has neither ``Z`` nor an offset.
    """
    offset_s: int | None = None
    naive: bool | None = None
    for text in strings:
        if not text:
            continue
        if text.endswith(("Z", "z")):
            naive = False if naive is None else naive
            continue
        match = _UTC_OFFSET.search(text.partition("T")[2])
        if naive is None:
            naive = match is None
        if match is not None:
            sign = -1 if match.group(1) == "-" else 1
            seconds = int(match.group(2)) * 3600 + int(match.group(3)) * 60
            if seconds <= 18 * 3600:
                offset_s = sign * seconds
                break
    return offset_s, bool(naive)


def manufacturer_from_name(name: str | None) -> str | None:
    """FIT manufacturer name when the device/creator name clearly identifies it, else None."""
    lowered = (name or "").strip().lower()
    for manufacturer, prefixes in _MANUFACTURER_PREFIXES.items():
        if lowered.startswith(prefixes):
            return manufacturer
    return None


def build_activity(
    meta: ActivityMeta,
    times: list[str | None],
    columns: Mapping[str, np.ndarray],
) -> Activity | None:
    """Turn collected points into an Activity; None when no point has a usable time.

    ``meta`` supplies source, format, sport, product...; start, UTC offset and warnings are
    filled in here. Only columns with at least one value are kept.
    """
    index = parse_utc_times(times)
    timed = int(index.notna().sum())
    if timed == 0:
        return None
    present = {name: values for name, values in columns.items() if np.isfinite(values).any()}
    samples, repairs = build_samples(index, present)
    offset_s, naive = describe_offsets(times)
    warnings: list[str] = []
    if timed < len(times):
        warnings.append(f"{len(times) - timed:,} track points without a readable time were dropped")
    if naive:
        warnings.append("times carry no UTC offset; they were read as UTC")
    warnings.extend(repairs)
    meta = replace(
        meta,
        start=samples.index[0].to_pydatetime(),
        utc_offset_s=offset_s,
        warnings=tuple(warnings),
    )
    return Activity(meta=meta, samples=samples)


# --------------------------------------------------------------------------------------------
# TCX
# --------------------------------------------------------------------------------------------

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
_TCX_SLOTS: dict[str, int] = {
    "Time": TIME_SLOT,
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


def read_tcx(raw: RawInput) -> list[Activity]:
    """Read a TCX file: one Activity per ``<Activity>`` (session_index 0, 1, ...).

    Activities without any timed trackpoint are left out.

    Raises
    ------
    CorruptFileError, UnsupportedFormatError
        Malformed XML, a DOCTYPE/ENTITY declaration, or a root that is not a TCX database.
    EmptyFileError
        No trackpoint with a time in the whole file.
    """
    root = parse_xml(raw, "TCX")
    if local_name(root.tag) != "TrainingCenterDatabase":
        raise UnsupportedFormatError(
            f"XML root is <{local_name(root.tag)}>, not a TCX <TrainingCenterDatabase>"
        )
    activities: list[Activity] = []
    for element in _find_activities(root):
        activity = _read_activity(raw, element, session_index=len(activities))
        if activity is not None:
            activities.append(activity)
    if not activities:
        raise EmptyFileError("no trackpoints with a time")
    return activities


def _find_activities(root: ET.Element) -> Iterator[ET.Element]:
    """``<Activity>`` elements in document order (also inside MultiSportSession), not descending
    into them, so the bulk of the tree is walked once only."""
    stack = [root]
    while stack:
        element = stack.pop()
        if local_name(element.tag) == "Activity":
            yield element
        else:
            stack.extend(reversed(list(element)))


def _read_activity(raw: RawInput, element: ET.Element, session_index: int) -> Activity | None:
    """One ``<Activity>``: samples from its trackpoints, laps, and a lap-derived summary."""
    lap_elements = list(children(element, "Lap"))
    points = (
        point
        for lap in lap_elements
        for track in children(lap, "Track")
        for point in children(track, "Trackpoint")
    )
    times, values = walk_points(points, _TCX_SLOTS, len(_TCX_FIELDS))
    columns = {name: values[:, slot] for slot, name in enumerate(_TCX_FIELDS)}
    run_cadence = columns.pop("run_cadence")
    cadence = columns["cadence_rpm"]
    columns["cadence_rpm"] = np.where(np.isnan(cadence), run_cadence, cadence)
    product = _creator_name(element)
    meta = ActivityMeta(
        source=raw.source,
        sha256=raw.sha256,
        format="tcx",
        sport=_tcx_sport(element.get("Sport")),
        manufacturer=manufacturer_from_name(product),
        product=product,
        session_index=session_index,
    )
    activity = build_activity(meta, times, columns)
    if activity is None:
        return None
    activity.laps = _read_laps(lap_elements)
    activity.device_summary = _summary_from_laps(activity.laps)
    return activity


def _tcx_sport(sport: str | None) -> str:
    """TCX ``Sport`` attribute (Running, Biking, Other) to a FIT sport name."""
    lowered = (sport or "").strip().lower()
    return _TCX_SPORTS.get(lowered, lowered or "generic")


def _creator_name(activity: ET.Element) -> str | None:
    """``Activity/Creator/Name`` (the recording device), stripped; None when absent."""
    name = first_child(first_child(activity, "Creator"), "Name")
    text = (name.text or "").strip() if name is not None else ""
    return text or None


def _read_laps(lap_elements: list[ET.Element]) -> pd.DataFrame:
    """Laps frame (:data:`LAP_COLUMNS`); ``elapsed_s`` is NaN because TCX does not record it."""
    if not lap_elements:
        return empty_frame(LAP_COLUMNS)
    starts: list[str | None] = []
    rows: list[list[float]] = []
    for lap in lap_elements:
        starts.append(lap.get("StartTime"))
        rows.append(
            [
                to_float(_child_text(lap, "TotalTimeSeconds")),
                to_float(_child_text(lap, "DistanceMeters")),
                to_float(_child_text(first_child(lap, "AverageHeartRateBpm"), "Value")),
                to_float(_child_text(first_child(lap, "MaximumHeartRateBpm"), "Value")),
                to_float(_extension_text(lap, "AvgWatts")),
            ]
        )
    values = np.array(rows, dtype="float64")
    frame = pd.DataFrame(
        {
            "start": pd.Series(parse_utc_times(starts)),
            "elapsed_s": np.full(len(rows), np.nan),
            "timer_s": values[:, 0],
            "distance_m": values[:, 1],
            "avg_heart_rate_bpm": values[:, 2],
            "max_heart_rate_bpm": values[:, 3],
            "avg_power_w": values[:, 4],
        }
    )
    return frame[list(LAP_COLUMNS)]


def _child_text(element: ET.Element | None, name: str) -> str | None:
    """Text of the first direct child named ``name``, or None."""
    child = first_child(element, name)
    return child.text if child is not None else None


def _extension_text(element: ET.Element, name: str) -> str | None:
    """Text of the first element named ``name`` inside the element's ``<Extensions>``."""
    for extensions in children(element, "Extensions"):
        for child in extensions.iter():
            if local_name(child.tag) == name:
                return child.text
    return None


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
