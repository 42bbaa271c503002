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
daily measurements, multi-session FitCSVTool dumps) raise :class:`UnsupportedFormatError`
naming what they are. A single-session FitCSVTool dump (``Type,Local Number,Message,...``, e.g.
BSX Insight exports) is read from its ``record`` rows.
"""

from __future__ import annotations

import csv
import io
import re
import warnings as warnings_module
from datetime import UTC, datetime, timedelta
from pathlib import PurePath

import numpy as np
import pandas as pd

from lactlog.errors import CorruptFileError, EmptyFileError, LactlogError, UnsupportedFormatError
from lactlog.io.common import RawInput, build_samples
from lactlog.io.strength_csv import detect_strength_app, read_strength_csv
from lactlog.model import Activity, ActivityMeta

#: Start used when neither the file nor its name tells when the session took place.
FALLBACK_START = datetime(2000, 1, 1, tzinfo=UTC)
WARN_NO_DATE = "no absolute time in the file; dates are unknown (start set to 2000-01-01T00:00Z)"
WARN_FILE_NAME = "start time taken from the file name (local time, stored as UTC)"
WARN_LOCAL = "start time is a local wall-clock time (no UTC offset in the file), stored as UTC"

_HEADER_SEARCH_LINES = 40
_FIT_EPOCH_S = 631065600  # 1989-12-31T00:00Z in Unix seconds (FIT SDK)
_PARSE_ERRORS = (ValueError, TypeError, KeyError, IndexError, OverflowError, csv.Error)


def _aliases(canonical: str, unit: str | None, *keys: str) -> dict[str, tuple[str, str | None]]:
    return dict.fromkeys(keys, (canonical, unit))


#: Normalised column name -> (canonical column, unit implied by the name or None).
_ALIASES: dict[str, tuple[str, str | None]] = {
    **_aliases("heart_rate_bpm", None, "hr", "hrate", "heartrate", "puls", "pulse", "bpm", "hf"),
    **_aliases("heart_rate_bpm", None, "heartratebpm", "hrbpm", "herzfrequenz"),
    **_aliases("power_w", None, "power", "watts", "watt", "powerw", "leistung", "pwr"),
    **_aliases("speed_mps", None, "speed", "velocity", "geschwindigkeit"),
    **_aliases("speed_mps", "km/h", "kmh", "kph", "speedkmh", "speedkph"),
    **_aliases("speed_mps", "mph", "mph", "speedmph"),
    **_aliases("speed_mps", "m/s", "mps", "speedmps", "speedms"),
    **_aliases("cadence_rpm", None, "cadence", "cad", "rpm", "cadencerpm", "kadenz"),
    **_aliases("cadence_rpm", None, "strokerate", "spm", "trittfrequenz"),
    **_aliases("distance_m", None, "distance", "dist", "strecke"),
    **_aliases("distance_m", "m", "distancem", "meters", "metres"),
    **_aliases("distance_m", "km", "km", "distancekm"),
    **_aliases("distance_m", "mi", "miles", "distancemiles", "distancemi"),
    **_aliases("altitude_m", None, "altitude", "alt", "elevation", "elev", "ele", "hoehe"),
    **_aliases("altitude_m", None, "altitudem", "elevationm", "enhancedaltitude"),
    **_aliases("lat_deg", None, "lat", "latitude"),
    **_aliases("lon_deg", None, "lon", "lng", "long", "longitude"),
    **_aliases("temperature_c", None, "temperature", "temp", "temperaturec", "atemp"),
}
_ABSOLUTE_TIME_KEYS = frozenset({"timestamp", "timestampepoch", "datetime", "timeutc", "epoch"})
_ELAPSED_TIME_KEYS: dict[str, str | None] = {
    **dict.fromkeys(("minutes", "min", "mins"), "min"),
    **dict.fromkeys(("secs", "sec", "seconds", "s", "times", "timesec", "timesecs"), "s"),
    **dict.fromkeys(("time", "zeit", "elapsed", "elapsedtime", "hhmmss", "t"), None),
}
_UNIT_FACTORS: dict[str, dict[str, float]] = {
    "speed_mps": {"m/s": 1.0, "mps": 1.0, "km/h": 1 / 3.6, "kmh": 1 / 3.6, "kph": 1 / 3.6,
                  "mph": 0.44704, "mp/h": 0.44704},
    "distance_m": {"m": 1.0, "meter": 1.0, "meters": 1.0, "metres": 1.0, "km": 1000.0,
                   "mi": 1609.344, "mile": 1609.344, "miles": 1609.344},
    "altitude_m": {"m": 1.0, "meter": 1.0, "meters": 1.0, "ft": 0.3048, "feet": 0.3048},
    "time": {"min": 60.0, "mins": 60.0, "minutes": 60.0, "s": 1.0, "sec": 1.0, "secs": 1.0,
             "seconds": 1.0, "lsec": 1.0, "ms": 0.001, "h": 3600.0},
}
#: Speed unit of products that write a bare "Speed" column (GoldenCheetah's CsvRideFile.cpp).
_PRODUCT_SPEED_UNIT = {"PeriPedal": "km/h", "MotoACTV": "m/s"}
_BIKE_PRODUCTS = frozenset({"PowerTap", "Ergomo", "iBike", "Joule", "PeriPedal", "BSX Insight"})
_FIT_SPORTS = {"0": "generic", "1": "running", "2": "cycling", "5": "swimming", "15": "rowing"}


def read_csv(raw: RawInput) -> list[Activity]:
    """Read a CSV export: a strength-app log (one Activity per workout) or a time series.

    Raises
    ------
    EmptyFileError
        No text, only a header, or no complete data row.
    UnsupportedFormatError
        A recognised non-sample table, or no recognisable time column.
    CorruptFileError
        The parser failed on the content.
    """
    text = decode_text(raw.data)
    lines = re.split(r"\r\n|\r|\n", text)
    first = next((line for line in lines if line.strip()), None)
    if first is None:
        raise EmptyFileError("the file is empty")
    delimiter = sniff_delimiter(first)
    try:
        app = detect_strength_app(split_fields(first, delimiter))
        if app is not None:
            return read_strength_csv(raw, text.lstrip(), delimiter, app)
        if first.startswith("Type,Local Number,Message"):
            return [_read_fitcsv_dump(raw, lines)]
        return [_read_series(raw, lines, delimiter)]
    except LactlogError:
        raise
    except (*_PARSE_ERRORS, pd.errors.ParserError) as exc:
        raise CorruptFileError(f"cannot parse the CSV ({type(exc).__name__}: {exc})") from None


def decode_text(data: bytes) -> str:
    """Decode CSV bytes: UTF-8 (a BOM is dropped), else Latin-1 (which never fails)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def sniff_delimiter(header: str) -> str:
    """The most frequent of ``,`` ``;`` and tab outside quotes in the header (default ``,``)."""
    bare = re.sub(r'"[^"]*"', "", header)
    counts = {d: bare.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def split_fields(line: str, delimiter: str) -> list[str]:
    """Split one CSV line into stripped, unquoted fields."""
    return [f.strip() for f in next(csv.reader([line], delimiter=delimiter), [])]


def _field_counts(lines: pd.Series, delimiter: str) -> pd.Series:
    """Fields per line, not counting delimiters inside double quotes."""
    counts = lines.str.count(re.escape(delimiter)) + 1
    quoted = lines.str.contains('"', regex=False)
    if quoted.any():
        bare = lines[quoted].str.replace(r'"[^"]*"', "", regex=True)
        counts[quoted] = bare.str.count(re.escape(delimiter)) + 1
    return counts


def _key(name: str) -> tuple[str, str]:
    """Normalise a column name into (key, unit): ``"Speed (mph)"`` -> ``("speed", "mph")``."""
    match = re.match(r"^(.*?)\s*[(\[]([^)\]]*)[)\]]\s*$", name)
    base, unit = (match.group(1), match.group(2)) if match else (name, "")
    if not unit and "," in base:  # Joule style "Weight, kg"
        base, unit = base.split(",", 1)
    base = base.lower().replace("ö", "oe").replace("ä", "ae").replace("ü", "ue")
    return re.sub(r"[^a-z0-9]", "", base), _unit(unit)


def _unit(text: str) -> str:
    unit = re.sub(r"[^a-z0-9/°]", "", text.lower())
    return {"°f": "f", "degf": "f", "°c": "c", "degc": "c"}.get(unit, unit)


def _score(fields: list[str]) -> int:
    keys = [_key(f)[0] for f in fields]
    return sum(k in _ALIASES or k in _ELAPSED_TIME_KEYS or k in _ABSOLUTE_TIME_KEYS for k in keys)


def _find_header(lines: list[str], delimiter: str) -> int:
    """Index of the line with the most recognised column names among the first lines."""
    best, best_score = -1, 0
    for index, line in enumerate(lines[:_HEADER_SEARCH_LINES]):
        score = _score(split_fields(line, delimiter)) if line.strip() else 0
        if score > best_score:
            best, best_score = index, score
    if best < 0:
        first = next(line for line in lines if line.strip())
        raise UnsupportedFormatError(_no_time_message(split_fields(first, delimiter)))
    return best


def _no_time_message(columns: list[str]) -> str:
    shown = ", ".join(columns[:6]) + (", …" if len(columns) > 6 else "")
    return f"no time column recognised; columns are: {shown}"


def _reject_tables(columns: list[str]) -> None:
    """Raise for CSVs whose rows are not samples (activity lists, daily measurements)."""
    keys = {_key(c)[0] for c in columns}
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
    lines: list[str], delimiter: str
) -> tuple[pd.DataFrame, list[str], int, list[str]]:
    """Find the header (and a unit row), keep complete rows.

    Returns the frame (all text), the unit row (or empty strings), the header's line index and
    warnings about skipped rows.
    """
    header_row = _find_header(lines, delimiter)
    columns = split_fields(lines[header_row], delimiter)
    _reject_tables(columns)
    names = [f"{c}#{i}" if columns.index(c) != i else c for i, c in enumerate(columns)]
    units = [""] * len(columns)
    start = header_row + 1
    if start < len(lines):
        below = split_fields(lines[start], delimiter)
        texts = [f for f in below if f and pd.isna(pd.to_numeric(f, errors="coerce"))]
        if len(below) == len(columns) and len(texts) > len([f for f in below if f]) / 2:
            units, start = below, start + 1
    body = pd.Series(lines[start:], dtype="object")
    body = body[body.str.strip() != ""]
    if body.empty:
        raise EmptyFileError("no data rows under the CSV header")
    complete = (_field_counts(body, delimiter) == len(columns)) & (body.str.count('"') % 2 == 0)
    warnings = []
    if not complete.all():
        last_cut = not complete.iloc[-1] and lines[-1].strip() != ""
        bad = int((~complete).sum())
        warnings.append(
            "the last line is incomplete (file truncated?); it was skipped" if last_cut and bad == 1
            else f"{bad:,} rows with a field count different from the header were skipped"
        )
        body = body[complete]
    if body.empty:
        raise CorruptFileError("no data row has as many fields as the header")
    frame = _parse_rows(body, sep=delimiter, names=names, skipinitialspace=True)
    return frame, units, header_row, warnings


