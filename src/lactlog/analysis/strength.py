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

import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import fields

import numpy as np
import pandas as pd

from lactlog.analysis.stimulus import HIGH, LOW, MODERATE, Verdict
from lactlog.model import Activity, SetRows, active_set_mask
from lactlog.settings import Settings
from lactlog.summaries import SetResult, StrengthAnalysis
from lactlog.table import Table

BFR_PATTERN = re.compile(
    r"\bbfr\b|blood[\s_-]*flow[\s_-]*restrict|occlusion|kaatsu", flags=re.IGNORECASE
)
NO_EFFORT_NOR_REST = ("RPE and rest missing: no verdict (log RPE in the app or merge it with "
                      "the watch recording)")
#: The per-set table's columns: the fields of :class:`~lactlog.summaries.SetResult`, in order.
TABLE_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(SetResult))


def analyse_sets(activity: Activity, settings: Settings) -> pd.DataFrame:
    """One row per active set (input order) with :data:`TABLE_COLUMNS`.

    Unknown numbers are NaN; ``near_failure``, ``high_rep``, ``metabolic_stress`` are pandas
    ``boolean`` (``<NA>`` = unknown); ``bfr`` and ``warmup`` are plain bool.
    """
    sets = activity.sets.reset_index(drop=True)
    table = set_table(sets, np.zeros(len(sets), dtype=np.int64), settings)
    _add_heart_rate(table, activity.table("samples"), _starts(sets)[table["row"].to_numpy()])
    return table[list(TABLE_COLUMNS)]


def set_table(sets: pd.DataFrame, session: np.ndarray, settings: Settings) -> pd.DataFrame:
    """:func:`analyse_sets` of many sessions at once, without heart rate (NaN).

    ``sets``: the sessions' sets frames one after the other (RangeIndex); ``session``: the
    session number of each row (non-decreasing). Adds the columns ``session`` and ``row`` (the
    set's row in ``sets``). Rest and set numbers never cross from one session to the next.
    """
    set_type = _texts(sets, "set_type").str.lower()
    active = np.flatnonzero(active_set_mask(sets))
    starts = _starts(sets)
    durations = _numbers(sets, "duration_s")
    durations = durations.where(durations >= 0)  # a negative duration is a recording error
    is_rest = _known_true(set_type == "rest")
    rest = _rest_after_s(is_rest, starts, durations.to_numpy(), active, session)
    rows = sets.iloc[active].reset_index(drop=True)
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
    bfr = mentions.str.contains(BFR_PATTERN).fillna(False).to_numpy(dtype=bool)
    effective = (settings.effective_reps_from_failure - rir).clip(upper=reps).clip(lower=0)
    owner = pd.Series(session[active])
    number = exercise.fillna("?").groupby([owner, exercise.fillna("?")]).cumcount() + 1
    n = len(active)
    return pd.DataFrame({
        "exercise": exercise,
        "set_number": number,
        "reps": reps,
        "weight_kg": _numbers(rows, "weight_kg"),
        "duration_s": durations.iloc[active].reset_index(drop=True),
        "rpe": rpe,
        "rir": rir,
        "rest_after_s": rest_s,
        "near_failure": near_failure,
        "high_rep": high_rep,
        "bfr": bfr,
        "effective_reps": effective.where(rir.notna() & reps.notna()),
        "avg_heart_rate_bpm": np.full(n, np.nan),
        "max_heart_rate_bpm": np.full(n, np.nan),
        "metabolic_stress": near_failure & (short_rest | high_rep | pd.array(bfr, "boolean")),
        "warmup": _known_true((app_type == "warmup") | (order == "W")),
        # merged sessions: "watch+app", or "watch"/"app" for a set only one side recorded
        "recorded_by": _texts(rows, "set_source"),
        "session": owner,
        "row": active,
    }, columns=[*TABLE_COLUMNS, "session", "row"])


