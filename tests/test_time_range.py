"""Sample times outside 1980-2099 (issue 14, class 2): dropped with a warning, or the file
refused with one clear line when nothing is left; never an OverflowError.

A GPX with points in 1677 and 2262 (or a CSV with epoch values of ±9e9 s) spans more than
pandas' ±292-year nanosecond range, so ``clean_samples`` raised ``OverflowError``: ``analyze``
said "internal error", ``show`` and ``thresholds`` printed a traceback.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from lactlog.cli import app
from lactlog.errors import EmptyFileError
from lactlog.io import read
from lactlog.testing.exports import interval_run, write_gpx

runner = CliRunner()
CACHE_FLAG = {"analyze": ["--no-cache"], "show": [], "thresholds": []}
DROPPED = "2 samples dated before 1980 or after 2099 were dropped"


def _gpx(tmp_path: Path, times: tuple[str, str], only_those: bool = False) -> Path:
    track = interval_run(datetime(2026, 11, 16, 7, tzinfo=UTC), n_intervals=1, warmup_s=300)
    if only_those:
        track = track.iloc[:2]
    lines = write_gpx(track).splitlines(keepends=True)
    points = [i for i, line in enumerate(lines) if "<trkpt" in line]
    for i, moment in zip((points[0], points[-1]), times):
        old = lines[i].split("<time>")[1].split("</time>")[0]
        lines[i] = lines[i].replace(old, moment)
    path = tmp_path / ("bad.gpx" if only_those else "span.gpx")
    path.write_text("".join(lines))
    return path


def _csv(tmp_path: Path, only_those: bool = False) -> Path:
    # only those: the median must stay an epoch time (> 1e8), else the column is elapsed time
    rows = ["9100000000,150\n"] if only_those else [f"{1_700_000_000 + i},140\n" for i in range(900)]
    path = tmp_path / ("bad.csv" if only_those else "span.csv")
    path.write_text("timestamp,heart_rate\n-9000000000,120\n" + "".join(rows) + "9000000000,150\n")
    return path


@pytest.fixture
def spans(tmp_path: Path) -> list[Path]:
    return [_gpx(tmp_path, ("1677-09-22T00:00:00Z", "2262-04-11T00:00:00Z")), _csv(tmp_path)]


def test_the_implausible_samples_are_dropped_with_a_warning(spans: list[Path]) -> None:
    for path in spans:
        (activity,) = read(path)
        assert activity.samples.index[0].year == 2026 if path.suffix == ".gpx" else 2023
        assert activity.samples.index[-1] - activity.samples.index[0] < pd.Timedelta(days=1)
        assert any(DROPPED in w for w in activity.meta.warnings), activity.meta.warnings
        assert not any("UTC offset" in w for w in activity.meta.warnings)  # epoch: UTC


def test_a_file_with_only_implausible_times_is_refused(tmp_path: Path) -> None:
    gpx = _gpx(tmp_path, ("1677-09-22T00:00:00Z", "2262-04-11T00:00:00Z"), only_those=True)
    for path in (gpx, _csv(tmp_path, only_those=True)):
        with pytest.raises(EmptyFileError, match="no sample has a time from 1980 to 2099"):
            read(path)


@pytest.mark.parametrize("command", ["analyze", "show", "thresholds"])
def test_commands_give_a_result_or_one_clear_line(
    command: str, spans: list[Path], tmp_path: Path
) -> None:
    refused = [_gpx(tmp_path, ("1600-01-01T00:00:00Z", "2262-04-11T00:00:00Z"), True),
               _csv(tmp_path, True)]
    for path in spans:
        result = runner.invoke(app, [command, *CACHE_FLAG[command], str(path)])
        assert result.exit_code == 0, (path, result.stderr, result.exception)
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    for path in refused:
        result = runner.invoke(app, [command, *CACHE_FLAG[command], str(path)])
        assert result.exit_code == 1, (path, result.stderr, result.exception)
        errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and "no sample has a time from 1980 to 2099" in errors[0]
        assert "Traceback" not in result.stderr
