"""Every analysis default in one place, documented, and overridable in the profile's [settings].

``lactlog config set settings.high_min_above_lt_s 900`` changes one; ``lactlog config show``
lists them all with their current values. Each setting has a range
(:data:`lactlog.validate.SETTING_RANGES`), checked alike for the profile and ``config set``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any, TypeVar

from lactlog import validate
from lactlog.analysis.cleaning_rules import CleaningRules
from lactlog.errors import ConfigError

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T", bound="DataclassInstance")

_CLEANING = CleaningRules()  # the cleaning defaults live with the cleaning code


@dataclass(frozen=True)
class Settings:
    """Analysis settings (defaults shown). Units are in the names."""

    # signal cleaning
    hr_min_bpm: float = _CLEANING.hr_min_bpm
    """Heart rate below this is a sensor placeholder or dropout -> missing."""
    hr_max_bpm: float = _CLEANING.hr_max_bpm
    """Heart rate above this is not physiological (0xFF placeholders included) -> missing."""
    hampel_half_window_s: int = _CLEANING.hampel_half_window_s
    """Half window of the Hampel filter that removes isolated heart-rate spikes."""
    hampel_n_sigma: float = _CLEANING.hampel_n_sigma
    """A heart-rate sample further than this many robust SDs from the local median is a spike..."""
    hampel_min_deviation_bpm: float = _CLEANING.hampel_min_deviation_bpm
    """...and further than this from it (integer HR on a plateau has zero spread)."""
    power_max_w: float = _CLEANING.power_max_w
    """Power above this is a power-meter glitch -> missing."""
    max_gap_s: float = _CLEANING.max_gap_s
    """Gaps up to this are interpolated (smart recording); longer ones count as no data."""
    # input limits
    max_file_mb: float = 1024.0
    """Larger input files are refused with a message (protects memory) [MiB]."""
    max_decompressed_mb: float = 512.0
    """A .gz input may decompress to at most this much (gzip bombs) [MiB]."""
    max_sessions_per_file: int = 1000
    """A FIT file is read up to this many sessions; a warning names the file and how many more it held."""
    # thresholds
    lthr_fraction_of_hrr: float = 0.85
    """Estimated LTHR = rest + this × (max − rest) when nothing better is known (Karvonen)."""
    default_rest_hr_bpm: float = 60.0
    """Resting heart rate assumed for the LTHR estimate and TRIMP when none is known."""
    lt1_fraction_of_lthr: float = 0.9
    """First lactate threshold (Seiler zone 1/2 boundary) as a fraction of LTHR."""
    # thresholds from the athlete's own history (analysis/history.py)
    history_window_days: int = 90
    """History thresholds use the sport's sessions of this many days up to each session (0: off)."""
    history_min_sessions: int = 1
    """...used on their own (no stored value) only with this many sessions."""
    history_lthr_min_fraction_of_max_hr: float = 0.85
    """An HR effort gives an LTHR (a ride's best 20 min an FTP) only at ≥ this × max HR (Friel)."""
    assumed_max_hr_bpm: float = 180.0
    """Max HR assumed when the history's peaks are lower (Tanaka 2001 at 40 y); swims: − offset."""
    history_cp_max_w_prime_j: float = 40000.0
    """A CP fit with W' above this (or below 5 kJ) is not from all-out efforts: FTP = 0.95 × P20."""
    swim_hr_offset_bpm: float = 12.0
    """Swim LTHR / max HR = run value − this when swims give none (DiCarlo et al. 1991)."""
    stale_power_tolerance: float = 0.05
    """FTP is stale when the best 20-min power is ≥ (1 + this) × FTP (CP: the history's CP)..."""
    stale_lthr_margin_bpm: float = 5.0
    """...LTHR when the last 20 min of the best 30-min HR effort are ≥ LTHR + this..."""
    stale_max_hr_margin_bpm: float = 1.0
    """...max HR when the history's peak HR is ≥ max HR + this. Stale device values are replaced."""
    # hard efforts (analysis/intervals.py)
    power_smoothing_s: float = 30.0
    """Power and speed are judged on a centred mean over this window (NP's 30 s, Coggan)."""
    effort_band_fraction: float = 0.03
    """A hard effort starts at ≥ (1 + this) × threshold and ends at the first second below it..."""
    interval_merge_gap_s: float = 10.0
    """...unless back at the start level within this many seconds (one effort, the dip inside)."""
    interval_min_duration_s: float = 30.0
    """Shortest effort at or above threshold that counts as a hard effort."""
    # stimulus verdict (endurance)
    high_min_above_lt_s: float = 600.0
    """HIGH when at least this long above lactate threshold inside hard efforts..."""
    high_min_w_prime_depletion: float = 0.5
    """...or W' balance fell by at least this fraction of W'."""
    low_max_above_lt_s: float = 180.0
    """LOW when less than this above threshold in all (and W' fell by < half the HIGH bound)."""
    # strength
    near_failure_max_rir: float = 2.0
    """A set with at most this many reps in reserve (RIR = 10 − RPE, Zourdos 2016) is near failure."""
    high_rep_min_reps: int = 12
    """A set of at least this many reps is high-rep (metabolic-stress range, Schoenfeld 2010)."""
    short_rest_max_s: float = 90.0
    """Rest up to this is short (30–90 s: metabolic-stress rest; Schoenfeld 2010, de Salles 2009)."""
    effective_reps_from_failure: float = 5.0
    """Reps within this many of failure count as effective (an estimate, after Beardsley)."""
    strength_high_min_stress_sets: int = 6
    """Strength HIGH with at least this many stress sets (near failure + short rest/high reps/BFR)..."""
    strength_moderate_min_stress_sets: int = 2
    """...MODERATE with at least this many; LOW below (one finisher set is not a session's stimulus)."""
    merge_tolerance_s: float = 900.0
    """A lifting-app workout and a watch strength session starting this close are one workout."""


