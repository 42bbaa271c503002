"""Result cache: keys, round trips, the stat pre-key, damaged/foreign/old files, concurrency."""

from __future__ import annotations

import json
import os
import pickle
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest

import lactlog.cache as cache_module
from conftest import corpus_files
from lactlog import cache_format
from lactlog.analysis.options import AnalysisOptions
from lactlog.analysis.session import SessionSummary
from lactlog.cache import (
    CachedResult,
    CacheKey,
    NullCache,
    ResultCache,
    default_path,
    file_sha256,
    options_fingerprint,
)
from lactlog.profile import Profile
from lactlog.settings import Settings

SHA = "ab" * 32


def summary(index: int = 0, sha256: str = SHA, source: str = "ride.fit") -> SessionSummary:
    return SessionSummary(
        source=source, session_index=index, sha256=sha256, format="fit", sport="cycling",
        sub_sport="road", start=datetime(2026, 3, 1, 7, 30, tzinfo=UTC),
        utc_offset_s=3600, manufacturer="garmin", product="edge_530", duration_s=3600.0,
        timer_s=3540.5, avg_heart_rate_bpm=141.2, max_heart_rate_bpm=178.0, avg_power_w=212.4,
        distance_m=30150.0, n_samples=3600, n_sets=0, warnings=("a 30 s gap",),
    )


def key(source: str = "ride.fit", sha256: str = SHA, size: int = 1234, fp: str = "f") -> CacheKey:
    return CacheKey(source, sha256, size, fp)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "cache" / "results.sqlite"


@pytest.fixture
def old_file(tmp_path: Path) -> Path:
    """An input file last modified an hour ago (outside the racy window)."""
    path = tmp_path / "in" / "ride.fit"
    path.parent.mkdir()
    path.write_bytes(b"\x0e\x10" + bytes(range(256)) * 40)
    hour_ago = time.time_ns() - 3600 * 10**9
    os.utime(path, ns=(hour_ago, hour_ago))
    return path


def open_cache(path: Path) -> ResultCache:
    cache = ResultCache.open(path)
    assert isinstance(cache, ResultCache), cache.warnings
    return cache


# --- values -------------------------------------------------------------------------------


def test_round_trip_of_summaries_and_errors(db_path: Path) -> None:
    sessions = (summary(0), summary(1))
    with open_cache(db_path) as cache:
        assert cache.get(key()) is None
        assert cache.put(key(), CachedResult(sessions=sessions))
        assert cache.put(key("bad.fit"), CachedResult(error="FIT data is truncated"))
    with open_cache(db_path) as cache:  # a new connection reads what the first one wrote
        hit = cache.get(key())
        assert hit == CachedResult(sessions=sessions)
        assert isinstance(hit.sessions[0], SessionSummary) and hit.sessions[0].start.tzinfo
        assert cache.get(key("bad.fit")) == CachedResult(error="FIT data is truncated")
        # every part of the key matters
        assert cache.get(key(fp="other")) is None
        assert cache.get(key(size=1235)) is None
        assert cache.get(key(source="copy/ride.fit")) is None
        assert cache.get(key(sha256="cd" * 32)) is None
        assert cache.warnings == []


def test_round_trip_of_real_summaries(db_path: Path) -> None:
    """Summaries of corpus files (endurance analysis, intervals, zones) come back equal."""
    from lactlog.batch import analyse_paths

    files = corpus_files("fit")[:6]
    if not files:
        pytest.skip("../shared/corpus/fit absent")
    sessions = analyse_paths(files).sessions
    assert any(s.endurance is not None for s in sessions)
    with open_cache(db_path) as cache:
        for s in sessions:
            assert cache.put(key(s.source, s.sha256, 1, str(s.session_index)), CachedResult((s,)))
        for s in sessions:
            hit = cache.get(key(s.source, s.sha256, 1, str(s.session_index)))
            assert hit is not None and repr(hit.sessions[0]) == repr(s)  # repr: NaN-safe equality


