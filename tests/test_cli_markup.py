"""Rich markup injection (issue 14, class 1): text from the user's files and paths is printed as
it is — never read as Rich markup or emoji codes — and never fails the command.

Before: a CSV whose header cell is ``[/x]``, or a path containing ``[/b]``, made
``analyze --json FOLDER`` exit 1 with nothing on stdout (``rich.errors.MarkupError`` while
printing the failed file's line), ``show`` of a Strong export with such an exercise name said
"internal error (MarkupError)", and a symlink to /etc/passwd named ``.csv`` had its first line
echoed (with ``:x:`` turned into an emoji). Runtime: about 30 s.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import REPO_ROOT
from lactlog.cli import app

SAMPLE = REPO_ROOT / "sample_data"
#: Markup and an emoji code: "[/x]" and "[/b]" close tags that were never opened (MarkupError),
#: "[bold]" would style the rest, ":x:" would become an emoji.
HOSTILE = "[/x][bold]:x:[/b]"
IN_NAME = "[x][bold]:x:"  # a file name cannot hold "/"
runner = CliRunner()


@pytest.fixture(scope="module")
def hostile_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder under ``.../in[/b]/`` with: a CSV whose header is ``[/x]``, a symlink to
    /etc/passwd named .csv, and three good files whose names, exercise names, notes, workout
    names and device name hold markup."""
    folder = tmp_path_factory.mktemp("hostile") / "in[" / "b]" / "data"
    folder.mkdir(parents=True)
    (folder / "bad.csv").write_text("timestamp,[/x]\n1,2\n", encoding="utf-8")
    (folder / "passwd.csv").symlink_to("/etc/passwd")
    (folder / f"run{IN_NAME}.fit").write_bytes((SAMPLE / "2026-11-16-hiit-run.fit").read_bytes())
    lines = (SAMPLE / "2026-11-21-strong.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    rows = []
    for line in lines[1:]:
        cells = line.split(",")
        cells[header.index("Exercise Name")] = f"Squat {HOSTILE}"
        cells[header.index("Workout Name")] = f"Evening {HOSTILE}"
        cells[header.index("Notes")] = f"note {HOSTILE}"
        cells[header.index("Workout Notes")] = f"workout {HOSTILE}"
        rows.append(",".join(cells))
    (folder / f"strong{IN_NAME}.csv").write_text("\n".join([lines[0], *rows]) + "\n",
                                                 encoding="utf-8")
    tcx = (SAMPLE / "2026-11-22-tempo-run.tcx").read_text(encoding="utf-8")
    tcx = re.sub(r"(<Creator[^>]*>\s*<Name>)[^<]*", lambda m: m.group(1) + HOSTILE, tcx)
    (folder / f"tempo{IN_NAME}.tcx").write_text(tcx, encoding="utf-8")
    return folder


def _clean(result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "MarkupError" not in result.stderr and "internal error" not in result.stderr
    assert "Traceback" not in result.stderr and "❌" not in result.stderr + result.stdout


@pytest.mark.parametrize("command", ["analyze", "week", "thresholds"])
@pytest.mark.parametrize("fmt", [[], ["--json"]], ids=["table", "json"])
def test_a_hostile_folder_is_analysed_and_its_errors_printed_as_they_are(
        hostile_folder: Path, command: str, fmt: list[str]) -> None:
    extra = [] if command == "thresholds" else ["--no-cache"]
    result = runner.invoke(app, [command, *extra, *fmt, str(hostile_folder)], env={"COLUMNS": "400"})
    _clean(result)
    assert result.exit_code == 1  # the two bad files; the three good ones are analysed
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        (f"error: {hostile_folder / 'bad.csv'}: no sample columns recognised; columns are: "
        "timestamp, [/x]"),
        (f"error: {hostile_folder / 'passwd.csv'}: no time column recognised; columns are: "
        "root:x:0:0:root…"),  # 16 characters of the first line at most, not the line
    ]
    if fmt:
        document = json.loads(result.stdout)
        if command == "analyze":
            names = sorted({Path(s["source"]).name for s in document["sessions"]})
            assert names == [f"run{IN_NAME}.fit", f"strong{IN_NAME}.csv", f"tempo{IN_NAME}.tcx"]
            assert len(document["errors"]) == 2
    elif command == "analyze":
        assert f"run{IN_NAME}.fit" in result.stdout and f"tempo{IN_NAME}.tcx" in result.stdout


@pytest.mark.parametrize("fmt", [[], ["--json"]], ids=["table", "json"])
def test_show_prints_hostile_names_as_they_are(hostile_folder: Path, fmt: list[str]) -> None:
    for name in (f"run{IN_NAME}.fit", f"strong{IN_NAME}.csv", f"tempo{IN_NAME}.tcx"):
        result = runner.invoke(app, ["show", *fmt, str(hostile_folder / name)],
                               env={"COLUMNS": "200"})
        _clean(result)
        assert result.exit_code == 0, result.stderr
        if fmt:
            json.loads(result.stdout)
        elif name.startswith("run"):
            assert name in result.stdout
        elif name.startswith("strong"):
            assert f"Squat {HOSTILE}" in result.stdout  # the sets table, literally
    for name, problem in (("bad.csv", "timestamp, [/x]"), ("passwd.csv", "root:x:0:0:root…")):
        result = runner.invoke(app, ["show", *fmt, str(hostile_folder / name)])
        _clean(result)
        assert result.exit_code == 1
        (line,) = result.stderr.strip().splitlines()
        assert line.startswith(f"error: {hostile_folder / name}:") and line.endswith(problem)


def test_hostile_profile_sources_and_a_missing_config_path(tmp_path: Path,
                                                           hostile_folder: Path) -> None:
    (tmp_path / "p[").mkdir()
    profile = tmp_path / "p[" / "b].toml"  # a path holding "[/b]"
    profile.write_text('[thresholds.run."2026-01-01"]\nlthr_bpm = 170\n'
                       f'source = {{ lthr_bpm = "test {HOSTILE}" }}\n', encoding="utf-8")
    shown = runner.invoke(app, ["config", "show", "--config", str(profile)],
                          env={"COLUMNS": "200"})
    _clean(shown)
    assert shown.exit_code == 0 and f"test {HOSTILE}" in shown.stdout
    run = hostile_folder / f"run{IN_NAME}.fit"
    result = runner.invoke(app, ["show", "--config", str(profile), str(run)],
                           env={"COLUMNS": "200"})
    _clean(result)
    assert result.exit_code == 0 and f"test {HOSTILE}" in " ".join(result.stdout.split())
    missing = tmp_path / "[/x]missing.toml"
    result = runner.invoke(app, ["analyze", "--config", str(missing), str(run)])
    _clean(result)
    assert result.exit_code == 2 and f"--config {missing}: no such profile file" in result.stderr


def test_lactate_test_sheet_with_hostile_header(tmp_path: Path) -> None:
    sheet = tmp_path / f"sheet{IN_NAME}.csv"
    sheet.write_text("step,[/x]\n1,2\n", encoding="utf-8")
    result = runner.invoke(app, ["lactate-test", str(sheet)])
    _clean(result)
    assert result.exit_code == 1 and "(header: step, [/x])" in result.stderr


def test_report_over_a_hostile_folder(hostile_folder: Path, tmp_path: Path) -> None:
    """``lactlog report``: the same error lines, the 'wrote' line and duplicates printed as
    they are; the HTML is written (it escapes its own text, tests/report/test_html.py)."""
    (tmp_path / "out[").mkdir()
    (tmp_path / "out[" / "b]").mkdir()
    output = tmp_path / "out[" / "b]" / f"season{IN_NAME}.html"
    result = runner.invoke(app, ["report", "--no-cache", str(hostile_folder), "-o", str(output)],
                           env={"COLUMNS": "400"})
    _clean(result)
    assert result.exit_code in (0, 1), result.stderr
    assert output.stat().st_size > 0
    assert f"wrote {output} (" in result.stderr
    assert f"error: {hostile_folder / 'bad.csv'}: no sample columns recognised" in result.stderr
