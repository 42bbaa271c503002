"""Types and layers as tests (STYLE.md: "architecture as a test"), run with the suite in CI.

- mypy, configured in pyproject.toml (``[tool.mypy]``), must find no error in ``src/``;
- import-linter's contracts (``[tool.importlinter]``): ``lactlog.report`` never imports
  ``lactlog.batch`` or ``lactlog.cache``; ``lactlog.analysis`` never imports ``lactlog.io``,
  ``lactlog.report`` or ``lactlog.cli``.

Both tools are in the ``test`` extra. mypy on ``src/`` takes about 20 s of CPU from a cold
cache (measured: 18 s user, 73 s wall on a 2-core machine shared by seven jobs; ~2 s warm).
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_mypy_finds_no_error_in_src():
    from mypy import api

    stdout, stderr, status = api.run(
        ["--config-file", str(ROOT / "pyproject.toml"), "--no-error-summary",
         "--cache-dir", str(ROOT / ".mypy_cache"), str(ROOT / "src")]
    )
    assert status == 0, stdout + stderr


def test_import_contracts_are_kept():
    from importlinter.cli import lint_imports

    cwd = os.getcwd()
    os.chdir(ROOT)  # lint-imports reads the contracts from ./pyproject.toml
    try:
        status = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True,
                              no_logo=True)
    finally:
        os.chdir(cwd)
    assert status == 0, "an import contract is broken: run lint-imports for the details"