def _parse_rows(rows: pd.Series, **options: object) -> pd.DataFrame:
    """pandas' C parser over text rows, all cells as text ("" when empty).

    Rows were counted beforehand; where quoting makes pandas see fewer fields it pads them, so
    its ParserWarning about that is silenced.
    """
    with warnings_module.catch_warnings():
        warnings_module.simplefilter("ignore", pd.errors.ParserWarning)
        return pd.read_csv(io.StringIO("\n".join(rows)), header=None, dtype=str, index_col=False,
                           keep_default_na=False, engine="c", **options)


def _numeric(values: pd.Series, delimiter: str) -> np.ndarray:
    """Text cells as float64 (NaN when not a number); decimal commas unless ``,``-separated."""
    text = values.astype("object").astype(str)
    if delimiter != ",":
        text = text.str.replace(",", ".", regex=False)
    return _plausible(pd.to_numeric(text, errors="coerce").to_numpy(dtype="float64"))


def _plausible(values: np.ndarray) -> np.ndarray:
    """Values with magnitudes beyond 1e15 (no real sample or epoch-ms time) set to NaN."""
    return np.where(np.abs(values) < 1e15, values, np.nan)


def _parse_time(
    values: pd.Series, absolute: bool, factor: float | None, delimiter: str
) -> tuple[str, object]:
    """One time column as ("absolute", DatetimeIndex), ("elapsed", seconds) or ("none", None).

    Numbers are epoch seconds/milliseconds when the column is a timestamp (or a bare ``time``)
    and above 1e8, else elapsed time times ``factor`` [s per unit]; text is ``[h:]mm:ss``
    elapsed time or a date-time (without an offset it is read as UTC).
    """
    text = values.astype("object").astype(str).str.strip()
    filled = int((text != "").sum())
    if filled == 0:
        return "none", None
    numbers = pd.Series(_numeric(values, delimiter))
    if numbers.notna().sum() >= 0.9 * filled:
        median = float(numbers.median())
        if (absolute or factor is None) and median > 1e8:
            unit = "ms" if median > 1e11 else "s"
            plausible = numbers.where(numbers.abs() < (1e13 if unit == "ms" else 1e10))
            return "absolute", pd.DatetimeIndex(pd.to_datetime(plausible, unit=unit, utc=True))
        return "elapsed", numbers.to_numpy() * (factor or 1.0)
    parts = text.str.extract(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d*)?)$").astype("float64")
    if parts[2].notna().sum() >= 0.9 * filled:
        return "elapsed", (parts[0].fillna(0) * 3600 + parts[1] * 60 + parts[2]).to_numpy()
    for fmt in ("ISO8601", "mixed"):
        stamps = pd.to_datetime(text, errors="coerce", utc=True, format=fmt)
        if stamps.notna().sum() >= 0.9 * filled:
            return "absolute", pd.DatetimeIndex(stamps)
    return "none", None


