"""Golden JSON outputs for sample_data/: ``analyze --json``, ``week --json`` and ``show --json``
must print what ``tests/golden/*.json`` holds (volatile fields left out, floats to 6 decimals;
see :mod:`lactlog.testing.golden`). After an intended change: ``python scripts/update_golden.py``
and review the diff."""

from __future__ import annotations

import json

import pytest

from conftest import REPO_ROOT
from lactlog.testing.golden import COMMANDS, golden_dir, golden_outputs

GOLDEN_DIR = golden_dir(REPO_ROOT)


@pytest.fixture(scope="module")
def outputs():
    return golden_outputs(REPO_ROOT)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_output_matches_golden_file(outputs, name):
    path = GOLDEN_DIR / name
    assert path.exists(), f"{path} missing: run python scripts/update_golden.py"
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert outputs[name] == expected, (
        f"lactlog {' '.join(COMMANDS[name])} differs from {path.name}; if the change is intended, "
        "run python scripts/update_golden.py and review git diff tests/golden"
    )
