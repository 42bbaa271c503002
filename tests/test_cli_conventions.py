"""Conventions people expect: --version, -h, completion, help text as written, analyze filters,
the profile's undated values and its checks (the same as the flags'), sport names, cache info."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
import typer.main
from rich.text import Text
from typer.testing import CliRunner

from conftest import CORPUS, REPO_ROOT
from lactlog import __version__
from lactlog.cli import app
from lactlog.cli.app import unwrap_help

SAMPLE = REPO_ROOT / "sample_data"
RIDE = SAMPLE / "2026-11-18-threshold-ride.fit"
runner = CliRunner()
WIDE = {"COLUMNS": "250"}


def _flat(text: str) -> str:
    """Output as one line of words (Rich error boxes and wrapping removed)."""
    return " ".join(text.replace("│", " ").split())


def _commands() -> list[tuple[list[str], object]]:
    def walk(command, prefix: list[str]):
        found = [(prefix, command)]
        for name, sub in getattr(command, "commands", {}).items():
            found.extend(walk(sub, prefix + [name]))
        return found

    return walk(typer.main.get_command(app), [])


COMMANDS = _commands()
_STYLE_TAG = re.compile(r"\[/?(?:dim|bold|italic|red|yellow|green)\]")


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.strip() == f"lactlog {__version__}"


@pytest.mark.parametrize("path", [c[0] for c in COMMANDS], ids=lambda p: " ".join(p) or "lactlog")
def test_dash_h_is_help_everywhere(path: list[str]) -> None:
    short, long = runner.invoke(app, path + ["-h"]), runner.invoke(app, path + ["--help"])
    assert short.exit_code == 0 and short.stdout == long.stdout and "Usage:" in short.stdout


def test_shell_completion_is_offered() -> None:
    assert "--install-completion" in runner.invoke(app, ["--help"], env=WIDE).stdout
    result = runner.invoke(app, ["--show-completion", "bash"])
    assert result.exit_code == 0 and "complete" in result.stdout


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=lambda c: " ".join(c) if isinstance(c, list) else "")
def test_help_shows_its_brackets(path: list[str], command) -> None:
    """Every "[bpm]", "[min]" ... written in a help text is visible in --help (not eaten as
    markup): the text Rich renders keeps each bracketed word that is not a style tag."""
    texts = [command.help or ""] + [getattr(p, "help", None) or "" for p in command.params]
    for raw in texts:
        rendered = Text.from_markup(raw).plain
        written = _STYLE_TAG.sub("", raw).replace("\\[", "[")
        for bracket in re.findall(r"\[[^\]\s]+\]", written):
            assert bracket in rendered, (path, raw)
    output = " ".join(runner.invoke(app, path + ["--help"], env=WIDE).stdout.split())
    for raw in texts[1:]:
        for bracket in re.findall(r"\\\[[^\]\s]+\]", raw):
            assert bracket[1:] in output, (path, bracket)


def test_units_in_brackets_appear_in_analyze_help() -> None:
    output = runner.invoke(app, ["analyze", "--help"], env=WIDE).stdout
    assert "Maximum heart rate [bpm]." in output and "power [W]." in output


def test_unwrap_help_joins_sentences_and_keeps_examples() -> None:
    doc = """First line
    goes on.

    Second paragraph is
    one sentence.

    [dim]Examples:[/dim]
      lactlog analyze a/
      lactlog analyze b/
    """
    assert unwrap_help(doc) == (
        "First line goes on.\n\nSecond paragraph is one sentence.\n\n"
        "[dim]Examples:[/dim]\n  lactlog analyze a/\n  lactlog analyze b/"
    )


def test_no_sentence_is_broken_where_the_docstring_line_ended() -> None:
    output = runner.invoke(app, ["analyze", "--help"], env=WIDE).stdout
    assert "by default the 90 days up to each one), else an estimate" in output


# --- analyze filters ---------------------------------------------------------------------


def _analyze(*args: str) -> list[dict]:
    result = runner.invoke(app, ["analyze", str(SAMPLE), "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["sessions"]


def test_analyze_since_until_sport_reverse() -> None:
    every = _analyze()
    starts = [s["start"] for s in every]
    assert starts == sorted(starts)
    assert [s["start"] for s in _analyze("--reverse")] == starts[::-1]
    rides = _analyze("--sport", "ride")
    assert rides and {s["sport"] for s in rides} == {"cycling"}
    assert _analyze("--sport", "cycling") == rides
    # sample data: sessions on 2026-11-16, -18, -19, -20, -22 (local dates)
    middle = _analyze("--since", "2026-11-18", "--until", "2026-11-19")
    assert [s["start_local"][:10] for s in middle] == ["2026-11-18", "2026-11-19"]
    assert runner.invoke(app, ["analyze", str(SAMPLE), "--since", "18.11.2026"]).exit_code == 2
    assert runner.invoke(app, ["analyze", str(SAMPLE), "--sport", "rowingx"]).exit_code == 2


def test_week_sport_names_are_the_same_everywhere() -> None:
    def weeks(*args: str) -> list:
        result = runner.invoke(app, ["week", str(SAMPLE), "--json", *args])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)["weeks"]

    run = weeks("--sport", "run")
    assert run and run == weeks("--sport", "running")
    assert sum(w["sessions"] for w in run) == 2  # the HIIT run and the tempo run


# --- the profile -------------------------------------------------------------------------


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    return tmp_path / "profile.toml"


def _set(profile: Path, *args: str):
    return runner.invoke(app, ["config", "set", "--config", str(profile), *args])


def _ride_ftp(profile: Path) -> dict:
    result = runner.invoke(app, ["analyze", str(RIDE), "--json", "--config", str(profile)])
    return json.loads(result.stdout)["sessions"][0]["thresholds"]["ftp_w"]


def test_undated_value_applies_to_every_session_and_dated_ones_win_from_their_date(profile: Path) -> None:
    result = _set(profile, "bike.ftp_w", "250")
    assert result.exit_code == 0
    assert " ".join(result.stderr.split()) == (
        f"saved bike.ftp_w = 250 (undated: every session) in {profile}")
    assert tomllib.loads(profile.read_text(encoding="utf-8"))["thresholds"]["bike"] == {"ftp_w": 250}
    ftp = _ride_ftp(profile)  # the ride is from 2026-11-18, long before today
    assert (ftp["value"], ftp["source"]) == (250, "profile (undated)")
    assert _set(profile, "cycling.ftp_w", "270", "--from", "2026-11-01").exit_code == 0
    dated = _ride_ftp(profile)
    assert (dated["value"], dated["source"]) == (270, "profile 2026-11-01")
    assert _set(profile, "bike.ftp_w", "280", "--from", "2026-12-01").exit_code == 0
    assert _ride_ftp(profile)["value"] == 270  # a later date does not reach back


@pytest.mark.parametrize(
    ("key", "value", "flag", "message"),
    [
        ("run.lthr_bpm", "500", "--lthr", "lthr_bpm must be between 80 and 225 bpm, not 500"),
        ("all.max_hr_bpm", "20", "--max-hr", "max_hr_bpm must be between 100 and 230 bpm, not 20"),
        ("run.threshold_pace", "4:75", "--threshold-pace", "not min:sec per km"),
        ("run.threshold_pace", "0:01", "--threshold-pace", "outside 2:00–15:00 per km"),
        ("run.threshold_pace", "99", "--threshold-pace", "outside 2:00–15:00 per km"),
        ("bike.ftp_w", "-5", "--ftp", "ftp_w must be between 30 and 700 W, not -5"),
    ],
)
def test_profile_and_flags_refuse_the_same_values(profile: Path, key: str, value: str, flag: str,
                                                  message: str) -> None:
    stored = _set(profile, key, value)
    assert stored.exit_code == 2 and message in _flat(stored.output)
    assert not profile.exists()
    flagged = runner.invoke(app, ["analyze", str(RIDE), flag, value])
    assert flagged.exit_code == 2 and message in _flat(flagged.output)


def test_the_profile_file_is_checked_by_the_same_rule(profile: Path) -> None:
    profile.write_text("[thresholds.run]\nlthr_bpm = 500\n", encoding="utf-8")
    result = runner.invoke(app, ["analyze", str(RIDE), "--config", str(profile)])
    assert result.exit_code == 2
    assert "lthr_bpm must be between 80 and 225 bpm, not 500" in " ".join(result.stderr.split())


def test_settings_whole_numbers_and_negatives(profile: Path) -> None:
    fraction = _set(profile, "settings.history_min_sessions", "4.5")
    assert fraction.exit_code == 2 and "must be a whole number, not 4.5" in _flat(fraction.output)
    for args in (["settings.high_min_above_lt_s", "-5"], ["settings.high_min_above_lt_s", "--", "-5"]):
        negative = _set(profile, *args)
        assert negative.exit_code == 2, negative.output
        assert "No such option" not in negative.output
        assert "high_min_above_lt_s must be between 0 and 86400, not -5" in _flat(negative.output)
    assert not profile.exists()
    exact = _set(profile, "settings.high_min_above_lt_s", "900.5")
    assert exact.exit_code == 0 and "saved settings.high_min_above_lt_s = 900.5 in" in exact.stderr
    assert tomllib.loads(profile.read_text())["settings"] == {"high_min_above_lt_s": 900.5}


def test_missing_config_file_is_a_usage_error(tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    result = runner.invoke(app, ["analyze", str(RIDE), "--config", str(missing)])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "no such profile file" in result.stderr
    assert not missing.exists()


# --- cache info --------------------------------------------------------------------------


def test_cache_info_is_text_and_creates_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    env = {"LACTLOG_CACHE_DIR": str(folder)}
    info = runner.invoke(app, ["cache", "info"], env=env)
    assert info.exit_code == 0
    assert info.stdout.startswith(f"Cache file: {folder / 'results.sqlite'} (not created yet")
    assert "{" not in info.stdout and "Cached results: 0" in info.stdout
    assert runner.invoke(app, ["cache", "path"], env=env).exit_code == 0
    assert not folder.exists()
    runner.invoke(app, ["analyze", str(RIDE)], env=env)
    filled = runner.invoke(app, ["cache", "info"], env=env).stdout
    document = json.loads(runner.invoke(app, ["cache", "info", "--json"], env=env).stdout)
    assert document["entries"] >= 1 and document["files"] == 1 and document["exists"] is True
    assert f"Cached results: {document['entries']} (of 1 files)" in filled and "(current)" in filled


# --- week over a file whose clock was never set ------------------------------------------


def test_week_leaves_out_a_session_whose_clock_was_never_set(tmp_path: Path) -> None:
    never_set = CORPUS / "fit" / "fitparse__compressed-speed-distance.fit"  # starts in 1990
    if not never_set.is_file():
        pytest.skip("../shared/corpus absent")
    result = runner.invoke(app, ["week", str(SAMPLE), str(never_set), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert [w["week"] for w in document["weeks"]] == ["2026-W47"]
    assert [d["source"] for d in document["left_out"]] == [str(never_set)]
    assert f"left out: {never_set}: the device clock was never set" in " ".join(result.stderr.split())
