"""Zones: time in zones, the published zone tables, polarization index."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lactlog.analysis.polarization import polarization_index
from lactlog.analysis.zones import (
    COGGAN_POWER,
    FRIEL_CYCLING_HR,
    FRIEL_RUNNING_HR,
    ZoneSystem,
    seiler_three_zones,
    time_in_zones_s,
)


def test_time_in_zones_hand_computed():
    values = [1, 2, 3, 4, 5, np.nan]
    # [b) zones: (−∞,2) {1}, [2,4) {2,3}, [4,∞) {4,5}; NaN not counted
    assert time_in_zones_s(values, [2, 4]) == [1.0, 2.0, 2.0]
    # (b] zones: (−∞,2] {1,2}, (2,4] {3,4}, (4,∞) {5}
    assert time_in_zones_s(values, [2, 4], inclusive_upper=True) == [2.0, 2.0, 1.0]
    assert time_in_zones_s(pd.Series(values), [2, 4], sample_s=2.0) == [2.0, 4.0, 4.0]


def test_time_in_zones_no_bounds_and_empty():
    assert time_in_zones_s([1.0, np.nan, 3.0], []) == [2.0]
    assert time_in_zones_s([], [1.0, 2.0]) == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("bounds", [[3, 2], [1, np.nan]])
def test_time_in_zones_rejects_unsorted_bounds(bounds):
    with pytest.raises(ValueError):
        time_in_zones_s([1.0], bounds)


# Joe Friel, "Quick Guide to Setting Zones" (% of LTHR, whole percent):
FRIEL_RUN_TABLE = {
    "Z1": (0, 84),
    "Z2": (85, 89),
    "Z3": (90, 94),
    "Z4": (95, 99),
    "Z5a": (100, 102),
    "Z5b": (103, 106),
    "Z5c": (107, 300),
}
FRIEL_BIKE_TABLE = {
    "Z1": (0, 80),
    "Z2": (81, 89),
    "Z3": (90, 93),
    "Z4": (94, 99),
    "Z5a": (100, 102),
    "Z5b": (103, 106),
    "Z5c": (107, 300),
}
# Allen & Coggan, "Training and Racing with a Power Meter", levels in % of FTP (55 % is in a
# gap of the published table: "< 55 %", "56–75 %").
COGGAN_TABLE = {
    "Z1": (0, 54),
    "Z2": (56, 75),
    "Z3": (76, 90),
    "Z4": (91, 105),
    "Z5": (106, 120),
    "Z6": (121, 150),
    "Z7": (151, 300),
}


def _zone_of(system: ZoneSystem, percent: int) -> str:
    times = system.time_in_zones_s([percent / 100 * 200.0], 200.0)
    return next(name for name, t in times.items() if t)


@pytest.mark.parametrize(
    ("system", "table", "exception"),
    [
        (FRIEL_RUNNING_HR, FRIEL_RUN_TABLE, 106),
        (FRIEL_CYCLING_HR, FRIEL_BIKE_TABLE, 106),
        (COGGAN_POWER, COGGAN_TABLE, None),
    ],
)
def test_zone_systems_reproduce_published_tables(system, table, exception):
    """Every whole percent maps to its published zone (Friel: except exactly 106 %, which the
    boundary rule puts in Z5c — documented)."""
    for name, (low, high) in table.items():
        for percent in range(low, high + 1):
            if percent != exception:
                assert _zone_of(system, percent) == name, (system.name, percent)
    if exception:
        assert _zone_of(system, exception) == "Z5c"


def test_friel_running_boundaries_for_lthr_170():
    # 0.85·170 = 144.5, 0.90·170 = 153, 0.95·170 = 161.5, 1.03·170 = 175.1, 1.06·170 = 180.2
    assert FRIEL_RUNNING_HR.boundaries(170) == pytest.approx([144.5, 153, 161.5, 170, 175.1, 180.2])
    assert FRIEL_RUNNING_HR.zone_names == ("Z1", "Z2", "Z3", "Z4", "Z5a", "Z5b", "Z5c")


def test_friel_cycling_boundaries_for_lthr_160():
    assert FRIEL_CYCLING_HR.boundaries(160) == pytest.approx([129.6, 144, 150.4, 160, 164.8, 169.6])


def test_coggan_boundaries_for_ftp_250():
    assert COGGAN_POWER.boundaries(250) == pytest.approx([137.5, 187.5, 225, 262.5, 300, 375])
    # upper bounds inclusive: 137.5 W is Z1, 137.6 W is Z2
    assert COGGAN_POWER.time_in_zones_s([137.5, 137.6], 250)["Z1"] == 1.0
    assert COGGAN_POWER.time_in_zones_s([137.5, 137.6], 250)["Z2"] == 1.0


def test_seiler_zones():
    assert seiler_three_zones().boundaries(170) == pytest.approx([153, 170])
    assert seiler_three_zones(0.8).boundaries(150) == pytest.approx([120, 150])
    times = seiler_three_zones().time_in_zones_s([150, 153, 169, 170, 180], 170)
    assert times == {"Z1": 1.0, "Z2": 2.0, "Z3": 2.0}
    with pytest.raises(ValueError):
        seiler_three_zones(1.1, 1.0)


def test_zone_system_validates_names():
    with pytest.raises(ValueError):
        ZoneSystem("bad", ("Z1",), (0.5,))


def test_polarization_index_hand_computed():
    # Treff et al. 2019 eq. 1: log10(0.80 / 0.05 × 0.15 × 100) = log10(240) = 2.3802
    # (> 2: polarized)
    assert polarization_index(0.80, 0.05, 0.15) == pytest.approx(math.log10(240))
    # times in seconds are normalised: the same distribution
    assert polarization_index(2880, 180, 540) == pytest.approx(math.log10(240))
    # threshold-heavy: log10(0.5 / 0.4 × 0.1 × 100) = log10(12.5) = 1.097
    assert polarization_index(0.5, 0.4, 0.1) == pytest.approx(math.log10(12.5))


def test_polarization_index_zone2_zero_and_undefined():
    # Z2 = 0 → Z2 = 0.01, Z3 = 0.20 − 0.01: log10(0.8 / 0.01 × 0.19 × 100) = log10(1520) = 3.18
    assert polarization_index(0.8, 0.0, 0.2) == pytest.approx(math.log10(1520))
    assert polarization_index(0.9, 0.1, 0.0) is None
    assert polarization_index(0.0, 0.5, 0.5) is None
    assert polarization_index(0.0, 0.0, 0.0) is None
    assert polarization_index(0.99, 0.0, 0.01) is None
    with pytest.raises(ValueError):
        polarization_index(0.5, -0.1, 0.6)


finite = st.floats(-1e4, 1e4, allow_nan=False)


@given(
    st.lists(st.one_of(finite, st.just(np.nan)), max_size=200),
    st.lists(finite, max_size=6),
    st.booleans(),
    st.floats(0.1, 10),
)
def test_time_in_zones_sums_to_recorded_time(values, bounds, inclusive, sample_s):
    bounds = sorted(bounds)
    times = time_in_zones_s(values, bounds, inclusive_upper=inclusive, sample_s=sample_s)
    assert len(times) == len(bounds) + 1 and min(times) >= 0
    n_valid = sum(not math.isnan(v) for v in values)
    assert sum(times) == pytest.approx(n_valid * sample_s)
    # brute force: zone = number of bounds below (or at, for [b) zones) the value
    expected = [0.0] * (len(bounds) + 1)
    for v in values:
        if not math.isnan(v):
            expected[sum(v > b if inclusive else v >= b for b in bounds)] += sample_s
    assert times == pytest.approx(expected)


fractions = st.floats(0.001, 1000)


@given(fractions, fractions, fractions, st.floats(0.01, 100))
def test_polarization_index_scale_invariant(z1, z2, z3, k):
    scaled = polarization_index(k * z1, k * z2, k * z3)
    assert polarization_index(z1, z2, z3) == pytest.approx(scaled)
