"""The batch record (lactlog.cache ``batches``): a warm batch with unchanged inputs takes its
second-pass keys from one row instead of the first pass and the history, and gives exactly
what a run without the cache gives, before and after a file is added, removed or changed;
a record never points at a row that is not there, and a bad one is a miss."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lactlog import batch
from lactlog import cache as cache_module
from lactlog.analysis import history as history_module
from lactlog.batch import analyse_paths
from lactlog.cache import ResultCache
from lactlog.cli import app
from test_batch_history import ride, workout

#: Short rides (20 min of effort): enough for history thresholds, quick to analyse.
EFFORTS = (280.0, 265.0, 250.0)


def rides(folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    for i, effort in enumerate(EFFORTS):
        ride(folder, f"ride{i}.fit", day=7 * i, segments=workout(effort), seed=i)
    (folder / "broken.fit").write_bytes(b"\x0e\x10not a fit file at all")  # a first-pass error
    return folder


def records(db_path: Path) -> int:
    with sqlite3.connect(db_path) as db:
        return db.execute("SELECT count(*) FROM batches").fetchone()[0]


class History:
    """Counts the batch's calls of history_by_session (none when the record serves the run)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        real = history_module.history_by_session

        def counted(*args, **kwargs):
            self.calls += 1
            return real(*args, **kwargs)

        # the batch imports it from there when its two passes run
        monkeypatch.setattr(history_module, "history_by_session", counted)


def _outcome(result) -> tuple:
    return (result.sessions, result.errors, result.warnings, result.merged)


def test_a_warm_batch_is_served_by_its_record(tmp_path: Path, monkeypatch) -> None:
    folder = rides(tmp_path / "in")
    db_path = tmp_path / "cache.sqlite"
    history = History(monkeypatch)
    uncached = analyse_paths([folder], jobs=1)
    with ResultCache.open(db_path) as cache:
        cold = analyse_paths([folder], cache=cache, jobs=1)
        assert history.calls == 2 and records(db_path) == 1
        calls: list[Path] = []
        warm = analyse_paths([folder], cache=cache, jobs=1, on_file=calls.append)
    assert history.calls == 2  # the record: neither the first pass nor the history
    assert _outcome(warm) == _outcome(cold) == _outcome(uncached)
    assert [e.source for e in warm.errors] == [str(folder / "broken.fit")]
    assert warm.cache_hits == len(EFFORTS)  # as the two passes count: the second pass's hits
    assert sorted(calls) == sorted(2 * batch.find_inputs([folder]))  # two calls per file


def _week(arguments: list[str]) -> str:
    done = CliRunner().invoke(app, ["week", "--json", *arguments])
    assert done.exit_code == 1, done.stderr  # broken.fit
    return done.stdout


