"""Zip archives (bulk exports) read in place: members streamed, never extracted to disk.

A file inside a zip is named ``ARCHIVE:MEMBER`` — the archive's path, a colon, and the member's
name inside it, e.g. ``export.zip:activities/123.fit.gz``. A zip inside a zip adds one more
``:MEMBER``: ``export.zip:DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0_Part1.zip:a.fit``.
Such names are what :func:`~lactlog.io.find_inputs` returns, what sessions carry as ``source``
and what :func:`~lactlog.io.read` accepts; the split is made after each ``.zip:`` (case
insensitive), so the archive part must end in ``.zip``.

Limits (the gzip ones, plus two that only a zip needs):

* a member may decompress to at most ``max_decompressed_bytes`` (checked against the size the
  zip declares *and* while decompressing, so a member that lies about its size cannot pass);
* a member larger than :data:`RATIO_FLOOR_BYTES` may not be compressed more than
  :data:`MAX_COMPRESSION_RATIO` : 1 (deflate cannot exceed about 1032 : 1; real FIT, GPX and XML
  files stay far below 100 : 1, zip bombs sit near the maximum);
* members may not share compressed bytes (overlapping entries: the sum of their compressed
  sizes cannot exceed the archive's size);
* zips nest at most :data:`MAX_NESTING` deep.

Streamed members (an Apple Health ``export.xml``, which is often several GB) are read in chunks
and are not held in memory, so only the ratio limit applies to them.

The names (:class:`MemberPath`, :func:`split_member`) live in :mod:`lactlog.io.member_path`,
which a read of a plain file needs without this module.
"""

from __future__ import annotations

import io
import lzma
import os
import posixpath
import struct
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from lactlog.errors import CorruptFileError, InputError, InputTooLargeError, UnsupportedFormatError
from lactlog.io.member_path import (  # noqa: F401 - MEMBER_SEPARATOR, outer_archive: re-exported
    MEMBER_SEPARATOR,
    MemberPath,
    is_zip,
    outer_archive,
    split_member,
)

#: Zips inside zips are followed this many levels deep (a Garmin export needs 2).
MAX_NESTING = 3
#: Largest compressed-to-decompressed ratio accepted for a member above the floor.
MAX_COMPRESSION_RATIO = 200
#: Members smaller than this [bytes] are not ratio-checked (a tiny file cannot be a bomb).
RATIO_FLOOR_BYTES = 8 * 2**20
#: Zip archives kept open per process (workers read many members of the same archive in a row).
_OPEN_ARCHIVES = 4
_CHUNK_BYTES = 1 << 20

#: What zipfile raises on a damaged archive (besides OSError).
_ZIP_ERRORS: tuple[type[Exception], ...] = (
    zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, struct.error, OverflowError,
    NotImplementedError,  # a member needing a newer zip version or an unknown method
)
#: What reading a member can raise besides: OSError (a damaged directory can point before the
#: file's start; bz2 reports damage as OSError too), RuntimeError (zipfile's "password required").
_MEMBER_ERRORS: tuple[type[Exception], ...] = (
    *_ZIP_ERRORS, zlib.error, lzma.LZMAError, OSError, RuntimeError,
)


# -- opening archives and members ------------------------------------------------------------


class _ArchiveMemo:
    """The few most recently used open archives of this process, keyed by what identifies their
    content (path and stat of the file on disk; for a nested zip, its parent and name), per
    process."""

    def __init__(self) -> None:
        self._open: OrderedDict[tuple, zipfile.ZipFile] = OrderedDict()
        self._pid = os.getpid()

    def get(self, key: tuple, opener: Callable[[], zipfile.ZipFile]) -> zipfile.ZipFile:
        if self._pid != os.getpid():
            # a forked worker: its inherited archives share file offsets with the parent's,
            # so concurrent reads would interleave; open its own
            self._open, self._pid = OrderedDict(), os.getpid()
        found = self._open.get(key)
        if found is None:
            found = self._open[key] = opener()
            while len(self._open) > _OPEN_ARCHIVES:
                _, oldest = self._open.popitem(last=False)
                oldest.close()
        self._open.move_to_end(key)
        return found


_MEMO = _ArchiveMemo()


def open_zip(archive: Path, chain: tuple[str, ...], max_decompressed_bytes: int) -> zipfile.ZipFile:
    """The zip at ``archive`` or, with ``chain``, the zip nested inside it along those names.

    Raises
    ------
    InputError
        Not a zip, damaged, nested too deep, or a nested zip over the limits.
    """
    if len(chain) >= MAX_NESTING:
        raise UnsupportedFormatError(
            f"zips nested more than {MAX_NESTING} deep; lactlog does not follow them further"
        )
    try:
        stat = archive.stat()
    except OSError as exc:
        raise InputError(f"cannot read the archive ({exc.strerror or exc})") from None
    key: tuple = (os.path.abspath(archive), stat.st_size, stat.st_mtime_ns, *chain)
    if not chain:
        return _MEMO.get(key, lambda: _checked_zip(lambda: open(archive, "rb"), stat.st_size))
    parent = open_zip(archive, chain[:-1], max_decompressed_bytes)
    data = read_member_bytes(parent, chain[-1], max_decompressed_bytes)
    return _MEMO.get(key, lambda: _checked_zip(lambda: io.BytesIO(data), len(data)))


