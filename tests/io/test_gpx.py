"""GPX reader: hand-checked small files, the shared corpus, and a never-crash property test."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

from lactlog.errors import CorruptFileError, EmptyFileError, LactlogError, UnsupportedFormatError
from lactlog.io import read
from lactlog.io.common import RawInput
from lactlog.io.gpx import read_gpx
from lactlog.testing.damage import damaged

# pytest runs with --import-mode=importlib, which does not put tests/ on sys.path.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from conftest import corpus_manifest, corpus_params

# Three tracks: a ride in two segments (4 points, local time +02:00), a run with one point
# (UTC, Garmin's "ns3" prefix and Amazfit's plain <heartrate>), and an empty track.
GPX = """<?xml version="1.0" encoding="UTF-8"?>
<gpx creator="StravaGPX Android" version="1.1" xmlns="http://www.topografix.com/GPX/1/1"
     xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1"
     xmlns:ns3="http://www.garmin.com/xmlschemas/TrackPointExtension/v1"
     xmlns:gpxpx="http://www.garmin.com/xmlschemas/PowerExtension/v1">
 <metadata><time>2024-05-01T09:59:00Z</time></metadata>
 <trk>
  <name>Morning Ride</name>
  <type>Ride</type>
  <trkseg>
   <trkpt lat="47.5" lon="8.25"><ele>400.5</ele><time>2024-05-01T10:00:00+02:00</time>
    <extensions><power>210</power><gpxtpx:TrackPointExtension>
     <gpxtpx:atemp>21.5</gpxtpx:atemp><gpxtpx:hr>120</gpxtpx:hr><gpxtpx:cad>85</gpxtpx:cad>
    </gpxtpx:TrackPointExtension></extensions>
   </trkpt>
   <trkpt lat="47.501" lon="8.251"><ele>401</ele><time>2024-05-01T10:00:01+02:00</time>
    <extensions><gpxpx:PowerInWatts>230</gpxpx:PowerInWatts>
     <gpxtpx:TrackPointExtension><gpxtpx:hr>122</gpxtpx:hr><gpxtpx:speed>8.25</gpxtpx:speed>
     </gpxtpx:TrackPointExtension></extensions>
   </trkpt>
  </trkseg>
  <trkseg>
   <trkpt lat="47.502" lon="8.252"><time>2024-05-01T10:00:05+02:00</time></trkpt>
   <trkpt lat="47.503" lon="8.253"><time>2024-05-01T10:00:06+02:00</time>
    <extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>131</gpxtpx:hr>
    </gpxtpx:TrackPointExtension></extensions></trkpt>
  </trkseg>
 </trk>
 <trk>
  <type>running</type>
  <trkseg>
   <trkpt lat="60.0" lon="25.0"><time>2024-05-02T07:00:00Z</time>
    <extensions><heartrate>90</heartrate><ns3:TrackPointExtension><ns3:hr>90</ns3:hr>
    </ns3:TrackPointExtension></extensions></trkpt>
  </trkseg>
 </trk>
 <trk><name>empty</name><trkseg/></trk>
