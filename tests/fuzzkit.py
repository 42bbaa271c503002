"""Fuzzing kit for lactlog's readers: FIT record maps, small seeds, cheap mutators and random
FIT files written from scratch with :class:`~lactlog.testing.FitWriter`.

Shared by ``tests/io/test_fuzz.py`` (driven by hypothesis' ``st.randoms()``, so failures shrink)
and ``bench/fuzz.py`` (driven by :class:`random.Random` in many processes). Every function takes
the random generator as an argument and nothing else varies, so an input is reproducible from
its seed.

FIT layout reference: Garmin FIT SDK, "FIT Protocol" — file header (size, protocol, profile,
data size, ".FIT", optional CRC), records (definition: header, reserved, architecture, global
number, field count, 3 bytes per field, optional developer fields; data: header + fields;
compressed-timestamp header: bit 7, local type in bits 5–6), and a CRC-16 after the data.
"""

from __future__ import annotations

import random
import re
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from fitparse import profile as fit_profile

from lactlog.io.fit.crc import crc16
from lactlog.testing import DeveloperFieldDefinition, FitWriter

T0 = 1_100_000_000  # FIT seconds: 2024-11-08T11:33:20Z

# ---------------------------------------------------------------------------------------------
# Record maps and small seeds


@dataclass(frozen=True)
class Record:
    """One record of a FIT file: where it is, how long, whether it is a definition, and the
    global message number it defines or belongs to."""

    start: int
    size: int
    definition: bool
    global_number: int
    governing: int  # index (in the record list) of the definition a data record follows

    @property
    def end(self) -> int:
        return self.start + self.size


@dataclass(frozen=True)
class FitMap:
    """A FIT file and the records of its first (or only) chained file."""

    data: bytes
    header_size: int
    records: tuple[Record, ...]

    @property
    def data_start(self) -> int:
        return self.header_size

    @property
    def data_end(self) -> int:
        return self.records[-1].end if self.records else self.header_size


def fit_map(data: bytes) -> FitMap:
    """Walk the records of the first FIT file in ``data`` (independently of lactlog's scanner);
    stop quietly at the first record that does not fit."""
    header_size = data[0]
    data_size = int.from_bytes(data[4:8], "little")
    end = header_size + data_size if data_size else len(data) - 2
    end = min(end, len(data))
    layouts: dict[int, tuple[int, int, int]] = {}  # local -> (record size, global, def index)
    records: list[Record] = []
    pos = header_size
    while pos < end:
        header = data[pos]
        if header & 0xC0 == 0x40:
            if pos + 6 > end:
                break
            big = data[pos + 2] == 1
            number = int.from_bytes(data[pos + 3 : pos + 5], "big" if big else "little")
            n_fields = data[pos + 5]
            size = 6 + 3 * n_fields
            record_size = 1 + sum(data[pos + 7 : pos + size : 3])
            if header & 0x20:
                if pos + size >= end:
                    break
                n_dev = data[pos + size]
                record_size += sum(data[pos + size + 2 : pos + size + 1 + 3 * n_dev : 3])
                size += 1 + 3 * n_dev
            if pos + size > end:
                break
            layouts[header & 0x0F] = (record_size, number, len(records))
            records.append(Record(pos, size, True, number, len(records)))
        else:
            local = (header >> 5) & 0x03 if header & 0x80 else header & 0x0F
            if local not in layouts:
                break
            size, number, governing = layouts[local]
            if pos + size > end:
                break
            records.append(Record(pos, size, False, number, governing))
        pos += size
    return FitMap(data, header_size, tuple(records))


def assemble(header: bytes, body: bytes) -> bytes:
    """A FIT file from an existing header (its data size and CRC rewritten) and records."""
    head = bytearray(header)
    head[4:8] = struct.pack("<I", len(body))
    if len(head) >= 14:
        head[12:14] = struct.pack("<H", crc16(bytes(head[:12])))
    out = bytes(head) + body
    return out + struct.pack("<H", crc16(out))


