"""The FIT encoder in lactlog.testing, checked by decoding its output with fitparse.

fitparse (python-fitparse) is an independent decoder: a file it parses with ``check_crc=True``
and no warnings, giving back the values written, is taken as correct FIT.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import struct
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path

import fitparse
import numpy as np
import pandas as pd
import pytest
from fitparse.records import BASE_TYPES as FITPARSE_BASE_TYPES
from fitparse.records import Crc, DevField
from fitparse.utils import FitCRCError

from lactlog.model import SET_COLUMNS, TimeInZone
from lactlog.testing import (
    BASE_TYPE_IDS,
    FitWriter,
    LapSpec,
    ProfileEncoder,
    degrees_to_semicircles,
    enum_value,
    fit_resolution,
    time_in_zones,
    to_fit_time,
    write_activity,
)
from lactlog.testing.fitwriter import BASE_TYPES
from lactlog.testing.simulate import normalized_power

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "scripts" / "make_sample_data.py"
START = datetime(2026, 11, 16, 6, 0, tzinfo=UTC)
T0 = to_fit_time(START)
TCX = "{http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2}"
TPX = "{http://www.garmin.com/xmlschemas/ActivityExtension/v2}"


def parse(data: bytes) -> list:
    """All data messages, decoded by fitparse with CRC checks; any warning fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return list(fitparse.FitFile(io.BytesIO(data), check_crc=True).get_messages())


def named(messages: list, name: str) -> list[dict]:
    return [m.get_values() for m in messages if m.name == name]


def utc(value: datetime) -> datetime:
    """fitparse's naive UTC datetimes as aware ones."""
    return value.replace(tzinfo=UTC)


def sample_frame(n: int = 120) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    index = pd.date_range(START, periods=n, freq="1s", tz="UTC", name="time")
    speed = 3.0 + rng.normal(0, 0.3, n)
    return fit_resolution(
        pd.DataFrame(
            {
                "heart_rate_bpm": np.round(140 + rng.normal(0, 5, n)),
                "power_w": np.round(250 + rng.normal(0, 30, n)),
                "speed_mps": speed,
                "cadence_rpm": np.round(85 + rng.normal(0, 2, n)),
                "distance_m": np.concatenate(([0.0], np.cumsum(speed[:-1]))),
                "altitude_m": np.linspace(-6.0, 74.0, n),  # negative altitudes need the offset
                "lat_deg": 52.5 + np.linspace(0, 0.01, n),
                "lon_deg": -13.35 - np.linspace(0, 0.01, n),
            },
            index=index,
        )
    )


# --- the raw layer ----------------------------------------------------------------------------


def test_base_types_agree_with_fitparse() -> None:
    for type_id, base in BASE_TYPES.items():
        theirs = FITPARSE_BASE_TYPES[type_id]
        assert (base.name, base.fmt, base.size) == (theirs.name, theirs.fmt, theirs.size)


@pytest.mark.parametrize("name", [n for n in BASE_TYPE_IDS if n not in ("byte", "string")])
def test_none_is_written_as_the_invalid_value(name: str) -> None:
    size = BASE_TYPES[BASE_TYPE_IDS[name]].size
    w = FitWriter()
    w.define(0, 20, [(253, BASE_TYPE_IDS["uint32"], 4), (3, BASE_TYPE_IDS[name], size)])
    w.write(0, [T0, None])
    (record,) = named(parse(w.to_bytes()), "record")
    assert record["heart_rate"] is None


def test_raw_values_round_trip_little_and_big_endian() -> None:
    w = FitWriter()
    fields = [(253, 0x86, 4), (0, 0x85, 4), (1, 0x85, 4), (7, 0x84, 2), (3, 0x02, 1)]
    w.define(0, 20, fields)
    w.write(0, [T0, -123_456_789, 987_654_321, 1234, 151])
    w.define(1, 20, fields, big_endian=True)
    w.write(1, [T0 + 1, 123_456_789, -987_654_321, 65_000, 152])
    little, big = named(parse(w.to_bytes()), "record")
    assert (
        little["position_lat"],
        little["position_long"],
        little["power"],
        little["heart_rate"],
    ) == (-123_456_789, 987_654_321, 1234, 151)
    assert (big["position_lat"], big["position_long"], big["power"], big["heart_rate"]) == (
        123_456_789,
        -987_654_321,
        65_000,
        152,
    )
    assert utc(big["timestamp"]) == START + timedelta(seconds=1)


