"""A batch's decoded sessions kept on disk between its two passes, so each file is read once.

The first pass reads every file for its best efforts; the second summarises the files whose
sessions use the history thresholds (:func:`~lactlog.analysis.session.uses_history`), which
only the whole first pass gives. Reading a one-hour FIT file again (decoding it and building
its :class:`~lactlog.model.Activity`) is about a third of the ~20 ms CPU the file costs in
both passes; loading the first pass's activities back from a pickle costs a few percent of
that. The activities are numpy columns (:class:`~lactlog.table.Table`), so the pickle is about
the size of the samples' arrays.

Bounds: the spill lives in a private temporary directory in the cache's folder (lactlog writes
nowhere else), which the batch removes when it ends, on an error or Ctrl-C too (a process killed
outright leaves a ``spill-*`` folder there, which ``lactlog cache clear`` does not see: delete
it by hand); it holds at most :data:`SPILL_BUDGET_BYTES` in all, as each of the batch's files
may spill at most its share of that budget (a file beyond its share is read again). A spill
that cannot be written or read back (disk full, removed) is simply read again: the spill never
changes a result, it only saves the second read.
"""

from __future__ import annotations

import pickle
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

#: Most bytes a batch's spill holds in all.
SPILL_BUDGET_BYTES = 512 * 2**20
#: Most bytes one file's activities may take in the spill.
SPILL_MAX_FILE_BYTES = 64 * 2**20


class Slot(Protocol):
    """Where one file's first-pass activities wait for the second pass."""

    def save(self, activities: list[Any]) -> None: ...

    def load(self) -> list[Any] | None: ...


@dataclass(frozen=True, eq=False)
class SpillSlot:
    """Where one file's first-pass activities go, and how large they may be [bytes]."""

    path: Path
    max_bytes: int

    def save(self, activities: list[Any]) -> None:
        """Write the activities if they fit (else, or when they cannot be written, nothing)."""
        try:
            data = pickle.dumps(activities, protocol=pickle.HIGHEST_PROTOCOL)
            if len(data) <= self.max_bytes:
                self.path.write_bytes(data)
        except Exception:  # noqa: BLE001 — whatever fails, the second pass reads the file
            self.path.unlink(missing_ok=True)

    def load(self) -> list[Any] | None:
        """The activities saved by the first pass, removed from the spill; None if there are
        none (not spilled, too large, or not readable)."""
        try:
            data = self.path.read_bytes()
        except OSError:
            return None
        self.path.unlink(missing_ok=True)
        try:  # our own file, in a directory of mode 0700
            activities: list[Any] = pickle.loads(data)
        except Exception:  # noqa: BLE001 — whatever fails, the second pass reads the file
            return None
        return activities


class MemorySlot:
    """The slot of a batch of one file: its activities stay in memory between the passes (both
    passes run in this process, and the activities are in memory during either one anyway), so
    nothing is pickled, written or read back."""

    def __init__(self) -> None:
        self._activities: list[Any] | None = None

    def save(self, activities: list[Any]) -> None:
        self._activities = activities

    def load(self) -> list[Any] | None:
        activities, self._activities = self._activities, None
        return activities


@contextmanager
def spill_slots(n_files: int, folder: Path) -> Iterator[list[Slot]]:
    """One slot per file of a batch of ``n_files``: a :class:`SpillSlot` in a temporary
    directory (mode 0700) in ``folder``, removed on exit (no slots, an empty list, when the
    directory cannot be made); for a batch of one file a :class:`MemorySlot`."""
    if n_files == 0:
        yield []
        return
    if n_files == 1:
        yield [MemorySlot()]
        return
    import tempfile  # not for a batch of one file

    try:
        folder.mkdir(parents=True, exist_ok=True)
        directory = Path(tempfile.mkdtemp(prefix="spill-", dir=folder))
    except OSError:
        yield []
        return
    share = min(SPILL_MAX_FILE_BYTES, SPILL_BUDGET_BYTES // n_files)
    try:
        yield [SpillSlot(directory / f"{index}.pickle", share) for index in range(n_files)]
    finally:
        shutil.rmtree(directory, ignore_errors=True)
