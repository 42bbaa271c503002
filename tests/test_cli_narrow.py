"""Nothing is cut at 80 columns (the width Rich assumes when stdout is piped) nor at 160.

Every word of every verdict reason of ``analyze --json`` must appear, whole, in the table
output; no line may be wider than the terminal; no ellipsis may replace data.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from conftest import CORPUS, REPO_ROOT
from lactlog.cli import app

SAMPLE = REPO_ROOT / "sample_data"
runner = CliRunner()


def _reasons(document: dict) -> list[str]:
    reasons = []
    for session in document["sessions"]:
        reasons += session.get("stimulus_reasons") or []
        reasons += ((session.get("strength") or {}).get("verdict") or {}).get("reasons") or []
    return reasons


def _check_table(args: list[str], width: int) -> str:
    result = runner.invoke(app, args, env={"COLUMNS": str(width)}, terminal_width=width)
    assert result.exit_code in (0, 1), result.output
    lines = result.stdout.splitlines()
    too_wide = [line for line in lines if cell_len(line) > width]
    assert not too_wide, too_wide[:3]
    assert "…" not in result.stdout
    return result.stdout


@pytest.mark.parametrize("width", [80, 160])
@pytest.mark.parametrize("inputs", ["sample", "corpus"])
def test_every_reason_word_is_in_the_table(inputs: str, width: int) -> None:
    if inputs == "corpus":
        if not CORPUS.is_dir():
            pytest.skip("../shared/corpus absent")
        paths = [str(CORPUS / "fit"), str(CORPUS / "tcx-gpx"), str(CORPUS / "csv")]
    else:
        paths = [str(SAMPLE)]
    document = json.loads(runner.invoke(app, ["analyze", "--json", *paths]).stdout)
    reasons = _reasons(document)
    assert reasons
    # the table joins a session's reasons with "; "
    words = {w.removesuffix(";") for w in _check_table(["analyze", *paths], width).split()}
    missing = {w.removesuffix(";") for reason in reasons for w in reason.split()} - words
    assert not missing


@pytest.mark.parametrize("width", [80, 160])
@pytest.mark.parametrize(
    "command",
    [["week"], ["thresholds"], ["show", "2026-11-16-hiit-run.fit"], ["show", "2026-11-21-strong.csv"]],
    ids=lambda c: "-".join(c),
)
def test_other_tables_fit_the_width(command: list[str], width: int) -> None:
    target = str(SAMPLE / command[1]) if len(command) > 1 else str(SAMPLE)
    _check_table([command[0], target], width)


def test_sessions_table_keeps_whole_file_names_at_80_columns() -> None:
    text = _check_table(["analyze", str(SAMPLE)], 80)
    for path in Path(SAMPLE).iterdir():
        if path.suffix in (".fit", ".tcx", ".gz"):
            assert path.name in text.split()


@pytest.mark.parametrize("width", [80, 160])
def test_thresholds_evidence_keeps_whole_file_names(width: int) -> None:
    document = json.loads(runner.invoke(app, ["thresholds", str(SAMPLE), "--json"]).stdout)
    names = {Path(w["source"]).name for e in document["estimates"].values()
             for w in e.get("evidence") or []}
    assert names
    words = set(_check_table(["thresholds", str(SAMPLE)], width).split())
    assert names <= words
