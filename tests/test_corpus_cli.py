"""``lactlog analyze --json`` over every real file of the shared corpus, through the installed
command (``python -m lactlog`` in a subprocess, as a user runs it).

Every file of ../shared/corpus/{fit,fit-broken,csv,tcx-gpx} must give at least one session or
exactly one error with a one-line message; no traceback; the JSON must be valid (no NaN or
Infinity); the exit code is 1 exactly when some file failed. And no input is ever modified:
corpus and sample_data files are byte-identical (sha256) after ``analyze``, ``show`` and ``week``.

Then every command (analyze, show on every session, thresholds, week; table and --json) in
process with Typer's CliRunner over every corpus file, and over generated TCX/GPX/CSV files
without UTC offsets: exit code 0 or 1, never a traceback or an internal error, strict JSON, every
stderr error line names its file; and the one local-time rule under ``TZ=America/New_York``.

Runtime: the subprocess part about 15 s on an idle machine (one analyze over the corpus, the
other commands mostly from the cache); the in-process part about 70 s (measured: module 97 s
on a shared 2-core machine, 29 s of it the subprocess setup; show makes ~300 invocations).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import traceback
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from conftest import CORPUS, REPO_ROOT, corpus_params
from lactlog.cli import app
from lactlog.testing.exports import interval_run, write_csv, write_gpx
from lactlog.testing.fitactivity import LapSpec, write_activity
from lactlog.testing.tcxwriter import write_tcx

FOLDERS = ("fit", "fit-broken", "csv", "tcx-gpx")
SAMPLE = REPO_ROOT / "sample_data"


def _strict_json(text: str):
    def reject(constant: str):
        raise ValueError(f"{constant} in JSON output")

    return json.loads(text, parse_constant=reject)


def _hashes(paths: list[Path]) -> dict[Path, str]:
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def _inputs() -> list[Path]:
    corpus = [p for f in FOLDERS if (CORPUS / f).is_dir() for p in sorted((CORPUS / f).iterdir())]
    return [p for p in corpus + sorted(SAMPLE.iterdir()) if p.is_file()]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The commands' results, with the inputs' hashes before and after them all."""
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus absent")
    base = tmp_path_factory.mktemp("corpus-cli")
    env = {**os.environ, "LACTLOG_CACHE_DIR": str(base / "cache"),
           "LACTLOG_CONFIG": str(base / "profile.toml")}
    before = _hashes(_inputs())

    def lactlog(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "lactlog", *args], capture_output=True,
                              text=True, env=env, timeout=300, check=False)

    folders = [str(CORPUS / f) for f in FOLDERS if (CORPUS / f).is_dir()]
    corpus_fit = min((CORPUS / "fit").glob("*.fit"))
    sample_fit = min(SAMPLE.glob("*.fit"))
    results = {
        "analyze": lactlog("analyze", "--json", *folders),
        "week": lactlog("week", "--json", *folders),
        "show": lactlog("show", "--json", str(corpus_fit)),
        "sample analyze": lactlog("analyze", "--json", str(SAMPLE)),
        "sample week": lactlog("week", "--json", str(SAMPLE)),
        "sample show": lactlog("show", "--json", str(sample_fit)),
    }
    return {"results": results, "before": before, "after": _hashes(_inputs()), "env": env}


@pytest.fixture(scope="module")
def analyzed(runs: dict) -> dict:
    """The analyze --json document, and per file: its sessions and its errors."""
    result = runs["results"]["analyze"]
    document = _strict_json(result.stdout)
    sessions = Counter(Path(s["source"]) for s in document["sessions"])
    errors: dict[Path, list[str]] = {}
    for error in document["errors"]:
        errors.setdefault(Path(error["source"]), []).append(error["error"])
    return {"result": result, "document": document, "sessions": sessions, "errors": errors}


