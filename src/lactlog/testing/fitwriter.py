"""A small, strict FIT encoder for sample data, tests and fuzzing: the raw layer.

:class:`FitWriter` writes raw FIT records: definition messages (optionally big-endian, optionally
with developer fields), data messages with normal or compressed-timestamp headers, and the file
header and CRCs. Values are raw integers/floats/bytes exactly as stored; ``None`` stands for the
base type's invalid value. It knows nothing of the profile, so tests can write anything, including
nonsense a decoder must survive. :mod:`lactlog.testing.fitprofile` builds on it to write messages
by profile name with physical values.

Format reference: Garmin FIT SDK, "FIT Protocol" (file header, record headers, definition and data
messages, CRC-16). Times are seconds since the FIT epoch 1989-12-31T00:00:00Z.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from lactlog.io.fit.crc import crc16

FIT_EPOCH = datetime(1989, 12, 31, tzinfo=UTC)
"""Zero of FIT ``date_time`` values (UTC)."""

SEMICIRCLES_PER_DEGREE = 2**31 / 180
"""FIT positions are stored in semicircles: degrees × 2^31 / 180."""


@dataclass(frozen=True)
class BaseType:
    """One FIT base type: its id (as written in definitions), struct code and invalid value."""

    type_id: int
    name: str
    fmt: str
    invalid: int | float | bytes

    @property
    def size(self) -> int:
        """Size of one element [bytes]."""
        return struct.calcsize("<" + self.fmt)


BASE_TYPES: dict[int, BaseType] = {
    b.type_id: b
    for b in (
        BaseType(0x00, "enum", "B", 0xFF),
        BaseType(0x01, "sint8", "b", 0x7F),
        BaseType(0x02, "uint8", "B", 0xFF),
        BaseType(0x83, "sint16", "h", 0x7FFF),
        BaseType(0x84, "uint16", "H", 0xFFFF),
        BaseType(0x85, "sint32", "i", 0x7FFFFFFF),
        BaseType(0x86, "uint32", "I", 0xFFFFFFFF),
        BaseType(0x07, "string", "s", b"\x00"),
        BaseType(0x88, "float32", "f", b"\xff" * 4),
        BaseType(0x89, "float64", "d", b"\xff" * 8),
        BaseType(0x0A, "uint8z", "B", 0x00),
        BaseType(0x8B, "uint16z", "H", 0x0000),
        BaseType(0x8C, "uint32z", "I", 0x00000000),
        BaseType(0x0D, "byte", "B", 0xFF),
        BaseType(0x8E, "sint64", "q", 0x7FFFFFFFFFFFFFFF),
        BaseType(0x8F, "uint64", "Q", 0xFFFFFFFFFFFFFFFF),
        BaseType(0x90, "uint64z", "Q", 0),
    )
}
"""The FIT SDK's base types keyed by base type id."""

BASE_TYPE_IDS: dict[str, int] = {b.name: b.type_id for b in BASE_TYPES.values()}
"""Base type id by name, e.g. ``BASE_TYPE_IDS["uint16"] == 0x84``."""


