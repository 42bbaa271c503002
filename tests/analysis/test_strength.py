"""Strength sets: rest, RIR, flags, effective reps, heart rate, totals and the verdict.

Expected values are hand-computed from the rules in ``lactlog.analysis.strength``'s docstring:
RIR = 10 − RPE (Zourdos et al. 2016), stress = near failure AND (short rest OR high rep OR BFR).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

import lactlog
from lactlog.analysis.stimulus import HIGH, LOW, MODERATE
from lactlog.analysis.strength import (
    TABLE_COLUMNS,
    analyse_sets,
    analyse_strength,
    strength_verdict,
)
from lactlog.model import Activity, ActivityMeta
from lactlog.settings import Settings

S = Settings()  # ≤ 2 RIR near failure, ≥ 12 reps, ≤ 90 s rest, 5 reps; HIGH ≥ 6, MODERATE ≥ 2
SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
T0 = pd.Timestamp("2026-01-05 10:00", tz="UTC")
NA = pd.NA


def _activity(rows: list[dict], samples: pd.DataFrame | None = None) -> Activity:
    """An activity whose sets frame holds ``rows`` (missing columns filled as readers do)."""
    defaults = {"start": pd.NaT, "duration_s": np.nan, "set_type": "active", "repetitions": np.nan,
                "weight_kg": np.nan, "exercise_category": None, "exercise_name": None,
                "set_order": None, "rpe": np.nan, "app_set_type": None, "notes": None,
                "exercise_title": "Curl"}
    frame = pd.DataFrame([{**defaults, **row} for row in rows], columns=list(defaults))
    frame["start"] = pd.to_datetime(frame["start"], utc=True)
    meta = ActivityMeta(source="test", sha256="0", format="csv", sport="training",
                        sub_sport="strength_training", start=T0.to_pydatetime())
    activity = Activity(meta=meta, sets=frame)
    if samples is not None:
        activity.samples = samples
    return activity


def _at(seconds: float) -> pd.Timestamp:
    return T0 + pd.Timedelta(seconds=seconds)


def _rest(seconds: float) -> dict:
    return {"set_type": "rest", "duration_s": seconds, "exercise_title": None}


def _lifts(*specs: tuple[float | None, float, float | None]) -> Activity:
    """Sets (rpe, reps, rest after or None), each followed by a rest row when rest is given."""
    rows: list[dict] = []
    for rpe, reps, rest in specs:
        rows.append({"rpe": np.nan if rpe is None else rpe, "repetitions": reps, "weight_kg": 20.0})
        if rest is not None:
            rows.append(_rest(rest))
    return _activity(rows)


def test_rest_from_fit_rest_sets() -> None:
    rows = [
        {"start": _at(0), "duration_s": 30.0}, {**_rest(90), "start": _at(30)},
        {"start": _at(120), "duration_s": 30.0}, {**_rest(60), "start": _at(150)},
        {**_rest(30), "start": _at(210)},  # two rest rows: 60 + 30 s
        {"start": _at(240), "duration_s": 30.0},
    ]
    rest = analyse_sets(_activity(rows), S)["rest_after_s"]
    assert rest.iloc[:2].tolist() == [90.0, 90.0]
    assert math.isnan(rest.iloc[2])  # last set, nothing after it


def test_rest_from_gaps_between_timed_sets() -> None:
    rows = [{"start": _at(0), "duration_s": 30.0}, {"start": _at(100), "duration_s": 30.0},
            {"start": _at(250), "duration_s": 40.0}, {"start": _at(280), "duration_s": 20.0},
            {"start": _at(400), "duration_s": np.nan}, {"start": pd.NaT, "duration_s": 20.0}]
    rest = analyse_sets(_activity(rows), S)["rest_after_s"].tolist()
    assert rest[:2] == [70.0, 120.0]  # 100 − (0 + 30); 250 − (100 + 30)
    assert math.isnan(rest[2])  # overlap: the next set starts at 280 < 250 + 40
    assert rest[3] == 100.0  # 400 − (280 + 20)
    assert math.isnan(rest[4]) and math.isnan(rest[5])  # duration unknown; start unknown, last


def test_rest_from_strong_rest_timer_rows(tmp_path: Path) -> None:
    csv = tmp_path / "strong.csv"
    header = ("Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,"
              "Notes,Workout Notes,RPE\n")
    row = "2026-01-05 10:00:00,Arms,20m,Curl (Dumbbell),{order},12,{reps},0,{seconds},,,{rpe}\n"
    csv.write_text(header + row.format(order=1, reps=12, seconds=0, rpe=9)
                   + row.format(order="Rest Timer", reps=0, seconds=60, rpe="")
                   + row.format(order=2, reps=12, seconds=0, rpe=9)
                   + row.format(order="Rest Timer", reps=0, seconds=120, rpe="")
                   + row.format(order=3, reps=10, seconds=0, rpe=10), encoding="utf-8")
    (activity,) = lactlog.read(csv)
    table = analyse_sets(activity, S)
    assert len(table) == 3
    assert table["rest_after_s"].iloc[:2].tolist() == [60.0, 120.0]
    assert math.isnan(table["rest_after_s"].iloc[2])


def test_unknown_rest_stays_unknown() -> None:
    activity = _lifts((8, 10, None), (8, 10, None))
    table = analyse_sets(activity, S)
    assert table["rest_after_s"].isna().all()
    analysis = analyse_strength(activity, S)
    assert analysis.median_rest_s is None and analysis.work_rest_ratio is None
    assert analysis.sets_with_rest == 0
    assert "rest unknown (no set timing in the file)" in analysis.unknowns


def test_rir_from_rpe_and_failure_labels() -> None:
    rows = [{"rpe": 8.0}, {"rpe": 8.5}, {"app_set_type": "failure"}, {"set_order": "F"},
            {"rpe": 11.0}, {"rpe": np.nan}, {"rpe": 7.0, "app_set_type": "failure"}]
    rir = analyse_sets(_activity(rows), S)["rir"].tolist()
    assert rir[:4] == [2.0, 1.5, 0.0, 0.0]
    assert math.isnan(rir[4]) and math.isnan(rir[5])  # off the 1–10 scale; not logged
    assert rir[6] == 0.0  # the failure label wins over the RPE


@pytest.mark.parametrize(
    ("rpe", "reps", "rest", "note", "near_failure", "high_rep", "bfr", "stress"),
    [
        (8, 8, 60, None, True, False, False, True),  # near failure + short rest
        (8, 8, 91, None, True, False, False, False),  # rest just above 90 s
        (8, 12, 120, None, True, True, False, True),  # high reps decide
        (8, 8, 120, "BFR cuffs", True, False, True, True),  # occlusion decides
        (8, 8, None, None, True, False, False, NA),  # rest unknown, nothing else: unknown
        (8, 15, None, None, True, True, False, True),  # rest unknown but high reps: true
        (7, 15, 60, None, False, True, False, False),  # 3 RIR: not near failure
        (None, 8, 120, None, NA, False, False, False),  # RIR unknown, OR false: false
        (None, 15, 60, None, NA, True, False, NA),  # RIR unknown, OR true: unknown
        (None, 8, None, None, NA, False, False, NA),
    ],
)
def test_flags_truth_table(rpe, reps, rest, note, near_failure, high_rep, bfr, stress) -> None:
    activity = _lifts((rpe, reps, rest))
    activity.sets.loc[0, "notes"] = note
    row = analyse_sets(activity, S).iloc[0]
    for column, expected in (("near_failure", near_failure), ("high_rep", high_rep),
                             ("metabolic_stress", stress)):
        assert (row[column] is NA) if expected is NA else (row[column] == expected), column
    assert row["bfr"] == bfr


def test_nullable_dtypes() -> None:
    table = analyse_sets(_lifts((8, 8, 60)), S)
    assert list(table.columns) == list(TABLE_COLUMNS)
    for column in ("near_failure", "high_rep", "metabolic_stress"):
        assert table[column].dtype == "boolean"


@pytest.mark.parametrize("text", ["BFR curls", "Blood Flow Restriction Curl", "occlusion",
                                  "KAATSU training", "blood-flow restricted"])
def test_bfr_mentions(text: str) -> None:
    assert analyse_sets(_activity([{"exercise_title": text}]), S)["bfr"].iloc[0]


@pytest.mark.parametrize("text", ["Curl (Dumbbell)", "Bent Over Row", "buffer set"])
def test_no_bfr(text: str) -> None:
    assert not analyse_sets(_activity([{"exercise_title": text}]), S)["bfr"].iloc[0]


def test_effective_reps() -> None:
    # max(0, min(reps, 5 − RIR)): 10 @ RIR 2 -> 3; 2 @ RIR 0 -> 2; 10 @ RIR 6 -> 0; 10 @ 1.5 -> 3.5
    activity = _lifts((8, 10, None), (10, 2, None), (4, 10, None), (8.5, 10, None),
                      (None, 10, None))
    effective = analyse_sets(activity, S)["effective_reps"].tolist()
    assert effective[:4] == [3.0, 2.0, 0.0, 3.5]
    assert math.isnan(effective[4])
    assert analyse_strength(activity, S).effective_reps == 8.5
    strict = replace(S, effective_reps_from_failure=3.0)
    assert analyse_sets(activity, strict)["effective_reps"].iloc[0] == 1.0


def test_heart_rate_during_sets() -> None:
    index = pd.date_range(T0, periods=100, freq="1s", name="time")
    heart_rate = 100.0 + np.arange(100)
    heart_rate[50:53] = np.nan
    samples = pd.DataFrame({"heart_rate_bpm": heart_rate}, index=index)
    rows = [{"start": _at(10), "duration_s": 5.0},  # samples 10..14 (end exclusive): 110..114
            {"start": _at(48), "duration_s": 6.0},  # 48, 49, [50-52 missing], 53 -> 148, 149, 153
            {"start": pd.NaT, "duration_s": 5.0},
            {"start": _at(200), "duration_s": 5.0}]  # after the recording
    table = analyse_sets(_activity(rows, samples), S)
    assert table["avg_heart_rate_bpm"].iloc[0] == 112.0
    assert table["max_heart_rate_bpm"].iloc[0] == 114.0
    assert table["avg_heart_rate_bpm"].iloc[1] == pytest.approx((148 + 149 + 153) / 3)
    assert table["max_heart_rate_bpm"].iloc[1] == 153.0
    assert table["avg_heart_rate_bpm"].iloc[2:].isna().all()


def test_volume_load_excludes_warmups_and_unknown_weights() -> None:
    rows = [{"repetitions": 10, "weight_kg": 20.0, "set_order": "W"},
            {"repetitions": 10, "weight_kg": 50.0}, {"repetitions": 8, "weight_kg": 60.0},
            {"repetitions": 12, "weight_kg": np.nan, "exercise_title": "Pull Up"}]
    analysis = analyse_strength(_activity(rows), S)
    assert analysis.volume_load_kg == 10 * 50 + 8 * 60  # 980 kg
    assert analysis.n_sets == 3 and analysis.n_warmup_sets == 1 and analysis.n_reps == 30
    assert analysis.sets_per_exercise == {"Curl": 2, "Pull Up": 1}
    assert "weight missing on 1 set (not in the volume load)" in analysis.unknowns
    assert analysis.sets[0].warmup and not analysis.sets[1].warmup


def test_warmups_listed_but_not_counted() -> None:
    activity = _activity([{"rpe": 9.0, "repetitions": 15, "app_set_type": "warmup"},
                          {"rpe": 9.0, "repetitions": 15}])
    analysis = analyse_strength(activity, S)
    assert len(analysis.sets) == 2 and analysis.sets[0].metabolic_stress is True
    assert analysis.metabolic_stress_sets == 1 and analysis.near_failure_sets == 1


def _session(stress_sets: int, other_sets: int = 3) -> Activity:
    """``stress_sets`` at RPE 9 with 60 s rest, then ``other_sets`` at RPE 9, 5 reps, 180 s."""
    return _lifts(*[(9, 10, 60)] * stress_sets, *[(9, 5, 180)] * other_sets)


@pytest.mark.parametrize(("stress_sets", "level"),
                         [(6, HIGH), (5, MODERATE), (2, MODERATE), (1, LOW), (0, LOW)])
def test_verdict_boundaries(stress_sets: int, level: str) -> None:
    verdict = analyse_strength(_session(stress_sets), S).verdict
    assert verdict.level == level


def test_verdict_reasons() -> None:
    verdict = analyse_strength(_session(6, 3), S).verdict
    assert verdict.reasons == (
        "9 sets ≤ 2 RIR, 6 of them with short rest (≤ 90 s), ≥ 12 reps or BFR",
        "median rest 60 s",  # 6 × 60 s, 3 × 180 s
    )


def test_verdict_is_configurable() -> None:
    strict = replace(S, strength_high_min_stress_sets=8, strength_moderate_min_stress_sets=3)
    assert analyse_strength(_session(6), strict).verdict.level == MODERATE
    assert analyse_strength(_session(2), strict).verdict.level == LOW


def test_verdict_without_rpe_says_so_and_stops_at_moderate() -> None:
    no_rpe = _lifts(*[(None, 10, 60)] * 8)
    analysis = analyse_strength(no_rpe, S)
    assert analysis.verdict.level == MODERATE  # 8 likely sets would be HIGH with RPE
    assert analysis.verdict.reasons[0] == "RPE missing: verdict from rest and reps only"
    assert analysis.verdict.reasons[1] == (
        "8 of 8 sets with short rest (≤ 90 s), ≥ 12 reps or BFR; effort unknown, so at most "
        "moderate")
    assert "RPE missing on all 8 sets" in analysis.unknowns
    assert analyse_strength(_lifts(*[(None, 5, 180)] * 8), S).verdict.level == LOW
    nothing = analyse_strength(_lifts(*[(None, 5, None)] * 8), S).verdict
    assert nothing.level is None and nothing.reasons[0].startswith("RPE and rest missing")


def test_verdict_names_undecided_sets() -> None:
    """Sample Strong leg day: RPE logged, no rest; 5 stress sets by high reps, 5 undecided."""
    leg_day = lactlog.read(SAMPLE / "2026-11-21-strong.csv")[1]
    analysis = analyse_strength(leg_day, S)
    assert (analysis.n_sets, analysis.n_warmup_sets) == (12, 1)
    assert analysis.near_failure_sets == 10 and analysis.metabolic_stress_sets == 5
    assert analysis.verdict.level == MODERATE
    assert analysis.verdict.reasons[-1] == (
        "5 sets undecided (RPE or rest unknown): with them up to 10 stress sets, high")
    assert analysis.effective_reps == 38.5  # 2 3 3.5 2.5 3 3.5 3 4 5 3 3 3


def test_no_working_sets() -> None:
    verdict = strength_verdict(analyse_sets(_activity([]), S), S)
    assert verdict.level is None and verdict.reasons == ("no working sets logged",)


def test_sample_fit_session() -> None:
    """The watch file: rest from its rest messages, heart rate from its samples."""
    (watch,) = lactlog.read(SAMPLE / "2026-11-20-strength.fit")
    analysis = analyse_strength(watch, S)
    rests = [s.rest_after_s for s in analysis.sets]
    assert rests == [98, 77, 85, 275, 75, 94, 95, 282, 45, 45, 45, 257, 62, 84, 88, 180]
    assert analysis.median_rest_s == 86.5  # (85 + 88) / 2
    assert analysis.work_rest_ratio == pytest.approx(504 / 1887)
    assert analysis.volume_load_kg == 8755.0 and analysis.n_reps == 139
    assert all(s.max_heart_rate_bpm is not None for s in analysis.sets)
    assert analysis.verdict.level == MODERATE  # 9 short-rest sets, RPE missing
    json.dumps(asdict(analysis), allow_nan=False)


_ROW = st.fixed_dictionaries({
    "set_type": st.sampled_from(["active", "rest", None]),
    "start": st.one_of(st.none(), st.integers(0, 600)),
    "duration_s": st.one_of(st.none(), st.floats(0, 300), st.just(-5.0)),
    "repetitions": st.one_of(st.none(), st.integers(0, 30)),
    "weight_kg": st.one_of(st.none(), st.floats(0, 200)),
    "rpe": st.one_of(st.none(), st.floats(-2, 12)),
    "app_set_type": st.sampled_from([None, "warmup", "normal", "failure", "dropset"]),
    "set_order": st.sampled_from([None, "1", "W", "F", "D"]),
    "notes": st.sampled_from([None, "BFR", "easy"]),
})


@hypothesis_settings(max_examples=100, deadline=None)
@given(rows=st.lists(_ROW, max_size=8), with_hr=st.booleans())
def test_never_raises_and_counts_are_consistent(rows: list[dict], with_hr: bool) -> None:
    for row in rows:
        row["start"] = pd.NaT if row["start"] is None else _at(row["start"])
        for name in ("duration_s", "repetitions", "weight_kg", "rpe"):
            row[name] = np.nan if row[name] is None else row[name]
    samples = None
    if with_hr:
        index = pd.date_range(T0, periods=300, freq="2s", name="time")
        samples = pd.DataFrame({"heart_rate_bpm": np.linspace(90, 180, 300)}, index=index)
    activity = _activity(rows, samples)
    table = analyse_sets(activity, S)
    assert len(table) == sum(row["set_type"] == "active" for row in rows)
    analysis = analyse_strength(activity, S)
    assert analysis.metabolic_stress_sets <= analysis.near_failure_sets <= analysis.n_sets
    assert analysis.n_sets + analysis.n_warmup_sets == len(table)
    assert analysis.sets_with_rest <= analysis.n_sets
    assert (table["rest_after_s"].dropna() >= 0).all()
    assert analysis.verdict.level in (HIGH, MODERATE, LOW, None)
    json.dumps(asdict(analysis), allow_nan=False)