def _add_heart_rate(table: pd.DataFrame, samples: Table, starts: pd.DatetimeIndex) -> None:
    """Fill one session's ``avg/max_heart_rate_bpm`` from its samples (:func:`_heart_rate`)."""
    if "heart_rate_bpm" not in samples or not len(samples) or not len(table):
        return
    avg, peak = _heart_rate(samples, starts, table["duration_s"].to_numpy())
    table["avg_heart_rate_bpm"], table["max_heart_rate_bpm"] = avg, peak


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
    is_rest: np.ndarray, starts: pd.DatetimeIndex, durations: np.ndarray, active: np.ndarray,
    session: np.ndarray,
) -> np.ndarray:
    """Rest after each active set [s] (NaN = unknown); rule in the module docstring.

    Each row belongs to the last active set at or before it in its session; the rest rows of
    an active set are summed, else the gap to the next active set of its session is taken.
    """
    n = len(is_rest)
    if not active.size:
        return np.empty(0)
    start_s = np.where(starts.isna(), np.nan, starts.asi8 / 1e9)
    last_active = np.maximum.accumulate(np.where(np.isin(np.arange(n), active),
                                                 np.arange(n), -1))
    owned = (last_active >= 0) & (session == session[np.maximum(last_active, 0)])
    recorded = owned & is_rest & np.isfinite(durations) & (durations >= 0)
    owner = last_active[recorded]
    total = np.bincount(owner, weights=durations[recorded], minlength=n)[active]
    has_recorded = np.bincount(owner, minlength=n)[active] > 0
    following = np.append(active[1:], n)
    same = np.append(session[active[1:]] == session[active[:-1]], False)
    gap = np.full(len(active), np.nan)
    gap[same] = start_s[following[same]] - (start_s[active[same]] + durations[active[same]])
    gap = np.where(gap >= 0, gap, np.nan)  # NaN >= 0 is False
    return np.where(has_recorded, total, gap)


