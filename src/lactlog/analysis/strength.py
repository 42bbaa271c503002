"""Metabolic-stress stimulus of a strength session, set by set, with what is unknown kept visible.

Per active set (rest rows only feed the rest of the set before them; input order is kept):

- **rest after the set** [s]: the summed ``duration_s`` of the rest rows that follow it up to
  the next active set (FIT ``set`` messages of type rest, Strong ``Rest Timer`` rows); without
  such rows, the gap ``next start − (start + duration)`` when both sets are timed (FIT); else
  **unknown** — never invented. The last set's value is the rest recorded before the end.
- **RIR** (reps in reserve) = 10 − RPE, the RIR-based RPE scale (Zourdos et al. 2016, J Strength
  Cond Res 30:267); a set labelled failure (Hevy/Strong ``failure`` type, Strong order ``F``) is
  0 RIR. RPE outside 1–10 is unknown.
- **near failure** = RIR ≤ ``near_failure_max_rir``; **high rep** = reps ≥ ``high_rep_min_reps``;
  **short rest** = rest ≤ ``short_rest_max_s``; **BFR** = notes/exercise mention BFR, blood flow
  restriction, occlusion or KAATSU.
- **metabolic stress** = near failure AND (short rest OR high rep OR BFR): the conditions under
  which metabolites (lactate, H⁺, Pi) accumulate — sets to or near failure with short rest,
  moderate loads for many reps, or occlusion (Schoenfeld 2010, J Strength Cond Res 24:2857);
  short rest intervals (30–90 s) keep blood lactate high from set to set (de Salles et al.
  2009, Sports Med 39:765).
  Three-valued (Kleene) logic: unknown stays unknown unless the known parts decide it. Unknown
  rest with high reps or BFR still makes the OR true; unknown rest, not high-rep, not BFR makes
  it unknown (not false: the rest may have been short); not near failure makes it false
  whatever the rest; unknown RIR makes it unknown unless the OR is false.
- **effective reps** (an estimate, after Beardsley's "stimulating reps": the last ~5 reps before
  failure drive hypertrophy) = max(0, min(reps, ``effective_reps_from_failure`` − RIR)).
- **heart rate** during [start, start + duration) from ``samples.heart_rate_bpm`` (plain mean and
  maximum of the samples in that window).

Warm-up sets (``app_set_type`` warmup, Strong order ``W``) are listed but left out of every count,
sum and the verdict. The verdict rule is in :func:`strength_verdict`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lactlog.analysis.stimulus import HIGH, LOW, MODERATE, Verdict
from lactlog.model import Activity
from lactlog.settings import Settings

BFR_PATTERN = re.compile(
    r"\bbfr\b|blood[\s_-]*flow[\s_-]*restrict|occlusion|kaatsu", flags=re.IGNORECASE
)
NO_EFFORT_NOR_REST = ("RPE and rest missing: no verdict (log RPE in the app or merge it with "
                      "the watch recording)")
TABLE_COLUMNS: tuple[str, ...] = (
    "exercise", "set_number", "reps", "weight_kg", "duration_s", "rpe", "rir", "rest_after_s",
    "near_failure", "high_rep", "bfr", "effective_reps", "avg_heart_rate_bpm",
    "max_heart_rate_bpm", "metabolic_stress", "warmup", "recorded_by",
)


@dataclass(frozen=True)
class SetResult:
    """One active set as analysed (None = unknown); see the module docstring for each value.

    ``exercise`` is the app's title, else the FIT exercise name, else its category;
    ``set_number`` counts the exercise's active sets from 1, warm-ups included.
    """

    exercise: str | None
    set_number: int
    reps: float | None
    weight_kg: float | None
    duration_s: float | None
    rpe: float | None
    rir: float | None
    rest_after_s: float | None
    near_failure: bool | None
    high_rep: bool | None
    bfr: bool
    effective_reps: float | None
    avg_heart_rate_bpm: float | None
    max_heart_rate_bpm: float | None
    metabolic_stress: bool | None
    warmup: bool
    recorded_by: str | None = None


@dataclass(frozen=True)
class StrengthAnalysis:
    """Session totals over the working (non-warm-up) sets, the verdict and every set.

    ``volume_load_kg`` = Σ reps × weight_kg [kg] over working sets with both known;
    ``work_rest_ratio`` = Σ set duration / Σ rest over working sets with both known (None when
    that rest is under 1 s);
    ``effective_reps`` sums the estimate over sets with known RIR (None if none).
    """

    n_sets: int
    n_warmup_sets: int
    n_reps: float
    volume_load_kg: float
    median_rest_s: float | None
    work_rest_ratio: float | None
    sets_per_exercise: dict[str, int]
    near_failure_sets: int
    metabolic_stress_sets: int
    sets_with_rpe: int
    sets_with_rest: int
    effective_reps: float | None
    unknowns: tuple[str, ...]
    verdict: Verdict
    sets: tuple[SetResult, ...]


def analyse_sets(activity: Activity, settings: Settings) -> pd.DataFrame:
    """One row per active set (input order) with :data:`TABLE_COLUMNS`.

    Unknown numbers are NaN; ``near_failure``, ``high_rep``, ``metabolic_stress`` are pandas
    ``boolean`` (``<NA>`` = unknown); ``bfr`` and ``warmup`` are plain bool.
    """
    sets = activity.sets.reset_index(drop=True)
    set_type = _texts(sets, "set_type").str.lower()
    active = np.flatnonzero(_known_true(set_type == "active"))
    starts = _starts(sets)
    durations = _numbers(sets, "duration_s")
    durations = durations.where(durations >= 0)  # a negative duration is a recording error
    kinds = set_type.fillna("").to_numpy(dtype=object)
    rest = _rest_after_s(kinds, starts, durations.to_numpy(), active)
    rows = sets.iloc[active].reset_index(drop=True)
    start, duration = starts[active], durations.iloc[active].reset_index(drop=True)
    reps = _numbers(rows, "repetitions")
    rpe = _numbers(rows, "rpe")
    rir = (10.0 - rpe).where((rpe >= 1) & (rpe <= 10))
    app_type = _texts(rows, "app_set_type").str.lower()
    order = _texts(rows, "set_order").str.strip().str.upper()
    rir = rir.mask(_known_true((app_type == "failure") | (order == "F")), 0.0)
    exercise = _texts(rows, "exercise_title").fillna(_texts(rows, "exercise_name"))
    exercise = exercise.fillna(_texts(rows, "exercise_category"))
    mentions = (_texts(rows, "notes").fillna("") + " " + exercise.fillna("") + " "
                + _texts(rows, "exercise_name").fillna(""))
    near_failure = _boolean(rir <= settings.near_failure_max_rir, rir.isna())
    high_rep = _boolean(reps >= settings.high_rep_min_reps, reps.isna())
    rest_s = pd.Series(rest, dtype="float64")
    short_rest = _boolean(rest_s <= settings.short_rest_max_s, rest_s.isna())
    bfr = mentions.map(lambda text: bool(BFR_PATTERN.search(text))).astype(bool)
    effective = (settings.effective_reps_from_failure - rir).clip(upper=reps).clip(lower=0)
    avg_hr, max_hr = _heart_rate(activity.samples, start, duration.to_numpy())
    return pd.DataFrame({
        "exercise": exercise,
        "set_number": exercise.fillna("?").groupby(exercise.fillna("?")).cumcount() + 1,
        "reps": reps,
        "weight_kg": _numbers(rows, "weight_kg"),
        "duration_s": duration,
        "rpe": rpe,
        "rir": rir,
        "rest_after_s": rest_s,
        "near_failure": near_failure,
        "high_rep": high_rep,
        "bfr": bfr,
        "effective_reps": effective.where(rir.notna() & reps.notna()),
        "avg_heart_rate_bpm": avg_hr,
        "max_heart_rate_bpm": max_hr,
        "metabolic_stress": near_failure & (short_rest | high_rep | pd.array(bfr, "boolean")),
        "warmup": _known_true((app_type == "warmup") | (order == "W")),
        # merged sessions: "watch+app", or "watch"/"app" for a set only one side recorded
        "recorded_by": _texts(rows, "set_source"),
    }, columns=list(TABLE_COLUMNS))


def _numbers(frame: pd.DataFrame, name: str) -> pd.Series:
    """A column as float64 (absent or unreadable -> NaN), index reset."""
    if name not in frame.columns:
        return pd.Series(np.nan, index=range(len(frame)), dtype="float64")
    values = pd.to_numeric(frame[name], errors="coerce").astype("float64")
    return values.reset_index(drop=True)


def _texts(frame: pd.DataFrame, name: str) -> pd.Series:
    """A column as text (pandas ``string``, missing -> <NA>), index reset."""
    if name not in frame.columns:
        return pd.Series(pd.NA, index=range(len(frame)), dtype="string")
    values = frame[name].astype("object")
    values = values.where(values.notna(), None).map(lambda v: v if v is None else str(v))
    return values.astype("string").reset_index(drop=True)


def _known_true(condition: pd.Series) -> np.ndarray:
    """A nullable condition as a numpy bool array (unknown -> False)."""
    return condition.fillna(False).to_numpy(dtype=bool)


def _boolean(condition: pd.Series, unknown: pd.Series) -> pd.Series:
    """A nullable ``boolean`` Series: ``condition`` where known, <NA> where ``unknown``."""
    values = pd.array(condition.to_numpy(dtype=bool), dtype="boolean")
    values[unknown.to_numpy(dtype=bool)] = pd.NA
    return pd.Series(values, index=condition.index)


def _starts(sets: pd.DataFrame) -> pd.DatetimeIndex:
    """Set start times as a UTC DatetimeIndex [ns] (NaT where unknown or absent)."""
    if "start" not in sets.columns or not len(sets):
        return pd.DatetimeIndex([pd.NaT] * len(sets), tz="UTC").as_unit("ns")
    column = sets["start"]
    if not pd.api.types.is_datetime64_any_dtype(column):
        column = pd.to_datetime(column.where(column.notna(), None), utc=True, errors="coerce")
    index = pd.DatetimeIndex(column)
    index = index.tz_localize("UTC") if index.tz is None else index.tz_convert("UTC")
    return index.as_unit("ns")


def _rest_after_s(
    set_type: np.ndarray, starts: pd.DatetimeIndex, durations: np.ndarray, active: np.ndarray
) -> list[float]:
    """Rest after each active set [s] (NaN = unknown); rule in the module docstring."""
    start_s = np.where(starts.isna(), np.nan, starts.asi8 / 1e9)
    rest: list[float] = []
    for position, row in enumerate(active):
        following = active[position + 1] if position + 1 < len(active) else len(set_type)
        between = np.arange(row + 1, following)
        recorded = durations[between[set_type[between] == "rest"]]
        recorded = recorded[np.isfinite(recorded) & (recorded >= 0)]
        if recorded.size:
            rest.append(float(recorded.sum()))
            continue
        gap = np.nan
        if following < len(set_type):
            gap = start_s[following] - (start_s[row] + durations[row])
        rest.append(float(gap) if gap >= 0 else np.nan)  # NaN >= 0 is False
    return rest


def _heart_rate(
    samples: pd.DataFrame, starts: pd.DatetimeIndex, durations_s: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and maximum heart rate [bpm] in each [start, start + duration) (NaN if unknown).

    The windows are located with ``searchsorted`` on the sample index; only the sets loop.
    """
    n = len(starts)
    avg, peak = np.full(n, np.nan), np.full(n, np.nan)
    if "heart_rate_bpm" not in samples.columns or not len(samples) or not n:
        return avg, peak
    time_ns = pd.DatetimeIndex(samples.index).as_unit("ns").asi8
    heart_rate = samples["heart_rate_bpm"].to_numpy(dtype="float64")
    timed = ~starts.isna() & np.isfinite(durations_s)
    begin_ns = starts.asi8[timed]
    end_ns = begin_ns + np.round(durations_s[timed] * 1e9).astype(np.int64)
    lows = np.searchsorted(time_ns, begin_ns, side="left")
    highs = np.searchsorted(time_ns, end_ns, side="left")
    for position, low, high in zip(np.flatnonzero(timed), lows, highs):
        window = heart_rate[low:high]
        window = window[np.isfinite(window)]
        if window.size:
            avg[position], peak[position] = window.mean(), window.max()
    return avg, peak