def test_analyze_over_the_corpus_has_no_traceback_and_valid_json(analyzed: dict) -> None:
    result, document = analyzed["result"], analyzed["document"]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert document["schema_version"]
    assert result.returncode == (1 if document["errors"] else 0), result.stderr[-3000:]
    for error in document["errors"]:  # an internal error is a crash, caught and reported
        assert "internal error" not in error["error"], error


def test_every_corpus_file_was_considered(analyzed: dict) -> None:
    seen = set(analyzed["sessions"]) | set(analyzed["errors"])
    files = {p for f in FOLDERS for p in (CORPUS / f).iterdir() if p.is_file()}
    assert files <= seen, sorted(p.name for p in files - seen)


@pytest.mark.parametrize("path", [p for f in FOLDERS for p in corpus_params(f)])
def test_each_file_gives_sessions_or_one_error(analyzed: dict, path: Path) -> None:
    sessions, errors = analyzed["sessions"][path], analyzed["errors"].get(path, [])
    if sessions:
        assert not errors, errors
        return
    assert len(errors) == 1, f"{sessions} sessions, errors {errors}"
    message = errors[0]
    assert message.strip() and "\n" not in message, repr(message)


OTHER_COMMANDS = ["week", "show", "sample analyze", "sample week", "sample show"]


@pytest.mark.parametrize("command", OTHER_COMMANDS)
def test_other_commands_valid_json_no_traceback(runs: dict, command: str) -> None:
    result = runs["results"][command]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    document = _strict_json(result.stdout)
    expected = 1 if document.get("errors") else 0
    assert result.returncode == expected, result.stderr[-3000:]


def test_no_input_file_was_modified(runs: dict) -> None:
    """analyze, show and week read the corpus and sample_data; every file is byte-identical."""
    before, after = runs["before"], runs["after"]
    assert before.keys() == after.keys()
    changed = [p.name for p in before if before[p] != after[p]]
    assert not changed
    assert any(p.parent == SAMPLE for p in before)


# --- every command over every corpus file, in process (Typer's CliRunner) ------------------------
#
# analyze, week and thresholds run once over all corpus folders (as table and --json): a batch
# command's per-file handling is what is tested, and one run sees every file. show runs on every
# session of every file, table and --json (a file with more than SHOW_SESSIONS_PER_FILE sessions,
# i.e. a lifting-app log of hundreds of workouts all read by one code path, on that many of them
# spread from the first to the last). The result cache is shared by the module's runs.

SHOW_SESSIONS_PER_FILE = 7
runner = CliRunner()


@pytest.fixture(scope="module")
def cli_env(runs: dict) -> dict[str, str]:
    """The subprocess runs' cache (already filled by their analyze) and empty profile."""
    return {"LACTLOG_CACHE_DIR": runs["env"]["LACTLOG_CACHE_DIR"],
            "LACTLOG_CONFIG": runs["env"]["LACTLOG_CONFIG"], "COLUMNS": "80"}


def _check_run(result: Result, args: list[str], files: list[Path]) -> None:
    """Exit 0 or 1, no crash, every error line on stderr names one of ``files``; strict JSON
    on stdout (``show`` of an unreadable file prints none: it has only its error line)."""
    command = " ".join(args)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        detail = "".join(traceback.format_exception(result.exception))
        pytest.fail(f"lactlog {command} raised:\n{detail[-3000:]}")
    assert result.exit_code in (0, 1), f"{command}: exit {result.exit_code}\n{result.stderr[-2000:]}"
    for stream in (result.stdout, result.stderr):
        assert "Traceback" not in stream and "internal error" not in stream, stream[-3000:]
    names = {str(f) for f in files}
    for line in result.stderr.splitlines():
        if line.startswith("error:"):
            assert any(name in line for name in names), f"{command}: {line!r} names no input file"
    if "--json" in args and (result.exit_code == 0 or args[0] != "show"):
        _strict_json(result.stdout)
    elif "--json" in args:
        assert not result.stdout.strip(), result.stdout[:500]