def test_big_endian_definition_bytes() -> None:
    w = FitWriter()
    w.define(3, 0x1234, [(1, 0x84, 2)], big_endian=True)
    assert w.to_bytes()[14:-2] == bytes([0x43, 0, 1, 0x12, 0x34, 1, 1, 2, 0x84])


def test_compressed_timestamps_decode_to_the_right_times() -> None:
    w = FitWriter()
    w.define(0, 20, [(253, 0x86, 4), (3, 0x02, 1)])
    w.write(0, [T0 + 30, 140])  # T0 + 30 has low bits near the 5-bit rollover
    w.define(1, 20, [(3, 0x02, 1)])
    offsets = [1, 2, 5, 31, 1, 0]
    stamp = T0 + 30
    for i, offset in enumerate(offsets):
        stamp += offset
        w.write_compressed(1, [141 + i], timestamp=stamp)
    records = named(parse(w.to_bytes()), "record")
    expected = np.cumsum([30, *offsets])
    assert [utc(r["timestamp"]) for r in records] == [
        START + timedelta(seconds=int(s)) for s in expected
    ]
    assert [r["heart_rate"] for r in records] == list(range(140, 147))


def test_compressed_timestamp_must_be_within_31_s() -> None:
    w = FitWriter()
    w.define(0, 20, [(253, 0x86, 4)])
    w.write(0, [T0])
    w.define(1, 20, [(3, 0x02, 1)])
    with pytest.raises(ValueError, match="0–31 s"):
        w.write_compressed(1, [140], timestamp=T0 + 32)
    with pytest.raises(ValueError, match="local message"):
        w.write_compressed(4, [140], time_offset=1)


def test_header_and_file_crc() -> None:
    w = FitWriter()
    w.define(0, 20, [(253, 0x86, 4), (3, 0x02, 1)])
    w.write(0, [T0, 150])
    data = w.to_bytes()
    header_size, _, _, data_size = struct.unpack("<BBHI", data[:8])
    assert (header_size, data_size, data[8:12]) == (14, len(data) - 16, b".FIT")
    assert struct.unpack("<H", data[12:14])[0] == Crc.calculate(data[:12])
    assert struct.unpack("<H", data[-2:])[0] == Crc.calculate(data[:-2])
    assert named(parse(w.to_bytes(header_size=12)), "record")[0]["heart_rate"] == 150
    for position in (5, 20):  # header CRC, then file CRC
        broken = bytearray(data)
        broken[position] ^= 0x01
        with pytest.raises(FitCRCError):
            parse(bytes(broken))


def test_developer_fields_decode_and_leave_normal_fields_intact() -> None:
    enc = ProfileEncoder()
    power = enc.developer_field(0, 0, "uint16", "Power", "Watts")
    form = enc.developer_field(0, 1, "float32", "Form Power", "Watts")
    enc.message(
        "record", {"timestamp": START, "heart_rate": 150, "speed": 3.5}, {power: 321, form: 61.5}
    )
    messages = parse(enc.to_bytes())
    record = next(m for m in messages if m.name == "record")
    normal = {f.name: f.value for f in record.fields if not isinstance(f.field, DevField)}
    developer = {f.name: f.value for f in record.fields if isinstance(f.field, DevField)}
    assert normal == {
        "timestamp": START.replace(tzinfo=None),
        "heart_rate": 150,
        "speed": 3.5,
        "enhanced_speed": 3.5,
    }
    assert developer == {"Power": 321, "Form Power": 61.5}
    assert named(messages, "developer_data_id")[0]["developer_data_index"] == 0


