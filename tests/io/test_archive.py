"""Zip inputs: member paths, nesting depth, and the limits that stop zip bombs."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from lactlog.batch import analyse_paths
from lactlog.errors import (
    CorruptFileError,
    InputTooLargeError,
    LactlogError,
    UnsupportedFormatError,
)
from lactlog.io import find_inputs, read
from lactlog.io.archive import MAX_NESTING, MemberPath, split_member
from lactlog.io.exports import select_inputs
from lactlog.testing.bulk_exports import garmin_export, zip_bytes
from lactlog.testing.damage import damaged

FIT = garmin_export()["DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0_Part2.zip"]


def _fit_bytes() -> bytes:
    import io

    with zipfile.ZipFile(io.BytesIO(FIT)) as archive:
        return archive.read(archive.namelist()[0])


def test_split_member(tmp_path: Path) -> None:
    archive = tmp_path / "Export.ZIP"
    archive.write_bytes(zip_bytes({"a.fit": b""}))
    assert split_member(f"{archive}:x/Part1.zip:b.fit") == MemberPath(archive, ("x/Part1.zip",
                                                                                "b.fit"))
    assert str(MemberPath(archive, ("x/Part1.zip", "b.fit"))) == f"{archive}:x/Part1.zip:b.fit"
    assert split_member(archive) is None  # the archive itself
    assert split_member(tmp_path / "missing.zip:a.fit") is None  # no such archive


def test_nesting_is_bounded(tmp_path: Path) -> None:
    tree = {"run.fit": _fit_bytes()}
    for level in range(MAX_NESTING + 1):
        tree = {f"level{level}.zip": zip_bytes(tree)}
    export = tmp_path / "deep.zip"
    export.write_bytes(zip_bytes(tree))
    (inner,) = find_inputs([export])
    # followed MAX_NESTING - 1 zips below the archive, the next one is the input that fails
    assert str(inner).count(".zip:") == MAX_NESTING
    with pytest.raises(UnsupportedFormatError, match=f"nested more than {MAX_NESTING} deep"):
        read(inner)
    result = analyse_paths([export], jobs=1)
    assert result.sessions == [] and len(result.errors) == 1


def test_two_levels_are_read(tmp_path: Path) -> None:
    export = tmp_path / "two.zip"
    export.write_bytes(zip_bytes({"a/inner.zip": zip_bytes({"run.fit": _fit_bytes()})}))
    (member,) = find_inputs([export])
    assert str(member) == f"{export}:a/inner.zip:run.fit"
    assert len(read(member)) == 1
    assert len(read(export)) == 1  # reading the whole zip gives every member's sessions


def test_zip_bomb_by_ratio(tmp_path: Path) -> None:
    # 64 MiB of zeros deflate to about 64 KiB: 1000 : 1, the signature of a zip bomb
    export = tmp_path / "bomb.zip"
    export.write_bytes(zip_bytes({"bomb.fit": bytes(64 * 2**20)}))
    (member,) = find_inputs([export])
    with pytest.raises(InputTooLargeError, match="zip bomb"):
        read(member)
    (error,) = analyse_paths([export], jobs=1).errors
    assert "zip bomb" in error.error and "\n" not in error.error


def test_member_over_the_decompressed_limit(tmp_path: Path) -> None:
    export = tmp_path / "big.zip"
    export.write_bytes(zip_bytes({"run.fit": _fit_bytes()}))
    (member,) = find_inputs([export])
    with pytest.raises(InputTooLargeError, match="max_decompressed_mb"):
        read(member, max_decompressed_bytes=1000)


def _patch_declared_size(data: bytes, size: int) -> bytes:
    """The zip with its (only) member's uncompressed size in the central directory replaced."""
    at = data.rindex(b"PK\x01\x02") + 24  # central file header: uncompressed size at +24
    return data[:at] + struct.pack("<I", size) + data[at + 4 :]


def test_declared_size_that_lies(tmp_path: Path) -> None:
    data = zip_bytes({"run.fit": _fit_bytes()})
    huge = tmp_path / "huge.zip"
    huge.write_bytes(_patch_declared_size(data, 0xFFFFFFF0))
    with pytest.raises(InputTooLargeError, match="refusing to"):  # ratio or declared size
        read(f"{huge}:run.fit")
    small = tmp_path / "small.zip"
    small.write_bytes(_patch_declared_size(data, 100))  # decompression stops there; CRC fails
    with pytest.raises(CorruptFileError, match="damaged zip member"):
        read(f"{small}:run.fit")


