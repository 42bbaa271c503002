"""Strength-training app logs (Strong, Hevy, FitNotes): one Activity per workout.

Each workout becomes an :class:`~lactlog.model.Activity` with an empty samples frame and one row
of :attr:`~lactlog.model.Activity.sets` per logged set, in file order. Besides
:data:`~lactlog.model.SET_COLUMNS` the sets frame carries
:data:`~lactlog.model.EXTRA_SET_COLUMNS`:

=================  ==============================================================
set_order          the app's set label as written: ``"1"``, ``"W"``, ``"D"``, ``"F"``
rpe                rating of perceived exertion (NaN when missing)
app_set_type       ``warmup``/``normal``/``failure``/``dropset`` where known, else None
notes              the set's (Strong, FitNotes) or exercise's (Hevy) note, else None
distance_m         distance of a cardio set [m] (NaN when missing)
exercise_title     the app's exercise name
app_category       the app's exercise category (FitNotes), else None
=================  ==============================================================

``exercise_category``/``exercise_name`` are FIT profile names and stay None (apps use free
text). ``weight_kg`` is converted from pounds where the file says so (1 lb = 0.45359237 kg).
Strong ``Rest Timer`` rows become ``set_type == "rest"`` rows with their ``Seconds``.

The apps write local wall-clock times without a UTC offset: ``meta.start`` is that wall time
stored as UTC (``utc_offset_s`` None) and ``meta.warnings`` says so, for a later step to
reinterpret. No app writes per-set times, so ``start`` is NaT; ``duration_s`` is the set's
time when above 0. The workout duration goes to ``device_summary.elapsed_s``.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from lactlog.errors import CorruptFileError, EmptyFileError
from lactlog.io.common import RawInput
from lactlog.io.csvtext import line_chunks, parse_table, split_fields
from lactlog.model import (
    STRENGTH_SET_COLUMNS,
    Activity,
    ActivityMeta,
    DeviceSummary,
    SetRows,
)

WARN_LOCAL_TIMES = "times are local wall-clock times (no UTC offset in the file)"
KG_PER_LB = 0.45359237
_WEIGHT_UNITS = {"kg": 1.0, "kgs": 1.0, "lb": KG_PER_LB, "lbs": KG_PER_LB}
_DISTANCE_UNITS = {"m": 1.0, "meters": 1.0, "km": 1000.0, "kms": 1000.0, "mi": 1609.344,
                   "miles": 1609.344, "ft": 0.3048, "feet": 0.3048, "yd": 0.9144, "yds": 0.9144}
#: Columns read from a lifting-app export (the apps write 10–15; the rest are ignored).
MAX_COLUMNS = 64
_STRONG_SET_TYPES = {"w": "warmup", "d": "dropset", "f": "failure"}
_REQUIRED = {"Strong": ("date", "exercise name", "set order"),
             "Hevy": ("start_time", "exercise_title", "set_index"),
             "FitNotes": ("date", "exercise")}


def detect_strength_app(columns: list[str]) -> str | None:
    """Which app wrote a CSV with this header: ``Strong``, ``Hevy``, ``FitNotes`` or None."""
    names = {c.strip().lower() for c in columns}
    if {"exercise name", "set order"} <= names:
        return "Strong"
    if {"exercise_title", "set_index", "start_time"} <= names:
        return "Hevy"
    if {"date", "exercise", "category", "reps"} <= names:
        return "FitNotes"
    return None


def read_strength_csv(raw: RawInput, text: str, delimiter: str, app: str) -> list[Activity]:
    """Read a Strong/Hevy/FitNotes export (text starting at its header) into workouts.

    Returns the workouts sorted by start.

    Raises
    ------
    EmptyFileError
        Only a header.
    CorruptFileError
        No row has a readable date, or the CSV cannot be tokenised.
    """
    text, n_empty = _without_empty_rows(text, delimiter)
    try:
        frame, warnings = _parse(text, delimiter)
    except EmptyFileError:
        if n_empty:  # rows, but none with a date
            raise CorruptFileError(f"no row of the {app} export has a readable date") from None
        raise
    missing = [name for name in _REQUIRED[app] if name not in frame.columns]
    if missing:
        raise CorruptFileError(f"the {app} export lacks the column(s): {', '.join(missing)}")
    table = {"Strong": _strong, "Hevy": _hevy, "FitNotes": _fitnotes}[app](frame, warnings)
    unreadable = table["session_start"].isna()
    if unreadable.all():
        raise CorruptFileError(f"no row of the {app} export has a readable date")
    if unreadable.any() or n_empty:
        skipped = int(unreadable.sum()) + n_empty
        warnings.append(f"{skipped:,} rows without a readable date were skipped")
        table = table[~unreadable]
    warnings.append(WARN_LOCAL_TIMES)
    return _workouts(raw, app, table, warnings)


def _without_empty_rows(text: str, delimiter: str) -> tuple[str, int]:
    """``text`` without its rows of only delimiters and spaces after the header, and how many.

    Such rows hold no date, so the reader would skip them anyway, but only after pandas had
    padded and converted each (a 30 MB log of ``,,`` rows peaked at 3 GB). A line inside a
    quoted cell (after an odd number of quotes) is not a row and stays. Taken chunk by chunk
    (:func:`~lactlog.io.csvtext.line_chunks`); the text is rebuilt only when a row is dropped.
    """
    empty = f"[\\s{re.escape(delimiter)}]+"
    kept: list[str] = []
    dropped, in_quotes, header = 0, 0, True
    for lines in line_chunks(text):
        body = pd.Series(lines, dtype="object")
        odd = body.str.count('"').to_numpy() % 2
        opened = (np.cumsum(odd) - odd + in_quotes) % 2  # quotes open before each line
        in_quotes = int((in_quotes + odd.sum()) % 2)
        drop = body.str.fullmatch(empty).to_numpy(dtype=bool) & (opened == 0)
        drop[0] &= not header
        header = False
        dropped += int(drop.sum())
        kept.append("\n".join(body[~drop]))
    return (text, 0) if not dropped else ("\n".join(kept), dropped)


def _parse(text: str, delimiter: str) -> tuple[pd.DataFrame, list[str]]:
    """All cells as stripped text; a cut-off last line (no newline, too few fields) is dropped."""
    warnings: list[str] = []
    header = text.split("\n", 1)[0]
    n_columns = len(split_fields(header, delimiter))
    if not text.endswith(("\n", "\r")) and "\n" in text:
        last = text.rsplit("\n", 1)[1]
        bare = re.sub(r'"[^"]*"', "", last)
        if bare.count(delimiter) + 1 < n_columns or last.count('"') % 2:
            text = text[: len(text) - len(last)]
            warnings.append("the last line is incomplete (file truncated?); it was skipped")
    frame = parse_table(text, sep=delimiter, skip_blank_lines=True)  # short rows padded with ""
    if frame.empty:
        raise EmptyFileError("the CSV has a header but no rows")
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    # empty header cells (pandas names them "Unnamed: N") hold nothing a reader uses, and a
    # damaged header can have thousands: each column costs ~0.5 ms below
    frame = frame.loc[:, ~frame.columns.duplicated() & ~frame.columns.str.match(r"unnamed: \d+$")]
    if frame.shape[1] > MAX_COLUMNS:
        warnings.append(f"{frame.shape[1] - MAX_COLUMNS:,} columns after the first "
                        f"{MAX_COLUMNS} were ignored")
        frame = frame.iloc[:, :MAX_COLUMNS]
    return frame.apply(lambda column: column.astype("object").astype(str).str.strip()), warnings


def _col(frame: pd.DataFrame, *names: str) -> pd.Series | None:
    """The first of the named columns present (names lower-case), else None."""
    return next((frame[name] for name in names if name in frame.columns), None)


def _num(values: pd.Series | None, index: pd.Index) -> pd.Series:
    """Numbers [float]; empty or unreadable cells and absent columns are NaN."""
    if values is None:
        return pd.Series(np.nan, index=index, dtype="float64")
    return pd.to_numeric(values, errors="coerce").astype("float64")


def _text(values: pd.Series | None, index: pd.Index) -> pd.Series:
    """Text with empty cells as None."""
    if values is None:
        return pd.Series(None, index=index, dtype="object")
    return values.astype("object").where(values != "", None)


def _factor(units: pd.Series | None, table: dict[str, float], default: float,
            index: pd.Index) -> pd.Series:
    """Per-row conversion factor from a unit column (missing or unknown unit -> ``default``)."""
    if units is None:
        return pd.Series(default, index=index, dtype="float64")
    return units.str.lower().map(table).astype("float64").fillna(default)


def _datetimes(values: pd.Series, *formats: str) -> pd.Series:
    """Naive local date-times; tries the given formats in turn, then pandas' mixed parsing."""
    parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    for fmt in (*formats, "mixed"):
        missing = parsed.isna() & (values != "")
        if not missing.any():
            break
        attempt = pd.to_datetime(values[missing], format=fmt, errors="coerce")
        parsed[missing] = attempt.dt.tz_localize(None) if attempt.dt.tz else attempt
    return parsed


