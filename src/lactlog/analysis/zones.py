"""Intensity zones: time in zones, published zone systems, polarization index.

Zone systems are data (:class:`ZoneSystem`: fractions of a threshold) and give absolute
boundaries for a threshold passed in by the caller (LTHR [bpm], FTP [W], ...).

Published tables give zones in whole percent with small holes between them (Coggan: Z1 "< 55 %",
Z2 "56–75 %"). Here each system has one set of boundaries and one rule for values exactly on a
boundary (``inclusive_upper``), chosen so that the round numbers of the table are the boundaries;
the systems' docstrings say which way each goes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np

from lactlog.analysis.polarization import SEILER_SYSTEM

if TYPE_CHECKING:
    import pandas as pd


def time_in_zones_s(
    values: np.ndarray | pd.Series,
    upper_bounds: Sequence[float],
    *,
    inclusive_upper: bool = False,
    sample_s: float = 1.0,
) -> list[float]:
    """Time spent in each zone [s].

    With bounds b₀ ≤ … ≤ b₍ₙ₋₁₎ the zones are (−∞, b₀), [b₀, b₁), …, [b₍ₙ₋₁₎, +∞) when
    ``inclusive_upper`` is False, and (−∞, b₀], (b₀, b₁], …, (b₍ₙ₋₁₎, +∞) when it is True.
    Each non-NaN sample adds ``sample_s`` to its zone; NaN samples are not counted.

    Parameters
    ----------
    values : array or Series
        Regularly sampled values (e.g. heart rate [bpm] per second from ``clean_samples``).
    upper_bounds : sequence of float
        Zone boundaries in the unit of ``values``, ascending.
    inclusive_upper : bool
        Whether a value equal to a boundary belongs to the lower zone.
    sample_s : float
        Duration each sample stands for [s].

    Returns
    -------
    list of float
        ``len(upper_bounds) + 1`` durations [s]; they sum to ``sample_s`` × the number of valid
        samples.

    Raises
    ------
    ValueError
        Bounds not ascending or NaN; ``sample_s`` not positive.
    """
    bounds = np.asarray(upper_bounds, dtype=np.float64).ravel()
    if np.isnan(bounds).any() or np.any(np.diff(bounds) < 0):
        raise ValueError(f"zone bounds must be ascending numbers, got {list(upper_bounds)}")
    if not sample_s > 0:
        raise ValueError(f"sample_s must be positive, got {sample_s}")
    data = np.asarray(values, dtype=np.float64).ravel()
    data = data[~np.isnan(data)]
    zone = np.searchsorted(bounds, data, side="left" if inclusive_upper else "right")
    counts = np.bincount(zone, minlength=len(bounds) + 1)
    return [float(count) * sample_s for count in counts]


@dataclass(frozen=True, eq=False)
class ZoneSystem:
    """A zone system as fractions of a threshold.

    Attributes
    ----------
    name : str
    zone_names : tuple of str
        One name per zone, lowest first (one more than ``upper_fractions``).
    upper_fractions : tuple of float
        Boundary between zone i and zone i + 1 as a fraction of the threshold, ascending.
    inclusive_upper : bool
        Whether a value exactly on a boundary belongs to the lower zone (see
        :func:`time_in_zones_s`).
    source : str
        Where the table is published.
    """

    name: str
    zone_names: tuple[str, ...]
    upper_fractions: tuple[float, ...]
    inclusive_upper: bool = False
    source: str = ""

    def __post_init__(self) -> None:
        if len(self.zone_names) != len(self.upper_fractions) + 1:
            raise ValueError(f"{self.name}: need one more zone name than boundaries")
        if any(b < a for a, b in pairwise(self.upper_fractions)):
            raise ValueError(f"{self.name}: boundaries must be ascending")

    def boundaries(self, threshold: float) -> list[float]:
        """Absolute zone boundaries for ``threshold`` (LTHR [bpm], FTP [W], ...), in its unit."""
        return [fraction * threshold for fraction in self.upper_fractions]

    def time_in_zones_s(
        self, values: np.ndarray | pd.Series, threshold: float, sample_s: float = 1.0
    ) -> dict[str, float]:
        """Time in each zone [s] by zone name, for ``threshold`` (see :func:`time_in_zones_s`)."""
        times = time_in_zones_s(
            values,
            self.boundaries(threshold),
            inclusive_upper=self.inclusive_upper,
            sample_s=sample_s,
        )
        return dict(zip(self.zone_names, times, strict=True))


_FRIEL_NAMES = ("Z1", "Z2", "Z3", "Z4", "Z5a", "Z5b", "Z5c")
_FRIEL_SOURCE = (
    'Joe Friel, "Quick Guide to Setting Zones" (joefrieltraining.com / TrainingPeaks blog); '
    "the same tables as in The Triathlete's Training Bible"
)

FRIEL_RUNNING_HR = ZoneSystem(
    name="Friel running heart rate (% LTHR)",
    zone_names=_FRIEL_NAMES,
    upper_fractions=(0.85, 0.90, 0.95, 1.00, 1.03, 1.06),
    source=_FRIEL_SOURCE,
)
"""Friel running heart-rate zones as fractions of LTHR.

