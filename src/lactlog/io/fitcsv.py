"""FitCSVTool dumps: a FIT file written to CSV by Garmin's FitCSVTool (``Type,Local Number,
Message,...``, e.g. BSX Insight exports), read from its ``record`` rows.

A dump of a multi-session (multisport) file raises :class:`UnsupportedFormatError`: the original
``.fit`` file should be read instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from lactlog.errors import CorruptFileError, EmptyFileError, UnsupportedFormatError
from lactlog.io.common import RawInput, build_samples
from lactlog.io.csvtext import check_cells, field_counts, parse_table
from lactlog.model import Activity, ActivityMeta

_FIT_EPOCH_S = 631065600  # 1989-12-31T00:00Z in Unix seconds (FIT SDK)
_FIT_SPORTS = {"0": "generic", "1": "running", "2": "cycling", "5": "swimming", "15": "rowing"}
_HEADER_START = "Type,Local Number,Message"
#: Most fields one FIT message holds: 255 fields and 255 developer fields (one byte counts
#: each in a definition message, FIT SDK), doubled for expanded components.
MAX_MESSAGE_FIELDS = 1020
#: Most CSV fields of a dump line: type, local number, message, then name, value and unit of
#: each field, and FitCSVTool's trailing comma. The reader's cost grows with the widest line
#: (a 90 kB dump of 30,000-field lines took 11 s), so wider lines are refused.
MAX_DUMP_FIELDS = 3 + 3 * MAX_MESSAGE_FIELDS + 1


def is_fitcsv_dump(first_line: str) -> bool:
    """Whether a CSV's first line is FitCSVTool's header."""
    return first_line.startswith(_HEADER_START)


#: Canonical column -> (FitCSVTool field names in order of preference, scale).
_SOURCES: dict[str, tuple[tuple[str, ...], float]] = {
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


def read_fitcsv_dump(raw: RawInput, chunks: Iterable[list[str]]) -> Activity:
    """A FIT file dumped by Garmin's FitCSVTool: its ``record`` messages as samples.

    Timestamps are FIT seconds (since 1989-12-31T00:00Z); when that would put them in the future
    they are read as Unix seconds, as BSX Insight writes them (GoldenCheetah does the same).
    ``chunks`` are the file's lines (:func:`~lactlog.io.csvtext.line_chunks`).
    """
    text, width, widest_line = _data_lines(chunks)
    if not text:
        raise EmptyFileError("a FitCSVTool dump without data messages")
    if width > MAX_DUMP_FIELDS:
        raise CorruptFileError(
            f"line {widest_line:,} of the FitCSVTool dump has {width:,} fields; "
            f"a FIT message has at most {MAX_MESSAGE_FIELDS:,} ({MAX_DUMP_FIELDS:,} CSV fields)"
        )
    check_cells(text, width)  # pandas pads every line to the widest
    frame = parse_table(text, header=None, names=list(range(width)), dtype=object)
    sessions = frame[frame[2] == "session"]
    if len(sessions) > 1:
        raise UnsupportedFormatError(
            f"a FIT file dumped to CSV by FitCSVTool with {len(sessions)} sessions (multisport); "
            "read the original .fit file instead"
        )
    records = frame[frame[2] == "record"]
    wide = _record_fields(records, width) if len(records) else pd.DataFrame()
    if "timestamp" not in wide.columns:
        raise UnsupportedFormatError("a FitCSVTool dump without timestamped record messages")
    used = [name for name in ("timestamp", *(n for names, _ in _SOURCES.values() for n in names))
            if name in wide.columns]
    numbers = wide[used].apply(pd.to_numeric, errors="coerce").astype("float64")
    warnings: list[str] = []
    seconds = numbers["timestamp"].where(numbers["timestamp"].abs() < 1e10) + _FIT_EPOCH_S
    if seconds.max() > (datetime.now(UTC) + timedelta(days=1)).timestamp():
        seconds = seconds - _FIT_EPOCH_S
        warnings.append("record timestamps are Unix time, not FIT time; read as Unix time")
    columns: dict[str, np.ndarray] = {}
    for canonical, (names, scale) in _SOURCES.items():
        name = next((n for n in names if n in numbers.columns), None)
        if name is not None:
            values = numbers[name].to_numpy(dtype="float64")
            in_degrees = np.nanmax(np.abs(values), initial=0.0) <= 180.0  # FitCSVTool -deg
            columns[canonical] = values if in_degrees and scale != 1.0 else values * scale
    samples, repairs = build_samples(pd.to_datetime(seconds.to_numpy(), unit="s"), columns)
    if samples.empty:
        raise EmptyFileError("no record message has a timestamp")
    start = samples.index[0].to_pydatetime(warn=False)  # sub-µs digits: datetime has none
    meta = ActivityMeta(source=raw.source, sha256=raw.sha256, format="csv",
                        sport=_session_sport(sessions), start=start,
                        warnings=tuple(warnings + repairs))
    return Activity(meta=meta, samples=samples)


def _data_lines(chunks: Iterable[list[str]]) -> tuple[str, int, int]:
    """The ``Data`` lines joined by line breaks (taken chunk by chunk, so that other lines never
    add up in memory), the most fields of one, and the number of the first line that has them."""
    parts: list[str] = []
    width = widest_line = 0
    number = 1
    for lines in chunks:
        body = pd.Series(lines, index=pd.RangeIndex(number, number + len(lines)), dtype="object")
        number += len(lines)
        body = body[body.str.startswith("Data,")]
        if body.empty:
            continue
        counts = field_counts(body, ",")
        if int(counts.max()) > width:
            width, widest_line = int(counts.max()), int(counts.idxmax())
        parts.append("\n".join(body))
    return "\n".join(parts), width, widest_line


def _record_fields(records: pd.DataFrame, width: int) -> pd.DataFrame:
    """FitCSVTool ``record`` rows (field, value, unit triples) as one column per field (the
    first value of a field named twice in a row; cells of unnamed fields are ignored)."""
    triples = (width - 3) // 3
    cells = records.iloc[:, 3:3 + 3 * triples].to_numpy(dtype=object).reshape(len(records),
                                                                              triples, 3)
    names, values = cells[:, :, 0].ravel(), cells[:, :, 1].ravel()
    rows = np.repeat(records.index.to_numpy(), triples)
    named = names != ""
    long = pd.DataFrame({"row": rows[named], "field": names[named], "value": values[named]})
    long = long.drop_duplicates(["row", "field"])
    return long.pivot(index="row", columns="field", values="value")


def _session_sport(sessions: pd.DataFrame) -> str:
    """The ``sport`` field of the (single) session message as a FIT sport name."""
    if sessions.empty:
        return "generic"
    row = sessions.iloc[0].tolist()
    value = next((str(row[i + 1]) for i in range(3, len(row) - 1, 3) if row[i] == "sport"), "")
    return _FIT_SPORTS.get(value, "generic") if value.isdigit() or not value else value
