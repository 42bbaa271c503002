"""``lactlog report`` and ``show --html``: valid HTML5, offline, escaped, the JSON's numbers,
one-line errors (Typer's CliRunner)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import html5lib
import pytest
from typer.testing import CliRunner

from conftest import DEMO_CSV
from lactlog import __version__
from lactlog.cli import app
from lactlog.report.jsondoc import SCHEMA_VERSION

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
runner = CliRunner()


def _env(base: Path) -> dict[str, str]:
    """The user dirs of a module-scoped fixture (the autouse isolation is per test)."""
    return {"LACTLOG_CACHE_DIR": str(base / "cache"), "LACTLOG_CONFIG": str(base / "p.toml")}


@pytest.fixture(scope="module")
def season(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict, Path]:
    """The report of sample_data (with the lactate demo test), and week --json of it."""
    base = tmp_path_factory.mktemp("report")
    sheet = base / "ramp.csv"
    sheet.write_text(DEMO_CSV)
    out = base / "season.html"
    result = runner.invoke(app, ["report", str(SAMPLE), "-o", str(out), "--lactate-test",
                                 str(sheet), "--jobs", "1"], env=_env(base))
    assert result.exit_code == 0, result.stderr
    assert f"wrote {out}" in result.stderr
    week = runner.invoke(app, ["week", str(SAMPLE), "--json", "--jobs", "1"], env=_env(base))
    return out.read_text(encoding="utf-8"), json.loads(week.stdout), base


def test_report_is_valid_html5(season) -> None:
    html, _, _ = season
    parser = html5lib.HTMLParser(strict=True)
    parser.parse(html)  # raises on the first parse error
    assert not parser.errors


def test_report_names_versions_and_is_offline(season) -> None:
    html, _, _ = season
    assert f'<meta name="generator" content="lactlog {__version__}">' in html
    assert f'<meta name="lactlog-schema-version" content="{SCHEMA_VERSION}">' in html
    assert "default-src 'none'" in html  # the page may not load anything, even by mistake
    for tag in ("<script", "<link", "<img", "<iframe", "@import", "url("):
        assert tag not in html
    urls = set(re.findall(r"https?://[^\s\"'<>]+", html))
    assert urls <= {"http://www.w3.org/2000/svg"}
    assert all(href.startswith("#") for href in re.findall(r'href="([^"]*)"', html))


def test_report_shows_the_numbers_of_week_json(season) -> None:
    html, week, _ = season
    for w in week["weeks"]:
        assert f"<td>{w['week']}</td>" in html
        assert f"{w['ctl']:.0f}/{w['atl']:.0f}/{w['tsb']:+.0f}" in html
        assert f"{w['high_sessions']}/{w['moderate_sessions']}/{w['low_sessions']}" in html
    # one link and one section per session (6 sessions: the watch strength session and the
    # app workout are merged)
    sessions = re.findall(r'<section class="session" id="s(\d+)">', html)
    assert sessions == [str(n) for n in range(1, 7)]
    assert len(re.findall(r'<a href="#s\d+">', html)) == 6


def test_report_has_every_chart(season) -> None:
    html, _, _ = season
    for label in ("performance management chart", "minutes at or above threshold per week",
                  "Seiler three-zone distribution per week", "LTHR over time",
                  "Heart rate over time", "Power over time", "lactate curve with thresholds"):
        assert f'aria-label="{label}' in html, label
    assert 'class="mark-high"' in html  # the HIRT run is HIGH
    assert 'class="effort"' in html  # its hard efforts are shaded
    assert "ModDmax (LT2)" in html and "Log-log (LT1)" in html
    assert "heuristic" in html  # the 48-h window is labelled as one
    assert "<h4>Sets</h4>" in html and "Squat (Barbell)" in html  # the merged strength session


def test_report_and_show_escape_file_names(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLE / "2026-11-16-hiit-run.fit", folder / "<b>&x.fit")
    out = tmp_path / "r.html"
    result = runner.invoke(app, ["report", str(folder), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    html = out.read_text(encoding="utf-8")
    assert "&lt;b&gt;&amp;x.fit" in html and "<b>&x" not in html
    page = tmp_path / "one.html"
    result = runner.invoke(app, ["show", str(folder / "<b>&x.fit"), "--html", str(page)])
    assert result.exit_code == 0, result.stderr
    html = page.read_text(encoding="utf-8")
    assert "&lt;b&gt;&amp;x.fit" in html and "<b>&x" not in html
    html5lib.HTMLParser(strict=True).parse(html)
    assert 'aria-label="Heart rate over time"' in html


def test_show_html_has_the_w_prime_chart(tmp_path: Path) -> None:
    page = tmp_path / "ride.html"
    result = runner.invoke(app, ["show", str(SAMPLE / "2026-11-18-threshold-ride.fit"), "--cp",
                                 "240", "--w-prime", "20000", "--html", str(page)])
    assert result.exit_code == 0, result.stderr
    html = page.read_text(encoding="utf-8")
    assert 'aria-label="W′ balance over time"' in html
    assert "W′ 20,000 J" in html and "(flag)" in html


@pytest.mark.parametrize(("args", "code", "message"), [
    (["-o", "{tmp}/missing/season.html"], 2, "does not exist; create it first"),
    (["-o", "{tmp}"], 2, "is a folder; give a file name"),
    (["-o", "{tmp}/r.html", "--since", "2030-01-01"], 1, "no sessions in the chosen weeks"),
    (["-o", "{tmp}/r.html", "--since", "yesterday"], 2, "is not a date"),
])
def test_report_errors_are_one_line(tmp_path: Path, args: list[str], code: int,
                                    message: str) -> None:
    result = runner.invoke(app, ["report", str(SAMPLE / "2026-11-16-hiit-run.fit"),
                                 *[a.format(tmp=tmp_path) for a in args]])
    assert result.exit_code == code
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    if code == 1:
        assert len([line for line in result.stderr.splitlines() if "error" in line]) == 1
    assert not (tmp_path / "r.html").exists()


def test_report_lactate_sheet_that_cannot_be_read(tmp_path: Path) -> None:
    sheet = tmp_path / "ramp.csv"
    sheet.write_text("step,power_w\n1,100\n")
    result = runner.invoke(app, ["report", str(SAMPLE / "2026-11-16-hiit-run.fit"), "-o",
                                 str(tmp_path / "r.html"), "--lactate-test", str(sheet)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {sheet}: ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "r.html").exists()


def test_show_html_output_folder_missing(tmp_path: Path) -> None:
    result = runner.invoke(app, ["show", str(SAMPLE / "2026-11-16-hiit-run.fit"), "--html",
                                 str(tmp_path / "no" / "x.html")])
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_session_section_draws_dfa_alpha1_when_present() -> None:
    from lactlog.report.html_session import session_section

    session = {"source": "ramp.fit", "sport": "running", "start_local": "2026-11-03T18:00:00+01:00",
               "stimulus": None, "stimulus_reasons": [], "thresholds": {}, "intervals": [],
               "zones": []}
    dfa = {"notes": ["only 12 clean windows <2 min>"],
           "series": {"start": "2026-11-03T17:00:00Z", "step_s": 30,
                      "time_s": [0, 30, 60, 90], "alpha1": [1.1, 0.9, None, 0.6]}}
    html = session_section({"session": session, "series": None, "dfa": dfa}, 3)
    assert 'id="s3"' in html and 'aria-label="DFA alpha1 over time"' in html
    assert ">0.75</text>" in html and ">0.5</text>" in html
    assert "&lt;2 min&gt;" in html
    html5lib.HTMLParser(strict=True).parseFragment(html)
