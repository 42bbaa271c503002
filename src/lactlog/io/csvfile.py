"""CSV reader: time-series exports (one Activity per file) and strength-app logs.

:func:`read_csv` decodes the bytes (UTF-8 with or without BOM, else Latin-1), sniffs the delimiter
(``,`` ``;`` or tab) from the header line and dispatches: Strong/Hevy/FitNotes logs go to
:mod:`lactlog.io.strength_csv`; everything else is read as a time series.

Time series
    The header row is the row with the most recognised column names among the first 40 lines, so
    preambles (iBike, CycleOps Joule) are skipped; a row of units under the header (Ergomo) is
    used for unit conversion. Names are matched case-, space- and punctuation-insensitively
    (``Hrate``, ``Heart Rate``, ``PULS``, ``Km/h``, ``Speed (mph)``, ``HÖHE`` ...); units come from
    the name (``Km/h``, ``Km``, ``Minutes``), a parenthesis (``Distance (miles)``) or the unit row.
    Rows whose field count differs from the header (a truncated last line, a shifted row) are
    skipped with a warning.

    The time axis is an absolute timestamp column (ISO text, epoch seconds or milliseconds) or
    an elapsed column (``Minutes``, ``secs``, ``time (s)``, ``ZEIT``, ``hh:mm:ss``). With elapsed
    times only, the start is, in this order: a start time written in the file (iBike line 2,
    Joule ``Date/Time``; local wall-clock time), a date-time in the file name (GoldenCheetah
    ``2009_05_27_01_01_01.csv``, ``RP3_2016-03-27_09-23-29.csv``; local wall-clock time), else
    2000-01-01T00:00Z. Each fallback is stored as if it were UTC and leaves a warning in
    ``meta.warnings``.

Recognised non-sample CSVs (Strava activity lists, per-activity summary tables, HRV4Training
daily measurements) raise :class:`UnsupportedFormatError` naming what they are. FitCSVTool dumps
(``Type,Local Number,Message,...``) go to :mod:`lactlog.io.fitcsv`; what column names and units
mean is in :mod:`lactlog.io.csvcolumns`.
"""

from __future__ import annotations

import csv
import re
from datetime import UTC, datetime
from itertools import chain, islice
from pathlib import PurePath
from typing import cast

import numpy as np
import pandas as pd

from lactlog.errors import CorruptFileError, EmptyFileError, LactlogError, UnsupportedFormatError
from lactlog.io.common import PLAUSIBLE_TIMES, RawInput, build_samples
from lactlog.io.csvcolumns import (
    column_key,
    header_score,
    normalise_unit,
    numeric,
    sample_columns,
    time_axis,
)
from lactlog.io.csvtext import (
    check_cells,
    decode_text,
    field_counts,
    line_chunks,
    parse_table,
    sniff_delimiter,
    split_fields,
)
from lactlog.io.fitcsv import is_fitcsv_dump, read_fitcsv_dump
from lactlog.io.strength_csv import detect_strength_app, read_strength_csv
from lactlog.model import Activity, ActivityMeta

#: Start used when neither the file nor its name tells when the session took place.
FALLBACK_START = datetime(2000, 1, 1, tzinfo=UTC)
WARN_NO_DATE = "no absolute time in the file; dates are unknown (start set to 2000-01-01T00:00Z)"
WARN_FILE_NAME = "start time taken from the file name (local time, stored as UTC)"
WARN_LOCAL = "start time is a local wall-clock time (no UTC offset in the file), stored as UTC"

_HEADER_SEARCH_LINES = 40
#: Most columns of a time-series table. Real exports have a few dozen; the cost of reading grows
#: with the columns (pandas works column by column: a 214 kB table of 24,000 columns took 4.4 s
#: CPU), so a wider header is refused.
MAX_COLUMNS = 1_024
_PARSE_ERRORS = (ValueError, TypeError, KeyError, IndexError, OverflowError, csv.Error)
_BIKE_PRODUCTS = frozenset({"PowerTap", "Ergomo", "iBike", "Joule", "PeriPedal", "BSX Insight"})