def to_fit_time(moment: datetime) -> int:
    """Seconds since the FIT epoch [s]; an aware datetime is converted to UTC, a naive one is
    taken as wall-clock time (what ``local_date_time`` fields store)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int((moment - FIT_EPOCH).total_seconds())


def degrees_to_semicircles(degrees: float) -> int:
    """Position in FIT semicircles (sint32) from degrees: round(deg × 2^31 / 180)."""
    return round(degrees * SEMICIRCLES_PER_DEGREE)


@dataclass(frozen=True)
class FieldDefinition:
    """A field of a definition message: field number, base type id and size [bytes]."""

    number: int
    base_type: int
    size: int


@dataclass(frozen=True)
class DeveloperFieldDefinition:
    """A developer field of a definition message.

    ``base_type`` is not written to the definition (the decoder takes it from the matching
    ``field_description`` message); the writer uses it to encode values.
    """

    number: int
    size: int
    developer_data_index: int
    base_type: int = BASE_TYPE_IDS["byte"]


@dataclass(frozen=True)
class _Definition:
    global_num: int
    fields: tuple[FieldDefinition, ...]
    developer_fields: tuple[DeveloperFieldDefinition, ...]
    endian: str

    @property
    def has_timestamp(self) -> bool:
        return any(f.number == 253 for f in self.fields)


def _pack_field(base: BaseType, size: int, value: Any, endian: str) -> bytes:
    """Encode one field value (raw form) into exactly ``size`` bytes."""
    if base.name in ("string", "byte"):
        return _pack_bytes(base, size, value)
    count, remainder = divmod(size, base.size)
    if remainder or count == 0:
        raise ValueError(f"size {size} is not a multiple of {base.name}'s {base.size} bytes")
    values = list(value) if isinstance(value, (list, tuple)) else [value]
    if len(values) == 1 and count > 1 and value is None:
        values = [None] * count
    if len(values) != count:
        raise ValueError(f"{base.name}[{count}] field needs {count} values, got {len(values)}")
    return b"".join(_pack_scalar(base, v, endian) for v in values)


def _pack_scalar(base: BaseType, value: Any, endian: str) -> bytes:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        if isinstance(base.invalid, bytes):
            return base.invalid
        value = base.invalid
    try:
        return struct.pack(endian + base.fmt, value)
    except struct.error as exc:
        raise ValueError(f"{value!r} does not fit a FIT {base.name}: {exc}") from None


def _pack_bytes(base: BaseType, size: int, value: Any) -> bytes:
    if value is None:
        return (b"\x00" if base.name == "string" else b"\xff") * size
    if isinstance(value, str):
        value = value.encode("utf-8")
    data = bytes(value)
    if len(data) > size:
        raise ValueError(f"{len(data)} bytes do not fit a {size}-byte {base.name} field")
    return data + b"\x00" * (size - len(data))


class FitWriter:
    """Writes FIT records in raw form and assembles a FIT file.

    Example::

        w = FitWriter()
        w.define(0, 20, [(253, 0x86, 4), (3, 0x02, 1)])   # record: timestamp, heart_rate
        w.write(0, [1_100_000_000, 150])
        w.write_compressed(0, [151], timestamp=1_100_000_001)
        data = w.to_bytes()
    """

    def __init__(self) -> None:
        self._body = bytearray()
        self._definitions: dict[int, _Definition] = {}
        self._last_timestamp: int | None = None

    def define(
        self,
        local_num: int,
        global_num: int,
        fields: Sequence[FieldDefinition | tuple[int, int, int]],
        big_endian: bool = False,
        developer_fields: Sequence[DeveloperFieldDefinition] = (),
    ) -> None:
        """Write a definition message binding ``local_num`` (0–15) to ``global_num``.

        ``fields`` are ``(field_def_num, base_type_id, size_bytes)``; ``developer_fields`` set the
        record header's developer-data flag.
        """
        _check_range("local message number", local_num, 0, 15)
        fields_ = tuple(
            f if isinstance(f, FieldDefinition) else FieldDefinition(*f) for f in fields
        )
        for f in fields_:
            if f.base_type not in BASE_TYPES:
                raise ValueError(f"unknown FIT base type id {f.base_type:#x}")
        endian = ">" if big_endian else "<"
        header = 0x40 | local_num | (0x20 if developer_fields else 0)
        out = bytearray(
            struct.pack(endian + "BBBHB", header, 0, int(big_endian), global_num, len(fields_))
        )
        for f in fields_:
            out += bytes((f.number, f.size, f.base_type))
        if developer_fields:
            out.append(len(developer_fields))
            for d in developer_fields:
                out += bytes((d.number, d.size, d.developer_data_index))
        self._body += out
        self._definitions[local_num] = _Definition(
            global_num, fields_, tuple(developer_fields), endian
        )

    def write(self, local_num: int, values: Sequence[Any]) -> None:
        """Write a data message with a normal header; ``values`` follow the definition's field
        order, developer fields last."""
        self._body.append(local_num & 0x0F)
        self._body += self._encode_values(local_num, values)

    def write_compressed(
        self,
        local_num: int,
        values: Sequence[Any],
        *,
        timestamp: int | None = None,
        time_offset: int | None = None,
    ) -> None:
        """Write a data message with a compressed-timestamp header (local message 0–3).

        Give either ``timestamp`` (FIT seconds; must be 0–31 s after the last full or
        compressed timestamp written) or the raw 5-bit ``time_offset``.
        """
        _check_range("compressed-header local message number", local_num, 0, 3)
        if (timestamp is None) == (time_offset is None):
            raise ValueError("give exactly one of timestamp and time_offset")
        if timestamp is not None:
            if self._last_timestamp is None or not 0 <= timestamp - self._last_timestamp < 32:
                raise ValueError("a compressed timestamp must be 0–31 s after the last timestamp")
            time_offset = timestamp & 0x1F
            self._last_timestamp = timestamp
        assert time_offset is not None  # exactly one of the two was given
        _check_range("time offset", time_offset, 0, 31)
        self._body.append(0x80 | (local_num << 5) | time_offset)
        self._body += self._encode_values(local_num, values)

    def write_bytes(self, data: bytes) -> None:
        """Append raw bytes to the data records (for tests of broken files)."""
        self._body += data

    def to_bytes(self, protocol: int = 0x20, profile: int = 2132, header_size: int = 14) -> bytes:
        """The complete FIT file: header (with header CRC when 14 bytes), records, file CRC.

        ``protocol`` is the protocol version byte (0x10 = 1.0, 0x20 = 2.0); ``profile`` the
        profile version × 100.
        """
        if header_size not in (12, 14):
            raise ValueError("header_size must be 12 or 14")
        header = struct.pack("<BBHI4s", header_size, protocol, profile, len(self._body), b".FIT")
        if header_size == 14:
            header += struct.pack("<H", crc16(header))
        crc = crc16(header + bytes(self._body))
        return header + bytes(self._body) + struct.pack("<H", crc)

    def _encode_values(self, local_num: int, values: Sequence[Any]) -> bytes:
        definition = self._definitions.get(local_num)
        if definition is None:
            raise ValueError(f"local message {local_num} has no definition")
        layout = [(BASE_TYPES[f.base_type], f.size) for f in definition.fields]
        layout += [(BASE_TYPES[d.base_type], d.size) for d in definition.developer_fields]
        if len(values) != len(layout):
            raise ValueError(
                f"definition of local {local_num} has {len(layout)} fields, "
                f"got {len(values)} values"
            )
        if definition.has_timestamp:
            stamp = values[[f.number for f in definition.fields].index(253)]
            if stamp is not None:
                self._last_timestamp = int(stamp)
        return b"".join(
            _pack_field(base, size, value, definition.endian)
            for (base, size), value in zip(layout, values)
        )


def _check_range(what: str, value: int, low: int, high: int) -> None:
    if not low <= value <= high:
        raise ValueError(f"{what} must be {low}–{high}, got {value}")
