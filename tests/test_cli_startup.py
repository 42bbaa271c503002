"""``lactlog COMMAND …`` builds only that command (lactlog.cli.app_for, issue 13: start-up),
and says and does exactly what the whole app says and does for it."""

from __future__ import annotations

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from lactlog.cli import app, app_for

runner = CliRunner()


def _names() -> list[str]:
    root = get_command(app)
    return sorted(root.commands)


def _groups() -> dict[str, list[str]]:
    root = get_command(app)
    return {name: sorted(command.commands) for name, command in root.commands.items()
            if hasattr(command, "commands")}


def test_a_command_name_builds_that_command_alone() -> None:
    for name in _names():
        slim = app_for([name, "--help"])
        assert slim is not app
        assert sorted(get_command(slim).commands) == [name]


@pytest.mark.parametrize("args", [[], ["--help"], ["-h"], ["--version"], ["nosuch"],
                                  ["analyzer"], ["--json", "analyze"]])
def test_without_a_command_name_first_the_whole_app_runs(args: list[str]) -> None:
    assert app_for(args) is app


def _cases() -> list[list[str]]:
    cases = []
    for name in _names():
        cases += [[name, "--help"], [name, "-h"], [name], [name, "--no-such-flag"],
                  [name, "/no/such/file.fit"]]
    for group, subs in _groups().items():
        for sub in subs:
            cases += [[group, sub, "--help"], [group, sub, "--no-such-flag"]]
        cases += [[group, "nosuch"]]
    return cases


@pytest.mark.parametrize("args", _cases(), ids=" ".join)
def test_a_command_alone_says_what_the_whole_app_says(args: list[str], tmp_path,
                                                      monkeypatch) -> None:
    monkeypatch.setenv("LACTLOG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("LACTLOG_CONFIG", str(tmp_path / "profile.toml"))
    monkeypatch.setenv("COLUMNS", "100")
    whole = runner.invoke(app, args, prog_name="lactlog")
    alone = runner.invoke(app_for(args), args, prog_name="lactlog")
    assert (alone.exit_code, alone.stdout, alone.stderr) == (
        whole.exit_code, whole.stdout, whole.stderr)