def _time_axis(
    frame: pd.DataFrame, keys: list[str], units: list[str], delimiter: str
) -> tuple[str, object, str]:
    """The first usable time column (absolute candidates first): kind, values, column name."""
    order = [i for i, k in enumerate(keys) if k in _ABSOLUTE_TIME_KEYS]
    order += [i for i, k in enumerate(keys) if k in _ELAPSED_TIME_KEYS]
    for i in order:
        unit = units[i] or _ELAPSED_TIME_KEYS.get(keys[i]) or ""
        factor = _UNIT_FACTORS["time"].get(unit)
        absolute = keys[i] in _ABSOLUTE_TIME_KEYS
        kind, values = _parse_time(frame.iloc[:, i], absolute, factor, delimiter)
        if kind != "none":
            return kind, values, str(frame.columns[i])
    return "none", None, ""


def _convert(canonical: str, values: np.ndarray, unit: str) -> np.ndarray | None:
    """Values in canonical units, or None when the unit is not one this column can have."""
    if canonical == "temperature_c" and unit == "f":
        return (values - 32.0) / 1.8
    if canonical not in _UNIT_FACTORS:
        return values
    factor = _UNIT_FACTORS[canonical].get(unit or ("m/s" if canonical == "speed_mps" else "m"))
    return None if factor is None else values * factor


