"""Write FIT messages by profile name with physical values (on top of :class:`FitWriter`).

Global message numbers, field numbers, base types, scales, offsets and enum values come from
``fitparse.profile`` (imported lazily), never from retyped constants.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from functools import cache
from typing import Any

from lactlog.testing.fitwriter import (
    BASE_TYPE_IDS,
    BASE_TYPES,
    DeveloperFieldDefinition,
    FieldDefinition,
    FitWriter,
    to_fit_time,
)


class ProfileEncoder:
    """Writes messages by profile name with physical values, through a :class:`FitWriter`.

    Values are converted with the profile's scale and offset (raw = (value + offset) × scale,
    rounded for integer types), enum names are looked up in the field's type, datetimes become
    FIT seconds, lists become array fields, ``None``/NaN the invalid value. Each message name
    gets its own local message number; it is re-defined when the set of fields changes.
    """

    def __init__(self, writer: FitWriter | None = None) -> None:
        self.writer = writer or FitWriter()
        self._locals: dict[str, int] = {}
        self._layouts: dict[int, tuple[Any, ...]] = {}
        self._developer_indices: set[int] = set()

    def message(
        self,
        name: str,
        values: Mapping[str, Any],
        developer_values: Mapping[DeveloperFieldDefinition, Any] | None = None,
    ) -> None:
        """Write one ``name`` message (e.g. ``"record"``) with fields given by profile name."""
        mesg = _message_type(name)
        fields = [profile_field(name, key) for key in values]
        raw = [_to_raw(field, value) for field, value in zip(fields, values.values())]
        defs = tuple(
            FieldDefinition(
                field.def_num,
                _base_type_of(field).identifier,
                _field_size(_base_type_of(field), value),
            )
            for field, value in zip(fields, raw)
        )
        dev = tuple(developer_values or {})
        local = self._local_for(name)
        if self._layouts.get(local) != (mesg.mesg_num, defs, dev):
            self.writer.define(local, mesg.mesg_num, defs, developer_fields=dev)
            self._layouts[local] = (mesg.mesg_num, defs, dev)
        self.writer.write(local, raw + list((developer_values or {}).values()))

    def developer_field(
        self,
        developer_data_index: int,
        number: int,
        base_type: str,
        name: str,
        units: str = "",
        application_id: bytes = bytes(range(16)),
    ) -> DeveloperFieldDefinition:
        """Write ``developer_data_id`` (first use of the index) and ``field_description``
        messages; returns the definition to pass with developer values."""
        if developer_data_index not in self._developer_indices:
            self._developer_indices.add(developer_data_index)
            self.message(
                "developer_data_id",
                {
                    "developer_data_index": developer_data_index,
                    "application_id": application_id,
                    "application_version": 1,
                },
            )
        self.message(
            "field_description",
            {
                "developer_data_index": developer_data_index,
                "field_definition_number": number,
                "fit_base_type_id": BASE_TYPE_IDS[base_type],
                "field_name": name,
                "units": units,
            },
        )
        size = BASE_TYPES[BASE_TYPE_IDS[base_type]].size
        return DeveloperFieldDefinition(
            number, size, developer_data_index, BASE_TYPE_IDS[base_type]
        )

    def to_bytes(self, **header: Any) -> bytes:
        """The complete FIT file (see :meth:`FitWriter.to_bytes`)."""
        return self.writer.to_bytes(**header)

    def _local_for(self, name: str) -> int:
        if name not in self._locals:
            self._locals[name] = len(self._locals) % 16
        return self._locals[name]


def enum_value(type_name: str, name: str) -> int:
    """Number of enum ``name`` in profile type ``type_name``, e.g. ``("garmin_product",
    "fr965")``."""
    from fitparse.profile import FIELD_TYPES

    if type_name not in FIELD_TYPES or not FIELD_TYPES[type_name].values:
        raise ValueError(f"FIT profile type {type_name!r} has no named values (give a number)")
    values = FIELD_TYPES[type_name].values
    for number, value_name in values.items():
        if value_name == name:
            return number
    raise ValueError(f"{name!r} is not a {type_name} (known: {', '.join(values.values())})")


@cache
def _message_type(name: str) -> Any:
    from fitparse.profile import MESSAGE_TYPES

    for mesg in MESSAGE_TYPES.values():
        if mesg.name == name:
            return mesg
    raise ValueError(f"no FIT message {name!r} in the profile")


@cache
def profile_field(message: str, field: str) -> Any:
    """The fitparse profile field ``field`` of message ``message`` (number, type, scale...)."""
    return _field_of(_message_type(message), field)


def _field_of(mesg: Any, name: str) -> Any:
    for field in mesg.fields.values():
        if field.name == name:
            return field
    raise ValueError(f"message {mesg.name!r} has no field {name!r}")


def _base_type_of(field: Any) -> Any:
    """fitparse BaseType of a profile field (its type or its type's base type)."""
    return field.type.base_type if getattr(field.type, "base_type", None) else field.type


def _field_size(base: Any, raw: Any) -> int:
    if base.name == "string":
        return len(raw.encode("utf-8")) + 1 if raw is not None else 1
    if base.name == "byte":
        return len(raw) if raw is not None else 1
    count = len(raw) if isinstance(raw, (list, tuple)) else 1
    return count * base.size


def _to_raw(field: Any, value: Any) -> Any:
    """Physical value → raw stored value for one profile field."""
    if isinstance(value, (list, tuple)):
        return [_to_raw(field, v) for v in value]
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, datetime):
        return to_fit_time(value)
    if isinstance(value, str) and _base_type_of(field).name != "string":
        return enum_value(field.type.name, value)
    if isinstance(value, (str, bytes)):
        return value
    base = _base_type_of(field)
    physical = float(value) + (field.offset or 0)
    raw = physical * (field.scale or 1)
    return raw if base.name.startswith("float") else round(raw)