def shrink_seed(data: bytes, first: int = 40, last: int = 8, max_bytes: int = 24_000) -> bytes:
    """A small, valid FIT file from a big one: every definition that is still used, and of each
    message type only its first ``first`` and last ``last`` data records (file order kept).

    Corpus files take 5–50 ms to read; their shrunk seeds about 1–3 ms, which is what makes a
    million mutated inputs affordable.
    """
    fmap = fit_map(data)
    by_number: dict[int, list[int]] = {}
    for i, record in enumerate(fmap.records):
        if not record.definition:
            by_number.setdefault(record.global_number, []).append(i)
    keep_data = set()
    for indices in by_number.values():
        keep_data.update(indices[:first] + indices[-last:])
    keep_defs = {fmap.records[i].governing for i in keep_data}
    body = bytearray()
    for i, record in enumerate(fmap.records):
        if i in keep_data or i in keep_defs:
            if len(body) + record.size > max_bytes and not record.definition:
                continue
            body += data[record.start : record.end]
    return assemble(data[: fmap.header_size], bytes(body))


# ---------------------------------------------------------------------------------------------
# Mutators: each takes the input, a map of its seed, another seed (for splicing) and a random
# generator, and returns new bytes. They are cheap (a few µs): no decoding, only byte surgery at
# places that matter to a FIT reader.

INTERESTING_BYTES = (0x00, 0x01, 0x0E, 0x0C, 0x10, 0x20, 0x3F, 0x40, 0x41, 0x60, 0x7F, 0x80, 0x9F,
                     0xE0, 0xFE, 0xFF)
INTERESTING_U32 = (0, 1, 0x7F, 0xFF, 0x7FFF, 0xFFFF, 0x0FFFFFFF, 0x10000000, 0x7FFFFFFF,
                   0x80000000, 0xFFFFFFFE, 0xFFFFFFFF)

Mutator = Callable[[bytes, FitMap, FitMap, random.Random], bytes]


def _position(data: bytes, rng: random.Random) -> int:
    return rng.randrange(len(data)) if data else 0


def _record(fmap: FitMap, rng: random.Random, definition: bool | None = None) -> Record | None:
    records = fmap.records
    if definition is not None:
        candidates = [r for r in records if r.definition == definition]
        return rng.choice(candidates) if candidates else None
    return rng.choice(records) if records else None


def bit_flips(data: bytes, fmap: FitMap, other: FitMap, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.choice((1, 1, 2, 4, 8))):
        if out:
            out[_position(out, rng)] ^= 1 << rng.randrange(8)
    return bytes(out)


def byte_sets(data: bytes, fmap: FitMap, other: FitMap, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.choice((1, 1, 2, 3, 6))):
        if out:
            out[_position(out, rng)] = (
                rng.choice(INTERESTING_BYTES) if rng.random() < 0.6 else rng.randrange(256)
            )
    return bytes(out)


def truncate(data: bytes, fmap: FitMap, other: FitMap, rng: random.Random) -> bytes:
    record = _record(fmap, rng)
    if record is not None and record.end <= len(data) and rng.random() < 0.5:
        return data[: record.start + rng.randrange(record.size + 1)]
    return data[: _position(data, rng)]


def splice(data: bytes, fmap: FitMap, other: FitMap, rng: random.Random) -> bytes:
    """Insert (or overwrite with) a run of records of another file at a record boundary."""
    source = _record(other, rng, definition=rng.random() < 0.4)
    target = _record(fmap, rng)
    if source is None or target is None or target.start > len(data):
        return byte_sets(data, fmap, other, rng)
    run = rng.choice((1, 1, 2, 5))
    index = other.records.index(source)
    end = other.records[min(index + run, len(other.records)) - 1].end
    chunk = other.data[source.start : end]
    cut = target.start if rng.random() < 0.5 else min(target.end, len(data))
    if rng.random() < 0.7:
        return data[:cut] + chunk + data[cut:]
    return data[:cut] + chunk + data[cut + len(chunk) :]


def header_sizes(data: bytes, fmap: FitMap, other: FitMap, rng: random.Random) -> bytes:
    """Huge, zero or wrong data size in the file header; or a bogus header size."""
    out = bytearray(data)
    if len(out) < 12:
        return bytes(out)
    if rng.random() < 0.75:
        choice = rng.choice(INTERESTING_U32 + (len(out), len(out) - 13, len(out) + 1))
        out[4:8] = struct.pack("<I", choice & 0xFFFFFFFF)
    else:
        out[0] = rng.choice((0, 1, 11, 12, 13, 14, 15, 64, 255))
    return bytes(out)