def test_profile_encoder_applies_scale_offset_and_enums() -> None:
    enc = ProfileEncoder()
    enc.message(
        "record",
        {
            "timestamp": START,
            "altitude": -12.4,
            "speed": 4.321,
            "distance": 1234.56,
            "position_lat": degrees_to_semicircles(-33.9),
        },
    )
    enc.message(
        "file_id",
        {
            "type": "activity",
            "manufacturer": "garmin",
            "product": enum_value("garmin_product", "fr965"),
        },
    )
    messages = parse(enc.to_bytes())
    (record,) = named(messages, "record")
    assert record["altitude"] == pytest.approx(-12.4)
    assert (record["speed"], record["distance"]) == (4.321, 1234.56)
    assert record["position_lat"] == round(-33.9 * 2**31 / 180)
    assert named(messages, "file_id")[0]["garmin_product"] == "fr965"
    with pytest.raises(ValueError, match="no field"):
        enc.message("record", {"heartrate": 1})


# --- whole activities -------------------------------------------------------------------------


def test_records_round_trip_exactly() -> None:
    samples = sample_frame()
    records = named(parse(write_activity(samples)), "record")
    assert len(records) == len(samples)
    for (t, row), rec in zip(samples.iterrows(), records):
        assert utc(rec["timestamp"]) == t
        assert rec["heart_rate"] == row["heart_rate_bpm"]
        assert rec["power"] == row["power_w"]
        assert rec["cadence"] == row["cadence_rpm"]
        assert rec["speed"] == row["speed_mps"]  # scale 1000
        assert rec["distance"] == row["distance_m"]  # scale 100
        assert rec["altitude"] == row["altitude_m"]  # scale 5, offset 500
        assert rec["position_lat"] == degrees_to_semicircles(row["lat_deg"])
        assert rec["position_long"] == degrees_to_semicircles(row["lon_deg"])


def test_pauses_laps_session_and_local_time() -> None:
    samples = sample_frame(300)
    pause = (START + timedelta(seconds=100), START + timedelta(seconds=140))
    laps = [
        LapSpec(START, START + timedelta(seconds=200), "warmup"),
        LapSpec(START + timedelta(seconds=200), START + timedelta(seconds=300), "active"),
    ]
    messages = parse(
        write_activity(
            samples,
            pauses=[pause],
            laps=laps,
            utc_offset_s=3600,
            session={"total_training_effect": 3.4},
        )
    )
    records = named(messages, "record")
    assert len(records) == 260
    assert not any(pause[0] <= utc(r["timestamp"]) < pause[1] for r in records)
    events = [(utc(e["timestamp"]), e["event_type"]) for e in named(messages, "event")]
    assert events == [
        (START, "start"),
        (pause[0], "stop_all"),
        (pause[1], "start"),
        (START + timedelta(seconds=300), "stop_all"),
    ]
    lap1, lap2 = named(messages, "lap")
    assert (lap1["total_elapsed_time"], lap1["total_timer_time"], lap1["intensity"]) == (
        200.0,
        160.0,
        "warmup",
    )
    assert lap2["total_timer_time"] == 100.0
    (session,) = named(messages, "session")
    kept = samples[(samples.index < pause[0]) | (samples.index >= pause[1])]
    assert (session["total_elapsed_time"], session["total_timer_time"]) == (300.0, 260.0)
    assert session["avg_heart_rate"] == round(kept["heart_rate_bpm"].mean())
    assert session["max_power"] == kept["power_w"].max()
    assert session["total_distance"] == kept["distance_m"].max()
    assert (session["num_laps"], session["total_training_effect"]) == (2, 3.4)
    (activity,) = named(messages, "activity")
    assert activity["local_timestamp"] - activity["timestamp"] == timedelta(hours=1)


