"""Endurance analysis of one session: time above threshold, zones, load, W', intervals, verdict.

Composes the pure functions of :mod:`clean`, :mod:`zones`, :mod:`load`, :mod:`wbal`,
:mod:`intervals` and :mod:`stimulus` on the cleaned 1-Hz signals of an activity, with the
thresholds resolved for that session (:mod:`thresholds`).

Channels and thresholds: power against FTP (CP when no FTP is known), heart rate against LTHR,
speed against the threshold pace's speed. The primary channel — the one the verdict and the hard
intervals use — is power, else heart rate, else pace, among those with data and a threshold.
Heart rate lags power by 30–60 s, which is why power comes first when present.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from lactlog.analysis.clean import CleaningRules, CleanSamples, clean
from lactlog.analysis.intervals import Interval, detect_intervals, judged_signal
from lactlog.analysis.load import (
    banister_trimp,
    intensity_factor,
    normalized_power_duration_s,
    normalized_power_w,
    normalized_trimp,
    training_stress_score,
)
from lactlog.analysis.stimulus import StimulusEvidence, VerdictRules, endurance_verdict
from lactlog.analysis.thresholds import SessionThresholds
from lactlog.analysis.wbal import (
    WPrimeSummary,
    summarize_w_prime,
    w_prime_balance_differential_j,
    w_prime_balance_integral_j,
)
from lactlog.analysis.zones import (
    COGGAN_POWER,
    FRIEL_CYCLING_HR,
    FRIEL_RUNNING_HR,
    ZoneSystem,
    seiler_three_zones,
)
from lactlog.model import Activity
from lactlog.settings import Settings, rules_from
from lactlog.summaries import CHANNELS, EnduranceAnalysis, ZoneTimes

#: Banister TRIMP constants used when the profile gives no sex.
DEFAULT_TRIMP_SEX = "male"


@lru_cache(maxsize=8)
def cleaning_rules(settings: Settings) -> CleaningRules:
    """The signal-cleaning part of the settings (Settings has a field for every rule); cached,
    as it is asked for per session (both are frozen)."""
    return rules_from(CleaningRules, settings)


@dataclass(frozen=True, eq=False)
class EnduranceRules:
    """What :func:`analyse_endurance` uses of the settings, and nothing else.

    ``cleaning``: the signal-cleaning rules; ``verdict``: the stimulus verdict's thresholds;
    ``power_smoothing_s`` [s]: the mean power and speed are judged on; the hard-effort
    detection's ``interval_min_duration_s``, ``interval_merge_gap_s`` [s] and
    ``effort_band_fraction`` [-]; ``default_rest_hr_bpm`` [bpm] when no resting HR is known;
    ``lt1_fraction_of_lthr`` [-]: the top of Seiler's zone 1 without a measured LT1.
    """

    cleaning: CleaningRules
    verdict: VerdictRules
    power_smoothing_s: float
    interval_min_duration_s: float
    interval_merge_gap_s: float
    effort_band_fraction: float
    default_rest_hr_bpm: float
    lt1_fraction_of_lthr: float


def endurance_rules(settings: Settings) -> EnduranceRules:
    """The endurance analysis' part of the settings."""
    return rules_from(EnduranceRules, settings, cleaning=cleaning_rules(settings),
                      verdict=VerdictRules.from_settings(settings))


def channel_threshold(channel: str, thresholds: SessionThresholds) -> float | None:
    """The threshold a channel is compared with (power: FTP, else CP)."""
    return thresholds.used(CHANNELS[channel][1]).value


