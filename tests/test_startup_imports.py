"""Modules ``lactlog analyze FILE.fit --json`` does not import (issue 13: start-up), with the
cache and without: the threshold estimates (:mod:`lactlog.analysis.estimate`; a batch's first
pass needs only :mod:`lactlog.analysis.bests`), Strava's table reader (:mod:`lactlog.io.strava`,
only for a file in an unpacked export's ``activities/``), :mod:`csv` (only ``--csv`` writes
CSV; a FIT file has none) and the zip reader (:mod:`lactlog.io.archive`, :mod:`zipfile`: a
plain file's path only needs :mod:`lactlog.io.member_path` to tell it is no zip member). Each run is a fresh interpreter with its own cache and an empty
profile, which reports at exit which of these it had loaded.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLE = Path(__file__).parent.parent / "sample_data"
NOT_NEEDED = ("lactlog.analysis.estimate", "lactlog.io.strava", "csv", "lactlog.io.archive",
              "zipfile")

#: Runs ``lactlog`` with the arguments after ``-c``; at exit prints which of NOT_NEEDED it loaded.
CHILD = f"""
import atexit, runpy, sys
atexit.register(lambda: print("loaded:" + ",".join(
    m for m in {NOT_NEEDED!r} if m in sys.modules), file=sys.stderr))
sys.argv = ["lactlog", *sys.argv[1:]]
runpy.run_module("lactlog", run_name="__main__")
"""


def loaded(args: list[str], tmp_path: Path) -> str:
    env = {**os.environ, "LACTLOG_CACHE_DIR": str(tmp_path / "cache"),
           "LACTLOG_CONFIG": str(tmp_path / "profile.toml"), "TZ": "UTC"}
    done = subprocess.run([sys.executable, "-c", CHILD, *args], capture_output=True, text=True,
                          env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return next(line for line in done.stderr.splitlines() if line.startswith("loaded:"))


@pytest.mark.parametrize("cache", [["--no-cache"], []], ids=["no-cache", "cache"])
def test_analysing_a_fit_file_imports_neither_the_estimates_nor_strava_nor_csv(tmp_path, cache):
    args = ["analyze", str(SAMPLE / "2026-11-18-threshold-ride.fit"), "--json", *cache]
    assert loaded(args, tmp_path) == "loaded:"
    if cache:  # the second run is a cache hit
        assert loaded(args, tmp_path) == "loaded:"


def test_csv_output_still_imports_csv(tmp_path):
    args = ["analyze", str(SAMPLE / "2026-11-18-threshold-ride.fit"), "--csv", "--no-cache"]
    assert loaded(args, tmp_path) == "loaded:csv"
