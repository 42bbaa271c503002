"""Names of files inside zip archives (``ARCHIVE:MEMBER``, see :mod:`lactlog.io.archive`),
without the zip machinery: every read and every cache key asks whether a path names a member,
and a path that does not needs neither :mod:`zipfile` nor the archive limits.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

#: Separator between an archive and a member in a member path.
MEMBER_SEPARATOR = ":"
_ZIP_SPLIT = re.compile(r"\.zip" + re.escape(MEMBER_SEPARATOR), re.IGNORECASE)
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


@dataclass(frozen=True)
class MemberPath:
    """A file inside a zip: the archive on disk and the chain of member names (zips inside zips
    first, the file itself last)."""

    archive: Path
    members: tuple[str, ...]

    def __str__(self) -> str:
        return MEMBER_SEPARATOR.join((str(self.archive), *self.members))

    def child(self, name: str) -> MemberPath:
        """The member ``name`` of this member (which is a zip)."""
        return MemberPath(self.archive, (*self.members, name))


def split_member(path: str | Path) -> MemberPath | None:
    """``ARCHIVE:MEMBER[:MEMBER...]`` as a :class:`MemberPath`; None when ``path`` is not a
    member path (no ``.zip:`` in it, or no such archive file on disk). Only stats the archive."""
    text = str(path)
    if os.path.exists(text):
        return None
    for match in _ZIP_SPLIT.finditer(text):
        archive = text[: match.start() + 4]
        if os.path.isfile(archive):
            rest = text[match.end() :]
            members, start = [], 0
            for inner in _ZIP_SPLIT.finditer(rest):
                members.append(rest[start : inner.start() + 4])
                start = inner.end()
            members.append(rest[start:])
            if all(members):
                return MemberPath(Path(archive), tuple(members))
    return None


def outer_archive(path: str | Path) -> Path | None:
    """The zip file on disk that holds ``path`` when it is a member path, else None."""
    member = split_member(path)
    return None if member is None else member.archive


def is_zip(head: bytes) -> bool:
    """Whether content starting with ``head`` is a zip archive (local header or empty zip)."""
    return head[:4] in _ZIP_MAGIC
