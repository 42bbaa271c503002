"""History thresholds through the batch: generated FIT sessions, an empty profile, the cache
and the process pool (batch.py first pass + cache.history_fingerprint)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from lactlog.analysis.options import AnalysisOptions
from lactlog.batch import analyse_paths, history_of
from lactlog.cache import ResultCache
from lactlog.io import read
from lactlog.testing.fitactivity import AthleteSettings, write_activity
from lactlog.testing.simulate import heart_rate, piecewise, samples_frame

START = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)


def ride(folder: Path, name: str, day: int, segments: list[tuple[float, float]],
         seed: int, athlete: AthleteSettings | None = None) -> Path:
    """A 1-Hz ride: power steps ``(duration_s, W)`` with ±5 W noise, HR following power."""
    rng = np.random.default_rng(seed)
    power = piecewise(segments) + rng.normal(0, 5, int(sum(d for d, _ in segments)))
    target_hr = 100 + 0.25 * piecewise(segments)  # 280 W -> 170 bpm, 150 W -> 137.5 bpm
    samples = samples_frame(START + timedelta(days=day),
                            power_w=np.round(power.clip(0)),
                            heart_rate_bpm=heart_rate(target_hr, rng, initial_bpm=95))
    path = folder / name
    path.write_bytes(write_activity(samples, sport="cycling", sub_sport="road", athlete=athlete))
    return path


def workout(effort_w: float) -> list[tuple[float, float]]:
    """15 min easy, 20 min at ``effort_w``, 25 min easy."""
    return [(900, 150.0), (1200, effort_w), (1500, 150.0)]


def thresholds_of(result, name: str):
    return next(s.endurance.thresholds for s in result.sessions if s.source.endswith(name))


def test_empty_profile_gets_history_thresholds_and_a_verdict(tmp_path: Path) -> None:
    for i, effort in enumerate((280.0, 270.0, 260.0, 275.0)):
        ride(tmp_path, f"ride{i}.fit", day=7 * i, segments=workout(effort), seed=i)
    result = analyse_paths([tmp_path], options=AnalysisOptions(), jobs=2)  # pool: 4 files
    assert not result.errors
    first, *later = result.sessions
    own = first.endurance.thresholds.ftp_w  # the first ride is its own history
    assert own.source.startswith("history 90 d: 0.95 × best 20-min 28") and own.source.endswith(
        "(1 session)")
    for summary in later:
        ftp = summary.endurance.thresholds.ftp_w
        assert ftp.source.startswith("history 90 d: 0.95 × best 20-min 28")  # ride0's ~280 W
        assert ftp.value == pytest.approx(0.95 * 280, abs=3)
        assert summary.endurance.verdict.level is not None
        # peaks ~170 bpm are below the assumed population maximum: 180 bpm, said so
        max_hr = summary.endurance.thresholds.max_hr_bpm
        assert max_hr.value == 180.0 and max_hr.source.startswith("assumed 180 bpm: the history")


def test_a_changed_folder_never_returns_stale_cached_results(tmp_path: Path) -> None:
    folder = tmp_path / "rides"
    folder.mkdir()
    ride(folder, "a.fit", day=10, segments=workout(250.0), seed=1)
    ride(folder, "b.fit", day=20, segments=workout(240.0), seed=2)
    with ResultCache.open(tmp_path / "cache.sqlite") as cache:
        before = analyse_paths([folder], cache=cache, jobs=1)
        again = analyse_paths([folder], cache=cache, jobs=1)
        assert again.cache_hits == 2
        assert thresholds_of(again, "b.fit") == thresholds_of(before, "b.fit")
        ride(folder, "earlier.fit", day=0, segments=workout(300.0), seed=3)  # a harder ride
        after = analyse_paths([folder], cache=cache, jobs=1)
    assert after.cache_hits == 0  # every session's history changed
    assert thresholds_of(before, "b.fit").ftp_w.value == pytest.approx(0.95 * 250, abs=3)
    assert thresholds_of(after, "b.fit").ftp_w.value == pytest.approx(0.95 * 300, abs=3)


def test_stale_device_ftp_regression(tmp_path: Path) -> None:
    """The issue's ride: device FTP 200 W, 2 h 19 min at ~267 W -> flagged, history used."""
    path = ride(tmp_path, "long.fit", day=0, segments=[(8340, 267.0)], seed=4,
                athlete=AthleteSettings(functional_threshold_power_w=200))
    result = analyse_paths([path], jobs=1)
    ftp = thresholds_of(result, "long.fit").ftp_w
    assert ftp.value == pytest.approx(0.95 * 267, abs=3)
    assert ftp.source.startswith("history 90 d: 0.95 × best 20-min 26")
    assert ftp.stale.startswith("device FTP 200 W contradicted by history (best 20-min 26")
    # show on the file alone: the same history (its own session)
    activities = read(path)
    histories, errors = history_of(activities, AnalysisOptions())
    assert not errors
    assert histories[(str(path), 0)].best_20_min_power_w == pytest.approx(267, abs=2)


def test_thresholds_command_shows_what_analyze_applies(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from lactlog.cli import app

    for i, effort in enumerate((280.0, 265.0)):
        ride(tmp_path, f"ride{i}.fit", day=7 * i, segments=workout(effort), seed=10 + i)
    result = analyse_paths([tmp_path], jobs=1)
    applied = thresholds_of(result, "ride1.fit")  # the latest session
    runner = CliRunner()
    shown = runner.invoke(app, ["thresholds", str(tmp_path), "--json"])
    assert shown.exit_code == 0, shown.stderr
    history = json.loads(shown.stdout)["history"]["bike"]
    assert history["ftp_w"] == {"value": applied.ftp_w.value, "source": applied.ftp_w.source,
                                "stale": None}
    assert history["max_hr_bpm"]["value"] == applied.max_hr_bpm.value
    analyzed = runner.invoke(app, ["analyze", str(tmp_path), "--json", "--no-cache"])
    session = json.loads(analyzed.stdout)["sessions"][-1]
    assert session["thresholds"]["ftp_w"]["source"] == applied.ftp_w.source
    assert session["threshold_source"] == applied.ftp_w.source


def test_a_folder_of_easy_runs_is_never_rated_high(tmp_path: Path) -> None:
    """Six easy runs (HR 135–150 bpm, no thresholds in the files): their own best 30 minutes
    must not become an LTHR that makes them look hard; all LOW, against the estimate from the
    assumed maximum (LTHR 60 + 0.85 × (180 − 60) = 162 bpm)."""
    rng = np.random.default_rng(11)
    for i in range(6):
        target = piecewise([(600, 110.0), (2400, 140.0), (300, 120.0)])
        target += np.where(np.arange(target.size) % 600 < 40, 8.0, 0.0)  # strides
        samples = samples_frame(START + timedelta(days=3 * i),
                                heart_rate_bpm=heart_rate(target, rng, initial_bpm=95))
        (tmp_path / f"easy{i}.fit").write_bytes(write_activity(samples))
    result = analyse_paths([tmp_path], jobs=1)
    assert [s.endurance.verdict.level for s in result.sessions] == ["low"] * 6
    lthr = result.sessions[-1].endurance.thresholds.lthr_bpm
    assert lthr.value == pytest.approx(162.0) and lthr.source.startswith("estimate (85 %")
