"""Readers: every supported file format into the canonical :class:`~lactlog.model.Activity`.

:func:`read` sniffs the format from the content (not only the extension), decompresses gzip
with a size cap, and dispatches to the format's reader. It also reads files inside zip archives
(``export.zip:activities/123.fit.gz``, see :mod:`lactlog.io.archive`), Apple Health exports
(streamed, :mod:`lactlog.io.apple_health`) and names Strava activities from their export's
``activities.csv`` (:mod:`lactlog.io.strava`). :func:`find_inputs` knows the layout of bulk
exports (:mod:`lactlog.io.exports`).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from lactlog.errors import (
    EmptyFileError,
    InputError,
    InputTooLargeError,
    UnsupportedFormatError,
)
from lactlog.io.exports import WORKOUT_SUFFIXES
from lactlog.io.gzipfile import gunzip
from lactlog.io.raw import RawInput
from lactlog.io.special import check_input, input_error, read_pipe

if TYPE_CHECKING:  # the readers are imported when a file is read
    from lactlog.model import Activity

#: Extensions :func:`find_inputs` picks up when walking folders (case-insensitive); zips and
#: Apple Health ``export.xml`` files are picked up too.
SUPPORTED_SUFFIXES: tuple[str, ...] = WORKOUT_SUFFIXES

#: Default largest decompressed size of a ``.gz`` input [bytes].
MAX_DECOMPRESSED_BYTES = 512 * 1024 * 1024
#: Default largest input file (as stored, compressed or not) [bytes].
MAX_FILE_BYTES = 1024 * 1024 * 1024



def read(
    path: str | Path,
    decoder: str = "lactlog",
    *,
    max_file_bytes: int | None = None,
    max_decompressed_bytes: int | None = None,
    max_sessions: int | None = None,
) -> list[Activity]:
    """Read one file and return its sessions (several for a multisport FIT file).

    Parameters
    ----------
    path : str or Path
        A FIT (optionally gzip-compressed), TCX, GPX or time-series CSV file.
    decoder : {"lactlog", "fitparse"}
        FIT decoder: lactlog's columnar decoder (fast) or fitparse (reference).
    max_file_bytes : int, optional
        Largest file accepted [bytes]; default :data:`MAX_FILE_BYTES`.
    max_decompressed_bytes : int, optional
        Largest decompressed size of a gzip file [bytes]; default
        :data:`MAX_DECOMPRESSED_BYTES`.
    max_sessions : int, optional
        Most sessions read from one FIT file (the first ones; a warning says how many more the
        file held); default :data:`lactlog.io.fit.activity.MAX_SESSIONS`.

    Raises
    ------
    InputError
        The file cannot be read, is damaged, too large, or is not a supported format.
    """
    limit = MAX_DECOMPRESSED_BYTES if max_decompressed_bytes is None else max_decompressed_bytes
    from lactlog.io import container

    member = container.split_member(path)
    if member is not None:
        return container.read_member(member, decoder, limit)
    path = Path(path)
    if not path.name.lower().endswith(SUPPORTED_SUFFIXES):
        kind = container.peek_kind(path)
        if kind == "zip":
            return container.read_archive(path, decoder, limit)
        if kind == "apple_health":
            return container.read_apple_file(path)
    raw = load(path, limit, max_file_bytes=max_file_bytes)
    activities = read_raw(raw, decoder, max_sessions)
    return container.name_from_strava_table(activities, path, max_file_bytes)


def read_bytes(
    data: bytes,
    name: str = "<bytes>",
    decoder: str = "lactlog",
    *,
    max_decompressed_bytes: int | None = None,
    max_sessions: int | None = None,
) -> list[Activity]:
    """:func:`read` on content already in memory; ``name`` plays the file name's part (its
    extension is a format hint, and it is the activities' ``source``)."""
    raw = maybe_gunzip(RawInput.from_bytes(name, bytes(data)), max_decompressed_bytes)
    return read_raw(raw, decoder, max_sessions)


