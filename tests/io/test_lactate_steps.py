"""Step-test sheets (CSV, TOML) and the step tests they give."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from conftest import DEMO_CSV
from lactlog.errors import InputError
from lactlog.io.lactate_steps import read_lactate_sheet, step_test_from_sheet


def write(tmp_path: Path, text: str, name: str = "test.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_sheet(tmp_path: Path) -> None:
    test = step_test_from_sheet(read_lactate_sheet(write(tmp_path, DEMO_CSV)))
    assert test.intensity_field == "power_w"
    assert test.baseline is not None and test.baseline.lactate_mmol == 0.93
    assert [s.intensity for s in test.exercise_steps] == [50, 75, 100, 125, 150, 175, 191]
    assert test.steps[-1].duration_s == 120.0 and test.steps[-1].heart_rate_bpm == 198


def test_semicolons_decimal_commas_comments_and_blank_heart_rates(tmp_path: Path) -> None:
    text = ("# ramp test, 3-min steps\nstep;duration_min;speed_kmh;lactate_mmol;heart_rate_bpm\n"
            "1;3;8;1,1;\n2;3;10;1,4;150\n\n3;3;12;2,3;160\n4;3;14;4,4;170\n")
    test = step_test_from_sheet(read_lactate_sheet(write(tmp_path, text)))
    assert test.intensity_field == "speed_mps"
    assert test.steps[0].intensity == pytest.approx(8 / 3.6)
    assert test.steps[0].lactate_mmol == 1.1 and test.steps[0].heart_rate_bpm is None


def test_paces_become_speeds(tmp_path: Path) -> None:
    text = ("step,duration_min,pace_min_per_km,lactate_mmol\n0,0,0,1.0\n1,4,6:00,1.1\n"
            "2,4,5:00,1.5\n3,4,4:30,2.6\n4,4,4:00,4.9\n")
    test = step_test_from_sheet(read_lactate_sheet(write(tmp_path, text)))
    assert test.baseline is not None
    assert [round(s.intensity, 4) for s in test.exercise_steps] == \
        [round(1000 / 360, 4), 3.3333, round(1000 / 270, 4), 4.1667]


def test_toml_sheet_with_date_and_sport(tmp_path: Path) -> None:
    steps = "".join(f"[[steps]]\nstep = {i}\nduration_min = 4\nspeed_mps = {v}\n"
                    f"lactate_mmol = {la}\n\n"
                    for i, (v, la) in enumerate([(2.5, 1.0), (3.0, 1.3), (3.5, 2.0), (4.0, 4.0)],
                                                start=1))
    path = write(tmp_path, f'date = 2026-11-03\nsport = "run"\n\n{steps}', "test.toml")
    test = step_test_from_sheet(read_lactate_sheet(path))
    assert test.test_date == date(2026, 11, 3) and test.sport_group == "run"
    assert [s.intensity for s in test.steps] == [2.5, 3.0, 3.5, 4.0]


@pytest.mark.parametrize(("text", "message"), [
    ("step,duration_min,lactate_mmol\n1,3,1.0\n", "missing column.*power_w or speed_kmh"),
    ("step,power_w,lactate_mmol\n1,100,1.0\n", "missing column.*duration_min"),
    ("step,duration_min,power_w,speed_kmh,lactate_mmol\n1,3,100,10,1\n",
     "several intensity columns"),
    ("step,duration_min,power_w,lactate_mmol\n1,3,100,abc\n", "row 2: lactate_mmol 'abc' is not"),
    ("step,duration_min,power_w,lactate_mmol\n1,3,100\n", "row 2: 3 cells for 4 columns"),
    ("step,duration_min,pace_min_per_km,lactate_mmol\n1,3,4:75,1\n", "not min:sec"),
    ("", "empty"),
])
def test_bad_sheets(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        step_test_from_sheet(read_lactate_sheet(write(tmp_path, text)))


def test_the_step_test_rules_apply_to_sheets(tmp_path: Path) -> None:
    few = "\n".join(DEMO_CSV.splitlines()[:4]) + "\n"
    with pytest.raises(InputError, match="at least 4"):
        step_test_from_sheet(read_lactate_sheet(write(tmp_path, few)))
    swapped = DEMO_CSV.replace("3,100,1.88", "3,70,1.88")
    with pytest.raises(InputError, match="step 3: intensity 70 is not above"):
        step_test_from_sheet(read_lactate_sheet(write(tmp_path, swapped)))
    with pytest.raises(InputError, match="step 5: lactate 0.2 mmol/L is outside 0.3–30"):
        step_test_from_sheet(read_lactate_sheet(write(tmp_path, DEMO_CSV.replace("4.21", "0.2"))))


def test_public_api(tmp_path: Path) -> None:
    import lactlog

    result = lactlog.lactate_test(write(tmp_path, DEMO_CSV))
    assert result.threshold("ModDmax").intensity == pytest.approx(140, abs=1.5)
    with pytest.raises(InputError, match="at least 4"):
        lactlog.lactate_test(write(tmp_path, "\n".join(DEMO_CSV.splitlines()[:3])))