def _heart_rate(
    samples: Table, starts: pd.DatetimeIndex, durations_s: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and maximum heart rate [bpm] in each [start, start + duration) (NaN if unknown).

    The windows are located with ``searchsorted`` on the sample index; only the sets loop.
    """
    n = len(starts)
    avg, peak = np.full(n, np.nan), np.full(n, np.nan)
    if "heart_rate_bpm" not in samples or samples.index_ns is None or not len(samples) or not n:
        return avg, peak
    time_ns = samples.index_ns
    heart_rate = np.asarray(samples["heart_rate_bpm"], dtype="float64")
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
    counts = _session_counts(table, 1, settings)
    return _verdict({name: values[0] for name, values in counts.items()}, settings)


def _session_counts(table: pd.DataFrame, n_sessions: int, settings: Settings) -> dict[str, np.ndarray]:
    """Per session (``table["session"]``, else all one session): the working-set counts and
    sums the totals, the verdict and the unknowns are made of (one pass over all sets)."""
    code = (table["session"].to_numpy(dtype=np.int64) if "session" in table.columns
            else np.zeros(len(table), dtype=np.int64))
    work = ~table["warmup"].to_numpy(dtype=bool)

    def known(name: str) -> np.ndarray:
        return table[name].notna().to_numpy(dtype=bool)

    def true(values: pd.Series) -> np.ndarray:
        return _known_true(values)

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(code[mask & work], minlength=n_sessions)

    def total(values: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
        """Per session: the sum over working rows (in ``mask``) with NaN as 0, as pandas sums a
        column: numpy's pairwise sum of each session's rows (not ``bincount``'s running sum,
        which differs in the last bits, e.g. 7639.999999999999 for 7640.0 kg)."""
        keep = work if mask is None else work & mask
        kept = np.where(np.isnan(values[keep]), 0.0, values[keep])
        bounds = np.searchsorted(code[keep], np.arange(n_sessions + 1))
        return np.array([kept[low:high].sum() for low, high in itertools.pairwise(bounds)],
                        dtype=np.float64)

    number = {name: table[name].to_numpy(dtype="float64") for name in (
        "reps", "weight_kg", "duration_s", "rest_after_s", "effective_reps", "max_heart_rate_bpm")}
    rest_known, both = known("rest_after_s"), known("rest_after_s") & known("duration_s")
    structure = _structure(table, settings)
    peak = np.full(n_sessions, np.nan)
    np.fmax.at(peak, code[work], number["max_heart_rate_bpm"][work])
    return {
        "n": count(np.ones(len(table), dtype=bool)),
        "n_active": np.bincount(code, minlength=n_sessions),
        "reps": total(number["reps"]),
        "volume_kg": total(number["reps"] * number["weight_kg"]),
        "median_rest_s": _median_by(code[work & rest_known], number["rest_after_s"][work & rest_known],
                                    n_sessions),
        "timed_set_s": total(number["duration_s"], both),
        "timed_rest_s": total(number["rest_after_s"], both),
        "with_rir": count(known("rir")),
        "with_rpe": count(known("rpe")),
        "with_rest": count(rest_known),
        "with_effective": count(known("effective_reps")),
        "effective_reps": total(number["effective_reps"]),
        "with_max_hr": count(known("max_heart_rate_bpm")),
        "missing_weight": count(known("reps") & ~known("weight_kg")),
        "likely": count(true(structure)),
        "near": count(true(table["near_failure"])),
        "stress": count(true(table["metabolic_stress"])),
        "undecided": count(table["metabolic_stress"].isna().to_numpy(dtype=bool)),
        "peak_hr": peak,
    }


def _median_by(code: np.ndarray, values: np.ndarray, n_sessions: int) -> np.ndarray:
    """Median of ``values`` per session code (NaN for a session without values): the middle
    value, or the mean of the two middle ones, as :func:`numpy.median`."""
    order = np.lexsort((values, code))
    code, values = code[order], values[order]
    size = np.bincount(code, minlength=n_sessions)
    first = np.concatenate([[0], np.cumsum(size)[:-1]])
    median = np.full(n_sessions, np.nan)
    some = size > 0
    low = first[some] + (size[some] - 1) // 2
    high = first[some] + size[some] // 2
    median[some] = (values[low] + values[high]) / 2
    return median


def _verdict(c: dict, settings: Settings) -> Verdict:
    """:func:`strength_verdict` from one session's :func:`_session_counts`."""
    n = int(c["n"])
    if not n:
        return Verdict(None, ("no working sets logged",))
    rest_text = (f"median rest {c['median_rest_s']:.0f} s" if c["with_rest"] else "rest unknown")
    hr_text = ([f"heart rate in sets up to {c['peak_hr']:.0f} bpm"]
               if np.isfinite(c["peak_hr"]) else [])
    criteria = (f"short rest (≤ {settings.short_rest_max_s:g} s), "
                f"≥ {settings.high_rep_min_reps} reps or BFR")
    with_rir = int(c["with_rir"])
    if not with_rir:
        likely = int(c["likely"])
        if not likely and not c["with_rest"]:
            return Verdict(None, (NO_EFFORT_NOR_REST,))
        level = _level(likely, settings)
        reasons = ["RPE missing: verdict from rest and reps only",
                   f"{likely} of {_sets(n)} with {criteria}; effort unknown, so at most moderate",
                   rest_text]
        return Verdict(MODERATE if level == HIGH else level, tuple(reasons + hr_text))
    near, stress = int(c["near"]), int(c["stress"])
    level = _level(stress, settings)
    near_text = f"{_sets(near)} ≤ {settings.near_failure_max_rir:g} RIR"
    reasons = [f"{near_text}, {stress} of them with {criteria}", rest_text]
    if with_rir < n:
        reasons.append(f"RPE missing on {n - with_rir} of {_sets(n)}")
    undecided = int(c["undecided"])
    if undecided and _level(stress + undecided, settings) != level:
        reasons.append(f"{_sets(undecided)} undecided (RPE or rest unknown): with them up to "
                       f"{stress + undecided} stress sets, {_level(stress + undecided, settings)}")
    return Verdict(level, tuple(reasons + hr_text))


def _structure(table: pd.DataFrame, settings: Settings) -> pd.Series:
    """Short rest OR high rep OR BFR (Kleene logic, ``boolean``)."""
    rest = table["rest_after_s"]
    short = _boolean(rest <= settings.short_rest_max_s, rest.isna())
    return short | table["high_rep"] | pd.array(table["bfr"].to_numpy(bool), "boolean")


def _level(stress_sets: int, settings: Settings) -> str:
    if stress_sets >= settings.strength_high_min_stress_sets:
        return HIGH
    return MODERATE if stress_sets >= settings.strength_moderate_min_stress_sets else LOW


def _sets(n: int) -> str:
    return f"{n} set{'s' if n != 1 else ''}"


def analyse_strength(activity: Activity, settings: Settings) -> StrengthAnalysis:
    """Per-set table, working-set totals, what is unknown, and the verdict of one session."""
    return analyse_strength_sessions([activity], settings)[0]


def analyse_strength_sessions(
    activities: Sequence[Activity], settings: Settings
) -> list[StrengthAnalysis]:
    """:func:`analyse_strength` of each activity, with the set arithmetic done once for all of
    them (a lifting-app export holds thousands of workouts: 3,605 took 80 s one by one)."""
    if not activities:
        return []
    sets, lengths = _all_sets(activities)
    table = set_table(sets, np.repeat(np.arange(len(activities)), lengths), settings)
    bounds = np.searchsorted(table["session"].to_numpy(), np.arange(len(activities) + 1))
    samples = [a.table("samples") for a in activities]
    with_hr = [i for i, table in enumerate(samples) if "heart_rate_bpm" in table and len(table)]
    if with_hr:
        starts = _starts(sets)
        parts = []
        for i in range(len(activities)):
            part = table.iloc[bounds[i]:bounds[i + 1]].copy()
            if i in with_hr:
                _add_heart_rate(part, samples[i], starts[part["row"].to_numpy()])
            parts.append(part)
        table = pd.concat(parts, ignore_index=True) if parts else table
    timed = np.bincount(np.repeat(np.arange(len(activities)), lengths),
                        weights=_starts(sets).notna().astype(float), minlength=len(activities)) > 0
    counts = {name: values.tolist() for name, values in
              _session_counts(table, len(activities), settings).items()}  # Python numbers
    results = _set_results(table)
    per_exercise = _sets_per_exercise(table, len(activities))
    analyses = []
    for i in range(len(activities)):
        c = {name: values[i] for name, values in counts.items()}
        n = int(c["n"])
        analyses.append(StrengthAnalysis(
            n_sets=n,
            n_warmup_sets=int(c["n_active"]) - n,
            n_reps=float(c["reps"]),
            volume_load_kg=float(c["volume_kg"]),
            median_rest_s=float(c["median_rest_s"]) if c["with_rest"] else None,
            work_rest_ratio=(float(c["timed_set_s"] / c["timed_rest_s"])
                             if c["timed_rest_s"] >= 1 else None),
            sets_per_exercise=per_exercise[i],
            near_failure_sets=int(c["near"]),
            metabolic_stress_sets=int(c["stress"]),
            sets_with_rpe=int(c["with_rpe"]),
            sets_with_rest=int(c["with_rest"]),
            effective_reps=float(c["effective_reps"]) if c["with_effective"] else None,
            unknowns=_unknowns(c, bool(timed[i])),
            verdict=_verdict(c, settings),
            sets=tuple(results[bounds[i]:bounds[i + 1]]),
        ))
    return analyses


def _all_sets(activities: Sequence[Activity]) -> tuple[pd.DataFrame, np.ndarray]:
    """The activities' sets one after the other (RangeIndex) and each one's number of rows.

    Workouts that are consecutive rows of one file's table (:class:`~lactlog.model.SetRows`,
    as the lifting-log reader makes them) give those rows of the table without a copy;
    anything else is concatenated.
    """
    rows = [r for r in (a.set_rows() for a in activities) if r is not None]
    if (len(rows) == len(activities) and all(r.table is rows[0].table for r in rows)
            and all(a.stop == b.start for a, b in itertools.pairwise(rows))):
        lengths = np.array([r.stop - r.start for r in rows], dtype=np.int64)
        return SetRows(rows[0].table, rows[0].start, rows[-1].stop).frame(), lengths
    lengths = np.array([len(a.sets) for a in activities], dtype=np.int64)
    sets = (pd.concat([a.sets for a in activities], ignore_index=True) if len(activities) > 1
            else activities[0].sets.reset_index(drop=True))
    return sets, lengths


def _sets_per_exercise(table: pd.DataFrame, n_sessions: int) -> list[dict[str, int]]:
    """Working sets per exercise of each session, exercises in order of first appearance."""
    working = table[~table["warmup"].to_numpy(dtype=bool)]
    exercises = working["exercise"].fillna("unknown exercise")
    found: list[dict[str, int]] = [{} for _ in range(n_sessions)]
    sizes = exercises.groupby([working["session"], exercises], sort=False).size()
    for (session, exercise), size in sizes.items():
        found[int(session)][str(exercise)] = int(size)
    return found


def _unknowns(c: dict, timed: bool) -> tuple[str, ...]:
    """What the analysis could not know, in words (empty when everything was there), from one
    session's :func:`_session_counts`; ``timed``: some set of the session has a start time."""
    n, notes = int(c["n"]), []
    missing_rir = n - int(c["with_rir"])
    if missing_rir:
        notes.append(f"RPE missing on all {_sets(n)}" if missing_rir == n
                     else f"RPE missing on {missing_rir} of {_sets(n)}")
    missing_rest = n - int(c["with_rest"])
    if missing_rest == n and n:
        notes.append("rest unknown" + ("" if timed else " (no set timing in the file)"))
    elif missing_rest:
        notes.append(f"rest unknown for {missing_rest} of {_sets(n)}")
    if n and not c["with_max_hr"]:
        why = ("no set timing" if not timed else "no heart-rate samples during the sets")
        notes.append(f"heart rate during sets unknown ({why})")
    if c["missing_weight"]:
        notes.append(f"weight missing on {_sets(int(c['missing_weight']))} (not in the volume load)")
    return tuple(notes)


def _set_results(table: pd.DataFrame) -> list[SetResult]:
    """Every row of the table as a JSON-able :class:`SetResult` (NaN/<NA> -> None)."""
    def numbers(name: str) -> list:
        return [None if math.isnan(v) else v for v in table[name].to_numpy(dtype="float64").tolist()]

    def objects(name: str) -> list:
        return table[name].to_numpy(dtype=object, na_value=None).tolist()

    columns = {name: numbers(name) for name in (
        "reps", "weight_kg", "duration_s", "rpe", "rir", "rest_after_s", "effective_reps",
        "avg_heart_rate_bpm", "max_heart_rate_bpm")}
    columns |= {name: objects(name) for name in (
        "exercise", "near_failure", "high_rep", "metabolic_stress", "recorded_by")}
    columns["set_number"] = table["set_number"].astype(int).tolist()
    columns["bfr"] = table["bfr"].to_numpy(dtype=bool).tolist()
    columns["warmup"] = table["warmup"].to_numpy(dtype=bool).tolist()
    names = [f.name for f in fields(SetResult)]
    return [SetResult(*values) for values in zip(*(columns[name] for name in names))]
