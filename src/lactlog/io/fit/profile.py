"""The FIT profile, taken from fitparse's generated copy of the FIT SDK profile.

Field numbers, scales, offsets, components, sub-fields and enum names all come from
``fitparse.profile`` (FIT SDK profile 21.x), so lactlog never retypes them; they are copied once
into the plain-data module :mod:`lactlog.io.fit.profile_data` (``scripts/make_fit_profile.py``;
importing fitparse cost ~30 ms of every run). This module only reshapes them into small frozen
specs the columnar decoder can use, and caches the lookups.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

import numpy as np

from lactlog.io.fit.profile_data import BASE_TYPE_FORMATS, ENUMS, MESSAGES, PRODUCT_SUBFIELDS

#: FIT base types: identifier -> (numpy kind char, size [bytes], invalid raw value or None).
#: Sizes and struct format letters come from fitparse; the invalid values are the FIT protocol's.
_INVALID: dict[int, float | None] = {
    0x00: 0xFF, 0x01: 0x7F, 0x02: 0xFF, 0x83: 0x7FFF, 0x84: 0xFFFF, 0x85: 0x7FFFFFFF,
    0x86: 0xFFFFFFFF, 0x07: None, 0x88: None, 0x89: None, 0x0A: 0, 0x8B: 0, 0x8C: 0,
    0x0D: 0xFF, 0x8E: 0x7FFFFFFFFFFFFFFF, 0x8F: 0xFFFFFFFFFFFFFFFF, 0x90: 0,
}
_STRUCT_TO_NUMPY = {"B": "u1", "b": "i1", "h": "i2", "H": "u2", "i": "i4", "I": "u4",
                    "f": "f4", "d": "f8", "q": "i8", "Q": "u8", "s": "S"}

BYTE = 0x0D
TIMESTAMP_FIELD = 253  # FIT SDK: field 253 is the timestamp in every message
FIT_EPOCH_UNIX_S = 631065600  # 1989-12-31T00:00:00Z, the FIT time origin


@dataclass(frozen=True, eq=False)
class BaseType:
    """A FIT base type: numpy dtype code (without byte order), size, invalid raw value."""

    identifier: int
    numpy_code: str
    size: int
    invalid: float | None


@dataclass(frozen=True, eq=False)
class ComponentSpec:
    """A component packed into a field's bits (e.g. compressed speed/distance)."""

    target: str
    scale: float
    offset: float
    bits: int
    bit_offset: int
    accumulate: bool


@dataclass(frozen=True, eq=False)
class FieldSpec:
    """What lactlog needs to know of one profile field."""

    name: str
    type_name: str
    scale: float
    offset: float
    components: tuple[ComponentSpec, ...]


@cache
def base_type(identifier: int) -> BaseType:
    """The base type for a definition's base-type byte (unknown ones decode as bytes)."""
    fmt = BASE_TYPE_FORMATS.get(identifier)
    if fmt is None:
        return base_type(BYTE)
    code = _STRUCT_TO_NUMPY[fmt]
    size = 1 if code == "S" else np.dtype(code).itemsize
    return BaseType(identifier, code, size, _INVALID[identifier])


@cache
def message_number(name: str) -> int:
    """Global message number of a profile message name (e.g. ``record`` -> 20)."""
    for number, (message_name_, _fields) in MESSAGES.items():
        if message_name_ == name:
            return number
    raise KeyError(name)


def message_name(number: int) -> str | None:
    """Profile name of a global message number, None when the profile does not know it."""
    message = MESSAGES.get(number)
    return message[0] if message is not None else None


@cache
def field_spec(message: int, field_number: int) -> FieldSpec | None:
    """Spec of one field of a message, None when the profile does not define it."""
    message_type = MESSAGES.get(message)
    if message_type is None:
        return None
    fields = cast("dict[int, tuple[Any, ...]]", message_type[1])  # generated literal: mixed types
    field = fields.get(field_number)
    if field is None:
        return None
    name, type_name, scale, offset, components = field
    return FieldSpec(
        name=name,
        type_name=type_name,
        scale=scale,
        offset=offset,
        components=tuple(ComponentSpec(*component) for component in components),
    )


def enum_name(type_name: str, code: float | None) -> str | None:
    """Name of an enum value (``sport`` 1 -> ``running``); the number as text if unnamed."""
    if code is None or math.isnan(code):
        return None
    code = int(code)
    return ENUMS.get(type_name, {}).get(code, str(code))


def product_name(manufacturer_code: float | None, product_code: float | None) -> str | None:
    """Device product name, resolved through the profile's manufacturer-specific sub-fields.

    None when the profile has no name for it (a bare product number means nothing to a user).
    """
    if product_code is None or math.isnan(product_code):
        return None
    for type_name, manufacturer_codes in PRODUCT_SUBFIELDS:
        if manufacturer_code in manufacturer_codes:
            name = enum_name(type_name, product_code)
            return None if name is None or name.isdigit() else name
    return None


def exercise_name(category: str | None, code: float | None) -> str | None:
    """Exercise name from its category and number (``bench_press`` 0 -> ``barbell_bench_press``)."""
    if category is None or code is None or math.isnan(code):
        return None
    return enum_name(f"{category}_exercise_name", code)


@cache
def enum_code(type_name: str, name: str) -> int:
    """Numeric code of an enum value name (``event`` ``timer`` -> 0)."""
    for code, value in ENUMS[type_name].items():
        if value == name:
            return code
    raise KeyError(f"{type_name}.{name}")
