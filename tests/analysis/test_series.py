"""Downsampled series (analysis.series): the number of buckets stays bounded."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd

from lactlog.analysis.series import DEFAULT_BUCKET_S, MAX_BUCKETS, session_series
from lactlog.model import Activity, ActivityMeta
from lactlog.settings import Settings


def _activity(index: pd.DatetimeIndex) -> Activity:
    samples = pd.DataFrame({"heart_rate_bpm": np.full(len(index), 150.0)}, index=index)
    return Activity(meta=ActivityMeta("x.fit", "0" * 64, "fit", sport="running"), samples=samples)


def test_an_hour_has_60_s_buckets() -> None:
    index = pd.date_range(datetime(2026, 11, 16, 7, tzinfo=UTC), periods=3600, freq="s", name="time")
    series = session_series(_activity(index), Settings())
    assert series.bucket_s == DEFAULT_BUCKET_S and len(series.time_s) == 60


def test_a_clock_jump_of_100_days_gives_longer_buckets_not_millions() -> None:
    start = datetime(2026, 11, 16, 7, tzinfo=UTC)
    hour = pd.date_range(start, periods=3600, freq="s", name="time")
    index = hour.append(pd.DatetimeIndex([pd.Timestamp(start) + pd.Timedelta(days=100)],
                                         name="time"))
    series = session_series(_activity(index), Settings())
    # span 8,640,001 s into at most 10,000 buckets: ceil(8,640,001 / 10,000) = 865 s
    assert series.bucket_s == 865
    assert len(series.time_s) == 8_640_000 // 865 + 1 <= MAX_BUCKETS
    assert series.heart_rate_bpm is not None and len(series.heart_rate_bpm) == len(series.time_s)


def test_public_session_series_of_a_file_analysis() -> None:
    from pathlib import Path

    import lactlog

    ride = Path(__file__).resolve().parents[2] / "sample_data" / "2026-11-18-threshold-ride.fit"
    analysis = lactlog.analyze_file(ride)
    series = lactlog.session_series(analysis, max_buckets=50)
    assert 0 < len(series.power_w) <= 50 and len(series.heart_rate_bpm) == len(series.power_w)
