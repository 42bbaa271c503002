"""Columnar FIT decoding: every definition's records decoded at once with numpy.

After :func:`lactlog.io.fit.scan.scan` has found the records, each definition's records are
an ``(n, record_size)`` byte matrix (a strided view of the file when they are evenly spaced,
else gathered). A plan made once per definition layout (and kept across files: devices repeat
their definitions) says how to read it: the one-value number fields of each dtype are taken
together as one ``(fields, n)`` block (byte order, invalid -> NaN, profile scale and offset, a
few numpy steps per dtype rather than per field); text, arrays and fields with components
(unpacked with accumulation) take their own steps. Compressed timestamps are resolved in file
order, and the definitions of one message joined in file order with one ``take``.

The result, :class:`FitMessages`, maps a message name to columns: float64 arrays for numbers
(2-D for array fields), object arrays for strings. Enum fields keep their numeric code; names
come from :mod:`lactlog.io.fit.profile`. Timestamps stay in FIT seconds (since 1989-12-31 UTC).

A reader may name the fields it uses (``fields``): the others are not decoded at all. A
``session`` message carries ~100 fields and a ``lap`` ~80, of which the activity builder reads
17 and 7, and a plan's cost grows with its fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np

from lactlog.io.fit import profile
from lactlog.io.fit.crc import crc16
from lactlog.io.fit.scan import DefinitionBin, FieldDef, ScanResult, positions_array, scan

Columns = dict[str, np.ndarray]
FitMessages = dict[str, Columns]

CRC_MISMATCH = "CRC mismatch (the file may be damaged; its data was read anyway)"

#: Messages lactlog turns into the canonical model.
WANTED_MESSAGES: tuple[str, ...] = (
    "file_id", "device_info", "user_profile", "zones_target", "sport", "event", "record",
    "lap", "session", "activity", "set", "time_in_zone", "exercise_title", "hr", "hrv",
    "length",
)

#: Columns added to ``hrv`` messages (which have no timestamp): the ``timestamp`` of the last
#: ``record`` before the message in the file and of the first one after it [FIT s], NaN when
#: there is none. Beat times are anchored to them (:mod:`lactlog.io.fit.heartbeats`).
PRECEDING_RECORD_TIME = "preceding_record_timestamp"
FOLLOWING_RECORD_TIME = "following_record_timestamp"
_GATHER_BLOCK_BYTES = 2**20


@dataclass(eq=False)
class DecodedFit:
    """Decoded messages plus what the decoder noticed on the way."""

    messages: FitMessages
    warnings: list[str]
    n_records: int
    stopped_early: bool


def decode(
    data: bytes,
    wanted: tuple[str, ...] = WANTED_MESSAGES,
    fields: Mapping[str, frozenset[str]] | None = None,
) -> DecodedFit:
    """Decode the ``wanted`` messages of a (possibly chained) FIT file into columns.

    ``fields`` names, per message, the only fields to decode (e.g. the activity builder's
    :data:`~lactlog.io.fit.activity.READ_FIELDS`); the ``timestamp`` and the fields whose
    components fill a named field are decoded too, since timestamps resolve the compressed ones
    and components are unpacked from their field. Messages it does not name, and every message
    when it is None, keep all their fields.

    Damaged files hold any bit pattern (signalling NaNs, floats beyond every integer type), so
    numpy's floating-point warnings are silenced: they are expected and say nothing to a user.
    """
    with np.errstate(all="ignore"):
        return _decode(data, wanted, fields or {})


def _decode(
    data: bytes, wanted: tuple[str, ...], fields: Mapping[str, frozenset[str]]
) -> DecodedFit:
    wanted_numbers = _wanted_numbers(wanted)
    result = scan(data, wanted_numbers)
    buffer = np.frombuffer(data, dtype=np.uint8)
    warnings = list(result.warnings)
    warnings.extend(_crc_warnings(data, result))
    pieces: dict[str, list[tuple[np.ndarray, Columns]]] = {}
    timestamp_events: list[tuple[np.ndarray, np.ndarray]] = []
    for bin_ in result.bins:
        if not bin_.positions:
            continue
        positions = positions_array(bin_)
        name = profile.message_name(bin_.global_number)
        if bin_.global_number in wanted_numbers and name is not None:
            plan = _plan(bin_, fields.get(name))
            columns = plan.decode(_records(buffer, positions, bin_.record_size))
            pieces.setdefault(name, []).append((positions, columns))
            timestamps = columns.get("timestamp")
            if timestamps is not None and (timestamps.ndim != 1 or timestamps.dtype == object):
                del columns["timestamp"]  # a damaged definition (timestamp as text or array)
                timestamps = None  # must not turn the other definitions' timestamps 2-D
        else:
            timestamps = _decode_timestamp_only(buffer, positions, bin_)
        if timestamps is not None:
            timestamp_events.append((positions, timestamps))
    resolved = _resolve_compressed_timestamps(buffer, result, timestamp_events, pieces)
    _add_record_times(resolved)
    messages = {name: _concat(parts) for name, parts in resolved.items()}
    return DecodedFit(messages, warnings, result.n_records, result.stopped_early)


@cache
def _wanted_numbers(wanted: tuple[str, ...]) -> frozenset[int]:
    return frozenset(profile.message_number(name) for name in wanted)


def _records(buffer: np.ndarray, positions: np.ndarray, size: int) -> np.ndarray:
    """The records at ``positions`` as an ``(n, size)`` byte matrix.

    Records at a constant distance from each other (one message type written over and over, or
    a repeating pattern of types) are a strided view of the file, no copy. Otherwise the byte
    index is built for 1 Mi bytes of records at a time (it takes 8 bytes per record byte), so
    gathering costs the records' size, not eight times it.
    """
    n = len(positions)
    if n == 1 or n == 0:
        return buffer[positions[0] : positions[0] + size].reshape(1, size) if n else (
            np.zeros((0, size), dtype=np.uint8)
        )
    step = int(positions[1] - positions[0])
    first, last = int(positions[0]), int(positions[-1])
    if (
        step >= size
        and last - first == step * (n - 1)
        and last + size <= len(buffer)
        and (n == 2 or bool((np.diff(positions) == step).all()))
    ):
        return np.ndarray((n, size), np.uint8, buffer, first, (step, 1))
    matrix = np.empty((n, size), dtype=np.uint8)
    byte_offsets = np.arange(size, dtype=np.int64)
    block_rows = max(1, _GATHER_BLOCK_BYTES // size)
    for start in range(0, n, block_rows):
        block = positions[start : start + block_rows]
        matrix[start : start + block_rows] = buffer[block[:, None] + byte_offsets]
    return matrix


def _raw(records: np.ndarray, field: FieldDef, dtype: np.dtype) -> np.ndarray:
    """A field's raw values: 1-D for one value (or a string) per record, else ``(n, count)``."""
    raw = np.ascontiguousarray(records[:, field.offset : field.offset + field.size]).view(dtype)
    return raw.reshape(-1) if raw.shape[1] == 1 else raw


