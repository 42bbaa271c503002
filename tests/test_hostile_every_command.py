"""Every command over one small reproducer of each hostile-input class of issue 14.

Each class has its own detailed tests (named below); this file is the net over all of them:
``analyze``, ``show``, ``thresholds`` and ``week``, table and ``--json``, and ``report``, run on
every reproducer give a result or one clear ``error:`` line naming the file — never a traceback,
never "internal error", and the JSON on stdout always parses.

Classes (issue 14) and their detailed tests:
 1 markup in names (test_cli_markup) · 2 times beyond pandas' range (test_time_range) ·
 3 device max HR ≤ resting HR (test_cli_validation) · 4 session explosion (io/test_fit_sessions) ·
 5 memory amplification (test_memory_bounds, io/test_xml_limits) · 6 XML entities and sniffing
 (io/test_xml_limits) · 7 special files (test_special_files) · 11 multi-member gzip
 (io/test_gzipfile) · 12 large lifting exports (test_strength speed, bench/strength.py).
 Classes 8–10 and 13 are about configs, the cache and processes, not input files: see
 test_cli_validation, test_cache, test_cache_fuzz, io/test_fit_oracle and test_batch.
"""

from __future__ import annotations

import gzip
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from lactlog.cli import app
from lactlog.testing import AthleteSettings, write_activity
from lactlog.testing.exports import interval_run, write_gpx
from lactlog.testing.fitsessions import many_sessions
from lactlog.testing.hostile_xml import comment_only_tcx, deep_tcx, entity_bomb_utf16le_tcx
from lactlog.testing.strength_exports import strong_export

runner = CliRunner()


def _ride(max_hr_bpm: int | None = None, minutes: int = 20) -> bytes:
    n = minutes * 60
    rng = np.random.default_rng(5)
    samples = pd.DataFrame(
        {"heart_rate_bpm": np.round(140 + rng.normal(0, 3, n)),
         "power_w": np.round(200 + rng.normal(0, 20, n))},
        index=pd.date_range("2026-11-10T07:00Z", periods=n, freq="s"))
    athlete = AthleteSettings(max_heart_rate_bpm=max_hr_bpm, resting_heart_rate_bpm=60)
    return write_activity(samples, sport="cycling", athlete=athlete)