def analyse_endurance(
    activity: Activity, thresholds: SessionThresholds, rules: EnduranceRules, sex: str | None
) -> EnduranceAnalysis:
    """Analyse one session (see the module docstring).

    Time above threshold is counted on the judged signal of each channel
    (:func:`~lactlog.analysis.intervals.judged_signal`: power and speed as a 30-s mean, heart
    rate as recorded), and separately the part of it that lies inside hard efforts
    (:func:`~lactlog.analysis.intervals.detect_intervals`, with hysteresis) on the primary
    channel; the verdict rests on the latter. ``rules``: :func:`endurance_rules` of the
    settings. ``sex`` (``male`` or ``female``) picks Banister's
    TRIMP constants; None means :data:`DEFAULT_TRIMP_SEX`.
    """
    grid = clean(activity.table("samples"), activity.table("pauses"), rules.cleaning)
    recorded_s = float(grid.recording.sum())
    above = {
        channel: _seconds_at_or_above(judged_signal(grid, column, rules.power_smoothing_s), limit)
        for channel, (column, _, _) in CHANNELS.items()
        if (limit := channel_threshold(channel, thresholds)) is not None and grid.has_data(column)
    }
    primary = next((c for c in CHANNELS if c in above), None)
    intervals: tuple[Interval, ...] = ()
    primary_threshold = None if primary is None else channel_threshold(primary, thresholds)
    if primary is not None and primary_threshold is not None:  # ``above`` needs a threshold
        intervals = tuple(
            detect_intervals(
                grid,
                CHANNELS[primary][0],
                primary_threshold,
                min_duration_s=rules.interval_min_duration_s,
                merge_gap_s=rules.interval_merge_gap_s,
                smooth_s=rules.power_smoothing_s,
                band_fraction=rules.effort_band_fraction,
            )
        )
    power = grid.get("power_w")
    w_prime, w_integral = _w_prime(power, grid.gap_s(), thresholds)
    time_above = above.get(primary) if primary else None
    in_efforts = float(sum(i.above_s for i in intervals)) if primary else None
    lowest = None if w_prime is None else w_prime.min_balance_fraction  # 0.0 is a value
    depletion = None if w_prime is None else 1 - (1.0 if lowest is None else lowest)
    return EnduranceAnalysis(
        thresholds=thresholds,
        recorded_s=recorded_s,
        primary_channel=primary,
        time_above_lt_s=time_above,
        time_above_lt_in_efforts_s=in_efforts,
        time_above_by_channel_s=above,
        zones=_zones(grid, thresholds, rules.lt1_fraction_of_lthr, activity.meta.sport),
        zone_notes=zone_notes(activity.meta.sport, _channels_with_data(grid)),
        **_power_load(power, thresholds.ftp_w.value),
        **_heart_rate_load(grid, thresholds, sex, rules.default_rest_hr_bpm),
        w_prime=w_prime,
        min_w_prime_balance_integral_j=w_integral,
        intervals=intervals,
        verdict=endurance_verdict(
            StimulusEvidence(
                threshold_label=CHANNELS[primary][2] if primary else None,
                time_above_lt_s=time_above,
                time_above_lt_in_efforts_s=in_efforts,
                n_efforts=len(intervals),
                w_prime_depletion=depletion,
            ),
            rules.verdict,
        ),
    )


def _channels_with_data(grid: CleanSamples) -> set[str]:
    return {c for c in ("heart_rate_bpm", "power_w") if grid.has_data(c)}


def _seconds_at_or_above(values: np.ndarray, limit: float) -> float:
    with np.errstate(invalid="ignore"):
        return float((values >= limit).sum())


#: Zone tables per FIT sport: Friel's heart-rate zones exist for running and cycling, Coggan's
#: power levels for cycling. Other sports (swimming, rowing, walking, ...) get Seiler's three
#: zones only, which rest on the two lactate thresholds and hold for any endurance sport.
HEART_RATE_ZONES: dict[str, ZoneSystem] = {
    "running": FRIEL_RUNNING_HR,
    "trail_running": FRIEL_RUNNING_HR,
    "cycling": FRIEL_CYCLING_HR,
    "e_biking": FRIEL_CYCLING_HR,
}
POWER_ZONES: dict[str, ZoneSystem] = {"cycling": COGGAN_POWER, "e_biking": COGGAN_POWER}


def zone_notes(sport: str, channels: set[str]) -> tuple[str, ...]:
    """What the zone tables of a ``sport`` session leave out and why (for the output)."""
    notes = []
    if "heart_rate_bpm" in channels and sport not in HEART_RATE_ZONES:
        notes.append(f"no heart-rate zone table for {sport} (Friel's are for running and "
                     "cycling): Seiler's three zones only")
    if "power_w" in channels and sport not in POWER_ZONES:
        notes.append(f"no power zone table for {sport} (Coggan's levels are for cycling)")
    return tuple(notes)


