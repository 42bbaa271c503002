"""lactlog.io.common.build_sample_table: the canonical samples every reader makes."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from lactlog.io.common import build_sample_table
from lactlog.table import NAT_NS

T0_NS = 1_717_228_800 * 10**9  # 2024-06-01T08:00:00Z


def test_repeated_times_keep_each_columns_last_valid_value():
    times = T0_NS + np.array([0, 0, 0, 1, 2, 2]) * 10**9
    table, warnings = build_sample_table(times, {
        "heart_rate_bpm": np.array([150.0, np.nan, 151.0, 152.0, 153.0, np.nan]),
        "power_w": np.array([200.0, 201.0, np.nan, np.nan, np.nan, np.nan]),
    })
    assert table.index_ns.tolist() == (T0_NS + np.array([0, 1, 2]) * 10**9).tolist()
    assert table["heart_rate_bpm"].tolist() == [151.0, 152.0, 153.0]
    assert np.array_equal(table["power_w"], [201.0, np.nan, np.nan], equal_nan=True)
    assert warnings == ["3 samples with a repeated timestamp were merged"]


def test_missing_and_implausible_times_are_dropped():
    times = np.array([NAT_NS, T0_NS, 0])  # no time; 2024; 1970 (before 1980)
    table, warnings = build_sample_table(times, {"power_w": np.array([1.0, 2.0, 3.0])})
    assert table.index_ns.tolist() == [T0_NS] and table["power_w"].tolist() == [2.0]
    assert "1 samples dated before 1980" in warnings[0]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20),
                          st.sampled_from([np.nan, 1.0, 2.0]),
                          st.sampled_from([np.nan, 5.0, 6.0])), min_size=1, max_size=60))
def test_merging_equals_pandas_groupby_last(rows):
    seconds, heart_rate, power = (np.array(column, dtype=float) for column in zip(*rows))
    times = T0_NS + seconds.astype(np.int64) * 10**9
    columns = {"heart_rate_bpm": heart_rate, "power_w": power}
    table, _ = build_sample_table(times, columns)
    kept = {name: values for name, values in columns.items() if not np.isnan(values).all()}
    frame = pd.DataFrame(kept, index=pd.DatetimeIndex(times.view("M8[ns]")))
    expected = frame.sort_index(kind="stable").groupby(level=0, sort=False).last()
    assert list(table.names) == list(expected.columns)
    assert table.index_ns.tolist() == expected.index.asi8.tolist()
    for name in table.names:
        assert np.array_equal(table[name], expected[name].to_numpy(), equal_nan=True)
