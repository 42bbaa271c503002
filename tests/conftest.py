"""Shared test fixtures: where the shared corpus lives (tests skip cleanly without it)."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests draw the same examples on every run (derandomized), so CI is reproducible and
# a red run always reproduces locally; long random fuzzing is bench/fuzz.py's job.
# HYPOTHESIS_PROFILE=explore draws fresh random examples for local exploration.
settings.register_profile("ci", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

REPO_ROOT = Path(__file__).resolve().parents[1]
CORPUS = REPO_ROOT.parent / "shared" / "corpus"


#: lactater's published demo step test (Mattioni Maturana; its README lists the thresholds)
DEMO_CSV = """step,duration_min,power_w,lactate_mmol,heart_rate_bpm
0,0,0,0.93,96
1,3,50,0.98,114
2,3,75,1.23,134
3,3,100,1.88,154
4,3,125,2.80,170
5,3,150,4.21,182
6,3,175,6.66,193
7,2,191,8.64,198
"""


def corpus_files(folder: str) -> list[Path]:
    """Files of one corpus folder (empty when the corpus is absent)."""
    base = CORPUS / folder
    return sorted(p for p in base.iterdir() if p.is_file()) if base.is_dir() else []


def corpus_manifest() -> dict[str, dict[str, str]]:
    """MANIFEST.tsv rows keyed by their ``file`` column (empty when the corpus is absent)."""
    path = CORPUS / "MANIFEST.tsv"
    if not path.is_file():
        return {}
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["file"]: row for row in csv.DictReader(handle, delimiter="\t")}


def corpus_params(folder: str) -> list:
    """pytest parameters over a corpus folder; one skipped placeholder when it is absent."""
    files = corpus_files(folder)
    if not files:
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"../shared/corpus/{folder} absent"))]
    return [pytest.param(p, id=p.name) for p in files]


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Tests never read the user's profile nor write the user's cache."""
    base = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("LACTLOG_CACHE_DIR", str(base / "cache"))
    monkeypatch.setenv("LACTLOG_CONFIG", str(base / "profile.toml"))


@pytest.fixture
def file_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files :mod:`lactlog.batch` reads while the test runs, in order."""
    from lactlog import batch

    reads: list[str] = []
    original = batch.read

    def counted(path, **kwargs):
        reads.append(Path(path).name)
        return original(path, **kwargs)

    monkeypatch.setattr(batch, "read", counted)
    return reads