def _duration_text_s(values: pd.Series) -> pd.Series:
    """Strong durations ``1h 5m``, ``45m``, ``30s`` (or plain seconds) [s]."""
    parts = values.str.extract(r"^(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?\s*(?:(\d+)\s*s)?$")
    parts = parts.astype("float64")
    total = parts[0].fillna(0) * 3600 + parts[1].fillna(0) * 60 + parts[2].fillna(0)
    spelled = parts.notna().any(axis=1)
    return total.where(spelled, pd.to_numeric(values, errors="coerce")).astype("float64")


def _clock_s(values: pd.Series) -> pd.Series:
    """``h:mm:ss`` / ``mm:ss`` (or plain seconds) [s]."""
    parts = values.str.extract(r"^(?:(\d+):)?(\d+):(\d+(?:\.\d*)?)$").astype("float64")
    total = parts[0].fillna(0) * 3600 + parts[1] * 60 + parts[2]
    return total.where(parts[2].notna(), pd.to_numeric(values, errors="coerce")).astype("float64")


def _strong(frame: pd.DataFrame, warnings: list[str]) -> pd.DataFrame:
    """Strong, comma or semicolon variants, with or without unit columns, Rest Timer rows."""
    index = frame.index
    order = frame["set order"]
    rest = order.str.lower() == "rest timer"
    weight = _col(frame, "weight (kg)", "weight (kgs)", "weight (lbs)", "weight")
    weight_units = _col(frame, "weight unit")
    if "weight (lbs)" in frame.columns and "weight (kg)" not in frame.columns:
        weight_units = pd.Series("lbs", index=index)
    elif weight_units is None and "weight" in frame.columns and (_num(weight, index) > 0).any():
        warnings.append("Strong weights have no unit in the file; read as kg")
    distance = _col(frame, "distance (meters)", "distance (m)", "distance (km)", "distance")
    in_metres = "distance (meters)" in frame.columns or "distance (m)" in frame.columns
    distance_default = 1.0 if in_metres else 1000.0
    distance_units = _col(frame, "distance unit")
    if distance_units is None and "distance" in frame.columns and (_num(distance, index) > 0).any():
        warnings.append("Strong distances have no unit in the file; read as km")
    seconds = _num(_col(frame, "seconds"), index)
    duration = _col(frame, "duration (sec)", "duration", "workout duration")
    weight_kg = _num(weight, index) * _factor(weight_units, _WEIGHT_UNITS, 1.0, index)
    workout = _text(_col(frame, "workout name"), index).fillna("")
    numeric_order = order.str.fullmatch(r"\d+")
    app_type = order.str.lower().map(_STRONG_SET_TYPES).where(~numeric_order, "normal")
    return _table(
        index,
        session_start=_datetimes(frame["date"], "%Y-%m-%d %H:%M:%S"),
        session_key=frame["date"] + "\x1f" + workout,
        session_elapsed_s=_duration_text_s(duration) if duration is not None else np.nan,
        set_type=np.where(rest, "rest", "active"),
        duration_s=seconds.where(seconds > 0),
        repetitions=_num(_col(frame, "reps"), index).where(~rest),
        weight_kg=weight_kg.where(~rest),
        set_order=order,
        rpe=_num(_col(frame, "rpe"), index),
        app_set_type=app_type.where(~rest, None),
        notes=_text(_col(frame, "notes"), index),
        distance_m=_num(distance, index) * _factor(distance_units, _DISTANCE_UNITS,
                                                   distance_default, index),
        exercise_title=frame["exercise name"],
    )