</gpx>
"""


def write(tmp_path: Path, content: str | bytes, name: str = "a.gpx") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


@pytest.fixture
def activities(tmp_path: Path) -> list:
    return read(write(tmp_path, GPX))


def test_one_activity_per_track_with_points(activities: list) -> None:
    # the empty third track is left out
    assert [a.meta.session_index for a in activities] == [0, 1]
    assert [a.meta.sport for a in activities] == ["cycling", "running"]
    assert [len(a.samples) for a in activities] == [4, 1]


def test_samples_values(activities: list) -> None:
    samples = activities[0].samples
    assert str(samples.index.tz) == "UTC"
    assert samples.index[0] == pd.Timestamp("2024-05-01T08:00:00Z")
    assert samples.index[-1] == pd.Timestamp("2024-05-01T08:00:06Z")
    assert samples["heart_rate_bpm"].tolist()[:2] == [120.0, 122.0]
    assert math.isnan(samples["heart_rate_bpm"].iloc[2])
    assert samples["heart_rate_bpm"].iloc[3] == 131.0
    assert samples["power_w"].tolist()[:2] == [210.0, 230.0]  # <power> and <PowerInWatts>
    assert samples["speed_mps"].iloc[1] == 8.25
    assert samples["cadence_rpm"].iloc[0] == 85.0
    assert samples["temperature_c"].iloc[0] == 21.5
    assert samples["altitude_m"].iloc[0] == 400.5
    assert samples["lat_deg"].tolist() == [47.5, 47.501, 47.502, 47.503]
    assert samples["lon_deg"].iloc[3] == 8.253
    # GPX has no distance: computed from the positions (haversine, see test_gpx_distance.py);
    # each step is 0.001° north and east at 47.5° N, about 134 m.
    assert samples["distance_m"].iloc[0] == 0.0
    assert samples["distance_m"].diff().iloc[1:].between(133.0, 135.0).all()
    run = activities[1].samples
    assert run["heart_rate_bpm"].tolist() == [90.0]
    assert set(run.columns) == {"heart_rate_bpm", "distance_m", "lat_deg", "lon_deg"}


def test_meta(activities: list) -> None:
    ride, run = (a.meta for a in activities)
    assert ride.format == "gpx" and ride.product == "StravaGPX Android"
    assert ride.utc_offset_s == 7200 and run.utc_offset_s is None
    assert ride.start == pd.Timestamp("2024-05-01T08:00:00Z").to_pydatetime()
    assert run.start == pd.Timestamp("2024-05-02T07:00:00Z").to_pydatetime()
    assert ride.sha256 == run.sha256 and len(ride.sha256) == 64
    assert ride.warnings == ()
    assert len(activities[0].laps) == 0


@pytest.mark.parametrize(
    ("type_text", "sport"),
    [("Ride", "cycling"), ("cycling", "cycling"), ("biking", "cycling"), ("Run", "running"),
     ("trail_running", "running"), ("9", "running"), ("hiking", "hiking"), ("kayak", "generic"),
     (None, "generic")],
)  # fmt: skip
def test_sport_from_type(type_text: str | None, sport: str) -> None:
    type_element = f"<type>{type_text}</type>" if type_text is not None else ""
    content = (
        f"<gpx><trk>{type_element}<trkseg><trkpt lat='1' lon='2'>"
        "<time>2024-01-01T00:00:00Z</time></trkpt></trkseg></trk></gpx>"
    )
    assert read_gpx(RawInput.from_bytes("x.gpx", content.encode()))[0].meta.sport == sport


def test_naive_times_warn(tmp_path: Path) -> None:
    content = (
        "<gpx><trk><trkseg><trkpt lat='1' lon='2'><time>2024-01-01T00:00:00</time></trkpt>"
        "<trkpt lat='1' lon='2'><time>2024-01-01T00:00:00</time></trkpt></trkseg></trk></gpx>"
    )
    (activity,) = read(write(tmp_path, content))
    assert activity.meta.utc_offset_s is None
    assert len(activity.samples) == 1
    assert any("no UTC offset" in w for w in activity.meta.warnings)
    assert any("repeated timestamp" in w for w in activity.meta.warnings)


def test_bom_and_leading_whitespace(tmp_path: Path) -> None:
    activities = read(write(tmp_path, b"\xef\xbb\xbf\n  \t" + GPX.encode()))
    assert [len(a.samples) for a in activities] == [4, 1]


def test_malformed_xml(tmp_path: Path) -> None:
    broken = "<?xml version='1.0'?>\n<gpx>\n <trk>\n  <trkseg>\n </trk>\n</gpx>\n"
    # line 5 is " </trk>"; expat points at the tag name, 1-based column 4
    with pytest.raises(CorruptFileError, match=r"malformed GPX XML at line 5, column 4 \("):
        read(write(tmp_path, broken))


def test_empty_track_is_empty_file(tmp_path: Path) -> None:
    content = "<gpx creator='x'><trk><name>nothing</name><trkseg></trkseg></trk></gpx>"
    with pytest.raises(EmptyFileError, match="no trackpoints with a time"):
        read(write(tmp_path, content))


def test_points_without_time_are_empty(tmp_path: Path) -> None:
    content = "<gpx><trk><trkseg><trkpt lat='1' lon='2'><ele>3</ele></trkpt></trkseg></trk></gpx>"
    with pytest.raises(EmptyFileError):
        read(write(tmp_path, content))


def test_entity_declarations_are_refused(tmp_path: Path) -> None:
    bomb = '<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY a "x">]><gpx>&a;</gpx>'
    with pytest.raises(UnsupportedFormatError, match="DOCTYPE/ENTITY"):
        read(write(tmp_path, bomb))


# ------------------------------------------------------------------------------------------
# Shared corpus
# ------------------------------------------------------------------------------------------


def _gpx_params() -> list:
    """Corpus parameters for the .gpx files (the skip placeholder when the corpus is absent)."""
    params = corpus_params("tcx-gpx")
    return [p for p in params if p.values[0] is None or p.values[0].name.lower().endswith(".gpx")]


@pytest.mark.parametrize("path", _gpx_params())
def test_corpus_file(path: Path) -> None:
    activities = read(path)
    assert len(activities) >= 1
    for activity in activities:
        index = activity.samples.index
        assert str(index.tz) == "UTC" and index.is_monotonic_increasing and index.is_unique
        assert activity.meta.format == "gpx"
        assert activity.meta.start == index[0].to_pydatetime()
        assert {"lat_deg", "lon_deg"} <= set(activity.samples.columns)
    row = corpus_manifest().get(f"tcx-gpx/{path.name}")
    if row is None:
        pytest.skip("file not in MANIFEST.tsv")
    columns = set().union(*(a.samples.columns for a in activities))
    assert sum(len(a.samples) for a in activities) == int(row["n_records"])
    assert ("heart_rate_bpm" in columns) == (row["has_hr"] == "true")
    assert ("power_w" in columns) == (row["has_power"] == "true")
    assert ("speed_mps" in columns) == (row["has_speed"] == "true")
    assert activities[0].meta.product == (row["product"] or None)


# ------------------------------------------------------------------------------------------
# Property: damaged input only ever raises lactlog's own errors
# ------------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=5000, suppress_health_check=[HealthCheck.too_slow])
@given(damaged(GPX.encode()))
def test_damaged_gpx_raises_only_lactlog_errors(data: bytes) -> None:
    try:
        activities = read_gpx(RawInput.from_bytes("fuzz.gpx", data))
    except LactlogError:
        return
    for activity in activities:
        assert activity.samples.index.is_unique and activity.samples.index.is_monotonic_increasing
