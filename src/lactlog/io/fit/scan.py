"""First pass over a FIT file: find every record, group data records by their definition.

The FIT format (Garmin FIT SDK, "Flexible & Interoperable Data Transfer Protocol") is a header,
a stream of records and a CRC; several such files may be chained. A record starts with a
one-byte header: a *definition* record (bit 6) describes the layout of a *local message type*
(0–15); data records (normal header, or compressed-timestamp header with local type 0–3 and a
5-bit time offset) then follow that layout. Record sizes depend on the latest definition, so
finding records is inherently sequential; this pass does only that, with a 256-entry table from
header byte to (bin, size), and leaves all field decoding to :mod:`lactlog.io.fit.decode`.
Stretches where a short pattern of message types repeats (most of an activity file) are
checked and taken with numpy (:class:`_Runs`); definitions are parsed once per process.
"""

from __future__ import annotations

import struct
from array import array
from collections import deque
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import cast

import numpy as np

from lactlog.errors import CorruptFileError, InputTooLargeError
from lactlog.io.fit import profile
from lactlog.io.fit.profile_data import MESSAGES

_HEADER_MIN_SIZE = 12
#: Most records a FIT file may hold (a 1-Hz recording of 115 days; real activity files hold
#: well under 1 M). Beyond it the file is refused: every record costs memory downstream.
MAX_RECORDS = 10_000_000


@dataclass(eq=False)
class FieldDef:
    """One field of a definition: number, byte offset in the record, size, base type."""

    number: int
    offset: int
    size: int
    base_type: profile.BaseType


@dataclass(eq=False)
class DefinitionBin:
    """All data records that follow one definition record."""

    global_number: int
    big_endian: bool
    record_size: int
    fields: list[FieldDef]
    #: Start of each data record [byte offset]: a typed array, 4 or 8 bytes per record.
    positions: array[int] = field(default_factory=lambda: array("q"))
    #: The definition record's bytes (header flags, then all after the header): its identity.
    key: bytes = b""

    @property
    def has_timestamp(self) -> bool:
        return any(f.number == profile.TIMESTAMP_FIELD for f in self.fields)

    @property
    def accumulates(self) -> bool:
        """Whether a field has components whose values accumulate across records."""
        accumulating = _accumulating_fields(self.global_number)
        return any(f.number in accumulating for f in self.fields)


@dataclass(eq=False)
class Segment:
    """One FIT file of a chain: where its header and data are and whether its CRC matched."""

    start: int
    data_start: int
    data_end: int


@dataclass(eq=False)
class ScanResult:
    """Everything the sequential pass found."""

    bins: list[DefinitionBin]
    segments: list[Segment]
    warnings: list[str]
    n_records: int
    stopped_early: bool


def read_file_header(data: bytes, start: int) -> Segment:
    """Parse the FIT file header at ``start``; raise CorruptFileError when it is not valid."""
    if len(data) - start < _HEADER_MIN_SIZE:
        raise CorruptFileError(f"truncated FIT header ({len(data) - start} bytes)")
    header_size, _protocol, _profile, data_size, signature = struct.unpack_from(
        "<BBHI4s", data, start
    )
    if signature != b".FIT":
        raise CorruptFileError("not a FIT file (no '.FIT' signature)")
    if header_size < _HEADER_MIN_SIZE:
        raise CorruptFileError(f"invalid FIT header size {header_size}")
    if header_size > len(data) - start:
        raise CorruptFileError(
            f"truncated FIT header ({len(data) - start} of {header_size} bytes)"
        )
    data_start = start + header_size
    data_end = data_start + data_size
    if data_size == 0:  # some writers never fill in the size: read up to the final CRC
        data_end = max(len(data) - 2, data_start)
    return Segment(start=start, data_start=data_start, data_end=data_end)


