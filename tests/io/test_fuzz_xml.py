"""A short, bounded fuzz of the TCX and GPX readers through ``lactlog.io.read_bytes``: only
LactlogError may escape, and every input is read within a time bound.

Seeds: corpus TCX/GPX files (shrunk to 60 track points), the sample TCX, generated TCX
(:func:`xmlfuzzkit.random_tcx`) and GPX files, and the small hostile documents of
:mod:`lactlog.testing.hostile_xml`; each input is a seed with the mutations of
:func:`xmlfuzzkit.mutate_xml` (structure-aware and byte-level), some gzip-compressed. The
randomness is hypothesis' ``st.randoms()``, so a failure shrinks and replays. ``bench/fuzz.py
--format tcx|gpx`` runs the same mutators for hundreds of thousands of inputs.

Time budget: about 10 s of CPU (``max_examples`` below; 30 s wall at a load of 12 on 2 cores).
"""

from __future__ import annotations

import gzip
import random
import signal
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fuzzkit
import xmlfuzzkit
from conftest import REPO_ROOT, corpus_files
from lactlog.errors import LactlogError
from lactlog.io import read_bytes

pytestmark = pytest.mark.filterwarnings("error")

#: Each input must be read within this [s] (typical: 2–30 ms).
TIME_LIMIT_S = 2.0
FUZZ_SETTINGS = settings(
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example
    ],
)


class _Hang(BaseException):
    pass


def _alarm(signum, frame):
    raise _Hang


@pytest.fixture(scope="module")
def xml_seeds() -> list[tuple[str, bytes]]:
    paths = corpus_files("tcx-gpx") + sorted((REPO_ROOT / "sample_data").glob("*.tcx"))
    seeds = [(p.name, fuzzkit.shrink_text(p.read_bytes())) for p in paths]
    rng = random.Random(11)
    seeds += [("generated.tcx", xmlfuzzkit.random_tcx(rng)) for _ in range(5)]
    seeds += [("generated.gpx", xmlfuzzkit.random_gpx(rng)) for _ in range(5)]
    return seeds + xmlfuzzkit.hostile_seeds()


def _read_within(data: bytes, name: str) -> None:
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, 5 * TIME_LIMIT_S)
    started = time.perf_counter()
    try:
        read_bytes(data, name)
    except LactlogError:
        pass
    except _Hang:
        pytest.fail(f"reading {name} ({len(data):,} bytes) did not finish in {5 * TIME_LIMIT_S} s")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    elapsed = time.perf_counter() - started
    assert elapsed < TIME_LIMIT_S, f"{name}: {elapsed:.2f} s for {len(data):,} bytes"


@settings(FUZZ_SETTINGS, max_examples=300)
@given(data=st.data(), rng=st.randoms(use_true_random=False))
def test_mutated_xml_files(xml_seeds, data, rng: random.Random) -> None:
    name, seed = data.draw(st.sampled_from(xml_seeds), label="seed")
    _, other = data.draw(st.sampled_from(xml_seeds), label="splice from")
    mutated = xmlfuzzkit.mutate_xml(seed, other, rng)
    if rng.random() < 0.1:
        mutated = gzip.compress(mutated, compresslevel=1, mtime=0)
        name += ".gz"
    _read_within(mutated, name)


@settings(FUZZ_SETTINGS, max_examples=20)
@given(rng=st.randoms(use_true_random=False), gpx=st.booleans())
def test_generated_xml_files(rng: random.Random, gpx: bool) -> None:
    data = xmlfuzzkit.random_gpx(rng) if gpx else xmlfuzzkit.random_tcx(rng)
    _read_within(data, "generated.gpx" if gpx else "generated.tcx")


def test_generated_files_are_readable() -> None:
    """The generators write files the readers accept (else the fuzzing above tests little)."""
    rng = random.Random(5)
    for build, name in ((xmlfuzzkit.random_tcx, "g.tcx"), (xmlfuzzkit.random_gpx, "g.gpx")):
        read = 0
        for _ in range(20):
            try:
                read += len(read_bytes(build(rng), name)) > 0
            except LactlogError:
                pass
        assert read >= 15, name
