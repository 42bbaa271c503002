"""GPS Exchange Format (GPX 1.0/1.1) reader.

One ``<trk>`` becomes one :class:`~lactlog.model.Activity`; its ``<trkseg>`` segments are joined.
Tags are matched on local names, so any namespace prefix works (``gpxtpx``, ``ns3``...).

Track point fields: ``lat``/``lon`` attributes [deg], ``ele`` [m], ``time``, and extension
elements ``hr``/``heartrate`` [bpm], ``cad``/``cadence`` [rpm], ``atemp``/``temp`` [°C],
``power``/``PowerInWatts`` [W] and ``speed`` [m/s] (Garmin TrackPointExtension v2; also the
GPX 1.0 ``<speed>``).

The document is streamed (:mod:`lactlog.io.xmlstream`: no DTD, bounded depth and tokens);
what is kept while parsing is 72 bytes per timed track point (see
:mod:`lactlog.io.xmlcommon`), never the document.

GPX has no distance field: ``distance_m`` is computed from the coordinates
(:func:`cumulative_distance_m`, haversine on a sphere of the mean Earth radius).
"""

from __future__ import annotations

import numpy as np

from lactlog.errors import EmptyFileError
from lactlog.io.common import RawInput
from lactlog.io.xmlcommon import (
    MAX_SESSIONS,
    PointColumns,
    build_activity,
    manufacturer_from_name,
    sessions_left_out,
    to_float,
)
from lactlog.io.xmlstream import stream_xml
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
_TIME = -1
_GPX_SLOTS: dict[str, int] = {
    "time": _TIME,
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
_LAT, _LON = 5, 6
# Text targets other than a point slot: the track's <name> and <type>.
_NAME, _TYPE = -2, -3

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


def read_gpx(raw: RawInput, max_sessions: int = MAX_SESSIONS) -> list[Activity]:
    """Read a GPX file: one Activity per ``<trk>`` (session_index 0, 1, ...).

    Tracks without any timed point are left out, as are tracks beyond the first
    ``max_sessions`` (default :data:`~lactlog.io.xmlcommon.MAX_SESSIONS`; with a warning); routes and waypoints are
    ignored.

    Raises
    ------
    CorruptFileError, UnsupportedFormatError
        Malformed XML, a DOCTYPE/ENTITY declaration, nesting or tokens beyond the limits of
        :mod:`lactlog.io.xmlstream`, or a root that is not ``<gpx>``.
    EmptyFileError
        No track point with a time in the whole file.
    """
    handler = _GpxHandler(raw, max_sessions)
    stream_xml(raw, "GPX", "gpx", handler)
    if not handler.activities:
        raise EmptyFileError("no trackpoints with a time")
    sessions_left_out(handler.activities, handler.left_out, "<trk>", max_sessions)
    return handler.activities


class _GpxHandler:
    """Event handler of :func:`~lactlog.io.xmlstream.stream_xml`: ``gpx/trk/trkseg/trkpt``
    by depth (1 to 4), a point's fields anywhere inside it."""

    def __init__(self, raw: RawInput, max_sessions: int) -> None:
        self.raw = raw
        self.max_sessions = max_sessions
        self.activities: list[Activity] = []
        self.left_out = 0
        self.product: str | None = None
        self.points: PointColumns | None = None  # of the current <trk>, None outside one
        self.in_segment = self.in_point = False
        self.name: str | None = None
        self.type: str | None = None
        self.seen: set[int] = set()
        self.target = 0

    def start(self, name: str, attributes: dict[str, str], depth: int) -> bool:
        points = self.points
        if self.in_point:
            slot = _GPX_SLOTS.get(name)
            if slot is None:
                return False
            self.target = slot
            return True
        if depth == 1:
            self.product = (attributes.get("creator") or "").strip() or None
        elif depth == 2:
            if name == "trk":
                self._begin_track()
        elif points is None:
            return False
        elif depth == 3:
            if name == "trkseg":
                self.in_segment = True
            elif name in ("name", "type"):
                target = _NAME if name == "name" else _TYPE
                if target not in self.seen:
                    self.seen.add(target)
                    self.target = target
                    return True
        elif depth == 4 and self.in_segment and name == "trkpt":
            self.in_point = True
            points.begin()
            points.row[_LAT] = to_float(attributes.get("lat"))
            points.row[_LON] = to_float(attributes.get("lon"))
        return False

    def text(self, text: str) -> None:
        target = self.target
        if target == _NAME:
            self.name = text
        elif target == _TYPE:
            self.type = text
        elif target == _TIME:
            self.points.time = text  # type: ignore[union-attr]  # inside a point
        else:
            self.points.row[target] = to_float(text)  # type: ignore[union-attr]

    def end(self, name: str, depth: int) -> None:
        if depth == 4 and self.in_point:
            self.points.end()  # type: ignore[union-attr]  # inside a track
            self.in_point = False
        elif depth == 3:
            self.in_segment = False
        elif depth == 2 and self.points is not None:
            self._end_track(self.points)
            self.points = None

    def _begin_track(self) -> None:
        if len(self.activities) >= self.max_sessions:
            self.left_out += 1
            return
        self.points = PointColumns(len(_GPX_FIELDS))
        self.name = self.type = None
        self.seen.clear()

    def _end_track(self, collected: PointColumns) -> None:
        meta = ActivityMeta(
            source=self.raw.source,
            sha256=self.raw.sha256,
            format="gpx",
            sport=_gpx_sport(self.type),
            name=(self.name or "").strip() or None,
            manufacturer=manufacturer_from_name(self.product),
            product=self.product,
            session_index=len(self.activities),
        )
        points = collected.finish()
        columns = {name: points.values[:, slot] for slot, name in enumerate(_GPX_FIELDS)}
        activity = build_activity(meta, points, columns)
        if activity is None:
            return
        if {"lat_deg", "lon_deg"} <= set(activity.samples.columns):
            samples = activity.samples
            samples["distance_m"] = cumulative_distance_m(
                samples["lat_deg"].to_numpy(), samples["lon_deg"].to_numpy()
            )
            activity.samples = samples[[c for c in SAMPLE_COLUMNS if c in samples.columns]]
        self.activities.append(activity)


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


def _gpx_sport(type_text: str | None) -> str:
    """FIT sport name from the track's ``<type>`` (free text); ``generic`` when unknown."""
    text = (type_text or "").strip().lower()
    if "run" in text:
        return "running"
    if any(word in text for word in ("cycl", "bik", "ride")):
        return "cycling"
    if text in _FIT_SPORTS:
        return text
    return _NUMERIC_SPORTS.get(text, "generic")
