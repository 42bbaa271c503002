"""The ``lactlog`` command line: parse options, call the library, render. Nothing else.

Heavy modules (pandas, numpy, fitparse) are imported inside commands so ``lactlog --help``
starts fast.
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from lactlog.errors import ExitCode

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


class Decoder(str, Enum):
    """FIT decoder choice."""

    lactlog = "lactlog"
    fitparse = "fitparse"


def _consoles():
    from rich.console import Console

    return Console(), Console(stderr=True)


ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        envvar="LACTLOG_CONFIG",
        help="Profile file (TOML). Default: lactlog/profile.toml in your user config folder.",
        show_default=False,
    ),
]


LthrOption = Annotated[
    float | None,
    typer.Option("--lthr", help="Lactate-threshold heart rate [bpm] for every session.", min=30, max=240),
]
FtpOption = Annotated[
    float | None, typer.Option("--ftp", help="Functional threshold power [W].", min=1)
]
CpOption = Annotated[float | None, typer.Option("--cp", help="Critical power [W].", min=1)]
WPrimeOption = Annotated[
    float | None, typer.Option("--w-prime", help="W' (work above CP) [J], e.g. 20000.", min=1)
]
MaxHrOption = Annotated[
    float | None, typer.Option("--max-hr", help="Maximum heart rate [bpm].", min=60, max=250)
]
PaceOption = Annotated[
    str | None,
    typer.Option("--threshold-pace", help="Threshold pace as min:sec per km, e.g. 4:10."),
]


def _analysis_options(config, lthr, ftp, cp, w_prime, max_hr, threshold_pace):
    """Profile + command-line thresholds (flags win over everything)."""
    from lactlog.analysis.options import AnalysisOptions
    from lactlog.errors import ConfigError
    from lactlog.profile import pace_to_speed_mps

    speed = None
    if threshold_pace is not None:
        try:
            speed = pace_to_speed_mps(threshold_pace)
        except ConfigError as exc:
            raise typer.BadParameter(str(exc), param_hint="--threshold-pace") from None
    flags = {
        "lthr_bpm": lthr, "ftp_w": ftp, "cp_w": cp, "w_prime_j": w_prime,
        "max_hr_bpm": max_hr, "threshold_speed_mps": speed,
    }
    return AnalysisOptions.from_profile(
        _load_profile(config), {k: v for k, v in flags.items() if v is not None}
    )


@app.command()
def analyze(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Files or folders (searched recursively) to analyse.", show_default=False),
    ],
    json_output: Annotated[
        bool, typer.Option("--json", help="Print one JSON document on stdout instead of a table.")
    ] = False,
    decoder: Annotated[
        Decoder,
        typer.Option(help="FIT decoder: lactlog's fast columnar one, or fitparse (reference)."),
    ] = Decoder.lactlog,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show per-file warnings and error tracebacks.")
    ] = False,
    config: ConfigOption = None,
    lthr: LthrOption = None,
    ftp: FtpOption = None,
    cp: CpOption = None,
    w_prime: WPrimeOption = None,
    max_hr: MaxHrOption = None,
    threshold_pace: PaceOption = None,
) -> None:
    """Analyse sessions: one row per session found in PATHS, then the lactate stimulus of each
    endurance session (HIGH / MODERATE / LOW, with the reasons).

    Thresholds come from the flags, else the profile (lactlog config), else what the device
    recorded in the file, else an estimate; the output says which.

    [dim]Examples:[/dim]
      lactlog analyze sample_data/
      lactlog analyze ride.fit.gz run.tcx --json | jq '.sessions[].timer_s'
    """
    from lactlog.batch import analyse_paths
    from lactlog.io import find_inputs
    from lactlog.report.jsondoc import analyze_document
    from lactlog.report.tables import sessions_table, stimulus_table

    options = _analysis_options(config, lthr, ftp, cp, w_prime, max_hr, threshold_pace)
    out, err = _consoles()
    files = find_inputs(paths)
    if not files:
        err.print(
            "[red]error:[/red] no supported files (FIT, TCX, GPX, CSV) under "
            + ", ".join(map(str, paths)),
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(ExitCode.INPUT_FAILED)
    with _progress(err, total=len(files)) as advance:
        result = analyse_paths(files, decoder=decoder.value, on_file=advance, options=options)
    for failure in result.errors:
        err.print(
            f"[red]error:[/red] {failure.source}: {failure.error}", highlight=False, soft_wrap=True
        )
        if verbose and failure.detail:
            err.print(failure.detail, markup=False, highlight=False)
    _report_warnings(err, result.sessions, verbose)
    if json_output:
        sys.stdout.write(json.dumps(analyze_document(result), indent=2, ensure_ascii=False) + "\n")
    elif result.sessions:
        out.print(sessions_table(result.sessions, width=out.width))
        if any(s.endurance for s in result.sessions):
            out.print(stimulus_table(result.sessions))
    raise typer.Exit(ExitCode.INPUT_FAILED if result.errors else ExitCode.OK)


def _report_warnings(err, sessions, verbose: bool) -> None:
    with_warnings = [s for s in sessions if s.warnings]
    if verbose:
        for s in with_warnings:
            for warning in s.warnings:
                err.print(
                    f"[yellow]warning:[/yellow] {s.source}: {warning}",
                    highlight=False,
                    soft_wrap=True,
                )
    elif with_warnings:
        err.print(
            f"[yellow]note:[/yellow] {len(with_warnings)} session(s) have warnings "
            "(see --verbose or the JSON output)",
            highlight=False,
        )


class _progress:
    """A progress bar on stderr for batches, only when stderr is a terminal."""

    def __init__(self, console, total: int) -> None:
        self.console, self.total, self.bar = console, total, None

    def __enter__(self):
        if self.total < 2 or not self.console.is_terminal:
            return lambda _path: None
        from rich.progress import Progress

        self.bar = Progress(console=self.console, transient=True)
        self.bar.start()
        task = self.bar.add_task("Reading", total=self.total)
        return lambda _path: self.bar.advance(task)

    def __exit__(self, *exc_info) -> None:
        if self.bar is not None:
            self.bar.stop()


config_app = typer.Typer(
    help="Show or change the athlete profile (thresholds per sport and date, analysis settings).",
    no_args_is_help=True,
)
app.add_typer(config_app, name="config")

def _load_profile(path: Path | None):
    from lactlog.errors import ConfigError
    from lactlog.profile import load_profile

    try:
        return load_profile(path)
    except ConfigError as exc:
        _consoles()[1].print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(ExitCode.USAGE) from None


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

    profile = _load_profile(config)
    if json_output:
        sys.stdout.write(json.dumps(profile_document(profile), indent=2) + "\n")
    else:
        _consoles()[0].print(profile_renderable(profile))


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

    profile = _load_profile(config)
    try:
        day = date.fromisoformat(since) if since else date.today()
    except ValueError:
        raise typer.BadParameter(f"{since!r} is not a date (YYYY-MM-DD)", param_hint="--from") from None
    try:
        set_value(profile, key, value, day)
    except ConfigError as exc:
        raise typer.BadParameter(str(exc), param_hint="KEY/VALUE") from None
    path = save_profile(profile, config)
    _consoles()[1].print(f"saved {key} = {value} in {path}", highlight=False, soft_wrap=True)


def main() -> None:
    """Console-script entry point: run the app; Ctrl-C exits with 130."""
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(ExitCode.INTERRUPTED)
