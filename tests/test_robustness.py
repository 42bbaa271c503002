"""Reliability end to end: truncated files keep their data, size caps, a huge file within a
memory budget, semantically broken files, no writes outside lactlog's folders, Ctrl-C and kill -9
in the middle of a batch.

Runtime: about 40 s, most of it in the subprocess tests at the end.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import fuzzkit
from conftest import CORPUS, REPO_ROOT, corpus_files
from lactlog import io as lactlog_io
from lactlog.cli import app
from lactlog.errors import EmptyFileError, InputTooLargeError, LactlogError
from lactlog.io import read, read_bytes
from lactlog.io.fit.decode import decode
from lactlog.testing import FitWriter

SAMPLE = REPO_ROOT / "sample_data"
T0 = fuzzkit.T0
UINT8, UINT16, UINT32, ENUM, UINT32Z = 0x02, 0x84, 0x86, 0x00, 0x8C
runner = CliRunner()


def strict_json(text: str):
    """Parse JSON, refusing NaN and ±Infinity (Python's json writes them unless told not to)."""

    def reject(constant: str):
        raise ValueError(f"{constant} in JSON output")

    return json.loads(text, parse_constant=reject)


def lactlog(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess:
    """``python -m lactlog ARGS`` in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "lactlog", *args], capture_output=True, text=True, env=env,
        cwd=cwd, timeout=timeout, check=False,
    )


# ---------------------------------------------------------------------------------------------
# Lose nothing: a truncated file keeps every record before the cut


def _single_fit_file(path: Path) -> bool:
    """Not a chain of FIT files: the header's data size and the CRC make up the whole file."""
    head = path.read_bytes()[:8]
    return path.stat().st_size == head[0] + int.from_bytes(head[4:8], "little") + 2


def _truncation_files() -> list[Path]:
    """Ten corpus FIT files: a seeded choice among the single (not chained) files < 600 kB."""
    files = [p for p in corpus_files("fit") if p.stat().st_size < 600_000 and _single_fit_file(p)]
    return sorted(random.Random(20261122).sample(files, min(10, len(files))))


def _assert_prefix(full: dict, part: dict, n: int, what: str) -> None:
    """``part`` (columns of the cut file) equals the first ``n`` rows of ``full``."""
    assert set(part) <= set(full), what
    for name, values in full.items():
        head = values[:n]
        if name not in part:  # defined only after the cut: nothing valid before it
            if head.dtype == object:
                assert all(v is None for v in head), f"{what}: {name}"
            else:
                assert np.isnan(head).all(), f"{what}: {name}"
            continue
        got = part[name]
        if head.ndim == 2 and got.ndim == 2 and got.shape[1] < head.shape[1]:
            assert np.isnan(head[:, got.shape[1] :]).all(), f"{what}: {name}"
            head = head[:, : got.shape[1]]
        np.testing.assert_array_equal(got, head, err_msg=f"{what}: {name}")


@pytest.mark.skipif(not corpus_files("fit"), reason="../shared/corpus/fit absent")
@pytest.mark.parametrize("path", _truncation_files(), ids=lambda p: p.name)
def test_truncated_file_keeps_every_record_before_the_cut(path: Path) -> None:
    data = path.read_bytes()
    full = decode(data)
    layout = fuzzkit.fit_map(data)  # record boundaries, found independently of lactlog's scan
    assert len(layout.records) == full.n_records
    rng = random.Random(path.name)
    for cut in sorted(rng.randrange(layout.data_start, layout.data_end) for _ in range(3)):
        complete = [r for r in layout.records if r.end <= cut]
        n_records = sum(not r.definition and r.global_number == 20 for r in complete)
        part = decode(data[:cut])
        what = f"{path.name} cut at {cut}"
        assert part.n_records == len(complete), what
        assert part.stopped_early, what
        assert part.warnings[0].startswith(
            f"truncated: {len(complete):,} records read, the end of the file is missing"
        ), what
        _assert_prefix(full.messages.get("record", {}), part.messages.get("record", {}),
                       n_records, what)
        try:
            activities = read_bytes(data[:cut], path.name)
        except EmptyFileError as exc:  # only when nothing timed came before the cut
            assert "nothing usable before the damage" in str(exc)
            times = part.messages.get("record", {}).get("timestamp", np.empty(0))
            assert not np.isfinite(times).any(), what
            continue
        assert activities, what
        assert part.warnings[0] in activities[0].meta.warnings, what


def test_unexpected_eof_file_yields_a_session_with_a_warning() -> None:
    path = CORPUS / "fit-broken" / "fitparse__activity-unexpected-eof.fit"
    if not path.is_file():
        pytest.skip("corpus absent")
    (activity,) = read(path)
    assert len(activity.samples) > 0
    assert activity.meta.warnings[0].startswith("truncated: 31 records read, the end of the file")


def test_truncated_generated_file_keeps_all_complete_records() -> None:
    """Cut a generated file at every byte: the samples are exactly the complete records."""
    writer = FitWriter()
    writer.define(0, 20, [(253, UINT32, 4), (3, UINT8, 1), (7, UINT16, 2)])
    for i in range(30):
        writer.write(0, [T0 + i, 100 + i, 200 + i])
    data = writer.to_bytes()
    header, definition, record = 14, 15, 8
    for cut in range(header + definition + record, len(data) - 2):
        expected = (cut - header - definition) // record
        (activity,) = read_bytes(data[:cut], "cut.fit")
        assert activity.samples["heart_rate_bpm"].tolist() == list(range(100, 100 + expected))
        assert activity.meta.warnings[0].startswith(
            f"truncated: {expected + 1:,} records read, the end of the file is missing"
        )


# ---------------------------------------------------------------------------------------------
# Hostile and huge inputs


@pytest.fixture(scope="module")
def gzip_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """50 MB of zeros behind a FIT-looking name, gzip-compressed to about 50 kB."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.fit.gz"
    path.write_bytes(gzip.compress(bytes(50 * 2**20), compresslevel=9, mtime=0))
    return path


def test_gzip_bomb_is_refused_with_a_clear_message(gzip_bomb: Path, monkeypatch) -> None:
    assert gzip_bomb.stat().st_size < 1_000_000
    with pytest.raises(InputTooLargeError, match=r"decompresses to more than 10\.0 MB"):
        read(gzip_bomb, max_decompressed_bytes=10 * 2**20)
    monkeypatch.setattr(lactlog_io, "MAX_DECOMPRESSED_BYTES", 10 * 2**20)  # the default
    with pytest.raises(InputTooLargeError, match="settings.max_decompressed_mb"):
        read(gzip_bomb)
    profile = gzip_bomb.parent / "profile.toml"
    profile.write_text("[settings]\nmax_decompressed_mb = 10\n")  # the limit a user sets
    result = runner.invoke(
        app, ["analyze", "--json", "--no-cache", "--config", str(profile), str(gzip_bomb)]
    )
    assert result.exit_code == 1
    (error,) = strict_json(result.stdout)["errors"]
    assert "decompresses to more than 10.0 MB" in error["error"]
    assert "\n" not in error["error"]


def test_gzip_under_the_cap_is_read(gzip_bomb: Path) -> None:
    with pytest.raises(LactlogError) as raised:  # decompressed, then found not to be FIT
        read(gzip_bomb, max_decompressed_bytes=64 * 2**20)
    assert not isinstance(raised.value, InputTooLargeError)
    assert "not a FIT file" in str(raised.value)


def test_file_size_limit(tmp_path: Path, monkeypatch) -> None:
    big = tmp_path / "big.csv"
    big.write_bytes(b"time,heart_rate\n" + b"0,120\n" * 500_000)  # 3 MB
    too_large = r"the file is too large \(2\.9 MB, limit 1\.0 MB\)"
    with pytest.raises(InputTooLargeError, match=too_large):
        read(big, max_file_bytes=2**20)
    monkeypatch.setattr(lactlog_io, "MAX_FILE_BYTES", 2**20)  # the default
    with pytest.raises(InputTooLargeError):
        read(big)
    compressed = tmp_path / "ride.fit.gz"  # the limit applies to the file as stored
    compressed.write_bytes(os.urandom(2 * 2**20))
    with pytest.raises(InputTooLargeError):
        read(compressed)


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="needs Linux /proc")
def test_reading_a_small_file_does_not_reserve_the_size_limit() -> None:
    """``read(limit + 1)`` allocated 1 GB of address space per file (MemoryError under strict
    overcommit or ``ulimit -v``); io.load now reads the file's own size."""
    script = (
        "import re, sys, lactlog.io as io\n"
        "peak = lambda: int(re.search(r'VmPeak:\\s+(\\d+)', open('/proc/self/status').read())[1])\n"
        "before = peak(); io.load(sys.argv[1]); print(peak() - before)\n"
    )
    small = next(SAMPLE.glob("*.fit"))
    result = subprocess.run([sys.executable, "-c", script, str(small)], capture_output=True,
                            text=True, check=True)
    assert int(result.stdout) < 100 * 1024, f"{result.stdout.strip()} kB more address space"


def test_limits_default_to_module_constants() -> None:
    assert lactlog_io.MAX_DECOMPRESSED_BYTES == 512 * 2**20
    assert lactlog_io.MAX_FILE_BYTES == 2**30


@pytest.mark.skipif(
    not (CORPUS / "fit" / "muktihari__big_activity.fit").is_file(), reason="corpus absent"
)
def test_big_activity_end_to_end_within_500_mb() -> None:
    """The 27.8-hour, 100k-record file through ``analyze --json`` in a subprocess: peak RSS
    (``ru_maxrss`` of that child, from os.wait4) under 500 MB. See bench/memory.py."""
    sys.path.insert(0, str(REPO_ROOT / "bench"))
    try:
        from memory import analyze_command, peak_rss
    finally:
        sys.path.remove(str(REPO_ROOT / "bench"))
    result = peak_rss(analyze_command(CORPUS / "fit" / "muktihari__big_activity.fit"))
    assert result["returncode"] == 0, result["stderr"]
    (session,) = strict_json(result["stdout"])["sessions"]
    assert session["n_samples"] > 99_000
    assert result["peak_rss_bytes"] < 500 * 2**20, f"{result['peak_rss_bytes'] / 2**20:.0f} MB"


# ---------------------------------------------------------------------------------------------
# Semantic garbage: structurally valid files with nonsense in them


def _activity(rows, *, elapsed_s: float, start: int = T0) -> bytes:
    """file_id, records (timestamp, heart rate, power) and a session of ``elapsed_s``."""
    w = FitWriter()
    w.define(0, 0, [(0, ENUM, 1), (1, UINT16, 2), (3, UINT32Z, 4), (4, UINT32, 4)])
    w.write(0, [4, 1, 1234, start])
    if rows:
        w.define(1, 20, [(253, UINT32, 4), (3, UINT8, 1), (7, UINT16, 2)])
        for row in rows:
            w.write(1, list(row))
    session = [(253, UINT32, 4), (2, UINT32, 4), (7, UINT32, 4), (8, UINT32, 4), (5, ENUM, 1)]
    w.define(2, 18, session)
    ms = int(elapsed_s * 1000)
    w.write(2, [start + int(elapsed_s), start, ms, ms, 2])
    return w.to_bytes()


def _hr(i: int) -> int:
    return 130 + (i * 7) % 40


def _power(i: int) -> int:
    return 150 + (i * 13) % 200


GARBAGE = {  # name -> (file, a warning it must have or None, checks on the session)
    "backwards": (
        _activity([(T0 + 1799 - i, _hr(i), _power(i)) for i in range(1800)], elapsed_s=1800),
        "timestamps go backwards", {"n_samples": 1800},
    ),
    "duplicates": (
        _activity([(T0 + i // 3, _hr(i), _power(i)) for i in range(5400)], elapsed_s=1800),
        "samples with a repeated timestamp were merged", {"n_samples": 1800},
    ),
    "multi_week": (
        _activity([(T0 + i * 3600, _hr(i), _power(i)) for i in range(24 * 21)],
                  elapsed_s=21 * 86400),
        "the records span 21.0 days", {"n_samples": 504},
    ),
    "heart_rate_all_invalid": (
        _activity([(T0 + i, None, _power(i)) for i in range(1800)], elapsed_s=1800),
        "heart rate field but not one valid value", {"avg_heart_rate_bpm": None},
    ),
    "zero_length": (
        _activity([(T0, 150, 200)], elapsed_s=0), "a session of 0 s", {"duration_s": 0.0},
    ),
    "zero_length_no_records": (
        _activity([], elapsed_s=0), "no records in this session", {"n_samples": 0},
    ),
    "power_65535": (  # 0xFFFF is uint16's invalid value: no power data, not 65 kW
        _activity([(T0 + i, _hr(i), 65535) for i in range(1800)], elapsed_s=1800),
        None, {"avg_power_w": None, "normalized_power_w": None},
    ),
    "power_stuck_65534": (
        _activity([(T0 + i, _hr(i), 65534) for i in range(1800)], elapsed_s=1800),
        "power is 65534 W in all 1,800 records (a stuck sensor?)", {"normalized_power_w": None},
    ),
    "all_zero": (
        _activity([(T0 + i, 0, 0) for i in range(1800)], elapsed_s=1800),
        "heart rate is 0 in all 1,800 records", {},
    ),
}


@pytest.fixture(scope="module")
def garbage_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("garbage")
    for name, (data, _, _) in GARBAGE.items():
        (folder / f"{name}.fit").write_bytes(data)
    return folder


THRESHOLDS = ["--lthr", "160", "--ftp", "250", "--cp", "250", "--w-prime", "20000",
              "--max-hr", "190"]


def test_semantic_garbage_gives_warnings_and_finite_json(garbage_folder: Path) -> None:
    result = runner.invoke(
        app, ["analyze", "--json", "--no-cache", "--jobs", "1", *THRESHOLDS, str(garbage_folder)]
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    document = strict_json(result.stdout)  # no NaN, no Infinity anywhere
    assert document["errors"] == []
    by_name = {Path(s["source"]).stem: s for s in document["sessions"]}
    assert set(by_name) == set(GARBAGE)
    for name, (_, warning, checks) in GARBAGE.items():
        session = by_name[name]
        if warning is not None:
            assert any(warning in w for w in session["warnings"]), (name, session["warnings"])
        for field, value in checks.items():
            assert session[field] == value, (name, field, session[field])
        for field in ("duration_s", "timer_s", "recorded_s"):
            assert session[field] is None or session[field] >= 0, (name, field)


def test_semantic_garbage_through_show_and_week(garbage_folder: Path) -> None:
    week = runner.invoke(app, ["week", "--json", "--no-cache", "--jobs", "1", str(garbage_folder)])
    assert week.exit_code == 0, week.stdout + week.stderr
    assert strict_json(week.stdout)["weeks"]
    for path in sorted(garbage_folder.iterdir()):
        show = runner.invoke(app, ["show", "--json", *THRESHOLDS, str(path)])
        assert show.exit_code == 0, (path.name, show.stdout + show.stderr)
        strict_json(show.stdout)


# ---------------------------------------------------------------------------------------------
# Never touch the user's data: nothing written outside the cache and config folders


def _snapshot(root: Path, skip: tuple[Path, ...]) -> dict[str, tuple]:
    """Every file and folder under ``root`` (except ``skip``): size, mtime and content."""
    found = {}
    for path in sorted(root.rglob("*")):
        if any(path == s or s in path.parents for s in skip):
            continue
        stat = path.lstat()
        content = path.read_bytes() if path.is_file() and not path.is_symlink() else None
        found[str(path.relative_to(root))] = (stat.st_mode, stat.st_size, stat.st_mtime_ns, content)
    return found


def test_commands_write_nothing_outside_cache_and_config(tmp_path: Path) -> None:
    inputs, cwd, home, tmp = (tmp_path / n for n in ("inputs", "cwd", "home", "tmp"))
    cache, config = tmp_path / "cache", tmp_path / "config"
    shutil.copytree(SAMPLE, inputs)
    for folder in (cwd, home, tmp):
        folder.mkdir()
    env = {
        **os.environ, "HOME": str(home), "TMPDIR": str(tmp), "LACTLOG_CACHE_DIR": str(cache),
        "LACTLOG_CONFIG": str(config / "profile.toml"), "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_CONFIG_HOME": str(home / ".config"), "XDG_DATA_HOME": str(home / ".local/share"),
        "XDG_STATE_HOME": str(home / ".local/state"), "PYTHONDONTWRITEBYTECODE": "1",
    }
    before = _snapshot(tmp_path, skip=(cache, config))
    fit = next(p for p in sorted(inputs.iterdir()) if p.suffix == ".fit")
    for args in (["analyze", "--json", str(inputs)], ["analyze", str(inputs)],
                 ["week", "--json", str(inputs)], ["show", "--json", str(fit)]):
        result = lactlog(*args, env=env, cwd=cwd)
        assert result.returncode == 0, (args, result.stderr)
    assert _snapshot(tmp_path, skip=(cache, config)) == before
    assert (cache / "results.sqlite").is_file()  # the cache was used, in its own folder


# ---------------------------------------------------------------------------------------------
# Ctrl-C and kill -9 in the middle of a batch


def _batch_folder(folder: Path, n: int = 200, seconds: int = 7200) -> Path:
    """``n`` distinct FIT files (own serial number and creation time in file_id), each with
    ``seconds`` 1-Hz records of heart rate and power and a session."""
    body = FitWriter()
    body.define(1, 20, [(253, UINT32, 4), (3, UINT8, 1), (7, UINT16, 2)])
    for i in range(seconds):
        body.write(1, [T0 + i, _hr(i // 20), _power(i // 30)])
    records = body.to_bytes()[14:-2]
    folder.mkdir()
    for k in range(n):
        w = FitWriter()
        w.define(0, 0, [(0, ENUM, 1), (1, UINT16, 2), (3, UINT32Z, 4), (4, UINT32, 4)])
        w.write(0, [4, 1, 1000 + k, T0 - 60 - k])
        w.write_bytes(records)
        w.define(2, 18, [(253, UINT32, 4), (2, UINT32, 4), (7, UINT32, 4), (5, ENUM, 1)])
        w.write(2, [T0 + seconds, T0, seconds * 1000, 2])
        (folder / f"ride-{k:03d}.fit").write_bytes(w.to_bytes())
    return folder


def _cached_rows(cache: Path) -> dict[tuple, int]:
    """(sha256, fingerprint, source) -> created_ns of the cache's result rows (empty when there
    is none). Each file has two: its best efforts (the history pass) and its summary."""
    path = cache / "results.sqlite"
    if not path.exists():
        return {}
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)) as db:
            rows = db.execute(
                "SELECT sha256, fingerprint, source, created_ns FROM results").fetchall()
    except sqlite3.OperationalError:  # being created right now
        return {}
    return {(sha, fingerprint, source): created_ns for sha, fingerprint, source, created_ns in rows}


def _terminal_signals() -> None:
    """In the child: SIGINT as in a terminal. A shell without job control starts background
    commands with SIGINT ignored, which exec keeps and Python then honours (it installs no
    KeyboardInterrupt handler); a suite started that way would otherwise see exit 0 here."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _interrupt_mid_batch(tmp_path: Path, signum: int) -> tuple[subprocess.Popen, str, str, dict]:
    """Start ``analyze --jobs 2`` on 200 files, signal its process group (as a terminal's
    Ctrl-C does) once at least one batch of results is cached, return what it left."""
    folder = _batch_folder(tmp_path / "rides")
    env = {**os.environ, "LACTLOG_CACHE_DIR": str(tmp_path / "cache"),
           "LACTLOG_CONFIG": str(tmp_path / "profile.toml")}
    process = subprocess.Popen(
        [sys.executable, "-m", "lactlog", "analyze", "--json", "--jobs", "2", str(folder)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        start_new_session=True, preexec_fn=_terminal_signals,  # noqa: PLW1509 - one signal() call
    )
    started = time.monotonic()
    while len(_cached_rows(tmp_path / "cache")) < 50:  # the first transaction: ~1 s in
        assert process.poll() is None, "the batch finished before the signal: make it longer"
        assert time.monotonic() - started < 60
        time.sleep(0.02)
    os.killpg(process.pid, signum)
    stdout, stderr = process.communicate(timeout=30)
    return process, stdout, stderr, env


def _second_run_uses_the_cache(tmp_path: Path, env: dict, cached_before: dict) -> None:
    result = lactlog("analyze", "--json", "--jobs", "2", str(tmp_path / "rides"), env=env)
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr.lower() and "Traceback" not in result.stderr
    assert len(strict_json(result.stdout)["sessions"]) == 200
    cached_after = _cached_rows(tmp_path / "cache")
    assert len(cached_after) == 2 * 200  # best efforts and summary of every file
    for key, created_ns in cached_before.items():  # finished files were not analysed again
        assert cached_after[key] == created_ns
    with closing(sqlite3.connect(tmp_path / "cache" / "results.sqlite")) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_ctrl_c_mid_batch_exits_130_and_the_next_run_uses_the_cache(tmp_path: Path) -> None:
    process, stdout, stderr, env = _interrupt_mid_batch(tmp_path, signal.SIGINT)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr and "Error" not in stderr, stderr
    assert len(stderr) < 200 and stdout == ""
    cached = _cached_rows(tmp_path / "cache")
    assert 50 <= len(cached) < 2 * 200  # interrupted: not every file has both rows
    _second_run_uses_the_cache(tmp_path, env, cached)
    assert stderr.strip() == "interrupted"


def test_kill_9_mid_batch_then_a_clean_second_run(tmp_path: Path) -> None:
    process, _stdout, _stderr, env = _interrupt_mid_batch(tmp_path, signal.SIGKILL)
    assert process.returncode == -signal.SIGKILL
    cached = _cached_rows(tmp_path / "cache")
    assert 50 <= len(cached) < 2 * 200  # interrupted: not every file has both rows
    _second_run_uses_the_cache(tmp_path, env, cached)