def read_csv(raw: RawInput) -> list[Activity]:
    """Read a CSV export: a strength-app log (one Activity per workout) or a time series.

    Raises
    ------
    EmptyFileError
        No text, only a header, or no complete data row.
    UnsupportedFormatError
        A recognised non-sample table, or no recognisable time column.
    CorruptFileError
        The parser failed on the content, a line is longer than
        :data:`~lactlog.io.csvtext.MAX_LINE_CHARS`, or a lifting log has more cells than
        characters (:func:`~lactlog.io.csvtext.check_cells`).
    """
    text = decode_text(raw.data)
    first = next((line for line in chain.from_iterable(line_chunks(text)) if line.strip()), None)
    if first is None:
        raise EmptyFileError("the file is empty")
    delimiter = sniff_delimiter(first)
    try:
        header = split_fields(first, delimiter)
        app = detect_strength_app(header)
        if app is not None:
            for _ in line_chunks(text):  # the length of every line is checked
                pass
            table = text.lstrip()
            check_cells(table, len(header))  # pandas pads short rows to the header
            return read_strength_csv(raw, table, delimiter, app)
        if is_fitcsv_dump(first):
            return [read_fitcsv_dump(raw, line_chunks(text))]
        return [_read_series(raw, text, first, delimiter)]
    except LactlogError:
        raise
    except (*_PARSE_ERRORS, pd.errors.ParserError) as exc:
        raise CorruptFileError(f"cannot parse the CSV ({type(exc).__name__}: {exc})") from None


def _find_header(lines: list[str], first: str, delimiter: str) -> int:
    """Index of the line with the most recognised column names among the first lines (``first``:
    the file's first non-blank line, named in the error when none is recognised)."""
    best, best_score = -1, 0
    for index, line in enumerate(lines[:_HEADER_SEARCH_LINES]):
        score = header_score(split_fields(line, delimiter)) if line.strip() else 0
        if score > best_score:
            best, best_score = index, score
    if best < 0:
        raise UnsupportedFormatError(_no_time_message(split_fields(first, delimiter)))
    return best


def _no_time_message(columns: list[str]) -> str:
    return f"no time column recognised; columns are: {columns_excerpt(columns)}"


#: At most this many header cells, each cut to this many characters, go into a message: a file
#: that is no CSV at all (a symlink to /etc/passwd named .csv) is not echoed.
_EXCERPT_COLUMNS, _EXCERPT_CHARS = 6, 16


def columns_excerpt(columns: list[str]) -> str:
    """A short excerpt of a header for an error message: the first six cells, each cut to 16
    characters, control characters dropped."""
    def short(cell: str) -> str:
        cell = "".join(c for c in cell if c.isprintable()).strip()
        return cell if len(cell) <= _EXCERPT_CHARS else f"{cell[:_EXCERPT_CHARS - 1]}…"

    more = ", …" if len(columns) > _EXCERPT_COLUMNS else ""
    return ", ".join(short(c) for c in columns[:_EXCERPT_COLUMNS]) + more


def _reject_tables(columns: list[str]) -> None:
    """Raise for CSVs whose rows are not samples (activity lists, daily measurements)."""
    keys = {column_key(c)[0] for c in columns}
    if {"rmssd", "hrv4trecoverypoints"} & keys:
        raise UnsupportedFormatError(
            "daily HRV measurements (HRV4Training export), not a time series"
        )
    strava = {"kudoscount", "averageheartrate", "elapsedtime", "movingtime", "activityid",
              "activitytype", "activitydate", "startdate", "startdatelocal"}
    if len(keys & strava) >= 2:
        raise UnsupportedFormatError("a list of activities (Strava export), not a time series")
    summary = [k for k in keys if k.startswith(("avg", "average", "max", "total"))]
    if len(summary) >= 3:
        raise UnsupportedFormatError(
            "a per-activity summary table (one row per activity), not a time series"
        )


