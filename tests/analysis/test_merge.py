"""Merging a lifting-app log with the watch's recording of the same workout.

The sample pair is one workout (Europe/Berlin, UTC+1): the Garmin FIT starts 17:05 UTC (its
``utc_offset_s`` is 3600), the Strong CSV says 18:05 local wall time.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lactlog
from lactlog.analysis.merge import (
    exercise_tokens,
    merge_strength,
    name_similarity,
    strength_pairs,
)
from lactlog.analysis.strength import analyse_sets, analyse_strength
from lactlog.model import Activity
from lactlog.settings import Settings

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
S = Settings()
BERLIN_WINTER_S = 3600


@pytest.fixture(scope="module")
def sessions() -> list[Activity]:
    """[watch, Strong 2026-11-20 (same workout), Strong 2026-11-22 (another day)]."""
    return (lactlog.read(SAMPLE / "2026-11-20-strength.fit")
            + lactlog.read(SAMPLE / "2026-11-21-strong.csv"))


def _with_sets(activity: Activity, sets: pd.DataFrame) -> Activity:
    return replace(activity, sets=sets.reset_index(drop=True))


def test_sample_pair_is_found(sessions: list[Activity]) -> None:
    assert strength_pairs(sessions, S.merge_tolerance_s, lambda app: BERLIN_WINTER_S) == [(0, 1)]
    # No offset from the caller: the watch file's own utc_offset_s (3600) is used.
    assert strength_pairs(sessions, S.merge_tolerance_s, lambda app: None) == [(0, 1)]


def test_pairing_needs_the_time_zone(sessions: list[Activity]) -> None:
    """Read as UTC the app starts 18:05, 16 min after the watch stopped (17:48:50)."""
    assert strength_pairs(sessions, 60, lambda app: 0) == []
    assert strength_pairs(sessions, 60, lambda app: BERLIN_WINTER_S) == [(0, 1)]


def test_overlapping_ranges_pair_beyond_the_tolerance(sessions: list[Activity]) -> None:
    watch, app = sessions[0], sessions[1]
    late = replace(app, meta=replace(app.meta, start=app.meta.start + timedelta(minutes=20)))
    assert strength_pairs([watch, late], 60, lambda a: BERLIN_WINTER_S) == [(0, 1)]
    unknown_length = replace(late, device_summary=replace(late.device_summary, elapsed_s=None))
    assert strength_pairs([watch, unknown_length], 60, lambda a: BERLIN_WINTER_S) == []


def test_each_session_in_one_pair_closest_first(sessions: list[Activity]) -> None:
    watch, app = sessions[0], sessions[1]
    later_watch = replace(watch, meta=replace(watch.meta, start=watch.meta.start
                                              + timedelta(minutes=10)))
    pairs = strength_pairs([later_watch, app, watch], 900, lambda a: BERLIN_WINTER_S)
    assert pairs == [(2, 1)]


def test_merge_sample_pair(sessions: list[Activity]) -> None:
    watch, app = sessions[0], sessions[1]
    app = _with_sets(app, app.sets.assign(rpe=[8.0, 8.5, 9.0, 10.0] * 4))  # RPE logged
    merged = merge_strength(watch, app, BERLIN_WINTER_S)
    assert merged.matched_sets == 16
    assert merged.unmatched_watch_sets.empty and merged.unmatched_app_sets.empty
    activity = merged.activity
    assert activity.meta.product == "fr965 + Strong"
    assert activity.meta.utc_offset_s == 3600
    assert "18:05 local = 17:05 UTC" in activity.meta.warnings[-1]
    assert activity.samples is watch.samples
    table = analyse_sets(activity, S)
    assert table["exercise"].unique().tolist() == [
        "Squat (Barbell)", "Bench Press (Barbell)", "Bent Over Row (Barbell)",
        "Romanian Deadlift (Barbell)"]
    assert table["rpe"].tolist() == [8.0, 8.5, 9.0, 10.0] * 4  # from the app
    assert table["rest_after_s"].tolist() == [98, 77, 85, 275, 75, 94, 95, 282, 45, 45, 45,
                                              257, 62, 84, 88, 180]  # from the watch
    assert table["max_heart_rate_bpm"].notna().all()
    assert table["weight_kg"].iloc[:4].tolist() == [60.0, 80.0, 80.0, 80.0]
    assert activity.sets["set_source"].dropna().eq("watch+app").all()
    for column in ("set_order", "app_set_type", "notes", "exercise_title"):
        assert column in activity.sets.columns


def test_merged_sample_analysis(sessions: list[Activity]) -> None:
    """The sample pair as logged (no RPE in the app): the verdict rests on the watch's rest."""
    analysis = analyse_strength(merge_strength(sessions[0], sessions[1], 3600).activity, S)
    assert analysis.n_sets == 16 and analysis.sets_with_rest == 16 and analysis.sets_with_rpe == 0
    assert analysis.volume_load_kg == 8755.0
    assert analysis.verdict.level == "moderate"
    assert analysis.verdict.reasons[:3] == (
        "RPE missing: verdict from rest and reps only",
        ("9 of 16 sets with short rest (≤ 90 s), ≥ 12 reps or BFR; effort unknown, so at most "
         "moderate"),
        "median rest 86 s",
    )


