"""The columnar FIT decoder on files built from scratch, with hand-checkable values."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lactlog.errors import CorruptFileError, EmptyFileError, LactlogError
from lactlog.io.common import RawInput
from lactlog.io.fit import read_fit
from lactlog.io.fit.decode import decode
from lactlog.io.fit.oracle import decode_with_fitparse
from lactlog.testing import DeveloperFieldDefinition, FitWriter

T0 = 1_100_000_000  # FIT seconds: 2024-11-08T11:33:20Z
RECORD, SESSION, EVENT, DEV_ID, FIELD_DESC = 20, 18, 21, 207, 206
UINT8, UINT16, UINT32, SINT32, BYTE, ENUM = 0x02, 0x84, 0x86, 0x85, 0x0D, 0x00


def _record_writer() -> FitWriter:
    writer = FitWriter()
    writer.define(0, RECORD, [(253, UINT32, 4), (3, UINT8, 1), (7, UINT16, 2)])
    return writer


def _raw(data: bytes) -> RawInput:
    return RawInput.from_bytes("test.fit", data)


def test_plain_records_values_and_invalid_as_nan() -> None:
    writer = _record_writer()
    writer.write(0, [T0, 150, 250])
    writer.write(0, [T0 + 1, None, 0xFFFF])  # invalid uint8 / uint16
    records = decode(writer.to_bytes()).messages["record"]
    assert records["timestamp"].tolist() == [T0, T0 + 1]
    np.testing.assert_array_equal(records["heart_rate"], [150, np.nan])
    np.testing.assert_array_equal(records["power"], [250, np.nan])


def test_compressed_timestamps_roll_over_every_32_seconds() -> None:
    writer = _record_writer()
    writer.write(0, [T0, 140, 200])
    times = [T0 + 20, T0 + 31, T0 + 45, T0 + 70, T0 + 95]  # crosses several 32-s boundaries
    writer.define(1, RECORD, [(3, UINT8, 1), (7, UINT16, 2)])  # no timestamp field
    for t in times:
        writer.write_compressed(1, [141, 201], timestamp=t)
    data = writer.to_bytes()
    ours = decode(data).messages["record"]["timestamp"]
    assert ours.tolist() == [T0] + times
    theirs = decode_with_fitparse(data).messages["record"]["timestamp"]
    assert ours.tolist() == theirs.tolist()


def test_big_endian_definition() -> None:
    writer = FitWriter()
    writer.define(0, RECORD, [(253, UINT32, 4), (7, UINT16, 2), (0, SINT32, 4)], big_endian=True)
    writer.write(0, [T0, 0x0102, -123456])
    records = decode(writer.to_bytes()).messages["record"]
    assert records["power"].tolist() == [258.0]
    assert records["position_lat"].tolist() == [-123456.0]


def test_developer_fields_are_skipped_and_the_rest_is_intact() -> None:
    writer = FitWriter()
    writer.define(1, DEV_ID, [(3, UINT8, 1)])  # developer_data_index
    writer.write(1, [0])
    writer.define(
        0,
        RECORD,
        [(253, UINT32, 4), (3, UINT8, 1)],
        developer_fields=[DeveloperFieldDefinition(number=0, size=2, developer_data_index=0)],
    )
    writer.write(0, [T0, 160, b"\x01\x02"])
    writer.write(0, [T0 + 1, 161, b"\x03\x04"])
    records = decode(writer.to_bytes()).messages["record"]
    assert records["heart_rate"].tolist() == [160, 161]
    assert records["timestamp"].tolist() == [T0, T0 + 1]


def test_compressed_speed_distance_accumulates_over_roll_over() -> None:
    # record field 8: 12 bits speed (1/100 m/s), 12 bits distance (1/16 m), distance accumulates
    writer = FitWriter()
    writer.define(0, RECORD, [(253, UINT32, 4), (8, BYTE, 3)])
    distances_16th = [4000, 4090, 100, 300]  # wraps after 4095 (= 255.94 m)
    for i, d in enumerate(distances_16th):
        packed = 350 | (d << 12)
        writer.write(0, [T0 + i, packed.to_bytes(3, "little")])
    data = writer.to_bytes()
    records = decode(data).messages["record"]
    expected = np.array([4000, 4090, 4096 + 100, 4096 + 300]) / 16
    np.testing.assert_allclose(records["distance"], expected)
    np.testing.assert_allclose(records["speed"], [3.5] * 4)
    np.testing.assert_allclose(decode_with_fitparse(data).messages["record"]["distance"], expected)


def test_fields_decodes_only_the_named_fields_the_timestamp_and_component_sources() -> None:
    writer = FitWriter()
    writer.define(0, RECORD, [(253, UINT32, 4), (3, UINT8, 1), (7, UINT16, 2), (8, BYTE, 3)])
    writer.write(0, [T0, 150, 250, (350 | (4000 << 12)).to_bytes(3, "little")])
    data = writer.to_bytes()
    everything = decode(data).messages["record"]
    assert {"timestamp", "heart_rate", "power", "speed", "distance"} <= set(everything)
    # distance is named: field 8 (compressed_speed_distance) fills it, so it is decoded (and
    # gives its speed too); power is not named and is not decoded
    only = decode(data, ("record",), {"record": frozenset({"heart_rate", "distance"})})
    records = only.messages["record"]
    assert set(records) == {"timestamp", "heart_rate", "speed", "distance"}
    assert records["timestamp"].tolist() == [T0]
    assert records["heart_rate"].tolist() == [150]
    assert records["distance"].tolist() == [4000 / 16]
    # a message not named in ``fields`` keeps every field
    assert set(decode(data, ("record",), {"lap": frozenset()}).messages["record"]) == set(
        everything)


def test_chained_files_are_both_read() -> None:
    first, second = _record_writer(), _record_writer()
    first.write(0, [T0, 120, 100])
    second.write(0, [T0 + 3600, 130, 110])
    decoded = decode(first.to_bytes() + second.to_bytes())
    assert decoded.messages["record"]["heart_rate"].tolist() == [120, 130]
    assert decoded.warnings == []


def test_crc_mismatch_is_a_warning() -> None:
    writer = _record_writer()
    writer.write(0, [T0, 150, 250])
    data = bytearray(writer.to_bytes())
    data[-1] ^= 0xFF
    decoded = decode(bytes(data))
    assert decoded.messages["record"]["heart_rate"].tolist() == [150]
    assert any("CRC" in w for w in decoded.warnings)


def test_truncated_file_keeps_records_before_the_cut() -> None:
    writer = _record_writer()
    for i in range(100):
        writer.write(0, [T0 + i, 100 + i % 50, 200])
    data = writer.to_bytes()
    cut = data[: len(data) - 2 - 8 * 30 - 3]  # 8-byte records: 30 lost, and part of a 31st
    decoded = decode(cut)
    assert len(decoded.messages["record"]["timestamp"]) == 69
    assert decoded.stopped_early
    assert "truncated" in decoded.warnings[0] and "records read" in decoded.warnings[0]
    activity = read_fit(_raw(cut))[0]
    assert len(activity.samples) == 69


def test_data_for_undefined_local_type_stops_with_a_clear_problem() -> None:
    writer = _record_writer()
    writer.write(0, [T0, 150, 250])
    writer.write_bytes(b"\x05" + bytes(6))  # local type 5 was never defined
    decoded = decode(writer.to_bytes())
    assert decoded.messages["record"]["heart_rate"].tolist() == [150]
    assert "undefined local message type 5" in decoded.warnings[0]


def test_nothing_usable_is_an_error() -> None:
    writer = FitWriter()
    writer.write_bytes(b"\x05" + bytes(6))
    with pytest.raises(EmptyFileError):
        read_fit(_raw(writer.to_bytes()))


def test_not_fit_header_is_corrupt_file_error() -> None:
    with pytest.raises(CorruptFileError):
        decode(b"\x0e\x20" + bytes(12))


@st.composite
def fit_files(draw: st.DrawFn) -> bytes:
    """Structurally valid FIT files: random record layouts, values and header kinds."""
    writer = FitWriter()
    n_fields = draw(st.integers(1, 4))
    fields = [(253, UINT32, 4)] + draw(
        st.lists(
            st.sampled_from([(3, UINT8, 1), (7, UINT16, 2), (4, UINT8, 1), (5, UINT32, 4), (13, 0x01, 1)]),
            min_size=n_fields,
            max_size=n_fields,
            unique_by=lambda f: f[0],
        )
    )
    big = draw(st.booleans())
    writer.define(0, RECORD, fields, big_endian=big)
    writer.define(1, RECORD, fields[1:], big_endian=big)
    t = T0
    writer.write(0, [t] + [None] * (len(fields) - 1))
    for _ in range(draw(st.integers(0, 40))):
        step = draw(st.integers(0, 31))
        values = [draw(st.one_of(st.none(), st.integers(1, 100))) for _ in fields[1:]]
        if draw(st.booleans()):
            t += step
            writer.write_compressed(1, values, timestamp=t)
        else:
            t += draw(st.integers(0, 1000))
            writer.write(0, [t] + values)
    return writer.to_bytes(header_size=draw(st.sampled_from([12, 14])))


@settings(max_examples=150, deadline=None)
@given(fit_files())
def test_generated_files_decode_like_fitparse(data: bytes) -> None:
    ours, theirs = decode(data), decode_with_fitparse(data)
    assert ours.n_records == theirs.n_records
    for name, values in theirs.messages["record"].items():
        np.testing.assert_array_equal(ours.messages["record"][name], values, err_msg=name)


@settings(max_examples=300, deadline=None)
@given(fit_files(), st.data())
def test_damaged_files_raise_only_lactlog_errors(data: bytes, draw: st.DataObject) -> None:
    damaged = bytearray(data)
    for _ in range(draw.draw(st.integers(1, 4))):
        position = draw.draw(st.integers(0, len(damaged) - 1))
        damaged[position] = draw.draw(st.integers(0, 255))
    cut = draw.draw(st.integers(0, len(damaged)))
    try:
        read_fit(_raw(bytes(damaged[:cut])))
    except LactlogError:
        pass
