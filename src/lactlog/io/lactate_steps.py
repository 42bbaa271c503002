"""Blood-lactate step tests: the sheet the athlete or coach types (CSV or TOML), and the step
means taken from the test's own recording (``lactlog lactate-test --fit``).

CSV: a header row, one row per step (``#`` lines and blank lines are skipped)::

    step,duration_min,power_w,lactate_mmol,heart_rate_bpm
    0,0,0,0.93,96          <- resting baseline: intensity 0, first row
    1,3,50,0.98,114
    ...

Intensity: exactly one of ``power_w``, ``speed_kmh``, ``speed_mps``, ``pace_min_per_km``
(``4:10`` or 4.1667); speeds and paces become speed [m/s]. ``heart_rate_bpm`` is optional (blank
cells allowed). TOML: the same keys in ``[[steps]]`` tables, plus optional top-level ``date``
(the test date) and ``sport`` (``run``/``bike``...).

With a recording (``--fit``) the sheet needs only ``step`` and ``lactate_mmol``; step 0 is the
resting baseline, the others take their mean power or speed and heart rate from the recording
(:mod:`lactlog.analysis.step_means`).
"""

from __future__ import annotations

import csv
import io
import math
import tomllib
from datetime import date
from pathlib import Path
from typing import Any, overload

from lactlog.errors import EmptyFileError, InputError
from lactlog.formatting import seconds_from_pace_text
from lactlog.steptest import LactateSheet, LactateStep, SheetRow, StepTest, check_step_test

#: Intensity columns a sheet may have -> (field of :class:`StepTest`, factor to SI / parser).
INTENSITY_COLUMNS: tuple[str, ...] = ("power_w", "speed_kmh", "speed_mps", "pace_min_per_km")
REQUIRED_COLUMNS: tuple[str, ...] = ("step", "duration_min", "lactate_mmol")
#: Largest sheet read [bytes]: a step test is a few hundred bytes.
MAX_SHEET_BYTES = 1_000_000


def read_lactate_sheet(path: Path, need_intensity: bool = True) -> LactateSheet:
    """Read a CSV or TOML (``.toml``) step sheet.

    ``need_intensity`` False (a recording gives intensities): only ``step`` and
    ``lactate_mmol`` are required.

    Raises
    ------
    InputError
        Unreadable file, missing or ambiguous columns, a cell that is not a number.
    """
    try:
        data = path.read_bytes()[: MAX_SHEET_BYTES + 1]
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror})") from None
    if len(data) > MAX_SHEET_BYTES:
        raise InputError(f"larger than {MAX_SHEET_BYTES // 1000} kB: not a step-test sheet")
    text = data.decode("utf-8-sig", errors="replace")
    if path.suffix.lower() == ".toml":
        return _from_toml(text, str(path), need_intensity)
    return _from_csv(text, str(path), need_intensity)


def _from_csv(text: str, source: str, need_intensity: bool) -> LactateSheet:
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip()
             .startswith("#")]
    if not lines:
        raise EmptyFileError("empty: expected a header row (step,duration_min,power_w,"
                             "lactate_mmol[,heart_rate_bpm]) and one row per step")
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
    header = [name.strip().lower() for name in next(reader)]
    records = []
    for number, cells in enumerate(reader, start=2):
        if len(cells) != len(header):
            raise InputError(f"row {number}: {len(cells)} cells for {len(header)} columns")
        records.append((f"row {number}", dict(zip(header, (c.strip() for c in cells),
                                                  strict=True))))
    return _sheet(records, header, source, need_intensity, None, None)


def _from_toml(text: str, source: str, need_intensity: bool) -> LactateSheet:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML ({exc})") from None
    steps = document.get("steps")
    if not isinstance(steps, list) or not all(isinstance(s, dict) for s in steps) or not steps:
        raise InputError("expected [[steps]] tables (step, duration_min, power_w, "
                         "lactate_mmol ...)")
    header = list(dict.fromkeys(key for step in steps for key in step))
    records = [(f"step table {i + 1}", {k: "" if v is None else v for k, v in step.items()})
               for i, step in enumerate(steps)]
    test_date = document.get("date")
    if test_date is not None and not isinstance(test_date, date):
        raise InputError(f"date {test_date!r} is not a TOML date (e.g. date = 2026-11-03)")
    sport = document.get("sport")
    if sport is not None and not isinstance(sport, str):
        raise InputError(f"sport {sport!r} is not text (e.g. sport = \"run\")")
    return _sheet(records, header, source, need_intensity, test_date, sport)