def _columns(
    frame: pd.DataFrame, keys: list[str], units: list[str], delimiter: str, product: str | None
) -> tuple[dict[str, np.ndarray], list[str]]:
    """Canonical sample columns (first matching column wins), cleaned of 'no data' markers."""
    columns: dict[str, np.ndarray] = {}
    warnings: list[str] = []
    for i, key in enumerate(keys):
        if key not in _ALIASES or _ALIASES[key][0] in columns:
            continue
        canonical, implied = _ALIASES[key]
        unit = implied or units[i]
        if canonical == "speed_mps" and not unit:
            unit = _PRODUCT_SPEED_UNIT.get(product or "", "")
            if not unit:
                warnings.append(f"speed column {frame.columns[i]!r} has no unit; assumed m/s")
        values = _convert(canonical, _numeric(frame.iloc[:, i], delimiter), unit)
        if values is None:
            warnings.append(f"column {frame.columns[i]!r}: unit {unit!r} not understood; ignored")
        else:
            columns[canonical] = values
    for name, floor in (("heart_rate_bpm", 0.0), ("power_w", -0.5), ("cadence_rpm", -0.5),
                        ("speed_mps", -0.001)):
        if name in columns:  # PowerTap writes -1, Ergomo 0 for "no heart rate"
            columns[name] = np.where(columns[name] > floor, columns[name], np.nan)
    if "temperature_c" in columns and not np.any(np.nan_to_num(columns["temperature_c"])):
        del columns["temperature_c"]  # MotoACTV writes 0.0 throughout when it has no sensor
    if "lat_deg" in columns and "lon_deg" in columns:
        lat, lon = columns["lat_deg"], columns["lon_deg"]
        bad = ((lat == 0) & (lon == 0)) | (np.abs(lat) > 90) | (np.abs(lon) > 180)
        columns["lat_deg"] = np.where(bad, np.nan, lat)
        columns["lon_deg"] = np.where(bad, np.nan, lon)
    return columns, warnings


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
        pause_s = np.nan_to_num(_numeric(frame.iloc[:, keys.index("pause")], ","))
        elapsed_s = elapsed_s + np.concatenate(([0.0], np.cumsum(pause_s)[:-1]))
    if product == "iBike" and elapsed_s is None:
        config = split_fields(lines[3], ",") if len(lines) > 3 else []
        interval_s = pd.to_numeric(config[4] if len(config) > 4 else "", errors="coerce")
        interval_s = float(interval_s) if interval_s > 0 else 1.0
        elapsed_s = np.arange(len(frame), dtype="float64") * interval_s
        if "dfpmpower" in keys:
            dfpm_w = _numeric(frame.iloc[:, keys.index("dfpmpower")], ",")
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
                return datetime(*(int(g) for g in match.groups()))
            except ValueError:
                continue
    return None


