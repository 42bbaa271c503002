"""Machine-readable output: one JSON document, NDJSON (one object per line) or a flat CSV table.

All three are built from the same JSON-safe records (see :mod:`lactlog.report.jsondoc`), so the
fields and units are identical; none contains Rich markup.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from enum import Enum
from typing import Any, TextIO

from lactlog.report.jsondoc import SCHEMA_VERSION


class OutputFormat(str, Enum):
    """How a command prints its result."""

    table = "table"
    json = "json"
    ndjson = "ndjson"
    csv = "csv"


def write_json(document: Mapping[str, Any], stream: TextIO) -> None:
    """The whole result as one JSON document."""
    stream.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def write_ndjson(records: Iterable[tuple[str, Mapping[str, Any]]], stream: TextIO) -> None:
    """One JSON object per line, each tagged with its ``kind`` and the ``schema_version``."""
    for kind, record in records:
        line = {"kind": kind, "schema_version": SCHEMA_VERSION, **record}
        stream.write(json.dumps(line, ensure_ascii=False) + "\n")


def flatten(record: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested dicts become dotted columns; lists become JSON text in one column."""
    flat: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{name}."))
        elif isinstance(value, list):
            flat[name] = json.dumps(value, ensure_ascii=False)
        else:
            flat[name] = value
    return flat


def write_csv(records: Iterable[Mapping[str, Any]], stream: TextIO) -> None:
    """A flat table with one row per record; the header is the union of all columns."""
    import csv  # only for --csv: the other formats start without it

    rows = [flatten(r) for r in records]
    columns: list[str] = []
    for row in rows:
        columns.extend(c for c in row if c not in columns)
    writer = csv.DictWriter(stream, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: "" if row.get(c) is None else row.get(c) for c in columns})
