"""Pieces every command shares: consoles, option types, profile loading, progress, errors."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from typer.exceptions import TyperException

from lactlog.errors import ExitCode


class Decoder(str, Enum):
    """FIT decoder choice."""

    lactlog = "lactlog"
    fitparse = "fitparse"


class LazyConsole:
    """A rich ``Console`` made on first use (every attribute is the console's): a command that
    prints only JSON and has nothing to say on stderr never imports rich (issue 13)."""

    def __init__(self, **options) -> None:
        self._options = options
        self._console = None

    @property
    def console(self):
        """The rich console itself (made now if not yet)."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return self._console

    def __getattr__(self, name: str):
        return getattr(self.console, name)

    def surely_not_a_terminal(self) -> bool:
        """True when rich would certainly find no terminal, told without making the console:
        a stream that says it is no TTY, and neither TTY_COMPATIBLE nor FORCE_COLOR set (which
        rich heeds). False means "ask rich"."""
        import os

        if self._console is not None or set(self._options) - {"stderr", "emoji"}:
            return False
        if "TTY_COMPATIBLE" in os.environ or "FORCE_COLOR" in os.environ:
            return False
        stream = sys.stderr if self._options.get("stderr") else sys.stdout
        isatty = getattr(stream, "isatty", None)
        try:
            return isatty is not None and isatty() is False
        except ValueError:
            return False


def consoles():
    """(stdout, stderr) consoles (:class:`LazyConsole`: rich is imported when one is used).
    Emoji codes are off: a file name or a note holding ":x:" stays ":x:". Diagnostics on stderr
    go through :func:`say`, never through markup."""
    return LazyConsole(emoji=False), LazyConsole(stderr=True, emoji=False)


#: Styles of the labels :func:`say` puts before a diagnostic.
_LABEL_STYLES = {"error": "red", "warning": "yellow", "note": "yellow", "left out": "yellow",
                 "duplicate": "yellow"}


def say(console, label: str, message: object) -> None:
    """One diagnostic line: ``label:`` (coloured, e.g. ``error``) and ``message`` as plain text.

    The message is a rich ``Text``, so nothing in it is read as markup or an emoji code: a path,
    a column name, a note or an exercise name holding ``[/b]`` is printed as it is and can never
    fail the command (``rich.errors.MarkupError``). No label: the message alone.
    """
    from rich.text import Text

    text = Text(str(message))
    if label:
        text = Text.assemble((f"{label}:", _LABEL_STYLES.get(label, "")), " ", text)
    console.print(text, highlight=False, soft_wrap=True)


ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="Profile file (TOML); it must exist (lactlog config set … --config PATH creates "
        "one). Default: $LACTLOG_CONFIG, else lactlog/profile.toml in your user config folder "
        "(an empty profile while that file does not exist).",
        show_default=False,
    ),
]


def _threshold_callback(field: str):
    """A flag's check: the same rule as the profile's (:func:`lactlog.profile.check_threshold`)."""

    def check(value):
        if value is None:
            return None
        from lactlog.errors import ConfigError
        from lactlog.profile import check_threshold

        try:
            checked = check_threshold(field, value)
        except ConfigError as exc:
            raise typer.BadParameter(str(exc)) from None
        return checked if field == "threshold_pace" else float(checked)

    return check


def _threshold_option(flag: str, field: str, text: str):
    return typer.Option(flag, help=text, callback=_threshold_callback(field), show_default=False)


LthrOption = Annotated[
    float | None,
    _threshold_option("--lthr", "lthr_bpm", "Lactate-threshold heart rate \\[bpm] for every session."),
]
FtpOption = Annotated[
    float | None, _threshold_option("--ftp", "ftp_w", "Functional threshold power \\[W].")
]
CpOption = Annotated[float | None, _threshold_option("--cp", "cp_w", "Critical power \\[W].")]
WPrimeOption = Annotated[
    float | None,
    _threshold_option("--w-prime", "w_prime_j", "W' (work above CP) \\[J], e.g. 20000."),
]
MaxHrOption = Annotated[
    float | None, _threshold_option("--max-hr", "max_hr_bpm", "Maximum heart rate \\[bpm].")
]
PaceOption = Annotated[
    str | None,
    _threshold_option("--threshold-pace", "threshold_pace",
                      "Threshold pace as min:sec per km, e.g. 4:10 (2:00 to 15:00)."),
]


def _sport_callback(value: str | None) -> str | None:
    if value is None:
        return None
    from lactlog.errors import ConfigError
    from lactlog.profile import parse_sport

    try:
        return parse_sport(value)
    except ConfigError as exc:
        raise typer.BadParameter(str(exc)) from None


def _sport_completion(incomplete: str) -> list[str]:
    from lactlog.profile import sport_names

    return [name for name in sport_names() if name.startswith(incomplete)]