Published: Z1 < 85 %, Z2 85–89 %, Z3 90–94 %, Z4 95–99 %, Z5a 100–102 %, Z5b 103–106 %,
Z5c > 106 %. Each zone starts at its published lower bound (boundary values go to the upper
zone); the one point where this differs from the table is exactly 106 %, put in Z5c."""

FRIEL_CYCLING_HR = ZoneSystem(
    name="Friel cycling heart rate (% LTHR)",
    zone_names=_FRIEL_NAMES,
    upper_fractions=(0.81, 0.90, 0.94, 1.00, 1.03, 1.06),
    source=_FRIEL_SOURCE,
)
"""Friel cycling heart-rate zones as fractions of LTHR.

Published: Z1 < 81 %, Z2 81–89 %, Z3 90–93 %, Z4 94–99 %, Z5a 100–102 %, Z5b 103–106 %,
Z5c > 106 %; boundaries as for :data:`FRIEL_RUNNING_HR`."""

COGGAN_POWER = ZoneSystem(
    name="Coggan power levels (% FTP)",
    zone_names=("Z1", "Z2", "Z3", "Z4", "Z5", "Z6", "Z7"),
    upper_fractions=(0.55, 0.75, 0.90, 1.05, 1.20, 1.50),
    inclusive_upper=True,
    source='Allen H, Coggan A, "Training and Racing with a Power Meter" (VeloPress), table 3.1',
)
"""Coggan's seven power levels as fractions of FTP.

Published: 1 active recovery < 55 %, 2 endurance 56–75 %, 3 tempo 76–90 %, 4 lactate threshold
91–105 %, 5 VO2max 106–120 %, 6 anaerobic capacity 121–150 %, 7 neuromuscular > 150 %. Each
level ends at its published upper bound, inclusive (55 % is Z1, 55.5 % is Z2)."""


def seiler_three_zones(lt1_fraction: float = 0.9, lt2_fraction: float = 1.0) -> ZoneSystem:
    """Seiler's three-zone model as fractions of the threshold the caller passes (e.g. LTHR).

    Z1 below LT1, Z2 from LT1 to below LT2, Z3 from LT2 up (Seiler & Kjerland 2006, Scand J Med
    Sci Sports 16:49–56; Seiler 2010, Int J Sports Physiol Perform 5:276–291).

    Parameters
    ----------
    lt1_fraction : float
        First lactate / ventilatory threshold as a fraction of the threshold. The default 0.9 of
        LTHR is a rule of thumb; use a measured LT1 where there is one.
    lt2_fraction : float
        Second threshold as a fraction (1.0: the threshold itself is LT2).
    """
    if not 0 < lt1_fraction <= lt2_fraction:
        raise ValueError(
            f"need 0 < lt1_fraction ≤ lt2_fraction, got {lt1_fraction}, {lt2_fraction}"
        )
    return ZoneSystem(
        name=SEILER_SYSTEM,
        zone_names=("Z1", "Z2", "Z3"),
        upper_fractions=(lt1_fraction, lt2_fraction),
        source="Seiler & Kjerland 2006; Seiler 2010",
    )

