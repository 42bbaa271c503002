"""GPS Exchange Format (GPX 1.0/1.1) reader.

One ``<trk>`` becomes one :class:`~lactlog.model.Activity`; its ``<trkseg>`` segments are joined.
Tags are matched on local names, so any namespace prefix works (``gpxtpx``, ``ns3``...).

Track point fields: ``lat``/``lon`` attributes [deg], ``ele`` [m], ``time``, and extension
elements ``hr``/``heartrate`` [bpm], ``cad``/``cadence`` [rpm], ``atemp``/``temp`` [°C],
``power``/``PowerInWatts`` [W] and ``speed`` [m/s] (Garmin TrackPointExtension v2; also the
GPX 1.0 ``<speed>``).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from lactlog.errors import EmptyFileError
from lactlog.io.common import RawInput
from lactlog.io.xmlcommon import (
    TIME_SLOT,
    build_activity,
    child_text,
    children,
    manufacturer_from_name,
    parse_xml,
    walk_points,
)
from lactlog.model import Activity, ActivityMeta

_GPX_FIELDS: tuple[str, ...] = (
    "heart_rate_bpm",
    "power_w",
    "speed_mps",
    "cadence_rpm",
    "altitude_m",
    "lat_deg",
    "lon_deg",
    "temperature_c",
)
_GPX_SLOTS: dict[str, int] = {
    "time": TIME_SLOT,
    "hr": 0,
    "heartrate": 0,
    "power": 1,
    "PowerInWatts": 1,
    "speed": 2,
    "cad": 3,
    "cadence": 3,
    "ele": 4,
    "atemp": 7,
    "temp": 7,
}
_GPX_ATTRIBUTES: dict[str, int] = {"lat": 5, "lon": 6}

#: ``<type>`` values taken as FIT sport names as they are.
_FIT_SPORTS: frozenset[str] = frozenset(
    {"running", "cycling", "walking", "hiking", "swimming", "rowing", "training", "generic"}
)
#: Strava writes its activity type as a number; "9" is Run (e.g. the corpus file
#: sportslib__1681613317.gpx, "Run avec Nico & Mag").
_NUMERIC_SPORTS: dict[str, str] = {"9": "running"}


def read_gpx(raw: RawInput) -> list[Activity]:
    """Read a GPX file: one Activity per ``<trk>`` (session_index 0, 1, ...).

    Tracks without any timed point are left out; routes and waypoints are ignored.

    Raises
    ------
    CorruptFileError, UnsupportedFormatError
        Malformed XML, a DOCTYPE/ENTITY declaration, or a root that is not ``<gpx>``.
    EmptyFileError
        No track point with a time in the whole file.
    """
    root = parse_xml(raw, "GPX", "gpx")
    product = (root.get("creator") or "").strip() or None
    activities: list[Activity] = []
    for track in children(root, "trk"):
        meta = ActivityMeta(
            source=raw.source,
            sha256=raw.sha256,
            format="gpx",
            sport=_gpx_sport(track),
            manufacturer=manufacturer_from_name(product),
            product=product,
            session_index=len(activities),
        )
        activity = _read_track(track, meta)
        if activity is not None:
            activities.append(activity)
    if not activities:
        raise EmptyFileError("no trackpoints with a time")
    return activities


def _read_track(track: ET.Element, meta: ActivityMeta) -> Activity | None:
    """Samples of one ``<trk>`` (all its segments); None when no point has a time."""
    points = (
        point for segment in children(track, "trkseg") for point in children(segment, "trkpt")
    )
    times, values = walk_points(points, _GPX_SLOTS, len(_GPX_FIELDS), _GPX_ATTRIBUTES)
    columns = {name: values[:, slot] for slot, name in enumerate(_GPX_FIELDS)}
    return build_activity(meta, times, columns)


def _gpx_sport(track: ET.Element) -> str:
    """FIT sport name from the track's ``<type>`` (free text); ``generic`` when unknown."""
    text = (child_text(track, "type") or "").strip().lower()
    if "run" in text:
        return "running"
    if any(word in text for word in ("cycl", "bik", "ride")):
        return "cycling"
    if text in _FIT_SPORTS:
        return text
    return _NUMERIC_SPORTS.get(text, "generic")
