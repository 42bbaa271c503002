"""The Typer application every command registers on."""

from __future__ import annotations

import inspect
from typing import Annotated

import typer

ESTIMATE_NOTE = (
    "lactlog [bold]estimates[/bold] lactate stimulus from heart rate, power, pace and set logs; "
    "it never measures blood lactate."
)

app = typer.Typer(
    name="lactlog",
    help=(
        "How much high-lactate / metabolic-stress stimulus did your training give?\n\n"
        f"{ESTIMATE_NOTE}\n\n"
        "Reads FIT (also .fit.gz), TCX, GPX and CSV exports, files or whole folders."
    ),
    rich_markup_mode="rich",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _print_version(value: bool) -> None:
    if value:
        from lactlog import __version__

        typer.echo(f"lactlog {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", help="Print lactlog's version and exit.", is_eager=True,
                     callback=_print_version),
    ] = False,
) -> None:
    """How much high-lactate / metabolic-stress stimulus did your training give?"""


def unwrap_help(text: str | None) -> str | None:
    """A docstring as help text: the lines of a paragraph joined into one (the terminal wraps
    them), so a sentence is never broken where the source line ended. A line that starts with
    white space (an example) or follows one, or follows a line ending in ":", stays a line."""
    if not text:
        return text
    paragraphs = []
    for paragraph in inspect.cleandoc(text).split("\n\n"):
        lines: list[str] = []
        for line in paragraph.splitlines():
            keep = not lines or line[:1].isspace() or lines[-1][:1].isspace() \
                or lines[-1].endswith(":")
            if keep:
                lines.append(line)
            else:
                lines[-1] = f"{lines[-1]} {line.strip()}"
        paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)


def unwrap_all_help(typer_app: typer.Typer) -> None:
    """Apply :func:`unwrap_help` to every command of ``typer_app`` and its groups."""
    for command in typer_app.registered_commands:
        command.help = unwrap_help(command.help or inspect.getdoc(command.callback))
    for group in typer_app.registered_groups:
        if group.typer_instance is not None:
            unwrap_all_help(group.typer_instance)