def _reproducers(folder: Path) -> dict[str, Path]:
    files: dict[str, bytes | str] = {}
    # 1: a CSV header cell and a folder name that are Rich markup
    files["[/b]/markup.csv"] = "timestamp,[/x],heart_rate\n" + "".join(
        f"{1_700_000_000 + i},1,{130 + i % 7}\n" for i in range(900))
    # 2: points in 1677 and 2262
    track = interval_run(datetime(2026, 11, 16, 7, tzinfo=UTC), n_intervals=1, warmup_s=300)
    lines = write_gpx(track).splitlines(keepends=True)
    points = [i for i, line in enumerate(lines) if "<trkpt" in line]
    for i, moment in zip((points[0], points[-1]), ("1677-09-22T00:00:00Z", "2262-04-11T00:00:00Z")):
        old = lines[i].split("<time>")[1].split("</time>")[0]
        lines[i] = lines[i].replace(old, moment)
    files["span.gpx"] = "".join(lines)
    # 3: a device max HR (41 bpm) below the resting HR
    files["max-hr-41.fit"] = _ride(max_hr_bpm=41)
    # 4: more sessions than the cap (set to 20 in the profile below)
    files["crowded.fit"] = many_sessions(30, records_per_session=5)
    # 5: records ten minutes apart, and XML nested past the limit
    rows = "".join(f"{1_700_000_000 + 599 * i},{130 + i % 9}\n" for i in range(2000))
    files["sparse.csv"] = "timestamp,heart_rate\n" + rows
    files["deep.tcx"] = deep_tcx(200_000)[1]
    # 6: an entity bomb in UTF-16LE without BOM, and a "TCX" whose only root name is a comment
    files["bomb.tcx"] = entity_bomb_utf16le_tcx(0)[1]
    files["comment.tcx"] = comment_only_tcx(0)[1]
    # 11: two FIT files in two gzip members, with an empty member first
    files["two.fit.gz"] = gzip.compress(b"") + gzip.compress(_ride()) + gzip.compress(_ride())
    # 12: a lifting export of 300 workouts
    files["strong.csv"] = strong_export(n_workouts=300, n_rows=1800)
    # found by the CSV fuzzer: tables wider than the readers' column caps (cost per column)
    files["wide.csv"] = "secs,hr," + ",".join(f"c{i}" for i in range(2000)) + "\n1,120" + ",1" * 2000
    files["wide-dump.csv"] = ("Type,Local Number,Message\nData,0,record,timestamp,1000000000,s"
                              + "," * 20_000 + "\n")
    paths = {}
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        paths[name] = path
    # 7: a symlink to a device
    if os.path.exists("/dev/zero"):
        (folder / "zero.fit").symlink_to("/dev/zero")
        paths["zero.fit"] = folder / "zero.fit"
    return paths


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return _reproducers(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(autouse=True)
def _session_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    profile = tmp_path / "profile.toml"
    profile.write_text("[settings]\nmax_sessions_per_file = 20\n")
    monkeypatch.setenv("LACTLOG_CONFIG", str(profile))


def _check(result, name: str, json_out: bool, names: tuple[str, ...] = ()) -> None:
    """A result or clear lines: each ``error:`` line names ``name``'s file (or one of ``names``
    when a folder was given)."""
    text = result.stdout + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        name, repr(result.exception))
    assert result.exit_code in (0, 1), (name, result.exit_code, text[-800:])
    assert "Traceback" not in text and "internal error" not in text, (name, text[-800:])
    for line in result.stderr.splitlines():
        if line.startswith("error:"):
            wanted = names or (Path(name).name.split(".")[0],)
            assert any(w in line for w in wanted), (name, line)
            assert len(line) < 400, line
    if json_out and result.stdout.strip():
        json.loads(result.stdout)


@pytest.mark.parametrize("json_out", [False, True], ids=["table", "json"])
@pytest.mark.parametrize("command", ["analyze", "show", "thresholds", "week"])
def test_every_command_on_every_reproducer(
    hostile: dict[str, Path], command: str, json_out: bool
) -> None:
    for name, path in hostile.items():
        arguments = [command, str(path), *(["--json"] if json_out else [])]
        if command in ("analyze", "week"):
            arguments.append("--no-cache")
        _check(runner.invoke(app, arguments), name, json_out)


def test_the_folder_at_once_analyses_the_good_files(hostile: dict[str, Path]) -> None:
    folder = hostile["span.gpx"].parent
    result = runner.invoke(app, ["analyze", str(folder), "--json", "--no-cache"])
    assert result.exit_code == 1  # some files are refused
    document = json.loads(result.stdout)
    sources = {Path(s["source"]).name for s in document["sessions"]}
    assert {"markup.csv", "span.gpx", "max-hr-41.fit", "crowded.fit", "two.fit.gz",
            "strong.csv", "sparse.csv"} <= sources
    crowded = [s for s in document["sessions"] if Path(s["source"]).name == "crowded.fit"]
    assert len(crowded) == 20
    refused = {Path(e["source"]).name for e in document["errors"]}
    assert {"deep.tcx", "bomb.tcx", "comment.tcx"} <= refused


def test_report_over_the_reproducers(hostile: dict[str, Path], tmp_path: Path) -> None:
    folder = hostile["span.gpx"].parent
    out = tmp_path / "season.html"
    result = runner.invoke(app, ["report", str(folder), "-o", str(out)])
    _check(result, "report", json_out=False, names=tuple(p.name for p in hostile.values()))
    assert out.stat().st_size > 1000
