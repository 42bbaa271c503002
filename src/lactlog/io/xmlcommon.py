"""XML helpers the TCX and GPX readers share: safe parsing, local tag names, track points.

Both formats are read with :mod:`xml.etree.ElementTree` and matched on *local* tag names only,
because files in the wild use several namespace URIs and prefixes. :func:`walk_points` collects
the track points' times and numbers in one pass; :func:`build_activity` turns them into an
:class:`~lactlog.model.Activity`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from pyexpat import ErrorString

import numpy as np
import pandas as pd

from lactlog.errors import CorruptFileError, UnsupportedFormatError
from lactlog.io.common import RawInput, build_samples
from lactlog.model import Activity, ActivityMeta

_BOM_AND_SPACE = b"\xef\xbb\xbf \t\r\n"
_DTD_DECLARATION = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_UTC_OFFSET = re.compile(r"([+-])(\d{2}):?(\d{2})\s*$")
#: Why documents declaring entities are refused (shared by every XML reader).
ENTITIES_REFUSED = (
    "lactlog refuses those (real exports never have one, and entities can expand without bound)"
)

#: Slot code of the time element in a field map passed to :func:`walk_points`.
TIME_SLOT = -2

#: Device-name prefixes that identify the maker, with the FIT profile's manufacturer name.
_MANUFACTURER_PREFIXES: dict[str, tuple[str, ...]] = {
    "garmin": ("garmin", "edge", "forerunner", "fenix", "fēnix", "epix", "vivoactive", "venu"),
    "polar_electro": ("polar",),
    "suunto": ("suunto",),
    "wahoo_fitness": ("wahoo",),
    "coros": ("coros",),
}


def parse_xml(raw: RawInput, format_name: str, root_name: str) -> ET.Element:
    """Parse the whole document and return its root element, which must be named ``root_name``.

    Leading whitespace and a UTF-8 byte-order mark are stripped first (some Polar exports have
    them before the XML declaration). Documents with a DOCTYPE or ENTITY declaration are refused:
    neither format needs one, and entity expansion is the classic "XML bomb".

    Raises
    ------
    UnsupportedFormatError
        The document declares a DOCTYPE or entities, or its root is not ``<root_name>``.
    CorruptFileError
        The XML is not well-formed (message gives line and column as counted in the file).
    """
    root = _parse_body(raw, format_name)
    if local_name(root.tag) != root_name:
        raise UnsupportedFormatError(
            f"XML root is <{local_name(root.tag)}>, not a {format_name} <{root_name}>"
        )
    return root


def _parse_body(raw: RawInput, format_name: str) -> ET.Element:
    """The document's root element; errors as described in :func:`parse_xml`."""
    body = raw.data.lstrip(_BOM_AND_SPACE)
    skipped = raw.data[: len(raw.data) - len(body)]
    if _DTD_DECLARATION.search(body):
        raise UnsupportedFormatError(
            f"{format_name} file with a DOCTYPE/ENTITY declaration; {ENTITIES_REFUSED}"
        )
    try:
        return ET.fromstring(body)
    except ET.ParseError as exc:
        line, column = exc.position
        if line == 1:
            column += len(skipped) - (skipped.rfind(b"\n") + 1)
        line += skipped.count(b"\n")
        reason = ErrorString(exc.code) if isinstance(exc.code, int) else str(exc)
        raise CorruptFileError(
            f"malformed {format_name} XML at line {line}, column {column + 1} ({reason})"
        ) from None
    except (ValueError, LookupError, UnicodeError) as exc:
        raise CorruptFileError(f"unreadable {format_name} XML ({exc})") from None


def local_name(tag: object) -> str:
    """The tag without its ``{namespace}`` part (empty for comments/processing instructions)."""
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def children(element: ET.Element, name: str) -> Iterator[ET.Element]:
    """Direct children of ``element`` whose local tag name is ``name``."""
    return (child for child in element if local_name(child.tag) == name)


def first_child(element: ET.Element | None, name: str) -> ET.Element | None:
    """The first direct child named ``name`` (local name), or None."""
    if element is None:
        return None
    return next(children(element, name), None)


def child_text(element: ET.Element | None, name: str) -> str | None:
    """Text of the first direct child named ``name``, or None."""
    child = first_child(element, name)
    return child.text if child is not None else None


