"""Apple Health export.xml: order-independent assignment of heart rate to workouts, hostile XML,
dates, and streaming a large export under an address-space limit."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from lactlog.errors import CorruptFileError, EmptyFileError, LactlogError, UnsupportedFormatError
from lactlog.io import read
from lactlog.io.apple_health import _utc_seconds, read_apple_health
from lactlog.testing.bulk_exports import write_apple_health_xml
from lactlog.testing.damage import damaged

WORKOUT = (
    '<Workout workoutActivityType="HKWorkoutActivityTypeFunctionalStrengthTraining" '
    'duration="10" durationUnit="min" startDate="2024-05-01 18:00:00 -0400" '
    'endDate="2024-05-01 18:10:00 -0400">'
    '<WorkoutStatistics type="HKQuantityTypeIdentifierHeartRate" average="131" maximum="150" '
    'unit="count/min"/></Workout>'
)


def _hr(date: str, bpm: int) -> str:
    return (f'<Record type="HKQuantityTypeIdentifierHeartRate" unit="count/min" '
            f'startDate="{date}" endDate="{date}" value="{bpm}"/>')


def _document(*parts: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<HealthData locale="en_US">'
            + "".join(parts) + "</HealthData>").encode()


def test_records_after_the_workout_and_out_of_order() -> None:
    records = [_hr("2024-05-01 18:09:00 -0400", 150), _hr("2024-05-01 17:59:59 -0400", 90),
               _hr("2024-05-01 18:00:00 -0400", 120), _hr("2024-05-01 22:05:00 +0000", 140),
               _hr("2024-05-01 18:10:01 -0400", 95)]
    (activity,) = read_apple_health(io.BytesIO(_document(WORKOUT, *records)), "export.xml")
    # inside [18:00, 18:10] local: 18:00:00 (120), 22:05 UTC = 18:05 local (140), 18:09 (150)
    assert activity.samples["heart_rate_bpm"].tolist() == [120.0, 140.0, 150.0]
    assert activity.meta.utc_offset_s == -4 * 3600
    assert activity.meta.start.isoformat() == "2024-05-01T22:00:00+00:00"
    assert (activity.meta.sport, activity.meta.sub_sport) == ("training", "strength_training")
    assert activity.device_summary.timer_s == 600.0


def test_apple_date_layout() -> None:
    # 2024-05-01 07:12:33 +0200 is 05:12:33 UTC = 1,714,540,353 s since 1970 (date -u -d ... +%s)
    seconds = _utc_seconds(["2024-05-01 07:12:33 +0200", "1970-01-01 00:00:00 +0000",
                            "2000-02-29 23:59:59 -0530", "2024-05-01T05:12:33Z", "nonsense"])
    assert seconds[:4].tolist() == [1_714_540_353, 0, 951_888_599, 1_714_540_353]
    assert seconds[4] == np.iinfo(np.int64).min


def test_entity_declarations_refused() -> None:
    bomb = (b'<?xml version="1.0"?>\n<!DOCTYPE HealthData [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n<HealthData>&b;</HealthData>')
    with pytest.raises(UnsupportedFormatError, match="ENTITY"):
        read_apple_health(io.BytesIO(bomb), "export.xml")


def test_malformed_and_empty() -> None:
    with pytest.raises(CorruptFileError, match="malformed Apple Health XML at line 2"):
        read_apple_health(io.BytesIO(b'<?xml version="1.0"?>\n<HealthData><Workout></HealthData>'),
                          "export.xml")
    undated = '<Workout workoutActivityType="HKWorkoutActivityTypeYoga" startDate="soon"/>'
    (activity,) = read_apple_health(io.BytesIO(_document(undated, WORKOUT)), "export.xml")
    assert activity.meta.sub_sport == "strength_training"  # the undated workout is left out
    with pytest.raises(EmptyFileError, match="no workouts"):
        read_apple_health(io.BytesIO(_document(_hr("2024-05-01 18:09:00 -0400", 150))), "x")


def test_truncated_file_from_disk(tmp_path: Path) -> None:
    path = tmp_path / "export.xml"
    path.write_bytes(_document(WORKOUT)[:-20])
    with pytest.raises(CorruptFileError, match="malformed"):
        read(path)


def test_large_export_streams_under_an_address_space_limit(tmp_path: Path) -> None:
    """A 58 MB export is read in a process whose address space is capped at what the imports
    need plus 40 MB: it cannot hold the document, so this passes only when it streams."""
    path = tmp_path / "export.xml"
    with path.open("wb") as handle:
        write_apple_health_xml(handle, days=14, hr_every_s=5)
    size_mb = path.stat().st_size / 2**20
    assert size_mb > 50
    script = textwrap.dedent(f"""
        import resource, sys
        import lactlog.io, lactlog.io.apple_health, lactlog.io.gpx
        with open("/proc/self/status") as status:
            vm_kb = next(int(l.split()[1]) for l in status if l.startswith("VmSize:"))
        limit = (vm_kb + 40 * 1024) * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        activities = lactlog.io.read({str(path)!r})
        print(len(activities), sum(len(a.samples) for a in activities))
    """)
    env = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=env, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    # three workouts of 30, 40 and 20 min with a record every 5 s, both ends included
    assert done.stdout.split() == ["3", str(361 + 481 + 241)]


@settings(max_examples=200, deadline=5000, suppress_health_check=[HealthCheck.too_slow])
@given(damaged(_document(WORKOUT, _hr("2024-05-01 18:09:00 -0400", 150))))
def test_damaged_export_raises_only_lactlog_errors(data: bytes) -> None:
    try:
        read_apple_health(io.BytesIO(data), "export.xml")
    except LactlogError:
        pass
