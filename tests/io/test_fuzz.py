"""Fuzzing every reader through ``lactlog.io.read``: only LactlogError may escape, and every input
is read within a time bound.

Inputs are files in a temporary folder: corpus FIT seeds (shrunk) with the mutations of
``tests/fuzzkit.py`` (bit flips, interesting bytes, truncation, records spliced from another file,
huge data size in the header, bogus field counts/sizes/types in definitions, record headers,
extreme values, duplicated and deleted chunks, chained files), structurally valid FIT files built
from scratch with FitWriter (random layouts, big-endian, compressed timestamps, developer fields),
some of them gzip-compressed (and some damaged after compression), and damaged CSV, TCX and GPX
seeds. The mutations draw from hypothesis' ``st.randoms()``, so a failure shrinks and replays.

The second half has one regression test per crash the fuzzers found (``bench/fuzz.py`` runs the
same mutators for millions of inputs), each built with FitWriter.

Time budget: about 40 s in all (``max_examples`` below).
"""

from __future__ import annotations

import gzip
import hashlib
import random
import signal
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fuzzkit
from conftest import REPO_ROOT, corpus_files
from lactlog.errors import EmptyFileError, LactlogError
from lactlog.io import read, read_bytes
from lactlog.testing import FitWriter

#: A Python warning on damaged input would be printed on the user's stderr: fail on it.
pytestmark = pytest.mark.filterwarnings("error")

#: Each input must be read within this [s] (typical: 2–20 ms).
TIME_LIMIT_S = 2.0
SAMPLE = REPO_ROOT / "sample_data"
FUZZ_SETTINGS = settings(
    deadline=None,  # measured by _read_within, which also stops a hang
    suppress_health_check=[
        HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example
    ],
)
T0 = fuzzkit.T0
UINT8, UINT16, UINT32, STRING, BYTE, ENUM, FLOAT64 = 0x02, 0x84, 0x86, 0x07, 0x0D, 0x00, 0x89
RECORD, EVENT, SESSION, LAP, FILE_ID, ACTIVITY, SET = 20, 21, 18, 19, 0, 34, 225


class _Hang(BaseException):
    pass


def _alarm(signum, frame):
    raise _Hang