def test_extra_app_set_is_listed_and_kept(sessions: list[Activity]) -> None:
    watch, app = sessions[0], sessions[1]
    extra = app.sets.iloc[[3]].assign(set_order="5", repetitions=6.0)
    sets = pd.concat([app.sets.iloc[:4], extra, app.sets.iloc[4:]])
    merged = merge_strength(watch, _with_sets(app, sets), BERLIN_WINTER_S)
    assert merged.matched_sets == 16
    assert merged.unmatched_watch_sets.empty
    lone = merged.unmatched_app_sets[["exercise_title", "set_order", "repetitions"]]
    assert lone.values.tolist() == [["Squat (Barbell)", "5", 6.0]]
    last = merged.activity.sets.iloc[-1]
    assert last["set_source"] == "app" and pd.isna(last["start"])
    table = analyse_sets(merged.activity, S)
    assert len(table) == 17 and math.isnan(table["rest_after_s"].iloc[-1])
    assert table["rest_after_s"].iloc[15] == 180  # the watch's last rest is still its own
    assert "0 watch and 1 app sets found no partner" in merged.activity.meta.warnings


def test_extra_watch_set_is_listed(sessions: list[Activity]) -> None:
    watch, app = sessions[0], sessions[1]
    merged = merge_strength(watch, _with_sets(app, app.sets.drop(index=7)), BERLIN_WINTER_S)
    assert merged.matched_sets == 15
    assert merged.unmatched_watch_sets.index.tolist() == [15]  # 4th bench-press set
    assert merged.unmatched_app_sets.empty
    assert merged.activity.sets.loc[15, "set_source"] == "watch"


def test_exercises_matched_by_name_not_position(sessions: list[Activity]) -> None:
    watch, app = sessions[0], sessions[1]
    bench_first = pd.concat([app.sets.iloc[4:8], app.sets.iloc[:4], app.sets.iloc[8:]])
    table = analyse_sets(merge_strength(watch, _with_sets(app, bench_first), 3600).activity, S)
    assert table["exercise"].iloc[0] == "Squat (Barbell)"  # watch order, app names
    assert table["weight_kg"].iloc[4:8].tolist() == [50.0, 62.5, 62.5, 62.5]


def test_unnamed_watch_sets_matched_by_order(sessions: list[Activity]) -> None:
    watch, app = sessions[0], sessions[1]
    unnamed = watch.sets.assign(exercise_category=None, exercise_name=None)
    merged = merge_strength(_with_sets(watch, unnamed), app, 3600)
    assert merged.matched_sets == 16
    table = analyse_sets(merged.activity, S)
    assert table["exercise"].iloc[[0, 4, 8, 12]].tolist() == [
        "Squat (Barbell)", "Bench Press (Barbell)", "Bent Over Row (Barbell)",
        "Romanian Deadlift (Barbell)"]


def test_name_tokens_and_similarity() -> None:
    squat = exercise_tokens("squat", "barbell_back_squat")
    assert squat == {"squat", "barbell", "back"}
    assert exercise_tokens("Bent Over Row (Barbell)") == {"bent", "over", "row", "barbell"}
    assert exercise_tokens("Standing Calf Raises") == {"standing", "calf", "raise"}
    assert name_similarity(squat, exercise_tokens("Squat (Barbell)")) == 0.5  # {squat}/{squat, back}
    assert name_similarity(exercise_tokens("bench_press", "barbell_bench_press"),
                           exercise_tokens("Bench Press (Barbell)")) == 1.0
    assert name_similarity(squat, exercise_tokens("Bench Press (Barbell)")) == 0.0  # barbell only
    assert name_similarity(frozenset(), frozenset()) == 0.0
    assert np.isclose(name_similarity(squat, exercise_tokens("Bulgarian Split Squat")), 0.25)


def test_unnamed_run_between_named_exercises(sessions: list[Activity]) -> None:
    """Watch knows squat and RDL but not bench/row (8 sets in a row): those take the app's
    remaining exercises in order."""
    watch, app = sessions[0], sessions[1]
    sets = watch.sets.copy()
    middle = sets.index[(sets["exercise_category"].isin(["bench_press", "row"]))]
    sets.loc[middle, ["exercise_category", "exercise_name"]] = None
    merged = merge_strength(_with_sets(watch, sets), app, 3600)
    assert merged.matched_sets == 16
    table = analyse_sets(merged.activity, S)
    assert table["exercise"].iloc[[0, 4, 8, 12]].tolist() == [
        "Squat (Barbell)", "Bench Press (Barbell)", "Bent Over Row (Barbell)",
        "Romanian Deadlift (Barbell)"]


def test_app_start_without_any_offset_follows_the_local_time_rule(
    sessions: list[Activity], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No profile zone and no watch offset: the app's wall time is local time of this computer
    (lactlog.localtime's rule for wall-clock times), not UTC."""
    import time

    from lactlog.analysis.merge import app_start_utc

    app = sessions[1]  # Strong, 18:05 wall time
    assert app.meta.wall_clock
    try:
        monkeypatch.setenv("TZ", "Europe/Berlin")
        time.tzset()
        assert app_start_utc(app, None).isoformat() == "2026-11-20T17:05:00+00:00"
        assert app_start_utc(app, 0).isoformat() == "2026-11-20T18:05:00+00:00"
        monkeypatch.setenv("TZ", "UTC")
        time.tzset()
        assert app_start_utc(app, None).isoformat() == "2026-11-20T18:05:00+00:00"
    finally:
        monkeypatch.undo()
        time.tzset()
