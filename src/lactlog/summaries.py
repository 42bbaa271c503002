"""Result types of one session's analysis: what the analysis returns, the cache stores and the
renderers read.

Plain frozen dataclasses of numbers, text, dates and tuples (SI units, ``None`` when not
computable), with no numpy or pandas anywhere: a cached result is loaded
(:mod:`lactlog.cache_format`) and rendered (:mod:`lactlog.report`) without importing either.
The analysis modules that compute them (:mod:`lactlog.analysis.session`, ``endurance``,
``thresholds``, ``intervals``, ``strength``, ``hrvt``, ``estimate``, ``history`` ...) import
them from here and keep their names.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime

#: Warning of a file whose device clock was never set: its dates are wrong (FIT times relative to
#: the device's power-on). ``lactlog week`` leaves such sessions out of the calendar.
WARN_CLOCK_NOT_SET = "the device clock was not set (only relative times in the file): dates are wrong"

#: ``product`` of a workout read from a lifting app's CSV export (merged with a watch recording
#: of the same training, :mod:`lactlog.analysis.merge`).
APP_PRODUCTS = frozenset({"Strong", "Hevy", "FitNotes"})



@dataclass(frozen=True)
class Threshold:
    """A threshold value and its source (``flag``, ``profile 2026-03-01``, ``device``,
    ``history 90 d: …``, ``estimate …``); ``stale``: why a stored value looks out of date (the
    evidence), None when nothing contradicts it."""

    value: float | None = None
    source: str | None = None
    stale: str | None = None


@dataclass(frozen=True)
class SessionThresholds:
    """All thresholds for one session. Speeds instead of paces: ``threshold_speed_mps``."""

    lthr_bpm: Threshold = Threshold()
    max_hr_bpm: Threshold = Threshold()
    rest_hr_bpm: Threshold = Threshold()
    ftp_w: Threshold = Threshold()
    cp_w: Threshold = Threshold()
    w_prime_j: Threshold = Threshold()
    threshold_speed_mps: Threshold = Threshold()
    #: Measured first lactate threshold (a lactate test's LT1, or HRVT1 from DFA-α1): the top of
    #: Seiler's zone 1 when known; flag or profile only.
    lt1_hr_bpm: Threshold = Threshold()
    lt1_power_w: Threshold = Threshold()

    def used(self, name: str) -> Threshold:
        """The threshold a channel with field ``name`` is compared with: FTP falls back to CP."""
        found = getattr(self, name)
        return self.cp_w if name == "ftp_w" and found.value is None else found


@dataclass(frozen=True)
class Verdict:
    """A stimulus level and the reasons behind it, in words a user can check."""

    level: str | None
    reasons: tuple[str, ...]


#: channel name -> (sample column, threshold field, label used in reasons)
CHANNELS: dict[str, tuple[str, str, str]] = {
    "power": ("power_w", "ftp_w", "FTP"),
    "heart_rate": ("heart_rate_bpm", "lthr_bpm", "LTHR"),
    "pace": ("speed_mps", "threshold_speed_mps", "threshold pace"),
}


@dataclass(frozen=True)
class ZoneTimes:
    """Time per zone of one zone system for one session."""

    system: str
    channel: str
    names: tuple[str, ...]
    upper_bounds: tuple[float, ...]
    seconds: tuple[float, ...]


@dataclass(frozen=True)
class WPrimeSummary:
    """Summary of one W' balance trace.

    Attributes
    ----------
    min_balance_j : float or None
        Lowest W'bal [J]; None for an empty trace.
    min_balance_fraction : float or None
        Lowest W'bal as a fraction of W' [-].
    expended_j : float
        Work above CP, Σ (P − CP)·Δt over samples with P > CP [J].
    n_efforts : int
        Separate depletions of at least ``effort_fraction`` × W' from a local maximum
        (see :func:`count_depletions`).
    """

    min_balance_j: float | None
    min_balance_fraction: float | None
    expended_j: float
    n_efforts: int


@dataclass(frozen=True)
class Interval:
    """One hard effort.

    Attributes
    ----------
    start : datetime
        First second of the effort (UTC).
    duration_s : float
        Length [s], from going clearly above the threshold (the start level) to the first
        second below the threshold itself; dips bridged as in ``detect_intervals``.
    above_s : float
        Seconds of the effort with the judged signal at or above the threshold itself [s].
    mean_heart_rate_bpm, peak_heart_rate_bpm : float or None
        Heart rate over the effort [bpm]; None when the channel is absent or all NaN there.
    mean_power_w, peak_power_w : float or None
        Power over the effort, unsmoothed [W].
    mean_speed_mps : float or None
        Speed over the effort [m/s].
    """

    start: datetime
    duration_s: float
    above_s: float
    mean_heart_rate_bpm: float | None
    peak_heart_rate_bpm: float | None
    mean_power_w: float | None
    peak_power_w: float | None
    mean_speed_mps: float | None


@dataclass(frozen=True)
class EnduranceAnalysis:
    """Everything lactlog derives about one endurance session (None where not computable)."""

    thresholds: SessionThresholds
    recorded_s: float
    primary_channel: str | None
    time_above_lt_s: float | None
    time_above_lt_in_efforts_s: float | None = None
    time_above_by_channel_s: dict[str, float] = field(default_factory=dict)
    zones: tuple[ZoneTimes, ...] = ()
    zone_notes: tuple[str, ...] = ()
    normalized_power_w: float | None = None
    intensity_factor: float | None = None
    tss: float | None = None
    trimp: float | None = None
    trimp_normalized: float | None = None
    w_prime: WPrimeSummary | None = None
    min_w_prime_balance_integral_j: float | None = None
    intervals: tuple[Interval, ...] = ()
    verdict: Verdict = field(default_factory=lambda: Verdict(None, ()))

    @property
    def time_above_lt_fraction(self) -> float | None:
        """Share of the recorded time at or above threshold: ``time_above_lt_s / recorded_s``
        [0–1]; None without a threshold or without recorded time."""
        if self.time_above_lt_s is None or self.recorded_s <= 0:
            return None
        return self.time_above_lt_s / self.recorded_s

    @property
    def load(self) -> float | None:
        """Training load [TSS-like points]: TSS when known, else normalised TRIMP (None
        without either, or when neither is finite)."""
        for value in (self.tss, self.trimp_normalized):
            if value is not None and math.isfinite(value):
                return float(value)
        return None


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


@dataclass(frozen=True)
class HrvThreshold:
    """One HRV threshold: where α1 crosses ``alpha1``.

    Attributes
    ----------
    name : str
        ``HRVT1`` or ``HRVT2``.
    alpha1 : float
        The α1 value defining it.
    heart_rate_bpm : float
        Heart rate at the crossing [bpm].
    power_w : float or None
        Power at the crossing [W] when the session has power and α1 falls with it.
    r_squared : float
        r² of α1 on heart rate.
    n_windows : int
        Clean 2-min windows in the regression.
    quality : str
        ``ramp`` or ``weak`` (module docstring).
    """

    name: str
    alpha1: float
    heart_rate_bpm: float
    power_w: float | None
    r_squared: float
    n_windows: int
    quality: str


@dataclass(frozen=True)
class DfaAnalysis:
    """DFA-α1 of one session, compact enough to cache (one value per 30 s).

    Attributes
    ----------
    start : datetime
        First beat (UTC); ``offset_s`` counts from it.
    offset_s, alpha1, heart_rate_bpm : tuple of float
        Window end [s], α1 (NaN where the window was refused), mean heart rate from the beats
        [bpm], every :data:`COMPACT_STEP_S`.
    power_w : tuple of float or None
        Mean power over each window [W]; None without power.
    artefact_percent : float
        Artefact and missing beats of the whole recording [%].
    max_artefact_percent : float
        Windows above this were refused [%].
    n_windows, n_clean_windows : int
        2-min windows (every 5 s) and those that gave α1.
    hrvt1, hrvt2 : HrvThreshold or None
    notes : tuple of str
        Why a threshold is missing.
    """

    start: datetime
    offset_s: tuple[float, ...]
    alpha1: tuple[float, ...]
    heart_rate_bpm: tuple[float, ...]
    power_w: tuple[float, ...] | None
    artefact_percent: float
    max_artefact_percent: float
    n_windows: int
    n_clean_windows: int
    hrvt1: HrvThreshold | None
    hrvt2: HrvThreshold | None
    notes: tuple[str, ...]


@dataclass(frozen=True)
class SessionSummary:
    """One analysed session; all values SI units, ``None`` when they cannot be computed."""

    source: str
    session_index: int
    sha256: str
    format: str
    sport: str
    sub_sport: str | None
    start: datetime | None
    utc_offset_s: int | None
    manufacturer: str | None
    product: str | None
    duration_s: float | None
    timer_s: float | None
    avg_heart_rate_bpm: float | None
    max_heart_rate_bpm: float | None
    avg_power_w: float | None
    distance_m: float | None
    n_samples: int
    n_sets: int
    warnings: tuple[str, ...]
    endurance: EnduranceAnalysis | None = None
    strength: StrengthAnalysis | None = None
    #: The profile's IANA time zone the session is shown in (None: the file's offset, else this
    #: computer's zone), and whether ``start`` is a wall-clock time (see :mod:`lactlog.localtime`).
    profile_timezone: str | None = None
    wall_clock: bool = False
    #: The activity's title where the export has one (Strava's activities.csv, GPX <name>).
    name: str | None = None
    #: DFA-α1 and HRV thresholds when the file has beat-to-beat intervals (:mod:`hrvt`).
    dfa: DfaAnalysis | None = None


@dataclass(frozen=True)
class SessionRef:
    """Which session a window comes from."""

    source: str
    session_index: int
    start: datetime | None
    utc_offset_s: int | None
    sport: str
    #: For local times (:mod:`lactlog.localtime`): the profile's zone, a wall-clock file.
    profile_timezone: str | None = None
    wall_clock: bool = False


@dataclass(frozen=True)
class Window:
    """A best-effort window: session, first second (UTC), length [s] and mean value."""

    session: SessionRef
    start: datetime
    duration_s: float
    mean: float


@dataclass(frozen=True)
class SessionBests:
    """Best-effort windows of one session (None / absent where no full window exists)."""

    session: SessionRef
    group: str
    strength: bool
    power_w: dict[int, Window] = field(default_factory=dict)
    heart_rate_30_min: Window | None = None
    heart_rate_30_min_tail: Window | None = None
    heart_rate_20_min: Window | None = None
    heart_rate_peak_5_s: Window | None = None
    #: Mean HR over the best 20-min power window [bpm] (None without enough HR there): tells a
    #: threshold effort from an easy ride when the best 20 minutes give an FTP.
    heart_rate_during_best_20_min_power_bpm: float | None = None


@dataclass(frozen=True)
class DatedBests:
    """One session's best efforts and the athlete's calendar date of the session."""

    day: date
    bests: SessionBests