@dataclass(frozen=True, eq=False)
class _Group:
    """Single-value fields of one dtype and invalid value, decoded together as a block."""

    dtype: np.dtype
    invalid: float | None
    byte_index: np.ndarray  # the fields' bytes, field after field, in the record
    scale: np.ndarray | None  # (fields, 1) scale and offset, None when all are 1 and 0
    offset: np.ndarray | None

    def decode(self, records: np.ndarray) -> np.ndarray:
        """``(fields, n)`` float64: invalid -> NaN, scale and offset applied."""
        raw = records.take(self.byte_index, axis=1).view(self.dtype)  # (n, fields)
        values = np.ascontiguousarray(raw.T, dtype=np.float64)
        if self.invalid is not None:
            values[raw.T == self.invalid] = np.nan
        if self.scale is not None and self.offset is not None:
            values /= self.scale
            values -= self.offset
        return values


@dataclass(frozen=True, eq=False)
class _Plan:
    """How to decode the records of one definition layout (built once per layout).

    Single-value numeric fields of the same dtype are decoded as one block (a few numpy steps
    per dtype instead of per field); text, arrays and fields with components take their own
    steps. ``steps`` lists the columns in definition order as (name, group, row) for block rows
    and (name, None, field index) for the others.
    """

    fields: tuple[FieldDef, ...]
    dtypes: tuple[np.dtype, ...]
    specs: tuple[profile.FieldSpec | None, ...]
    groups: tuple[_Group, ...]
    steps: tuple[tuple[str, int | None, int], ...]
    with_components: tuple[int, ...]

    def decode(self, records: np.ndarray) -> Columns:
        """Decode every field: invalid -> NaN, profile scale/offset, components."""
        blocks = [group.decode(records) for group in self.groups]
        columns: Columns = {}
        for name, group, index in self.steps:
            if group is not None:
                columns[name] = blocks[group][index]
                continue
            field, dtype, spec = self.fields[index], self.dtypes[index], self.specs[index]
            raw = _raw(records, field, dtype)
            if dtype.kind == "S":
                columns[name] = _strings(raw)
                continue
            values = _valid_float(raw, field.base_type)
            if spec is not None and (spec.scale != 1 or spec.offset != 0):
                values = values / spec.scale - spec.offset
            columns[name] = values
        if not self.with_components:
            return columns
        components: Columns = {}
        for index in self.with_components:
            field, spec = self.fields[index], self.specs[index]
            assert spec is not None
            components.update(_components(_raw(records, field, self.dtypes[index]), field, spec))
        for name, values in components.items():
            explicit = columns.get(name)
            if explicit is None or explicit.ndim != 1 or explicit.dtype == object:
                columns[name] = values
            elif explicit.shape == values.shape:
                columns[name] = np.where(np.isnan(explicit), values, explicit)
            # else: a one-value field beside array components (damaged definition): it stays
        return columns