def read_raw(
    raw: RawInput, decoder: str = "lactlog", max_sessions: int | None = None
) -> list[Activity]:
    """Sniff the format of loaded (already decompressed) content and read it."""
    kind = sniff(raw)
    if kind == "csv":
        from lactlog.io.strava import is_activities_table

        if is_activities_table(raw.data[:4096]):
            raise UnsupportedFormatError(
                "Strava's activities.csv lists activities but holds no samples; analyse the "
                "whole export (its folder or zip), which names each activity from it"
            )
    expected = _kind_from_name(raw.source)
    if expected is None or expected == kind:
        return _read_kind(raw, kind, decoder, max_sessions)
    try:
        return _read_kind(raw, kind, decoder, max_sessions)
    except InputError as exc:  # say why a ".fit" file got a TCX error
        raise type(exc)(f"content is {kind.upper()}, not {expected.upper()}: {exc}") from None


def _kind_from_name(name: str) -> str | None:
    lowered = name.lower().removesuffix(".gz")
    return next((k for k in ("fit", "tcx", "gpx", "csv") if lowered.endswith("." + k)), None)


def _read_kind(
    raw: RawInput, kind: str, decoder: str, max_sessions: int | None = None
) -> list[Activity]:
    if kind == "fit":
        from lactlog.io.fit import read_fit

        return read_fit(raw, decoder=decoder, max_sessions=max_sessions)
    xml_options = {} if max_sessions is None else {"max_sessions": max_sessions}
    if kind == "tcx":
        from lactlog.io.tcx import read_tcx

        return read_tcx(raw, **xml_options)
    if kind == "gpx":
        from lactlog.io.gpx import read_gpx

        return read_gpx(raw, **xml_options)
    from lactlog.io.csvfile import read_csv

    return read_csv(raw)