def _product(lines: list[str], header_row: int, keys: list[str]) -> str | None:
    """Recording device recognised from the preamble or the header (None if unknown)."""
    first, key_set = lines[0], set(keys)
    if re.match(r"^iBike,\d+,", first):
        return "iBike"
    if "Device Type" in first and header_row > 1:
        device = dict(zip(split_fields(first, ","), split_fields(lines[1], ",")))
        return device.get("Device Type") or None
    if {"zeit", "strecke"} & key_set:
        return "Ergomo"
    if {"activityid", "timestampepoch"} <= key_set:
        return "MotoACTV"
    if {"workoutintervalid", "strokerate"} <= key_set:
        return "RP3"
    if {"mmdd", "hhmmss", "smo2live"} <= key_set:
        return "PeriPedal"
    if keys[:3] == ["minutes", "torq", "kmh"] or keys[:3] == ["minutes", "torq", "mph"]:
        return "PowerTap"
    return None


def _read_table(
    text: str, lines: list[str], first: str, delimiter: str
) -> tuple[pd.DataFrame, list[str], int, list[str]]:
    """Find the header (and a unit row) in the first ``lines`` of ``text``, keep complete rows.

    Returns the frame (all text), the unit row (or empty strings), the header's line index and
    warnings about skipped rows.
    """
    header_row = _find_header(lines, first, delimiter)
    columns = split_fields(lines[header_row], delimiter)
    if len(columns) > MAX_COLUMNS:
        raise CorruptFileError(f"the header (line {header_row + 1:,}) has {len(columns):,} "
                               f"columns; lactlog reads tables of up to {MAX_COLUMNS:,} columns")
    _reject_tables(columns)
    first_of: dict[str, int] = {}
    for i, c in enumerate(columns):
        first_of.setdefault(c, i)
    names = [c if first_of[c] == i else f"{c}#{i}" for i, c in enumerate(columns)]
    units = [""] * len(columns)
    start = header_row + 1
    if start < len(lines):
        below = split_fields(lines[start], delimiter)
        texts = [f for f in below if f and pd.isna(pd.to_numeric(f, errors="coerce"))]
        if len(below) == len(columns) and len(texts) > len([f for f in below if f]) / 2:
            units, start = below, start + 1
    # iBike rows are 'recording interval' apart: their positions are the time axis
    positional = _product(lines, header_row, [column_key(c)[0] for c in columns]) == "iBike"
    body, n_rows, bad, last_cut = _data_rows(text, start, len(columns), delimiter, positional)
    if n_rows == 0:
        raise EmptyFileError("no data rows under the CSV header")
    warnings = []
    if bad:
        warnings.append(
            "the last line is incomplete (file truncated?); it was skipped" if last_cut and bad == 1
            else f"{bad:,} rows with a field count different from the header were skipped"
        )
    if bad == n_rows:
        raise CorruptFileError("no data row has as many fields as the header")
    if not body:  # complete rows, all empty: no time column has a value
        raise UnsupportedFormatError(_no_time_message(columns))
    frame = parse_table(body, header=None, sep=delimiter, names=names, skipinitialspace=True)
    return frame, units, header_row, warnings


def _data_rows(
    text: str, start: int, n_columns: int, delimiter: str, keep_empty: bool
) -> tuple[str, int, int, bool]:
    """The non-blank lines of ``text`` from line index ``start`` on that have ``n_columns`` fields
    and balanced quotes, joined by line breaks; taken chunk by chunk (:func:`line_chunks`), so
    blank and skipped lines never add up in memory. Rows of only delimiters and spaces (no value,
    no time: ~90 bytes each through the conversions) are left out too unless ``keep_empty``.

    Returns those rows, how many lines were not blank, how many of them were skipped, and whether
    the last of them was skipped and is the file's last line, cut off (no line break after it).
    """
    rows: list[str] = []
    n_lines = n_bad = 0
    empty = f"[\\s{re.escape(delimiter)}]*"
    last_complete, last_line = True, ""
    for lines in line_chunks(text):
        last_line = lines[-1]
        body = pd.Series(lines[start:], dtype="object")
        start = max(start - len(lines), 0)
        body = body[body.str.strip() != ""]
        if body.empty:
            continue
        complete = (field_counts(body, delimiter) == n_columns) & (body.str.count('"') % 2 == 0)
        n_lines += len(body)
        n_bad += int((~complete).sum())
        last_complete = bool(complete.iloc[-1])
        body = body[complete]
        if not keep_empty:
            body = body[~body.str.fullmatch(empty)]
        if not body.empty:
            rows.append("\n".join(body))
    return "\n".join(rows), n_lines, n_bad, not last_complete and last_line.strip() != ""


