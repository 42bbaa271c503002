"""GPS Exchange Format (GPX 1.0/1.1) reader.

One ``<trk>`` becomes one :class:`~lactlog.model.Activity`; its ``<trkseg>`` segments are joined.
Tags are matched on local names, so any namespace prefix works (``gpxtpx``, ``ns3``...).

Track point fields: ``lat``/``lon`` attributes [deg], ``ele`` [m], ``time``, and extension
elements ``hr``/``heartrate`` [bpm], ``cad``/``cadence`` [rpm], ``atemp``/``temp`` [°C],
``power``/``PowerInWatts`` [W] and ``speed`` [m/s] (Garmin TrackPointExtension v2; also the
GPX 1.0 ``<speed>``).

GPX has no distance field: ``distance_m`` is computed from the coordinates
(:func:`cumulative_distance_m`, haversine on a sphere of the mean Earth radius).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np

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
from lactlog.model import SAMPLE_COLUMNS, Activity, ActivityMeta

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

#: Mean Earth radius R1 = (2a + b) / 3 of the GRS 80 ellipsoid [m] (Moritz, "Geodetic Reference
#: System 1980", J. Geodesy 74, 2000).
EARTH_RADIUS_M = 6_371_008.8

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
            name=(child_text(track, "name") or "").strip() or None,
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
    activity = build_activity(meta, times, columns)
    if activity is not None and {"lat_deg", "lon_deg"} <= set(activity.samples.columns):
        samples = activity.samples
        samples["distance_m"] = cumulative_distance_m(
            samples["lat_deg"].to_numpy(), samples["lon_deg"].to_numpy()
        )
        activity.samples = samples[[c for c in SAMPLE_COLUMNS if c in samples.columns]]
    return activity


def cumulative_distance_m(lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
    """Distance along a track from its first point [m]; NaN at points without a position.

    Each step is the great-circle distance between consecutive positioned points by the
    haversine formula (Sinnott, "Virtues of the Haversine", Sky & Telescope 68(2), 1984):
    ``d = 2 R asin(sqrt(sin²(Δφ/2) + cos φ1 cos φ2 sin²(Δλ/2)))`` with φ latitude, λ longitude
    [rad] and R = :data:`EARTH_RADIUS_M`. Points without a position are skipped (the step
    from the point before them to the one after counts).
    """
    lat = np.radians(np.asarray(lat_deg, dtype=np.float64))
    lon = np.radians(np.asarray(lon_deg, dtype=np.float64))
    known = np.isfinite(lat) & np.isfinite(lon)
    distance = np.full(lat.shape, np.nan)
    phi, lam = lat[known], lon[known]
    if phi.size == 0:
        return distance
    h = (np.sin(np.diff(phi) / 2.0) ** 2
         + np.cos(phi[:-1]) * np.cos(phi[1:]) * np.sin(np.diff(lam) / 2.0) ** 2)
    steps = 2.0 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    distance[known] = np.concatenate(([0.0], np.cumsum(steps)))
    return distance


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
