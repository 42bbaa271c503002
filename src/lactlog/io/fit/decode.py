"""Columnar FIT decoding: every definition's records decoded at once with numpy.

After :func:`lactlog.io.fit.scan.scan` has found the records, each definition's records are
gathered into an ``(n, record_size)`` byte matrix and viewed through a structured dtype built
from the definition (byte order, offsets, sizes), so each field becomes one numpy array. Then,
per field and vectorised: invalid values -> NaN, scale and offset from the FIT profile,
components unpacked (with accumulation), compressed timestamps resolved in file order.

The result, :class:`FitMessages`, maps a message name to columns: float64 arrays for numbers
(2-D for array fields), object arrays for strings. Enum fields keep their numeric code; names
come from :mod:`lactlog.io.fit.profile`. Timestamps stay in FIT seconds (since 1989-12-31 UTC).
"""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass
class DecodedFit:
    """Decoded messages plus what the decoder noticed on the way."""

    messages: FitMessages
    warnings: list[str]
    n_records: int
    stopped_early: bool


def decode(data: bytes, wanted: tuple[str, ...] = WANTED_MESSAGES) -> DecodedFit:
    """Decode the ``wanted`` messages of a (possibly chained) FIT file into columns.

    Damaged files hold any bit pattern (signalling NaNs, floats beyond every integer type), so
    numpy's floating-point warnings are silenced: they are expected and say nothing to a user.
    """
    with np.errstate(all="ignore"):
        return _decode(data, wanted)


def _decode(data: bytes, wanted: tuple[str, ...]) -> DecodedFit:
    wanted_numbers = frozenset(profile.message_number(name) for name in wanted)
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
        records = _gather(buffer, positions, bin_)
        name = profile.message_name(bin_.global_number)
        if bin_.global_number in wanted_numbers and name is not None:
            columns = _decode_fields(records, bin_)
            pieces.setdefault(name, []).append((positions, columns))
            timestamps = columns.get("timestamp")
            if timestamps is not None and (timestamps.ndim != 1 or timestamps.dtype == object):
                del columns["timestamp"]  # a damaged definition (timestamp as text or array)
                timestamps = None  # must not turn the other definitions' timestamps 2-D
        else:
            timestamps = _decode_timestamp_only(records, bin_)
        if timestamps is not None:
            timestamp_events.append((positions, timestamps))
    resolved = _resolve_compressed_timestamps(buffer, result, timestamp_events, pieces)
    _add_record_times(resolved)
    messages = {name: _concat(parts) for name, parts in resolved.items()}
    return DecodedFit(messages, warnings, result.n_records, result.stopped_early)


def _gather(buffer: np.ndarray, positions: np.ndarray, bin_: DefinitionBin) -> np.ndarray:
    """The records of a bin as a structured array (one row per record).

    The byte index is built for 1 Mi bytes of records at a time (it takes 8 bytes per record
    byte), so gathering costs the records' size, not eight times it.
    """
    size = bin_.record_size
    matrix = np.empty((len(positions), size), dtype=np.uint8)
    byte_offsets = np.arange(size, dtype=np.int64)
    step = max(1, _GATHER_BLOCK_BYTES // size)
    for first in range(0, len(positions), step):
        block = positions[first : first + step]
        matrix[first : first + step] = buffer[block[:, None] + byte_offsets]
    byte_order = ">" if bin_.big_endian else "<"
    names, formats, offsets = [], [], []
    for i, field in enumerate(bin_.fields):
        names.append(f"f{i}")
        formats.append(_field_format(field, byte_order))
        offsets.append(field.offset)
    dtype = np.dtype(
        {"names": names, "formats": formats, "offsets": offsets, "itemsize": bin_.record_size}
    )
    return matrix.view(dtype).reshape(-1)


def _field_format(field: FieldDef, byte_order: str) -> str | tuple:
    code = field.base_type.numpy_code
    if code == "S":
        return f"S{field.size}"
    count = field.size // field.base_type.size
    scalar = code if code.endswith("1") else byte_order + code
    return scalar if count == 1 else (scalar, (count,))


def _decode_fields(records: np.ndarray, bin_: DefinitionBin) -> Columns:
    """Decode every field of a bin: invalid -> NaN, profile scale/offset, components."""
    columns: Columns = {}
    components: Columns = {}
    for i, field in enumerate(bin_.fields):
        raw = records[f"f{i}"]
        spec = profile.field_spec(bin_.global_number, field.number)
        name = spec.name if spec is not None else f"unknown_{field.number}"
        if field.base_type.numpy_code == "S":
            columns[name] = _strings(raw)
            continue
        if spec is not None and spec.components:
            components.update(_components(raw, field, spec))
        if field.base_type.identifier == profile.BYTE:
            continue  # opaque bytes: only their components are used
        values = _valid_float(raw, field.base_type)
        if spec is not None and (spec.scale != 1 or spec.offset != 0):
            values = values / spec.scale - spec.offset
        columns[name] = values
    for name, values in components.items():
        explicit = columns.get(name)
        if explicit is None or explicit.ndim != 1 or explicit.dtype == object:
            columns[name] = values
        elif explicit.shape == values.shape:
            columns[name] = np.where(np.isnan(explicit), values, explicit)
        # else: a one-value field beside array components (damaged definition): it stays
    return columns


def _decode_timestamp_only(records: np.ndarray, bin_: DefinitionBin) -> np.ndarray | None:
    for i, field in enumerate(bin_.fields):
        is_timestamp = field.number == profile.TIMESTAMP_FIELD
        if is_timestamp and field.size == field.base_type.size == 4 and (
            field.base_type.numpy_code != "S"  # a number, not 4 characters
        ):
            return _valid_float(records[f"f{i}"], field.base_type)
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
    """Join the columns of several definitions of one message, in file order."""
    if len(parts) == 1:
        return parts[0][1]
    order = np.argsort(np.concatenate([p for p, _ in parts]), kind="stable")
    names: list[str] = []
    for _, columns in parts:
        names.extend(n for n in columns if n not in names)
    out: Columns = {}
    for name in names:
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
