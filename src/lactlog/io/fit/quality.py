"""Plausibility checks on a FIT session's data: warnings for what a reader cannot repair.

The reader keeps the data as recorded; these only say what looks wrong, so the user can tell a
strange result from a strange file: a heart-rate field without a single valid value, a sensor
stuck at one value, a session without records, of zero length or spanning days.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from lactlog.table import NS_PER_S, Table

#: Channels the analysis relies on, checked for a stuck sensor; heart rate also for a field with
#: no valid value (watches without a power meter often write an all-invalid power field, so an
#: all-invalid power field says nothing).
CHANNELS: dict[str, tuple[str, str]] = {
    "heart_rate_bpm": ("heart rate", "bpm"),
    "power_w": ("power", "W"),
}
#: A channel holding one value over at least this many records is stuck.
STUCK_MIN_SAMPLES = 600
#: Sessions whose records span more than this get a warning [s].
LONG_SESSION_S = 2 * 86400


def channel_warnings(columns: Mapping[str, np.ndarray]) -> list[str]:
    """Warnings for the :data:`CHANNELS` among a session's sample ``columns``."""
    found = []
    for column, (label, unit) in CHANNELS.items():
        if column in columns and (warning := _channel_warning(columns[column], label, unit)):
            found.append(warning)
    return found


def _channel_warning(values: np.ndarray, label: str, unit: str) -> str | None:
    if not values.size:
        return None
    valid = values[~np.isnan(values)]
    if not valid.size:
        if unit != "bpm":
            return None
        return (
            "the records have a heart rate field but not one valid value "
            "(sensor not paired, or it dropped out)"
        )
    if valid.size < STUCK_MIN_SAMPLES or not (valid == valid[0]).all():
        return None
    if valid[0] == 0:  # zero power is normal (coasting, no meter); zero heart rate is no sensor
        if unit != "bpm":
            return None
        return f"heart rate is 0 in all {valid.size:,} records (no sensor?)"
    return f"{label} is {valid[0]:g} {unit} in all {valid.size:,} records (a stuck sensor?)"


def session_warnings(elapsed_s: float | None, samples: Table) -> list[str]:
    """What looks wrong with a session as a whole: no records, zero length, days long.

    ``elapsed_s`` is the device's total elapsed time [s] (None when not recorded).
    """
    times_ns = samples.index_ns
    if times_ns is None or not len(times_ns) or not samples.columns:
        return ["no records in this session: only the device's summary values are known"]
    if elapsed_s is not None and elapsed_s <= 0:
        return [f"the device recorded a session of {elapsed_s:g} s"]
    span_s = (int(times_ns[-1]) - int(times_ns[0])) / NS_PER_S
    if span_s > LONG_SESSION_S:
        return [f"the records span {span_s / 86400:.1f} days (is the device clock right?)"]
    return []
