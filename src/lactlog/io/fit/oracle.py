"""fitparse as an alternative FIT decoder (``--decoder fitparse``) and the tests' oracle.

It produces the same :data:`~lactlog.io.fit.decode.FitMessages` columns as lactlog's columnar
decoder, so everything after decoding is shared. fitparse decodes record by record in Python
(roughly 5–15 k records/s), which is why it is not the default.
"""

from __future__ import annotations

import io
import warnings as warnings_module
from typing import Any, SupportsFloat

import numpy as np

from lactlog.errors import CorruptFileError
from lactlog.io.fit.decode import (
    CRC_MISMATCH,
    FOLLOWING_RECORD_TIME,
    PRECEDING_RECORD_TIME,
    WANTED_MESSAGES,
    Columns,
    DecodedFit,
    FitMessages,
)


def decode_with_fitparse(data: bytes, wanted: tuple[str, ...] = WANTED_MESSAGES) -> DecodedFit:
    """Decode with fitparse; a failure mid-file keeps the messages read before it."""
    from fitparse.utils import FitCRCError  # python-fitparse has no top-level FitCRCError

    with warnings_module.catch_warnings(record=True) as caught:
        warnings_module.simplefilter("always")
        try:
            # check_crc=True even though a bad CRC is only a warning for lactlog: with
            # check_crc=False fitparse 2.x leaves the CRC bytes unread and so cannot read
            # chained files. On a mismatch, read again without the check.
            decoded = _collect(data, wanted, check_crc=True)
        except FitCRCError:
            decoded = _collect(data, wanted, check_crc=False)
            decoded.warnings.insert(0, CRC_MISMATCH)
    decoded.warnings.extend(str(w.message) for w in caught)
    return decoded


def _collect(data: bytes, wanted: tuple[str, ...], check_crc: bool) -> DecodedFit:
    import fitparse
    from fitparse.utils import FitCRCError, FitParseError

    rows: dict[str, list[dict[str, object]]] = {name: [] for name in wanted}
    notes: list[str] = []
    n_records = 0
    stopped_early = False
    record_time = None  # timestamp of the last record so far, for hrv messages
    waiting: list[dict[str, object]] = []  # hrv messages that wait for the next record
    try:  # FitFile reads the header: a bad one is a FitParseError (FitHeaderError) too
        fit = fitparse.FitFile(io.BytesIO(data), check_crc=check_crc, check_developer_data=False)
        for message in _fitparse_messages(fit):
            n_records += 1
            if message.type == "data" and message.name in rows:
                values = _message_values(message)
                if message.name == "record" and isinstance(values.get("timestamp"), int):
                    record_time = values["timestamp"]
                    for hrv in waiting:
                        hrv[FOLLOWING_RECORD_TIME] = record_time
                    waiting.clear()
                elif message.name == "hrv":
                    values[PRECEDING_RECORD_TIME] = record_time
                    values[FOLLOWING_RECORD_TIME] = None
                    waiting.append(values)
                rows[message.name].append(values)
    except FitCRCError:
        raise
    except FitParseError as exc:
        if n_records == 0:
            raise CorruptFileError(f"fitparse cannot read it: {exc}") from None
        notes.append(f"fitparse stopped: {exc}; {n_records:,} records read")
        stopped_early = True
    messages: FitMessages = {name: _to_columns(r) for name, r in rows.items() if r}
    return DecodedFit(messages, notes, n_records, stopped_early)


def _fitparse_messages(fit):
    """fitparse's messages; an error of fitparse's own code on damaged input (e.g. an
    AttributeError on a field of unknown base type) becomes a ``FitParseError``, so it reads as
    damage to the file, like the errors fitparse raises on purpose."""
    from fitparse.utils import FitParseError

    messages = fit.get_messages(with_definitions=True)
    while True:
        try:
            message = next(messages)
        except StopIteration:
            return
        except FitParseError:
            raise
        except Exception as exc:  # inside fitparse (a bug of its own), not lactlog
            raise FitParseError(f"{type(exc).__name__}: {exc}") from exc
        yield message


def _message_values(message) -> dict[str, object]:
    """Field values of one fitparse message, keyed by main field name, lactlog's conventions.

    Explicit fields win over values unpacked from another field's components, unless missing.
    Several components with one target (``hr.event_timestamp_12``) make a tuple, in order.
    """
    explicit: dict[str, object] = {}
    components: dict[str, object] = {}
    repeated: set[str] = set()
    for field_data in message.fields:
        field_def = field_data.field_def
        if field_data.field is None or field_data.field.field_type == "devfield":
            continue  # unknown or developer field
        if field_def is not None and field_def.base_type.name == "byte":
            continue  # opaque bytes: only their components are used
        main = field_data.parent_field or field_data.field
        is_component = field_def is None and main.name != "timestamp"
        value = _value(field_data, main)
        if is_component and main.name in components:
            earlier: Any = components[main.name]
            if main.name not in repeated:
                earlier = (earlier,)
                repeated.add(main.name)
            value = (*earlier, value)
        (components if is_component else explicit)[main.name] = value
    for name, value in components.items():
        if explicit.get(name) is None:
            explicit[name] = value
    return explicit


def _is_number(value: object) -> bool:
    if isinstance(value, tuple):
        return all(v is None or isinstance(v, (int, float)) for v in value)
    return isinstance(value, (int, float))


def _value(field_data, main) -> object:
    """fitparse's value as lactlog stores it: numbers scaled, enums and times as raw codes.

    Sub-fields are scaled like their main field, as lactlog's decoder does.
    """
    raw, value = field_data.raw_value, field_data.value
    if isinstance(raw, (bytes, str)) or raw is None:
        return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    if field_data.parent_field is None and _is_number(value):
        return value
    if field_data.parent_field is None:
        return raw  # enum name, date/time: keep the code
    scale, offset = float(main.scale or 1), float(main.offset or 0)
    if isinstance(raw, tuple):
        return tuple(None if r is None else r / scale - offset for r in raw)
    return raw / scale - offset


def _to_columns(rows: list[dict[str, object]]) -> Columns:
    names: list[str] = []
    for row in rows:
        names.extend(n for n in row if n not in names)
    columns: Columns = {}
    for name in names:
        values = [row.get(name) for row in rows]
        sample = next((v for v in values if v is not None), None)
        if isinstance(sample, str):
            columns[name] = np.array(values, dtype=object)
        elif any(isinstance(v, tuple) for v in values):  # array field (some one-value rows)
            rows_ = [v if isinstance(v, tuple) else (v,) for v in values]
            width = max(len(v) for v in rows_)
            columns[name] = np.array(
                [[_number(x) for x in v] + [np.nan] * (width - len(v)) for v in rows_]
            )
        else:
            columns[name] = np.array([_number(v) for v in values])
    return columns


def _number(value: object) -> float:
    """A numeric value as float; NaN for None, text and bytes."""
    if type(value) is float or type(value) is int:  # the common case: no Protocol isinstance
        return float(value)
    if value is None or isinstance(value, (str, bytes, tuple)) or not isinstance(value, SupportsFloat):
        return np.nan
    return float(value)

