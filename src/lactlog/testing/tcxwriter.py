"""Write Garmin TrainingCenterDatabase v2 (TCX) activities, as Garmin Connect exports them.

Trackpoints carry time, position, altitude, distance and heart rate, with speed and run cadence in
the ``ActivityExtension/v2`` ``TPX`` extension (prefix ``ns3``, as Garmin writes it). Lap
summaries are computed from the trackpoints of the lap.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from xml.sax.saxutils import escape

import pandas as pd

from lactlog.testing.fitactivity import LapSpec

TCX_NS = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
"""Namespace of the TCX document elements."""
TPX_NS = "http://www.garmin.com/xmlschemas/ActivityExtension/v2"
"""Namespace of Garmin's ``TPX``/``LX`` extensions."""

_HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    f'<TrainingCenterDatabase xsi:schemaLocation="{TCX_NS} '
    'http://www.garmin.com/xmlschemas/TrainingCenterDatabasev2.xsd" '
    'xmlns:ns5="http://www.garmin.com/xmlschemas/ActivityGoals/v1" '
    f'xmlns:ns3="{TPX_NS}" '
    'xmlns:ns2="http://www.garmin.com/xmlschemas/UserProfile/v2" '
    f'xmlns="{TCX_NS}" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
)


def write_tcx(
    track: pd.DataFrame,
    laps: Sequence[LapSpec],
    *,
    sport: str = "Running",
    device_name: str = "Forerunner 965",
    product_id: int = 4315,
    unit_id: int = 3_400_000_001,
    weight_kg: float = 72.0,
) -> str:
    """TCX text of one activity.

    Parameters
    ----------
    track : DataFrame
        Trackpoints: UTC ``DatetimeIndex``; columns ``lat_deg``, ``lon_deg``, ``altitude_m``,
        ``distance_m``, ``heart_rate_bpm``, ``speed_mps``, ``cadence_rpm`` (any subset).
    laps : sequence of LapSpec
        Lap boundaries; each trackpoint goes to the lap whose [start, end) holds it.
    sport : str
        TCX sport: ``Running``, ``Biking`` or ``Other``.
    weight_kg : float
        Body mass for the lap calorie estimate (≈ 1 kcal per kg per km running) [kg].
    """
    lines = [
        _HEADER,
        " <Activities>\n",
        f'  <Activity Sport="{escape(sport)}">\n',
        f"   <Id>{_time(track.index[0])}</Id>\n",
    ]
    for lap in laps:
        points = track[(track.index >= lap.start) & (track.index < lap.end)]
        lines += _lap_lines(points, _lap_distance_m(track, lap), lap, weight_kg)
    lines += [
        '   <Creator xsi:type="Device_t">\n',
        (
            f"    <Name>{escape(device_name)}</Name><UnitId>{unit_id}</UnitId>"
            f"<ProductID>{product_id}</ProductID>\n"
        ),
        (
            "    <Version><VersionMajor>20</VersionMajor><VersionMinor>26</VersionMinor>"
            "<BuildMajor>0</BuildMajor><BuildMinor>0</BuildMinor></Version>\n"
        ),
        "   </Creator>\n  </Activity>\n </Activities>\n</TrainingCenterDatabase>\n",
    ]
    return "".join(lines)


def _time(moment: datetime) -> str:
    return pd.Timestamp(moment).tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _lap_distance_m(track: pd.DataFrame, lap: LapSpec) -> float:
    """Distance from the lap's first trackpoint to the next lap's first (or the last) [m]."""
    if "distance_m" not in track:
        return 0.0
    distance = track["distance_m"]
    after_start = distance[distance.index >= lap.start]
    after_end = distance[distance.index >= lap.end]
    end_value = after_end.iloc[0] if len(after_end) else distance.iloc[-1]
    return float(end_value - after_start.iloc[0]) if len(after_start) else 0.0


def _lap_lines(points: pd.DataFrame, distance: float, lap: LapSpec, weight_kg: float) -> list[str]:
    total_s = (pd.Timestamp(lap.end) - pd.Timestamp(lap.start)).total_seconds()
    out = [
        f'   <Lap StartTime="{_time(lap.start)}">\n',
        (
            f"    <TotalTimeSeconds>{total_s:.1f}</TotalTimeSeconds>"
            f"<DistanceMeters>{distance:.2f}</DistanceMeters>"
        ),
    ]
    if "speed_mps" in points:
        out.append(f"<MaximumSpeed>{points['speed_mps'].max():.3f}</MaximumSpeed>")
    out.append(f"<Calories>{round(weight_kg * distance / 1000.0)}</Calories>")
    if "heart_rate_bpm" in points:
        out.append(
            f"<AverageHeartRateBpm><Value>{round(points['heart_rate_bpm'].mean())}"
            f"</Value></AverageHeartRateBpm><MaximumHeartRateBpm><Value>"
            f"{round(points['heart_rate_bpm'].max())}</Value></MaximumHeartRateBpm>"
        )
    out.append(f"<Intensity>Active</Intensity><TriggerMethod>{_trigger(lap)}</TriggerMethod>\n")
    out.append("    <Track>\n")
    out += [_trackpoint(t, row) for t, row in zip(points.index, points.to_dict("records"))]
    out.append("    </Track>\n")
    if "speed_mps" in points and "cadence_rpm" in points:
        out.append(
            f"    <Extensions><ns3:LX><ns3:AvgSpeed>{points['speed_mps'].mean():.3f}"
            f"</ns3:AvgSpeed><ns3:AvgRunCadence>{round(points['cadence_rpm'].mean())}"
            f"</ns3:AvgRunCadence><ns3:MaxRunCadence>{round(points['cadence_rpm'].max())}"
            "</ns3:MaxRunCadence></ns3:LX></Extensions>\n"
        )
    out.append("   </Lap>\n")
    return out


def _trigger(lap: LapSpec) -> str:
    return {"manual": "Manual", "distance": "Distance", "time": "Time"}.get(lap.trigger, "Manual")


def _trackpoint(moment: datetime, row: dict[str, float]) -> str:
    parts = [f"<Trackpoint><Time>{_time(moment)}</Time>"]
    if "lat_deg" in row:
        parts.append(
            f"<Position><LatitudeDegrees>{row['lat_deg']:.7f}</LatitudeDegrees>"
            f"<LongitudeDegrees>{row['lon_deg']:.7f}</LongitudeDegrees></Position>"
        )
    if "altitude_m" in row:
        parts.append(f"<AltitudeMeters>{row['altitude_m']:.1f}</AltitudeMeters>")
    if "distance_m" in row:
        parts.append(f"<DistanceMeters>{row['distance_m']:.1f}</DistanceMeters>")
    if "heart_rate_bpm" in row:
        parts.append(f"<HeartRateBpm><Value>{round(row['heart_rate_bpm'])}</Value></HeartRateBpm>")
    tpx = []
    if "speed_mps" in row:
        tpx.append(f"<ns3:Speed>{row['speed_mps']:.3f}</ns3:Speed>")
    if "cadence_rpm" in row:
        tpx.append(f"<ns3:RunCadence>{round(row['cadence_rpm'])}</ns3:RunCadence>")
    if tpx:
        parts.append("<Extensions><ns3:TPX>" + "".join(tpx) + "</ns3:TPX></Extensions>")
    return "     " + "".join(parts) + "</Trackpoint>\n"