def strength_verdict(table: pd.DataFrame, settings: Settings) -> Verdict:
    """HIGH / MODERATE / LOW metabolic-stress verdict from :func:`analyse_sets`' table.

    Working sets only. With RIR known on at least one set, the level counts the metabolic-stress
    sets: ≥ ``strength_high_min_stress_sets`` (6) HIGH, ≥ ``strength_moderate_min_stress_sets``
    (2) MODERATE, else LOW; sets whose stress is unknown (RPE or rest missing) do not count, but
    when they could change the level a reason says how many there are and what they could make
    it. Six is the order of a classic metabolic-stress block — two exercises × 3 sets of 8–12RM
    to failure on ~1 min rest (Schoenfeld 2010; of the 5 vs 10RM × 1 vs 3 min rest protocols of
    Kraemer et al. 1990, J Appl Physiol 69:1442, 10RM with 1-min rest raised blood lactate
    most) — and two sets are a deliberate stress element rather than a single finisher. These
    are judgement defaults, not calibrated against lactate measurements.

    With no RPE at all the verdict rests on rest and reps: it counts "likely stress sets" (short
    rest, high reps or BFR) with the same thresholds but never says more than MODERATE, because
    sets far from failure produce little lactate whatever the rest; the first reason says
    "RPE missing: verdict from rest and reps only". Neither RPE nor rest nor a high-rep/BFR set
    gives no level (None).
    """
    working = table[~table["warmup"].to_numpy(dtype=bool)]
    n = len(working)
    if not n:
        return Verdict(None, ("no working sets logged",))
    structure = _structure(working, settings)
    rest_text = _rest_text(working["rest_after_s"])
    criteria = (f"short rest (≤ {settings.short_rest_max_s:g} s), "
                f"≥ {settings.high_rep_min_reps} reps or BFR")
    with_rir = int(working["rir"].notna().sum())
    if not with_rir:
        likely = int(structure.fillna(False).sum())
        if not likely and not working["rest_after_s"].notna().any():
            return Verdict(None, (NO_EFFORT_NOR_REST,))
        level = _level(likely, settings)
        reasons = ["RPE missing: verdict from rest and reps only",
                   f"{likely} of {_sets(n)} with {criteria}; effort unknown, so at most moderate",
                   rest_text]
        return Verdict(MODERATE if level == HIGH else level, tuple(reasons + _hr_text(working)))
    near = int(working["near_failure"].fillna(False).sum())
    stress = int(working["metabolic_stress"].fillna(False).sum())
    level = _level(stress, settings)
    near_text = f"{_sets(near)} ≤ {settings.near_failure_max_rir:g} RIR"
    reasons = [f"{near_text}, {stress} of them with {criteria}", rest_text]
    if with_rir < n:
        reasons.append(f"RPE missing on {n - with_rir} of {_sets(n)}")
    undecided = int(working["metabolic_stress"].isna().sum())
    if undecided and _level(stress + undecided, settings) != level:
        reasons.append(f"{_sets(undecided)} undecided (RPE or rest unknown): with them up to "
                       f"{stress + undecided} stress sets, {_level(stress + undecided, settings)}")
    return Verdict(level, tuple(reasons + _hr_text(working)))


