"""The activity builder reads exactly the fields it declares (``READ_FIELDS``).

The reader decodes only those fields, so a field the builder started reading without declaring
it would silently be missing. Every message dict handed to the builder records what is asked
of it, over the corpus FIT files, the sample data and a file without a session message (the
``sport`` message then names the sport) whose set has no start time.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from conftest import corpus_files
from lactlog.errors import LactlogError
from lactlog.io import load
from lactlog.io.common import RawInput
from lactlog.io.fit.activity import READ_FIELDS, build_activities
from lactlog.io.fit.decode import WANTED_MESSAGES, decode
from lactlog.testing import FitWriter

REPO = Path(__file__).resolve().parents[2]
T0 = 1_100_000_000  # FIT seconds
RECORD, SPORT, SET = 20, 12, 225
UINT8, UINT32, ENUM = 0x02, 0x86, 0x00


class _Recording(dict):
    """A message's columns that note every field name asked for."""

    def __init__(self, columns: dict, asked: set[str]) -> None:
        super().__init__(columns)
        self.asked = asked

    def __getitem__(self, name):
        self.asked.add(name)
        return super().__getitem__(name)

    def get(self, name, default=None):
        self.asked.add(name)
        return super().get(name, default)

    def __contains__(self, name) -> bool:
        self.asked.add(name)
        return super().__contains__(name)

    def __iter__(self):
        raise AssertionError("the builder must ask for fields by name, not list them")

    keys = items = __iter__  # values() stays: columns.length counts rows with it


def _without_session() -> RawInput:
    """Records, a ``sport`` message and a set timed by its end alone (as some watches write)."""
    writer = FitWriter()
    writer.define(0, SPORT, [(0, ENUM, 1), (1, ENUM, 1)])
    writer.write(0, [2, 0])  # cycling, generic
    writer.define(1, RECORD, [(253, UINT32, 4), (3, UINT8, 1)])
    for i in range(5):
        writer.write(1, [T0 + i, 140])
    writer.define(2, SET, [(254, UINT32, 4), (0, UINT32, 4)])
    writer.write(2, [T0 + 4, 3000])  # ends at T0 + 4 after 3 s
    return RawInput.from_bytes("no-session.fit", writer.to_bytes())


def _inputs() -> list[RawInput]:
    paths = [*sorted(REPO.joinpath("sample_data").glob("*.fit*")), *corpus_files("fit")]
    return [load(path) for path in paths] + [_without_session()]


def test_the_builder_reads_exactly_its_declared_fields() -> None:
    asked: dict[str, set[str]] = defaultdict(set)
    for raw in _inputs():
        try:
            decoded = decode(raw.data, WANTED_MESSAGES)
        except LactlogError:
            continue
        decoded.messages.update(
            {name: _Recording(columns, asked[name]) for name, columns in decoded.messages.items()})
        try:
            build_activities(raw, decoded)
        except LactlogError:
            continue
    # the hrv beat anchors are columns the decoder adds, not fields of the message
    asked["hrv"] -= {"preceding_record_timestamp", "following_record_timestamp"}
    assert {name: fields for name, fields in asked.items() if fields} == READ_FIELDS
