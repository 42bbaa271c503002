"""A session whose times contradict each other gets a warning (analysis.session)."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd

from lactlog.analysis.session import duration_warnings, summarize
from lactlog.model import Activity, ActivityMeta, DeviceSummary


def test_timer_longer_than_duration() -> None:
    # the case: duration 27 min, timer 46 min
    (warning,) = duration_warnings(27 * 60.0, 46 * 60.0, None)
    assert "timer time (46 min) is longer than the duration (27 min)" in warning


def test_samples_spanning_more_than_the_duration() -> None:
    (warning,) = duration_warnings(27 * 60.0, 25 * 60.0, 46 * 60.0)
    assert "samples span 46 min but the duration is 27 min" in warning


def test_margin_is_60_s_or_2_percent() -> None:
    assert duration_warnings(3600.0, 3600.0 + 72.0, 3600.0 + 72.0) == ()  # 2 % of 1 h = 72 s
    assert len(duration_warnings(3600.0, 3600.0 + 73.0, 3600.0 + 73.0)) == 2
    assert duration_warnings(600.0, 660.0, 660.0) == ()  # 60 s > 2 % of 10 min
    assert len(duration_warnings(600.0, 661.0, None)) == 1
    assert duration_warnings(None, 661.0, 700.0) == ()


def test_summary_carries_the_warning() -> None:
    index = pd.date_range(datetime(2026, 11, 16, 7, tzinfo=UTC), periods=46 * 60, freq="s",
                          name="time")
    samples = pd.DataFrame({"heart_rate_bpm": np.full(len(index), 140.0)}, index=index)
    meta = ActivityMeta("run.fit", "0" * 64, "fit", sport="running")
    activity = Activity(meta=meta, samples=samples,
                        device_summary=DeviceSummary(elapsed_s=27 * 60.0, timer_s=26 * 60.0))
    summary = summarize(activity)
    assert (summary.duration_s, summary.timer_s) == (27 * 60.0, 26 * 60.0)
    assert any("samples span 46 min but the duration is 27 min" in w for w in summary.warnings)
    consistent = Activity(meta=meta, samples=samples)
    assert not any("contradict" in w for w in summarize(consistent).warnings)
