"""``lactlog report``: one self-contained offline HTML file of a season."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lactlog.cli.app import app
from lactlog.cli.common import (
    ConfigOption,
    Decoder,
    DecoderOption,
    JobsOption,
    NoCacheOption,
    NoMergeOption,
    PmcSportOption,
    SinceOption,
    UntilOption,
    VerboseOption,
    analysis_options,
    batch_run,
    consoles,
    file_errors,
    parse_date,
    report_batch,
    say,
)
from lactlog.errors import ExitCode


def check_output(path: Path) -> Path:
    """The HTML file to write: its folder must exist and it must not be a folder (one red line
    and exit code 2 otherwise)."""
    problem = None
    if path.is_dir():
        problem = "is a folder; give a file name such as season.html"
    elif not path.parent.is_dir():
        problem = f"the folder {path.parent} does not exist; create it first"
    if problem is not None:
        say(consoles()[1], "error", f"{path}: {problem}")
        raise typer.Exit(ExitCode.USAGE)
    return path


def write_html(path: Path, html: str, err) -> None:
    """Write the report (UTF-8) and say where on stderr; an OS error is one red line, exit 1."""
    try:
        path.write_text(html, encoding="utf-8")
    except OSError as exc:
        say(err, "error", f"{path}: {exc.strerror or exc}")
        raise typer.Exit(ExitCode.INPUT_FAILED) from None
    say(err, "", f"wrote {path} ({len(html.encode('utf-8')) / 1e6:.2f} MB)")


@app.command()
def report(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Files or folders (searched recursively).", show_default=False),
    ],
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="The HTML file to write, e.g. season.html.",
                     show_default=False),
    ],
    since: SinceOption = None,
    until: UntilOption = None,
    sport: PmcSportOption = None,
    lactate_test: Annotated[
        Path | None,
        typer.Option("--lactate-test", help="A lactate step-test sheet (as for lactlog "
                     "lactate-test) whose curve and thresholds the report shows.",
                     show_default=False),
    ] = None,
    decoder: DecoderOption = Decoder.lactlog,
    verbose: VerboseOption = False,
    jobs: JobsOption = None,
    no_cache: NoCacheOption = False,
    no_merge: NoMergeOption = False,
    config: ConfigOption = None,
) -> None:
    """Write one self-contained HTML report of a season: fitness and fatigue (CTL/ATL/TSB) with
    the HIGH sessions marked, weekly stimulus, Seiler intensity distribution, threshold history,
    a session list and a section per session with heart rate and power against the threshold.

    The file needs no network and no plug-in; the numbers are those of week --json and
    show --json. Weeks and filters as in lactlog week.

    [dim]Examples:[/dim]
      lactlog report ~/exports -o season.html
      lactlog report ~/exports -o run.html --sport run --since 2026-01-01
      lactlog report ~/exports -o season.html --lactate-test ramp.csv
    """
    from lactlog.report.html import season_html
    from lactlog.season import season_report

    first, last = parse_date(since, "--since"), parse_date(until, "--until")
    check_output(output)
    options = analysis_options(config, None, None, None, None, None, None)
    _, err = consoles()
    test = _lactate_document(lactate_test, err) if lactate_test is not None else None
    with batch_run(paths, no_cache, err, passes=3) as (files, cache, advance), \
            file_errors(output, err, verbose):
        season = season_report(files, options, decoder=decoder.value, cache=cache, jobs=jobs,
                               merge=not no_merge, since=first, until=last, sport=sport,
                               lactate_test=test, on_file=advance)
    result, document = season.batch, season.document
    report_batch(result, err, verbose)
    for duplicate in document["week"]["duplicates"]:
        say(err, "duplicate", f"{duplicate['duplicate']} is {duplicate['kept']} "
            f"({duplicate['reason']}); counted once")
    if not document["sessions"]:
        say(err, "error", "no sessions in the chosen weeks: nothing to report")
        raise typer.Exit(ExitCode.INPUT_FAILED)
    write_html(output, season_html(document), err)
    raise typer.Exit(ExitCode.INPUT_FAILED if result.errors else ExitCode.OK)


def _lactate_document(sheet: Path, err) -> dict:
    """The ``lactate-test --json`` document of a sheet (defaults of ``lactate-test``)."""
    import lactlog
    from lactlog.analysis.lactate import DEFAULT_LT1_METHOD, DEFAULT_LT2_METHOD
    from lactlog.report.lactate import lactate_document

    with file_errors(sheet, err):
        result = lactlog.lactate_test(sheet)
    return lactate_document(result, DEFAULT_LT1_METHOD, DEFAULT_LT2_METHOD)
