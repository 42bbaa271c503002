"""Which files of a folder or zip are workout inputs, knowing how bulk exports are laid out.

The same rules apply to a folder unpacked by hand and to the zip itself (names are relative,
``/``-separated):

* **Strava** (a folder holding ``activities.csv`` and ``activities/``): the activity files are
  inputs; ``activities.csv`` and the export's other tables beside it (``profile.csv``,
  ``bikes.csv``...) are not — ``activities.csv`` is read for each activity's name and type
  (:mod:`lactlog.io.strava`).
* **Garmin Connect** (``DI_CONNECT/...``): the ``UploadedFiles_*_Part*.zip`` zips are inputs
  (followed into, see :mod:`lactlog.io.archive`); its JSON files are not inputs.
* **Apple Health** (a folder holding an ``export.xml`` that is a HealthData document): the
  ``export.xml`` is an input; ``workout-routes/*.gpx`` are joined to its workouts instead of
  being inputs of their own, and ``electrocardiograms/*.csv`` are not workouts.
* Everywhere: macOS resource-fork copies (``__MACOSX/``, ``._name``) are skipped.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable

#: Extensions of workout files (case-insensitive).
WORKOUT_SUFFIXES: tuple[str, ...] = (
    ".fit", ".fit.gz", ".tcx", ".tcx.gz", ".gpx", ".gpx.gz", ".csv"
)
#: Name of Strava's activity table and of the folder of activity files beside it.
STRAVA_TABLE = "activities.csv"
STRAVA_FOLDER = "activities"
#: Apple Health's export document and the folders beside it that are not inputs.
APPLE_EXPORT = "export.xml"
APPLE_NOT_INPUTS: tuple[str, ...] = ("workout-routes", "electrocardiograms")


def is_apple_health(head: bytes) -> bool:
    """Whether a document starting with ``head`` (its first KB or so) is an Apple Health export."""
    return b"<!DOCTYPE HealthData" in head or b"<HealthData" in head


def select_inputs(names: Iterable[str], head: Callable[[str], bytes]) -> list[str]:
    """The input names among ``names`` (sorted), by the rules in the module docstring.

    ``head(name)`` returns the first bytes of a file; it is only called for ``export.xml`` files.
    """
    names = sorted(n for n in names if not _is_junk(n))
    strava_roots = {
        _folder(n) for n in names
        if posixpath.basename(n).lower() == STRAVA_TABLE
        and any(m.startswith(_join(_folder(n), STRAVA_FOLDER) + "/") for m in names)
    }
    apple_roots = {
        _folder(n) for n in names
        if posixpath.basename(n).lower() == APPLE_EXPORT and is_apple_health(head(n))
    }
    selected = []
    for name in names:
        lowered = name.lower()
        folder = _folder(name)
        if lowered.endswith(".csv") and folder in strava_roots:
            continue  # the export's tables, not workouts
        if any(_inside(name, _join(root, skip)) for root in apple_roots for skip in APPLE_NOT_INPUTS):
            continue
        if posixpath.basename(lowered) == APPLE_EXPORT:
            if folder in apple_roots:
                selected.append(name)
            continue
        if lowered.endswith((*WORKOUT_SUFFIXES, ".zip")):
            selected.append(name)
    return selected


def strava_table_key(member_name: str) -> tuple[str, str] | None:
    """(name of the ``activities.csv`` beside it, the key of its row there) for a file named
    ``[ROOT/]activities/FILE``; None for any other name. The table names and types the file
    (:mod:`lactlog.io.strava`, imported only for such a file)."""
    folder, _, file = member_name.rpartition("/")
    root, _, last = folder.rpartition("/")
    if last.lower() != STRAVA_FOLDER or not file:
        return None
    table = f"{root}/{STRAVA_TABLE}" if root else STRAVA_TABLE
    return table, f"{STRAVA_FOLDER}/{file}".lower()


def _is_junk(name: str) -> bool:
    parts = name.split("/")
    return "__MACOSX" in parts or parts[-1].startswith("._")


def _folder(name: str) -> str:
    return posixpath.dirname(name)


def _join(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


def _inside(name: str, folder: str) -> bool:
    return name.startswith(folder + "/")
