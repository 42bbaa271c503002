"""Strava's activities.csv: columns found by header in several languages, else by content."""

from __future__ import annotations

import pytest

from lactlog.io.exports import strava_table_key
from lactlog.io.strava import (
    StravaEntry,
    is_activities_table,
    parse_activities_table,
    sport_of_type,
)

GERMAN = (
    "Aktivitäts-ID,Aktivitätsdatum,Name der Aktivität,Aktivitätsart,Beschreibung der Aktivität,"
    "Verstrichene Zeit,Distanz,Dateiname\n"
    '11,"01.05.2024, 07:00:00",Morgenlauf,Lauf,"zwei\nZeilen",1800,6.0,activities/11.fit.gz\n'
    '12,"02.05.2024, 07:00:00",Feierabendrunde,Radfahrt,,3600,30.0,activities/12.GPX.gz\n'
    '13,"03.05.2024, 07:00:00",Laufband,Lauf,,1200,3.0,\n'
).encode("utf-8-sig")  # Strava writes a byte-order mark in some exports


def test_german_headers() -> None:
    entries = parse_activities_table(GERMAN)
    assert entries == {
        "activities/11.fit.gz": StravaEntry("Morgenlauf", "Lauf"),
        "activities/12.gpx.gz": StravaEntry("Feierabendrunde", "Radfahrt"),
    }  # the manual activity (no file) is left out; keys are lower case
    assert is_activities_table(GERMAN)


def test_unknown_language_found_by_content_and_position() -> None:
    # headers in a language lactlog does not know; 16 columns, "Filename" moved to the end
    header = ",".join(f"列{i}" for i in range(16))
    row = ["7", "2024-05-01", "朝ラン", "Run"] + [""] * 11 + ["activities/7.tcx"]
    entries = parse_activities_table(f"{header}\n{','.join(row)}\n".encode())
    assert entries == {"activities/7.tcx": StravaEntry("朝ラン", "Run")}
    assert not is_activities_table(f"{header}\n".encode())


def test_not_a_table() -> None:
    assert parse_activities_table(b"time,heart_rate\n1,120\n") == {}
    assert not is_activities_table(b"time,heart_rate\n1,120\n")


@pytest.mark.parametrize(
    ("activity_type", "expected"),
    [
        ("Run", ("running", None)), ("Trail Run", ("running", None)), ("Lauf", ("running", None)),
        ("Course à pied", ("running", None)), ("Ride", ("cycling", None)),
        ("Virtual Ride", ("cycling", None)), ("Radfahrt", ("cycling", None)),
        ("Swim", ("swimming", None)), ("Walk", ("walking", None)), ("Hike", ("hiking", None)),
        ("Wanderung", ("hiking", None)), ("Rowing", ("rowing", None)),
        ("Weight Training", ("training", "strength_training")),
        ("Krafttraining", ("training", "strength_training")), ("Workout", ("training", None)),
        ("Kitesurf", None), ("", None),
    ],
)
def test_sport_of_type(activity_type: str, expected) -> None:
    assert sport_of_type(activity_type) == expected


def test_strava_table_key() -> None:
    assert strava_table_key("export_1/activities/11.FIT.gz") == (
        "export_1/activities.csv", "activities/11.fit.gz")
    assert strava_table_key("activities/11.fit") == ("activities.csv", "activities/11.fit")
    assert strava_table_key("rides/11.fit") is None
