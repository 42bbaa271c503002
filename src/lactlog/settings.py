"""Every analysis default in one place, documented, and overridable in the profile's [settings].

``lactlog config set settings.high_min_above_lt_s 900`` changes one; ``lactlog config show``
lists them all with their current values.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, fields, replace
from typing import Any

from lactlog.analysis.clean import CleaningRules
from lactlog.errors import ConfigError

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
    # thresholds
    lthr_fraction_of_hrr: float = 0.85
    """Estimated LTHR = rest + this × (max − rest) when nothing better is known (Karvonen)."""
    default_rest_hr_bpm: float = 60.0
    """Resting heart rate assumed for the LTHR estimate and TRIMP when none is known."""
    lt1_fraction_of_lthr: float = 0.9
    """First lactate threshold (Seiler zone 1/2 boundary) as a fraction of LTHR."""
    # hard intervals
    interval_min_duration_s: float = 30.0
    """Shortest effort at or above threshold that counts as a hard interval."""
    interval_merge_gap_s: float = 10.0
    """Dips below threshold shorter than this do not split an interval."""
    # stimulus verdict (endurance)
    high_min_above_lt_s: float = 600.0
    """HIGH when at least this long at or above lactate threshold..."""
    high_min_intervals: int = 5
    """...or at least this many hard intervals (5, not 4: agrees better with Garmin AnTE)..."""
    high_min_w_prime_depletion: float = 0.5
    """...or W' balance fell by at least this fraction of W'."""
    low_max_above_lt_s: float = 180.0
    """LOW when less than this above threshold and no hard interval; MODERATE otherwise."""
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


def parse_setting(name: str, text: str) -> float | int:
    """Parse a command-line value for a setting (ConfigError if unknown or not a number)."""
    if name not in _FIELDS:
        raise ConfigError(f"unknown setting {name!r}; known: {', '.join(_FIELDS)}")
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(f"setting {name} must be a number, not {text!r}") from None
    _check(name, value, "command line")
    return int(value) if _FIELDS[name].type in ("int", int) else value


def _check(name: str, value: Any, where: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ConfigError(f"{where}: setting {name} must be a non-negative number, not {value!r}")


def check_settings(values: dict[str, Any], where: str) -> None:
    """Validate a [settings] table."""
    for name, value in values.items():
        if name not in _FIELDS:
            raise ConfigError(f"{where}: unknown setting {name!r}; known: {', '.join(_FIELDS)}")
        _check(name, value, where)


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