def _zones(
    grid: CleanSamples, thresholds: SessionThresholds, lt1_fraction_of_lthr: float,
    sport: str,
) -> tuple[ZoneTimes, ...]:
    lthr, ftp = thresholds.lthr_bpm.value, channel_threshold("power", thresholds)
    on_heart_rate = bool(lthr) and grid.has_data("heart_rate_bpm")
    # Seiler's zones on heart rate when LTHR is known, else on power; zone 1 ends at the
    # measured LT1 (lactate test or HRVT1) when there is one below the threshold
    seiler_threshold = lthr if on_heart_rate else ftp
    lt1 = (thresholds.lt1_hr_bpm if on_heart_rate else thresholds.lt1_power_w).value
    fraction = lt1_fraction_of_lthr
    if lt1 is not None and seiler_threshold and 0 < lt1 < seiler_threshold:
        fraction = lt1 / seiler_threshold
    plans: list[tuple[ZoneSystem | None, str, float | None]] = [
        (HEART_RATE_ZONES.get(sport), "heart_rate_bpm", lthr),
        (POWER_ZONES.get(sport), "power_w", ftp),
        (seiler_three_zones(fraction), "heart_rate_bpm" if on_heart_rate else "power_w",
         seiler_threshold),
    ]
    result = []
    for system, column, threshold in plans:
        if system is None or threshold is None or not grid.has_data(column):
            continue
        seconds = system.time_in_zones_s(grid[column], threshold)
        result.append(
            ZoneTimes(
                system=system.name,
                channel=column,
                names=system.zone_names,
                upper_bounds=tuple(round(b, 1) for b in system.boundaries(threshold)),
                seconds=tuple(seconds.values()),
            )
        )
    return tuple(result)


def _power_load(power: np.ndarray | None, ftp_w: float | None) -> dict:
    """NP, IF and TSS; TSS over the seconds NP averages (:func:`normalized_power_duration_s`)."""
    if power is None or np.isnan(power).all():
        return {}
    np_w = normalized_power_w(power)
    duration_s = normalized_power_duration_s(power)
    if np_w is None or ftp_w is None or duration_s is None:
        return {"normalized_power_w": np_w}
    return {
        "normalized_power_w": np_w,
        "intensity_factor": intensity_factor(np_w, ftp_w),
        "tss": training_stress_score(duration_s, np_w, ftp_w),
    }


def _heart_rate_load(
    grid: CleanSamples, thresholds: SessionThresholds, sex: str | None, default_rest_bpm: float
) -> dict:
    max_hr, lthr = thresholds.max_hr_bpm.value, thresholds.lthr_bpm.value
    if "heart_rate_bpm" not in grid or max_hr is None:
        return {}
    rest = thresholds.rest_hr_bpm.value
    rest = default_rest_bpm if rest is None else rest
    if not rest < max_hr:  # no HR reserve (resolve_thresholds drops such device values)
        return {}
    heart_rate = grid["heart_rate_bpm"]
    sex = DEFAULT_TRIMP_SEX if sex is None else sex
    out = {"trimp": banister_trimp(heart_rate, rest, max_hr, sex)}
    if lthr is not None and rest < lthr < max_hr:
        out["trimp_normalized"] = normalized_trimp(heart_rate, rest, max_hr, lthr, sex)
    return out


def _w_prime(
    power: np.ndarray | None, gap_s: np.ndarray, thresholds: SessionThresholds
) -> tuple[WPrimeSummary | None, float | None]:
    """Both W' balance models; W' recovers across stops left out of the grid (``gap_s``)."""
    cp, w_prime = thresholds.cp_w.value, thresholds.w_prime_j.value
    if power is None or cp is None or w_prime is None or np.isnan(power).all():
        return None, None
    differential = w_prime_balance_differential_j(power, cp, w_prime, gap_s=gap_s)
    integral = w_prime_balance_integral_j(power, cp, w_prime, gap_s=gap_s)
    return summarize_w_prime(differential, power, cp, w_prime), float(np.nanmin(integral))
