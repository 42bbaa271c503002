"""Basic per-session figures: duration, timer time, heart rate, power, distance.

Pure functions of an :class:`~lactlog.model.Activity`. Where the recording device stored its own
total (FIT ``session`` message, TCX laps) the device's value is used for duration, timer time and
distance, because the device saw data the file may not hold (e.g. smart recording); heart rate
and power averages are always computed from the samples (out-of-range values — sensor
placeholders, power-meter glitches — left out), the same way for every format.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from lactlog.analysis.clean import apply_range_rules, median
from lactlog.analysis.endurance import (
    analyse_endurance,
    cleaning_rules,
    endurance_rules,
)
from lactlog.analysis.options import AnalysisOptions
from lactlog.analysis.thresholds import resolve_thresholds, threshold_rules
from lactlog.model import Activity, active_set_mask
from lactlog.profile import sport_group
from lactlog.summaries import CHANNELS, DfaAnalysis, SessionSummary
from lactlog.table import NAT_NS, NS_PER_S, Table

if TYPE_CHECKING:  # history imports estimate, which imports this module
    from lactlog.analysis.history import HistoryThresholds
    from lactlog.analysis.strength import StrengthAnalysis

# The set analysis (lactlog.analysis.strength) and the beat-to-beat analysis (hrvt) use pandas;
# they are imported where a session has sets or beats, so an endurance file is summarised
# without loading pandas (issue 13).

#: A gap between two samples longer than this is "not recording" rather than slow sampling [s].
MAX_RECORDING_GAP_S = 60.0
#: Times of one session may disagree by this much before :func:`duration_warnings` warns: the
#: larger of an absolute [s] and a relative margin [fraction of the duration].
DURATION_MARGIN_S = 60.0
DURATION_MARGIN_FRACTION = 0.02


#: Sample columns that make a session an endurance session (with the lactate analysis): those
#: of the threshold channels.
ENDURANCE_CHANNELS = frozenset(column for column, _, _ in CHANNELS.values())


def is_strength(activity: Activity) -> bool:
    """Strength sessions (analysed by set logs, not by endurance channels)."""
    return activity.meta.sub_sport == "strength_training" or bool(
        activity.n_rows("sets") and active_set_mask(activity.sets).any()
    )


def uses_history(activity: Activity) -> bool:
    """True when :func:`summarize` resolves thresholds for the activity (an endurance channel
    and not strength), so that its summary depends on the history thresholds; a lifting-app
    workout's never does."""
    return bool(ENDURANCE_CHANNELS & set(activity.table("samples").names)) \
        and not is_strength(activity)


def summarize_all(
    activities: Sequence[Activity], options: AnalysisOptions | None = None,
    history: Mapping[int, HistoryThresholds] | None = None,
) -> list[SessionSummary]:
    """:func:`summarize` of each activity (``history``: by session index), the set analysis of
    all strength sessions done at once (:func:`analyse_strength_sessions`; a lifting-app export
    holds thousands of workouts)."""
    options = options or AnalysisOptions()
    history = history or {}
    lifts = [a for a in activities if is_strength(a)]
    analyses = {}
    if lifts:
        from lactlog.analysis.strength import analyse_strength_sessions

        analyses = dict(zip(map(id, lifts), analyse_strength_sessions(lifts, options.settings)))
    return [summarize(a, options, history.get(a.meta.session_index), analyses.get(id(a)))
            for a in activities]


def summarize(
    activity: Activity, options: AnalysisOptions | None = None,
    history: HistoryThresholds | None = None, strength: StrengthAnalysis | None = None,
) -> SessionSummary:
    """Summarise one activity (see module docstring for which value comes from where).

    Endurance sessions (anything with heart rate, power or speed that is not strength
    training) also get the lactate analysis of :func:`analyse_endurance`; strength sessions the
    set analysis of :func:`analyse_strength`. ``history``: the thresholds the session's sport
    history gives (:func:`lactlog.analysis.history.history_by_session`), ranked after the
    device's (:func:`resolve_thresholds`). ``strength``: the set analysis when already done
    (:func:`summarize_all`).
    """
    options = options or AnalysisOptions()
    meta, device, samples = activity.meta, activity.device_summary, activity.table("samples")
    endurance = None
    if strength is None and is_strength(activity):
        from lactlog.analysis.strength import analyse_strength

        strength = analyse_strength(activity, options.settings)
    if uses_history(activity):
        thresholds = resolve_thresholds(
            sport_group(meta.sport),
            options.local_date(meta.start, meta.utc_offset_s, meta.wall_clock),
            dict(options.flags),
            options.profile,
            device,
            threshold_rules(options.settings),
            history,
        )
        endurance = analyse_endurance(activity, thresholds, endurance_rules(options.settings),
                                      options.profile.sex)
    times_ns = samples.times_ns()
    weights_s = sample_weights_s(times_ns)
    duration = _first_known(device.elapsed_s, elapsed_s(times_ns))
    timer = _first_known(device.timer_s, timer_s(times_ns, activity.table("pauses")))
    rules = cleaning_rules(options.settings)  # no 0/255 placeholders or 65,535-W glitches
    heart_rate, power = (
        None if name not in samples else apply_range_rules(name, samples[name], rules)
        for name in ("heart_rate_bpm", "power_w")
    )
    return SessionSummary(
        source=meta.source,
        session_index=meta.session_index,
        sha256=meta.sha256,
        format=meta.format,
        sport=meta.sport,
        sub_sport=meta.sub_sport,
        start=meta.start,
        utc_offset_s=meta.utc_offset_s,
        manufacturer=meta.manufacturer,
        product=meta.product,
        duration_s=duration,
        timer_s=timer,
        avg_heart_rate_bpm=weighted_mean(heart_rate, weights_s),
        max_heart_rate_bpm=_max(heart_rate),
        avg_power_w=weighted_mean(power, weights_s),
        distance_m=_first_known(device.distance_m, distance_m(samples.get("distance_m"))),
        n_samples=len(samples),
        n_sets=(strength.n_sets + strength.n_warmup_sets if strength is not None
                else _active_sets(activity)),
        warnings=meta.warnings + duration_warnings(duration, timer, elapsed_s(times_ns)),
        endurance=endurance,
        strength=strength,
        profile_timezone=options.profile.timezone,
        wall_clock=meta.wall_clock,
        name=meta.name,
        dfa=_dfa(activity),
    )