def _sheet(records: list[tuple[str, dict[str, Any]]], header: list[str], source: str,
           need_intensity: bool, test_date: date | None, sport: str | None) -> LactateSheet:
    required = REQUIRED_COLUMNS if need_intensity else ("step", "lactate_mmol")
    missing = [name for name in required if name not in header]
    intensity = [name for name in INTENSITY_COLUMNS if name in header]
    if need_intensity and not intensity:
        missing.append(" or ".join(INTENSITY_COLUMNS))
    if missing:
        raise InputError(f"missing column(s): {', '.join(missing)} (header: {', '.join(header)})")
    if len(intensity) > 1:
        raise InputError(f"several intensity columns ({', '.join(intensity)}): keep one")
    column = intensity[0] if intensity else None
    rows = []
    for where, record in records:
        duration_min = _number(record, "duration_min", where, optional=not need_intensity)
        rows.append(SheetRow(
            step=_step_number(record, where),
            lactate_mmol=_number(record, "lactate_mmol", where),
            duration_s=None if duration_min is None else duration_min * 60.0,
            intensity=None if column is None else _intensity(record, column, where),
            heart_rate_bpm=_number(record, "heart_rate_bpm", where, optional=True),
        ))
    field = None if column is None else ("power_w" if column == "power_w" else "speed_mps")
    return LactateSheet(source, tuple(rows), field, test_date, sport)


def _step_number(record: dict[str, Any], where: str) -> int:
    value = _number(record, "step", where)
    if value is None or not float(value).is_integer():
        raise InputError(f"{where}: step {record.get('step')!r} is not a whole number")
    return int(value)


@overload
def _number(record: dict[str, Any], column: str, where: str) -> float: ...
@overload
def _number(record: dict[str, Any], column: str, where: str, optional: bool) -> float | None: ...
def _number(record: dict[str, Any], column: str, where: str, optional: bool = False
            ) -> float | None:
    raw = record.get(column, "")
    if raw == "" or raw is None:
        if optional:
            return None
        raise InputError(f"{where}: {column} is empty")
    if isinstance(raw, bool):
        raise InputError(f"{where}: {column} {raw!r} is not a number")
    try:
        value = float(str(raw).replace(",", ".") if isinstance(raw, str) else raw)
    except ValueError:
        raise InputError(f"{where}: {column} {raw!r} is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise InputError(f"{where}: {column} {raw!r} must be a number ≥ 0")
    return value


def _intensity(record: dict[str, Any], column: str, where: str) -> float:
    """The row's intensity in SI: power [W] or speed [m/s]."""
    if column == "pace_min_per_km":
        raw = record.get(column, "")
        text = str(raw).strip()
        if text in ("", "0", "0:00"):  # the resting row
            if text == "":
                raise InputError(f"{where}: {column} is empty")
            return 0.0
        return 1000.0 / _pace_s_per_km(text, where)
    value = _number(record, column, where)
    assert value is not None
    return value / 3.6 if column == "speed_kmh" else value


def _pace_s_per_km(text: str, where: str) -> float:
    try:
        total = seconds_from_pace_text(text)
    except ValueError:
        raise InputError(f"{where}: pace {text!r} is not min:sec per km (e.g. 4:10)") from None
    if not (math.isfinite(total) and total > 0):
        raise InputError(f"{where}: pace {text!r} must be a number of minutes above 0")
    return total


def step_test_from_sheet(sheet: LactateSheet) -> StepTest:
    """The sheet as a checked :class:`StepTest` (the sheet has intensities and durations)."""
    if sheet.intensity_field is None:
        raise InputError(f"no intensity column ({' / '.join(INTENSITY_COLUMNS)}); or give the "
                         "test's recording with --fit")
    steps = tuple(LactateStep(r.step, r.duration_s or 0.0, r.intensity or 0.0, r.lactate_mmol,
                              r.heart_rate_bpm) for r in sheet.rows)
    test = StepTest(steps, sheet.intensity_field, sheet.source, sheet.test_date, sheet.sport)
    check_step_test(test)
    return test
