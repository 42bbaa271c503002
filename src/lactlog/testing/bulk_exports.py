"""Small bulk exports laid out like Strava's, Garmin Connect's and Apple Health's, for tests.

Every builder returns ``{name: bytes}`` (relative ``/`` names); :func:`zip_bytes` packs such a
tree into a zip (nested zips are just members whose bytes are :func:`zip_bytes` output) and
:func:`write_tree` writes it as a folder unpacked by hand. The workout files come from
lactlog's own writers (:func:`~lactlog.testing.fitactivity.write_activity`,
:func:`~lactlog.testing.tcxwriter.write_tcx`) and the simulators; GPX is written here in the
two variants the exports use (Strava's with heart rate, Apple's route files without).

What each export holds is stated by its builder and asserted by ``tests/io/test_bulk_exports.py``.
"""

from __future__ import annotations

import csv
import gzip
import io
import zipfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import pandas as pd

from lactlog.testing.fitactivity import LapSpec, write_activity
from lactlog.testing.simulate import (
    cumulative_distance,
    first_order,
    loop_route,
    piecewise,
    samples_frame,
)
from lactlog.testing.tcxwriter import write_tcx

Tree = dict[str, bytes]

#: Strava's activities.csv header (first columns, in the order Strava writes them) by language;
#: German as in a German-language account's export.
STRAVA_HEADERS: dict[str, list[str]] = {
    "en": ["Activity ID", "Activity Date", "Activity Name", "Activity Type",
           "Activity Description", "Elapsed Time", "Distance", "Max Heart Rate",
           "Relative Effort", "Commute", "Activity Gear", "Filename", "Athlete Weight"],
    "de": ["Aktivitäts-ID", "Aktivitätsdatum", "Name der Aktivität", "Aktivitätsart",
           "Beschreibung der Aktivität", "Verstrichene Zeit", "Distanz", "Maximale Herzfrequenz",
           "Relative Leistung", "Pendeln", "Aktivitätsausrüstung", "Dateiname", "Sportlergewicht"],
}
#: Activity types in the export's language, for the four activities of :func:`strava_export`.
_STRAVA_TYPES = {
    "en": ("Run", "Ride", "Run", "Weight Training", "Run"),
    "de": ("Lauf", "Radfahrt", "Lauf", "Krafttraining", "Lauf"),
}
STRAVA_NAMES = ("Morning Run", "Lunch Ride", "Hill repeats", "Gym", "Treadmill (manual)")


def run_samples(start: datetime, duration_s: int = 1200, hard_bpm: float = 172.0) -> pd.DataFrame:
    """A 1 Hz run: first half easy (140 bpm, 3 m/s), second half hard (``hard_bpm``, 4.2 m/s),
    heart rate with a 25-s first-order lag, on a 2 km loop."""
    half = duration_s // 2
    speed = piecewise([(half, 3.0), (duration_s - half, 4.2)])
    heart_rate = np.round(first_order(piecewise([(half, 140.0), (duration_s - half, hard_bpm)]),
                                      25.0, initial=110.0))
    distance = cumulative_distance(speed)
    lat, lon = loop_route(distance, (47.37, 8.54), 2000.0)
    return samples_frame(start, heart_rate_bpm=heart_rate, speed_mps=speed, distance_m=distance,
                         lat_deg=lat, lon_deg=lon, altitude_m=np.full(duration_s, 410.0))


def write_gpx(samples: pd.DataFrame, *, name: str, sport: str, creator: str,
              heart_rate: bool = True) -> bytes:
    """GPX 1.1 of a track (no distance element: GPX has none). With ``heart_rate``, as Strava
    exports (``gpxtpx:hr``); without, as Apple Health's route files (position, elevation,
    speed)."""
    lines = [(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<gpx version="1.1" creator={quoteattr(creator)} '
        'xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">\n'
        f" <trk><name>{escape(name)}</name><type>{escape(sport)}</type><trkseg>\n"
    )]
    for moment, row in zip(samples.index, samples.to_dict("records")):
        extension = (
            f"<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>{row['heart_rate_bpm']:.0f}"
            "</gpxtpx:hr></gpxtpx:TrackPointExtension></extensions>"
            if heart_rate
            else f"<extensions><speed>{row['speed_mps']:.2f}</speed></extensions>"
        )
        lines.append(
            f'  <trkpt lat="{row["lat_deg"]:.7f}" lon="{row["lon_deg"]:.7f}">'
            f"<ele>{row['altitude_m']:.1f}</ele><time>{moment:%Y-%m-%dT%H:%M:%SZ}</time>"
            f"{extension}</trkpt>\n"
        )
    lines.append(" </trkseg></trk>\n</gpx>\n")
    return "".join(lines).encode()