def _structure(working: pd.DataFrame, settings: Settings) -> pd.Series:
    """Short rest OR high rep OR BFR (Kleene logic, ``boolean``)."""
    rest = working["rest_after_s"]
    short = _boolean(rest <= settings.short_rest_max_s, rest.isna())
    return short | working["high_rep"] | pd.array(working["bfr"].to_numpy(bool), "boolean")


def _level(stress_sets: int, settings: Settings) -> str:
    if stress_sets >= settings.strength_high_min_stress_sets:
        return HIGH
    return MODERATE if stress_sets >= settings.strength_moderate_min_stress_sets else LOW


def _sets(n: int) -> str:
    return f"{n} set{'s' if n != 1 else ''}"


def _rest_text(rest: pd.Series) -> str:
    known = rest.dropna()
    return f"median rest {known.median():.0f} s" if len(known) else "rest unknown"


def _hr_text(working: pd.DataFrame) -> list[str]:
    peak = working["max_heart_rate_bpm"].max()
    return [f"heart rate in sets up to {peak:.0f} bpm"] if np.isfinite(peak) else []


def analyse_strength(activity: Activity, settings: Settings) -> StrengthAnalysis:
    """Per-set table, working-set totals, what is unknown, and the verdict of one session."""
    table = analyse_sets(activity, settings)
    working = table[~table["warmup"].to_numpy(dtype=bool)]
    rest = working["rest_after_s"]
    both = rest.notna() & working["duration_s"].notna()
    exercises = working["exercise"].fillna("unknown exercise")
    return StrengthAnalysis(
        n_sets=len(working),
        n_warmup_sets=len(table) - len(working),
        n_reps=float(working["reps"].sum()),
        volume_load_kg=float((working["reps"] * working["weight_kg"]).sum()),
        median_rest_s=float(rest.median()) if rest.notna().any() else None,
        work_rest_ratio=(float(working["duration_s"][both].sum() / rest[both].sum())
                         if rest[both].sum() >= 1 else None),
        sets_per_exercise={str(k): int(v) for k, v in exercises.value_counts(sort=False).items()},
        near_failure_sets=int(working["near_failure"].fillna(False).sum()),
        metabolic_stress_sets=int(working["metabolic_stress"].fillna(False).sum()),
        sets_with_rpe=int(working["rpe"].notna().sum()),
        sets_with_rest=int(rest.notna().sum()),
        effective_reps=(float(working["effective_reps"].sum())
                        if working["effective_reps"].notna().any() else None),
        unknowns=_unknowns(activity, working),
        verdict=strength_verdict(table, settings),
        sets=tuple(_set_result(row) for row in table.to_dict("records")),
    )


