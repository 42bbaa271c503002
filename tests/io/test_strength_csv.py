"""Strength-app CSV logs (Strong, Hevy, FitNotes) read through :func:`lactlog.io.read`.

Expected values are worked out by hand in the comments (1 lb = 0.45359237 kg exactly,
1 mile = 1609.344 m exactly).
"""

from __future__ import annotations

import csv
import math
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CORPUS
from lactlog.errors import CorruptFileError, EmptyFileError, LactlogError
from lactlog.io import read
from lactlog.io.common import RawInput
from lactlog.io.csvfile import read_csv
from lactlog.io.strength_csv import STRENGTH_SET_COLUMNS, WARN_LOCAL_TIMES
from lactlog.model import SET_COLUMNS

LB = 0.45359237


def _write(tmp_path: Path, text: str, name: str = "log.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def _volume_kg(activity) -> float:
    """Sum of repetitions x weight [kg] over active sets."""
    sets = activity.sets[activity.sets["set_type"] == "active"]
    return float(np.nansum(sets["repetitions"] * sets["weight_kg"]))


STRONG_COMMA = """\
Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,Workout Notes,RPE
2024-03-01 18:00:00,"Push",1h 5m,"Bench Press (Barbell)",W,40,10,0,0,"",,
2024-03-01 18:00:00,"Push",1h 5m,"Bench Press (Barbell)",1,80,5,0,0,"felt good",,8.5
2024-03-01 18:00:00,"Push",1h 5m,"Bench Press (Barbell)",2,80,5,0,0,,,9
2024-03-01 18:00:00,"Push",1h 5m,"Bench Press (Barbell)",F,80,3,0,0,,,10
2024-02-28 07:30:00,"Pull",45m,"Deadlift (Barbell)",1,100,5,0,0,,,
2024-02-28 07:30:00,"Pull",45m,"Rowing (Machine)",1,0,0,2,600,,,
"""


def test_strong_comma(tmp_path):
    activities = read(_write(tmp_path, STRONG_COMMA))
    assert [a.meta.start for a in activities] == [  # sorted by start, not file order
        datetime(2024, 2, 28, 7, 30, tzinfo=UTC),
        datetime(2024, 3, 1, 18, 0, tzinfo=UTC),
    ]
    pull, push = activities
    assert [len(pull.sets), len(push.sets)] == [2, 4]
    assert tuple(push.sets.columns) == STRENGTH_SET_COLUMNS
    assert set(SET_COLUMNS) <= set(push.sets.columns)
    # 40*10 + 80*5 + 80*5 + 80*3 = 1440; 100*5 + 0*0 = 500
    assert _volume_kg(push) == pytest.approx(1440.0)
    assert _volume_kg(pull) == pytest.approx(500.0)
    assert push.sets["set_order"].tolist() == ["W", "1", "2", "F"]
    assert push.sets["app_set_type"].tolist() == ["warmup", "normal", "normal", "failure"]
    np.testing.assert_array_equal(push.sets["rpe"].to_numpy(), [np.nan, 8.5, 9.0, 10.0])
    assert push.sets["notes"].tolist() == [None, "felt good", None, None]
    assert push.device_summary.elapsed_s == 3900.0  # 1h 5m
    assert pull.device_summary.elapsed_s == 2700.0  # 45m
    rowing = pull.sets.iloc[1]
    assert rowing["exercise_title"] == "Rowing (Machine)"
    assert rowing["duration_s"] == 600.0
    assert rowing["distance_m"] == 2000.0  # no unit column: km assumed, with a warning
    assert math.isnan(pull.sets.iloc[0]["duration_s"])  # Seconds 0 -> unknown
    assert pull.sets["start"].isna().all()
    assert str(pull.sets["start"].dtype) == "datetime64[ns, UTC]"
    meta = push.meta
    assert (meta.sport, meta.sub_sport, meta.format, meta.product) == (
        "training", "strength_training", "csv", "Strong")
    assert meta.utc_offset_s is None
    assert WARN_LOCAL_TIMES in meta.warnings
    assert any("no unit" in w and "kg" in w for w in meta.warnings)
    assert [a.meta.session_index for a in activities] == [0, 1]
    assert push.samples.empty and str(push.samples.index.tz) == "UTC"


STRONG_SEMICOLON = """\
"Workout #";"Date";"Workout Name";"Duration (sec)";"Exercise Name";"Set Order";"Weight (kg)";"Reps";"RPE";"Distance (meters)";"Seconds";"Notes";"Workout Notes"
"1";"2024-05-02 10:00:00";"Legs";"3600";"Squat (Barbell)";"1";"100";"5";"";"";"";"";"heavy day"
"1";"2024-05-02 10:00:00";"Legs";"3600";"Squat (Barbell)";"2";"102.5";"5";"9";"";"";"";""
"1";"2024-05-02 10:00:00";"Legs";"3600";"Running";"1";"";"";"";"1500";"420";"";""
"""


def test_strong_semicolon_duration_sec_weight_kg(tmp_path):
    (legs,) = read(_write(tmp_path, STRONG_SEMICOLON))
    assert len(legs.sets) == 3
    assert _volume_kg(legs) == pytest.approx(100 * 5 + 102.5 * 5)  # 1012.5
    assert legs.device_summary.elapsed_s == 3600.0
    running = legs.sets.iloc[2]
    assert (running["distance_m"], running["duration_s"]) == (1500.0, 420.0)
    np.testing.assert_array_equal(legs.sets["rpe"].to_numpy(), [np.nan, 9.0, np.nan])
    assert not any("no unit" in w for w in legs.meta.warnings)
    assert legs.meta.start == datetime(2024, 5, 2, 10, 0, tzinfo=UTC)


STRONG_UNITS = """\
Date;Workout Name;Exercise Name;Set Order;Weight;Weight Unit;Reps;RPE;Distance;Distance Unit;Seconds;Notes;Workout Notes
2019-01-11 12:31:54;"Leg";"Deadlift (Barbell)";1;225;lbs;5;;;;0;"";""
2019-01-11 12:31:54;"Leg";"Deadlift (Barbell)";2;100;kg;4;;;;0;;
2019-01-11 12:31:54;"Leg";"Cycling";1;;;;;3;mi;900;;
"""


def test_strong_weight_unit_lbs(tmp_path):
    (leg,) = read(_write(tmp_path, STRONG_UNITS))
    assert leg.sets["weight_kg"].iloc[0] == pytest.approx(225 * LB)  # 102.05828325 kg
    assert leg.sets["weight_kg"].iloc[1] == 100.0
    # 225 lb * 0.45359237 * 5 + 100 * 4 = 510.29141625 + 400
    assert _volume_kg(leg) == pytest.approx(910.29141625)
    assert leg.sets["distance_m"].iloc[2] == pytest.approx(3 * 1609.344)
    assert leg.sets["duration_s"].iloc[2] == 900.0
    assert leg.device_summary.elapsed_s is None  # this variant has no duration column


STRONG_REST = """\
Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,Workout Notes,RPE
2024-06-01 09:00:00,"A",30m,"Bench Press",1,60,8,0,0,,,
2024-06-01 09:00:00,"A",30m,"Bench Press",Rest Timer,,,,90,,,
2024-06-01 09:00:00,"A",30m,"Bench Press",2,60,8,0,0,,,
2024-06-01 09:00:00,"A",30m,"Bench Press",D,40,12,0,0,,,
"""


def test_strong_rest_timer_rows(tmp_path):
    (workout,) = read(_write(tmp_path, STRONG_REST))
    sets = workout.sets
    assert sets["set_type"].tolist() == ["active", "rest", "active", "active"]
    rest = sets.iloc[1]
    assert rest["duration_s"] == 90.0
    assert math.isnan(rest["repetitions"]) and math.isnan(rest["weight_kg"])
    assert rest["set_order"] == "Rest Timer"
    assert sets["app_set_type"].tolist() == ["normal", None, "normal", "dropset"]
    assert _volume_kg(workout) == pytest.approx(60 * 8 + 60 * 8 + 40 * 12)  # 1440


HEVY_KG = """\
title,start_time,end_time,description,exercise_title,superset_id,exercise_notes,set_index,set_type,weight_kg,reps,distance_km,duration_seconds,rpe
"Morning","21 Nov 2026, 07:05","21 Nov 2026, 08:10","","Bench Press (Barbell)",,"",0,warmup,40,10,,,
"Morning","21 Nov 2026, 07:05","21 Nov 2026, 08:10","","Bench Press (Barbell)",,"",1,normal,80,6,,,8
"Morning","21 Nov 2026, 07:05","21 Nov 2026, 08:10","","Plank",,"",0,normal,,,,60,
"Evening","20 Nov 2026, 18:00","20 Nov 2026, 18:30","","Treadmill",,"easy",0,normal,,,2.5,900,
"""


def test_hevy_kg(tmp_path):
    evening, morning = read(_write(tmp_path, HEVY_KG))
    assert morning.meta.start == datetime(2026, 11, 21, 7, 5, tzinfo=UTC)
    assert evening.meta.start == datetime(2026, 11, 20, 18, 0, tzinfo=UTC)
    assert (len(evening.sets), len(morning.sets)) == (1, 3)
    assert _volume_kg(morning) == pytest.approx(40 * 10 + 80 * 6)  # 880
    assert morning.sets["set_order"].tolist() == ["0", "1", "0"]
    assert morning.sets["app_set_type"].tolist() == ["warmup", "normal", "normal"]
    np.testing.assert_array_equal(morning.sets["rpe"].to_numpy(), [np.nan, 8.0, np.nan])
    assert morning.sets["duration_s"].iloc[2] == 60.0
    assert morning.device_summary.elapsed_s == 3900.0  # 07:05 -> 08:10
    tread = evening.sets.iloc[0]
    assert (tread["distance_m"], tread["duration_s"], tread["notes"]) == (2500.0, 900.0, "easy")
    assert evening.meta.product == "Hevy"


HEVY_LBS = """\
title,start_time,end_time,description,exercise_title,superset_id,exercise_notes,set_index,set_type,weight_lbs,reps,distance_miles,duration_seconds,rpe
"Legs","3 Jan 2025, 17:00","3 Jan 2025, 18:00","","Squat (Barbell)",,"",0,normal,135,5,,,
"Legs","3 Jan 2025, 17:00","3 Jan 2025, 18:00","","Squat (Barbell)",,"",1,failure,185,3,,,10
"Legs","3 Jan 2025, 17:00","3 Jan 2025, 18:00","","Bike",,"",0,normal,,,1,300,
"""


def test_hevy_lbs(tmp_path):
    (legs,) = read(_write(tmp_path, HEVY_LBS))
    # (135*5 + 185*3) lb = 1230 lb -> 1230 * 0.45359237 = 557.9186151 kg
    assert _volume_kg(legs) == pytest.approx(557.9186151)
    assert legs.sets["distance_m"].iloc[2] == pytest.approx(1609.344)
    assert legs.sets["app_set_type"].tolist() == ["normal", "failure", "normal"]


FITNOTES_KGS = """\
Date,Exercise,Category,Weight (kgs),Reps,Distance,Distance Unit,Time
2023-01-16,Flat Barbell Bench Press,Chest,60.0,8,,,
2023-01-16,Flat Barbell Bench Press,Chest,60.0,8,,,
2023-01-16,Treadmill,Cardio,,,3.0,km,0:20:00
2023-01-18,Deadlift,Back,100.0,5,,,
"""

FITNOTES_LBS = """\
Date,Exercise,Category,Weight (lbs),Reps,Distance,Distance Unit,Time,Comment
2023-02-01,Squat,Legs,225,5,,,,"PR"
2023-02-01,Squat,Legs,225,5,,,,
"""

FITNOTES_UNIT_COLUMN = """\
Date,Exercise,Category,Weight,Weight Unit,Reps,Distance,Distance Unit,Time
2023-03-05,Curl,Arms,20,kgs,10,,,
2023-03-05,Curl,Arms,45,lbs,10,,,
2023-03-05,Rowing,Cardio,,,,2000,m,0:08:00
"""


def test_fitnotes_kgs(tmp_path):
    first, second = read(_write(tmp_path, FITNOTES_KGS))
    assert (len(first.sets), len(second.sets)) == (3, 1)
    assert first.meta.start == datetime(2023, 1, 16, tzinfo=UTC)
    assert _volume_kg(first) == pytest.approx(2 * 60 * 8)  # 960
    assert _volume_kg(second) == pytest.approx(500.0)
    assert first.sets["set_order"].tolist() == ["1", "2", "1"]
    tread = first.sets.iloc[2]
    assert (tread["distance_m"], tread["duration_s"]) == (3000.0, 1200.0)
    assert first.sets["app_category"].tolist() == ["Chest", "Chest", "Cardio"]
    assert first.meta.product == "FitNotes"


def test_fitnotes_lbs_with_comment(tmp_path):
    (squat,) = read(_write(tmp_path, FITNOTES_LBS))
    assert _volume_kg(squat) == pytest.approx(2 * 225 * 5 * LB)  # 1020.5828325
    assert squat.sets["notes"].tolist() == ["PR", None]


def test_fitnotes_weight_unit_column(tmp_path):
    (arms,) = read(_write(tmp_path, FITNOTES_UNIT_COLUMN))
    assert _volume_kg(arms) == pytest.approx(20 * 10 + 45 * LB * 10)  # 404.1165665
    rowing = arms.sets.iloc[2]
    assert (rowing["distance_m"], rowing["duration_s"]) == (2000.0, 480.0)


def test_header_only_is_empty(tmp_path):
    with pytest.raises(EmptyFileError):
        read(_write(tmp_path, STRONG_COMMA.splitlines()[0] + "\n"))


def test_truncated_last_line_keeps_complete_rows(tmp_path):
    cut = STRONG_COMMA.rstrip("\n")[:-30]  # the last row loses its end (inside a quote)
    activities = read(_write(tmp_path, cut))
    assert sum(len(a.sets) for a in activities) == 5
    assert any("incomplete" in w for w in activities[0].meta.warnings)


def test_unreadable_dates(tmp_path):
    text = STRONG_REST.replace("2024-06-01 09:00:00", "someday")
    with pytest.raises(CorruptFileError, match="readable date"):
        read(_write(tmp_path, text))


PLACY2 = CORPUS / "csv" / "placy2_strong.csv"


@pytest.mark.skipif(not PLACY2.is_file(), reason="../shared/corpus absent")
def test_placy2_strong_export():
    """The real 6,625-row Strong export, checked against a plain csv-module count."""
    with PLACY2.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    per_workout = Counter((r["Date"], r["Workout Name"]) for r in rows)
    volume = sum(float(r["Weight"]) * float(r["Reps"]) for r in rows)
    assert (len(rows), len(per_workout)) == (6625, 356)  # counted independently
    activities = read(PLACY2)
    assert len(activities) == 356
    assert sum(len(a.sets) for a in activities) == 6625
    starts = [a.meta.start for a in activities]
    assert starts == sorted(starts)
    by_key = {(a.meta.start.strftime("%Y-%m-%d %H:%M:%S"), len(a.sets)) for a in activities}
    assert by_key == {(date, n) for (date, _), n in per_workout.items()}
    assert sum(_volume_kg(a) for a in activities) == pytest.approx(volume)
    assert volume == pytest.approx(3776876.5)
    assert sum(a.sets["rpe"].notna().sum() for a in activities) == 7
    assert all(a.meta.product == "Strong" for a in activities)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cut=st.integers(min_value=0, max_value=len(STRONG_COMMA)),
    position=st.integers(min_value=0, max_value=len(STRONG_COMMA)),
    junk=st.text(alphabet=st.sampled_from(list(',;"\n\r\t 0123456789-:hmWDFR.a\x00é')), max_size=8),
)
def test_mutated_strong_never_crashes(cut, position, junk):
    text = STRONG_COMMA[:position] + junk + STRONG_COMMA[position:]
    text = text[: max(cut, 1)]
    try:
        activities = read_csv(RawInput.from_bytes("mutated.csv", text.encode("utf-8")))
    except LactlogError:
        return
    for activity in activities:
        assert set(STRENGTH_SET_COLUMNS) <= set(activity.sets.columns) or activity.sets.empty


