"""Garmin Training Center XML (TCX) reader.

Parsing matches on *local* tag names only (see :mod:`lactlog.io.xmlcommon`), because TCX files in
the wild use several namespace URIs (and prefixes such as ``ns3``/``TPX`` for the
ActivityExtension). One ``<Activity>`` becomes one :class:`~lactlog.model.Activity`.

Trackpoint fields (unit as in the TCX schema, which is already SI):
``Time``, ``HeartRateBpm/Value`` [bpm], ``Cadence`` [rpm], ``DistanceMeters`` [m],
``AltitudeMeters`` [m], ``Position/LatitudeDegrees``, ``LongitudeDegrees`` [deg], and from the
extension ``TPX``: ``Speed`` [m/s], ``Watts`` [W], ``RunCadence`` [steps/min per foot, used when
``Cadence`` is absent].
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator

import numpy as np
import pandas as pd

from lactlog.errors import EmptyFileError
from lactlog.io.common import RawInput
from lactlog.io.xmlcommon import (
    TIME_SLOT,
    build_activity,
    child_text,
    children,
    first_child,
    local_name,
    manufacturer_from_name,
    parse_utc_times,
    parse_xml,
    to_float,
    walk_points,
)
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
    root = parse_xml(raw, "TCX", "TrainingCenterDatabase")
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
    return (child_text(first_child(activity, "Creator"), "Name") or "").strip() or None


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
                to_float(child_text(lap, "TotalTimeSeconds")),
                to_float(child_text(lap, "DistanceMeters")),
                to_float(child_text(first_child(lap, "AverageHeartRateBpm"), "Value")),
                to_float(child_text(first_child(lap, "MaximumHeartRateBpm"), "Value")),
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
