"""``lactlog show``: the file's warnings on stderr, --verbose, exit codes as in ``analyze``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

import lactlog.analysis.session
from lactlog.cli import app
from lactlog.testing.exports import interval_run
from lactlog.testing.fitactivity import write_activity

runner = CliRunner()


@pytest.fixture(scope="module")
def run_fit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("show") / "run.fit"
    path.write_bytes(write_activity(interval_run(datetime(2026, 11, 16, 7, tzinfo=UTC))))
    return path


def _error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


@pytest.mark.parametrize("command", ["show", "analyze"])
def test_unreadable_and_missing_files_exit_1_with_one_line(tmp_path: Path, command: str) -> None:
    not_fit = tmp_path / "notes.fit"
    not_fit.write_text("hello")
    for path, problem in ((not_fit, "not a FIT file"), (tmp_path / "gone.fit", "no such file")):
        result = runner.invoke(app, [command, str(path)])
        assert result.exit_code == 1, result.stderr
        assert _error_lines(result.stderr) == [line for line in result.stderr.splitlines()
                                                if line.strip() and "note:" not in line]
        (line,) = _error_lines(result.stderr)
        assert str(path) in line and problem in line


def test_truncated_file_shows_with_its_warning(tmp_path: Path, run_fit: Path) -> None:
    data = run_fit.read_bytes()
    truncated = tmp_path / "cut.fit"
    truncated.write_bytes(data[: len(data) // 2])  # records of the first half, no session
    result = runner.invoke(app, ["show", str(truncated), "--lthr", "170"])
    assert result.exit_code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert any(str(truncated) in w and "truncated" in w for w in warnings), result.stderr
    assert "Lactate stimulus" in result.stdout


def test_session_out_of_range_is_a_usage_error(run_fit: Path) -> None:
    result = runner.invoke(app, ["show", str(run_fit), "--session", "2"])
    assert result.exit_code == 2
    assert "holds 1 session" in result.stderr


def test_a_bug_is_one_line_and_its_traceback_only_with_verbose(
    run_fit: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise TypeError("tz_convert() takes exactly 2 positional arguments (1 given)")

    monkeypatch.setattr(lactlog.analysis.session, "summarize", broken)
    result = runner.invoke(app, ["show", str(run_fit)])
    assert result.exit_code == 1 and not isinstance(result.exception, TypeError)
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {run_fit}: internal error (TypeError: tz_convert()")
    verbose = runner.invoke(app, ["show", str(run_fit), "--verbose"])
    assert verbose.exit_code == 1
    assert "Traceback (most recent call last)" in verbose.stderr