def definition_fields(data: bytes, fmap: FitMap, other: FitMap, rng: random.Random) -> bytes:
    """Bogus field count, field size, base type, architecture, global number or developer flag
    in a definition record."""
    record = _record(fmap, rng, definition=True)
    if record is None or record.end > len(data):
        return bit_flips(data, fmap, other, rng)
    out = bytearray(data)
    p = record.start
    n_fields = fmap.data[p + 5]  # of the seed: the record's extent is known there
    what = rng.randrange(7)
    if what == 0:
        out[p + 5] = rng.choice(
            (0, 1, min(n_fields + 1, 255), max(n_fields - 1, 0), 255, rng.randrange(256))
        )
    elif what == 1 and n_fields:
        size = rng.choice((0, 1, 3, 5, 7, 255, rng.randrange(256)))
        out[p + 7 + 3 * rng.randrange(n_fields)] = size
    elif what == 2 and n_fields:
        out[p + 8 + 3 * rng.randrange(n_fields)] = rng.choice(
            (0x00, 0x07, 0x0D, 0x83, 0x88, 0x89, 0x8E, 0x8F, 0x90, rng.randrange(256))
        )
    elif what == 3:
        out[p + 2] = rng.choice((0, 1, 2, 255))
    elif what == 4:
        out[p + 3 : p + 5] = rng.choice((b"\x14\x00", b"\x12\x00", b"\x00\x14", b"\xff\xff",
                                         rng.randbytes(2)))
    elif what == 5:
        out[p] ^= 0x20  # developer-data flag
    elif n_fields:
        number = rng.choice((253, 0, 2, 3, 7, 254, rng.randrange(256)))
        out[p + 6 + 3 * rng.randrange(n_fields)] = number
    return bytes(out)


def record_headers(data: bytes, fmap: FitMap, other: FitMap, rng: random.Random) -> bytes:
    """A record header byte replaced: another local type, a compressed-timestamp header, a
    definition header."""
    record = _record(fmap, rng, definition=False) or _record(fmap, rng)
    if record is None or record.start >= len(data):
        return byte_sets(data, fmap, other, rng)
    out = bytearray(data)
    out[record.start] = rng.choice(
        (0x80 | rng.randrange(128), 0x40 | rng.randrange(64), rng.randrange(64), rng.randrange(256))
    )
    return bytes(out)


def field_values(data: bytes, fmap: FitMap, other: FitMap, rng: random.Random) -> bytes:
    """Extreme 32-bit values (times, counters) written inside a data record."""
    record = _record(fmap, rng, definition=False)
    if record is None or record.size < 5 or record.end > len(data):
        return byte_sets(data, fmap, other, rng)
    out = bytearray(data)
    at = record.start + 1 + rng.randrange(record.size - 4)
    value = rng.choice(INTERESTING_U32)
    out[at : at + 4] = value.to_bytes(4, rng.choice(("little", "big")))
    if rng.random() < 0.3:  # floats: NaN, inf, huge
        out[at : at + 4] = struct.pack("<f", rng.choice((float("inf"), -3e38, float("nan"), 1e30)))
    return bytes(out)


def duplicate_chunk(data: bytes, fmap: FitMap, other: FitMap, rng: random.Random) -> bytes:
    """A run of records (or any bytes) repeated, in place or elsewhere."""
    record = _record(fmap, rng)
    if record is not None and record.end <= len(data) and rng.random() < 0.7:
        index = fmap.records.index(record)
        last = fmap.records[min(index + rng.choice((1, 2, 10, 100)), len(fmap.records)) - 1]
        chunk = data[record.start : min(last.end, len(data))]
        at = record.start if rng.random() < 0.6 else _position(data, rng)
    else:
        start = _position(data, rng)
        chunk = data[start : start + rng.choice((1, 2, 4, 16, 256))]
        at = _position(data, rng)
    return data[:at] + chunk * rng.choice((1, 1, 2, 8)) + data[at:]


def delete_chunk(data: bytes, fmap: FitMap, other: FitMap, rng: random.Random) -> bytes:
    start = _position(data, rng)
    return data[:start] + data[start + rng.choice((1, 2, 3, 8, 64, 1024)) :]


def chain(data: bytes, fmap: FitMap, other: FitMap, rng: random.Random) -> bytes:
    """Another FIT file chained after (or before) this one, possibly cut."""
    joined = data + other.data if rng.random() < 0.7 else other.data + data
    if rng.random() < 0.3:
        joined = joined[: len(joined) - rng.randrange(1, 40)]
    return joined


MUTATORS: dict[str, Mutator] = {
    "bit_flips": bit_flips,
    "byte_sets": byte_sets,
    "truncate": truncate,
    "splice": splice,
    "header_sizes": header_sizes,
    "definition_fields": definition_fields,
    "record_headers": record_headers,
    "field_values": field_values,
    "duplicate_chunk": duplicate_chunk,
    "delete_chunk": delete_chunk,
    "chain": chain,
}
_MUTATOR_LIST = tuple(MUTATORS.values())