def _corpus_files() -> list[Path]:
    return [p for f in FOLDERS if (CORPUS / f).is_dir() for p in sorted((CORPUS / f).iterdir())
            if p.is_file()]


@pytest.mark.parametrize("json_flag", [[], ["--json"]], ids=["table", "json"])
@pytest.mark.parametrize("command", ["analyze", "week", "thresholds"])
def test_batch_commands_over_the_corpus(cli_env: dict[str, str], command: str,
                                        json_flag: list[str]) -> None:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus absent")
    folders = [str(CORPUS / f) for f in FOLDERS if (CORPUS / f).is_dir()]
    args = [command, *json_flag, *folders]
    result = runner.invoke(app, args, env=cli_env)
    _check_run(result, args, _corpus_files())
    if json_flag and command == "analyze":
        document = _strict_json(result.stdout)
        assert result.exit_code == (1 if document["errors"] else 0)


def _sessions_to_show(count: int) -> list[int]:
    """Session numbers (1-based) show runs on: all, or SHOW_SESSIONS_PER_FILE spread evenly."""
    if count <= SHOW_SESSIONS_PER_FILE:
        return list(range(1, count + 1))
    return sorted({round(1 + i * (count - 1) / (SHOW_SESSIONS_PER_FILE - 1))
                   for i in range(SHOW_SESSIONS_PER_FILE)})


@pytest.mark.parametrize("path", [p for f in FOLDERS for p in corpus_params(f)])
def test_show_every_session(cli_env: dict[str, str], analyzed: dict, path: Path) -> None:
    count = analyzed["sessions"][path]
    for number in _sessions_to_show(max(count, 1)):  # an unreadable file: its one error line
        for json_flag in ([], ["--json"]):
            args = ["show", str(path), "--session", str(number), *json_flag]
            result = runner.invoke(app, args, env=cli_env)
            _check_run(result, args, [path])
            assert result.exit_code == (0 if count else 1), result.stderr[-2000:]


# --- generated TCX, GPX and CSV without UTC offsets ---------------------------------------------

#: A run starting 2026-11-16 07:00 UTC = 08:00 in Berlin (CET, UTC+1).
GENERATED_START = datetime(2026, 11, 16, 7, 0, tzinfo=UTC)
BERLIN_S = 3600


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One interval run as FIT (with its offset), TCX and GPX (UTC, no offset) and CSV (wall
    clock), and a lifting-app log; the exports of one activity."""
    folder = tmp_path_factory.mktemp("generated")
    track = interval_run(GENERATED_START)
    lap = LapSpec(GENERATED_START, track.index[-1].to_pydatetime() + timedelta(seconds=1))
    (folder / "run.fit").write_bytes(write_activity(track, utc_offset_s=BERLIN_S))
    (folder / "run.tcx").write_text(write_tcx(track, [lap]), encoding="utf-8")
    (folder / "run.gpx").write_text(write_gpx(track), encoding="utf-8")
    (folder / "run.csv").write_text(write_csv(track, BERLIN_S), encoding="utf-8")
    (folder / "strong.csv").write_bytes((SAMPLE / "2026-11-21-strong.csv").read_bytes())
    return folder


@pytest.mark.parametrize("json_flag", [[], ["--json"]], ids=["table", "json"])
@pytest.mark.parametrize("command", ["analyze", "week", "thresholds", "show"])
def test_every_command_over_generated_files_without_offsets(
    generated: Path, tmp_path: Path, command: str, json_flag: list[str]
) -> None:
    env = {"LACTLOG_CACHE_DIR": str(tmp_path / "cache"), "COLUMNS": "80"}
    files = sorted(generated.iterdir())
    runs = ([["show", str(f), "--lthr", "170", *json_flag] for f in files] if command == "show"
            else [[command, *json_flag, *(["--lthr", "170"] if command == "analyze" else []),
                   str(generated)]])
    for args in runs:
        result = runner.invoke(app, args, env=env)
        _check_run(result, args, files)
        assert result.exit_code == 0, result.stderr
        if command == "show" and "--json" in args and args[1].endswith("run.gpx"):
            session = _strict_json(result.stdout)["session"]
            assert session["stimulus"] == "high" and len(session["intervals"]) == 5


def test_week_counts_one_activity_exported_in_three_formats_once(generated: Path,
                                                                 tmp_path: Path) -> None:
    """FIT, TCX and GPX of one run are one session; the CSV (wall clock 08:00) joins them when
    the profile's zone says 08:00 is 07:00 UTC; the lifting log is another training."""
    profile = tmp_path / "profile.toml"
    env = {"LACTLOG_CACHE_DIR": str(tmp_path / "cache"), "LACTLOG_CONFIG": str(profile)}
    folder = tmp_path / "exports"
    folder.mkdir()
    for name in ("run.fit", "run.tcx", "run.gpx", "run.csv"):
        (folder / name).write_bytes((generated / name).read_bytes())
    document = _strict_json(runner.invoke(app, ["week", "--json", str(folder)], env=env).stdout)
    duplicates = {(Path(d["kept"]).name, Path(d["duplicate"]).name) for d in document["duplicates"]}
    assert duplicates == {("run.fit", "run.tcx"), ("run.fit", "run.gpx")}  # UTC machine: CSV 08:00 Z
    assert sum(w["sessions"] for w in document["weeks"]) == 2
    profile.write_text('timezone = "Europe/Berlin"\n', encoding="utf-8")
    document = _strict_json(runner.invoke(app, ["week", "--json", str(folder)], env=env).stdout)
    assert {Path(d["duplicate"]).name for d in document["duplicates"]} == {
        "run.tcx", "run.gpx", "run.csv"}
    assert sum(w["sessions"] for w in document["weeks"]) == 1


