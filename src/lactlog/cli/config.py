"""``lactlog config``: show or change the athlete profile."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from lactlog.cli.app import PlainGroup, app
from lactlog.cli.common import (
    ConfigOption,
    consoles,
    load_profile,
)

config_app = typer.Typer(
    help="Show or change the athlete profile (thresholds per sport and date, analysis settings).",
    no_args_is_help=True,
    cls=PlainGroup,
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


@config_app.command("set", context_settings={"ignore_unknown_options": True})
def config_set(
    key: Annotated[
        str,
        typer.Argument(
            help="sex, timezone, settings.<name>, or <group>.<field> with group run (running), "
            "bike (cycling, ride), swim (swimming), other or all, and field lthr_bpm, max_hr_bpm, "
            "rest_hr_bpm, ftp_w, cp_w, w_prime_j, threshold_pace.",
            show_default=False,
        ),
    ],
    value: Annotated[str, typer.Argument(help="The new value, e.g. 172 or 4:10.", show_default=False)],
    since: Annotated[
        str | None,
        typer.Option("--from", help="Date the threshold applies from (YYYY-MM-DD). Default: "
                     "undated, it applies to every session (dated values still win from their "
                     "date on)."),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Set a profile value, checked by the same rules as the command-line flags.

    A threshold without --from applies to every session; with --from it applies from that date on
    (a session uses the latest value on or before its date, else the undated one).

    [dim]Examples:[/dim]
      lactlog config set bike.ftp_w 260
      lactlog config set run.lthr_bpm 172 --from 2026-03-01
      lactlog config set sex female
      lactlog config set settings.high_min_above_lt_s 900
    """
    from lactlog.cli.common import parse_date
    from lactlog.errors import ConfigError
    from lactlog.profile import save_profile, set_value

    if key.startswith("-"):
        raise typer.BadParameter(f"no such option: {key}", param_hint="KEY")
    day = parse_date(since, "--from")
    profile = load_profile(config, must_exist=False)
    try:
        stored_key, stored = set_value(profile, key, value, day)
    except ConfigError as exc:
        raise typer.BadParameter(str(exc), param_hint="VALUE") from None
    path = save_profile(profile, config)
    applies = "" if stored_key.split(".")[0] in ("sex", "timezone", "settings") else (
        f" (from {day.isoformat()} on)" if day else " (undated: every session)")
    consoles()[1].print(f"saved {stored_key} = {stored!r}{applies} in {path}", markup=False,
                        highlight=False, soft_wrap=True)
