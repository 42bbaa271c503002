"""Where an input lives — a folder or a zip — and what lies beside it.

Glue between :func:`lactlog.io.read` / :func:`~lactlog.io.find_inputs` and the bulk-export
modules: reading a zip member (:mod:`lactlog.io.archive`), an Apple Health export with the route
files beside it (:mod:`lactlog.io.apple_health`), and naming a Strava activity from the
``activities.csv`` beside its folder (:mod:`lactlog.io.strava`), the same way whether the export
is a zip or a folder unpacked by hand.
"""

from __future__ import annotations

import os
import posixpath
from collections import OrderedDict
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from lactlog.errors import EmptyFileError, InputError
from lactlog.io.exports import (
    WORKOUT_SUFFIXES,
    is_apple_health,
    select_inputs,
    strava_table_key,
)
from lactlog.io.member_path import MemberPath, is_zip, split_member
from lactlog.io.raw import RawInput

if TYPE_CHECKING:  # the readers, and zipfile, are imported when a member is read
    import zipfile

    from lactlog.model import Activity

__all__ = ["split_member"]

_HEAD_BYTES = 4096
_ROUTES = "workout-routes"


def peek_kind(path: Path) -> str | None:
    """``zip`` or ``apple_health`` by the file's first bytes; None for anything else (and for a
    file that cannot be read: :func:`lactlog.io.load` reports that). Only regular files are
    opened: a pipe would block, or lose what this read, and a device never ends."""
    from lactlog.io.special import is_regular_file

    if not is_regular_file(path):
        return None
    try:
        with open(path, "rb") as handle:
            head = handle.read(_HEAD_BYTES)
    except OSError:
        return None
    if is_zip(head):
        return "zip"
    return "apple_health" if is_apple_health(head) else None


# -- finding inputs --------------------------------------------------------------------------


def folder_inputs(folder: Path, warnings: list[str] | None = None) -> list[Path]:
    """Input files under ``folder`` (recursively), by :func:`~lactlog.io.exports.select_inputs`.

    A subfolder that cannot be listed (no permission) is skipped with a message appended to
    ``warnings``; symlinked folders are not followed (as ``Path.rglob`` does)."""

    def unreadable(error: OSError) -> None:
        if warnings is not None:
            reason = error.strerror or str(error)
            warnings.append(f"{error.filename}: skipped, cannot list the folder ({reason})")

    files: dict[str, Path] = {}
    for parent, _, names in os.walk(folder, onerror=unreadable):
        for name in names:
            path = Path(parent, name)
            if path.is_file():
                files[path.relative_to(folder).as_posix()] = path

    def head(name: str) -> bytes:
        try:
            with open(files[name], "rb") as handle:
                return handle.read(_HEAD_BYTES)
        except OSError:
            return b""

    return sorted(files[name] for name in select_inputs(files, head))


def expand_zip(path: Path, max_decompressed_bytes: int) -> list[Path]:
    """The member paths of the inputs in ``path`` when it is a zip; ``[path]`` otherwise, and
    when the zip cannot be opened (reading it reports why)."""
    try:
        regular = path.is_file()
    except OSError:  # e.g. under a folder without permission: reading it reports why
        return [path]
    if path.name.lower().endswith(WORKOUT_SUFFIXES) or not regular:
        return [path]
    if peek_kind(path) != "zip":
        return [path]
    from lactlog.io.archive import member_inputs

    try:
        return [Path(str(m)) for m in member_inputs(path, max_decompressed_bytes)]
    except InputError:
        return [path]


# -- reading ---------------------------------------------------------------------------------


def read_member(member: MemberPath, decoder: str, max_decompressed_bytes: int) -> list[Activity]:
    """Sessions of one zip member: a workout file, an Apple Health export or a nested zip."""
    from lactlog.io import maybe_gunzip, read_raw
    from lactlog.io.archive import member_stream, open_zip, read_member_bytes

    archive = open_zip(member.archive, member.members[:-1], max_decompressed_bytes)
    name = member.members[-1]
    with member_stream(archive, name, None) as stream:
        head = stream.read(_HEAD_BYTES)
    if is_zip(head):
        return read_archive(member, decoder, max_decompressed_bytes)
    if is_apple_health(head):
        from lactlog.io.apple_health import read_apple_health

        with member_stream(archive, name, None) as stream:
            return read_apple_health(
                stream, str(member), lambda: _zip_routes(archive, member, max_decompressed_bytes)
            )
    data = read_member_bytes(archive, name, max_decompressed_bytes)
    raw = maybe_gunzip(RawInput.from_bytes(str(member), data), max_decompressed_bytes)
    activities = read_raw(raw, decoder)
    return _name_from_zip_table(activities, archive, member, max_decompressed_bytes)


