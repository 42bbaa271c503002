"""lactlog's FIT decoder against fitparse (the oracle) and the manifest, over every real file.

For each file in ../shared/corpus/fit: the same number of records as fitparse, and the same
canonical activities (samples, laps, sets, pauses, device summary, metadata) whichever decoder
produced the messages; every profile field of the ``hr``, ``hrv`` and ``length`` messages
equal. Files in fit-broken must give a clear LactlogError or a result.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import corpus_manifest, corpus_params
from lactlog.errors import LactlogError
from lactlog.io import load, read
from lactlog.io.fit.activity import build_activities
from lactlog.io.fit.decode import decode
from lactlog.io.fit.oracle import decode_with_fitparse

MANIFEST = corpus_manifest()



def _assert_frames_equal(ours: pd.DataFrame, theirs: pd.DataFrame, what: str) -> None:
    assert list(ours.columns) == list(theirs.columns), what
    assert len(ours) == len(theirs), what
    pd.testing.assert_frame_equal(ours, theirs, check_exact=False, rtol=1e-9, obj=what)


def _assert_same_value(a: object, b: object, what: str) -> None:
    if isinstance(a, float) and isinstance(b, float):
        both_nan = math.isnan(a) and math.isnan(b)
        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9) or both_nan, what
    else:
        assert a == b, what


@pytest.mark.parametrize("path", corpus_params("fit"))
def test_same_records_and_activities_as_fitparse(path: Path) -> None:
    raw = load(path)
    ours, theirs = decode(raw.data), decode_with_fitparse(raw.data)
    assert ours.n_records == theirs.n_records
    for name in ("record", "lap", "session", "set", "event", "hr", "hrv", "length"):
        ours_n = len(next(iter(ours.messages.get(name, {"": []}).values())))
        theirs_n = len(next(iter(theirs.messages.get(name, {"": []}).values())))
        assert ours_n == theirs_n, name
    # hr, hrv: array fields (event_timestamp_12 unpacked), beat anchors; length: pool rest
    for name in ("hr", "hrv", "length"):
        mine, fitparse_columns = ours.messages.get(name, {}), theirs.messages.get(name, {})
        # fields the profile does not know: lactlog keeps them as unknown_<n>, fitparse drops them
        mine = {k: v for k, v in mine.items() if not k.startswith("unknown_")}
        assert sorted(mine) == sorted(fitparse_columns), name
        for column, values in mine.items():
            np.testing.assert_allclose(values, fitparse_columns[column], err_msg=column)
    mine, reference = read(path), build_activities(raw, theirs)
    assert len(mine) == len(reference)
    for a, b in zip(mine, reference):
        _assert_frames_equal(a.samples, b.samples, "samples")
        _assert_frames_equal(a.laps, b.laps, "laps")
        _assert_frames_equal(a.sets, b.sets, "sets")
        _assert_frames_equal(a.pauses, b.pauses, "pauses")
        _assert_frames_equal(a.rr, b.rr, "rr")
        for field in dataclasses.fields(a.device_summary):
            _assert_same_value(
                getattr(a.device_summary, field.name),
                getattr(b.device_summary, field.name),
                field.name,
            )
        meta_a = dataclasses.replace(a.meta, warnings=())
        meta_b = dataclasses.replace(b.meta, warnings=())
        assert meta_a == meta_b


@pytest.mark.parametrize("path", corpus_params("fit"))
def test_matches_manifest(path: Path) -> None:
    """Record counts and channels agree with the manifest (which counts ``record`` messages)."""
    row = MANIFEST[f"fit/{path.name}"]
    activities = read(path)
    assert activities
    n_records = len(decode(load(path).data).messages.get("record", {"timestamp": []})["timestamp"])
    if row["n_records"]:
        assert n_records == int(row["n_records"])
    columns = set().union(*(a.samples.columns for a in activities))
    if row["has_hr"] == "true":
        assert "heart_rate_bpm" in columns
    if row["has_power"] == "true":
        assert "power_w" in columns
    if row["has_set_msgs"] == "true":
        assert sum(len(a.sets) for a in activities) > 0
    if row["has_time_in_zone"] == "true":
        assert any(a.device_summary.time_in_zone for a in activities)
    for activity in activities:
        index = activity.samples.index
        assert index.is_monotonic_increasing and index.is_unique
        assert str(index.tz) == "UTC"
        assert all(activity.samples.dtypes == np.float64)


@pytest.mark.parametrize("path", corpus_params("fit-broken"))
def test_broken_files_give_clear_error_or_result(path: Path) -> None:
    try:
        activities = read(path)
    except LactlogError as exc:
        message = str(exc)
        assert message and "\n" not in message
    else:
        assert activities
        for activity in activities:
            assert activity.samples.index.is_monotonic_increasing