_PLANS: dict[tuple, _Plan] = {}
_MAX_PLANS = 1024


def _plan(bin_: DefinitionBin, keep: frozenset[str] | None = None) -> _Plan:
    """The decoding plan of a bin's layout for the fields ``keep`` (None: all, see
    :func:`decode`); plans are kept across files (devices repeat their definitions), at most
    :data:`_MAX_PLANS` of them."""
    layout = bin_.key or (
        bin_.global_number,
        bin_.big_endian,
        tuple((f.number, f.offset, f.size, f.base_type.identifier) for f in bin_.fields),
    )
    key = (layout, keep)
    plan = _PLANS.get(key)
    if plan is None:
        if len(_PLANS) >= _MAX_PLANS:
            _PLANS.clear()
        plan = _PLANS[key] = _make_plan(bin_, keep)
    return plan


@lru_cache(maxsize=4096)
def _kept(message: int, number: int, keep: frozenset[str]) -> bool:
    """Whether field ``number`` is decoded when a reader asks for the fields ``keep``: the
    timestamp, a named field, or a field with a component that fills one."""
    if number == profile.TIMESTAMP_FIELD:
        return True
    spec = profile.field_spec(message, number)
    return spec is not None and (
        spec.name in keep or any(c.target in keep for c in spec.components)
    )


