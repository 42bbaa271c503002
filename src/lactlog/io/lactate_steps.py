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
resting baseline, the others take their mean power or speed and heart rate from the recording.
"""

from __future__ import annotations

import csv
import io
import math
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, overload

from lactlog.errors import EmptyFileError, InputError
from lactlog.formatting import seconds_from_pace_text
from lactlog.steptest import LactateStep, StepTest, check_step_test

#: Intensity columns a sheet may have -> (field of :class:`StepTest`, factor to SI / parser).
INTENSITY_COLUMNS: tuple[str, ...] = ("power_w", "speed_kmh", "speed_mps", "pace_min_per_km")
REQUIRED_COLUMNS: tuple[str, ...] = ("step", "duration_min", "lactate_mmol")
#: Largest sheet read [bytes]: a step test is a few hundred bytes.
MAX_SHEET_BYTES = 1_000_000


@dataclass(frozen=True)
class SheetRow:
    """One typed row; intensity [W or m/s] and duration [s] None when the sheet has none."""

    step: int
    lactate_mmol: float
    duration_s: float | None = None
    intensity: float | None = None
    heart_rate_bpm: float | None = None


@dataclass(frozen=True)
class LactateSheet:
    """What the athlete typed."""

    source: str
    rows: tuple[SheetRow, ...]
    intensity_field: str | None
    """``power_w`` or ``speed_mps``; None when the sheet has no intensity column."""
    test_date: date | None = None
    sport: str | None = None


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


def step_test_from_recording(
    sheet: LactateSheet,
    activity,
    first_lap: int | None = None,
    step_s: float | None = None,
    start_s: float = 0.0,
    profile_timezone: str | None = None,
) -> StepTest:
    """The sheet's lactates with each step's mean intensity and heart rate from the recording.

    Windows: with ``step_s``, exercise step k (1, 2, ...) covers ``start_s + (k−1)·step_s`` to
    ``start_s + k·step_s`` seconds after the recording's first sample; else laps: step k is lap
    ``first_lap + k − 1`` (1-based; ``first_lap`` may be left out only when the recording has
    exactly one lap per exercise step). Intensity: mean speed [m/s] for running sports, else
    mean power [W] (falling back to the other channel when one is absent); heart rate: mean
    [bpm]. A step-0 row of the sheet is the resting baseline (intensity 0, its typed HR). The
    test date, unless the sheet has one, is the recording's local start date (profile time zone,
    else the file's offset: :mod:`lactlog.localtime`).

    Raises
    ------
    InputError
        Too few laps or samples for the steps, no power or speed in a step.
    """
    from lactlog.profile import sport_group

    samples = activity.samples
    if samples.empty:
        raise InputError("the recording has no samples")
    baseline = [r for r in sheet.rows if r.step == 0]
    exercise = [r for r in sheet.rows if r.step != 0]
    windows = _windows(activity, len(exercise), first_lap, step_s, start_s)
    group = sport_group(activity.meta.sport)
    order = ("speed_mps", "power_w") if group == "run" else ("power_w", "speed_mps")
    field = next((name for name in order if name in samples
                  and samples[name].notna().any()), None)
    if field is None:
        raise InputError("the recording has neither power nor speed")
    steps = [LactateStep(r.step, 0.0, 0.0, r.lactate_mmol, r.heart_rate_bpm) for r in baseline]
    for row, (start, end) in zip(exercise, windows, strict=True):
        window = samples[(samples.index >= start) & (samples.index < end)]
        intensity = window[field].mean() if not window.empty else float("nan")
        if not math.isfinite(intensity):
            raise InputError(f"step {row.step}: no {field} samples between {start:%H:%M:%S} and "
                             f"{end:%H:%M:%S} UTC")
        heart_rate = (window["heart_rate_bpm"].mean() if "heart_rate_bpm" in window else None)
        if heart_rate is None or not math.isfinite(heart_rate):
            heart_rate = row.heart_rate_bpm
        steps.append(LactateStep(row.step, (end - start).total_seconds(), float(intensity),
                                 row.lactate_mmol, heart_rate))
    test_date = sheet.test_date
    if test_date is None and activity.meta.start is not None:
        from lactlog.localtime import local_date

        meta = activity.meta
        test_date = local_date(meta.start, profile_timezone, meta.utc_offset_s,
                               wall_clock=meta.wall_clock)
    recorded_group = group if group in ("run", "bike") else None  # "other": from the intensity
    test = StepTest(tuple(steps), field, sheet.source, test_date, sheet.sport or recorded_group)
    check_step_test(test)
    return test


def _windows(activity, n_steps: int, first_lap: int | None, step_s: float | None,
             start_s: float) -> list[tuple[Any, Any]]:
    """(start, end) UTC times of the exercise steps, from fixed lengths or from the laps."""
    import pandas as pd

    if step_s is not None:
        origin = activity.samples.index[0] + pd.Timedelta(seconds=start_s)
        windows = [(origin + pd.Timedelta(seconds=k * step_s),
                    origin + pd.Timedelta(seconds=(k + 1) * step_s)) for k in range(n_steps)]
        if windows[-1][0] >= activity.samples.index[-1]:
            raise InputError(f"{n_steps} steps of {step_s / 60:g} min from minute "
                             f"{start_s / 60:g} run past the end of the recording")
        return windows
    laps = activity.laps
    n_laps = len(laps)
    if first_lap is None:
        if n_laps != n_steps:
            raise InputError(f"the recording has {n_laps} laps for {n_steps} exercise steps: "
                             "say which lap is step 1 with --first-lap, or give --step-min")
        first_lap = 1
    if first_lap < 1 or first_lap - 1 + n_steps > n_laps:
        raise InputError(f"laps {first_lap}–{first_lap + n_steps - 1} for {n_steps} steps, but "
                         f"the recording has {n_laps} laps")
    chosen = laps.iloc[first_lap - 1: first_lap - 1 + n_steps]
    return [(pd.Timestamp(row.start), pd.Timestamp(row.start) + pd.Timedelta(seconds=row.elapsed_s))
            for row in chosen.itertuples()]