def read_archive(
    path: Path | MemberPath, decoder: str, max_decompressed_bytes: int
) -> list[Activity]:
    """Sessions of every input in a zip (for ``read("export.zip")``); the first member that
    cannot be read raises, naming the member. Batches read members one by one instead."""
    from lactlog.io.archive import member_inputs

    members = member_inputs(path, max_decompressed_bytes)
    if not members:
        raise EmptyFileError("the zip holds no workout files (FIT, TCX, GPX, CSV, Apple Health)")
    activities: list[Activity] = []
    for member in members:
        try:
            activities.extend(read_member(member, decoder, max_decompressed_bytes))
        except InputError as exc:
            raise type(exc)(f"{member.members[-1]}: {exc}") from None
    return activities


def read_apple_file(path: Path) -> list[Activity]:
    """An Apple Health ``export.xml`` on disk, streamed, with ``workout-routes/`` beside it."""
    from lactlog.io.apple_health import read_apple_health

    try:
        with open(path, "rb") as handle:
            return read_apple_health(handle, str(path), lambda: _folder_routes(path.parent))
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror or exc})") from None


def _zip_routes(
    archive: zipfile.ZipFile, member: MemberPath, max_decompressed_bytes: int
) -> Iterator[RawInput]:
    from lactlog.io.archive import read_member_bytes

    folder = posixpath.dirname(member.members[-1])
    prefix = f"{folder}/{_ROUTES}/" if folder else f"{_ROUTES}/"
    for info in archive.infolist():
        if info.filename.startswith(prefix) and info.filename.lower().endswith(".gpx"):
            sibling = MemberPath(member.archive, (*member.members[:-1], info.filename))
            try:
                data = read_member_bytes(archive, info.filename, max_decompressed_bytes)
            except InputError:
                continue  # a damaged route only leaves its workout without positions
            yield RawInput.from_bytes(str(sibling), data)


def _folder_routes(folder: Path) -> Iterator[RawInput]:
    from lactlog.io import load

    routes = folder / _ROUTES
    for path in sorted(routes.glob("*.gpx")) if routes.is_dir() else ():
        try:
            yield load(path)
        except InputError:
            continue


# -- Strava names ----------------------------------------------------------------------------


def name_from_strava_table(
    activities: list[Activity], path: Path, max_file_bytes: int | None
) -> list[Activity]:
    """Name and type the activities of a file in an unpacked Strava export's ``activities/``."""
    key = strava_table_key(path.as_posix())
    if key is None:
        return activities
    from lactlog.io.strava import annotate

    table = Path(key[0])
    try:
        stat = table.stat()
    except OSError:
        return activities
    entries = _folder_table(os.path.abspath(table), stat.st_size, stat.st_mtime_ns, max_file_bytes)
    return annotate(activities, entries.get(key[1]))


@lru_cache(maxsize=4)
def _folder_table(path: str, size: int, mtime_ns: int, max_file_bytes: int | None) -> dict:
    """The parsed table at ``path`` (size and mtime make a changed file a new cache entry)."""
    from lactlog.io import load
    from lactlog.io.strava import parse_activities_table

    try:
        return parse_activities_table(load(path, max_file_bytes=max_file_bytes).data)
    except InputError:
        return {}


def _name_from_zip_table(
    activities: list[Activity],
    archive: zipfile.ZipFile,
    member: MemberPath,
    max_decompressed_bytes: int,
) -> list[Activity]:
    key = strava_table_key(member.members[-1])
    info = archive.NameToInfo.get(key[0]) if key is not None else None
    if key is None or info is None:
        return activities
    from lactlog.io.strava import annotate

    memo_key = (os.path.abspath(member.archive), member.members[:-1], key[0], info.CRC,
                info.file_size)
    entries = _ZIP_TABLES.get(memo_key)
    if entries is None:
        entries = _zip_table(archive, key[0], max_decompressed_bytes)
        _ZIP_TABLES[memo_key] = entries
        while len(_ZIP_TABLES) > 4:
            _ZIP_TABLES.popitem(last=False)
    return annotate(activities, entries.get(key[1]))


#: Parsed ``activities.csv`` of the last few zips (a worker reads many members of one export).
_ZIP_TABLES: OrderedDict[tuple, dict] = OrderedDict()


def _zip_table(archive: zipfile.ZipFile, name: str, max_decompressed_bytes: int) -> dict:
    from lactlog.io.archive import read_member_bytes
    from lactlog.io.strava import parse_activities_table

    try:
        return parse_activities_table(read_member_bytes(archive, name, max_decompressed_bytes))
    except InputError:
        return {}
