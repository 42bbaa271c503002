"""Cache-loader fuzz, short (issue 14, class 9): mutated rows are refused, never a crash, and a
batch over a cache whose every row was mutated gives the cold result and repairs the cache.

The long run is ``python bench/fuzz.py --cache-rows N``.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from conftest import REPO_ROOT
from lactlog.batch import analyse_paths
from lactlog.cache import ResultCache
from lactlog.io import find_inputs
from lactlog.testing.cache_rows import check_row, mutate

SAMPLE = REPO_ROOT / "sample_data"


@pytest.fixture(scope="module")
def warm_cache(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list]:
    """A copy of the sample data, a cache of both batch passes over it, and the cold result."""
    root = tmp_path_factory.mktemp("cache-fuzz")
    folder = root / "in"
    shutil.copytree(SAMPLE, folder)
    with ResultCache.open(root / "cache.sqlite") as cache:
        cold = analyse_paths([folder], cache=cache, jobs=1)
    return folder, root / "cache.sqlite", cold.sessions


def rows(db_path: Path) -> list[bytes]:
    with closing(sqlite3.connect(db_path)) as db:
        return [r[0] for r in db.execute("SELECT sessions FROM results WHERE sessions NOT NULL")]


def test_mutated_rows_load_typed_or_are_refused(warm_cache) -> None:
    seeds = rows(warm_cache[1])
    assert len(seeds) >= 10  # both passes, every sample file
    rng = random.Random(14)
    outcomes = {"loaded": 0, "refused": 0}
    for _ in range(1000):
        outcomes[check_row(mutate(rng.choice(seeds), rng.choice(seeds), rng))] += 1
    assert outcomes["refused"] > 300 and outcomes["loaded"] > 0, outcomes


def test_a_batch_over_mutated_rows_gives_the_cold_result(warm_cache, tmp_path: Path) -> None:
    folder, db_path, cold = warm_cache
    damaged = tmp_path / "cache.sqlite"
    shutil.copy(db_path, damaged)
    rng = random.Random(7)
    with closing(sqlite3.connect(damaged)) as db, db:
        for blob in rows(damaged):
            mutant = mutate(blob, blob, rng)
            while check_row(mutant) != "refused":  # a still valid row (a changed number) would
                mutant = mutate(blob, blob, rng)  # be served: content is trusted, types are not
            db.execute("UPDATE results SET sessions = ? WHERE sessions = ?", (mutant, blob))
    with ResultCache.open(damaged) as cache:
        again = analyse_paths([folder], cache=cache, jobs=1)
        assert cache.warnings == []
    assert [repr(s) for s in again.sessions] == [repr(s) for s in cold]
    with ResultCache.open(damaged) as cache:  # the refused rows were replaced
        third = analyse_paths([folder], cache=cache, jobs=1)
    assert third.cache_hits == len(find_inputs([folder]))
    assert [repr(s) for s in third.sessions] == [repr(s) for s in cold]