def _checked_zip(opener: Callable[[], IO[bytes]], size: int) -> zipfile.ZipFile:
    """Open a zip and refuse overlapping members (a "better zip bomb")."""
    handle = opener()
    try:
        archive = zipfile.ZipFile(handle)
    except _ZIP_ERRORS as exc:
        handle.close()
        raise CorruptFileError(f"not a readable zip archive ({exc})") from None
    except OSError as exc:
        handle.close()
        raise InputError(f"cannot read the archive ({exc.strerror or exc})") from None
    if sum(info.compress_size for info in archive.infolist()) > size:
        archive.close()
        raise CorruptFileError(
            "zip members overlap (their compressed sizes add up to more than the archive): "
            "a zip bomb; refusing to read it"
        )
    return archive


def _member_info(archive: zipfile.ZipFile, name: str) -> zipfile.ZipInfo:
    try:
        return archive.getinfo(name)
    except KeyError:
        normal = {posixpath.normpath(n): n for n in archive.namelist()}
        if posixpath.normpath(name) in normal:
            return archive.getinfo(normal[posixpath.normpath(name)])
        raise InputError(f"no member {name!r} in the archive") from None


def check_member(info: zipfile.ZipInfo, max_bytes: int | None) -> None:
    """Refuse a member by what the archive declares: encrypted, too large, or too compressed.

    ``max_bytes`` None: the member is streamed, only the ratio is checked.
    """
    if info.flag_bits & 0x1:
        raise UnsupportedFormatError("the member is encrypted; lactlog reads unencrypted zips")
    if max_bytes is not None and info.file_size > max_bytes:
        raise InputTooLargeError(_too_large(max_bytes, declared=True))
    if info.file_size > RATIO_FLOOR_BYTES:
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > MAX_COMPRESSION_RATIO:
            raise InputTooLargeError(
                f"compressed {ratio:,.0f} : 1 (limit {MAX_COMPRESSION_RATIO} : 1): a zip bomb, "
                "not a workout file; refusing to decompress it"
            )


def _too_large(max_bytes: int, declared: bool) -> str:
    from lactlog.io import megabytes

    how = "is declared to decompress" if declared else "decompresses"
    return (
        f"{how} to more than {megabytes(max_bytes)} (the limit); refusing to read it "
        "(if it is genuine: lactlog config set settings.max_decompressed_mb N)"
    )


@contextmanager
def member_stream(
    archive: zipfile.ZipFile, name: str, max_bytes: int | None
) -> Iterator[IO[bytes]]:
    """An open binary stream of one member, after :func:`check_member`; zip errors raised while
    reading it become :class:`~lactlog.errors.CorruptFileError`."""
    info = _member_info(archive, name)
    check_member(info, max_bytes)
    try:
        with archive.open(info) as stream:
            yield stream
    except NotImplementedError as exc:
        raise UnsupportedFormatError(f"zip member in an unsupported compression ({exc})") from None
    except _MEMBER_ERRORS as exc:
        raise CorruptFileError(f"damaged zip member ({exc})") from None


def read_member_bytes(archive: zipfile.ZipFile, name: str, max_bytes: int) -> bytes:
    """All bytes of one member, never more than ``max_bytes`` (whatever its header says)."""
    with member_stream(archive, name, max_bytes) as stream:
        parts, total = [], 0
        while chunk := stream.read(min(_CHUNK_BYTES, max_bytes + 1 - total)):
            parts.append(chunk)
            total += len(chunk)
            if total > max_bytes:
                raise InputTooLargeError(_too_large(max_bytes, declared=False))
        return b"".join(parts)


# -- which members are inputs ----------------------------------------------------------------


def member_inputs(path: MemberPath | Path, max_decompressed_bytes: int) -> list[MemberPath]:
    """The inputs inside a zip (nested zips expanded), in name order.

    A nested zip that cannot be opened is returned itself, so that reading it reports why.

    Raises
    ------
    InputError
        The archive itself (``path``) cannot be opened.
    """
    from lactlog.io.exports import select_inputs

    member = path if isinstance(path, MemberPath) else MemberPath(Path(path), ())
    archive = open_zip(member.archive, member.members, max_decompressed_bytes)
    files = [info.filename for info in archive.infolist() if not info.is_dir()]

    def head(name: str) -> bytes:
        try:
            with member_stream(archive, name, None) as stream:
                return stream.read(4096)
        except InputError:
            return b""

    found: list[MemberPath] = []
    for name in select_inputs(files, head):
        inner = member.child(name)
        if name.lower().endswith(".zip"):
            try:
                found.extend(member_inputs(inner, max_decompressed_bytes))
            except InputError:
                found.append(inner)
        else:
            found.append(inner)
    return found
