"""``lactlog analyze --json`` over every real file of the shared corpus, through the installed
command (``python -m lactlog`` in a subprocess, as a user runs it).

Every file of ../shared/corpus/{fit,fit-broken,csv,tcx-gpx} must give at least one session or
exactly one error with a one-line message; no traceback; the JSON must be valid (no NaN or
Infinity); the exit code is 1 exactly when some file failed. And no input is ever modified:
corpus and sample_data files are byte-identical (sha256) after ``analyze``, ``show`` and ``week``.

Runtime: about 15 s (one analyze over the corpus, the other commands mostly from the cache).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from conftest import CORPUS, REPO_ROOT, corpus_params

FOLDERS = ("fit", "fit-broken", "csv", "tcx-gpx")
SAMPLE = REPO_ROOT / "sample_data"


def _strict_json(text: str):
    def reject(constant: str):
        raise ValueError(f"{constant} in JSON output")

    return json.loads(text, parse_constant=reject)


def _hashes(paths: list[Path]) -> dict[Path, str]:
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def _inputs() -> list[Path]:
    corpus = [p for f in FOLDERS if (CORPUS / f).is_dir() for p in sorted((CORPUS / f).iterdir())]
    return [p for p in corpus + sorted(SAMPLE.iterdir()) if p.is_file()]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The commands' results, with the inputs' hashes before and after them all."""
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus absent")
    base = tmp_path_factory.mktemp("corpus-cli")
    env = {**os.environ, "LACTLOG_CACHE_DIR": str(base / "cache"),
           "LACTLOG_CONFIG": str(base / "profile.toml")}
    before = _hashes(_inputs())

    def lactlog(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "lactlog", *args], capture_output=True,
                              text=True, env=env, timeout=300, check=False)

    folders = [str(CORPUS / f) for f in FOLDERS if (CORPUS / f).is_dir()]
    corpus_fit = min((CORPUS / "fit").glob("*.fit"))
    sample_fit = min(SAMPLE.glob("*.fit"))
    results = {
        "analyze": lactlog("analyze", "--json", *folders),
        "week": lactlog("week", "--json", *folders),
        "show": lactlog("show", "--json", str(corpus_fit)),
        "sample analyze": lactlog("analyze", "--json", str(SAMPLE)),
        "sample week": lactlog("week", "--json", str(SAMPLE)),
        "sample show": lactlog("show", "--json", str(sample_fit)),
    }
    return {"results": results, "before": before, "after": _hashes(_inputs())}


@pytest.fixture(scope="module")
def analyzed(runs: dict) -> dict:
    """The analyze --json document, and per file: its sessions and its errors."""
    result = runs["results"]["analyze"]
    document = _strict_json(result.stdout)
    sessions = Counter(Path(s["source"]) for s in document["sessions"])
    errors: dict[Path, list[str]] = {}
    for error in document["errors"]:
        errors.setdefault(Path(error["source"]), []).append(error["error"])
    return {"result": result, "document": document, "sessions": sessions, "errors": errors}


def test_analyze_over_the_corpus_has_no_traceback_and_valid_json(analyzed: dict) -> None:
    result, document = analyzed["result"], analyzed["document"]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert document["schema_version"]
    assert result.returncode == (1 if document["errors"] else 0), result.stderr[-3000:]
    for error in document["errors"]:  # an internal error is a crash, caught and reported
        assert "internal error" not in error["error"], error


def test_every_corpus_file_was_considered(analyzed: dict) -> None:
    seen = set(analyzed["sessions"]) | set(analyzed["errors"])
    files = {p for f in FOLDERS for p in (CORPUS / f).iterdir() if p.is_file()}
    assert files <= seen, sorted(p.name for p in files - seen)


@pytest.mark.parametrize("path", [p for f in FOLDERS for p in corpus_params(f)])
def test_each_file_gives_sessions_or_one_error(analyzed: dict, path: Path) -> None:
    sessions, errors = analyzed["sessions"][path], analyzed["errors"].get(path, [])
    if sessions:
        assert not errors, errors
        return
    assert len(errors) == 1, f"{sessions} sessions, errors {errors}"
    message = errors[0]
    assert message.strip() and "\n" not in message, repr(message)


OTHER_COMMANDS = ["week", "show", "sample analyze", "sample week", "sample show"]


@pytest.mark.parametrize("command", OTHER_COMMANDS)
def test_other_commands_valid_json_no_traceback(runs: dict, command: str) -> None:
    result = runs["results"][command]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    document = _strict_json(result.stdout)
    expected = 1 if document.get("errors") else 0
    assert result.returncode == expected, result.stderr[-3000:]


def test_no_input_file_was_modified(runs: dict) -> None:
    """analyze, show and week read the corpus and sample_data; every file is byte-identical."""
    before, after = runs["before"], runs["after"]
    assert before.keys() == after.keys()
    changed = [p.name for p in before if before[p] != after[p]]
    assert not changed
    assert any(p.parent == SAMPLE for p in before)
