"""Merge a lifting-app workout (Strong, Hevy, FitNotes) with the watch's recording of it.

The app knows what was lifted (exercise names, weights, reps, RPE, warm-up/failure labels); the
watch knows when (set start and duration, rest, heart rate). :func:`strength_pairs` finds which
app workout belongs to which watch session; :func:`merge_strength` combines one pair set by set.

Time zones: the apps write local wall-clock times without an offset, which the CSV reader stores
as if they were UTC. Before comparing with the watch (true UTC) the app start is shifted by the
UTC offset the caller supplies (profile time zone, or the watch file's own ``utc_offset_s``):
``app start [UTC] = wall time − offset``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from lactlog.localtime import to_utc
from lactlog.model import EXTRA_SET_COLUMNS, Activity, active_set_mask
from lactlog.summaries import APP_PRODUCTS

_NUMERIC_EXTRAS = ("rpe", "distance_m")
_UNNAMED = "\x00unnamed "
_STOP_WORDS = frozenset({"a", "and", "of", "on", "the", "to", "with"})
_EQUIPMENT = frozenset({
    "assisted", "band", "bar", "barbell", "bodyweight", "cable", "dumbbell", "ez", "kettlebell",
    "machine", "plate", "smith", "weighted",
})


@dataclass(frozen=True)
class MergedStrength:
    """One merged workout.

    ``activity``: the watch session (meta, samples, pauses, laps, device summary) whose sets
    carry the app's exercise names, weights, reps and RPE on the watch's timing; app sets without
    a watch set are appended at the end (start unknown). Besides the app's extra columns the
    sets frame has ``set_source``: ``watch+app``, ``watch`` or ``app`` (None for rest rows).
    ``unmatched_watch_sets`` / ``unmatched_app_sets``: the active sets of either side that found
    no partner (rows of the original ``sets`` frames, original index).
    """

    activity: Activity
    matched_sets: int
    unmatched_watch_sets: pd.DataFrame
    unmatched_app_sets: pd.DataFrame


def is_app_workout(activity: Activity) -> bool:
    """A workout read from a lifting app's CSV export."""
    return activity.meta.product in APP_PRODUCTS


def is_watch_strength(activity: Activity) -> bool:
    """A device-recorded strength session: FIT set messages or sub-sport strength training."""
    if is_app_workout(activity) or activity.meta.start is None:
        return False
    sets = activity.sets
    has_sets = bool(len(sets)) and bool(active_set_mask(sets).any())
    return has_sets or activity.meta.sub_sport == "strength_training"


def app_start_utc(app: Activity, utc_offset_s: int | None) -> datetime | None:
    """The app's wall-clock start as a UTC instant: wall time − ``utc_offset_s`` (the profile
    zone's offset, else the watch recording's own); without either, by the local-time rule for
    wall-clock times (this computer's zone: :func:`lactlog.localtime.to_utc`)."""
    if app.meta.start is None:
        return None
    if utc_offset_s is None:
        return to_utc(app.meta.start, wall_clock=True)
    return app.meta.start - timedelta(seconds=utc_offset_s)


def strength_pairs(
    activities: Sequence[Activity],
    tolerance_s: float,
    app_offset_s: Callable[[Activity], int | None],
) -> list[tuple[int, int]]:
    """Indices ``(watch, app)`` of app workouts recorded by a watch too, sorted by watch index.

    A pair needs ``|app start [UTC] − watch start| ≤ tolerance_s`` or overlapping time ranges
    (start + elapsed time, where known). The app start is converted with ``app_offset_s(app)``,
    or, when that is None, with the watch's ``meta.utc_offset_s`` (neither: taken as UTC). Each
    session is in at most one pair, the closest starts first.
    """
    watches = [i for i, a in enumerate(activities) if is_watch_strength(a)]
    apps = [i for i, a in enumerate(activities) if is_app_workout(a) and a.meta.start]
    candidates = []
    for w in watches:
        watch = activities[w]
        watch_start = watch.meta.start
        if watch_start is None:  # is_watch_strength wants a start
            continue
        watch_end = _end(watch, watch_start)
        for a in apps:
            app = activities[a]
            offset = app_offset_s(app)
            app_start = app_start_utc(app, watch.meta.utc_offset_s if offset is None else offset)
            if app_start is None:  # apps have a start (above)
                continue
            app_end = _end(app, app_start)
            distance_s = abs((app_start - watch_start).total_seconds())
            overlap = (watch_end is not None and app_end is not None
                       and app_start < watch_end and watch_start < app_end)
            if distance_s <= tolerance_s or overlap:
                candidates.append((distance_s, w, a))
    pairs, used = [], set()
    for _, w, a in sorted(candidates):
        if w not in used and a not in used:
            pairs.append((w, a))
            used |= {w, a}
    return sorted(pairs)