def _restart_offsets(values: np.ndarray, block: np.ndarray) -> np.ndarray:
    """Make a per-block restarting count cumulative: add the previous blocks' last values."""
    last = pd.Series(values).groupby(block).last()
    offset = last.cumsum().shift(fill_value=0.0)
    return values + offset.reindex(block).to_numpy()


def _device_fixes(
    frame: pd.DataFrame, keys: list[str], product: str | None, elapsed_s: np.ndarray | None,
    columns: dict[str, np.ndarray], lines: list[str],
) -> np.ndarray | None:
    """Per-device repairs of the elapsed time [s] (and columns); iBike's implicit time axis.

    RP3 restarts time and distance in every workout interval; Ergomo's time skips its PAUSE
    seconds; iBike has no time column: rows are ``recording interval`` apart (config line 4,
    field 5), and v11 files carry the power measured by a DFPM power meter (when non-zero).
    """
    if product == "RP3" and elapsed_s is not None:
        block = frame.iloc[:, keys.index("workoutintervalid")]
        block = (block != block.shift()).cumsum().to_numpy()
        elapsed_s = _restart_offsets(elapsed_s, block)
        if "distance_m" in columns:
            columns["distance_m"] = _restart_offsets(columns["distance_m"], block)
    if product == "Ergomo" and elapsed_s is not None and "pause" in keys:
        pause_s = np.nan_to_num(numeric(frame.iloc[:, keys.index("pause")], ","))
        elapsed_s = elapsed_s + np.concatenate(([0.0], np.cumsum(pause_s)[:-1]))
    if product == "iBike" and elapsed_s is None:
        config = split_fields(lines[3], ",") if len(lines) > 3 else []
        interval_s = pd.to_numeric(config[4] if len(config) > 4 else "", errors="coerce")
        interval_s = float(interval_s) if interval_s > 0 else 1.0
        elapsed_s = np.arange(len(frame), dtype="float64") * interval_s
        if "dfpmpower" in keys:
            dfpm_w = numeric(frame.iloc[:, keys.index("dfpmpower")], ",")
            if np.nanmax(dfpm_w, initial=0.0) > 0:
                columns["power_w"] = np.where(dfpm_w >= 0, dfpm_w, np.nan)
    return elapsed_s


def start_from_name(source: str) -> datetime | None:
    """A date-time in the file name (``2009_05_27_01_01_01``, ``2016-03-27_09-23-29``), naive."""
    stem = PurePath(source).name
    for pattern in (r"(\d{4})[_-](\d{1,2})[_-](\d{1,2})[_ T-](\d{1,2})[_:-](\d{2})[_:-](\d{2})",
                    r"(?<!\d)(\d{4})(\d{2})(\d{2})[_T-]?(\d{2})(\d{2})(\d{2})(?!\d)"):
        match = re.search(pattern, stem)
        if match:
            try:
                start = _naive_datetime([int(g) for g in match.groups()])
            except ValueError:
                continue
            if PLAUSIBLE_TIMES[0].year <= start.year < PLAUSIBLE_TIMES[1].year:
                return start
    return None


def _naive_datetime(parts: list[int]) -> datetime:
    """Year, month, day, hour, minute, second as a naive datetime (IndexError when fewer)."""
    return datetime(parts[0], parts[1], parts[2], parts[3], parts[4], parts[5])


