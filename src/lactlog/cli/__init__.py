"""The ``lactlog`` command line: parse options, call the library, render. Nothing else.

One module per command; :mod:`lactlog.cli.common` holds what they share. Heavy modules (pandas,
numpy, fitparse) are imported inside commands so ``lactlog --help`` starts fast.
"""

from __future__ import annotations

import copy
import os
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

__all__ = ["app", "app_for", "main"]


def _command_name(info) -> str | None:
    from typer.main import get_command_name

    if info.name:
        return info.name
    callback = info.callback
    return get_command_name(callback.__name__) if callback is not None else None


def app_for(args: list[str]):
    """The app to run ``args`` with: when ``args`` start with the name of one of the commands
    (or command groups), the app with only that one, so Typer builds one command and not all
    of them (a tenth of a cache hit's time: every parameter of every command is inspected);
    else, and while the shell completes a command line, the whole app. What the command does
    and prints is the same either way; only the root's own help and errors (which list the
    commands) need them all, and those start without a command name."""
    if not args or any(name.endswith("_COMPLETE") for name in os.environ):
        return app
    commands = [c for c in app.registered_commands if _command_name(c) == args[0]]
    groups = [g for g in app.registered_groups if g.name == args[0]]
    if len(commands) + len(groups) != 1:
        return app
    slim = copy.copy(app)
    slim.registered_commands = commands
    slim.registered_groups = groups
    return slim


def main() -> None:
    """Console-script entry point: run the app; Ctrl-C exits with 130."""
    try:
        app_for(sys.argv[1:])()
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(ExitCode.INTERRUPTED)
    except SystemExit as exc:  # Typer turns Ctrl-C into a silent exit 130
        if exc.code == ExitCode.INTERRUPTED:
            sys.stderr.write("interrupted\n")
        raise
