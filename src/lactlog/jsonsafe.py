"""JSON-safe values: the one rule by which results become JSON (``--json`` documents, cache
fingerprints)."""

from __future__ import annotations

import math
from dataclasses import fields
from datetime import date, datetime
from typing import Any


def clean(value: Any) -> Any:
    """Make a value JSON-safe: NaN/inf -> None, datetimes -> ISO 8601, tuples -> lists,
    dataclasses -> dicts of their fields (as :func:`dataclasses.asdict`, without its deep copy:
    a 3,605-workout export's JSON took 11 s through ``asdict``)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, (str, int)):
        return value
    if isinstance(value, datetime):  # pandas Timestamps too
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if hasattr(type(value), "__dataclass_fields__"):
        return {name: clean(getattr(value, name)) for name in field_names(type(value))}
    if hasattr(value, "item"):  # numpy scalar
        return clean(value.item())
    return value


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def field_names(kind: type) -> tuple[str, ...]:
    """A dataclass's field names, in order (looked up once per class)."""
    names = _FIELD_NAMES.get(kind)
    if names is None:
        names = _FIELD_NAMES[kind] = tuple(f.name for f in fields(kind))
    return names