def _read_within(path: Path) -> None:
    """``read(path)``: it may return or raise LactlogError, within TIME_LIMIT_S."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, 5 * TIME_LIMIT_S)  # a hard stop, should it hang
    started = time.perf_counter()
    try:
        read(path)
    except LactlogError:
        pass
    except _Hang:
        pytest.fail(f"reading did not finish in {5 * TIME_LIMIT_S} s: {_keep(path)}")
    except Exception:
        print(f"crashing input kept as {_keep(path)}")
        raise
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    elapsed = time.perf_counter() - started
    assert elapsed < TIME_LIMIT_S, f"took {elapsed:.2f} s: {_keep(path)}"


def _keep(path: Path) -> Path:
    """Copy a failing input beside the fuzz folder under a content-addressed name."""
    data = path.read_bytes()
    kept = path.parent / f"failure-{hashlib.sha256(data).hexdigest()[:12]}-{path.name}"
    kept.write_bytes(data)
    return kept


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="module")
def fit_seeds() -> list[fuzzkit.FitMap]:
    """Shrunk corpus FIT files, or generated ones when the corpus is absent."""
    corpus = corpus_files("fit") + corpus_files("fit-broken")
    maps = [m for m in fuzzkit.seeds_from(corpus) if m.records]
    maps += fuzzkit.seeds_from(sorted(SAMPLE.glob("*.fit")))
    rng = random.Random(7)
    maps += [fuzzkit.fit_map(fuzzkit.random_fit(rng)) for _ in range(20)]
    return maps


@pytest.fixture(scope="module")
def text_seeds() -> list[tuple[str, bytes]]:
    paths = corpus_files("csv") + corpus_files("tcx-gpx")
    paths += sorted(SAMPLE.glob("*.csv")) + sorted(SAMPLE.glob("*.tcx"))
    return [(p.name, fuzzkit.shrink_text(p.read_bytes())) for p in paths]


def _write(folder: Path, name: str, data: bytes, rng: random.Random) -> Path:
    """Write an input, gzip-compressed for some (and then damaged for a few)."""
    if rng.random() < 0.15:
        data = gzip.compress(data, compresslevel=1, mtime=0)
        if rng.random() < 0.3:
            data = fuzzkit.mutate_text(data, rng)
        name += ".gz"
    path = folder / name
    path.write_bytes(data)
    return path


@settings(FUZZ_SETTINGS, max_examples=1500)
@given(data=st.data(), rng=st.randoms(use_true_random=False))
def test_mutated_fit_files(fuzz_dir: Path, fit_seeds, data, rng: random.Random) -> None:
    seed = data.draw(st.sampled_from(fit_seeds), label="seed")
    other = data.draw(st.sampled_from(fit_seeds), label="splice from")
    _read_within(_write(fuzz_dir, "mutated.fit", fuzzkit.mutate(seed, other, rng), rng))


@settings(FUZZ_SETTINGS, max_examples=500)
@given(rng=st.randoms(use_true_random=False), damage=st.booleans())
def test_generated_fit_files(fuzz_dir: Path, fit_seeds, rng: random.Random, damage: bool) -> None:
    generated = fuzzkit.random_fit(rng, max_messages=60)
    if damage:
        generated = fuzzkit.mutate(fuzzkit.fit_map(generated), rng.choice(fit_seeds), rng)
    _read_within(_write(fuzz_dir, "generated.fit", generated, rng))


@settings(FUZZ_SETTINGS, max_examples=600)
@given(data=st.data(), rng=st.randoms(use_true_random=False))
def test_mutated_text_files(fuzz_dir: Path, text_seeds, data, rng: random.Random) -> None:
    name, seed = data.draw(st.sampled_from(text_seeds), label="seed")
    damaged = seed
    for _ in range(rng.randint(1, 3)):
        damaged = fuzzkit.mutate_text(damaged, rng)
    _read_within(_write(fuzz_dir, name, damaged, rng))


def test_generated_files_are_valid_fit() -> None:
    """The generator writes readable files (else the fuzzing above tests little)."""
    rng = random.Random(3)
    outcomes = []
    for _ in range(50):
        try:
            outcomes.append(len(read_bytes(fuzzkit.random_fit(rng), "generated.fit")))
        except EmptyFileError:
            outcomes.append(0)
    # 34 of these 50: files timed at 0xFFFFFF00 (year 2125) are refused since samples after 2099
    # are dropped (lactlog.io.common.PLAUSIBLE_TIMES); 35 before
    assert sum(n > 0 for n in outcomes) >= 32


# ---------------------------------------------------------------------------------------------
# Regressions: crashes the fuzzers found, as minimal files built with FitWriter.


def _records(writer: FitWriter, n: int = 5, local: int = 0) -> None:
    writer.define(local, RECORD, [(253, UINT32, 4), (3, UINT8, 1)])
    for i in range(n):
        writer.write(local, [T0 + i, 140 + i])


def _event_without_event_field() -> bytes:
    # activity._pauses: event messages lacking the ``event`` field (shape (0,) vs (n,))
    w = FitWriter()
    _records(w)
    w.define(1, EVENT, [(253, UINT32, 4), (1, ENUM, 1)])  # only event_type
    w.write(1, [T0, 0])
    w.write(1, [T0 + 4, 4])
    return w.to_bytes()


def _timestamp_as_byte_array() -> bytes:
    # decode._resolve_compressed_timestamps: a 4-byte timestamp of uint8[4] is 2-D
    w = FitWriter()
    _records(w, local=2)
    w.define(0, RECORD, [(253, UINT8, 4), (3, UINT8, 1)])
    w.write_bytes(bytes([0, 1, 2, 3, 4, 150]))  # FitWriter will not write such a timestamp
    w.define(1, RECORD, [(3, UINT8, 1)])
    w.write_compressed(1, [151], time_offset=5)
    return w.to_bytes()


def _timestamp_as_text() -> bytes:
    # decode: a timestamp field typed string reached np.isnan on text
    w = FitWriter()
    _records(w, local=2)
    w.define(0, RECORD, [(253, STRING, 4), (3, UINT8, 1)])
    w.write_bytes(b"\x00abc\x00\x96")
    w.define(1, RECORD, [(3, UINT8, 1)])
    w.write_compressed(1, [151], time_offset=5)
    return w.to_bytes()


def _text_and_array_for_one_field() -> bytes:
    # decode._stack: one definition has heart_rate as text, another as uint8[2]
    w = FitWriter()
    w.define(0, RECORD, [(253, UINT32, 4), (3, STRING, 3)])
    w.write(0, [T0, b"ab"])
    w.define(1, RECORD, [(253, UINT32, 4), (3, UINT8, 2)])
    w.write(1, [T0 + 1, [1, 2]])
    return w.to_bytes()


def _component_over_text_field() -> bytes:
    # decode._decode_fields: compressed_speed_distance (field 8) unpacks into speed, which the
    # definition also has, typed string
    w = FitWriter()
    w.define(0, RECORD, [(253, UINT32, 4), (8, BYTE, 3), (6, STRING, 2)])
    w.write(0, [T0, (350 | 100 << 12).to_bytes(3, "little"), b"x"])
    return w.to_bytes()


def _lap_start_as_array() -> bytes:
    # activity._laps: start_time of uint32[2] is 2-D
    w = FitWriter()
    _records(w)
    w.define(1, LAP, [(253, UINT32, 4), (2, UINT32, 8), (7, UINT32, 4)])
    w.write(1, [T0 + 5, [T0, T0], 5000])
    return w.to_bytes()


def _sets_without_duration() -> bytes:
    # activity._sets: end times minus a missing duration column (shape (n,) vs (0,))
    w = FitWriter()
    _records(w)
    w.define(1, SET, [(254, UINT32, 4), (6, UINT32, 4), (5, UINT8, 1)])  # timestamp, start, type
    w.write(1, [T0 + 3, None, 1])  # no start_time: start = end - duration
    w.write(1, [T0 + 4, None, 1])
    return w.to_bytes()


def _event_type_as_array() -> bytes:
    # profile.enum_name got an array from a 2-D event_type column
    w = FitWriter()
    _records(w)
    w.define(1, EVENT, [(253, UINT32, 4), (0, ENUM, 1), (1, ENUM, 2)])
    w.write(1, [T0, 0, [4, 4]])
    return w.to_bytes()


def _product_name_as_number() -> bytes:
    # activity._device: product_name (field 8) typed uint8[2]: truth value of an array
    w = FitWriter()
    w.define(1, FILE_ID, [(0, ENUM, 1), (8, UINT8, 2)])
    w.write(1, [4, [1, 2]])
    _records(w)
    return w.to_bytes()


def _session_start_far_future() -> bytes:
    # activity._datetime: a float64 start_time of 1e300 (OverflowError)
    w = FitWriter()
    _records(w)
    w.define(1, SESSION, [(253, UINT32, 4), (2, FLOAT64, 8)])
    w.write(1, [T0 + 5, 1e300])
    return w.to_bytes()


def _infinite_local_timestamp() -> bytes:
    # activity._utc_offset_s: round(inf)
    w = FitWriter()
    _records(w)
    w.define(1, ACTIVITY, [(253, UINT32, 4), (5, FLOAT64, 8)])
    w.write(1, [T0 + 5, float("inf")])
    return w.to_bytes()


REGRESSIONS = {
    "event without event field": _event_without_event_field,
    "timestamp as byte array": _timestamp_as_byte_array,
    "timestamp as text": _timestamp_as_text,
    "text and array for one field": _text_and_array_for_one_field,
    "component over a text field": _component_over_text_field,
    "lap start as array": _lap_start_as_array,
    "sets without duration": _sets_without_duration,
    "event type as array": _event_type_as_array,
    "product name as number": _product_name_as_number,
    "session start far in the future": _session_start_far_future,
    "infinite local timestamp": _infinite_local_timestamp,
}


@pytest.mark.parametrize("build", REGRESSIONS.values(), ids=REGRESSIONS.keys())
def test_fuzz_regression(build) -> None:
    activities = read_bytes(build(), "regression.fit")
    assert activities
    for activity in activities:
        assert activity.samples.index.is_monotonic_increasing
        assert all(activity.samples[c].dtype == np.float64 for c in activity.samples)


def test_chained_file_cut_inside_its_header_keeps_the_first_file() -> None:
    """A second chained file cut inside its 14-byte header once cost the first file its last
    record (scan.scan: the record count went negative and a record was dropped)."""
    w = FitWriter()
    _records(w, n=10)
    first = w.to_bytes()
    for cut in (12, 13):
        activity = read_bytes(first + first[:cut], "chained.fit")[0]
        assert len(activity.samples) == 10
        assert "chained FIT file at byte" in activity.meta.warnings[0]
        assert "11 records read" in activity.meta.warnings[0]
