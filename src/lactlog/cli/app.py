"""The Typer application every command registers on."""

from __future__ import annotations

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
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """How much high-lactate / metabolic-stress stimulus did your training give?"""