def test_analysis_version_is_part_of_the_key(db_path: Path, monkeypatch) -> None:
    with open_cache(db_path) as cache:
        cache.put(key(), CachedResult(sessions=(summary(),)))
    monkeypatch.setattr(cache_module, "ANALYSIS_VERSION", cache_module.ANALYSIS_VERSION + 1)
    with open_cache(db_path) as cache:
        assert cache.get(key()) is None
        assert cache.info()["entries"] == 1  # kept until cleared: another install may use it
        assert cache.clear(stale_only=True) == 1
        assert cache.info()["entries"] == 0


def test_summaries_of_a_changed_file_are_not_stored(db_path: Path) -> None:
    """The reader's sha256 differs from the key's: the file changed between hashing and reading."""
    with open_cache(db_path) as cache:
        assert not cache.put(key(), CachedResult(sessions=(summary(sha256="cd" * 32),)))
        assert cache.get(key()) is None


@dataclass(frozen=True)
class NotLactlogs:
    value: float
    source: str = "ride.fit"


def plant(db_path: Path, blob: object, source: str = "ride.fit", error: str | None = None) -> None:
    """Write a results row for :func:`key` (``source``) by hand, as an attacker could."""
    with closing(sqlite3.connect(db_path)) as db, db:
        db.execute(
            "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)",
            (SHA, 1234, "f", source, cache_module.ANALYSIS_VERSION,
             cache_module.lactlog_version(), error, blob),
        )


def row_of(*items: object) -> dict:
    return json.loads(cache_format.encode(items))


def test_only_lactlog_types_are_stored(db_path: Path) -> None:
    with open_cache(db_path) as cache:
        assert not cache.put(key(), CachedResult(sessions=(NotLactlogs(1.0),)))
        assert "cannot store" in cache.warnings[0] and "NotLactlogs" in cache.warnings[0]


def test_rows_are_json_and_nothing_in_them_is_imported_or_run(db_path: Path) -> None:
    with open_cache(db_path) as cache:
        assert cache.put(key(), CachedResult(sessions=(summary(),)))
    with closing(sqlite3.connect(db_path)) as db:
        (blob,) = db.execute("SELECT sessions FROM results").fetchone()
    document = json.loads(blob)
    assert (document["format"], document["type"]) == (1, "SessionSummary")
    assert document["items"][0]["source"] == "ride.fit"
    # a planted pickle that would run a command is a miss, not an execution
    marker = db_path.parent / "pwned"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    before = set(sys.modules)
    for blob in (pickle.dumps([Evil()]),
                 json.dumps({"format": 1, "type": "lactlog.__main__", "items": [{}]}).encode(),
                 json.dumps({"format": 1, "type": "__main__", "items": []}).encode()):
        plant(db_path, blob)
        with open_cache(db_path) as cache:
            assert cache.get(key()) is None and cache.warnings == []
    assert not marker.exists()
    assert "lactlog.__main__" not in set(sys.modules) - before


def mutations() -> list[tuple[str, object]]:
    """Rows that are JSON but not valid: each must be a miss."""
    good = row_of(summary())
    item = good["items"][0]
    bests = row_of(dated_bests())
    cases = {
        "another format": {**good, "format": 0},
        "format as text": {**good, "format": "1"},
        "extra key": {**good, "x": 1},
        "unknown type": {**good, "type": "Activity"},
        "items not a list": {**good, "items": {"0": item}},
        "float field holds text": {**good, "items": [{**item, "duration_s": "3600"}]},
        "int field holds a float": {**good, "items": [{**item, "n_samples": 3600.0}]},
        "int field holds a bool": {**good, "items": [{**item, "n_sets": False}]},
        "bool field holds an int": {**good, "items": [{**item, "wall_clock": 0}]},
        "a field missing": {**good, "items": [{k: v for k, v in item.items() if k != "sport"}]},
        "an unknown field": {**good, "items": [{**item, "__class__": "os.system"}]},
        "None where not allowed": {**good, "items": [{**item, "source": None}]},
        "tuple of the wrong items": {**good, "items": [{**item, "warnings": [1]}]},
        "not a datetime": {**good, "items": [{**item, "start": "now"}]},
        "nested class of the wrong shape": {**good, "items": [{**item, "endurance": {"a": 1}}]},
        "summary of another file": {**good, "items": [{**item, "source": "/etc/shadow"}]},
        "summary of other bytes": {**good, "items": [{**item, "sha256": "cd" * 32}]},
        "best efforts instead of summaries": bests,
    }
    rows: list[tuple[str, object]] = [(name, json.dumps(row).encode()) for name, row in cases.items()]
    rows += [("not JSON", b"\x80\x04K\x01."), ("text", "a string"), ("a number", 5),
             ("deep nesting", b"[" * 100_000), ("truncated", json.dumps(good).encode()[:-7])]
    return rows


