"""Time-series CSV exports read through :func:`lactlog.io.read`.

Unit conversions checked by hand: 36 km/h = 10 m/s; 1 mph = 0.44704 m/s; 1 mile = 1609.344 m;
1 ft = 0.3048 m; 68 °F = 20 °C; FIT semicircles x 180 / 2**31 = degrees.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import corpus_manifest, corpus_params
from lactlog.errors import CorruptFileError, EmptyFileError, LactlogError, UnsupportedFormatError
from lactlog.io import read
from lactlog.io.common import RawInput
from lactlog.io.csvfile import (
    WARN_FILE_NAME,
    WARN_LOCAL,
    WARN_NO_DATE,
    read_csv,
    start_from_name,
)


def _write(tmp_path: Path, content: str | bytes, name: str = "ride.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def _one(path: Path):
    activities = read(path)
    assert len(activities) == 1
    return activities[0]


KMH_MINUTES = """\
Minutes,Km/h,Watts,Km,Hrate,Cadence
0.0,36,200,0,120,90
0.5,18,150,0.15,-1,85
1.0,7.2,0,0.3,130,0
"""


def test_kmh_and_minutes_without_date(tmp_path):
    ride = _one(_write(tmp_path, KMH_MINUTES))
    samples = ride.samples
    start = datetime(2000, 1, 1, tzinfo=UTC)
    assert list(samples.index) == [pd.Timestamp(start) + pd.Timedelta(seconds=s)
                                   for s in (0, 30, 60)]
    np.testing.assert_allclose(samples["speed_mps"], [10.0, 5.0, 2.0])
    np.testing.assert_allclose(samples["distance_m"], [0.0, 150.0, 300.0])
    np.testing.assert_array_equal(samples["heart_rate_bpm"], [120.0, np.nan, 130.0])  # -1 = none
    np.testing.assert_array_equal(samples["power_w"], [200.0, 150.0, 0.0])
    assert ride.meta.start == start
    assert WARN_NO_DATE in ride.meta.warnings
    assert ride.meta.sport == "cycling"  # it has power
    assert (ride.meta.format, ride.meta.product) == ("csv", None)


def test_start_from_goldencheetah_file_name(tmp_path):
    ride = _one(_write(tmp_path, KMH_MINUTES, "2009_05_27_01_01_01.csv"))
    assert ride.meta.start == datetime(2009, 5, 27, 1, 1, 1, tzinfo=UTC)
    assert ride.samples.index[-1] == pd.Timestamp("2009-05-27T01:02:01Z")
    assert WARN_FILE_NAME in ride.meta.warnings
    assert WARN_NO_DATE not in ride.meta.warnings


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("2009_05_27_01_01_01.csv", datetime(2009, 5, 27, 1, 1, 1)),
        ("RP3_2016-03-27_09-23-29.csv", datetime(2016, 3, 27, 9, 23, 29)),
        ("ride 2011-01-02 21-22-20.csv", datetime(2011, 1, 2, 21, 22, 20)),
        ("20230405_061500_tempo.csv", datetime(2023, 4, 5, 6, 15, 0)),
        ("2018_7_8_myMeasurements.csv", None),
        ("2009_13_40_01_01_01.csv", None),  # not a date
    ],
)
def test_start_from_name(name, expected):
    assert start_from_name(f"/some/folder/{name}") == expected


def test_latin1_semicolon_decimal_comma(tmp_path):
    content = (
        "Zeit (s);Puls;Leistung;Höhe;Geschwindigkeit (km/h)\n"
        "0;120;200,5;300;18\n"
        "1;121;210;301;36\n"
    )
    ride = _one(_write(tmp_path, content.encode("latin-1")))
    np.testing.assert_allclose(ride.samples["power_w"], [200.5, 210.0])
    np.testing.assert_allclose(ride.samples["altitude_m"], [300.0, 301.0])
    np.testing.assert_allclose(ride.samples["heart_rate_bpm"], [120.0, 121.0])
    np.testing.assert_allclose(ride.samples["speed_mps"], [5.0, 10.0])
    assert (ride.samples.index[1] - ride.samples.index[0]) == pd.Timedelta(seconds=1)


def test_utf8_bom_and_tab(tmp_path):
    content = "\ufeffseconds\theart_rate\tspeed_mps\n0\t100\t3.5\n5\t101\t3.6\n"
    ride = _one(_write(tmp_path, content))
    assert list(ride.samples.columns) == ["heart_rate_bpm", "speed_mps"]
    assert ride.samples.index[1] - ride.samples.index[0] == pd.Timedelta(seconds=5)
    assert ride.meta.sport == "generic"  # no power, unknown device


def test_epoch_seconds_and_milliseconds(tmp_path):
    seconds = _one(_write(tmp_path, "timestamp,hr\n1600000000,100\n1600000001,101\n", "a.csv"))
    assert seconds.meta.start == datetime(2020, 9, 13, 12, 26, 40, tzinfo=UTC)
    assert not any("dates are unknown" in w for w in seconds.meta.warnings)
    millis = _one(_write(tmp_path, "timestamp_epoch,POWER\n1600000000500,250\n1600000001500,260\n",
                         "b.csv"))
    assert millis.samples.index[0] == pd.Timestamp("2020-09-13T12:26:40.5Z")
    assert millis.meta.sport == "cycling"


def test_iso_timestamps(tmp_path):
    content = (
        "time,Heart Rate,Power (W)\n"
        "2024-01-02T10:00:00Z,140,200\n"
        "2024-01-02T10:00:02Z,142,210\n"
    )
    ride = _one(_write(tmp_path, content))
    assert ride.meta.start == datetime(2024, 1, 2, 10, 0, tzinfo=UTC)
    assert ride.samples.index[1] == pd.Timestamp("2024-01-02T10:00:02Z")
    naive = _one(_write(tmp_path, content.replace("Z", ""), "naive.csv"))
    assert any("no UTC offset" in w for w in naive.meta.warnings)


def test_truncated_last_line(tmp_path):
    content = "Minutes,Watts,Hrate\n0,100,120\n0.5,110,121\n1.0,1"
    ride = _one(_write(tmp_path, content))
    assert len(ride.samples) == 2
    np.testing.assert_array_equal(ride.samples["power_w"], [100.0, 110.0])
    assert any("incomplete" in w for w in ride.meta.warnings)


def test_imperial_units_and_ibike_preamble(tmp_path):
    content = (
        "iBike,11,english\r\n2020,1,2,3,4,5\r\n\r\n"
        "180.0,0,0,0,2.000000,0,0\r\n"
        "Speed (mph),Power (W),Distance (miles),Heartrate (BPM),Elevation (feet),"
        "Temperature (degF),Latitude,Longitude,Timestamp\r\n"
        "10,150,0.5,120,100,68,0,0,\r\n"
        "20,160,1.0,125,110,68,0,0,\r\n"
    )
    ride = _one(_write(tmp_path, content))
    samples = ride.samples
    assert ride.meta.product == "iBike"
    assert ride.meta.start == datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)  # line 2, local time
    assert WARN_LOCAL in ride.meta.warnings
    assert samples.index[1] - samples.index[0] == pd.Timedelta(seconds=2)  # config field 5
    np.testing.assert_allclose(samples["speed_mps"], [4.4704, 8.9408])
    np.testing.assert_allclose(samples["distance_m"], [804.672, 1609.344])
    np.testing.assert_allclose(samples["altitude_m"], [30.48, 33.528])
    np.testing.assert_allclose(samples["temperature_c"], [20.0, 20.0])
    assert "lat_deg" not in samples.columns  # 0,0 means no position


def test_unit_row_under_header(tmp_path):
    content = (
        "ZEIT,STRECKE,POWER,SPEED,PULS,PAUSE\n"
        "L_SEC,KM,WATT,KM/H,BPM,SEC\n"
        "   1,  0.010,  100, 36.0,   0,    0\n"
        "   2,  0.020,  110, 36.0, 120,   10\n"
        "   3,  0.030,  120, 36.0, 121,    0\n"
    )
    ride = _one(_write(tmp_path, content, "2009_08_04_06_22_50.CSV"))
    assert ride.meta.product == "Ergomo"
    np.testing.assert_allclose(ride.samples["distance_m"], [10.0, 20.0, 30.0])
    np.testing.assert_allclose(ride.samples["speed_mps"], [10.0, 10.0, 10.0])
    np.testing.assert_array_equal(ride.samples["heart_rate_bpm"], [np.nan, 120.0, 121.0])
    offsets = (ride.samples.index - pd.Timestamp("2009-08-04T06:22:50Z")).total_seconds()
    assert list(offsets) == [1.0, 2.0, 13.0]  # the 10 s pause is added after its row


def test_rowing_intervals_accumulate(tmp_path):
    content = (
        '"id","workout_interval_id","stroke_number","power","stroke_rate","time","distance","pulse"\n'
        "1,7,1,100,20,3.0,10.0,120\n"
        "2,7,2,110,22,6.0,20.0,121\n"
        "3,8,1,120,24,2.5,9.0,0\n"
    )
    ride = _one(_write(tmp_path, content))
    assert ride.meta.sport == "rowing" and ride.meta.product == "RP3"
    offsets = (ride.samples.index - ride.meta.start).total_seconds()
    assert list(offsets) == [3.0, 6.0, 8.5]  # second interval starts after 6 s
    np.testing.assert_allclose(ride.samples["distance_m"], [10.0, 20.0, 29.0])
    np.testing.assert_allclose(ride.samples["cadence_rpm"], [20.0, 22.0, 24.0])


FITCSV_HEADER = "Type,Local Number,Message,Field 1,Value 1,Units 1,Field 2,Value 2,Units 2\n"


def test_fitcsv_dump(tmp_path):
    content = FITCSV_HEADER + (
        "Definition,0,record,timestamp,1,,heart_rate,1,\n"
        'Data,0,session,sport,"2",,total_elapsed_time,"2",s\n'
        'Data,0,record,timestamp,"1000000000",s,heart_rate,"120",bpm,position_lat,"536870912",semicircles\n'
        'Data,0,record,timestamp,"1000000001",s,heart_rate,"121",bpm\n'
    )
    ride = _one(_write(tmp_path, content))
    # FIT time 1e9 s after 1989-12-31T00:00Z = Unix 1631065600 = 2021-09-08T01:46:40Z
    assert ride.meta.start == datetime(2021, 9, 8, 1, 46, 40, tzinfo=UTC)
    np.testing.assert_allclose(ride.samples["heart_rate_bpm"], [120.0, 121.0])
    assert ride.samples["lat_deg"].iloc[0] == 45.0  # 2**29 semicircles
    assert ride.meta.sport == "cycling"
    multi = content + 'Data,0,session,sport,"1",,total_elapsed_time,"2",s\n'
    with pytest.raises(UnsupportedFormatError, match="2 sessions"):
        read(_write(tmp_path, multi, "multi.csv"))


def test_fitcsv_dump_fields_beyond_one_fit_message_are_refused(tmp_path):
    # found by bench/fuzz.py --format csv: the reader's cost grows with the widest line
    # (a 90 kB dump of three 30,000-field lines took 11 s CPU); a FIT message has ≤ 1,020 fields
    record = 'Data,0,record,timestamp,"1000000000",s,heart_rate,"120",bpm'
    fields = ",".join(f"f{i},1,u" for i in range(1018))
    widest = FITCSV_HEADER + f"{record},{fields},\n"  # 3 + 3 × 1,020 + trailing comma
    assert _one(_write(tmp_path, widest)).samples["heart_rate_bpm"].tolist() == [120.0]
    wider = FITCSV_HEADER + record + ",\n" + record + "," * 30_000 + "\n"
    with pytest.raises(CorruptFileError, match=r"line 3 of the FitCSVTool dump has 30,009 fields; "
                       r"a FIT message has at most 1,020 \(3,064 CSV fields\)"):
        read(_write(tmp_path, wider, "wide.csv"))


def test_fitcsv_dump_ignores_unnamed_and_repeated_fields(tmp_path):
    content = FITCSV_HEADER + (
        'Data,0,record,timestamp,"1000000000",s,,"7",,heart_rate,"120",bpm,heart_rate,"99",bpm\n'
        'Data,0,record,timestamp,"1000000001",s,heart_rate,,bpm\n'
    )
    ride = _one(_write(tmp_path, content))
    np.testing.assert_allclose(ride.samples["heart_rate_bpm"], [120.0, np.nan])


@pytest.mark.parametrize(
    ("content", "error", "match"),
    [
        ("foo,bar,baz\n1,2,3\n", UnsupportedFormatError,
         "no time column recognised; columns are: foo, bar, baz"),
        ("Watts,Hrate\n100,120\n", UnsupportedFormatError, "no time column recognised"),
        ("secs,foo\n1,2\n", UnsupportedFormatError, "no sample columns"),
        ("Minutes,Watts,Hrate\n", EmptyFileError, "no data rows"),
        ("\n\n  \n", EmptyFileError, "empty"),
        # found by bench/fuzz.py-style wide tables: reading costs per column (24,000: 4.4 s)
        ("secs,hr," + ",".join(f"c{i}" for i in range(1023)) + "\n1,120" + ",1" * 1023 + "\n",
         CorruptFileError, r"the header \(line 1\) has 1,025 columns; lactlog reads tables of "
         r"up to 1,024 columns"),
        ((",id,average_heartrate,distance,elapsed_time,name,start_date\n"
          "0,1,150,5000,1500,Run,2021-07-28 10:19:11+00:00\n"),
         UnsupportedFormatError, r"a list of activities \(Strava export\), not a time series"),
        (("Date,Title,Avg HR,Max HR,Avg Power,Total Time,Distance\n"
          "2024-01-01,Ride,140,170,200,3600,30\n"),
         UnsupportedFormatError, "summary table"),
    ],
)
def test_rejections(tmp_path, content, error, match):
    with pytest.raises(error, match=match):
        read(_write(tmp_path, content))


# ----------------------------------------------------------------------------- corpus

#: Per corpus file: samples read (exact), columns and metadata, or the error it must raise.
#: n differs from the manifest's n_records where the manifest counts non-sample lines
#: (Ergomo unit row, iBike/Joule preambles, FitCSVTool definition rows, PeriPedal's shifted row).
CORPUS_EXPECTED: dict[str, dict] = {
    "antoine_activities.csv": {"error": "a list of activities (Strava export)"},
    "gc__2018_7_8_myMeasurements.csv": {"error": "daily HRV measurements (HRV4Training export)"},
    "muktihari__triathlon_summary_first.csv": {"error": "FitCSVTool with 5 sessions"},
    "placy2_strong.csv": {"workouts": 356},  # details in test_strength_csv.py
    # The manifest flags has_hr, but every Hrate value is -1 (PowerTap "no data") or 0.
    "gc__2009_05_27_01_01_01.csv": {
        "n": 6090, "hr": False, "power": True, "product": "PowerTap", "sport": "cycling",
        "start": "2009-05-27T01:01:01Z",  # from the file name
    },
    "gc__2009_08_04_06_22_50.CSV": {
        "n": 3633, "hr": True, "power": True, "product": "Ergomo", "sport": "cycling",
        "start": "2009-08-04T06:22:50Z",  # from the file name
    },
    "gc__2009_12_13_16_11_42.csv": {
        "n": 4862, "hr": True, "power": True, "product": "iBike", "sport": "cycling",
        "start": "2009-12-10T17:25:46Z",  # iBike line 2 (differs from the file name)
    },
    "gc__RP3_2016-03-27_09-23-29.csv": {
        "n": 222, "hr": True, "power": True, "product": "RP3", "sport": "rowing",
        "start": "2016-03-27T09:23:29Z",  # from the file name
    },
    "gc__Ramp_test.csv": {
        "n": 2212, "hr": True, "power": True, "product": None, "sport": "cycling",
        "start": "2015-12-27T09:39:33Z",  # BSX Insight: Unix time in a FitCSVTool layout
    },
    "gc__joule-ride.csv": {
        "n": 4439, "hr": True, "power": True, "product": "Joule", "sport": "cycling",
        "start": "2013-02-05T14:06:43Z",  # Joule Date/Time preamble field
    },
    "gc__motoActv_powertap.csv": {
        "n": 1541, "hr": True, "power": True, "product": "MotoACTV", "sport": "cycling",
        "start": "2012-05-26T14:25:01.055Z",  # epoch milliseconds
    },
    "gc__peripedal_3min_1.csv": {
        "n": 3620, "hr": True, "power": True, "product": "PeriPedal", "sport": "cycling",
        "start": "2000-01-01T00:00:00Z",  # no date anywhere: documented fallback
    },
}


@pytest.mark.parametrize("path", corpus_params("csv"))
def test_corpus_file(path):
    expected = CORPUS_EXPECTED.get(path.name)
    assert expected is not None, f"no expectation stated for corpus file {path.name}"
    if "error" in expected:
        with pytest.raises(UnsupportedFormatError, match=expected["error"].replace("(", r"\(")
                           .replace(")", r"\)")):
            read(path)
        return
    activities = read(path)
    if "workouts" in expected:
        assert len(activities) == expected["workouts"]
        return
    (ride,) = activities
    samples = ride.samples
    assert len(samples) == expected["n"]
    manifest_n = int(corpus_manifest()[f"csv/{path.name}"]["n_records"])
    assert abs(len(samples) - manifest_n) <= 5
    assert ("heart_rate_bpm" in samples.columns) == expected["hr"]
    assert ("power_w" in samples.columns) == expected["power"]
    assert (ride.meta.product, ride.meta.sport) == (expected["product"], expected["sport"])
    assert ride.meta.start == pd.Timestamp(expected["start"]).to_pydatetime()
    assert samples.index.is_monotonic_increasing and samples.index.is_unique
    assert str(samples.index.tz) == "UTC"
    assert samples["power_w"].max() < 2000  # plausible units
    if "heart_rate_bpm" in samples.columns:
        assert samples["heart_rate_bpm"].min() >= 30
        assert samples["heart_rate_bpm"].max() < 230
    if "speed_mps" in samples.columns:
        assert samples["speed_mps"].max() < 30  # < 108 km/h: km/h and mph were converted


@pytest.mark.parametrize("path", corpus_params("csv"))
def test_corpus_manifest_flags(path):
    """Where the manifest's has_hr/has_power agree with the file, the reader agrees too."""
    expected = CORPUS_EXPECTED[path.name]
    if "n" not in expected:
        pytest.skip("not a time series")
    row = corpus_manifest()[f"csv/{path.name}"]
    assert (row["has_power"] == "true") == expected["power"]
    if path.name != "gc__2009_05_27_01_01_01.csv":
        assert (row["has_hr"] == "true") == expected["hr"]


# ----------------------------------------------------------------------------- robustness

VALID = "Minutes,Km/h,Watts,Hrate\n0.0,36,200,120\n0.5,18,150,121\n1.0,7.2,0,130\n"
ALPHABET = list(',;\t"\n\r 0123456789.-:eE+ZT/abcxyzMinutesWattsHrate\x00\xff')


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    edits=st.lists(
        st.tuples(st.integers(0, len(VALID)), st.integers(0, 4),
                  st.text(alphabet=st.sampled_from(ALPHABET), max_size=6)),
        max_size=6,
    ),
    cut=st.integers(1, len(VALID)),
    latin1=st.booleans(),
)
def test_mutated_csv_raises_only_lactlog_errors(edits, cut, latin1):
    text = VALID
    for position, deleted, inserted in edits:
        text = text[:position] + inserted + text[position + deleted:]
    text = text[:cut] if cut < len(text) else text
    data = text.encode("latin-1" if latin1 else "utf-8", errors="replace")
    try:
        activities = read_csv(RawInput.from_bytes("mutated.csv", data))
    except LactlogError:
        return
    for activity in activities:
        assert activity.samples.index.is_monotonic_increasing
        assert not math.isnan(activity.samples.index[0].timestamp())
