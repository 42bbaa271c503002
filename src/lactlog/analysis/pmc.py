"""Performance management: chronic and acute training load and the stress balance.

Banister's impulse–response idea as implemented in the Performance Manager Chart
(Coggan; GoldenCheetah's ``PMCData``): exponentially weighted daily load.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # performance_management imports them; the weekly summaries need neither
    import numpy as np
    import pandas as pd


def performance_management(
    daily_load: pd.Series, ctl_days: float = 42, atl_days: float = 7
) -> pd.DataFrame:
    """Performance-management chart: columns ``ctl``, ``atl``, ``tsb`` per day [load/day].

    As GoldenCheetah's PMC (``src/Metrics/PMCData.cpp``; Coggan's CTL/ATL, a simplified Banister
    impulse–response model)::

        CTL_d = CTL_{d−1} + (load_d − CTL_{d−1}) · (1 − e^(−1/ctl_days))
        ATL_d = ATL_{d−1} + (load_d − ATL_{d−1}) · (1 − e^(−1/atl_days))
        TSB_d = CTL_{d−1} − ATL_{d−1}

    TSB follows GoldenCheetah's default (and TrainingPeaks'): the balance shown on a day is
    the previous day's CTL − ATL, the form going *into* that day's training (GoldenCheetah can
    be switched to same-day SB; lactlog does not). Days missing from ``daily_load`` (and NaN)
    count as load 0; the result covers every day from the first to the last index value.

    Ramp-in bias: CTL and ATL start from 0 the day before the first day of ``daily_load`` (no
    seeding), so CTL is underestimated for weeks: after a constant load L for n days
    CTL = L·(1 − e^(−n/42)) — 63 % of L after 42 days, 95 % only after ~126 days. ATL settles
    within ~3 weeks. Load the whole history to reduce the bias.
    """
    import numpy as np
    import pandas as pd

    columns = ["ctl", "atl", "tsb"]
    if daily_load.empty:
        return pd.DataFrame(columns=columns, index=pd.DatetimeIndex([]), dtype=float)
    series = daily_load.copy()
    series.index = pd.to_datetime(series.index).normalize()
    index = pd.date_range(series.index.min(), series.index.max(), freq="D")
    load = series.fillna(0.0).groupby(level=0).sum().reindex(index, fill_value=0.0)
    ctl = _exponential_average(load.to_numpy(dtype=np.float64), ctl_days)
    atl = _exponential_average(load.to_numpy(dtype=np.float64), atl_days)
    tsb = np.concatenate(([0.0], (ctl - atl)[:-1]))
    return pd.DataFrame({"ctl": ctl, "atl": atl, "tsb": tsb}, index=index)


def _exponential_average(load: np.ndarray, days: float) -> np.ndarray:
    """:func:`exponential_average` of an array, as an array."""
    import numpy as np

    return np.asarray(exponential_average(load.tolist(), days), dtype=np.float64)


def exponential_average(load: Sequence[float], days: float) -> list[float]:
    """y_d = y_{d−1} + (x_d − y_{d−1})·(1 − e^(−1/days)), y_{−1} = 0, one value per day of
    ``load`` [load/day].

    Computed as pandas' ``Series.ewm(alpha=1 − e^(−1/days), adjust=False).mean()`` computes it
    (which lactlog used before), operation for operation, so the values are the same to the
    last bit: alpha goes through pandas' centre of mass (com = 1/α − 1, α' = 1/(1 + com)), and
    each step is y = ((1 − α')·y + α'·x) / ((1 − α') + α'), skipped when y already equals x.
    Plain Python: the weekly summaries of cached sessions need no numeric library.
    """
    alpha = 1.0 - math.exp(-1.0 / days)
    new_weight = 1.0 / (1.0 + (1.0 / alpha - 1.0))
    old_weight = 1.0 - new_weight
    value = 0.0
    averages = []
    for x in load:
        if value != x:
            value = (old_weight * value + new_weight * x) / (old_weight + new_weight)
        averages.append(value)
    return averages