def _make_plan(bin_: DefinitionBin, keep: frozenset[str] | None) -> _Plan:
    byte_order = ">" if bin_.big_endian else "<"
    message = bin_.global_number
    fields = bin_.fields if keep is None else tuple(
        f for f in bin_.fields if _kept(message, f.number, keep)
    )
    dtypes, specs = [], []
    group_fields: dict[tuple, list[int]] = {}  # (dtype, invalid) -> field indices
    steps: list[tuple[str, tuple | None, int]] = []
    with_components = []
    for i, field in enumerate(fields):
        name, dtype, spec, kind, has_components = _field_kind(
            message, field.number, field.base_type.identifier, field.size, byte_order
        )
        dtypes.append(dtype)
        specs.append(spec)
        if has_components:
            with_components.append(i)
        if kind is _BLOCK:  # one value: decoded in its dtype's block
            key = (dtype, field.base_type.invalid)
            members = group_fields.get(key)
            if members is None:
                members = group_fields[key] = []
            steps.append((name, key, len(members)))
            members.append(i)
        elif kind is not _BYTES:  # opaque bytes: only their components are used
            steps.append((name, None, i))
    groups: list[_Group] = []
    group_number: dict[tuple, int] = {}
    for key, members in group_fields.items():
        dtype, invalid = key
        width = dtype.itemsize
        byte_index = np.array(
            [b for i in members for b in range(fields[i].offset, fields[i].offset + width)],
            dtype=np.intp,
        )
        member_specs = [specs[i] for i in members]
        scales = [1.0 if spec is None else spec.scale for spec in member_specs]
        offsets = [0.0 if spec is None else spec.offset for spec in member_specs]
        trivial = all(scale == 1 for scale in scales) and all(offset == 0 for offset in offsets)
        group_number[key] = len(groups)
        groups.append(_Group(
            dtype, invalid, byte_index,
            None if trivial else np.array(scales)[:, None],
            None if trivial else np.array(offsets)[:, None],
        ))
    return _Plan(
        fields=tuple(fields),
        dtypes=tuple(dtypes),
        specs=tuple(specs),
        groups=tuple(groups),
        steps=tuple(
            (name, None if key is None else group_number[key], index)
            for name, key, index in steps
        ),
        with_components=tuple(with_components),
    )


@lru_cache(maxsize=1024)
def _dtype(code: str, size: int, byte_order: str) -> np.dtype:
    """The numpy dtype of one element of a field (``S<size>`` for text)."""
    if code == "S":
        return np.dtype(f"S{size}")
    return np.dtype(code if code.endswith("1") else byte_order + code)


_BLOCK, _OWN, _BYTES = "block", "own", "bytes"


@lru_cache(maxsize=4096)
def _field_kind(
    message: int, number: int, base_type: int, size: int, byte_order: str
) -> tuple[str, np.dtype, profile.FieldSpec | None, str, bool]:
    """Name, element dtype, spec, how it is decoded (:data:`_BLOCK`, :data:`_OWN` or
    :data:`_BYTES`) and whether it has components, for one field of a definition."""
    base = profile.base_type(base_type)
    dtype = _dtype(base.numpy_code, size, byte_order)
    spec = profile.field_spec(message, number)
    name = spec.name if spec is not None else f"unknown_{number}"
    if dtype.kind == "S":
        return name, dtype, spec, _OWN, False
    has_components = spec is not None and bool(spec.components)
    if base.identifier == profile.BYTE:
        return name, dtype, spec, _BYTES, has_components
    return name, dtype, spec, _BLOCK if size == base.size else _OWN, has_components


def _decode_timestamp_only(
    buffer: np.ndarray, positions: np.ndarray, bin_: DefinitionBin
) -> np.ndarray | None:
    for field in bin_.fields:
        is_timestamp = field.number == profile.TIMESTAMP_FIELD
        if is_timestamp and field.size == field.base_type.size == 4 and (
            field.base_type.numpy_code != "S"  # a number, not 4 characters
        ):
            dtype = _dtype(field.base_type.numpy_code, 4, ">" if bin_.big_endian else "<")
            raw = buffer[positions[:, None] + np.arange(field.offset, field.offset + 4)]
            return _valid_float(raw.view(dtype).reshape(-1), field.base_type)
    return None


