"""A cache hit imports neither pandas nor numpy (issue 13): cached results are loaded from the
cache, selected, summarised per week and rendered (JSON and the tables) without the readers or
the numeric analysis. A miss on a FIT file reads and analyses it with numpy alone: no pandas,
and not ``numpy.ma`` either (``np.median`` and ``np.unique`` import it: lactlog.analysis.clean). Nor pydantic, which typer would use for every command-line value
(lactlog.cli.coercion), on a hit or a miss; and with ``--json`` (nothing to say on stderr)
not rich either (lactlog.cli.common.LazyConsole).

Each command runs twice in a fresh interpreter with its own cache and an empty profile; the
second run (every file a hit) reports at exit which of the two modules it had loaded. The cache
key holds a hash of lactlog's source, so editing lactlog between the two runs makes the second
one a miss. (A folder holding both a watch strength session and a lifting-app export, like
sample_data/, reads those two files again on every run to merge them: not tested here.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLE = Path(__file__).parent.parent / "sample_data"

#: Runs ``lactlog`` with the arguments after ``-c``; at exit prints the heavy modules loaded.
CHILD = """
import atexit, runpy, sys
atexit.register(lambda: print("loaded:" + ",".join(
    m for m in ("numpy", "numpy.ma", "pandas", "pydantic", "rich") if m in sys.modules),
    file=sys.stderr))
sys.argv = ["lactlog", *sys.argv[1:]]
runpy.run_module("lactlog", run_name="__main__")
"""


def heavy_modules(args: list[str], tmp_path: Path) -> str:
    env = {**os.environ, "LACTLOG_CACHE_DIR": str(tmp_path / "cache"),
           "LACTLOG_CONFIG": str(tmp_path / "profile.toml"), "TZ": "UTC", "COLUMNS": "120"}
    done = subprocess.run([sys.executable, "-c", CHILD, *args], capture_output=True, text=True,
                          env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return next(line for line in done.stderr.splitlines() if line.startswith("loaded:"))


@pytest.mark.parametrize("output", [["--json"], []], ids=["json", "table"])
@pytest.mark.parametrize("command", ["analyze", "week"])
@pytest.mark.parametrize("name", ["2026-11-18-threshold-ride.fit", "2026-11-16-hiit-run.fit"])
def test_a_cache_hit_loads_neither_pandas_nor_numpy(tmp_path, name, command, output):
    args = [command, str(SAMPLE / name), *output]
    rich = "" if output else ",rich"  # the tables are rich's; JSON with nothing to say is not
    assert heavy_modules(args, tmp_path) == "loaded:numpy" + rich  # a miss reads the file
    assert heavy_modules(args, tmp_path) == "loaded:" + rich.lstrip(",")