def _fit_run(start: datetime, **kwargs) -> bytes:
    return write_activity(run_samples(start, **kwargs), sport="running")


def strava_export(language: str = "en") -> Tree:
    """A Strava export: ``activities.csv`` in ``language`` (``en``/``de``) and four activity
    files — ``activities/101.fit.gz`` (run), ``102.gpx.gz`` (ride), ``103.tcx`` (run),
    ``104.fit`` (a FIT "running" file the athlete re-typed as weight training) — plus one
    manual activity without a file, and the export's other tables (``profile.csv``,
    ``bikes.csv``) that are not workouts. Starts 2024-05-01..04 07:00 UTC."""
    day = datetime(2024, 5, 1, 7, 0, tzinfo=UTC)
    ride = run_samples(day + timedelta(days=1))
    tcx_samples = run_samples(day + timedelta(days=2), duration_s=900)
    files = [
        "activities/101.fit.gz", "activities/102.gpx.gz", "activities/103.tcx",
        "activities/104.fit", "",
    ]
    tree: Tree = {
        "activities/101.fit.gz": gzip.compress(_fit_run(day), mtime=0),
        "activities/102.gpx.gz": gzip.compress(
            write_gpx(ride, name="Lunch Ride", sport="cycling", creator="StravaGPX"), mtime=0
        ),
        "activities/103.tcx": write_tcx(
            tcx_samples, [LapSpec(tcx_samples.index[0], tcx_samples.index[-1])]
        ).encode(),
        "activities/104.fit": _fit_run(day + timedelta(days=3), duration_s=600),
        "profile.csv": b"Email Address,First Name,Last Name\nathlete@example.org,Ann,Runner\n",
        "bikes.csv": b"Bike Name,Bike Brand,Bike Model\nRoad,Acme,R1\n",
    }
    header = STRAVA_HEADERS[language]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for index, (name, kind, file) in enumerate(zip(STRAVA_NAMES, _STRAVA_TYPES[language], files)):
        row = [""] * len(header)
        row[0], row[1] = str(1000 + index), f"May {index + 1}, 2024, 7:00:00 AM"
        row[2], row[3], row[4] = name, kind, "line one\nline two"  # descriptions hold newlines
        row[11] = file
        writer.writerow(row)
    tree["activities.csv"] = out.getvalue().encode("utf-8")
    return tree


def garmin_export() -> Tree:
    """A Garmin Connect data export: ``DI_CONNECT/DI-Connect-Uploaded-Files/`` with two zips
    inside the zip, ``UploadedFiles_0_Part1.zip`` (two FIT runs) and ``..._Part2.zip`` (one),
    and JSON files elsewhere in ``DI_CONNECT`` that are not workouts. Runs 2024-06-01..03."""
    day = datetime(2024, 6, 1, 6, 30, tzinfo=UTC)
    part1 = zip_bytes({
        "ann@example.org_1001.fit": _fit_run(day),
        "ann@example.org_1002.fit": _fit_run(day + timedelta(days=1), hard_bpm=160.0),
    })
    part2 = zip_bytes({"ann@example.org_1003.fit": _fit_run(day + timedelta(days=2))})
    uploads = "DI_CONNECT/DI-Connect-Uploaded-Files"
    return {
        f"{uploads}/UploadedFiles_0_Part1.zip": part1,
        f"{uploads}/UploadedFiles_0_Part2.zip": part2,
        "DI_CONNECT/DI-Connect-Fitness/ann_0_summarizedActivities.json": b'[{"activities": []}]',
        "DI_CONNECT/DI-Connect-User/user_profile.json": b'{"userName": "ann"}',
    }


# -- Apple Health ----------------------------------------------------------------------------