def mutate(seed: FitMap, other: FitMap, rng: random.Random, max_steps: int = 3) -> bytes:
    """``seed`` with 1..``max_steps`` random mutations applied."""
    data = seed.data
    for _ in range(rng.randint(1, max_steps)):
        step = rng.choice(_MUTATOR_LIST)
        try:
            data = step(data, seed, other, rng)
        except (IndexError, ValueError):  # an earlier step moved what the seed's map points at
            data = byte_sets(data, seed, other, rng)
    return data


_TEXT_BYTES = b"0123456789-+:.eETZnaif <>/\"'\n,;\x00\xff"


def mutate_text(data: bytes, rng: random.Random) -> bytes:
    """Format-agnostic damage for text inputs (CSV, TCX, GPX): the byte-level mutators plus
    characters that keep XML well-formed but break numbers and times."""
    empty = FitMap(b"", 0, ())
    if rng.random() < 0.3:
        position = _position(data, rng)
        chunk = bytes(rng.choice(_TEXT_BYTES) for _ in range(rng.randint(1, 6)))
        return data[:position] + chunk + data[position + rng.choice((0, len(chunk))) :]
    step = rng.choice((bit_flips, byte_sets, truncate, duplicate_chunk, delete_chunk))
    return step(data, empty, empty, rng)


# ---------------------------------------------------------------------------------------------
# Structurally valid FIT files from scratch

_BASE_SIZES = {0x00: 1, 0x01: 1, 0x02: 1, 0x83: 2, 0x84: 2, 0x85: 4, 0x86: 4, 0x07: 1, 0x88: 4,
               0x89: 8, 0x0A: 1, 0x8B: 2, 0x8C: 4, 0x0D: 1, 0x8E: 8, 0x8F: 8, 0x90: 8}
_INT_RANGES = {0x00: (0, 255), 0x01: (-128, 127), 0x02: (0, 255), 0x83: (-32768, 32767),
               0x84: (0, 65535), 0x85: (-(2**31), 2**31 - 1), 0x86: (0, 2**32 - 1), 0x0A: (0, 255),
               0x8B: (0, 65535), 0x8C: (0, 2**32 - 1), 0x8E: (-(2**63), 2**63 - 1),
               0x8F: (0, 2**64 - 1), 0x90: (0, 2**64 - 1)}
#: Messages a random file is made of: record most, then the ones lactlog reads, one unknown.
_GLOBALS = (20, 20, 20, 20, 18, 19, 21, 0, 23, 225, 216, 3, 7, 78, 206, 207, 0xFF00)


@dataclass(frozen=True)
class _Layout:
    global_number: int
    fields: tuple[tuple[int, int, int], ...]  # (number, base type, size)
    developer: tuple[DeveloperFieldDefinition, ...]


def _profile_fields(global_number: int) -> list[tuple[int, int]]:
    message = fit_profile.MESSAGE_TYPES.get(global_number)
    if message is None:
        return []
    out = []
    for number, field in message.fields.items():
        base = field.type.base_type if getattr(field.type, "base_type", None) else field.type
        out.append((number, base.identifier))
    return out


_PROFILE_FIELDS = {number: _profile_fields(number) for number in set(_GLOBALS)}


def _random_layout(rng: random.Random, number: int | None = None) -> _Layout:
    number = rng.choice(_GLOBALS) if number is None else number
    known = _PROFILE_FIELDS.get(number, [])
    fields: list[tuple[int, int, int]] = []
    if rng.random() < 0.8:
        fields.append((253, 0x86, 4))
    for field_number, base in rng.sample(known, min(len(known), rng.randint(0, 8))):
        if field_number == 253:
            continue
        count = 1 if rng.random() < 0.85 else rng.randint(2, 6)
        size = rng.randint(1, 24) if base in (0x07, 0x0D) else _BASE_SIZES[base] * count
        fields.append((field_number, base, size))
    for _ in range(rng.choice((0, 0, 0, 1, 2))):  # fields the profile does not know
        base = rng.choice(tuple(_BASE_SIZES))
        fields.append((rng.randrange(200, 253), base, _BASE_SIZES[base]))
    developer = ()
    if rng.random() < 0.15:
        developer = tuple(
            DeveloperFieldDefinition(i, rng.choice((1, 2, 4)), 0) for i in range(rng.randint(1, 3))
        )
    return _Layout(number, tuple(fields), developer)