def _valid_float(raw: np.ndarray, base_type: profile.BaseType) -> np.ndarray:
    """Raw integers/floats as float64 with the base type's invalid value as NaN."""
    values = raw.astype(np.float64)
    if base_type.invalid is not None:
        values[raw == base_type.invalid] = np.nan
    return values


def _strings(raw: np.ndarray) -> np.ndarray:
    """Null-terminated UTF-8 strings (None when empty), as fitparse reads them."""
    out = np.empty(raw.shape, dtype=object)
    for i, value in enumerate(raw.tolist()):  # one Python step per string message, not sample
        text = value.split(b"\x00", 1)[0].decode("utf-8", errors="replace")
        out[i] = text or None
    return out


def _components(raw: np.ndarray, field: FieldDef, spec: profile.FieldSpec) -> Columns:
    """Unpack a field's components (bit fields, little-endian across bytes), with accumulation.

    Components that share a target give a 2-D column, one element per component in profile
    order: ``hr.event_timestamp_12`` packs eight 12-bit ``event_timestamp`` values into 12 bytes.
    Accumulation runs through those elements in order, message after message, as the FIT SDK's
    accumulator keeps one running value per target field (and fitparse one per field number).
    """
    if raw.ndim == 2:  # byte array: little-endian bit string
        invalid = np.all(raw == 0xFF, axis=1)
        available_bits = 8 * raw.shape[1]
    else:
        invalid = raw == field.base_type.invalid if field.base_type.invalid is not None else None
        available_bits = 64
        if invalid is None:
            invalid = np.zeros(raw.shape, dtype=bool)
    groups: dict[str, list[tuple[profile.ComponentSpec, np.ndarray]]] = {}
    for component in spec.components:
        if component.bit_offset and component.bit_offset >= available_bits:
            continue
        values = _bits(raw, component.bit_offset, component.bits).astype(np.float64)
        groups.setdefault(component.target, []).append((component, values))
    out: Columns = {}
    for target, parts in groups.items():
        specs = [c for c, _ in parts]
        values = np.stack([v for _, v in parts], axis=1)  # (messages, components)
        if specs[0].accumulate:
            bits = np.tile(np.array([float(c.bits) for c in specs]), len(values))
            flat = _accumulate(values.reshape(-1), np.repeat(invalid, len(specs)), bits)
            values = flat.reshape(values.shape)
        values[invalid] = np.nan
        scale = np.array([c.scale for c in specs])
        offset = np.array([c.offset for c in specs])
        values = values / scale - offset
        out[target] = values[:, 0] if len(specs) == 1 else values
    return out