def _start_in_file(lines: list[str], product: str | None) -> datetime | None:
    """Start time written in a preamble (iBike line 2, Joule ``Date/Time``), naive local time."""
    try:
        if product == "iBike":
            return datetime(*(int(f) for f in split_fields(lines[1], ",")[:6]))
        if "Date/Time" in lines[0] and len(lines) > 1:
            fields = dict(zip(split_fields(lines[0], ","), split_fields(lines[1], ",")))
            return datetime.strptime(fields["Date/Time"].split("|")[0], "%Y-%m-%d %H:%M:%S")
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return None


def _elapsed_start(raw: RawInput, lines: list[str], product: str | None) -> tuple[datetime, str]:
    start = _start_in_file(lines, product)
    if start is not None:
        return start.replace(tzinfo=UTC), WARN_LOCAL
    start = start_from_name(raw.source)
    if start is not None:
        return start.replace(tzinfo=UTC), WARN_FILE_NAME
    return FALLBACK_START, WARN_NO_DATE


def _read_series(raw: RawInput, lines: list[str], delimiter: str) -> Activity:
    """One time-series CSV as one Activity."""
    frame, units, header_row, warnings = _read_table(lines, delimiter)
    header = split_fields(lines[header_row], delimiter)
    keys = [_key(c)[0] for c in header]
    units = [_key(c)[1] or _unit(u) for c, u in zip(header, units)]
    product = _product(lines, header_row, keys)
    columns, unit_warnings = _columns(frame, keys, units, delimiter, product)
    kind, times, time_column = _time_axis(frame, keys, units, delimiter)
    elapsed_s = times if kind == "elapsed" else None
    elapsed_s = _device_fixes(frame, keys, product, elapsed_s, columns, lines)
    if kind != "absolute" and elapsed_s is None:
        raise UnsupportedFormatError(_no_time_message(header))
    if not columns:
        shown = ", ".join(header[:6])
        raise UnsupportedFormatError(f"no sample columns recognised; columns are: {shown}")
    if kind == "absolute":
        index = times
        first = str(frame[time_column].iloc[0]).strip()
        if not re.fullmatch(r"[\d.]+", first) and not re.search(r"(Z|[+-]\d\d:?\d\d)$", first):
            warnings.append("timestamps have no UTC offset; read as UTC")
    else:
        start, note = _elapsed_start(raw, lines, product)
        warnings.append(note)
        plausible_s = np.where(np.abs(elapsed_s) < 1e9, elapsed_s, np.nan)  # < 31 years
        index = pd.Timestamp(start) + pd.to_timedelta(np.round(plausible_s * 1000.0), unit="ms")
    samples, repairs = build_samples(pd.DatetimeIndex(index), columns)
    if samples.empty:
        raise EmptyFileError("no row has a readable time")
    if kind == "absolute":
        start = samples.index[0].to_pydatetime()
    if product == "RP3" or "strokerate" in keys:
        sport = "rowing"
    elif "power_w" in samples.columns or product in _BIKE_PRODUCTS:
        sport = "cycling"
    else:
        sport = "generic"
    meta = ActivityMeta(
        source=raw.source, sha256=raw.sha256, format="csv", sport=sport,
        start=start, product=product,
        warnings=tuple(warnings + unit_warnings + repairs),
    )
    return Activity(meta=meta, samples=samples)