def dated_bests():
    from lactlog.analysis.history import DatedBests
    from lactlog.summaries import SessionBests, SessionRef, Window

    ref = SessionRef("ride.fit", 0, datetime(2026, 3, 1, 7, 30, tzinfo=UTC), 3600, "cycling",
                     None, False)
    window = Window(ref, pd.Timestamp("2026-03-01T08:00:00.123456789Z"), 1200, 251.5)
    return DatedBests(date(2026, 3, 1), SessionBests(ref, "bike", False, {1200: window},
                                                    None, None, None, window, None))


@pytest.mark.parametrize(("what", "blob"), mutations(), ids=[name for name, _ in mutations()])
def test_an_invalid_row_is_a_miss_never_an_error(db_path: Path, what: str, blob: object) -> None:
    from lactlog.analysis.session import SessionSummary

    with open_cache(db_path) as cache:
        assert cache.put(key(), CachedResult(sessions=(summary(),)))
    plant(db_path, blob)
    with open_cache(db_path) as cache:
        assert cache.get(key(), SessionSummary) is None
        assert cache.put(key(), CachedResult(sessions=(summary(),)))  # recomputed and replaced
        assert cache.get(key(), SessionSummary) == CachedResult(sessions=(summary(),))


def test_planted_error_rows_are_misses(db_path: Path) -> None:
    open_cache(db_path).close()
    plant(db_path, None, error="x" * (cache_module.MAX_ERROR_CHARS + 1))
    with open_cache(db_path) as cache:
        assert cache.get(key()) is None


def test_values_come_back_with_their_exact_types(db_path: Path) -> None:
    """An int in a float field stays an int, a Timestamp in a datetime field a Timestamp (same
    unit), NaN and infinities too: a cache hit equals a cold run, repr for repr."""
    odd = replace(summary(), duration_s=3600, timer_s=float("nan"), avg_power_w=float("inf"),
                  distance_m=-0.0, start=datetime(2026, 3, 1, 7, 30))  # naive: wall clock
    bests = dated_bests()
    with open_cache(db_path) as cache:
        assert cache.put(key(), CachedResult((odd,)))
        assert cache.put(key(fp="b"), CachedResult((bests,)))
        assert repr(cache.get(key()).sessions[0]) == repr(odd)
        again = cache.get(key(fp="b")).sessions[0]
        assert repr(again) == repr(bests) and again.bests.power_w[1200].start.unit == "ns"


def test_values_the_format_cannot_reproduce_are_not_stored(db_path: Path) -> None:
    from zoneinfo import ZoneInfo

    import numpy as np

    cases = [replace(summary(), duration_s=np.float64(1.5)), replace(summary(), n_sets=np.int64(2)),
             replace(summary(), start=datetime(2026, 3, 1, tzinfo=ZoneInfo("Europe/Berlin"))),
             replace(summary(), warnings=["a list"])]
    with open_cache(db_path) as cache:
        for case in cases:
            assert not cache.put(key(), CachedResult((case,)))
        assert len(cache.warnings) == len(cases)