def _hevy(frame: pd.DataFrame, warnings: list[str]) -> pd.DataFrame:
    """Hevy: kg or lbs, km or miles; ``start_time`` like ``21 Nov 2026, 07:05``."""
    index = frame.index
    formats = ("%d %b %Y, %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")
    start = _datetimes(frame["start_time"], *formats)
    end = _datetimes(_col(frame, "end_time", "start_time"), *formats)
    if "weight_kg" in frame.columns:
        weight_kg = _num(frame["weight_kg"], index)
    else:
        weight_kg = _num(_col(frame, "weight_lbs"), index) * KG_PER_LB
    if "distance_km" in frame.columns:
        distance_m = _num(frame["distance_km"], index) * 1000.0
    elif "distance_meters" in frame.columns:
        distance_m = _num(frame["distance_meters"], index)
    else:
        distance_m = _num(_col(frame, "distance_miles"), index) * 1609.344
    seconds = _num(_col(frame, "duration_seconds"), index)
    set_type = _text(_col(frame, "set_type"), index)
    return _table(
        index,
        session_start=start,
        session_key=_text(_col(frame, "title"), index).fillna("") + "\x1f" + frame["start_time"],
        session_elapsed_s=(end - start).dt.total_seconds(),
        set_type="active",
        duration_s=seconds.where(seconds > 0),
        repetitions=_num(_col(frame, "reps"), index),
        weight_kg=weight_kg,
        set_order=frame["set_index"],
        rpe=_num(_col(frame, "rpe"), index),
        app_set_type=set_type.str.lower().where(set_type.notna(), None),
        notes=_text(_col(frame, "exercise_notes"), index),
        distance_m=distance_m,
        exercise_title=frame["exercise_title"],
    )