def test_strength_sets_round_trip() -> None:
    sets = pd.DataFrame(
        [
            (START, 30.0, "active", 8.0, 62.5, "bench_press", "barbell_bench_press"),
            (START + timedelta(seconds=30), 90.0, "rest", np.nan, np.nan, None, None),
            (
                START + timedelta(seconds=120),
                41.5,
                "active",
                10.0,
                82.3125,
                "squat",
                "barbell_back_squat",
            ),
        ],
        columns=list(SET_COLUMNS),
    )
    samples = sample_frame(170)[["heart_rate_bpm"]]
    messages = parse(
        write_activity(samples, sport="training", sub_sport="strength_training", sets=sets)
    )
    bench, rest, squat = named(messages, "set")
    assert (bench["repetitions"], bench["weight"], bench["duration"]) == (8, 62.5, 30.0)
    assert (bench["category"], bench["set_type"]) == ("bench_press", "active")
    assert bench["category_subtype"] == enum_value(
        "bench_press_exercise_name", "barbell_bench_press"
    )
    assert (rest["set_type"], rest["repetitions"], rest["weight"]) == ("rest", None, None)
    assert (squat["weight"], squat["duration"]) == (82.3125, 41.5)  # scale 16, scale 1000
    assert utc(squat["start_time"]) == START + timedelta(seconds=120)
    assert named(messages, "session")[0]["sub_sport"] == "strength_training"


def test_time_in_zone_round_trip_and_sums_to_recorded_time() -> None:
    samples = sample_frame(200)
    highs = (130, 140, 150)
    times = time_in_zones(samples["heart_rate_bpm"], highs)
    assert sum(times) == len(samples)
    zones = TimeInZone(
        "session",
        0,
        highs,
        times,
        threshold_heart_rate_bpm=172,
        max_heart_rate_bpm=192,
        resting_heart_rate_bpm=48,
    )
    (tiz,) = named(parse(write_activity(samples, time_in_zone=zones)), "time_in_zone")
    assert tiz["hr_zone_high_boundary"] == highs
    assert tiz["time_in_hr_zone"] == times
    assert (tiz["reference_mesg"], tiz["threshold_heart_rate"]) == ("session", 172)


# --- the sample-data generator ----------------------------------------------------------------


def run_generator(out: Path) -> None:
    env = {**os.environ, "PYTHONHASHSEED": "random"}
    subprocess.run(
        [sys.executable, str(SCRIPT), str(out)], check=True, env=env, capture_output=True
    )


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("week1")
    run_generator(out)
    return out


