"""CSV text helpers the CSV readers share: decoding, delimiter, fields, pandas' parser.

Used by :mod:`lactlog.io.csvfile` (time series), :mod:`lactlog.io.fitcsv` (FitCSVTool dumps) and
:mod:`lactlog.io.strength_csv` (strength-app logs).
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from collections.abc import Iterator

import pandas as pd

from lactlog.errors import CorruptFileError

_QUOTED = r'"[^"]*"'
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
#: Longest CSV line read [characters]. Real exports stay under a few thousand; a longer line
#: (one 30 MB line of fields) would cost memory and time per field, so such a file is refused.
MAX_LINE_CHARS = 100_000
#: Characters split into lines at a time: whatever the file holds, one chunk is at most 256 Ki
#: lines (2 MiB of list; short strings on top, and what a reader derives from them).
CHUNK_CHARS = 2**18
#: Cells a table may have beyond one per character (:func:`check_cells`): 32 MiB of pointers.
SPARE_CELLS = 2**22


def decode_text(data: bytes) -> str:
    """Decode CSV bytes: UTF-8 (a BOM is dropped), else Latin-1 (which never fails)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def line_chunks(text: str) -> Iterator[list[str]]:
    """The lines of ``text`` as ``re.split(r"\\r\\n|\\r|\\n", text)`` gives them (the last is ""
    when the text ends with a line break), in lists of the lines of about :data:`CHUNK_CHARS`
    characters each, so that a file of millions of short lines never becomes one list.

    Raises
    ------
    CorruptFileError
        At the first line longer than :data:`MAX_LINE_CHARS`.
    """
    start, number = 0, 1
    while True:
        cut = start + CHUNK_CHARS
        # from cut - 1, so that a chunk never ends between the \r and the \n of one line break
        found = _LINE_BREAK.search(text, cut - 1) if cut < len(text) else None
        end = found.end() if found else len(text)
        lines = _LINE_BREAK.split(text[start:end])
        if found:
            del lines[-1]  # the "" after the chunk's last line break; the next chunk goes on
        longest = max(map(len, lines))
        if longest > MAX_LINE_CHARS:
            index = next(i for i, line in enumerate(lines) if len(line) > MAX_LINE_CHARS)
            raise CorruptFileError(
                f"line {number + index:,} is {len(lines[index]):,} characters long; lactlog "
                f"reads CSV lines of up to {MAX_LINE_CHARS:,} characters"
            )
        yield lines
        if found is None:
            return
        start, number = end, number + len(lines)


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
    each (for wide tables: pandas' cost per column). The parser reads the text's UTF-8 bytes, as
    it would a StringIO's (which cost 3 bytes more per character: 30 MB of text, +92 MB).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pd.errors.ParserWarning)
        return pd.read_csv(io.BytesIO(text.encode("utf-8")), encoding="utf-8", index_col=False,
                           keep_default_na=False, engine="c", **{"dtype": str, **options})


def check_cells(text: str, n_columns: int) -> None:
    """Refuse a table of more cells (its rows × ``n_columns``) than characters + 4 Mi.

    pandas pads a short row to the table's width, 8 bytes or more per cell. In a real export each
    cell takes a character at least (its delimiter), and a damaged wide header over a few rows
    fits in the 4 Mi spare cells; a header followed by millions of 1-character lines would be a
    multiple of the file's size without bound.

    Raises
    ------
    CorruptFileError
        Rows (lines, the last one with or without its line break) × ``n_columns`` above that.
    """
    n_rows = text.count("\n") + text.count("\r") - text.count("\r\n")
    n_rows += not text.endswith(("\n", "\r"))
    if n_rows * n_columns > len(text) + SPARE_CELLS:
        raise CorruptFileError(
            f"{n_rows:,} rows of {n_columns:,} columns ({n_rows * n_columns:,} cells) in "
            f"{len(text):,} characters: most rows have far fewer fields than the table; "
            f"lactlog reads tables of at most one cell per character + {SPARE_CELLS:,}"
        )
