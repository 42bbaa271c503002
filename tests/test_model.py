"""Activity.sets given as SetRows: sliced on first use, and analysed from the shared table."""

from dataclasses import replace

import numpy as np
import pandas as pd

from lactlog.analysis.strength import _all_sets
from lactlog.model import SET_COLUMNS, Activity, ActivityMeta, SetRows

META = ActivityMeta(source="log.csv", sha256="0" * 64, format="csv")


def _table() -> pd.DataFrame:
    return pd.DataFrame({"set_type": ["active"] * 5, "repetitions": [1.0, 2.0, 3.0, 4.0, 5.0]})


def test_default_sets_are_an_empty_frame_of_their_own():
    first, second = Activity(META), Activity(META)
    assert list(first.sets.columns) == list(SET_COLUMNS) and len(first.sets) == 0
    assert first.sets is not second.sets
    assert first.set_rows() is None


def test_set_rows_become_the_rows_indexed_from_zero():
    table = _table()
    activity = Activity(META, sets=SetRows(table, 1, 4))
    assert activity.set_rows() == SetRows(table, 1, 4)
    assert activity.sets["repetitions"].tolist() == [2.0, 3.0, 4.0]
    assert activity.sets.index.tolist() == [0, 1, 2]
    assert activity.sets is activity.sets  # sliced once


def test_replace_keeps_the_sets():
    activity = Activity(META, sets=SetRows(_table(), 3, 5))
    assert replace(activity, meta=replace(META, source="b.csv")).sets["repetitions"].tolist() \
        == [4.0, 5.0]


def test_consecutive_rows_of_one_table_are_analysed_without_concatenation():
    table = _table()
    workouts = [Activity(META, sets=SetRows(table, a, b)) for a, b in ((0, 2), (2, 2), (2, 5))]
    sets, lengths = _all_sets(workouts)
    assert lengths.tolist() == [2, 0, 3]
    assert sets["repetitions"].tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert all(w.__dict__["_sets"] is None for w in workouts)  # no per-workout frame was made


def test_rows_out_of_order_or_of_other_tables_are_concatenated():
    table = _table()
    frame = pd.DataFrame({"set_type": ["active"], "repetitions": [9.0]})
    for workouts in (
        [Activity(META, sets=SetRows(table, 2, 5)), Activity(META, sets=SetRows(table, 0, 2))],
        [Activity(META, sets=SetRows(table, 0, 2)), Activity(META, sets=SetRows(_table(), 2, 5))],
        [Activity(META, sets=SetRows(table, 0, 2)), Activity(META, sets=frame)],
    ):
        sets, lengths = _all_sets(workouts)
        expected = np.concatenate([w.sets["repetitions"].to_numpy() for w in workouts])
        assert sets["repetitions"].tolist() == expected.tolist()
        assert lengths.tolist() == [len(w.sets) for w in workouts]
        assert sets.index.tolist() == list(range(len(sets)))


def test_active_set_mask_reads_set_type_once_for_all() -> None:
    import pandas as pd

    from lactlog.model import active_set_mask

    sets = pd.DataFrame({"set_type": ["active", "rest", "Active", None, pd.NA, "ACTIVE"]})
    assert active_set_mask(sets).tolist() == [True, False, True, False, False, True]
    assert active_set_mask(pd.DataFrame({"reps": [5]})).tolist() == [False]