SPORT_HELP = "run (running), bike (cycling, ride), swim (swimming) or other"


def sport_option(text: str):
    """``--sport``: a sport group or alias (one set of names, :func:`lactlog.profile.parse_sport`)."""
    return typer.Option("--sport", help=text, callback=_sport_callback,
                        autocompletion=_sport_completion, show_default=False)


SportOption = Annotated[str | None, sport_option(f"Only this sport: {SPORT_HELP}.")]
#: ``--sport`` of the commands with a fitness/fatigue (PMC) figure.
PmcSportOption = Annotated[
    str | None,
    sport_option(f"Only this sport: {SPORT_HELP}. CTL/ATL are then that sport's alone."),
]
SinceOption = Annotated[
    str | None,
    typer.Option("--since", help="Only sessions on or after this local date (YYYY-MM-DD)."),
]
UntilOption = Annotated[
    str | None,
    typer.Option("--until", help="Only sessions on or before this local date (YYYY-MM-DD)."),
]


def parse_date(value: str | None, option: str):
    """``YYYY-MM-DD`` -> date (None stays None); anything else is a usage error naming the flag."""
    from datetime import date

    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=option) from None


def analysis_options(config, lthr, ftp, cp, w_prime, max_hr, threshold_pace):
    """Profile + command-line thresholds (flags win over everything; all already checked)."""
    from lactlog.analysis.options import AnalysisOptions
    from lactlog.profile import pace_to_speed_mps

    speed = None if threshold_pace is None else pace_to_speed_mps(threshold_pace)
    flags = {
        "lthr_bpm": lthr, "ftp_w": ftp, "cp_w": cp, "w_prime_j": w_prime,
        "max_hr_bpm": max_hr, "threshold_speed_mps": speed,
    }
    profile = load_profile(config)
    check_flag_combinations(profile, lthr, max_hr)
    return AnalysisOptions.from_profile(profile, {k: v for k, v in flags.items() if v is not None})


def check_flag_combinations(profile, lthr: float | None, max_hr: float | None) -> None:
    """``--lthr`` and ``--max-hr`` must fit the profile's heart rates on every date, by the
    profile's own rule (:func:`lactlog.profile.check_heart_rate_combinations`): a usage error
    (exit code 2) naming both values, not a failure in the middle of the analysis."""
    from lactlog.errors import ConfigError
    from lactlog.profile import check_heart_rate_combinations

    if lthr is None and max_hr is None:
        return
    given = " ".join(f"{flag} {value:g}" for flag, value in (("--lthr", lthr), ("--max-hr", max_hr))
                     if value is not None)
    try:
        check_heart_rate_combinations(profile, {"lthr_bpm": lthr, "max_hr_bpm": max_hr},
                                      where=f"{given} with the profile")
    except ConfigError as exc:
        raise typer.BadParameter(str(exc)) from None


def report_warnings(err, sessions, verbose: bool) -> None:
    with_warnings = [s for s in sessions if s.warnings]
    if verbose:
        for s in with_warnings:
            for warning in s.warnings:
                say(err, "warning", f"{s.source}: {warning}")
    elif with_warnings:
        err.print(
            f"[yellow]note:[/yellow] {len(with_warnings)} session(s) have warnings "
            "(see --verbose or the JSON output)",
            highlight=False,
        )


class progress:
    """A progress bar on stderr for batches, only when stderr is a terminal."""

    def __init__(self, console, total: int) -> None:
        self.console, self.total, self.bar = console, total, None

    def __enter__(self):
        console = self.console
        if self.total < 2 or (isinstance(console, LazyConsole) and console.surely_not_a_terminal()):
            return lambda _path: None
        if isinstance(console, LazyConsole):
            console = console.console
        if not console.is_terminal:
            return lambda _path: None
        from rich.progress import Progress

        self.bar = Progress(console=console, transient=True)
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


def read_file(path: Path, decoder: Decoder, err, verbose: bool = False, options=None) -> list:
    """Read one file (within the size limits of ``options``' settings, see
    :func:`lactlog.read`); an unreadable file is one red line on stderr and exit code 1."""
    from lactlog import read

    with file_errors(path, err, verbose):
        return read(path, decoder.value, options=options)


@contextmanager
def file_errors(path: Path, err, verbose: bool = False) -> Iterator[None]:
    """Errors while working on one file -> one red line naming it, exit code 1 (as a failed
    file in ``analyze``): a LactlogError's message, anything else an internal error (the
    traceback follows with ``verbose``). Typer's exits and usage errors pass through."""
    from lactlog.errors import LactlogError, internal_error_message

    try:
        yield
    except (typer.Exit, typer.Abort, TyperException):
        raise
    except LactlogError as exc:
        say(err, "error", f"{path}: {exc}")
        raise typer.Exit(ExitCode.INPUT_FAILED) from None
    except Exception as exc:  # noqa: BLE001 — a bug in lactlog: one line, not a traceback
        say(err, "error", f"{path}: {internal_error_message(exc)}")
        if verbose:
            err.print(traceback.format_exc(), markup=False, highlight=False)
        raise typer.Exit(ExitCode.INPUT_FAILED) from None


