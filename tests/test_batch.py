"""Batches: cache hits do no decoding, the process pool gives the same ordered result, merging."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from lactlog import batch
from lactlog.analysis.options import AnalysisOptions
from lactlog.batch import analyse_paths
from lactlog.cache import ResultCache

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


def _key(result) -> list[tuple]:
    return [(s.source, s.session_index, s.timer_s, s.endurance and s.endurance.time_above_lt_s)
            for s in result.sessions]


def test_warm_cache_decodes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "in"
    shutil.copytree(SAMPLE, folder)
    with ResultCache.open(tmp_path / "cache.sqlite") as cache:
        cold = analyse_paths([folder], cache=cache, merge=False)
    assert cold.cache_hits == 0

    def no_reading(*args, **kwargs):
        raise AssertionError("a warm run must not read any file")

    monkeypatch.setattr(batch, "read", no_reading)
    with ResultCache.open(tmp_path / "cache.sqlite") as cache:
        warm = analyse_paths([folder], cache=cache, merge=False)
    assert warm.cache_hits == len(list(folder.glob("*.*"))) - 1  # README.md is not an input
    assert _key(warm) == _key(cold)


def test_changed_file_is_read_again(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    target = folder / "ride.fit"
    shutil.copy(SAMPLE / "2026-11-18-threshold-ride.fit", target)
    with ResultCache.open(tmp_path / "cache.sqlite") as cache:
        analyse_paths([folder], cache=cache)
    shutil.copy(SAMPLE / "2026-11-16-hiit-run.fit", target)
    with ResultCache.open(tmp_path / "cache.sqlite") as cache:
        result = analyse_paths([folder], cache=cache)
    assert result.cache_hits == 0
    assert result.sessions[0].sport == "running"


def test_process_pool_gives_the_same_sorted_result() -> None:
    serial = analyse_paths([SAMPLE], jobs=1)
    parallel = analyse_paths([SAMPLE], jobs=2)
    assert _key(parallel) == _key(serial)
    starts = [s.start for s in parallel.sessions]
    assert starts == sorted(starts)


def test_watch_and_app_sessions_are_merged_unless_asked_not_to() -> None:
    merged = analyse_paths([SAMPLE])
    apart = analyse_paths([SAMPLE], merge=False)
    assert len(apart.sessions) == len(merged.sessions) + 1
    (combined,) = [s for s in merged.sessions if s.product == "fr965 + Strong"]
    assert combined.strength.n_sets == 16
    assert combined.strength.median_rest_s is not None  # rest from the watch


def test_profile_time_zone_converts_app_wall_clock(tmp_path: Path) -> None:
    from lactlog.analysis.options import AnalysisOptions
    from lactlog.profile import Profile

    berlin = AnalysisOptions(profile=Profile(timezone="Europe/Berlin"))
    new_york = AnalysisOptions(profile=Profile(timezone="America/New_York"))
    assert analyse_paths([SAMPLE], options=berlin).merged
    # read as New York time the app workout starts 6 h after the watch session: no merge
    assert not analyse_paths([SAMPLE], options=new_york).merged


def test_size_limits_come_from_the_settings(tmp_path: Path) -> None:
    import gzip

    from lactlog.analysis.options import AnalysisOptions
    from lactlog.settings import Settings

    bomb = tmp_path / "bomb.fit.gz"
    bomb.write_bytes(gzip.compress(bytes(3 * 2**20)))  # 3 MiB of zeros
    options = AnalysisOptions(settings=Settings(max_decompressed_mb=1))
    result = analyse_paths([bomb], options=options)
    assert len(result.errors) == 1 and "decompresses to more than 1.0 MB" in result.errors[0].error
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * (2 * 2**20))
    result = analyse_paths([big], options=AnalysisOptions(settings=Settings(max_file_mb=1)))
    assert len(result.errors) == 1


# --- the result cache's JSON rows (issue 14, class 9) -----------------------------------------


def _cache_json_inputs() -> list[Path]:
    """The sample data and a few corpus files of each kind (FIT with intervals, TCX, GPX, CSV)."""
    from conftest import corpus_files

    picks = corpus_files("fit")[:4] + corpus_files("tcx-gpx")[:3] + corpus_files("csv")[:2]
    return [SAMPLE, *picks]


def test_analyze_json_is_the_same_warm_and_cold(tmp_path: Path, monkeypatch) -> None:
    import json

    from typer.testing import CliRunner

    from lactlog.cli import app

    monkeypatch.setenv("LACTLOG_CACHE_DIR", str(tmp_path / "cache"))
    arguments = ["analyze", "--json", *map(str, _cache_json_inputs())]
    cold = CliRunner().invoke(app, arguments)
    reread: list[str] = []
    real_read = batch.read
    monkeypatch.setattr(batch, "read", lambda path, **kw: reread.append(str(path)) or real_read(path, **kw))
    warm = CliRunner().invoke(app, arguments)
    assert cold.exit_code == warm.exit_code and cold.exit_code in (0, 1)
    assert json.loads(cold.stdout)["sessions"] and warm.stdout == cold.stdout
    apart = analyse_paths(_cache_json_inputs(), merge=False).sessions
    merge_inputs = {s.source for s in apart if (s.format == "fit" and s.strength)
                    or s.product in batch.APP_PRODUCTS}
    assert set(reread) <= merge_inputs, reread  # only the strength merge reads files again


def test_a_cached_summary_naming_another_file_is_never_read(tmp_path: Path, monkeypatch) -> None:
    """A row whose summary says source = "/etc/shadow" (with a strength analysis, so the merge
    would read it again) is a miss; the merge reads only files of the batch."""
    import json
    import sqlite3
    from contextlib import closing

    folder = tmp_path / "in"
    shutil.copytree(SAMPLE, folder)
    db_path = tmp_path / "cache.sqlite"
    with ResultCache.open(db_path) as cache:
        cold = analyse_paths([folder], cache=cache)
    assert cold.merged
    with closing(sqlite3.connect(db_path)) as db, db:
        for blob, source in db.execute("SELECT sessions, source FROM results").fetchall():
            if blob is not None and "strength" in source:
                document = json.loads(blob)
                for item in document["items"]:
                    if "source" in item:
                        item["source"] = "/etc/shadow"
                    else:
                        item["bests"]["session"]["source"] = "/etc/shadow"
                db.execute("UPDATE results SET sessions = ? WHERE sessions = ?",
                           (json.dumps(document).encode(), blob))
    reread: list[str] = []
    real_read = batch.read
    monkeypatch.setattr(batch, "read", lambda path, **kw: reread.append(str(path)) or real_read(path, **kw))
    with ResultCache.open(db_path) as cache:
        warm = analyse_paths([folder], cache=cache, jobs=1)
    assert "/etc/shadow" not in reread and all(str(folder) in p for p in reread)
    assert [repr(s) for s in warm.sessions] == [repr(s) for s in cold.sessions]
    # merging by hand with summaries naming other files: only the batch's files are read
    forged = batch.BatchResult(sessions=[replace(s, source="/etc/shadow") for s in cold.sessions])
    reread.clear()
    batch.merge_strength_sessions(forged, AnalysisOptions(), "lactlog", files=[folder])
    assert reread == [] and not forged.merged


# --- processes and permissions (issue 14, class 13) -------------------------------------------


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status  # a zombie has exited


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_workers_exit_when_analyze_is_killed(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(60):
        shutil.copy(SAMPLE / "2026-11-18-threshold-ride.fit", folder / f"ride-{i:02d}.fit")
    env = {**os.environ, "LACTLOG_CACHE_DIR": str(tmp_path / "cache")}
    parent = subprocess.Popen([sys.executable, "-m", "lactlog", "analyze", str(folder),
                               "--jobs", "2", "--no-cache"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        workers: list[int] = []
        while len(workers) < 2 and time.monotonic() < deadline and parent.poll() is None:
            workers = _children(parent.pid)
            time.sleep(0.05)
        assert len(workers) >= 2, "no worker processes seen"
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(10)
        deadline = time.monotonic() + 10  # before the fix: alive for >= 60 s
        while any(_running(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_running(w) for w in workers)
    finally:
        for pid in _children(parent.pid):
            os.kill(pid, signal.SIGKILL)


def test_a_path_under_an_unreadable_folder_is_one_error(tmp_path: Path, monkeypatch) -> None:
    """``find_inputs`` let PermissionError escape (is_dir under a folder without permission);
    inside a folder an unlistable subfolder was skipped silently. As root permissions are not
    enforced, so the denial is simulated where the OS would raise it."""
    import os

    from lactlog.io import find_inputs

    locked = tmp_path / "locked"
    (locked / "deeper").mkdir(parents=True)
    shutil.copy(SAMPLE / "2026-11-16-hiit-run.fit", tmp_path / "run.fit")
    target = locked / "deeper" / "ride.fit"
    real_stat, real_scandir = os.stat, os.scandir

    def stat(path, *args, **kwargs):
        if str(path).startswith(str(locked / "deeper")):
            raise PermissionError(13, "Permission denied", str(path))
        return real_stat(path, *args, **kwargs)

    def scandir(path="."):
        if str(path).startswith(str(locked)):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "stat", stat)
    monkeypatch.setattr(os, "scandir", scandir)
    result = analyse_paths([target])
    assert [e.error for e in result.errors] == ["permission denied"]
    warnings: list[str] = []
    assert find_inputs([tmp_path], warnings=warnings) == [tmp_path / "run.fit"]
    assert len(warnings) == 1 and "locked" in warnings[0] and "cannot list" in warnings[0]
    assert any("cannot list" in w for w in analyse_paths([tmp_path]).warnings)


def test_a_lifting_log_is_read_once_and_summarised_as_the_second_pass_would(
    tmp_path: Path, file_reads: list[str]
) -> None:
    log, ride = SAMPLE / "2026-11-21-strong.csv", SAMPLE / "2026-11-18-threshold-ride.fit"
    reads = file_reads
    with ResultCache.open(tmp_path / "cache.sqlite") as cache:
        cold = analyse_paths([log, ride], cache=cache, merge=False, jobs=1)
        assert sorted(reads) == sorted([log.name, ride.name])  # the ride's 2nd pass: spilled
        reads.clear()
        warm = analyse_paths([log, ride], cache=cache, merge=False, jobs=1)
    assert reads == [] and warm.cache_hits == 2  # the log's summaries were cached too
    direct = batch.analyse_file(log, "lactlog", AnalysisOptions())
    assert [s for s in cold.sessions if s.source == str(log)] == list(direct.sessions)
    assert warm.sessions == cold.sessions