def test_a_row_of_200k_summaries_is_refused_quickly(db_path: Path) -> None:
    item = json.dumps(row_of(summary())["items"][0])
    blob = ('{"format":1,"type":"SessionSummary","items":[' + ",".join([item] * 200_000) + "]}")
    open_cache(db_path).close()
    plant(db_path, blob.encode())
    started = time.perf_counter()
    with open_cache(db_path) as cache:
        assert cache.get(key()) is None
    assert time.perf_counter() - started < 5
    with open_cache(db_path) as cache:
        too_many = tuple(summary(i) for i in range(cache_format.MAX_ROW_ITEMS + 1))
        assert not cache.put(key(), CachedResult(too_many))
        assert "at most" in cache.warnings[0]


# --- fingerprint ----------------------------------------------------------------------------


def profile(path: str = "/home/a/profile.toml", lthr: float = 172, since: date = date(2026, 1, 1)):
    return Profile(
        path=Path(path), sex="female", timezone="Europe/Berlin",
        thresholds={"run": {since: {"lthr_bpm": lthr, "threshold_pace": "4:10"}},
                    "all": {date(2025, 6, 1): {"max_hr_bpm": 192}}},
        settings={"high_min_above_lt_s": 900},
    )


def test_fingerprint_follows_what_shapes_the_result() -> None:
    base = AnalysisOptions.from_profile(profile())
    fp = options_fingerprint(base)
    assert len(fp) == 64 and fp == options_fingerprint(AnalysisOptions.from_profile(profile()))
    changed = [
        AnalysisOptions.from_profile(replace(profile(), settings={"high_min_above_lt_s": 600.5})),
        replace(base, settings=replace(base.settings, max_gap_s=30.0)),
        AnalysisOptions.from_profile(profile(lthr=174)),
        AnalysisOptions.from_profile(profile(since=date(2026, 2, 1))),  # same value, new date
        AnalysisOptions.from_profile(replace(profile(), sex="male")),
        AnalysisOptions.from_profile(replace(profile(), timezone="UTC")),
        AnalysisOptions.from_profile(profile(), {"lthr_bpm": 170.0}),
    ]
    fingerprints = {options_fingerprint(o) for o in changed}
    assert fp not in fingerprints and len(fingerprints) == len(changed)
    assert options_fingerprint(base, decoder="fitparse") != fp


def test_fingerprint_ignores_the_profile_path_and_ordering() -> None:
    fp = options_fingerprint(AnalysisOptions.from_profile(profile()))
    assert options_fingerprint(AnalysisOptions.from_profile(profile("/elsewhere/p.toml"))) == fp
    reordered = profile()
    reordered.thresholds = dict(reversed(list(reordered.thresholds.items())))
    assert options_fingerprint(AnalysisOptions.from_profile(reordered)) == fp
    # a setting written out at its default value resolves to the same settings
    defaults = AnalysisOptions.from_profile(Profile(settings={"max_gap_s": Settings().max_gap_s}))
    assert options_fingerprint(defaults) == options_fingerprint(AnalysisOptions())
    assert options_fingerprint(None) == options_fingerprint(AnalysisOptions())


# --- stat pre-key ---------------------------------------------------------------------------


def test_stat_prekey_hit_and_miss(db_path: Path, old_file: Path) -> None:
    before = (old_file.read_bytes(), old_file.stat().st_mtime_ns)
    with open_cache(db_path) as cache:
        assert cache.lookup_sha256(old_file) is None
        first = cache.key_for(old_file, "f")
        assert first == CacheKey(str(old_file), file_sha256(old_file), old_file.stat().st_size, "f")
        assert cache.lookup_sha256(old_file) == first.sha256  # warm: no hashing
        # a new mtime is a miss, even with the same bytes; hashing again gives the same key
        os.utime(old_file, ns=(before[1] + 10**9, before[1] + 10**9))
        assert cache.lookup_sha256(old_file) is None
        assert cache.key_for(old_file, "f") == first
        # same size, same (restored) mtime, new content: ctime/inode still tell it changed
        old_file.write_bytes(b"\x0f" + before[0][1:])
        os.utime(old_file, ns=(before[1], before[1]))
        assert cache.lookup_sha256(old_file) is None
    assert old_file.stat().st_mtime_ns == before[1]  # the cache itself never touches inputs


