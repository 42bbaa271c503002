"""The ``lactlog`` command line: parse options, call the library, render. Nothing else.

One module per command; :mod:`lactlog.cli.common` holds what they share. Heavy modules (pandas,
numpy, fitparse) are imported inside commands so ``lactlog --help`` starts fast.
"""

from __future__ import annotations

import sys

from lactlog.cli import (  # noqa: F401
    analyze,
    cache,
    config,
    lactate_test,
    report,
    show,
    thresholds,
    week,
)
from lactlog.cli.app import app
from lactlog.errors import ExitCode

__all__ = ["app", "main"]


def main() -> None:
    """Console-script entry point: run the app; Ctrl-C exits with 130."""
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(ExitCode.INTERRUPTED)
    except SystemExit as exc:  # Typer turns Ctrl-C into a silent exit 130
        if exc.code == ExitCode.INTERRUPTED:
            sys.stderr.write("interrupted\n")
        raise