def _unknowns(activity: Activity, working: pd.DataFrame) -> tuple[str, ...]:
    """What the analysis could not know, in words (empty when everything was there)."""
    n, notes = len(working), []
    missing_rir = int(working["rir"].isna().sum())
    if missing_rir:
        notes.append(f"RPE missing on all {_sets(n)}" if missing_rir == n
                     else f"RPE missing on {missing_rir} of {_sets(n)}")
    missing_rest = int(working["rest_after_s"].isna().sum())
    timed = "start" in activity.sets.columns and activity.sets["start"].notna().any()
    if missing_rest == n and n:
        notes.append("rest unknown" + ("" if timed else " (no set timing in the file)"))
    elif missing_rest:
        notes.append(f"rest unknown for {missing_rest} of {_sets(n)}")
    if n and working["max_heart_rate_bpm"].isna().all():
        why = ("no set timing" if not timed else "no heart-rate samples during the sets")
        notes.append(f"heart rate during sets unknown ({why})")
    missing_weight = int((working["reps"].notna() & working["weight_kg"].isna()).sum())
    if missing_weight:
        notes.append(f"weight missing on {_sets(missing_weight)} (not in the volume load)")
    return tuple(notes)


def _set_result(row: dict) -> SetResult:
    """A table row as a JSON-able :class:`SetResult` (NaN/<NA> -> None)."""
    def number(value: object) -> float | None:
        return None if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]

    def truth(value: object) -> bool | None:
        return None if value is None or pd.isna(value) else bool(value)

    return SetResult(
        exercise=None if pd.isna(row["exercise"]) else str(row["exercise"]),
        set_number=int(row["set_number"]),
        **{name: number(row[name]) for name in (
            "reps", "weight_kg", "duration_s", "rpe", "rir", "rest_after_s", "effective_reps",
            "avg_heart_rate_bpm", "max_heart_rate_bpm")},
        near_failure=truth(row["near_failure"]),
        high_rep=truth(row["high_rep"]),
        bfr=bool(row["bfr"]),
        metabolic_stress=truth(row["metabolic_stress"]),
        warmup=bool(row["warmup"]),
        recorded_by=None if pd.isna(row["recorded_by"]) else str(row["recorded_by"]),
    )
