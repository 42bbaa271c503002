"""Strava bulk export: the ``activities.csv`` table that names and types each activity file.

A Strava export ("Download or Delete Your Account" → "Request your archive") holds
``activities.csv`` and a folder ``activities/`` of ``<id>.fit.gz|.gpx.gz|.tcx.gz|.fit|.gpx|.tcx``
files. The table's headers are in the account's language and its columns vary between exports
(about 12 in old ones, over 80 in recent ones, some names repeated), so columns are found by
their header in several languages, else by their content (the file name column holds
``activities/...``), else by position (Strava always starts with ID, date, name, type).

:func:`annotate` gives the activities read from a listed file the table's name and sport; the
table itself is never an input (:mod:`lactlog.io.exports`).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only: the cache names a Strava table without the model
    from lactlog.model import Activity

#: Header texts (lower case) of the columns used, in the languages Strava exports in.
_HEADERS: dict[str, frozenset[str]] = {
    "name": frozenset({
        "activity name", "name der aktivität", "aktivitätsname", "nom de l'activité",
        "nome attività", "nombre de la actividad", "naam activiteit", "activiteitnaam",
        "nome da atividade",
    }),
    "type": frozenset({
        "activity type", "aktivitätsart", "aktivitätstyp", "type d'activité", "tipo di attività",
        "tipo de actividad", "activiteittype", "type activiteit", "tipo de atividade",
    }),
    "filename": frozenset({
        "filename", "dateiname", "nom du fichier", "nome file", "nombre de archivo",
        "nombre del archivo", "bestandsnaam", "nome do arquivo",
    }),
    "id": frozenset({
        "activity id", "aktivitäts-id", "id de l'activité", "id attività", "id de la actividad",
        "activiteit-id", "id da atividade",
    }),
}
#: Where Strava puts name and type when no header is recognised (0-based column).
_POSITIONS = {"name": 2, "type": 3}
_FILE_VALUE = re.compile(r"^activities/[^/]+\.(fit|tcx|gpx)(\.gz)?$", re.IGNORECASE)

#: Activity type words (lower case, English and the export languages) → (sport, sub_sport),
#: first match wins: strength before "training", hiking before running ("Wanderung" holds
#: "run"), "virtual ride" is a ride.
_TYPE_WORDS: tuple[tuple[tuple[str, ...], tuple[str, str | None]], ...] = (
    (("weight", "kraft", "muscu", "poids", "pesas", "pesi", "kracht", "crossfit"),
     ("training", "strength_training")),
    (("hike", "wander", "randonn", "escursion", "senderismo", "trektocht"), ("hiking", None)),
    (("run", "lauf", "course", "carrera", "corsa", "hardloop", "corrida"), ("running", None)),
    (("ride", "radfahrt", "vélo", "velo", "bici", "fiets", "cycl", "ciclismo", "pedal"),
     ("cycling", None)),
    (("swim", "schwimm", "natation", "nuoto", "natación", "zwem", "natação"), ("swimming", None)),
    (("walk", "spazier", "gehen", "marche", "camminata", "caminata", "wandel", "caminhada"),
     ("walking", None)),
    (("row", "ruder", "aviron", "canottaggio", "remo", "roei"), ("rowing", None)),
    (("workout", "training", "entraînement", "allenamento", "entrenamiento"), ("training", None)),
)


@dataclass(frozen=True)
class StravaEntry:
    """One row of ``activities.csv``: the activity's name and its type as Strava shows it."""

    name: str | None
    activity_type: str | None


def is_activities_table(head: bytes) -> bool:
    """Whether a CSV starting with ``head`` is Strava's ``activities.csv`` (by its header)."""
    first = head.decode("utf-8-sig", errors="replace").splitlines()[:1]
    if not first:
        return False
    try:
        header = next(csv.reader(first))
    except csv.Error:
        return False
    names = {h.strip().lower() for h in header}
    return bool(names & _HEADERS["id"]) and bool(names & (_HEADERS["filename"] | _HEADERS["type"]))


@lru_cache(maxsize=8)
def parse_activities_table(data: bytes) -> dict[str, StravaEntry]:
    """Rows of ``activities.csv`` keyed by their file name (``activities/123.fit.gz``, lower case).

    Rows without a file (manual activities) are left out; an unreadable table gives no rows.
    """
    text = data.decode("utf-8-sig", errors="replace")
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        return {}
    if len(rows) < 2:
        return {}
    header, body = rows[0], rows[1:]
    columns = _find_columns(header, body)
    if "filename" not in columns:
        return {}
    entries: dict[str, StravaEntry] = {}
    for row in body:
        file = _cell(row, columns["filename"])
        if file:
            entries[file.lower()] = StravaEntry(
                _cell(row, columns.get("name")), _cell(row, columns.get("type"))
            )
    return entries


def _find_columns(header: list[str], body: list[list[str]]) -> dict[str, int]:
    """Column index of each role: by header, else by content (file name), else by position."""
    lowered = [h.strip().lower() for h in header]
    found = {}
    for role, texts in _HEADERS.items():
        index = next((i for i, h in enumerate(lowered) if h in texts), None)
        if index is not None:
            found[role] = index
    if "filename" not in found:
        sample = body[:50]
        for index in range(len(header)):
            values = [r[index] for r in sample if len(r) > index and r[index]]
            if values and all(_FILE_VALUE.match(v) for v in values):
                found["filename"] = index
                break
    for role, index in _POSITIONS.items():
        if role not in found and len(header) > index:
            found[role] = index
    return found


def _cell(row: list[str], index: int | None) -> str | None:
    if index is None or index >= len(row):
        return None
    return row[index].strip() or None


def sport_of_type(activity_type: str | None) -> tuple[str, str | None] | None:
    """(FIT sport, sub_sport) of a Strava activity type in any export language; None if unknown.

    >>> sport_of_type("Weight Training")
    ('training', 'strength_training')
    >>> sport_of_type("Radfahrt")
    ('cycling', None)
    """
    text = (activity_type or "").strip().lower()
    if not text:
        return None
    for words, sport in _TYPE_WORDS:
        if any(word in text for word in words):
            return sport
    return None


def annotate(activities: list[Activity], entry: StravaEntry | None) -> list[Activity]:
    """The activities with the table's name and, when its type is known, sport (the file's own
    sub-sport is kept unless the type says strength training)."""
    if entry is None:
        return activities
    sport = sport_of_type(entry.activity_type)
    for activity in activities:
        meta = activity.meta
        changes: dict[str, Any] = {"name": entry.name or meta.name}
        if sport is not None:
            changes["sport"] = sport[0]
            changes["sub_sport"] = sport[1] or meta.sub_sport
        activity.meta = replace(meta, **changes)
    return activities
