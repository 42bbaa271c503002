"""``lactlog config``: show or change the athlete profile."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from lactlog.cli.app import app
from lactlog.cli.common import (
    ConfigOption,
    consoles,
    load_profile,
)

config_app = typer.Typer(
    help="Show or change the athlete profile (thresholds per sport and date, analysis settings).",
    no_args_is_help=True,
)
app.add_typer(config_app, name="config")

@config_app.command("path")
def config_path(config: ConfigOption = None) -> None:
    """Print where the profile is read from and written to."""
    from lactlog.profile import default_path

    typer.echo(str(config or default_path()))


@config_app.command("show")
def config_show(
    config: ConfigOption = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the profile as JSON.")] = False,
) -> None:
    """Show the profile: thresholds by sport and date, and every analysis setting."""
    from lactlog.report.profile import profile_document, profile_renderable

    profile = load_profile(config)
    if json_output:
        sys.stdout.write(json.dumps(profile_document(profile), indent=2) + "\n")
    else:
        consoles()[0].print(profile_renderable(profile))


@config_app.command("set")
def config_set(
    key: Annotated[
        str,
        typer.Argument(
            help="sex, timezone, settings.<name>, or <group>.<field> with group run/bike/other/all "
            "and field lthr_bpm, max_hr_bpm, rest_hr_bpm, ftp_w, cp_w, w_prime_j, threshold_pace.",
            show_default=False,
        ),
    ],
    value: Annotated[str, typer.Argument(help="The new value, e.g. 172 or 4:10.", show_default=False)],
    since: Annotated[
        str | None,
        typer.Option("--from", help="Date the threshold applies from (YYYY-MM-DD). Default: today."),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Set a profile value. Thresholds are dated: a session uses the latest value on or before its date.

    [dim]Examples:[/dim]
      lactlog config set run.lthr_bpm 172 --from 2026-03-01
      lactlog config set bike.ftp_w 260
      lactlog config set sex female
      lactlog config set settings.high_min_above_lt_s 900
    """
    from datetime import date

    from lactlog.errors import ConfigError
    from lactlog.profile import save_profile, set_value

    profile = load_profile(config)
    try:
        day = date.fromisoformat(since) if since else date.today()
    except ValueError:
        raise typer.BadParameter(f"{since!r} is not a date (YYYY-MM-DD)", param_hint="--from") from None
    try:
        set_value(profile, key, value, day)
    except ConfigError as exc:
        raise typer.BadParameter(str(exc), param_hint="KEY/VALUE") from None
    path = save_profile(profile, config)
    consoles()[1].print(f"saved {key} = {value} in {path}", highlight=False, soft_wrap=True)