def _fitnotes(frame: pd.DataFrame, warnings: list[str]) -> pd.DataFrame:
    """FitNotes: ``Weight (kgs)``, ``Weight (lbs)`` or ``Weight`` + ``Weight Unit``; dates only."""
    index = frame.index
    if "weight (lbs)" in frame.columns:
        weight_kg = _num(frame["weight (lbs)"], index) * KG_PER_LB
    else:
        weight = _col(frame, "weight (kgs)", "weight (kg)", "weight")
        units = _col(frame, "weight unit")
        weight_kg = _num(weight, index) * _factor(units, _WEIGHT_UNITS, 1.0, index)
    distance = _num(_col(frame, "distance"), index)
    distance_m = distance * _factor(_col(frame, "distance unit"), _DISTANCE_UNITS, 1.0, index)
    seconds = _clock_s(_col(frame, "time")) if "time" in frame.columns else _num(None, index)
    set_number = frame.groupby(["date", "exercise"], sort=False).cumcount() + 1
    warnings.append("FitNotes logs dates only; each workout starts at 00:00")
    return _table(
        index,
        session_start=_datetimes(frame["date"], "%Y-%m-%d"),
        session_key=frame["date"],
        session_elapsed_s=np.nan,
        set_type="active",
        duration_s=seconds.where(seconds > 0),
        repetitions=_num(_col(frame, "reps"), index),
        weight_kg=weight_kg,
        set_order=set_number.astype(str),
        rpe=_num(None, index),
        app_set_type=None,
        notes=_text(_col(frame, "comment", "notes"), index),
        distance_m=distance_m,
        exercise_title=frame["exercise"],
        app_category=_text(_col(frame, "category"), index),
    )