def load(
    path: str | Path,
    max_decompressed_bytes: int | None = None,
    *,
    max_file_bytes: int | None = None,
) -> RawInput:
    """Read a file's bytes (never modifying it), decompressing gzip up to a size cap.

    ``max_file_bytes`` (default :data:`MAX_FILE_BYTES`) caps the size of the file itself,
    ``max_decompressed_bytes`` (default :data:`MAX_DECOMPRESSED_BYTES`) what a gzip file may
    decompress to; beyond either, :class:`~lactlog.errors.InputTooLargeError`.
    """
    path = Path(path)
    limit = MAX_FILE_BYTES if max_file_bytes is None else max_file_bytes
    if stat.S_ISFIFO(check_input(path, limit).st_mode):  # type and size before any open
        data = read_pipe(path, limit)  # once, into memory, never waiting forever
        return maybe_gunzip(RawInput.from_bytes(str(path), data), max_decompressed_bytes)
    try:
        with path.open("rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise InputError("changed while being opened (no longer a regular file)")
            if info.st_size > limit:
                raise InputTooLargeError(_too_large(info.st_size, limit))
            data = _read_at_most(handle, info.st_size, limit + 1)  # it may have grown since
    except OSError as exc:
        raise input_error(exc) from None
    if len(data) > limit:
        raise InputTooLargeError(_too_large(len(data), limit))
    return maybe_gunzip(RawInput.from_bytes(str(path), data), max_decompressed_bytes)


def _read_at_most(handle: BinaryIO, expected: int, limit: int) -> bytes:
    """Read to the end of ``handle`` but no more than ``limit`` bytes.

    ``handle.read(limit)`` would allocate ``limit`` bytes up front (1 GB of address space for
    every small file, which fails under strict overcommit or ``ulimit -v``), so the first read
    asks for the ``expected`` size (from ``fstat``; 0 for pipes) and any rest comes in 1 MB steps.
    """
    parts: list[bytes] = []
    total, want = 0, expected + 1
    while total < limit:
        chunk = handle.read(min(want, limit - total))
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
        want = 1 << 20
    return b"".join(parts)


def maybe_gunzip(raw: RawInput, max_decompressed_bytes: int | None) -> RawInput:
    """``raw`` with its data decompressed when it is gzip (same source and sha256)."""
    if raw.data[:2] != b"\x1f\x8b":
        return raw
    limit = MAX_DECOMPRESSED_BYTES if max_decompressed_bytes is None else max_decompressed_bytes
    return RawInput(source=raw.source, data=gunzip(raw.data, limit), sha256=raw.sha256)


def _too_large(size: int, limit: int) -> str:
    return (
        f"the file is too large ({megabytes(size)}, limit {megabytes(limit)}); refusing to "
        "read it (if it is genuine: lactlog config set settings.max_file_mb N)"
    )


def megabytes(n: int) -> str:
    """A size in bytes as MB or GB for messages."""
    return f"{n / 2**20:,.1f} MB" if n < 2**30 else f"{n / 2**30:,.2f} GB"


def sniff(raw: RawInput) -> str:
    """Tell the format of the content: ``fit``, ``tcx``, ``gpx`` or ``csv``."""
    data = raw.data
    if not data.strip():
        raise EmptyFileError("the file is empty")
    if len(data) >= 12 and data[8:12] == b".FIT":
        return "fit"
    if _looks_like_xml(data):
        from lactlog.io.xmlstream import xml_root_name

        root = xml_root_name(data)  # parsed up to the root element (a DOCTYPE is refused)
        if root == "TrainingCenterDatabase":
            return "tcx"
        if root == "gpx":
            return "gpx"
        what = f"whose root is <{root[:40]}>" if root else "without any element"
        raise UnsupportedFormatError(f"an XML file {what}, neither TCX nor GPX")
    lowered = raw.source.lower()
    if lowered.endswith((".fit", ".fit.gz")):
        raise UnsupportedFormatError(_not_fit_hint(data))
    if b"\x00" in data[:4096]:
        raise UnsupportedFormatError(
            "a binary file that is not FIT; lactlog reads FIT, TCX, GPX and CSV"
        )
    return "csv"


def _looks_like_xml(data: bytes) -> bool:
    """Whether the content starts like XML: ``<`` after a UTF-8 BOM and whitespace, or ``<`` in
    UTF-16 (little- or big-endian, with or without a byte-order mark)."""
    head = data[:4096]
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") or head.startswith(
        (b"<\x00", b"\x00<", b"\xff\xfe<\x00", b"\xfe\xff\x00<")
    )


def _not_fit_hint(data: bytes) -> str:
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"trainingcenterdatabase" in head:
        guess = " — is it a TCX export?"
    elif b"<gpx" in head:
        guess = " — is it a GPX export?"
    elif head.startswith(b"<"):
        guess = " — it looks like XML"
    elif len(data) < 12:
        guess = f" (only {len(data)} bytes)"
    else:
        guess = ""
    return f"not a FIT file (no '.FIT' signature){guess}"


def find_inputs(
    paths: list[Path], max_decompressed_bytes: int | None = None,
    warnings: list[str] | None = None,
) -> list[Path]:
    """Expand folders recursively into supported files (sorted), and zips into their members
    (``export.zip:activities/1.fit``, nested zips too); other files are kept as given.

    Bulk-export layouts are followed (:func:`lactlog.io.exports.select_inputs`): a Strava
    export's tables, Apple Health route files and JSON files are not inputs. A zip that cannot
    be opened, and a path that cannot even be stat-ed (under a folder without permission), is
    kept as given, so that reading it reports why. Subfolders that cannot be listed are skipped
    with a message in ``warnings``.
    """
    from lactlog.io import container

    limit = MAX_DECOMPRESSED_BYTES if max_decompressed_bytes is None else max_decompressed_bytes
    found: list[Path] = []
    for path in paths:
        try:
            folder = path.is_dir()
        except OSError:  # PermissionError from a folder above it
            folder = False
        if folder:
            for file in container.folder_inputs(path, warnings):
                found.extend(container.expand_zip(file, limit))
        else:
            found.extend(container.expand_zip(path, limit))
    return found