def test_overlapping_members_refused(tmp_path: Path) -> None:
    # one member's data, two central-directory entries pointing at it (Fifield's "better zip
    # bomb" layout): compressed sizes add up to more than the archive
    payload = _fit_bytes()
    data = zip_bytes({"a.fit": payload}, compression=zipfile.ZIP_STORED)
    start = data.rindex(b"PK\x01\x02")
    end = data.rindex(b"PK\x05\x06")
    entry = data[start:end]
    twin = entry.replace(b"a.fit", b"b.fit")
    eocd = bytearray(data[end:])
    struct.pack_into("<HHII", eocd, 8, 2, 2, 2 * len(entry), start)
    export = tmp_path / "overlap.zip"
    export.write_bytes(data[:start] + entry + twin + bytes(eocd))
    with pytest.raises(CorruptFileError, match="overlap"):
        read(export)
    assert find_inputs([export]) == [export]  # kept as given; reading it says why
    (error,) = analyse_paths([export], jobs=1).errors
    assert "zip bomb" in error.error


def test_not_a_zip_named_zip(tmp_path: Path) -> None:
    fake = tmp_path / "export.zip"
    fake.write_bytes(b"PK\x03\x04 and then nothing a zip needs")
    assert find_inputs([fake]) == [fake]
    with pytest.raises(CorruptFileError, match="not a readable zip"):
        read(fake)


def test_member_needing_a_newer_zip_version(tmp_path: Path) -> None:
    # found by the damaged-zip property test: a central-directory entry whose "version needed
    # to extract" is 10.1 makes zipfile raise NotImplementedError while opening the archive
    data = bytearray(zip_bytes({"run.fit": _fit_bytes()}))
    entry = data.index(b"PK\x01\x02")
    data[entry + 6] = 101  # version needed to extract: 10.1 (zipfile reads up to 6.3)
    export = tmp_path / "new.zip"
    export.write_bytes(bytes(data))
    assert find_inputs([export]) == [export]  # listed; reading it says what is wrong
    with pytest.raises(CorruptFileError, match="not a readable zip archive"):
        read(export)
    result = analyse_paths([export], jobs=1)
    assert result.sessions == [] and len(result.errors) == 1


def test_select_inputs_follows_export_layouts() -> None:
    names = [
        "activities.csv", "profile.csv", "activities/1.fit.gz", "activities/2.gpx",
        "apple_health_export/export.xml", "apple_health_export/export_cda.xml",
        "apple_health_export/workout-routes/route_1.gpx",
        "apple_health_export/electrocardiograms/ecg.csv",
        "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0_Part1.zip",
        "DI_CONNECT/DI-Connect-Fitness/x_summarizedActivities.json",
        "__MACOSX/activities/._1.fit.gz", "notes/export.xml", "lifts/strong.csv",
    ]
    heads = {"apple_health_export/export.xml": b'<?xml?>\n<!DOCTYPE HealthData [',
             "notes/export.xml": b"<?xml?><notes/>"}
    assert select_inputs(names, lambda n: heads[n]) == [
        "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0_Part1.zip",
        "activities/1.fit.gz", "activities/2.gpx",
        "apple_health_export/export.xml", "lifts/strong.csv",
    ]


# Property: a damaged zip (or a damaged member) only ever raises lactlog's own errors
_SMALL_EXPORT = zip_bytes({
    "activities.csv": b"Activity ID,Activity Type,Filename\n1,Run,activities/1.fit\n",
    "activities/1.fit": _fit_bytes()[:3000],
    "nested/inner.zip": zip_bytes({"a.gpx": b"<gpx><trk/></gpx>"}),
})


@settings(max_examples=150, deadline=10000,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(damaged(_SMALL_EXPORT))
def test_damaged_zip_raises_only_lactlog_errors(tmp_path: Path, data: bytes) -> None:
    export = tmp_path / "export.zip"
    export.write_bytes(data)
    for path in find_inputs([export]):
        try:
            read(path)
        except LactlogError:
            pass