def _random_value(base: int, size: int, rng: random.Random, time: int) -> object:
    if base in (0x07, 0x0D):
        if rng.random() < 0.2:
            return None
        text = rng.randbytes(rng.randint(0, size))
        return text.replace(b"\x00", b"a") if base == 0x07 and rng.random() < 0.5 else text
    count = size // _BASE_SIZES[base]
    values = [_random_scalar(base, rng, time) for _ in range(count)]
    return values[0] if count == 1 else values


def _random_scalar(base: int, rng: random.Random, time: int) -> object:
    roll = rng.random()
    if roll < 0.15:
        return None
    if base in (0x88, 0x89):
        special = (0.0, -1.0, 250.5, float("inf"), float("nan"), 3e38)
        return rng.choice(special + (rng.uniform(-1e3, 1e3),))
    low, high = _INT_RANGES[base]
    if roll < 0.3:
        return rng.choice((low, high, 0, max(low, min(high, time))))
    return rng.randint(max(low, 0), min(high, 400)) if roll < 0.9 else rng.randint(low, high)


def random_fit(rng: random.Random, max_messages: int = 120) -> bytes:
    """A structurally valid FIT file of random layouts and values: little- and big-endian
    definitions, compressed-timestamp headers, developer fields, redefinitions, timestamps that
    step forwards, repeat, jump weeks ahead or go backwards; sometimes two files chained."""
    writer = FitWriter()
    time = rng.choice((T0, T0, T0, 5_000, 0x10000000, 0xFFFFFF00))
    layouts: dict[int, _Layout] = {}

    def define(local: int, number: int | None = None) -> None:
        layout = _random_layout(rng, number)
        big_endian = rng.random() < 0.3
        if layout.developer:
            writer.define(15, 207, [(3, 0x02, 1)])  # developer_data_id: developer_data_index
            writer.write(15, [0])
            layouts.pop(15, None)
        writer.define(local, layout.global_number, layout.fields, big_endian, layout.developer)
        layouts[local] = layout

    for i, local in enumerate(rng.sample(range(15), rng.randint(1, 5))):
        define(local, 20 if i == 0 and rng.random() < 0.8 else None)  # mostly with records
    for _ in range(rng.randint(0, max_messages)):
        if rng.random() < 0.04:
            define(rng.randrange(15))
        local = rng.choice(tuple(layouts))
        layout = layouts[local]
        time = max(0, min(2**32 - 2, time + rng.choice((1, 1, 1, 1, 0, 5, -3, 3600, 8 * 86400))))
        values = []
        for number, base, size in layout.fields:
            is_time = number == 253 and rng.random() < 0.9
            values.append(time if is_time else _random_value(base, size, rng, time))
        values += [_random_value(d.base_type, d.size, rng, time) for d in layout.developer]
        if local < 4 and rng.random() < 0.3:
            writer.write_compressed(local, values, time_offset=time & 0x1F)
        else:
            writer.write(local, values)
    data = writer.to_bytes(header_size=rng.choice((12, 14)), protocol=rng.choice((0x10, 0x20)))
    if rng.random() < 0.1:
        data += random_fit(rng, max_messages=20)
    return data


_POINT = re.compile(rb"<(?:\w+:)?(?:Trackpoint|trkpt)\b.*?</(?:\w+:)?(?:Trackpoint|trkpt)>", re.DOTALL)


def shrink_text(data: bytes, keep: int = 60) -> bytes:
    """A small text seed: XML (TCX, GPX) without the track points after the first ``keep``; any
    other text cut to its first ``2 * keep`` lines and last 10 lines."""
    head = data[:512].lstrip().lower()
    if head.startswith(b"<"):
        points = list(_POINT.finditer(data))
        if len(points) <= keep:
            return data
        out, last = bytearray(), 0
        for match in points[keep:]:
            out += data[last : match.start()]
            last = match.end()
        return bytes(out + data[last:])
    lines = data.splitlines(keepends=True)
    if len(lines) <= 2 * keep + 10:
        return data
    return b"".join(lines[: 2 * keep] + lines[-10:])


def seeds_from(paths: Sequence) -> list[FitMap]:
    """Maps of the shrunk versions of FIT files (unreadable or tiny ones are kept as they are)."""
    maps = []
    for path in paths:
        data = path.read_bytes()
        try:
            maps.append(fit_map(shrink_seed(data)))
        except (IndexError, struct.error):
            maps.append(FitMap(data, 0, ()))
    return maps