def _end(activity: Activity, start: datetime) -> datetime | None:
    """Start + elapsed time (device summary, else the sample span); None when unknown."""
    elapsed_s = activity.device_summary.elapsed_s
    if elapsed_s is not None:
        return start + timedelta(seconds=elapsed_s)
    if len(activity.samples):
        return activity.samples.index[-1].to_pydatetime()
    return None


def exercise_tokens(*names: object) -> frozenset[str]:
    """Normalised words of exercise names: lower case, split on anything not a letter or digit
    (``barbell_back_squat``, ``Squat (Barbell)``), a plural ``s`` dropped, stop words removed."""
    text = " ".join(str(n).lower() for n in names if isinstance(n, str))
    words = (w[:-1] if w.endswith("s") and not w.endswith("ss") and len(w) > 3 else w
             for w in re.findall(r"[a-z0-9]+", text))
    return frozenset(w for w in words if w not in _STOP_WORDS)


def name_similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard overlap of the movement words (equipment words ignored); 0 when none."""
    a, b = a - _EQUIPMENT, b - _EQUIPMENT
    return len(a & b) / len(a | b) if a | b else 0.0


def merge_strength(watch: Activity, app: Activity, utc_offset_s: int | None) -> MergedStrength:
    """Combine a watch strength session with the app's log of the same workout.

    From the app: exercise names (``exercise_title``), weights, reps (typed in by the lifter;
    watch rep counting misses), RPE and the extra columns; from the watch: set timing, rest
    rows, heart rate, everything outside ``sets``. Exercises are paired by name (greatest
    :func:`name_similarity` first, ties to the nearer position), the rest by order of
    appearance; within a pair the n-th set with the n-th set. ``utc_offset_s`` converts the
    app's start for the note in ``meta.warnings`` and stands in when the watch has no offset.
    """
    watch_sets = watch.sets.reset_index(drop=True)
    app_sets = app.sets.reset_index(drop=True)
    watch_groups = _groups(watch_sets, ("exercise_name", "exercise_category"))
    app_groups = _groups(app_sets, ("exercise_title", "exercise_name"))
    matched: list[tuple[int, int]] = []
    for w_key, a_keys in _pair_groups(watch_groups, app_groups):
        app_rows = [row for key in a_keys for row in app_groups[key][1]]
        matched += list(zip(watch_groups[w_key][1], app_rows))
    matched_w, matched_a = {w for w, _ in matched}, {a for _, a in matched}
    lone_w = [i for _, rows in watch_groups.values() for i in rows if i not in matched_w]
    lone_a = sorted(i for _, rows in app_groups.values() for i in rows if i not in matched_a)
    sets = _merged_sets(watch_sets, app_sets, matched, lone_a)
    offset = watch.meta.utc_offset_s if watch.meta.utc_offset_s is not None else utc_offset_s
    app_utc = app_start_utc(app, utc_offset_s if utc_offset_s is not None else offset)
    notes = [(f"sets merged with the {app.meta.product} workout from {app.meta.source} "
              f"(start {app.meta.start:%Y-%m-%d %H:%M} local = {app_utc:%H:%M} UTC): names, "
              "weights, reps and RPE from the app; timing, rest and heart rate from the watch")]
    if lone_w or lone_a:
        notes.append(f"{len(lone_w)} watch and {len(lone_a)} app sets found no partner")
    meta = replace(
        watch.meta,
        product=f"{watch.meta.product or watch.meta.manufacturer or 'watch'} + {app.meta.product}",
        utc_offset_s=offset,
        warnings=watch.meta.warnings + tuple(notes),
    )
    return MergedStrength(
        activity=replace(watch, meta=meta, sets=sets),
        matched_sets=len(matched),
        unmatched_watch_sets=watch.sets.iloc[sorted(lone_w)],
        unmatched_app_sets=app.sets.iloc[lone_a],
    )


def _groups(
    sets: pd.DataFrame, name_columns: tuple[str, ...]
) -> dict[str, tuple[frozenset[str], list[int]]]:
    """Active sets grouped by exercise, in order of first appearance: key -> (tokens, rows).

    The exercise is the first named column with a value; sets without a name form one group
    per consecutive run (the watch did not recognise the movement).
    """
    groups: dict[str, tuple[frozenset[str], list[int]]] = {}
    run, previous_named = 0, True
    for row in np.flatnonzero(active_set_mask(sets)):
        names = [sets[c].iloc[row] for c in name_columns if c in sets.columns]
        name = next((n for n in names if isinstance(n, str) and n), None)
        if name is None:
            run += previous_named
            key = f"{_UNNAMED}{run}"
        else:
            key = name
        previous_named = name is not None
        tokens = exercise_tokens(*names)
        groups.setdefault(key, (tokens, []))[1].append(int(row))
    return groups


def _pair_groups(
    watch: dict[str, tuple[frozenset[str], list[int]]],
    app: dict[str, tuple[frozenset[str], list[int]]],
) -> list[tuple[str, list[str]]]:
    """Watch exercise -> app exercises: by name similarity (best first, then nearer position);
    the rest in order of appearance, one app exercise per named watch exercise and as many as
    its sets cover per unnamed run (the watch did not tell the exercises apart)."""
    w_keys, a_keys = list(watch), list(app)
    scored = sorted(
        (-name_similarity(watch[w][0], app[a][0]), abs(i - j), i, j)
        for i, w in enumerate(w_keys) for j, a in enumerate(a_keys)
    )
    pairs: dict[int, list[int]] = {}
    used_a: set[int] = set()
    for score, _, i, j in scored:
        if score < 0 and i not in pairs and j not in used_a:
            pairs[i] = [j]
            used_a.add(j)
    rest_a = [j for j in range(len(a_keys)) if j not in used_a]
    for i in (i for i in range(len(w_keys)) if i not in pairs):
        taken: list[int] = []
        capacity = len(watch[w_keys[i]][1])
        unnamed = w_keys[i].startswith(_UNNAMED)
        while rest_a and (not taken or unnamed and capacity > 0):
            taken.append(rest_a.pop(0))
            capacity -= len(app[a_keys[taken[-1]]][1])
        pairs[i] = taken
    return [(w_keys[i], [a_keys[j] for j in pairs[i]]) for i in sorted(pairs) if pairs[i]]


def _merged_sets(
    watch_sets: pd.DataFrame, app_sets: pd.DataFrame, matched: list[tuple[int, int]],
    lone_app: list[int],
) -> pd.DataFrame:
    """Watch rows with the app's values on matched sets; unmatched app sets appended."""
    merged = watch_sets.copy()
    for name in EXTRA_SET_COLUMNS:
        if name not in merged.columns:
            merged[name] = np.nan if name in _NUMERIC_EXTRAS else None
        elif name not in _NUMERIC_EXTRAS:
            merged[name] = merged[name].astype("object")
    active = active_set_mask(merged)
    merged["set_source"] = pd.Series(["watch" if a else None for a in active], dtype="object")
    if matched:
        w_rows, a_rows = (list(rows) for rows in zip(*matched))
        for name in ("repetitions", "weight_kg", *_NUMERIC_EXTRAS):
            if name in app_sets.columns:
                app_values = pd.to_numeric(app_sets[name].iloc[a_rows], errors="coerce")
                app_values = app_values.to_numpy(dtype="float64")
                kept = merged[name].iloc[w_rows].to_numpy(dtype="float64")
                merged.loc[w_rows, name] = np.where(np.isnan(app_values), kept, app_values)
        for name in EXTRA_SET_COLUMNS:
            if name in app_sets.columns and name not in _NUMERIC_EXTRAS:
                values = app_sets[name].iloc[a_rows].astype("object")
                merged.loc[w_rows, name] = values.where(values.notna(), None).to_numpy()
        merged.loc[w_rows, "set_source"] = "watch+app"
    if lone_app:
        extra = app_sets.iloc[lone_app].copy()
        extra["set_source"] = "app"
        merged = pd.concat([merged, extra[[c for c in merged.columns if c in extra.columns]]],
                           ignore_index=True)
    return merged
