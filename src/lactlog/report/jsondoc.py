"""JSON documents for ``--json`` output: SI units, unit-suffixed keys, ``null`` never NaN."""

from __future__ import annotations

import math
from dataclasses import asdict
from datetime import datetime, timedelta, timezone
from typing import Any

from lactlog.analysis.session import SessionSummary
from lactlog.batch import BatchResult

#: Version of the JSON output layout; bumped on incompatible changes.
SCHEMA_VERSION = "1.0"


def clean(value: Any) -> Any:
    """Make a value JSON-safe: NaN/inf -> None, datetimes -> ISO 8601, tuples -> lists."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if hasattr(value, "item"):  # numpy scalar
        return clean(value.item())
    return value


def local_start(summary: SessionSummary) -> datetime | None:
    """Session start in the athlete's local time (file's UTC offset, else this machine's zone)."""
    if summary.start is None:
        return None
    if summary.utc_offset_s is not None:
        return summary.start.astimezone(timezone(timedelta(seconds=summary.utc_offset_s)))
    return summary.start.astimezone()


def session_dict(summary: SessionSummary) -> dict[str, Any]:
    data = asdict(summary)
    data["start_local"] = local_start(summary)
    return clean(data)


def analyze_document(result: BatchResult) -> dict[str, Any]:
    """The ``lactlog analyze --json`` document."""
    return {
        "schema_version": SCHEMA_VERSION,
        "sessions": [session_dict(s) for s in result.sessions],
        "errors": [{"source": e.source, "error": e.error} for e in result.errors],
    }