def _start_in_file(lines: list[str], product: str | None) -> datetime | None:
    """Start time written in a preamble (iBike line 2, Joule ``Date/Time``), naive local time."""
    try:
        if product == "iBike":
            return _naive_datetime([int(f) for f in split_fields(lines[1], ",")[:6]])
        if "Date/Time" in lines[0] and len(lines) > 1:
            fields = dict(zip(split_fields(lines[0], ","), split_fields(lines[1], ",")))
            return datetime.strptime(fields["Date/Time"].split("|")[0], "%Y-%m-%d %H:%M:%S")
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return None


def _elapsed_start(raw: RawInput, lines: list[str], product: str | None) -> tuple[datetime, str]:
    start = _start_in_file(lines, product)
    if start is not None and PLAUSIBLE_TIMES[0].year <= start.year < PLAUSIBLE_TIMES[1].year:
        return start.replace(tzinfo=UTC), WARN_LOCAL
    start = start_from_name(raw.source)
    if start is not None:
        return start.replace(tzinfo=UTC), WARN_FILE_NAME
    return FALLBACK_START, WARN_NO_DATE


def _read_series(raw: RawInput, text: str, first: str, delimiter: str) -> Activity:
    """One time-series CSV as one Activity (``first``: its first non-blank line)."""
    # the header is among the first lines; a unit row may follow it
    lines = list(islice(chain.from_iterable(line_chunks(text)), _HEADER_SEARCH_LINES + 1))
    frame, units, header_row, warnings = _read_table(text, lines, first, delimiter)
    header = split_fields(lines[header_row], delimiter)
    keys = [column_key(c)[0] for c in header]
    units = [column_key(c)[1] or normalise_unit(u) for c, u in zip(header, units)]
    product = _product(lines, header_row, keys)
    columns, unit_warnings = sample_columns(frame, keys, units, delimiter, product)
    kind, times, time_column = time_axis(frame, keys, units, delimiter)
    elapsed_s = cast("np.ndarray", times) if kind == "elapsed" else None
    elapsed_s = _device_fixes(frame, keys, product, elapsed_s, columns, lines)
    if kind != "absolute" and elapsed_s is None:
        raise UnsupportedFormatError(_no_time_message(header))
    if not columns:
        raise UnsupportedFormatError(
            f"no sample columns recognised; columns are: {columns_excerpt(header)}")
    if kind == "absolute":
        index = times
        first = str(frame[time_column].iloc[0]).strip()
        wall_clock = not re.fullmatch(r"-?[\d.]+", first) and not re.search(
            r"(Z|[+-]\d\d:?\d\d)$", first)
        if wall_clock:
            warnings.append("timestamps have no UTC offset; read as UTC")
    else:
        start, note = _elapsed_start(raw, lines, product)
        warnings.append(note)
        wall_clock = note != WARN_NO_DATE
        assert elapsed_s is not None  # checked above
        plausible_s = np.where(np.abs(elapsed_s) < 1e9, elapsed_s, np.nan)  # < 31 years
        index = pd.Timestamp(start) + pd.to_timedelta(np.round(plausible_s * 1000.0), unit="ms")
    samples, repairs = build_samples(pd.DatetimeIndex(index), columns)
    if samples.empty:
        raise EmptyFileError("no row has a readable time")
    if kind == "absolute":
        start = samples.index[0].to_pydatetime(warn=False)
    if product == "RP3" or "strokerate" in keys:
        sport = "rowing"
    elif "power_w" in samples.columns or product in _BIKE_PRODUCTS:
        sport = "cycling"
    else:
        sport = "generic"
    meta = ActivityMeta(
        source=raw.source, sha256=raw.sha256, format="csv", sport=sport,
        start=start, product=product,
        warnings=tuple(warnings + unit_warnings + repairs), wall_clock=wall_clock,
    )
    return Activity(meta=meta, samples=samples)