HEART_RATE = "HKQuantityTypeIdentifierHeartRate"
_APPLE_DTD = """<!DOCTYPE HealthData [
<!-- HealthKit Export Version: 13 -->
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary)*)>
<!ATTLIST HealthData locale CDATA #REQUIRED>
<!ELEMENT ExportDate EMPTY>
<!ATTLIST ExportDate value CDATA #REQUIRED>
<!ELEMENT Me EMPTY>
<!ELEMENT Record ((MetadataEntry|HeartRateVariabilityMetadataList)*)>
<!ATTLIST Record type CDATA #REQUIRED unit CDATA #IMPLIED value CDATA #IMPLIED>
<!ELEMENT Workout ((MetadataEntry|WorkoutEvent|WorkoutRoute|WorkoutStatistics)*)>
<!ATTLIST Workout workoutActivityType CDATA #REQUIRED>
]>
"""
#: UTC offset of the generated Apple export's dates [s] (+02:00, Central European summer).
APPLE_OFFSET_S = 7200


def apple_date(moment: pd.Timestamp | datetime, offset_s: int = APPLE_OFFSET_S) -> str:
    """Apple's date text, e.g. ``2024-05-01 09:12:33 +0200``."""
    local = pd.Timestamp(moment).tz_convert(timezone(timedelta(seconds=offset_s)))
    sign = "-" if offset_s < 0 else "+"
    hours, minutes = divmod(abs(offset_s) // 60, 60)
    return f"{local:%Y-%m-%d %H:%M:%S} {sign}{hours:02d}{minutes:02d}"


def _records(kind: str, unit: str, moments: pd.DatetimeIndex, values: np.ndarray) -> str:
    """``<Record>`` lines as Apple writes them (one per sample)."""
    stamps = _apple_dates(moments)
    return "".join(
        f' <Record type="{kind}" sourceName="Ann’s Apple Watch" sourceVersion="10.4" '
        f'unit="{unit}" creationDate="{stamp}" startDate="{stamp}" endDate="{stamp}" '
        f'value="{value:g}"/>\n'
        for stamp, value in zip(stamps, values)
    )


def _apple_dates(moments: pd.DatetimeIndex, offset_s: int = APPLE_OFFSET_S) -> list[str]:
    """:func:`apple_date` of many instants at once."""
    suffix = apple_date(moments[0], offset_s)[-6:] if len(moments) else ""
    local = moments.tz_convert(timezone(timedelta(seconds=offset_s)))
    return [text + suffix for text in local.strftime("%Y-%m-%d %H:%M:%S")]


def _workout(kind: str, start: pd.Timestamp, end: pd.Timestamp, hr_avg: float, hr_max: float,
             distance_km: float | None, route: str | None) -> str:
    minutes = (end - start).total_seconds() / 60.0
    span = f'startDate="{apple_date(start)}" endDate="{apple_date(end)}"'
    lines = [
        (f' <Workout workoutActivityType="HKWorkoutActivityType{kind}" duration="{minutes:g}" '
         f'durationUnit="min" sourceName="Ann’s Apple Watch" sourceVersion="10.4" '
         f'creationDate="{apple_date(end)}" {span}>\n'),
        '  <MetadataEntry key="HKIndoorWorkout" value="0"/>\n',
        (f'  <WorkoutEvent type="HKWorkoutEventTypeSegment" date="{apple_date(start)}" '
         f'duration="{minutes:g}" durationUnit="min"/>\n'),
        (f'  <WorkoutStatistics type="HKQuantityTypeIdentifierHeartRate" {span} '
         f'average="{hr_avg:g}" minimum="95" maximum="{hr_max:g}" unit="count/min"/>\n'),
        (f'  <WorkoutStatistics type="HKQuantityTypeIdentifierActiveEnergyBurned" {span} '
         f'sum="{minutes * 11:g}" unit="kcal"/>\n'),
    ]
    if distance_km is not None:
        lines.append(
            f'  <WorkoutStatistics type="HKQuantityTypeIdentifierDistanceWalkingRunning" '
            f'startDate="{apple_date(start)}" endDate="{apple_date(end)}" '
            f'sum="{distance_km:g}" unit="km"/>\n'
        )
    if route is not None:
        lines.append(f'  <WorkoutRoute sourceName="Ann’s Apple Watch">\n'
                     f'   <FileReference path="/workout-routes/{route}"/>\n  </WorkoutRoute>\n')
    lines.append(" </Workout>\n")
    return "".join(lines)


#: The workouts of :func:`apple_health_export`: (HealthKit type suffix, start UTC, minutes,
#: heart rate during it [bpm], with a route).
APPLE_WORKOUTS: tuple[tuple[str, str, int, float, bool], ...] = (
    ("Running", "2024-05-01T05:00:00Z", 30, 165.0, True),
    ("TraditionalStrengthTraining", "2024-05-02T16:00:00Z", 40, 120.0, False),
    ("Cycling", "2024-05-03T15:00:00Z", 20, 150.0, False),
)


def write_apple_health_xml(
    handle: IO[bytes], days: int = 3, hr_every_s: int = 5, workouts=APPLE_WORKOUTS
) -> None:
    """Write an Apple Health ``export.xml`` to ``handle``, as Apple orders it: every record
    first (step counts, then heart rate every ``hr_every_s`` seconds over ``days`` days from
    2024-05-01 00:00 UTC — at the workout's rate inside each workout, 100 bpm elsewhere), then
    the workouts with their statistics. Written in pieces, so ``days`` can make it large."""
    handle.write(b'<?xml version="1.0" encoding="UTF-8"?>\n' + _APPLE_DTD.encode())
    handle.write(b'<HealthData locale="de_CH">\n <ExportDate value="2024-06-01 10:00:00 +0200"/>\n'
                 b' <Me HKCharacteristicTypeIdentifierBiologicalSex="HKBiologicalSexFemale"/>\n')
    origin = pd.Timestamp("2024-05-01T00:00:00Z")
    spans = [(pd.Timestamp(s), pd.Timestamp(s) + pd.Timedelta(minutes=m), hr)
             for _, s, m, hr, _ in workouts]
    hours = pd.date_range(origin, periods=days * 24, freq="h")
    handle.write(_records("HKQuantityTypeIdentifierStepCount", "count", hours,
                          np.full(len(hours), 250.0)).encode())
    for day in range(days):
        moments = origin + pd.Timedelta(days=day) + pd.to_timedelta(
            np.arange(0, 86400, hr_every_s), unit="s")
        bpm = np.full(len(moments), 100.0)
        for a, b, hr in spans:
            bpm[(moments >= a) & (moments <= b)] = hr
        handle.write(_records(HEART_RATE, "count/min", moments, bpm).encode())
    for (kind, start, minutes, hr, has_route), (a, b, _) in zip(workouts, spans):
        distance = 6.0 if kind == "Running" else None
        route = f"route_{a:%Y-%m-%d_%H.%M}.gpx" if has_route else None
        handle.write(_workout(kind, a, b, hr, hr + 12, distance, route).encode())
    handle.write(b"</HealthData>\n")


def apple_health_export() -> Tree:
    """An Apple Health export as in ``export.zip``: ``apple_health_export/export.xml`` with the
    three :data:`APPLE_WORKOUTS`, a route GPX for the run, ``export_cda.xml`` and an ECG CSV
    (neither is a workout)."""
    xml = io.BytesIO()
    write_apple_health_xml(xml, days=3, hr_every_s=60)
    _, start, minutes, _, _ = APPLE_WORKOUTS[0]
    route = run_samples(pd.Timestamp(start).to_pydatetime(), duration_s=minutes * 60)
    root = "apple_health_export"
    return {
        f"{root}/export.xml": xml.getvalue(),
        f"{root}/export_cda.xml": b'<?xml version="1.0"?><ClinicalDocument/>\n',
        f"{root}/workout-routes/route_{pd.Timestamp(start):%Y-%m-%d_%H.%M}.gpx": write_gpx(
            route, name="Route", sport="running", creator="Apple Health Export", heart_rate=False
        ),
        f"{root}/electrocardiograms/ecg_2024-05-01.csv": b"Name,Ann\nSample Rate,512 Hz\n0.1\n",
    }


# -- packing ---------------------------------------------------------------------------------


def zip_bytes(tree: Tree, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip of ``tree`` (member names as given)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in tree.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2024, 6, 1, 0, 0, 0)), data,
                             compress_type=compression)
    return out.getvalue()


def write_tree(folder: Path, tree: Tree) -> Path:
    """Write ``tree`` under ``folder`` (an export unpacked by hand); returns ``folder``."""
    for name, data in tree.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder

