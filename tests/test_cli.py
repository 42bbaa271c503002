"""The command line, end to end with Typer's CliRunner: exit codes, stdout/stderr, JSON."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lactlog.cli import app

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
runner = CliRunner()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_analyze_sample_data_table() -> None:
    result = runner.invoke(app, ["analyze", str(SAMPLE)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.stderr
    assert "Sessions" in result.stdout
    for name in ("2026-11-16-hiit-run.fit", "2026-11-19-easy-ride.fit.gz", "tempo-run.tcx"):
        assert name in result.stdout


def test_analyze_json_document() -> None:
    before = {p: _sha(p) for p in SAMPLE.iterdir()}
    result = runner.invoke(app, ["analyze", str(SAMPLE), "--json"])
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["schema_version"] == "1.0"
    assert document["errors"] == []
    sessions = document["sessions"]
    # 4 FIT files, 1 TCX, 2 workouts in the Strong CSV; the watch strength session and the
    # app's first workout are the same training, merged into one
    assert len(sessions) == 6
    assert document["merged"] == [
        {"watch": str(SAMPLE / "2026-11-20-strength.fit"),
         "app": str(SAMPLE / "2026-11-21-strong.csv") + " #1"}
    ]
    merged = next(s for s in sessions if s["product"] == "fr965 + Strong")
    assert merged["strength"]["n_sets"] == 16
    assert all(row["recorded_by"] == "watch+app" for row in merged["strength"]["sets"])
    assert merged["stimulus"] == "moderate"
    assert merged["stimulus_reasons"][0] == "RPE missing: verdict from rest and reps only"
    starts = [s["start"] for s in sessions]
    assert starts == sorted(starts)
    for session in sessions:
        for key in ("source", "sport", "start", "duration_s", "timer_s"):
            assert key in session
    hiit = next(s for s in sessions if s["source"].endswith("hiit-run.fit"))
    assert hiit["sport"] == "running"
    assert hiit["start_local"].endswith("+01:00")
    assert hiit["timer_s"] == pytest.approx(3000, abs=1)
    assert hiit["duration_s"] == pytest.approx(3040, abs=1)
    assert "NaN" not in result.stdout
    assert before == {p: _sha(p) for p in SAMPLE.iterdir()}  # inputs untouched


def test_no_merge_keeps_watch_and_app_apart() -> None:
    result = runner.invoke(app, ["analyze", str(SAMPLE), "--json", "--no-merge"])
    document = json.loads(result.stdout)
    assert len(document["sessions"]) == 7 and document["merged"] == []


def test_bad_file_is_one_line_on_stderr_others_still_analysed(tmp_path: Path) -> None:
    bad = tmp_path / "broken.fit"
    bad.write_text("<?xml version='1.0'?><TrainingCenterDatabase><Activities/></TrainingCenterDatabase>")
    good = SAMPLE / "2026-11-18-threshold-ride.fit"
    result = runner.invoke(app, ["analyze", str(bad), str(good), "--json"])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert len(document["sessions"]) == 1
    message = "content is TCX, not FIT: no trackpoints with a time"
    assert document["errors"] == [{"source": str(bad), "error": message}]
    error_lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert error_lines == [f"error: {bad}: {message}"]
    assert "Traceback" not in result.stderr


def test_binary_garbage_named_fit(tmp_path: Path) -> None:
    bad = tmp_path / "garbage.fit"
    bad.write_bytes(bytes(range(256)) * 4)
    result = runner.invoke(app, ["analyze", str(bad)])
    assert result.exit_code == 1
    assert f"error: {bad}: not a FIT file (no '.FIT' signature)" in result.stderr


def test_missing_file_fails_with_exit_1(tmp_path: Path) -> None:
    result = runner.invoke(app, ["analyze", str(tmp_path / "nope.fit")])
    assert result.exit_code == 1
    assert "no such file" in result.stderr


def test_folder_without_supported_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    result = runner.invoke(app, ["analyze", str(tmp_path)])
    assert result.exit_code == 1
    assert "no supported files" in result.stderr


def test_usage_errors_exit_2() -> None:
    assert runner.invoke(app, ["analyze"]).exit_code == 2
    assert runner.invoke(app, ["analyze", "--bogus", str(SAMPLE)]).exit_code == 2
    assert runner.invoke(app, ["analyze", "--decoder", "nope", str(SAMPLE)]).exit_code == 2


def test_fitparse_decoder_gives_the_same_json() -> None:
    ours = json.loads(runner.invoke(app, ["analyze", str(SAMPLE), "--json"]).stdout)
    theirs = json.loads(
        runner.invoke(app, ["analyze", str(SAMPLE), "--json", "--decoder", "fitparse"]).stdout
    )
    assert ours == theirs


def test_no_color_output_has_no_escape_codes() -> None:
    result = runner.invoke(app, ["analyze", str(SAMPLE)], env={"NO_COLOR": "1", "TERM": "xterm"})
    assert "\x1b[" not in result.stdout


def _commands(typer_app) -> list[list[str]]:
    """Every command path, groups included: [], ["analyze"], ["config"], ["config", "set"] ..."""
    import typer.main

    def walk(command, prefix: list[str]) -> list[list[str]]:
        paths = [prefix]
        for name, sub in getattr(command, "commands", {}).items():
            paths.extend(walk(sub, prefix + [name]))
        return paths

    return walk(typer.main.get_command(typer_app), [])


@pytest.mark.parametrize("command", _commands(app), ids=lambda c: " ".join(c) or "lactlog")
def test_every_command_and_option_has_help(command: list[str]) -> None:
    import typer.main

    target = typer.main.get_command(app)
    for name in command:
        target = target.commands[name]
    assert target.help
    for parameter in target.params:
        assert getattr(parameter, "help", None), f"{command}: {parameter.name} has no help"
    result = runner.invoke(app, command + ["--help"])
    assert result.exit_code == 0
    assert "estimate" in runner.invoke(app, ["--help"]).stdout.lower()


@pytest.mark.parametrize(
    "args",
    [
        ["analyze", str(SAMPLE)],
        ["show", str(SAMPLE / "2026-11-16-hiit-run.fit")],
        ["week", str(SAMPLE)],
        ["thresholds", str(SAMPLE)],
    ],
    ids=lambda a: a[0],
)
def test_every_result_command_has_three_machine_formats(args: list[str]) -> None:
    document = json.loads(runner.invoke(app, args + ["--json"]).stdout)
    assert "schema_version" in document
    lines = runner.invoke(app, args + ["--ndjson"]).stdout.splitlines()
    assert lines and all(json.loads(line)["kind"] for line in lines)
    table = runner.invoke(app, args + ["--csv"]).stdout.splitlines()
    assert len(table) >= 2 and "," in table[0]
    assert runner.invoke(app, args + ["--json", "--csv"]).exit_code == 2