def scan(data: bytes, wanted_numbers: frozenset[int]) -> ScanResult:
    """Walk all records of all chained FIT files in ``data``.

    Data records of messages in ``wanted_numbers`` and of messages with a timestamp field are
    collected by definition; others are only skipped over. Memory: 4 bytes per collected record
    (8 for data beyond 2 GiB), no Python object per record.

    Raises
    ------
    InputTooLargeError
        The file holds more than :data:`MAX_RECORDS` records.
    """
    bins: list[DefinitionBin] = []
    segments: list[Segment] = []
    warnings: list[str] = []
    n_records = 0
    start = 0
    stopped_early = False
    while True:
        try:
            segment = read_file_header(data, start)
        except CorruptFileError as exc:
            if not segments:  # the first header: nothing to read at all
                raise
            warnings.append(f"chained FIT file at byte {start:,}: {exc}; {_skipped(n_records)}")
            stopped_early = True
            break
        segments.append(segment)
        end = min(segment.data_end, len(data))
        _, count, problem = _scan_records(
            data, segment.data_start, end, bins, wanted_numbers, MAX_RECORDS - n_records
        )
        n_records += count
        if problem is None and segment.data_end > len(data):
            problem = Stop(
                f"the header announces {segment.data_end - segment.data_start:,} data bytes, "
                f"the file holds {len(data) - segment.data_start:,}",
                cut_off=True,
            )
        if problem is not None:
            warnings.append(_stop_warning(problem, n_records, end == len(data)))
            stopped_early = True
            break
        start = segment.data_end + 2
        remaining = len(data) - start
        if remaining <= 0:
            if remaining < 0:
                warnings.append("the file's CRC is missing (file cut at its very end)")
            break
        if remaining < _HEADER_MIN_SIZE or data[start + 8 : start + 12] != b".FIT":
            warnings.append(f"{remaining:,} bytes after the end of the FIT data were ignored")
            break
    return ScanResult(bins, segments, warnings, n_records, stopped_early)


@dataclass(frozen=True, eq=False)
class Stop:
    """Why a scan stopped before the end of the data; ``cut_off`` when a record was cut."""

    problem: str
    cut_off: bool = False


def _stop_warning(stop: Stop, n_records: int, at_end_of_file: bool) -> str:
    """The warning for a scan that could not reach the end of the data.

    A record cut off where the file ends makes a truncated file ("truncated: 1,234 records read,
    the end of the file is missing (...)"); anything else is damage in the middle.
    """
    if stop.cut_off and at_end_of_file:
        return (
            f"truncated: {n_records:,} records read, the end of the file is missing "
            f"({stop.problem})"
        )
    if stop.cut_off:
        return f"{stop.problem} by the data size in the file header; {_skipped(n_records)}"
    return f"{stop.problem}; {_skipped(n_records)}"


def _skipped(n_records: int) -> str:
    return f"{n_records:,} records read, the rest of the file was skipped"


def _scan_records(
    data: bytes,
    pos: int,
    end: int,
    bins: list[DefinitionBin],
    wanted: frozenset[int],
    max_records: int,
) -> tuple[int, int, Stop | None]:
    """Scan records in ``data[pos:end]``; return the stop position, record count and problem.

    Devices re-send identical definitions often (hundreds of times in some files); records of
    identical layouts go to one bin so they are decoded together. Layouts with accumulating
    components keep one bin per definition, because accumulation restarts at each definition.

    Between definitions, devices write the same few message types in a fixed order (a record
    per second, or a record and an hrv message in turn): every so often the scan looks for
    such a repeating pattern and checks how far it goes with numpy (:class:`_Runs`), so long
    stretches cost a few numpy steps instead of a Python step per record.
    """
    # active[header byte] -> (append, record size, positions) of the bin a data record with that
    # header belongs to; None for definition headers and undefined local types.
    active: list[tuple | None] = [None] * 256
    layouts: dict[bytes, tuple] = {}  # definition bytes -> (append, record size, positions)
    sink: deque[int] = deque(maxlen=1)  # the last record nobody needs
    typecode = "i" if len(data) < 2**31 else "q"
    runs = _Runs(data, active, typecode)
    count = 0
    # Every record takes at least a byte, so no more than max_records + 1 records end before
    # ``limit``; the record cap costs one check per stretch instead of one per record.
    limit = min(end, pos + max_records + 1)
    while True:
        stop = min(limit, pos + runs.window)
        while pos < stop:
            entry = active[data[pos]]
            if entry is not None:
                entry[0](pos)
                pos += entry[1]
                count += 1
                continue
            header = data[pos]
            if header & 0xC0 != 0x40:
                return pos, count, _undefined(header, pos)
            size = _definition_size(data, pos, end)
            if size is None:
                return pos, count, Stop(f"definition record at byte {pos:,} cut off", True)
            key = bytes((header & 0x20,)) + data[pos + 1 : pos + size]
            entry = layouts.get(key)
            if entry is None:
                layout = _layout(key, data, pos)
                if layout.global_number in wanted or layout.has_timestamp:
                    definition = DefinitionBin(
                        layout.global_number, layout.big_endian, layout.record_size,
                        layout.fields, array(typecode), key,
                    )
                    bins.append(definition)
                    positions = definition.positions
                    entry = (positions.append, layout.record_size, positions)
                    if not layout.accumulates:  # identical layouts share one bin
                        layouts[key] = entry
                else:
                    entry = (sink.append, layout.record_size, sink)
                    layouts[key] = entry
            pos += size
            count += 1
            local = header & 0x0F
            for reserved_bits in (0x00, 0x10, 0x20, 0x30):
                active[local | reserved_bits] = entry
            if local < 4:  # compressed-timestamp headers address local types 0-3
                first = 0x80 | (local << 5)
                for header_byte in range(first, first + 32):
                    active[header_byte] = entry
            runs.changed = True
        if pos < limit:  # the window ended: look for a repeating pattern
            pos, n = runs.follow(pos, limit)
            count += n
            continue
        if count > max_records:
            raise InputTooLargeError(
                f"more than {MAX_RECORDS:,} FIT records (a 1-Hz recording of 115 days); "
                "refusing to read the file"
            )
        if pos >= end:
            break
        limit = min(end, pos + max_records - count + 1)
    if pos > end:  # the last record (a data record: definitions are checked) runs past the end
        _drop_last_record([b.positions for b in bins] + [sink])
        assert entry is not None  # set by the loop's last record
        last = pos - entry[1]
        return pos, count - 1, Stop(f"data record at byte {last:,} cut off", cut_off=True)
    return pos, count, None