def load_profile(path: Path | None, must_exist: bool = True):
    """The profile; a broken one, or a ``--config`` file that does not exist (unless
    ``must_exist`` is False, as for ``config set``, which creates it), is one red line and exit
    code 2."""
    from lactlog.errors import ConfigError
    from lactlog.profile import load_profile

    if path is not None and must_exist and not path.is_file():
        say(consoles()[1], "error", f"--config {path}: no such profile file (lactlog config set "
            f"KEY VALUE --config {path} creates it; without --config the default profile is used)")
        raise typer.Exit(ExitCode.USAGE)
    try:
        return load_profile(path)
    except ConfigError as exc:
        say(consoles()[1], "error", exc)
        raise typer.Exit(ExitCode.USAGE) from None



NdjsonOption = Annotated[
    bool, typer.Option("--ndjson", help="Print one JSON object per line (streamable) on stdout.")
]
CsvOption = Annotated[bool, typer.Option("--csv", help="Print a flat CSV table on stdout.")]
JobsOption = Annotated[
    int | None,
    typer.Option("--jobs", "-j", min=1, help="Worker processes. Default: number of CPU cores."),
]
NoCacheOption = Annotated[
    bool, typer.Option("--no-cache", help="Neither read nor write the result cache.")
]
NoMergeOption = Annotated[
    bool,
    typer.Option(
        "--no-merge",
        help="Keep lifting-app workouts and watch strength sessions of the same training apart.",
    ),
]
VerboseOption = Annotated[
    bool, typer.Option("--verbose", "-v", help="Show per-file warnings and error tracebacks.")
]


def output_format(json_output: bool, ndjson: bool, csv_output: bool):
    """The one machine-readable format asked for (table if none); two at once is a usage error."""
    from lactlog.report.formats import OutputFormat

    chosen = [f for f, on in ((OutputFormat.json, json_output), (OutputFormat.ndjson, ndjson),
                              (OutputFormat.csv, csv_output)) if on]
    if len(chosen) > 1:
        raise typer.BadParameter("choose one of --json, --ndjson, --csv")
    return chosen[0] if chosen else OutputFormat.table


def emit(fmt, document: dict, records: list[tuple[str, dict]], rows: list[dict]) -> None:
    """Write a command's result in a machine-readable format on stdout."""
    from lactlog.report.formats import OutputFormat, write_csv, write_json, write_ndjson

    if fmt is OutputFormat.json:
        write_json(document, sys.stdout)
    elif fmt is OutputFormat.ndjson:
        write_ndjson(records, sys.stdout)
    elif fmt is OutputFormat.csv:
        write_csv(rows, sys.stdout)


def find_files_or_exit(paths: list[Path], err) -> list[Path]:
    """Supported files under ``paths``; none is one error line and exit code 1."""
    from lactlog.io import find_inputs

    warnings: list[str] = []  # the batch itself reports them when there are files
    files = find_inputs(paths, warnings=warnings)
    if not files:
        for warning in warnings:  # e.g. the only folder cannot be listed
            say(err, "warning", warning)
        say(err, "error", "no supported files (FIT, TCX, GPX, CSV) under "
            + ", ".join(map(str, paths)))
        raise typer.Exit(ExitCode.INPUT_FAILED)
    return files


@contextmanager
def batch_run(paths: list[Path], no_cache: bool, err, passes: int = 2):
    """The files under ``paths``, the result cache (none with ``no_cache``) and a progress
    callback (``passes`` calls per file) for one library batch call; no supported file is one
    error line and exit code 1."""
    from lactlog.cache import NullCache, ResultCache

    files = find_files_or_exit(paths, err)
    cache = NullCache() if no_cache else ResultCache.open()
    with cache, progress(err, total=passes * len(files)) as advance:
        yield files, cache, advance


def report_batch(result, err, verbose: bool) -> None:
    """A batch's cache warnings, failed files, session warnings and merges, on stderr."""
    for warning in result.warnings:
        say(err, "warning", warning)
    for failure in result.errors:
        say(err, "error", f"{failure.source}: {failure.error}")
        if verbose and failure.detail:
            err.print(failure.detail, markup=False, highlight=False)
    report_warnings(err, result.sessions, verbose)
    for watch, app_workout in result.merged:
        say(err, "", f"merged: {watch} + {app_workout} (one strength session; --no-merge keeps "
            "them apart)")
