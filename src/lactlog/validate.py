"""The one rule for every value a user gives lactlog: the profile file, ``lactlog config set``,
the command-line flags — and, as "plausible or missing", the thresholds a device stored.

A value is checked for its type (a number: not a bool, a list or a table), finiteness (NaN and
±inf are refused, and so is ``1e400``, which parses to inf) and a plausible range, inclusive, in
the unit its name carries. A value outside the range is a typo or a wrong unit (a pace in
seconds, power in kW), not a physiology lactlog should compute with. Every failure is a
:class:`~lactlog.errors.ConfigError` whose message names the value, the range and the unit;
the CLI prints it as one line and exits with code 2.

Threshold ranges (:data:`THRESHOLD_RANGES`) and why:

- max HR 100–230 bpm: HRmax = 208 − 0.7 × age (Tanaka et al. 2001, J Am Coll Cardiol
  37:153) gives 138 bpm at 100 years, with an SD of about 10 bpm; 100 leaves room for
  beta-blockers, 230 lies above the highest maxima reported in young athletes.
- resting HR 25–120 bpm: the lowest resting rates reported in endurance athletes are
  26–28 bpm; above 100 bpm is tachycardia, 120 a wide margin.
- LTHR 80–225 bpm and LT1 HR 60–220 bpm: fractions of the max-HR range (LTHR ≈ 85–92 % of
  HRmax, Friel; LT1 lower).
- FTP and CP 30–700 W, LT1 power 20–600 W: the best one-hour powers on record (the UCI hour
  record, about 440–480 W) lie well below 700 W; 30 W covers rehabilitation and children.
- W' 1–100 kJ: typical values are 10–30 kJ (Skiba et al. 2012, Med Sci Sports Exerc 44:1526),
  track sprinters reach about 50 kJ.
- threshold pace 2:00–15:00 per km (:data:`PACE_RANGE_S_PER_KM`): 2:00/km is faster than the
  10-km world record, 15:00/km a brisk walk.

They must also fit together (:func:`check_heart_rates`): resting HR < LTHR < max HR, and LT1 HR
below max HR; on a device the same rule decides which values are used (a device whose
``zones_target`` says max HR 41 bpm gives no max HR, it does not fail the session).

Setting ranges (:data:`SETTING_RANGES`) bound what each analysis setting can mean: fractions in
0–1 (LT1 at 50–100 % of LTHR), heart rates as above, durations up to a day, file limits from
10 kB to 16 GiB.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from lactlog.errors import ConfigError

#: Plausible range of each numeric threshold [the unit in its name], inclusive (module docstring).
THRESHOLD_RANGES: dict[str, tuple[float, float]] = {
    "lthr_bpm": (80.0, 225.0),
    "max_hr_bpm": (100.0, 230.0),
    "rest_hr_bpm": (25.0, 120.0),
    "ftp_w": (30.0, 700.0),
    "cp_w": (30.0, 700.0),
    "w_prime_j": (1000.0, 100000.0),
    "lt1_hr_bpm": (60.0, 220.0),
    "lt1_power_w": (20.0, 600.0),
}
#: Threshold pace range [s per km]: 2:00/km (faster than the 10-km world record) to 15:00/km.
PACE_RANGE_S_PER_KM: tuple[float, float] = (120.0, 900.0)

_DAY_S = 86400.0
#: Range of each analysis setting (:class:`lactlog.settings.Settings`), inclusive.
SETTING_RANGES: dict[str, tuple[float, float]] = {
    "hr_min_bpm": (0.0, 100.0),            # a dropout floor, below any resting rate
    "hr_max_bpm": (150.0, 300.0),          # a ceiling above any max HR (230)
    "hampel_half_window_s": (1.0, 60.0),   # the filter's memory grows with the window
    "hampel_n_sigma": (1.0, 10.0),
    "hampel_min_deviation_bpm": (0.0, 50.0),
    "power_max_w": (500.0, 5000.0),        # sprint peaks reach ~2,500 W
    "max_gap_s": (0.0, 600.0),
    "max_file_mb": (0.01, 16384.0),        # memory protection: 10 kB to 16 GiB
    "max_decompressed_mb": (0.01, 16384.0),
    "max_sessions_per_file": (1.0, 1_000_000.0),  # real multisport files: ≤ ~50 legs (swimrun)
    "lthr_fraction_of_hrr": (0.5, 0.95),   # LT at 80–90 % of HR reserve (Karvonen)
    "default_rest_hr_bpm": THRESHOLD_RANGES["rest_hr_bpm"],
    "lt1_fraction_of_lthr": (0.5, 1.0),    # LT1 below LT2 (analysis/zones needs 0 < LT1 ≤ LT2)
    "history_window_days": (0.0, 3650.0),  # 0: off; at most ten years
    "history_min_sessions": (0.0, 1000.0),
    "history_lthr_min_fraction_of_max_hr": (0.5, 1.0),
    "assumed_max_hr_bpm": THRESHOLD_RANGES["max_hr_bpm"],
    "history_cp_max_w_prime_j": (5000.0, 100000.0),  # fits below 5 kJ are refused anyway
    "swim_hr_offset_bpm": (0.0, 40.0),
    "stale_power_tolerance": (0.0, 1.0),
    "stale_lthr_margin_bpm": (0.0, 50.0),
    "stale_max_hr_margin_bpm": (0.0, 50.0),
    "power_smoothing_s": (1.0, 600.0),
    "effort_band_fraction": (0.0, 0.5),
    "interval_merge_gap_s": (0.0, 600.0),
    "interval_min_duration_s": (1.0, 3600.0),
    "high_min_above_lt_s": (0.0, _DAY_S),
    "high_min_w_prime_depletion": (0.0, 1.0),
    "low_max_above_lt_s": (0.0, _DAY_S),
    "near_failure_max_rir": (0.0, 10.0),   # RIR = 10 − RPE
    "high_rep_min_reps": (1.0, 100.0),
    "short_rest_max_s": (0.0, 3600.0),
    "effective_reps_from_failure": (0.0, 30.0),
    "strength_high_min_stress_sets": (1.0, 100.0),
    "strength_moderate_min_stress_sets": (1.0, 100.0),
    "merge_tolerance_s": (0.0, _DAY_S),
}
#: A setting without an entry above (one added since): a finite number >= 0.
DEFAULT_SETTING_RANGE: tuple[float, float] = (0.0, math.inf)
#: Pairs of settings that must be ordered: (lower, higher).
SETTING_ORDER: tuple[tuple[str, str], ...] = (
    ("hr_min_bpm", "hr_max_bpm"),
    ("strength_moderate_min_stress_sets", "strength_high_min_stress_sets"),
)


def number(value: Any, name: str, whole: bool = False) -> float | int:
    """``value`` as a finite int or float: a TOML number or typed text ("172", "4.5").

    Ints stay ints; ``whole`` refuses fractions. Bools, lists, tables, NaN and ±inf are refused.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ConfigError(f"{name} must be a number, not {_shown(value)}")
    if isinstance(value, str):
        text = value.strip()
        try:
            value = int(text)
        except ValueError:
            try:
                value = float(text)
            except ValueError:
                raise ConfigError(f"{name} must be a number, not {_shown(value)}") from None
    if not math.isfinite(value):
        raise ConfigError(f"{name} must be a finite number, not {value!r}")
    if whole and not float(value).is_integer():
        raise ConfigError(f"{name} must be a whole number, not {value:g}")
    return value