class _Runs:
    """Finds stretches where a short pattern of data records repeats, and takes them in bulk.

    From ``pos``, up to :data:`_PROBE` records are walked to find the shortest repeating
    pattern of (at most :data:`_MAX_PERIOD`) layouts; then the header bytes where the pattern
    puts its records are read with a strided view, a few thousand periods at a time, and
    checked to belong to the same layouts under the current definitions. The periods that
    match are exactly the records the record-by-record walk would find: a data record's size
    follows from its header byte alone. Each stretch ends before ``limit`` (so no record is cut
    off and the record cap holds). When a try takes few records, the next one waits twice as
    long (``window``, in bytes of records walked one by one).
    """

    def __init__(self, data: bytes, active: list[tuple | None], typecode: str) -> None:
        self.data = data
        self.buffer = np.frombuffer(data, dtype=np.uint8)
        self.active = active
        self.dtype = np.dtype(np.int32 if typecode == "i" else np.int64)
        self.window = _MIN_WINDOW
        self.changed = True
        self.ids = np.zeros(256, dtype=np.int64)

    def follow(self, pos: int, limit: int) -> tuple[int, int]:
        """Take the repeating stretch at ``pos``; return the new position and records taken."""
        data, active = self.data, self.active
        probe: list[tuple[int, tuple]] = []
        p = pos
        while len(probe) < _PROBE and p < limit:
            entry = active[data[p]]
            if entry is None:
                break
            probe.append((p, entry))
            p += entry[1]
        period = _period([e for _, e in probe]) if len(probe) == _PROBE else None
        if period is None:
            self.window = min(2 * self.window, _MAX_WINDOW)
            return pos, 0
        if self.changed:
            self.ids = np.array([id(e) for e in active], dtype=np.int64)
            self.changed = False
        pattern = [e for _, e in probe[:period]]
        offsets = [q - pos for q, _ in probe[:period]]
        width = probe[period][0] - pos  # bytes per period
        expected = [id(e) for e in pattern]
        start, taken, batch = pos, 0, _FIRST_BATCH
        while True:
            n = min(batch, (limit - pos) // width)
            if n <= 0:
                break
            ok = np.ones(n, dtype=bool)
            for offset, ident in zip(offsets, expected):
                first = pos + offset
                headers = self.buffer[first : first + (n - 1) * width + 1 : width]
                ok &= self.ids[headers] == ident
            good = n if ok.all() else int(np.argmin(ok))
            if good:
                self._take(pos, good, width, pattern, offsets)
                pos += good * width
                taken += good * period
            if good < n:
                break
            batch *= 4
        if taken >= _WORTHWHILE:
            self.window = _MIN_WINDOW
        else:
            self.window = min(2 * self.window, _MAX_WINDOW)
        assert pos >= start
        return pos, taken

    def _take(self, pos: int, n: int, width: int, pattern: list, offsets: list[int]) -> None:
        starts = pos + width * np.arange(n, dtype=np.int64)
        seen: dict[int, list[int]] = {}
        for entry, offset in zip(pattern, offsets):
            seen.setdefault(id(entry), []).append(offset)
        done = set()
        for entry in pattern:
            if id(entry) in done:
                continue
            done.add(id(entry))
            entry_offsets = seen[id(entry)]
            target = entry[2]
            if isinstance(target, deque):  # nobody needs these: only the last one is kept
                target.append(int(starts[-1]) + entry_offsets[-1])
                continue
            if len(entry_offsets) == 1:
                positions = starts + entry_offsets[0]
            else:
                positions = (starts[:, None] + np.array(entry_offsets)).reshape(-1)
            target.frombytes(positions.astype(self.dtype).tobytes())


#: Records walked to find a pattern; longest pattern looked for; first bytes walked one by one.
_PROBE = 8
_MAX_PERIOD = 4
_MIN_WINDOW = 8192
_MAX_WINDOW = 1 << 18
_FIRST_BATCH = 256  # periods checked by the first numpy step of a stretch (then 4x each step)
#: Records a try must take for the next try to come as soon: a try costs about as much as
#: walking ~100 records one by one, and patterns broken every few dozen records (a lap or
#: device message in between) are cheaper walked.
_WORTHWHILE = 512


def _period(entries: list[tuple]) -> int | None:
    """The shortest period (at most :data:`_MAX_PERIOD`) of ``entries``, None if none."""
    for period in range(1, _MAX_PERIOD + 1):
        if all(entries[i] is entries[i + period] for i in range(len(entries) - period)):
            return period
    return None


@dataclass(frozen=True, eq=False)
class _Layout:
    """A parsed definition: what the scan and the decoder need of it."""

    global_number: int
    big_endian: bool
    record_size: int
    fields: list[FieldDef]
    has_timestamp: bool
    accumulates: bool


_LAYOUTS: dict[bytes, _Layout] = {}
_MAX_LAYOUTS = 1024


def _layout(key: bytes, data: bytes, pos: int) -> _Layout:
    """The definition record at ``pos`` (with definition bytes ``key``), parsed once per
    process: devices repeat their definitions within and across files."""
    layout = _LAYOUTS.get(key)
    if layout is None:
        if len(_LAYOUTS) >= _MAX_LAYOUTS:
            _LAYOUTS.clear()
        layout = _LAYOUTS[key] = _parse_layout(data, pos)
    return layout


def _parse_layout(data: bytes, pos: int) -> _Layout:
    """Parse the (complete) definition record at ``pos`` in one pass over its fields."""
    big_endian = data[pos + 2] == 1
    global_number = struct.unpack_from(">H" if big_endian else "<H", data, pos + 3)[0]
    n_fields = data[pos + 5]
    triples = data[pos + 6 : pos + 6 + 3 * n_fields]
    base_types = _base_types()
    accumulating = _accumulating_fields(global_number)
    fields: list[FieldDef] = []
    offset = 1  # the record header byte
    has_timestamp = accumulates = False
    for number, size, type_id in zip(triples[0::3], triples[1::3], triples[2::3]):
        base = base_types[type_id]
        if size % base.size:
            base = base_types[profile.BYTE]
        if size:
            fields.append(FieldDef(number, offset, size, base))
            if number == profile.TIMESTAMP_FIELD:
                has_timestamp = True
            if number in accumulating:
                accumulates = True
        offset += size
    if data[pos] & 0x20:  # developer fields: skipped, only their sizes matter
        cursor = pos + 6 + 3 * n_fields
        offset += sum(data[cursor + 2 : cursor + 1 + 3 * data[cursor] : 3])
    return _Layout(global_number, big_endian, offset, fields, has_timestamp, accumulates)


@cache
def _base_types() -> tuple[profile.BaseType, ...]:
    """:func:`lactlog.io.fit.profile.base_type` of every base-type byte."""
    return tuple(profile.base_type(identifier) for identifier in range(256))


@lru_cache(maxsize=1024)
def _accumulating_fields(global_number: int) -> frozenset[int]:
    """Numbers of the message's fields with components whose values accumulate."""
    message = MESSAGES.get(global_number)
    if message is None:
        return frozenset()
    numbers = set()
    for number in cast("dict[int, object]", message[1]):  # generated literal: mixed types
        spec = profile.field_spec(global_number, number)
        if spec is not None and any(c.accumulate for c in spec.components):
            numbers.add(number)
    return frozenset(numbers)


def _undefined(header: int, pos: int) -> Stop:
    kind = f"local message type {header & 0x0F if header < 0x80 else (header >> 5) & 0x03}"
    return Stop(f"corrupt data at byte {pos:,} (record for undefined {kind})")


def _drop_last_record(position_lists: list) -> None:
    """Forget the record with the highest position (it was cut off)."""
    last = max((p for p in position_lists if p), key=lambda p: p[-1], default=None)
    if last is not None:
        last.pop()


def _definition_size(data: bytes, pos: int, end: int) -> int | None:
    """Size of the definition record at ``pos`` [bytes]; None when ``end`` cuts it off."""
    if pos + 6 > end:
        return None
    size = 6 + 3 * data[pos + 5]
    if data[pos] & 0x20:  # developer fields follow: a count, then 3 bytes each
        if pos + size + 1 > end:
            return None
        size += 1 + 3 * data[pos + size]
    return size if pos + size <= end else None


def positions_array(bin_: DefinitionBin) -> np.ndarray:
    """Record positions of a bin as an int64 array."""
    return np.asarray(bin_.positions, dtype=np.int64)