def test_prekey_rehashes_a_file_modified_just_now(db_path: Path, old_file: Path) -> None:
    old_file.write_bytes(b"fresh")  # mtime is now: a same-size rewrite could share it
    with open_cache(db_path) as cache:
        assert cache.key_for(old_file, "f").sha256 == file_sha256(old_file)
        assert cache.lookup_sha256(old_file) is None


def test_key_for_a_missing_file_is_none(db_path: Path, tmp_path: Path) -> None:
    with open_cache(db_path) as cache:
        assert cache.key_for(tmp_path / "nope.fit", "f") is None


# --- damaged, foreign and old cache files -----------------------------------------------------


def test_random_bytes_at_the_path_are_moved_aside(db_path: Path) -> None:
    db_path.parent.mkdir()
    junk = os.urandom(50_000)
    db_path.write_bytes(junk)
    with open_cache(db_path) as cache:
        assert len(cache.warnings) == 1 and "moved it to" in cache.warnings[0]
        assert cache.put(key(), CachedResult(sessions=(summary(),)))
        assert cache.get(key()) is not None
    moved = [p for p in db_path.parent.iterdir() if ".broken-" in p.name]
    assert len(moved) == 1 and moved[0].read_bytes() == junk


def test_a_foreign_sqlite_database_is_kept_and_replaced(db_path: Path) -> None:
    db_path.parent.mkdir()
    with sqlite3.connect(db_path) as db:
        db.execute("CREATE TABLE results (id INTEGER, note TEXT)")
        db.execute("INSERT INTO results VALUES (1, 'someone else''s data')")
    db.close()
    with open_cache(db_path) as cache:
        assert "not lactlog's result cache" in cache.warnings[0]
        assert cache.put(key(), CachedResult(error="x")) and cache.info()["entries"] == 1
    (moved,) = [p for p in db_path.parent.iterdir() if p.suffix.startswith(".broken-")]
    with sqlite3.connect(moved) as db:
        assert db.execute("SELECT note FROM results").fetchall() == [("someone else's data",)]
    db.close()


