"""lactlog.table.Table: numpy columns that become the DataFrame they stand for, and back; and
the Activity frame fields given as tables (built on first access, the frame the truth after)."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pandas.testing as pdt

from lactlog.model import Activity, ActivityMeta
from lactlog.table import NAT_NS, Table, seconds_to_ns, to_datetime, to_ns

META = ActivityMeta(source="ride.fit", sha256="0" * 64, format="fit")
T0_NS = 1_717_228_800 * 10**9  # 2024-06-01T08:00:00Z


def _samples() -> Table:
    return Table({"heart_rate_bpm": np.array([150.0, np.nan, 152.0]),
                  "power_w": np.array([200.0, 210.0, 220.0])},
                 index_ns=T0_NS + np.array([0, 1, 3]) * 10**9)


def test_a_samples_table_frames_as_a_utc_index_named_time():
    frame = _samples().frame()
    expected = pd.DataFrame(
        {"heart_rate_bpm": [150.0, np.nan, 152.0], "power_w": [200.0, 210.0, 220.0]},
        index=pd.DatetimeIndex(["2024-06-01T08:00:00", "2024-06-01T08:00:01",
                                "2024-06-01T08:00:03"], name="time").tz_localize("UTC")
        .as_unit("ns"))
    pdt.assert_frame_equal(frame, expected)


def test_time_and_text_columns_round_trip_with_missing_values():
    table = Table({"start": np.array([T0_NS, NAT_NS]), "name": np.array(["squat", None], object),
                   "weight_kg": np.array([60.0, np.nan])}, time_columns=frozenset({"start"}))
    frame = table.frame()
    assert str(frame["start"].dtype) == "datetime64[ns, UTC]" and pd.isna(frame["start"][1])
    assert frame["name"].tolist()[0] == "squat" and pd.isna(frame["name"][1])
    back = Table.from_frame(frame)
    assert back.time_columns == {"start"} and back["start"].tolist() == [T0_NS, NAT_NS]
    pdt.assert_frame_equal(back.frame(), frame)


def test_from_frame_takes_naive_times_as_utc():
    frame = pd.DataFrame({"power_w": [1.0]}, index=pd.DatetimeIndex(["2024-06-01T08:00:00"]))
    assert Table.from_frame(frame).index_ns.tolist() == [T0_NS]


def test_seconds_and_datetimes_convert_exactly():
    assert seconds_to_ns(np.array([1.5, np.nan]), epoch_s=10.0).tolist() == [11_500_000_000, NAT_NS]
    moment = datetime(2024, 6, 1, 8, 0, 0, 123456, tzinfo=UTC)
    assert to_ns(moment) == T0_NS + 123_456_000
    assert to_datetime(T0_NS + 123_456_789) == moment  # datetime keeps microseconds


def test_an_activity_builds_its_frame_once_and_reads_arrays_without_one():
    activity = Activity(META, samples=_samples())
    assert activity.table("samples") is activity.__dict__["_samples_lazy"]  # no frame built
    assert activity.__dict__["_samples"] is None and activity.n_rows("samples") == 3
    frame = activity.samples
    assert activity.samples is frame  # built once
    frame.loc[frame.index[0], "power_w"] = 999.0  # changed in place: the arrays follow
    assert activity.table("samples")["power_w"][0] == 999.0


def test_default_fields_are_empty_and_frame_like_before():
    activity = Activity(META)
    assert activity.n_rows("samples") == 0 and len(activity.samples) == 0
    assert isinstance(activity.samples.index, pd.DatetimeIndex)
    assert list(activity.pauses.columns) == ["start", "end"] and len(activity.pauses) == 0
    assert list(activity.rr.columns) == ["rr_s"] and activity.rr.index.name == "time"
    assert activity.samples is not Activity(META).samples  # each activity its own frame
