"""Short bounded fuzzing of the CSV readers: time series and lifting logs (Strong, Hevy,
FitNotes). Only LactlogError may escape ``read_bytes``, and no input takes more than 5 s of CPU.

Seeds and mutators are ``tests/csvfuzzkit.py``'s, the same ``bench/fuzz.py --format csv`` and
``--format lifting`` run for 100k+ inputs; the mutations draw from hypothesis' ``st.randoms()``
(derandomized in CI, so a failure replays), and one test builds whole tables from hypothesis
strategies. Budget: about 15 s in all on an idle machine (``max_examples`` below).
"""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import csvfuzzkit
from conftest import CORPUS
from lactlog.errors import LactlogError
from lactlog.io import read_bytes

CPU_LIMIT_S = 5.0
FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _corpus_csvs() -> list:
    folder = CORPUS / "csv"
    return sorted(p for p in folder.glob("*") if p.suffix.lower() == ".csv") if (
        folder.is_dir()) else []


def _seeds(lifting: bool) -> list[bytes]:
    paths = _corpus_csvs()
    strong = [p for p in paths if "strong" in p.name.lower()]
    if lifting:
        return csvfuzzkit.lifting_seeds(strong[0].read_bytes() if strong else None)
    return csvfuzzkit.timeseries_seeds([p for p in paths if p not in strong])


SERIES, LIFTING = _seeds(lifting=False), _seeds(lifting=True)


def _read_or_refuse(data: bytes) -> None:
    """Reading gives sessions or a LactlogError, within the CPU limit."""
    start = time.process_time()
    try:
        read_bytes(data, "fuzz.csv")
    except LactlogError:
        pass
    assert time.process_time() - start < CPU_LIMIT_S


@pytest.mark.parametrize("seeds", [SERIES, LIFTING], ids=["time-series", "lifting"])
@FUZZ
@given(rng=st.randoms(use_true_random=False))
def test_mutated_csv_never_crashes(seeds, rng):
    _read_or_refuse(csvfuzzkit.mutate_csv(rng.choice(seeds), rng.choice(seeds), rng))


@pytest.mark.parametrize("lifting", [False, True], ids=["time-series", "lifting"])
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rng=st.randoms(use_true_random=False))
def test_generated_tables_never_crash(lifting, rng):
    _read_or_refuse(csvfuzzkit.random_table(rng, lifting))


_CELL = st.one_of(st.sampled_from(csvfuzzkit.EXTREME_CELLS),
                  st.floats(allow_nan=True).map(repr), st.integers().map(str),
                  st.text(max_size=12).filter(lambda t: "\n" not in t and "\r" not in t))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(header=st.lists(st.sampled_from(csvfuzzkit.KNOWN_HEADERS), min_size=1, max_size=10),
       rows=st.lists(st.lists(_CELL, min_size=1, max_size=10), max_size=20))
def test_hypothesis_tables_never_crash(header, rows):
    lines = [",".join(header)] + [",".join(row) for row in rows]
    _read_or_refuse(("\n".join(lines) + "\n").encode("utf-8", errors="surrogatepass"))
