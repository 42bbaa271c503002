"""CSV text helpers the CSV readers share: decoding, delimiter, fields, pandas' parser.

Used by :mod:`lactlog.io.csvfile` (time series), :mod:`lactlog.io.fitcsv` (FitCSVTool dumps) and
:mod:`lactlog.io.strength_csv` (strength-app logs).
"""

from __future__ import annotations

import csv
import io
import re
import warnings

import pandas as pd

_QUOTED = r'"[^"]*"'


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
    bare = re.sub(_QUOTED, "", header)
    counts = {d: bare.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def split_fields(line: str, delimiter: str) -> list[str]:
    """Split one CSV line into stripped, unquoted fields."""
    return [f.strip() for f in next(csv.reader([line], delimiter=delimiter), [])]


def field_counts(lines: pd.Series, delimiter: str) -> pd.Series:
    """Fields per line, not counting delimiters inside double quotes."""
    counts = lines.str.count(re.escape(delimiter)) + 1
    quoted = lines.str.contains('"', regex=False)
    if quoted.any():
        bare = lines[quoted].str.replace(_QUOTED, "", regex=True)
        counts[quoted] = bare.str.count(re.escape(delimiter)) + 1
    return counts


def parse_table(text: str, **options: object) -> pd.DataFrame:
    """pandas' C parser over CSV text, all cells as text ("" when empty).

    Rows were counted beforehand (or short rows are wanted padded); where pandas sees fewer fields
    than columns it pads them, so its ParserWarning about that is silenced. ``dtype=object``
    among ``options`` gives the text as Python strings in one block instead of a string column
    each (for wide tables: pandas' cost per column).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pd.errors.ParserWarning)
        return pd.read_csv(io.StringIO(text), index_col=False, keep_default_na=False,
                           engine="c", **{"dtype": str, **options})