def test_generator_is_deterministic(generated: Path, tmp_path: Path) -> None:
    run_generator(tmp_path)
    names = sorted(p.name for p in generated.iterdir())
    assert names == sorted(p.name for p in tmp_path.iterdir())
    for name in names:
        assert (generated / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_committed_sample_data_is_what_the_generator_writes(generated: Path) -> None:
    committed = SCRIPT.parents[1] / "sample_data"
    for path in generated.iterdir():
        assert (committed / path.name).read_bytes() == path.read_bytes(), path.name


def test_generated_files_are_small(generated: Path) -> None:
    sizes = {p.name: p.stat().st_size for p in generated.iterdir()}
    assert len(sizes) == 6
    assert max(sizes.values()) < 300 * 1024
    assert sum(sizes.values()) < 1.5 * 1024 * 1024


@pytest.mark.parametrize(
    "name, laps, sets",
    [
        ("2026-11-16-hiit-run.fit", 13, 0),
        ("2026-11-18-threshold-ride.fit", 5, 0),
        ("2026-11-19-easy-ride.fit.gz", 7, 0),
        ("2026-11-20-strength.fit", 1, 33),
    ],
)
def test_generated_fit_files_parse(generated: Path, name: str, laps: int, sets: int) -> None:
    data = (generated / name).read_bytes()
    messages = parse(gzip.decompress(data) if name.endswith(".gz") else data)
    assert len(named(messages, "session")) == 1
    assert len(named(messages, "lap")) == laps
    assert len(named(messages, "set")) == sets
    (activity,) = named(messages, "activity")
    assert activity["local_timestamp"] - activity["timestamp"] == timedelta(hours=1)


def test_hiit_run_content(generated: Path) -> None:
    messages = parse((generated / "2026-11-16-hiit-run.fit").read_bytes())
    (session,) = named(messages, "session")
    records = named(messages, "record")
    assert (session["total_elapsed_time"], session["total_timer_time"]) == (3040.0, 3000.0)
    assert len(records) == 3000
    assert [e["event_type"] for e in named(messages, "event")] == [
        "start",
        "stop_all",
        "start",
        "stop_all",
    ]
    assert named(messages, "zones_target")[0]["threshold_heart_rate"] == 172
    assert named(messages, "file_id")[0]["garmin_product"] == "fr965"
    (tiz,) = named(messages, "time_in_zone")
    hr = pd.Series([r["heart_rate"] for r in records], dtype=float)
    assert tiz["time_in_hr_zone"] == time_in_zones(hr, tiz["hr_zone_high_boundary"])
    active = [lap for lap in named(messages, "lap") if lap["intensity"] == "active"]
    assert len(active) == 6
    assert all(lap["max_heart_rate"] >= 172 + 6 for lap in active)


def test_threshold_ride_power_metrics(generated: Path) -> None:
    """NP/IF/TSS in the session equal Coggan's formulas applied to the records (pandas rolling
    mean here, an implementation independent of the generator's)."""
    messages = parse((generated / "2026-11-18-threshold-ride.fit").read_bytes())
    (session,) = named(messages, "session")
    power = pd.Series([r["power"] for r in named(messages, "record")], dtype=float)
    np_w = float((power.rolling(30).mean().dropna() ** 4).mean() ** 0.25)
    assert np_w == pytest.approx(normalized_power(power.to_numpy()))
    intensity = np_w / 260
    tss = len(power) * np_w * intensity / (260 * 3600) * 100
    assert session["threshold_power"] == 260
    assert session["normalized_power"] == round(np_w)
    assert session["intensity_factor"] == pytest.approx(intensity, abs=0.0006)
    assert session["training_stress_score"] == pytest.approx(tss, abs=0.06)
    assert 0.8 < intensity < 0.9
    assert named(messages, "file_id")[0]["garmin_product"] == "edge_840"


def test_strength_file_matches_the_strong_csv(generated: Path) -> None:
    messages = parse((generated / "2026-11-20-strength.fit").read_bytes())
    active = [s for s in named(messages, "set") if s["set_type"] == "active"]
    with (generated / "2026-11-21-strong.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [
        "Date",
        "Workout Name",
        "Duration",
        "Exercise Name",
        "Set Order",
        "Weight",
        "Reps",
        "Distance",
        "Seconds",
        "Notes",
        "Workout Notes",
        "RPE",
    ]
    friday = [r for r in rows if r["Date"] == "2026-11-20 18:05:00"]
    sunday = [r for r in rows if r["Date"].startswith("2026-11-22")]
    assert len(friday) == len(active) == 16
    assert [(int(r["Reps"]), float(r["Weight"])) for r in friday] == [
        (s["repetitions"], s["weight"]) for s in active
    ]
    assert {r["Set Order"] for r in sunday} >= {"W", "F"}
    assert all(r["RPE"] for r in sunday if r["Set Order"] != "W")
    assert len(friday) + len(sunday) == len(rows)


def test_tempo_run_tcx(generated: Path) -> None:
    root = ET.parse(generated / "2026-11-22-tempo-run.tcx").getroot()
    laps = root.findall(f".//{TCX}Lap")
    points = root.findall(f".//{TCX}Trackpoint")
    assert len(laps) == 3
    assert sum(float(lap.find(f"{TCX}TotalTimeSeconds").text) for lap in laps) == 2400.0
    assert all(p.find(f"{TCX}HeartRateBpm/{TCX}Value") is not None for p in points)
    assert all(p.find(f"{TCX}Position/{TCX}LatitudeDegrees") is not None for p in points)
    assert len(root.findall(f".//{TPX}TPX/{TPX}Speed")) == len(points)
    tempo_hr = int(laps[1].find(f"{TCX}AverageHeartRateBpm/{TCX}Value").text)
    assert abs(tempo_hr - 172) <= 6
