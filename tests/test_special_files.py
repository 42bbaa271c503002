"""Special files never hang and are never hashed first (issue 14, class 7): a FIFO with or
without a writer, a symlink to /dev/zero, a sparse file over the size limit, a pipe passed as
/dev/fd/N (what ``analyze <(cat ride.fit)`` does), through the library, ``analyze`` and ``show``.

Every call that could hang runs with a timeout (a thread joined with a limit, or a subprocess
``timeout``), so a regression fails the test instead of stalling CI.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import lactlog.cache as cache_module
from conftest import REPO_ROOT
from lactlog.batch import analyse_paths
from lactlog.cache import NullCache, ResultCache
from lactlog.cli import app
from lactlog.errors import InputError, InputTooLargeError
from lactlog.io import read, special

RUN = REPO_ROOT / "sample_data" / "2026-11-16-hiit-run.fit"
fifos = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs (POSIX)")


def within(seconds: float, work: Callable[[], Any]) -> Any:
    """``work()``, failing the test (not hanging it) when it takes longer than ``seconds``."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"hung for more than {seconds} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def feed(path: Path, data: bytes, delay_s: float = 0.2) -> threading.Thread:
    """A writer that opens the FIFO ``path`` after ``delay_s``, writes ``data`` and closes it."""

    def write() -> None:
        time.sleep(delay_s)
        try:
            with open(path, "wb") as handle:
                handle.write(data)
        except BrokenPipeError:
            pass  # the reader stopped early (over the size limit)

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return thread


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "ride.fit"
    os.mkfifo(path)
    return path


@pytest.fixture
def quick_pipes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(special, "PIPE_WAIT_S", 0.5)


def no_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(path):
        raise AssertionError(f"{path} must not be hashed")

    monkeypatch.setattr(cache_module, "file_sha256", refuse)


# --- FIFOs ------------------------------------------------------------------------------------


@fifos
def test_fifo_without_writer_is_refused_not_waited_for(fifo: Path, quick_pipes) -> None:
    with pytest.raises(InputError, match="nothing was written to it for 0.5 s"):
        within(10, lambda: read(fifo))
    result = within(10, lambda: analyse_paths([fifo], cache=ResultCache.open()))
    assert not result.sessions and "nothing was written" in result.errors[0].error


@fifos
def test_fifo_with_a_writer_is_read_once_by_both_passes(fifo: Path, tmp_path: Path) -> None:
    expected = analyse_paths([RUN]).sessions
    writer = feed(fifo, RUN.read_bytes())
    with ResultCache.open(tmp_path / "cache.sqlite") as cache:
        result = within(60, lambda: analyse_paths([fifo], cache=cache, jobs=1))
        assert cache.info()["entries"] == 0  # pipes are not cached
    writer.join(5)
    assert not result.errors, result.errors
    assert [(s.sha256, s.timer_s) for s in result.sessions] == \
        [(s.sha256, s.timer_s) for s in expected]  # the hash of what was read
    assert result.sessions[0].source == str(fifo)


@fifos
def test_fifo_through_analyze_and_show(fifo: Path, quick_pipes) -> None:
    runner = CliRunner()
    for command in (["analyze", "--json"], ["show", "--json"], ["analyze", "--no-cache"]):
        lonely = within(30, lambda c=command: runner.invoke(app, [*c, str(fifo)]))
        assert lonely.exit_code == 1 and "nothing was written" in lonely.stderr, lonely.output
        feed(fifo, RUN.read_bytes())
        fed = within(60, lambda c=command: runner.invoke(app, [*c, str(fifo)]))
        assert fed.exit_code == 0, fed.output
    assert json.loads(runner.invoke(app, ["analyze", "--json", str(RUN)]).stdout)["sessions"]


@fifos
def test_a_pipe_over_the_size_limit_is_refused(fifo: Path) -> None:
    feed(fifo, bytes(3 * 2**20))
    with pytest.raises(InputTooLargeError, match="came through the pipe"):
        within(30, lambda: read(fifo, max_file_bytes=2**20))


# --- devices, sparse files, process substitution ----------------------------------------------


def test_symlink_to_dev_zero_is_refused_unread(tmp_path: Path, monkeypatch) -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    link = tmp_path / "ride.fit"
    link.symlink_to("/dev/zero")
    with pytest.raises(InputError, match="character device"):
        within(10, lambda: read(link))
    no_hashing(monkeypatch)
    for cache in (ResultCache.open(tmp_path / "cache.sqlite"), NullCache()):
        result = within(30, lambda c=cache: analyse_paths([link], cache=c))
        assert "character device" in result.errors[0].error
    shown = within(30, lambda: CliRunner().invoke(app, ["show", str(link)]))
    assert shown.exit_code == 1 and "character device" in shown.stderr
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "zero.fit").symlink_to("/dev/zero")
    assert within(30, lambda: analyse_paths([tmp_path / "folder"])).errors == []  # not an input


def test_sparse_file_over_the_limit_is_refused_before_hashing(tmp_path: Path, monkeypatch) -> None:
    from lactlog.analysis.options import AnalysisOptions
    from lactlog.settings import Settings

    sparse = tmp_path / "huge.fit"
    with open(sparse, "wb") as handle:
        handle.write(RUN.read_bytes()[:100])
    os.truncate(sparse, 2 * 2**30)  # 2 GB, almost all holes
    no_hashing(monkeypatch)
    started = time.perf_counter()
    for options in (AnalysisOptions(), AnalysisOptions(settings=Settings(max_file_mb=1))):
        with ResultCache.open(tmp_path / "cache.sqlite") as cache:
            result = within(30, lambda c=cache, o=options: analyse_paths([sparse], cache=c, options=o))
        assert "too large" in result.errors[0].error
    assert time.perf_counter() - started < 10  # hashing 2 GB took 20 s


def test_key_for_a_special_or_oversized_file_is_none(tmp_path: Path, monkeypatch) -> None:
    no_hashing(monkeypatch)
    big = tmp_path / "big.fit"
    big.write_bytes(bytes(3000))
    with ResultCache.open(tmp_path / "cache.sqlite") as cache:
        assert cache.key_for(big, "f", max_file_bytes=2000) is None
        if Path("/dev/zero").exists():
            assert cache.key_for(Path("/dev/zero"), "f") is None


@pytest.mark.skipif(not Path("/dev/fd").is_dir(), reason="needs /dev/fd")
def test_process_substitution_reads_the_pipe(tmp_path: Path) -> None:
    """What ``lactlog analyze <(cat ride.fit)`` does: /dev/fd/N of a pipe, in a subprocess."""
    env = {**os.environ, "LACTLOG_CACHE_DIR": str(tmp_path / "cache")}
    for command in (["analyze", "--json"], ["show", "--json"]):
        read_end, write_end = os.pipe()
        child = subprocess.Popen(
            [sys.executable, "-m", "lactlog", *command, f"/dev/fd/{read_end}"],
            pass_fds=(read_end,), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=env,
        )
        os.close(read_end)
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(RUN.read_bytes())
        stdout, stderr = child.communicate(timeout=120)
        assert child.returncode == 0, stderr
        assert "empty" not in stderr
        document = json.loads(stdout)
        sessions = document.get("sessions") or [document["session"]]
        assert sessions[0]["source"] == f"/dev/fd/{read_end}"
