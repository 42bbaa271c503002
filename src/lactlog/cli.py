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


JsonOption = Annotated[
    bool, typer.Option("--json", help="Print one JSON document on stdout instead of text.")
]
DecoderOption = Annotated[
    Decoder,
    typer.Option(help="FIT decoder: lactlog's fast columnar one, or fitparse (reference)."),
]


def _read_file(path: Path, decoder: Decoder, err) -> list:
    """Read one file; an unreadable file is one red line on stderr and exit code 1."""
    from lactlog.errors import LactlogError
    from lactlog.io import read

    try:
        return read(path, decoder=decoder.value)
    except LactlogError as exc:
        err.print(f"[red]error:[/red] {path}: {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(ExitCode.INPUT_FAILED) from None


@app.command()
def show(
    file: Annotated[
        Path, typer.Argument(help="A FIT (also .fit.gz), TCX, GPX or CSV file.", show_default=False)
    ],
    session: Annotated[
        int, typer.Option("--session", help="Which session of a multisport file (1 = first).", min=1)
    ] = 1,
    json_output: JsonOption = False,
    decoder: DecoderOption = Decoder.lactlog,
    config: ConfigOption = None,
    lthr: LthrOption = None,
    ftp: FtpOption = None,
    cp: CpOption = None,
    w_prime: WPrimeOption = None,
    max_hr: MaxHrOption = None,
    threshold_pace: PaceOption = None,
) -> None:
    """Show one session in depth: thresholds and their sources, the stimulus verdict and why,
    time in zones, hard intervals, W' balance, load, and charts of heart rate and power.

    [dim]Examples:[/dim]
      lactlog show sample_data/2026-11-16-hiit-run.fit --lthr 172
      lactlog show triathlon.fit --session 2
      lactlog show ride.fit.gz --json | jq '.series.power_w'
    """
    from lactlog.analysis.series import session_series
    from lactlog.analysis.session import summarize
    from lactlog.report.chart import chart_columns
    from lactlog.report.show import show_document, show_renderable

    options = _analysis_options(config, lthr, ftp, cp, w_prime, max_hr, threshold_pace)
    out, err = _consoles()
    activities = _read_file(file, decoder, err)
    if session > len(activities):
        count = len(activities)
        raise typer.BadParameter(
            f"{file} holds {count} session{'s' if count != 1 else ''}; "
            f"use a number from 1 to {count}",
            param_hint="--session",
        )
    activity = activities[session - 1]
    summary = summarize(activity, options)
    session_thresholds = summary.endurance.thresholds if summary.endurance else None
    if json_output:
        series = session_series(activity, options.settings, session_thresholds)
        sys.stdout.write(
            json.dumps(show_document(summary, series), indent=2, ensure_ascii=False) + "\n"
        )
        return
    width = out.width
    series = session_series(
        activity, options.settings, session_thresholds, max_buckets=chart_columns(width)
    )
    out.print(show_renderable(summary, series, width, len(activities)))


class SportGroup(str, Enum):
    """Sport group whose sessions an estimate uses (and where --save stores it)."""

    run = "run"
    bike = "bike"
    other = "other"


@app.command()
def thresholds(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Files or folders (searched recursively): your training history.",
                       show_default=False),
    ],
    save: Annotated[
        bool, typer.Option("--save", help="Write the estimates into the profile, dated today.")
    ] = False,
    sport: Annotated[
        SportGroup | None,
        typer.Option(
            "--sport",
            help="Use only this sport's sessions and save into its group. Default: power from "
            "bike sessions (saved under bike), heart rate from all (saved under all).",
            show_default=False,
        ),
    ] = None,
    cp_durations: Annotated[
        str,
        typer.Option("--cp-durations",
                     help="Durations [min] of the best powers the CP/W' fit uses, 3–20 min."),
    ] = "3,5,12,20",
    json_output: JsonOption = False,
    decoder: DecoderOption = Decoder.lactlog,
    config: ConfigOption = None,
) -> None:
    """Estimate FTP, LTHR, CP and W', and maximum heart rate from your history, with the
    sessions and windows each estimate comes from.

    FTP = 0.95 × best 20-min power; LTHR = last 20 min of the best 30-min heart-rate effort
    (Friel), else 0.95 × best 20-min heart rate; CP/W' = linear work–time fit of best powers;
    max HR = highest 5-s heart rate. Training sessions are rarely all-out: check the evidence.

    [dim]Examples:[/dim]
      lactlog thresholds ~/activities/2026/
      lactlog thresholds runs/ --sport run --save
    """
    from lactlog.analysis.estimate import estimate_thresholds
    from lactlog.io import find_inputs
    from lactlog.report.estimates import estimates_document, estimates_renderable

    profile = _load_profile(config)
    durations_s = _cp_durations_s(cp_durations)
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
    bests, n_failed = _history_bests(files, decoder, profile, durations_s, err)
    report = estimate_thresholds(bests, sport.value if sport else None, durations_s)
    saved = _save_estimates(profile, report, config, err) if save else None
    if json_output:
        document = estimates_document(report, saved)
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    else:
        out.print(estimates_renderable(report))
    raise typer.Exit(ExitCode.INPUT_FAILED if n_failed else ExitCode.OK)


def _cp_durations_s(text: str) -> tuple[int, ...]:
    from lactlog.analysis.estimate import check_cp_durations

    try:
        return check_cp_durations(round(float(part) * 60) for part in text.split(",") if part)
    except ValueError as exc:
        raise typer.BadParameter(
            f"{text!r}: {exc} (comma-separated minutes, e.g. 3,5,12,20)", param_hint="--cp-durations"
        ) from None


def _history_bests(files, decoder: Decoder, profile, durations_s, err) -> tuple[list, int]:
    """Best-effort windows of every session in ``files``; unreadable files -> stderr lines."""
    from lactlog.analysis.endurance import cleaning_rules
    from lactlog.analysis.estimate import FTP_WINDOW_S, session_bests
    from lactlog.errors import LactlogError
    from lactlog.io import read
    from lactlog.settings import settings_from

    rules = cleaning_rules(settings_from(profile.settings))
    bests, n_failed = [], 0
    with _progress(err, total=len(files)) as advance:
        for path in files:
            try:
                activities = read(path, decoder=decoder.value)
            except LactlogError as exc:
                err.print(f"[red]error:[/red] {path}: {exc}", highlight=False, soft_wrap=True)
                n_failed += 1
            else:
                bests.extend(session_bests(a, rules, (FTP_WINDOW_S, *durations_s)) for a in activities)
            advance(path)
    return bests, n_failed


def _save_estimates(profile, report, config: Path | None, err) -> dict | None:
    """Store the usable estimates in the profile, dated today; say what went where."""
    from datetime import date

    from lactlog.profile import save_profile, set_value

    values = report.values_to_save()
    if not values:
        err.print("nothing saved: no threshold could be estimated", highlight=False)
        return None
    today = date.today()
    for key, value in values.items():
        set_value(profile, key, str(value), today)
    path = save_profile(profile, config)
    for key, value in values.items():
        err.print(f"saved {key} = {value} (from {today}) in {path}", highlight=False, soft_wrap=True)
    return {"path": str(path), "since": today.isoformat(), "values": values}


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
