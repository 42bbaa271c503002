"""One interval run written as FIT, TCX, GPX and CSV, the way other programs export it, for tests.

:func:`interval_run` builds the samples (1 Hz; heart rate above a given LTHR in every work
bout, so the session has hard intervals). The writers hold no local time: FIT without a local
offset (``local_timestamp`` = ``timestamp``, as some devices write it) is left to
:func:`~lactlog.testing.fitactivity.write_activity`; :func:`write_gpx` writes UTC times ("Z",
no offset), :func:`write_csv` naive local wall-clock times (``2026-11-16 08:00:00``), as
spreadsheet exports do. TCX is :func:`~lactlog.testing.tcxwriter.write_tcx`.
"""

from __future__ import annotations

from datetime import datetime
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

from lactlog.testing.simulate import EARTH_M_PER_DEG_LAT, first_order, piecewise

#: Work bout heart rate above LTHR [bpm] and recovery below it, for :func:`interval_run`.
WORK_ABOVE_LTHR_BPM = 8.0
RECOVERY_BELOW_LTHR_BPM = 25.0


def interval_run(
    start: datetime,
    lthr_bpm: float = 170.0,
    n_intervals: int = 5,
    work_s: int = 180,
    rest_s: int = 120,
    warmup_s: int = 600,
) -> pd.DataFrame:
    """A run at 1 Hz: warm-up, ``n_intervals`` × (``work_s`` hard, ``rest_s`` easy), cool-down
    (as long as the warm-up).

    Heart rate follows its target (work: LTHR + :data:`WORK_ABOVE_LTHR_BPM`, else LTHR −
    :data:`RECOVERY_BELOW_LTHR_BPM`) with a 20-s first-order lag; speed 4.5 m/s at work, 3 m/s
    else, due north from 52.5° N 13.4° E; distance is the integral of speed.

    Returns a DataFrame on a UTC ``DatetimeIndex`` named ``time`` with ``heart_rate_bpm``,
    ``speed_mps``, ``distance_m``, ``lat_deg``, ``lon_deg``, ``altitude_m``.
    """
    easy = lthr_bpm - RECOVERY_BELOW_LTHR_BPM
    segments: list[tuple[float, ...]] = [(warmup_s, easy, 3.0)]
    for _ in range(n_intervals):
        segments += [(work_s, lthr_bpm + WORK_ABOVE_LTHR_BPM, 4.5), (rest_s, easy, 3.0)]
    segments.append((warmup_s, easy, 3.0))
    targets = piecewise([(s[0], s[1]) for s in segments])
    speed = piecewise([(s[0], s[2]) for s in segments])
    heart_rate = first_order(targets, 20.0, initial=easy - 30.0)
    distance = np.concatenate(([0.0], np.cumsum(speed[:-1])))
    index = pd.date_range(pd.Timestamp(start).tz_convert("UTC"), periods=len(speed), freq="s",
                          name="time")
    return pd.DataFrame({
        "heart_rate_bpm": np.round(heart_rate),
        "speed_mps": speed,
        "distance_m": distance,
        "lat_deg": 52.5 + distance / EARTH_M_PER_DEG_LAT,
        "lon_deg": np.full(len(speed), 13.4),
        "altitude_m": np.full(len(speed), 34.0),
    }, index=index)


def write_gpx(track: pd.DataFrame, *, creator: str = "lactlog tests", sport: str = "running") -> str:
    """GPX 1.1 text of a track: position, elevation, UTC time ("Z") and heart rate in Garmin's
    ``TrackPointExtension`` (``gpxtpx:hr``), as Strava and Garmin Connect export."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<gpx version="1.1" creator="{escape(creator)}" '
        'xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">\n',
        f" <trk><name>Interval run</name><type>{escape(sport)}</type><trkseg>\n",
    ]
    for moment, row in zip(track.index, track.to_dict("records")):
        lines.append(
            f'  <trkpt lat="{row["lat_deg"]:.7f}" lon="{row["lon_deg"]:.7f}">'
            f"<ele>{row['altitude_m']:.1f}</ele>"
            f"<time>{moment.tz_convert('UTC'):%Y-%m-%dT%H:%M:%SZ}</time>"
            f"<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>{row['heart_rate_bpm']:.0f}"
            "</gpxtpx:hr></gpxtpx:TrackPointExtension></extensions></trkpt>\n"
        )
    lines.append(" </trkseg></trk>\n</gpx>\n")
    return "".join(lines)


def write_csv(track: pd.DataFrame, utc_offset_s: int) -> str:
    """A time-series CSV with naive local wall-clock times (UTC + ``utc_offset_s``), heart rate
    [bpm], speed [m/s] and distance [m], as a spreadsheet export without a time zone."""
    wall = track.index.tz_convert("UTC").tz_localize(None) + pd.Timedelta(seconds=utc_offset_s)
    lines = ["timestamp,heart_rate,speed_mps,distance_m\n"]
    lines += [
        f"{moment:%Y-%m-%d %H:%M:%S},{hr:.0f},{speed:.3f},{distance:.1f}\n"
        for moment, hr, speed, distance in zip(
            wall, track["heart_rate_bpm"], track["speed_mps"], track["distance_m"])
    ]
    return "".join(lines)
