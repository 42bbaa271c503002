"""lactlog: how much high-lactate / metabolic-stress stimulus did this training give?

Public API (heavy modules are imported on first use, so ``import lactlog`` stays cheap):

- :func:`read` — one file into a list of :class:`lactlog.model.Activity` (one per session).
- :func:`time_in_zones` — seconds per zone for arbitrary boundaries on a cleaned channel.
- :func:`lactate_test` — the thresholds of a blood-lactate step test (CSV or TOML sheet).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lactlog.analysis.lactate import LactateTestResult
    from lactlog.model import Activity

__version__ = "0.1.0"


def read(path: str | Path, decoder: str = "lactlog") -> list[Activity]:
    """Read a FIT (also .fit.gz), TCX, GPX or CSV file into its sessions.

    See :func:`lactlog.io.read`.
    """
    from lactlog.io import read as read_file

    return read_file(path, decoder=decoder)


def time_in_zones(
    activity: Activity, boundaries: list[float], channel: str = "heart_rate_bpm"
) -> list[float]:
    """Seconds per zone of ``activity`` for arbitrary zone ``boundaries`` on ``channel``.

    Zones are (−∞, b₀), [b₀, b₁), …, [bₙ₋₁, +∞) — a value equal to a boundary belongs to the
    zone above it, as Garmin devices count — on the cleaned 1-Hz signal (spikes and dropouts
    removed, gaps ≤ 25 s interpolated, timer pauses and longer gaps not counted). Returns
    ``len(boundaries) + 1`` durations [s]; all zero when the channel is absent.
    """
    from lactlog.analysis.clean import clean_samples
    from lactlog.analysis.zones import time_in_zones_s

    if channel not in activity.samples:
        return [0.0] * (len(boundaries) + 1)
    clean = clean_samples(activity.samples, activity.pauses)
    return time_in_zones_s(clean[channel], boundaries)


def lactate_test(path: str | Path, degree: int = 3, include_baseline: bool = True
                 ) -> LactateTestResult:
    """Every method's threshold of the step test in the sheet at ``path`` (CSV or ``.toml``).

    See :mod:`lactlog.analysis.lactate` (methods) and :mod:`lactlog.io.lactate_steps` (sheet).
    Raises :class:`lactlog.errors.InputError` for a sheet or test that cannot be used.
    """
    from lactlog.analysis.lactate import lactate_thresholds
    from lactlog.io.lactate_steps import read_lactate_sheet, step_test_from_sheet

    test = step_test_from_sheet(read_lactate_sheet(Path(path)))
    return lactate_thresholds(test, degree, include_baseline)