_FIELDS = {f.name: f for f in fields(Settings)}


def parse_setting(name: str, text: str, current: dict[str, Any] | None = None) -> float | int:
    """Parse a command-line value for a setting, checked by the same rule as the profile's
    [settings] table (ConfigError if unknown, not a finite number, outside its range, a fraction
    for a whole-number setting, or out of order with ``current``, the other settings already
    set). Whole-number settings come back as int, the others as float."""
    if name not in _FIELDS:
        raise ConfigError(f"unknown setting {validate._shown(name)}; known: {', '.join(_FIELDS)}")
    try:
        value = float(text)
    except (ValueError, TypeError):
        raise ConfigError(f"setting {name} must be a number, not {validate._shown(text)}") from None
    _check(name, value, "")
    parsed = int(value) if _is_int(name) else value
    check_settings({**(current or {}), name: parsed}, "")
    return parsed


def _is_int(name: str) -> bool:
    return _FIELDS[name].type in ("int", int)


def _check(name: str, value: Any, where: str) -> None:
    """The one rule for a setting's value: a finite number (a TOML number, not text) within
    :data:`lactlog.validate.SETTING_RANGES`, whole for int settings."""
    prefix = f"{where}: " if where else ""
    if isinstance(value, str):
        raise ConfigError(f"{prefix}setting {name} must be a number, not {validate._shown(value)}")
    try:
        bounds = validate.SETTING_RANGES.get(name, validate.DEFAULT_SETTING_RANGE)
        validate.in_range(f"setting {name}", value, bounds, whole=_is_int(name))
    except ConfigError as exc:
        raise ConfigError(f"{prefix}{exc}") from None


def check_settings(values: Any, where: str) -> None:
    """Validate a [settings] table: known names, each value in range, ordered pairs in order
    (:data:`lactlog.validate.SETTING_ORDER`, with the defaults for the unset ones)."""
    prefix = f"{where}: " if where else ""
    values = validate.table(values, "settings")
    for name, value in values.items():
        if name not in _FIELDS:
            raise ConfigError(f"{prefix}unknown setting {validate._shown(name)}; known: "
                              f"{', '.join(_FIELDS)}")
        _check(name, value, where)
    for low, high in validate.SETTING_ORDER:
        low_value = values.get(low, _FIELDS[low].default)
        high_value = values.get(high, _FIELDS[high].default)
        if not low_value < high_value:
            raise ConfigError(f"{prefix}setting {low} ({low_value:g}) must be below {high} "
                              f"({high_value:g})")


def rules_from(kind: type[T], settings: Settings, **given: Any) -> T:
    """The rules dataclass ``kind`` (a part of the settings that one analysis uses) from the
    settings of the same field names; ``given``: the fields the settings hold under no such
    name (nested rules, a setting of another name)."""
    names = [f.name for f in fields(kind) if f.name not in given]
    return kind(**given, **{name: getattr(settings, name) for name in names})


def settings_from(values: dict[str, Any]) -> Settings:
    """Defaults overridden by a validated [settings] table."""
    return replace(Settings(), **values)


def describe() -> list[tuple[str, Any, str]]:
    """(name, default, documentation) of every setting, for ``config show`` and the README."""
    docs = _docstrings()
    return [(f.name, f.default, docs.get(f.name, "")) for f in fields(Settings)]


def _docstrings() -> dict[str, str]:
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(Settings))
    body = tree.body[0].body  # type: ignore[attr-defined]
    docs: dict[str, str] = {}
    for node, following in itertools.pairwise(body):
        if isinstance(node, ast.AnnAssign) and isinstance(following, ast.Expr):
            docs[node.target.id] = " ".join(str(following.value.value).split())  # type: ignore
    return docs