def _table(index: pd.Index, **columns: object) -> pd.DataFrame:
    """The normalised per-set table every app is mapped into (FIT name columns left None)."""
    table = pd.DataFrame(index=index)
    for name, values in columns.items():
        table[name] = values
    for name in ("exercise_category", "exercise_name", "app_category"):
        if name not in table.columns:
            table[name] = None
    table["start"] = pd.Series(pd.NaT, index=index, dtype="datetime64[ns, UTC]")
    table["set_type"] = table["set_type"].astype("object")
    for name in ("duration_s", "repetitions", "weight_kg", "rpe", "distance_m",
                 "session_elapsed_s"):
        table[name] = table[name].astype("float64")
    for name in ("app_set_type", "notes", "app_category"):
        values = table[name].astype("object")
        table[name] = values.where(values.notna(), None)
    return table


def _workouts(raw: RawInput, app: str, table: pd.DataFrame, warnings: list[str]) -> list[Activity]:
    """Group sets into workouts (sorted by start, file order within a workout).

    One stable sort puts each workout's rows together; each workout's sets are its rows of the
    sorted table (:class:`~lactlog.model.SetRows`: no per-workout frame until one is used; an
    export holds thousands), and the workouts share one empty samples, pauses, laps and beats
    frame each (an activity's frames are never changed in place; copy-on-write keeps their
    values apart anyway).
    """
    codes, _ = pd.factorize(table["session_key"], sort=False)  # workouts in file order
    first_row = np.full(codes.max() + 1, len(codes))
    np.minimum.at(first_row, codes, np.arange(len(codes)))
    start_ns = table["session_start"].to_numpy(dtype="datetime64[ns]")[first_row]
    rank = np.empty_like(first_row)
    rank[np.argsort(start_ns, kind="stable")] = np.arange(len(first_row))
    order = np.argsort(rank[codes], kind="stable")
    # copy(): one block per dtype, not one per column, so each slice below is cheap
    sets = table.take(order)[list(STRENGTH_SET_COLUMNS)].reset_index(drop=True).copy()
    bounds = np.searchsorted(rank[codes][order], np.arange(len(first_row) + 1))
    elapsed = table["session_elapsed_s"].to_numpy(dtype="float64")[first_row]
    by_rank = np.argsort(rank)
    starts = pd.DatetimeIndex(start_ns[by_rank]).tz_localize("UTC").to_pydatetime()
    activities: list[Activity] = []
    warnings_tuple = tuple(warnings)
    for session_index, code in enumerate(by_rank):
        elapsed_s = elapsed[code]
        meta = ActivityMeta(
            source=raw.source, sha256=raw.sha256, format="csv", sport="training",
            sub_sport="strength_training", start=starts[session_index],
            product=app, session_index=session_index, warnings=warnings_tuple,
            wall_clock=True,
        )
        activities.append(Activity(
            meta=meta,  # samples, pauses, laps, beats: the shared empty tables
            sets=SetRows(sets, int(bounds[session_index]), int(bounds[session_index + 1])),
            device_summary=DeviceSummary(
                elapsed_s=float(elapsed_s) if np.isfinite(elapsed_s) and elapsed_s > 0 else None
            ),
        ))
    return activities