def _bits(raw: np.ndarray, bit_offset: int, bits: int) -> np.ndarray:
    """``bits`` bits from ``bit_offset`` of each value (of each row of a byte array) as uint64.

    A byte array is one little-endian bit string (FIT protocol, "Components"); only the up to 8
    bytes holding the wanted bits are combined, so arrays of any length can be unpacked.
    """
    mask = np.uint64((1 << bits) - 1) if bits < 64 else np.uint64(0xFFFFFFFFFFFFFFFF)
    if raw.ndim != 2:
        return (raw.astype(np.uint64) >> np.uint64(bit_offset)) & mask
    first = bit_offset // 8
    last = min((bit_offset + bits - 1) // 8, raw.shape[1] - 1, first + 7)
    packed = np.zeros(raw.shape[0], dtype=np.uint64)
    for k, column in enumerate(range(first, last + 1)):
        packed |= raw[:, column].astype(np.uint64) << np.uint64(8 * k)
    return (packed >> np.uint64(bit_offset % 8)) & mask


def _accumulate(values: np.ndarray, invalid: np.ndarray, bits: float | np.ndarray) -> np.ndarray:
    """Undo the roll-over of a counter that keeps only its low ``bits`` bits.

    Each valid value adds ``(value - previous) mod 2**bits`` to a running total that starts at 0
    for each definition (FIT SDK, "accumulated fields"); ``bits`` may differ per value.
    """
    valid = ~invalid
    modulus = np.exp2(bits[valid] if isinstance(bits, np.ndarray) else float(bits))
    steps = np.diff(np.concatenate(([0.0], values[valid]))) % modulus
    out = np.full(values.shape, np.nan)
    out[valid] = np.cumsum(steps)
    return out


def _add_record_times(pieces: dict[str, list[tuple[np.ndarray, Columns]]]) -> None:
    """Give every ``hrv`` message the :data:`PRECEDING_RECORD_TIME` and
    :data:`FOLLOWING_RECORD_TIME` columns (records with a valid timestamp, by file position)."""
    if "hrv" not in pieces:
        return
    positions, times = [], []
    for record_positions, columns in pieces.get("record", []):
        stamps = columns.get("timestamp")
        if stamps is not None and stamps.ndim == 1 and stamps.dtype != object:
            positions.append(record_positions[~np.isnan(stamps)])
            times.append(stamps[~np.isnan(stamps)])
    record_positions = np.concatenate(positions) if positions else np.zeros(0, np.int64)
    record_times = np.concatenate(times) if times else np.zeros(0)
    order = np.argsort(record_positions, kind="stable")
    record_positions, record_times = record_positions[order], record_times[order]
    padded = np.concatenate(([np.nan], record_times, [np.nan]))
    for hrv_positions, columns in pieces["hrv"]:
        after = np.searchsorted(record_positions, hrv_positions)  # index of the next record
        columns[PRECEDING_RECORD_TIME] = padded[after]
        columns[FOLLOWING_RECORD_TIME] = padded[after + 1]


def _resolve_compressed_timestamps(
    buffer: np.ndarray,
    result: ScanResult,
    timestamp_events: list[tuple[np.ndarray, np.ndarray]],
    pieces: dict[str, list[tuple[np.ndarray, Columns]]],
) -> dict[str, list[tuple[np.ndarray, Columns]]]:
    """Fill ``timestamp`` of records with a compressed-timestamp header.

    The header holds the low 5 bits of the time; the rest comes from the last timestamp seen
    in file order, plus 32 s for every roll-over of those 5 bits (FIT protocol, "Compressed
    Timestamp Header"). The reference resets to 0 at the start of each chained file.
    """
    compressed_parts = []
    for name, parts in pieces.items():
        for positions, columns in parts:
            headers = buffer[positions]
            is_compressed = headers >= 0x80
            if is_compressed.any():
                compressed_parts.append((positions[is_compressed], name, positions, columns))
    if not compressed_parts:
        return pieces
    segment_starts = np.array([s.data_start - 1 for s in result.segments], dtype=np.int64)
    full_pos = [p[~np.isnan(t)] for p, t in timestamp_events] + [segment_starts]
    full_val = [t[~np.isnan(t)] for _, t in timestamp_events] + [np.zeros(len(segment_starts))]
    comp_pos = np.sort(np.concatenate([c[0] for c in compressed_parts]))
    n_full = sum(len(p) for p in full_pos)
    positions = np.concatenate(full_pos + [comp_pos])
    order = np.argsort(positions, kind="stable")
    is_full = np.concatenate([np.ones(n_full, bool), np.zeros(len(comp_pos), bool)])[order]
    values = np.concatenate(full_val + [np.zeros(len(comp_pos))])[order]
    low = np.concatenate([v % 32 for v in full_val] + [buffer[comp_pos] & 0x1F])[order]
    group = np.cumsum(is_full) - 1  # each full timestamp starts a group
    base = (values - values % 32)[is_full][group]
    wrapped = np.zeros(len(low), dtype=np.float64)
    wrapped[1:] = (~is_full[1:]) & (low[1:] < low[:-1])
    wraps = np.cumsum(wrapped)
    wraps -= wraps[is_full][group]
    resolved = (base + low + 32 * wraps)[~is_full]  # in the order of comp_pos (sorted)
    for comp_positions, _name, positions_all, columns in compressed_parts:
        times = columns.get("timestamp")
        if times is None or times.ndim != 1 or times.dtype == object:
            times = np.full(len(positions_all), np.nan)
            columns["timestamp"] = times
        times[buffer[positions_all] >= 0x80] = resolved[np.searchsorted(comp_pos, comp_positions)]
    return pieces


def _concat(parts: list[tuple[np.ndarray, Columns]]) -> Columns:
    """Join the columns of several definitions of one message, in file order.

    The 1-D number columns (nearly all) are laid side by side in one ``(columns, messages)``
    matrix, NaN where a definition lacks the field, and put in file order by a single ``take``;
    text, arrays and mixed columns are joined one by one (:func:`_stack`).
    """
    if len(parts) == 1:
        return parts[0][1]
    order = np.argsort(np.concatenate([p for p, _ in parts]), kind="stable")
    names: list[str] = []
    seen: set[str] = set()
    for _, columns in parts:
        for name in columns:
            if name not in seen:
                seen.add(name)
                names.append(name)
    plain = [
        name for name in names
        if all(c[name].ndim == 1 and c[name].dtype == np.float64 for _, c in parts if name in c)
    ]
    row_of = {name: row for row, name in enumerate(plain)}
    matrix = np.full((len(plain), len(order)), np.nan)
    start = 0
    for positions, columns in parts:
        stop = start + len(positions)
        for name, values in columns.items():
            row = row_of.get(name)
            if row is not None:
                matrix[row, start:stop] = values
        start = stop
    matrix = matrix.take(order, axis=1)
    out: Columns = {}
    for name in names:
        row = row_of.get(name)
        if row is not None:
            out[name] = matrix[row]
            continue
        example = next(c[name] for _, c in parts if name in c)
        chunks = [_column_or_missing(columns, name, len(p), example) for p, columns in parts]
        out[name] = _stack(chunks)[order]
    return out


def _column_or_missing(columns: Columns, name: str, n: int, example: np.ndarray) -> np.ndarray:
    """A column of one definition, or a missing-value column shaped like ``example``."""
    if name in columns:
        return columns[name]
    if example.dtype == object:
        return np.full(n, None, dtype=object)
    return np.full((n,) + example.shape[1:], np.nan)


def _stack(chunks: list[np.ndarray]) -> np.ndarray:
    """Concatenate 1-D or 2-D chunks; 2-D chunks of different widths are NaN-padded.

    When definitions disagree on whether a field is text or a number (damaged files), the
    number wins and the text becomes NaN.
    """
    numeric = [c for c in chunks if c.dtype != object]
    if numeric and len(numeric) < len(chunks):
        chunks = [c if c.dtype != object else np.full(len(c), np.nan) for c in chunks]
    if any(c.ndim == 2 for c in chunks):
        width = max(c.shape[1] if c.ndim == 2 else 1 for c in chunks)
        padded = []
        for c in chunks:
            c2 = c.reshape(len(c), -1).astype(np.float64)
            pad = np.full((len(c2), width - c2.shape[1]), np.nan)
            padded.append(np.hstack([c2, pad]))
        return np.vstack(padded)
    if any(c.dtype == object for c in chunks):
        return np.concatenate([c.astype(object) for c in chunks])
    return np.concatenate(chunks)


def _crc_warnings(data: bytes, result: ScanResult) -> list[str]:
    """A warning per chained file whose stored CRC differs from the computed one."""
    warnings = []
    for segment in result.segments:
        end = segment.data_end
        if end + 2 > len(data):
            continue
        stored = data[end] | (data[end + 1] << 8)
        if stored != crc16(data, segment.start, end):
            warnings.append(CRC_MISMATCH)
    return warnings