# --- one local time: profile zone, else the file's offset, else the machine's -------------------


def _analyze_start_local(paths: list[Path], env: dict[str, str]) -> dict[tuple[str, int], str]:
    """``analyze --json`` in a subprocess (so ``TZ`` applies): (file name, session) -> start."""
    result = subprocess.run([sys.executable, "-m", "lactlog", "analyze", "--json", "--no-cache",
                             *map(str, paths)], capture_output=True, text=True, env=env,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return {(Path(s["source"]).name, s["session_index"]): s["start_local"]
            for s in _strict_json(result.stdout)["sessions"]}


def test_start_local_follows_the_profile_zone_under_another_machine_zone(
    generated: Path, tmp_path: Path
) -> None:
    """TZ=America/New_York, profile Europe/Berlin: a Strong workout logged at 18:05 (wall
    clock) is 18:05+01:00, a GPX run at 07:00Z is 08:00+01:00; without the profile zone the
    GPX run is New York time (02:00−05:00), the Strong workout keeps its wall time and the FIT
    file its own offset."""
    profile = tmp_path / "profile.toml"
    profile.write_text('timezone = "Europe/Berlin"\n', encoding="utf-8")
    env = {**os.environ, "TZ": "America/New_York", "LACTLOG_CONFIG": str(profile)}
    files = [generated / "strong.csv", generated / "run.gpx", generated / "run.fit"]
    starts = _analyze_start_local(files, env)
    assert starts[("strong.csv", 0)] == "2026-11-20T18:05:00+01:00"
    assert starts[("run.gpx", 0)] == "2026-11-16T08:00:00+01:00"
    assert starts[("run.fit", 0)] == "2026-11-16T08:00:00+01:00"
    profile.write_text("", encoding="utf-8")
    starts = _analyze_start_local(files, env)
    assert starts[("strong.csv", 0)] == "2026-11-20T18:05:00-05:00"
    assert starts[("run.gpx", 0)] == "2026-11-16T02:00:00-05:00"
    assert starts[("run.fit", 0)] == "2026-11-16T08:00:00+01:00"
