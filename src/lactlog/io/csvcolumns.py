"""What the columns of a time-series CSV mean: names, units, the time axis, sample values.

Names are matched case-, space- and punctuation-insensitively (``Hrate``, ``Heart Rate``,
``PULS``, ``Km/h``, ``Speed (mph)``, ``HÖHE`` ...); units come from the name (``Km/h``, ``Km``,
``Minutes``), a parenthesis (``Distance (miles)``) or a unit row under the header. Values are
converted to the canonical columns of :data:`~lactlog.model.SAMPLE_COLUMNS` in SI units.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd


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


def column_key(name: str) -> tuple[str, str]:
    """Normalise a column name into (key, unit): ``"Speed (mph)"`` -> ``("speed", "mph")``."""
    match = re.match(r"^(.*?)\s*[(\[]([^)\]]*)[)\]]\s*$", name)
    base, unit = (match.group(1), match.group(2)) if match else (name, "")
    if not unit and "," in base:  # Joule style "Weight, kg"
        base, unit = base.split(",", 1)
    base = base.lower().replace("ö", "oe").replace("ä", "ae").replace("ü", "ue")
    return re.sub(r"[^a-z0-9]", "", base), normalise_unit(unit)


def normalise_unit(text: str) -> str:
    """A unit as written (``"Km/h"``, ``"°F"``) in the lower-case form the tables use."""
    unit = re.sub(r"[^a-z0-9/°]", "", text.lower())
    return {"°f": "f", "degf": "f", "°c": "c", "degc": "c"}.get(unit, unit)


def header_score(fields: list[str]) -> int:
    """How many of a candidate header row's fields are recognised column names."""
    keys = [column_key(f)[0] for f in fields]
    return sum(k in _ALIASES or k in _ELAPSED_TIME_KEYS or k in _ABSOLUTE_TIME_KEYS for k in keys)


def numeric(values: pd.Series, delimiter: str) -> np.ndarray:
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
    numbers = pd.Series(numeric(values, delimiter))
    if numbers.notna().sum() >= 0.9 * filled:
        median = float(numbers.median())
        if (absolute or factor is None) and median > 1e8:
            unit = "ms" if median > 1e11 else "s"
            # beyond ±9.2e9 s pandas cannot hold the time (NaT); build_samples drops times
            # outside 1980-2099 with a warning
            plausible = numbers.where(numbers.abs() < (9.2e12 if unit == "ms" else 9.2e9))
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


def time_axis(
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


def sample_columns(
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
        values = _convert(canonical, numeric(frame.iloc[:, i], delimiter), unit)
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