def _dfa(activity: Activity) -> DfaAnalysis | None:
    """DFA-α1 of the session's beats (:func:`~lactlog.analysis.hrvt.analyse_dfa`); None
    without beats."""
    if not activity.n_rows("rr"):
        return None
    from lactlog.analysis.hrvt import analyse_dfa

    return analyse_dfa(activity.rr, activity.samples.get("power_w"))


def _active_sets(activity: Activity) -> int:
    """Number of ``active`` sets (:func:`~lactlog.model.active_set_mask`)."""
    if not activity.n_rows("sets"):
        return 0
    return int(np.count_nonzero(active_set_mask(activity.sets)))


def duration_warnings(
    duration_s: float | None, timer_s: float | None, samples_span_s: float | None
) -> tuple[str, ...]:
    """Warnings when a session's times contradict each other.

    The timer time (recording time without pauses) cannot exceed the elapsed duration, and the
    samples cannot span more than it; a margin of max(:data:`DURATION_MARGIN_S`,
    :data:`DURATION_MARGIN_FRACTION` × duration) allows for rounding and a last sample's
    length. Typical causes: device totals from another session of the file, a clock jump, a
    pause-heavy file whose totals were edited.
    """
    if duration_s is None:
        return ()
    margin_s = max(DURATION_MARGIN_S, DURATION_MARGIN_FRACTION * duration_s)
    found = []
    if timer_s is not None and timer_s > duration_s + margin_s:
        found.append(f"the timer time ({timer_s / 60:,.0f} min) is longer than the duration "
                     f"({duration_s / 60:,.0f} min): the file's totals contradict each other")
    if samples_span_s is not None and samples_span_s > duration_s + margin_s:
        found.append(f"the samples span {samples_span_s / 60:,.0f} min but the duration is "
                     f"{duration_s / 60:,.0f} min: the device's totals contradict its samples")
    return tuple(found)


def _first_known(*values: float | None) -> float | None:
    return next((float(v) for v in values if v is not None and not math.isnan(v)), None)


def elapsed_s(times_ns: np.ndarray) -> float | None:
    """Time from the first to the last sample [s] (``times_ns``: UTC ns, sorted); None with
    fewer than two samples."""
    if len(times_ns) < 2:
        return None
    return (int(times_ns[-1]) - int(times_ns[0])) / NS_PER_S


def sample_weights_s(times_ns: np.ndarray) -> np.ndarray:
    """Duration each sample stands for [s]: the interval to the next sample.

    Intervals longer than :data:`MAX_RECORDING_GAP_S` count as zero (recording stopped); the last
    sample stands for the median interval.
    """
    if len(times_ns) == 0:
        return np.empty(0)
    intervals = np.diff(times_ns) / NS_PER_S
    last = median(intervals) if len(intervals) else 1.0
    weights = np.append(intervals, last)
    weights[weights > MAX_RECORDING_GAP_S] = 0.0
    return weights


def timer_s(times_ns: np.ndarray, pauses: Table) -> float | None:
    """Recorded time without pauses [s]: sample intervals ≤ the gap limit, outside pauses
    [start, end) (``pauses``: ``Activity.table("pauses")``; one without an end counts for
    nothing)."""
    if len(times_ns) < 2:
        return None
    weights = sample_weights_s(times_ns)[:-1]
    if len(pauses) and "start" in pauses.time_columns and "end" in pauses.time_columns:
        paused = np.zeros(len(weights), dtype=bool)
        starts = times_ns[:-1]
        for start, end in zip(pauses["start"].tolist(), pauses["end"].tolist()):  # per pause
            if start != NAT_NS and end != NAT_NS:
                paused |= (starts >= start) & (starts < end)
        weights = np.where(paused, 0.0, weights)
    return float(weights.sum())


def weighted_mean(values: np.ndarray | None, weights_s: np.ndarray) -> float | None:
    """Time-weighted mean of a sample column, ignoring missing values; None if none."""
    if values is None:
        return None
    data = np.asarray(values, dtype=np.float64)
    valid = ~np.isnan(data) & (weights_s > 0)
    total = weights_s[valid].sum()
    if total <= 0:
        return None
    return float(np.dot(data[valid], weights_s[valid]) / total)


def _max(values: np.ndarray | None) -> float | None:
    if values is None or np.isnan(values).all():
        return None
    return float(np.nanmax(values))


def distance_m(values: np.ndarray | None) -> float | None:
    """Distance covered according to a cumulative distance column [m]."""
    if values is None or np.isnan(values).all():
        return None
    return float(np.nanmax(values) - np.nanmin(values))
