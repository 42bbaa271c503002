"""TCX reader: hand-checked small files, the shared corpus, and a never-crash property test."""

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
from lactlog.io.tcx import read_tcx
from lactlog.testing.damage import damaged

# pytest runs with --import-mode=importlib, which does not put tests/ on sys.path.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from conftest import corpus_manifest, corpus_params

# Two activities. The first (Biking, local time +02:00) has two laps:
#   lap 1: 60 s, 200 m, avg/max HR 120/130, AvgWatts 200
#   lap 2: 120 s, 400 m, avg/max HR 150/170, AvgWatts 250
# and five trackpoints, one of them without a <Time> (dropped).
# The second (Other, UTC) has one trackpoint.
TCX = """<?xml version="1.0" encoding="UTF-8"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
    xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2">
 <Activities>
  <Activity Sport="Biking">
   <Id>2024-05-01T10:00:00+02:00</Id>
   <Lap StartTime="2024-05-01T10:00:00+02:00">
    <TotalTimeSeconds>60</TotalTimeSeconds><DistanceMeters>200</DistanceMeters>
    <AverageHeartRateBpm><Value>120</Value></AverageHeartRateBpm>
    <MaximumHeartRateBpm><Value>130</Value></MaximumHeartRateBpm>
    <Track>
     <Trackpoint>
      <Time>2024-05-01T10:00:00+02:00</Time>
      <Position><LatitudeDegrees>47.5</LatitudeDegrees><LongitudeDegrees>8.25</LongitudeDegrees></Position>
      <AltitudeMeters>400.5</AltitudeMeters><DistanceMeters>0</DistanceMeters>
      <HeartRateBpm><Value>118</Value></HeartRateBpm><Cadence>85</Cadence>
      <Extensions><ns3:TPX><ns3:Speed>3.5</ns3:Speed><ns3:Watts>190</ns3:Watts></ns3:TPX></Extensions>
     </Trackpoint>
     <Trackpoint>
      <Time>2024-05-01T10:00:30+02:00</Time>
      <HeartRateBpm><Value>122</Value></HeartRateBpm>
     </Trackpoint>
     <Trackpoint><HeartRateBpm><Value>99</Value></HeartRateBpm></Trackpoint>
    </Track>
    <Extensions><ns3:LX><ns3:AvgWatts>200</ns3:AvgWatts></ns3:LX></Extensions>
   </Lap>
   <Lap StartTime="2024-05-01T10:01:00+02:00">
    <TotalTimeSeconds>120</TotalTimeSeconds><DistanceMeters>400</DistanceMeters>
    <AverageHeartRateBpm><Value>150</Value></AverageHeartRateBpm>
    <MaximumHeartRateBpm><Value>170</Value></MaximumHeartRateBpm>
    <Track>
     <Trackpoint>
      <Time>2024-05-01T10:01:00+02:00</Time>
      <HeartRateBpm><Value>149</Value></HeartRateBpm>
      <Extensions><TPX xmlns="http://www.garmin.com/xmlschemas/ActivityExtension/v2">
       <Watts>260</Watts><RunCadence>88</RunCadence></TPX></Extensions>
     </Trackpoint>
     <Trackpoint><Time>2024-05-01T10:01:30+02:00</Time><AltitudeMeters>401</AltitudeMeters></Trackpoint>
    </Track>
    <Extensions><ns3:LX><ns3:AvgWatts>250</ns3:AvgWatts></ns3:LX></Extensions>
   </Lap>
   <Creator><Name>Garmin Edge 530</Name></Creator>
  </Activity>
  <Activity Sport="Other">
   <Id>2024-05-02T08:00:00Z</Id>
   <Lap StartTime="2024-05-02T08:00:00Z">
    <Track><Trackpoint><Time>2024-05-02T08:00:00Z</Time>
     <HeartRateBpm><Value>80</Value></HeartRateBpm></Trackpoint></Track>
   </Lap>
  </Activity>
 </Activities>
 <Author><Name>Garmin Connect</Name></Author>
</TrainingCenterDatabase>
"""


def write(tmp_path: Path, content: str | bytes, name: str = "a.tcx") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


@pytest.fixture
def activities(tmp_path: Path) -> list:
    return read(write(tmp_path, TCX))