def _fitcsv_fields(records: pd.DataFrame, width: int) -> pd.DataFrame:
    """FitCSVTool ``record`` rows (field, value, unit triples) as one column per field."""
    parts = [
        pd.DataFrame({"row": records.index, "field": records[c].to_numpy(),
                      "value": records[c + 1].to_numpy()})
        for c in range(3, width - 1, 3)
    ]
    long = pd.concat(parts).dropna(subset=["field"]).drop_duplicates(["row", "field"])
    return long.pivot(index="row", columns="field", values="value")


#: Canonical column -> (FitCSVTool field names in order of preference, scale).
_FITCSV_SOURCES: dict[str, tuple[tuple[str, ...], float]] = {
    "heart_rate_bpm": (("heart_rate",), 1.0),
    "power_w": (("power",), 1.0),
    "speed_mps": (("enhanced_speed", "speed"), 1.0),
    "cadence_rpm": (("cadence",), 1.0),
    "distance_m": (("distance",), 1.0),
    "altitude_m": (("enhanced_altitude", "altitude"), 1.0),
    "lat_deg": (("position_lat",), 180.0 / 2**31),  # semicircles
    "lon_deg": (("position_long",), 180.0 / 2**31),
    "temperature_c": (("temperature",), 1.0),
}


def _read_fitcsv_dump(raw: RawInput, lines: list[str]) -> Activity:
    """A FIT file dumped by Garmin's FitCSVTool: its ``record`` messages as samples.

    Timestamps are FIT seconds (since 1989-12-31T00:00Z); when that would put them in the future
    they are read as Unix seconds, as BSX Insight writes them (GoldenCheetah does the same).
    """
    body = pd.Series(lines[1:], dtype="object")
    body = body[body.str.startswith("Data,")]
    if body.empty:
        raise EmptyFileError("a FitCSVTool dump without data messages")
    width = int(_field_counts(body, ",").max())
    frame = _parse_rows(body, names=list(range(width))).replace("", np.nan)
    sessions = frame[frame[2] == "session"]
    if len(sessions) > 1:
        raise UnsupportedFormatError(
            f"a FIT file dumped to CSV by FitCSVTool with {len(sessions)} sessions (multisport); "
            "read the original .fit file instead"
        )
    records = frame[frame[2] == "record"]
    wide = _fitcsv_fields(records, width) if len(records) else pd.DataFrame()
    if "timestamp" not in wide.columns:
        raise UnsupportedFormatError("a FitCSVTool dump without timestamped record messages")
    numbers = wide.apply(pd.to_numeric, errors="coerce").astype("float64")
    warnings: list[str] = []
    seconds = numbers["timestamp"].where(numbers["timestamp"].abs() < 1e10) + _FIT_EPOCH_S
    if seconds.max() > (datetime.now(UTC) + timedelta(days=1)).timestamp():
        seconds = seconds - _FIT_EPOCH_S
        warnings.append("record timestamps are Unix time, not FIT time; read as Unix time")
    columns: dict[str, np.ndarray] = {}
    for canonical, (names, scale) in _FITCSV_SOURCES.items():
        name = next((n for n in names if n in numbers.columns), None)
        if name is not None:
            values = numbers[name].to_numpy(dtype="float64")
            in_degrees = np.nanmax(np.abs(values), initial=0.0) <= 180.0  # FitCSVTool -deg
            columns[canonical] = values if in_degrees and scale != 1.0 else values * scale
    samples, repairs = build_samples(pd.to_datetime(seconds.to_numpy(), unit="s"), columns)
    if samples.empty:
        raise EmptyFileError("no record message has a timestamp")
    meta = ActivityMeta(source=raw.source, sha256=raw.sha256, format="csv",
                        sport=_fitcsv_sport(sessions), start=samples.index[0].to_pydatetime(),
                        warnings=tuple(warnings + repairs))
    return Activity(meta=meta, samples=samples)


def _fitcsv_sport(sessions: pd.DataFrame) -> str:
    """The ``sport`` field of the (single) session message as a FIT sport name."""
    if sessions.empty:
        return "generic"
    row = sessions.iloc[0].tolist()
    value = next((str(row[i + 1]) for i in range(3, len(row) - 1, 3) if row[i] == "sport"), "")
    return _FIT_SPORTS.get(value, "generic") if value.isdigit() or not value else value