@pytest.mark.parametrize("change", ["add", "remove", "modify", "modify-broken", "options"])
def test_a_changed_batch_gives_what_a_run_without_the_cache_gives(
    tmp_path: Path, monkeypatch, change: str
) -> None:
    """week --json, byte for byte: warm, after the change (two passes), and warm again (the
    new record) all equal --no-cache of the same inputs."""
    monkeypatch.setenv("LACTLOG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("LACTLOG_CONFIG", str(tmp_path / "none.toml"))
    folder = rides(tmp_path / "in")
    history = History(monkeypatch)
    options = ["--weeks", "52"]
    before = _week([str(folder), *options, "--no-cache"])
    assert _week([str(folder), *options]) == before  # fills the cache
    calls = history.calls
    assert _week([str(folder), *options]) == before and history.calls == calls  # the record
    if change == "add":  # a harder, earlier ride: every later session's history changes
        ride(folder, "earlier.fit", day=-3, segments=workout(310.0), seed=9)
    elif change == "remove":
        (folder / "ride0.fit").unlink()
    elif change == "modify":  # the same name, other content
        ride(folder, "ride1.fit", day=8, segments=workout(300.0), seed=7)
    elif change == "modify-broken":  # the failing file becomes readable
        ride(folder, "broken.fit", day=1, segments=workout(200.0), seed=8)
        (folder / "also-broken.fit").write_bytes(b"garbage")  # keeps the exit code 1
    else:
        options = ["--weeks", "8"]
        monkeypatch.setenv("LACTLOG_CONFIG", str(_profile(tmp_path)))
    after = _week([str(folder), *options, "--no-cache"])
    assert after != before
    calls = history.calls
    assert _week([str(folder), *options]) == after and history.calls == calls + 1  # two passes
    assert _week([str(folder), *options]) == after and history.calls == calls + 1  # the record


def _profile(tmp_path: Path) -> Path:
    """A profile with an FTP of its own (the rides carry none): other thresholds."""
    profile = tmp_path / "profile.toml"
    done = CliRunner().invoke(app, ["config", "set", "bike.ftp_w", "200", "--config", str(profile)])
    assert done.exit_code == 0, done.stderr
    return profile


def test_a_record_naming_a_missing_row_is_a_miss(tmp_path: Path, monkeypatch) -> None:
    folder = rides(tmp_path / "in")
    db_path = tmp_path / "cache.sqlite"
    history = History(monkeypatch)
    with ResultCache.open(db_path) as cache:
        cold = analyse_paths([folder], cache=cache, jobs=1)
    with sqlite3.connect(db_path) as db:  # one file's summaries go (and with them its row)
        db.execute("DELETE FROM results WHERE source LIKE '%ride1.fit' "
                   "AND CAST(sessions AS TEXT) LIKE '%\"type\":\"SessionSummary\"%'")
    with ResultCache.open(db_path) as cache:
        again = analyse_paths([folder], cache=cache, jobs=1)
        assert _outcome(again) == _outcome(cold) and history.calls == 2
        assert again.cache_hits == len(EFFORTS) - 1
        analyse_paths([folder], cache=cache, jobs=1)
    assert history.calls == 2  # the row was stored again, and the record serves once more


@pytest.mark.parametrize("outcomes", ["not json", "[]", '["x", 1, null, null]', "{}",
                                      '["", "", "", ""]'])
def test_a_damaged_record_is_a_miss(tmp_path: Path, outcomes: str) -> None:
    folder = rides(tmp_path / "in")
    db_path = tmp_path / "cache.sqlite"
    with ResultCache.open(db_path) as cache:
        cold = analyse_paths([folder], cache=cache, jobs=1)
    with sqlite3.connect(db_path) as db:
        db.execute("UPDATE batches SET outcomes = ?", (outcomes,))
    with ResultCache.open(db_path) as cache:
        assert _outcome(analyse_paths([folder], cache=cache, jobs=1)) == _outcome(cold)


def test_a_record_pointing_a_read_file_at_its_first_pass_row_is_a_miss(tmp_path: Path) -> None:
    """null means "failed in the first pass": for a file that did not, its first-pass row holds
    best efforts, not an error, and the record is not used."""
    folder = rides(tmp_path / "in")
    db_path = tmp_path / "cache.sqlite"
    with ResultCache.open(db_path) as cache:
        cold = analyse_paths([folder], cache=cache, jobs=1)
    with sqlite3.connect(db_path) as db:
        db.execute("UPDATE batches SET outcomes = '[null, null, null, null]'")
    with ResultCache.open(db_path) as cache:
        assert _outcome(analyse_paths([folder], cache=cache, jobs=1)) == _outcome(cold)


def test_an_interrupted_batch_leaves_no_record(tmp_path: Path, monkeypatch) -> None:
    folder = rides(tmp_path / "in")
    db_path = tmp_path / "cache.sqlite"
    real = batch.analyse_file
    done: list[Path] = []

    def interrupted(path, *args, **kwargs):
        if len(done) == 2:
            raise KeyboardInterrupt
        done.append(path)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(batch, "analyse_file", interrupted)
    with ResultCache.open(db_path) as cache, pytest.raises(KeyboardInterrupt):
        analyse_paths([folder], cache=cache, jobs=1)
    assert records(db_path) == 0
    monkeypatch.setattr(batch, "analyse_file", real)
    with ResultCache.open(db_path) as cache:
        assert _outcome(analyse_paths([folder], cache=cache, jobs=1)) == _outcome(
            analyse_paths([folder], jobs=1))
    assert records(db_path) == 1


def test_no_record_without_every_row(tmp_path: Path, monkeypatch) -> None:
    """A file whose outcome is not cached (an internal error; or a row the cache refused) means
    no record: put_batch checks that every row it names is there."""
    folder = rides(tmp_path / "in")
    db_path = tmp_path / "cache.sqlite"
    real = batch.analyse_file

    def failing(path, *args, **kwargs):
        if path.name == "ride1.fit":
            return batch._guard(lambda: 1 / 0)  # an internal error: not cacheable
        return real(path, *args, **kwargs)

    monkeypatch.setattr(batch, "analyse_file", failing)
    with ResultCache.open(db_path) as cache:
        analyse_paths([folder], cache=cache, jobs=1)
        assert records(db_path) == 0
        monkeypatch.setattr(batch, "analyse_file", real)
        keys = batch._first_pass_keys(batch.find_inputs([folder]), "lactlog",
                                      batch.AnalysisOptions(), cache, {})
        missing = [(replace(k, fingerprint=k.fingerprint + "-none"), False)
                   for k in keys.values()]
        assert not cache.put_batch("inputs", missing)
    assert records(db_path) == 0


def test_records_are_pruned_and_cleared(tmp_path: Path, monkeypatch) -> None:
    folder = rides(tmp_path / "in")
    monkeypatch.setattr(cache_module, "MAX_BATCHES", 2)
    db_path = tmp_path / "cache.sqlite"
    with ResultCache.open(db_path) as cache:
        files = sorted(folder.glob("ride*.fit"))
        for some in (files[:1], files[:2], files):
            analyse_paths(some, cache=cache, jobs=1)
        assert records(db_path) == 2
        assert cache.clear(stale_only=True) == 0 and records(db_path) == 2
        cache.clear()
    assert records(db_path) == 0