def test_a_truncated_cache_is_replaced_without_crashing(db_path: Path) -> None:
    with open_cache(db_path) as cache:
        cache.put_many((key(str(i)), CachedResult((summary(i, source=str(i)),))) for i in range(300))
    size = db_path.stat().st_size
    with open(db_path, "r+b") as handle:
        handle.truncate(size // 3)
    cache = ResultCache.open(db_path)
    hits = [cache.get(key(str(i))) for i in range(300)]  # must not raise
    assert hits.count(None) > 0
    assert cache.warnings and "damaged" in " ".join(cache.warnings)
    assert cache.put(key("new"), CachedResult(error="x"))
    assert cache.get(key("new")) == CachedResult(error="x")
    cache.close()
    assert not ResultCache.open(db_path).warnings  # the next run opens a healthy cache


def test_damage_found_while_in_use_is_replaced(db_path: Path) -> None:
    """Page 1 and the small tables are intact, so opening works; reading results hits damage."""
    with open_cache(db_path) as cache:
        cache.put_many((key(str(i)), CachedResult((summary(i, source=str(i)),))) for i in range(300))
    size = db_path.stat().st_size
    with open(db_path, "r+b") as handle:
        handle.seek(8 * 4096)  # past the schema pages (default page size 4096)
        handle.write(b"\xff" * (size - 8 * 4096))
    with open_cache(db_path) as cache:
        assert cache.warnings == []
        assert [cache.get(key(str(i))) for i in range(300)] == [None] * 300
        assert len(cache.warnings) == 1 and "is damaged" in cache.warnings[0]
        assert cache.put(key(), CachedResult(error="x")) and cache.get(key()).error == "x"
    assert len([p for p in db_path.parent.iterdir() if p.suffix.startswith(".broken-")]) == 1


def test_another_schema_version_is_rebuilt(db_path: Path, monkeypatch) -> None:
    with open_cache(db_path) as cache:
        cache.put(key(), CachedResult(error="x"))
        assert cache.info()["entries"] == 1
    monkeypatch.setattr(cache_module, "SCHEMA_VERSION", cache_module.SCHEMA_VERSION + 1)
    with open_cache(db_path) as cache:
        info = cache.info()
        assert (info["entries"], info["schema_version"]) == (0, cache_module.SCHEMA_VERSION)
        assert cache.warnings == []  # an upgrade is routine, not a problem
        assert cache.put(key(), CachedResult(error="y")) and cache.get(key()).error == "y"
    with sqlite3.connect(db_path) as db:
        version = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    db.close()
    assert version == (str(cache_module.SCHEMA_VERSION),)


# --- concurrency and crashes ------------------------------------------------------------------

WORKER = """
import sys, time
from pathlib import Path
from lactlog.cache import CachedResult, CacheKey, ResultCache
from test_cache import summary
db, prefix, count, batch, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
while go and not Path(go).exists():
    time.sleep(0.001)
cache = ResultCache.open(Path(db))
assert isinstance(cache, ResultCache), cache.warnings
for start in range(0, count, batch):
    items = [(CacheKey(f"{prefix}{i}", f"{i:064x}", i, "f"),
              CachedResult((summary(i, f"{i:064x}", f"{prefix}{i}"),))) for i in range(start, start + batch)]
    stored = cache.put(*items[0]) if batch == 1 else cache.put_many(items)
    assert stored == batch, cache.warnings
    print(start + batch, flush=True)
cache.close()
"""


def worker(db: Path, prefix: str, count: int, batch: int, go: Path | str = "") -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), *sys.path])}
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, str(db), prefix, str(count), str(batch), str(go)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )


def expect_entries(cache: ResultCache, prefix: str, indices: range) -> None:
    for i in indices:
        hit = cache.get(CacheKey(f"{prefix}{i}", f"{i:064x}", i, "f"))
        assert hit is not None and hit.sessions[0].session_index == i, (prefix, i)


def test_two_processes_writing_at_once(db_path: Path, tmp_path: Path) -> None:
    """Both start on a cache that does not exist yet, then do 200 one-entry transactions each."""
    go = tmp_path / "go"
    workers = [worker(db_path, prefix, 200, 1, go) for prefix in ("a/", "b/")]
    time.sleep(1.0)  # let both import lactlog and wait at the start line
    go.touch()
    for process in workers:
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr
    with open_cache(db_path) as cache:
        assert cache.info()["entries"] == 400
        expect_entries(cache, "a/", range(200))
        expect_entries(cache, "b/", range(200))


def test_a_process_killed_mid_write_leaves_a_consistent_cache(db_path: Path) -> None:
    process = worker(db_path, "k/", 1_000_000, 10)
    assert process.stdout is not None
    for _ in range(30):  # 30 committed batches of 10
        assert process.stdout.readline(), process.stderr.read() if process.stderr else ""
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    with open_cache(db_path) as cache:
        assert cache.warnings == []
        entries = cache.info()["entries"]
        assert entries >= 300 and entries % 10 == 0  # whole transactions only
        expect_entries(cache, "k/", range(entries))
        assert cache.get(CacheKey(f"k/{entries}", f"{entries:064x}", entries, "f")) is None


# --- housekeeping, fallbacks ------------------------------------------------------------------