def in_range(name: str, value: Any, bounds: tuple[float, float], unit: str = "",
             whole: bool = False) -> float | int:
    """:func:`number` within ``bounds`` (inclusive); the message gives the range and unit."""
    checked = number(value, name, whole)
    low, high = bounds
    if not low <= checked <= high:
        unit = f" {unit}" if unit else ""
        raise ConfigError(f"{name} must be between {low:g} and {high:g}{unit}, not {checked:g}")
    return checked


def plausible(name: str, value: float | None) -> bool:
    """True when a device's value of threshold ``name`` lies in :data:`THRESHOLD_RANGES`
    (a device's 0, 41 or 255 is a placeholder, not a threshold: treat it as missing)."""
    if value is None or name not in THRESHOLD_RANGES:
        return value is not None
    low, high = THRESHOLD_RANGES[name]
    return math.isfinite(value) and low <= value <= high


def check_heart_rates(max_hr_bpm: float | None, rest_hr_bpm: float | None,
                      lthr_bpm: float | None = None, lt1_hr_bpm: float | None = None,
                      where: str = "", rest_name: str = "rest_hr_bpm") -> None:
    """Heart-rate thresholds that fit together: rest < LTHR < max, rest < LT1 HR < max.

    HR reserve (max − rest) divides TRIMP and the LTHR estimate, so max ≤ rest has no meaning.
    Unknown (None) values are not compared; ``rest_name`` names where the resting HR came from
    (``settings.default_rest_hr_bpm`` when none is known).
    """
    prefix = f"{where}: " if where else ""
    pairs = [(rest_name, rest_hr_bpm, "max_hr_bpm", max_hr_bpm),
             (rest_name, rest_hr_bpm, "lthr_bpm", lthr_bpm),
             ("lthr_bpm", lthr_bpm, "max_hr_bpm", max_hr_bpm),
             (rest_name, rest_hr_bpm, "lt1_hr_bpm", lt1_hr_bpm),
             ("lt1_hr_bpm", lt1_hr_bpm, "max_hr_bpm", max_hr_bpm)]
    for low_name, low, high_name, high in pairs:
        if low is not None and high is not None and not low < high:
            raise ConfigError(f"{prefix}{high_name} ({high:g} bpm) must be above {low_name} "
                              f"({low:g} bpm)")


def table(value: Any, name: str) -> Mapping[str, Any]:
    """``value`` if it is a TOML table, else a ConfigError naming ``name`` (``settings = 5``)."""
    if not isinstance(value, Mapping):
        raise ConfigError(f"{name} must be a table (e.g. [{name}] with key = value lines), "
                          f"not {_shown(value)}")
    return value


def _shown(value: Any) -> str:
    """A short repr of a refused value (a hostile config may hold megabytes)."""
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."