def test_one_activity_per_activity_element(activities: list) -> None:
    assert [a.meta.session_index for a in activities] == [0, 1]
    assert [a.meta.sport for a in activities] == ["cycling", "generic"]
    assert [a.meta.format for a in activities] == ["tcx", "tcx"]


def test_samples_values(activities: list) -> None:
    samples = activities[0].samples
    # 5 trackpoints, one without a time
    assert len(samples) == 4
    assert samples.index.tz is not None and str(samples.index.tz) == "UTC"
    assert samples.index[0] == pd.Timestamp("2024-05-01T08:00:00Z")
    assert samples["heart_rate_bpm"].tolist()[:3] == [118.0, 122.0, 149.0]
    assert math.isnan(samples["heart_rate_bpm"].iloc[3])
    assert samples["power_w"].iloc[0] == 190.0 and samples["power_w"].iloc[2] == 260.0
    assert samples["speed_mps"].iloc[0] == 3.5
    # Cadence where present, RunCadence otherwise
    assert samples["cadence_rpm"].iloc[0] == 85.0 and samples["cadence_rpm"].iloc[2] == 88.0
    assert samples["lat_deg"].iloc[0] == 47.5 and samples["lon_deg"].iloc[0] == 8.25
    assert samples["altitude_m"].iloc[3] == 401.0
    assert "temperature_c" not in samples.columns
    assert any("without a readable time" in w for w in activities[0].meta.warnings)


def test_meta(activities: list) -> None:
    meta = activities[0].meta
    assert meta.utc_offset_s == 7200
    assert meta.start == pd.Timestamp("2024-05-01T08:00:00Z").to_pydatetime()
    assert meta.start.utcoffset().total_seconds() == 0
    assert meta.product == "Garmin Edge 530"  # Creator, not Author
    assert meta.manufacturer == "garmin"
    assert len(meta.sha256) == 64 and meta.source.endswith("a.tcx")
    second = activities[1].meta
    assert second.utc_offset_s is None and second.product is None and second.manufacturer is None


def test_laps_and_summary(activities: list) -> None:
    laps = activities[0].laps
    assert list(laps.columns) == [
        "start", "elapsed_s", "timer_s", "distance_m",
        "avg_heart_rate_bpm", "max_heart_rate_bpm", "avg_power_w",
    ]  # fmt: skip
    assert laps["start"].tolist() == [
        pd.Timestamp("2024-05-01T08:00:00Z"),
        pd.Timestamp("2024-05-01T08:01:00Z"),
    ]
    assert laps["timer_s"].tolist() == [60.0, 120.0]
    assert laps["avg_power_w"].tolist() == [200.0, 250.0]
    assert laps["elapsed_s"].isna().all()
    summary = activities[0].device_summary
    assert summary.timer_s == 180.0
    assert summary.distance_m == 600.0
    assert summary.avg_heart_rate_bpm == pytest.approx((120 * 60 + 150 * 120) / 180)  # 140
    assert summary.max_heart_rate_bpm == 170.0
    assert summary.avg_power_w == pytest.approx((200 * 60 + 250 * 120) / 180)
    second = activities[1].device_summary
    assert second.timer_s is None and second.avg_heart_rate_bpm is None


def test_session_cap_setting_reaches_the_reader(tmp_path: Path) -> None:
    """``read(..., max_sessions=N)`` (the max_sessions_per_file setting) caps TCX activities."""
    capped = read(write(tmp_path, TCX), max_sessions=1)
    assert len(capped) == 1
    assert any("only the first 1 <Activity> elements" in w and "1 more were left out" in w
               for w in capped[0].meta.warnings)


def test_bom_and_leading_whitespace(tmp_path: Path) -> None:
    path = write(tmp_path, b"\xef\xbb\xbf  \r\n\n " + TCX.encode())
    activities = read(path)
    assert len(activities) == 2 and len(activities[0].samples) == 4


def test_malformed_xml_names_line_in_file(tmp_path: Path) -> None:
    # Two leading blank lines are stripped before parsing; the reported line is the file's.
    broken = "\n\n<?xml version='1.0'?>\n<TrainingCenterDatabase>\n<Activities>\n</Activity>\n"
    with pytest.raises(CorruptFileError, match=r"malformed TCX XML at line 6, column"):
        read(write(tmp_path, broken))