def test_clear_and_info(db_path: Path, old_file: Path) -> None:
    with open_cache(db_path) as cache:
        stored = cache.put_many((key(str(i)), CachedResult((summary(i, source=str(i)),))) for i in range(25))
        cache.key_for(old_file, "f")
        info = cache.info()
        assert stored == 25
        assert info["path"] == str(db_path)
        assert (info["entries"], info["files"]) == (25, 1)
        assert info["size_bytes"] > 0 and info["schema_version"] == cache_module.SCHEMA_VERSION
        assert info["versions"] == [{
            "analysis_version": cache_module.ANALYSIS_VERSION,
            "lactlog_version": cache_module.lactlog_version(),
            "entries": 25, "current": True,
        }]
        assert cache.clear() == 25
        assert (cache.info()["entries"], cache.info()["files"]) == (0, 0)
        assert cache.get(key("3")) is None and cache.lookup_sha256(old_file) is None


def test_cache_dir_from_the_environment(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("LACTLOG_CACHE_DIR", str(tmp_path / "c"))
    assert default_path() == tmp_path / "c" / "results.sqlite"
    with ResultCache.open() as cache:
        assert cache.path == tmp_path / "c" / "results.sqlite" and cache.path.exists()


def test_unwritable_cache_dir_falls_back_to_no_cache(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        probe = folder / "probe"
        try:
            probe.touch()
        except PermissionError:
            pass
        else:
            pytest.skip("permissions are not enforced (running as root?)")
        cache = ResultCache.open(folder / "results.sqlite")
        assert isinstance(cache, NullCache) and "disabled" in cache.warnings[0]
    finally:
        folder.chmod(0o700)


def test_cache_dir_that_is_a_file_falls_back_to_no_cache(tmp_path: Path) -> None:
    (tmp_path / "blocked").write_text("a file where the cache folder should be")
    cache = ResultCache.open(tmp_path / "blocked" / "results.sqlite")
    assert isinstance(cache, NullCache) and "result cache disabled" in cache.warnings[0]


def test_null_cache_stores_nothing(old_file: Path) -> None:
    with NullCache() as cache:
        assert cache.key_for(old_file, "f") is None  # --no-cache hashes nothing
        assert not cache.put(key(), CachedResult(error="x"))
        assert cache.put_many([(key(), CachedResult(error="x"))]) == 0
        assert cache.get(key()) is None and cache.lookup_sha256(old_file) is None
        assert cache.clear() == 0 and cache.info()["entries"] == 0


# --- schema damage, a full disk (issue 14, class 13) -----------------------------------------


@pytest.mark.parametrize("change", [
    "DROP TABLE results", "ALTER TABLE results ADD COLUMN extra TEXT", "DROP TABLE file_hashes",
    "DROP TABLE meta",
])
def test_a_dropped_or_altered_table_is_rebuilt(db_path: Path, change: str) -> None:
    with open_cache(db_path) as cache:
        assert cache.put(key(), CachedResult(error="x"))
    with closing(sqlite3.connect(db_path)) as db, db:
        db.execute(change)
    for _ in range(2):  # before the fix: disabled on this run and every later one
        with open_cache(db_path) as cache:
            assert cache.put(key(), CachedResult(error="y")), cache.warnings
            assert cache.get(key()) == CachedResult(error="y") and cache.warnings == []


def test_a_full_disk_warns_once_and_leaves_no_wal(db_path: Path) -> None:
    """SQLITE_FULL simulated with max_page_count (what a full disk returns to SQLite)."""
    with open_cache(db_path) as cache:
        pages = cache._db.execute("PRAGMA page_count").fetchone()[0]
        cache._db.execute(f"PRAGMA max_page_count = {pages}")
        stored = [cache.put_many((key(f"{b}-{i}"), CachedResult((summary(i, source=f"{b}-{i}"),)))
                                 for i in range(60)) for b in range(5)]
        assert stored == [0] * 5
        assert len(cache.warnings) == 1 and "disk is full" in cache.warnings[0]
        assert cache.get(key("0-1")) is None  # reading still works
    wal = Path(f"{db_path}-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    with open_cache(db_path) as cache:  # space again: the next run caches
        assert cache.put(key(), CachedResult(error="x")) and cache.warnings == []
