"""The Typer application every command registers on."""

from __future__ import annotations

import inspect
import os
import re
import typing
from typing import Annotated

import typer
from typer.core import TyperGroup

#: lactlog's numpy work is element-wise or on tiny matrices (curve fits of a few points), so a
#: threaded BLAS only costs start-up time: OpenBLAS starts a thread per core when numpy is imported
#: (about 50 ms of ``import numpy`` on 2 cores). Set here, before any command imports numpy
#: (typer does not), unless the user chose a value; the worker processes inherit it.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")


ESTIMATE_NOTE = (
    "lactlog [bold]estimates[/bold] lactate stimulus from heart rate, power, pace and set logs; "
    "it never measures blood lactate."
)


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


#: A "[" that does not open one of the style tags lactlog's help texts use, nor is escaped.
_UNIT_BRACKET = re.compile(r"(?<!\\)\[(?!/?(?:dim|bold|italic|red|yellow|green)\])")


def escape_brackets(text: str | None) -> str | None:
    """Help text with every "[" that is not a style tag escaped, so Rich shows "[bpm]",
    "[min]" instead of taking them for markup (idempotent)."""
    return text if not text else _UNIT_BRACKET.sub(r"\\[", text)


def fix_help(command: typing.Any) -> None:
    """:func:`unwrap_help` and :func:`escape_brackets` on the help of ``command``, its
    parameters and every command below it: one place for all commands, present and future."""
    command.help = escape_brackets(unwrap_help(command.help))
    for parameter in command.params:
        if getattr(parameter, "help", None):
            parameter.help = escape_brackets(parameter.help)  # type: ignore[attr-defined]
    for sub in getattr(command, "commands", {}).values():
        fix_help(sub)


class PlainGroup(TyperGroup):
    """A group whose commands' ``--help`` options convert their values without pydantic
    (:mod:`lactlog.cli.coercion`), as the other parameters do."""

    def get_params(self, ctx: typing.Any) -> list[typing.Any]:
        """The group's parameters, including those Typer and click add after building it (shell
        completion, ``--help``)."""
        from lactlog.cli.coercion import install_one

        params = super().get_params(ctx)
        for parameter in params:
            install_one(parameter)
        return params

    def resolve_command(self, ctx: typing.Any, args: list[str]) -> typing.Any:
        from lactlog.cli.coercion import install_help

        name, command, rest = super().resolve_command(ctx, args)
        if command is not None:
            install_help(command, ctx)
        return name, command, rest


class HelpGroup(PlainGroup):
    """The root group: fixes the help of the whole command tree once Typer has built it, and
    gives its parameters converters that need no pydantic for plain values
    (:mod:`lactlog.cli.coercion`)."""

    def __init__(self, *args: typing.Any, **kwargs: typing.Any) -> None:
        from lactlog.cli.coercion import install

        super().__init__(*args, **kwargs)
        fix_help(self)
        install(self)


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
    cls=HelpGroup,
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