def test_truncated_file(tmp_path: Path) -> None:
    with pytest.raises(CorruptFileError, match="malformed TCX XML"):
        read(write(tmp_path, TCX[: len(TCX) // 2]))


def test_no_trackpoints_is_empty(tmp_path: Path) -> None:
    content = (
        "<TrainingCenterDatabase><Activities><Activity Sport='Running'>"
        "<Lap StartTime='2024-01-01T00:00:00Z'><TotalTimeSeconds>5</TotalTimeSeconds></Lap>"
        "</Activity></Activities></TrainingCenterDatabase>"
    )
    with pytest.raises(EmptyFileError, match="no trackpoints with a time"):
        read(write(tmp_path, content))


def test_entity_declarations_are_refused(tmp_path: Path) -> None:
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE TrainingCenterDatabase [\n'
        ' <!ENTITY a "aaaaaaaaaa">\n <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n]>\n'
        "<TrainingCenterDatabase>&b;</TrainingCenterDatabase>\n"
    )
    with pytest.raises(UnsupportedFormatError, match="DOCTYPE/ENTITY"):
        read(write(tmp_path, bomb))


def test_sport_names() -> None:
    content = (
        "<TrainingCenterDatabase><Activities>"
        + "".join(
            f"<Activity Sport='{sport}'><Lap><Track><Trackpoint><Time>2024-01-0{i + 1}T00:00:00Z"
            "</Time></Trackpoint></Track></Lap></Activity>"
            for i, sport in enumerate(["Running", "Biking", "Other", "Swimming", ""])
        )
        + "</Activities></TrainingCenterDatabase>"
    )
    activities = read_tcx(RawInput.from_bytes("x.tcx", content.encode()))
    assert [a.meta.sport for a in activities] == [
        "running", "cycling", "generic", "swimming", "generic",
    ]  # fmt: skip


# ------------------------------------------------------------------------------------------
# Shared corpus
# ------------------------------------------------------------------------------------------

#: Manifest values that disagree with the file's content, verified by reading the file.
#: gc__2020-02-05 (Polar Vantage V, indoor ride): has_speed is true in the manifest, but the file
#: has no per-trackpoint speed or distance at all, only <AvgSpeed>/<MaximumSpeed> per lap.
HAS_SPEED_EXCEPTIONS: dict[str, bool] = {"gc__2020-02-05_17-25-14_Training-with-Notes.tcx": False}


def _tcx_params() -> list:
    """Corpus parameters for the .tcx files (the skip placeholder when the corpus is absent)."""
    params = corpus_params("tcx-gpx")
    return [p for p in params if p.values[0] is None or p.values[0].name.lower().endswith(".tcx")]


@pytest.mark.parametrize("path", _tcx_params())
def test_corpus_file(path: Path) -> None:
    activities = read(path)
    assert len(activities) >= 1
    for activity in activities:
        index = activity.samples.index
        assert str(index.tz) == "UTC" and index.is_monotonic_increasing and index.is_unique
        assert activity.meta.format == "tcx"
        assert activity.meta.start == index[0].to_pydatetime()
    row = corpus_manifest().get(f"tcx-gpx/{path.name}")
    if row is None:
        pytest.skip("file not in MANIFEST.tsv")
    columns = set().union(*(a.samples.columns for a in activities))
    assert sum(len(a.samples) for a in activities) == int(row["n_records"])
    assert ("heart_rate_bpm" in columns) == (row["has_hr"] == "true")
    assert ("power_w" in columns) == (row["has_power"] == "true")
    # has_speed: speed recorded, or derivable from cumulative distance
    has_speed = "speed_mps" in columns or "distance_m" in columns
    assert has_speed == HAS_SPEED_EXCEPTIONS.get(path.name, row["has_speed"] == "true")
    assert activities[0].meta.product == (row["product"] or None)


# ------------------------------------------------------------------------------------------
# Property: damaged input only ever raises lactlog's own errors
# ------------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=5000, suppress_health_check=[HealthCheck.too_slow])
@given(damaged(TCX.encode()))
def test_damaged_tcx_raises_only_lactlog_errors(data: bytes) -> None:
    try:
        activities = read_tcx(RawInput.from_bytes("fuzz.tcx", data))
    except LactlogError:
        return
    for activity in activities:
        assert activity.samples.index.is_unique and activity.samples.index.is_monotonic_increasing