def test_a_header_of_thousands_of_columns_is_cut_not_slow(tmp_path):
    """Fuzz find (bench/fuzz.py --format lifting, 0:60): a Hevy header with 4,660 empty cells
    took 3.3 s CPU (0.5 ms per column); 100,000 columns would have taken a minute. Empty header
    cells are dropped, and named columns after the first 64 ignored with a warning (a line may
    be 100,000 characters long)."""
    header, row = HEVY_KG.splitlines()[:2]
    wide = ",".join([header, *[""] * 30_000, *[f"x{i}" for i in range(10_000)]])  # < 100k chars
    (morning,) = read(_write(tmp_path, f"{wide}\n{row}\n"))
    assert len(morning.sets) == 1 and morning.sets["weight_kg"].tolist() == [40.0]
    assert any("columns after the first 64 were ignored" in w for w in morning.meta.warnings)


def test_rows_of_only_delimiters_are_dropped_but_counted_and_quoted_lines_stay(tmp_path):
    header = "Date,Workout Name,Exercise Name,Set Order,Weight,Reps,Notes\n"
    note = '"first line\n,,,\nlast line"'  # a line of commas inside a quoted cell
    text = (header + f"2026-01-01 07:00:00,W,Squat,1,100,5,{note}\n" + ",,,,,,\n" + " , ,,,,,\n"
            + "2026-01-01 07:00:00,W,Squat,2,100,5,\n")
    (workout,) = read(_write(tmp_path, text))
    assert workout.sets["notes"].tolist()[0] == "first line\n,,,\nlast line"
    assert len(workout.sets) == 2
    assert "2 rows without a readable date were skipped" in workout.meta.warnings
    only_empty = header + ",,,,,,\n" * 3
    with pytest.raises(CorruptFileError, match="no row of the Strong export has a readable date"):
        read(_write(tmp_path, only_empty, "empty.csv"))