def to_float(text: str | None) -> float:
    """Parse a number; NaN for missing, unparsable or non-finite text."""
    if text is None:
        return float("nan")
    try:
        value = float(text)
    except ValueError:
        return float("nan")
    return value if value - value == 0.0 else float("nan")


def walk_points(
    points: Iterable[ET.Element],
    field_slots: Mapping[str, int],
    n_slots: int,
    attribute_slots: Mapping[str, int] | None = None,
) -> tuple[list[str | None], np.ndarray]:
    """Collect time strings and numeric fields of track points in one pass.

    ``field_slots`` maps a descendant's local tag name to a column slot (or :data:`TIME_SLOT`);
    ``attribute_slots`` maps attributes of the point itself to slots. Returns the time strings
    (None where absent) and an ``(n_points, n_slots)`` float array with NaN for missing values.
    """
    slot_by_tag: dict[object, int] = {}
    times: list[str | None] = []
    rows: list[list[float]] = []
    nan = float("nan")
    for point in points:
        row = [nan] * n_slots
        time_text: str | None = None
        for element in point.iter():
            tag = element.tag
            slot = slot_by_tag.get(tag)
            if slot is None:
                slot = slot_by_tag[tag] = field_slots.get(local_name(tag), -1)
            if slot >= 0:
                row[slot] = to_float(element.text)
            elif slot == TIME_SLOT:
                time_text = element.text
        for attribute, slot in (attribute_slots or {}).items():
            row[slot] = to_float(point.get(attribute))
        times.append(time_text.strip() if time_text else None)
        rows.append(row)
    values = np.array(rows, dtype="float64").reshape(len(rows), n_slots)
    return times, values


def parse_utc_times(strings: list[str | None]) -> pd.DatetimeIndex:
    """ISO 8601 strings to a UTC index (ns); NaT where missing, unparsable or out of range.

    Strings without an offset are read as UTC.
    """
    index = pd.to_datetime(
        pd.Index(strings, dtype=object), utc=True, format="ISO8601", errors="coerce"
    )
    index = pd.DatetimeIndex(index)
    in_range = (index >= pd.Timestamp.min.tz_localize("UTC")) & (
        index <= pd.Timestamp.max.tz_localize("UTC")
    )
    return index.where(in_range).as_unit("ns")


def describe_offsets(strings: list[str | None]) -> tuple[int | None, bool]:
    """The first explicit non-``Z`` UTC offset [s] in the strings, and whether times are naive.

    "Naive" means the first time string has neither ``Z`` nor an offset.
    """
    offset_s: int | None = None
    naive: bool | None = None
    for text in strings:
        if not text:
            continue
        if text.endswith(("Z", "z")):
            naive = False if naive is None else naive
            continue
        match = _UTC_OFFSET.search(text.partition("T")[2])
        if naive is None:
            naive = match is None
        if match is not None:
            sign = -1 if match.group(1) == "-" else 1
            seconds = int(match.group(2)) * 3600 + int(match.group(3)) * 60
            if seconds <= 18 * 3600:
                offset_s = sign * seconds
                break
    return offset_s, bool(naive)


def manufacturer_from_name(name: str | None) -> str | None:
    """FIT manufacturer name when the device/creator name clearly identifies it, else None."""
    lowered = (name or "").strip().lower()
    for manufacturer, prefixes in _MANUFACTURER_PREFIXES.items():
        if lowered.startswith(prefixes):
            return manufacturer
    return None


def build_activity(
    meta: ActivityMeta,
    times: list[str | None],
    columns: Mapping[str, np.ndarray],
) -> Activity | None:
    """Turn collected points into an Activity; None when no point has a usable time.

    ``meta`` supplies source, format, sport, product...; start, UTC offset and warnings are
    filled in here. Only columns with at least one value are kept.
    """
    index = parse_utc_times(times)
    timed = int(index.notna().sum())
    if timed == 0:
        return None
    present = {name: values for name, values in columns.items() if np.isfinite(values).any()}
    samples, repairs = build_samples(index, present)
    offset_s, naive = describe_offsets(times)
    warnings: list[str] = []
    if timed < len(times):
        warnings.append(f"{len(times) - timed:,} track points without a readable time were dropped")
    if naive:
        warnings.append("times carry no UTC offset; they were read as UTC")
    warnings.extend(repairs)
    meta = replace(
        meta,
        start=samples.index[0].to_pydatetime(warn=False),
        utc_offset_s=offset_s,
        warnings=tuple(warnings),
    )
    return Activity(meta=meta, samples=samples)
