"""Golden JSON outputs of the sample data (csvkit's habit): what ``analyze --json``,
``week --json`` and ``show --json`` print for ``sample_data/``, stored in ``tests/golden/``.

:func:`golden_outputs` runs each command in-process (Typer's CliRunner) with an empty profile,
no cache, one process and the machine's zone fixed to UTC, and :func:`normalise` drops what
may differ between machines and releases (lactlog's version, timings, absolute paths) and
rounds floats to :data:`DIGITS` decimals (the last bits of a float sum differ between numpy
builds). ``tests/test_golden.py`` compares; ``python scripts/update_golden.py`` rewrites the
files after an intended change (review the diff before committing it).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

#: Golden file name -> command line (paths relative to the repository root).
COMMANDS: dict[str, list[str]] = {
    "analyze.json": ["analyze", "sample_data", "--json", "--jobs", "1"],
    "week.json": ["week", "sample_data", "--json", "--jobs", "1"],
    "show-hiit-run.json": ["show", "sample_data/2026-11-16-hiit-run.fit", "--json"],
    "show-threshold-ride.json": ["show", "sample_data/2026-11-18-threshold-ride.fit", "--json"],
}
#: Keys whose values depend on the machine or the release, not on the analysis.
VOLATILE_KEYS = frozenset({"version", "lactlog_version", "generated", "generated_at",
                           "elapsed_s", "timings", "cache_hits"})
#: Decimals floats are compared to.
DIGITS = 6


def normalise(value: Any, root: Path) -> Any:
    """``value`` without volatile keys, floats rounded to :data:`DIGITS` decimals, absolute
    paths under the repository ``root`` made relative."""
    if isinstance(value, dict):
        return {k: normalise(v, root) for k, v in value.items() if k not in VOLATILE_KEYS}
    if isinstance(value, list):
        return [normalise(v, root) for v in value]
    if isinstance(value, float):
        return round(value, DIGITS) + 0.0  # + 0.0: -0.0 -> 0.0
    if isinstance(value, str) and value.startswith(str(root)):
        return value[len(str(root)) + 1 :]
    return value


def golden_dir(root: Path) -> Path:
    """Where the golden files of the repository at ``root`` live. The root is always passed in:
    an installed lactlog (``pip install .``, as in CI) is not inside the repository."""
    return root / "tests" / "golden"


@contextmanager
def _fixed_environment(root: Path) -> Iterator[dict[str, str]]:
    """An empty profile, a throw-away cache, the repository as working folder, TZ=UTC."""
    saved_cwd, saved_tz = os.getcwd(), os.environ.get("TZ")
    with tempfile.TemporaryDirectory() as tmp:
        env = {"LACTLOG_CONFIG": str(Path(tmp) / "profile.toml"),
               "LACTLOG_CACHE_DIR": str(Path(tmp) / "cache"), "COLUMNS": "200"}
        os.chdir(root)
        os.environ["TZ"] = "UTC"
        time.tzset()
        try:
            yield env
        finally:
            os.chdir(saved_cwd)
            if saved_tz is None:
                os.environ.pop("TZ", None)
            else:
                os.environ["TZ"] = saved_tz
            time.tzset()


def golden_outputs(root: Path) -> dict[str, Any]:
    """Golden file name -> the normalised JSON document its command prints now, run in the
    repository at ``root`` (``sample_data/`` below it)."""
    from typer.testing import CliRunner

    from lactlog.cli import app

    outputs: dict[str, Any] = {}
    with _fixed_environment(root) as env:
        runner = CliRunner()
        for name, args in COMMANDS.items():
            result = runner.invoke(app, args, env=env)
            if result.exit_code != 0:
                raise RuntimeError(f"lactlog {' '.join(args)}: exit code {result.exit_code}\n"
                                   f"{result.stderr}")
            outputs[name] = normalise(json.loads(result.stdout), root)
    return outputs


def dumps(document: Any) -> str:
    """A golden file's text: indented, keys in output order, one newline at the end."""
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"
