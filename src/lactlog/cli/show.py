"""``lactlog show``: one session in depth."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lactlog.cli.app import app
from lactlog.cli.common import (
    ConfigOption,
    CpOption,
    CsvOption,
    Decoder,
    DecoderOption,
    FtpOption,
    JsonOption,
    LthrOption,
    MaxHrOption,
    NdjsonOption,
    PaceOption,
    VerboseOption,
    WPrimeOption,
    analysis_options,
    consoles,
    emit,
    file_errors,
    output_format,
    say,
)


@app.command()
def show(
    file: Annotated[
        Path, typer.Argument(help="A FIT (also .fit.gz), TCX, GPX or CSV file.", show_default=False)
    ],
    session: Annotated[
        int, typer.Option("--session", help="Which session of a multisport file (1 = first).", min=1)
    ] = 1,
    json_output: JsonOption = False,
    ndjson: NdjsonOption = False,
    csv_output: CsvOption = False,
    decoder: DecoderOption = Decoder.lactlog,
    config: ConfigOption = None,
    lthr: LthrOption = None,
    ftp: FtpOption = None,
    cp: CpOption = None,
    w_prime: WPrimeOption = None,
    max_hr: MaxHrOption = None,
    threshold_pace: PaceOption = None,
    verbose: VerboseOption = False,
    history: Annotated[
        list[Path] | None,
        typer.Option("--history", help="Files or folders of earlier sessions for the history "
                     "thresholds (default: the file's own sessions only).", show_default=False),
    ] = None,
    html: Annotated[
        Path | None,
        typer.Option("--html", help="Also write the session as a self-contained HTML page "
                     "(as a section of lactlog report) to this file.", show_default=False),
    ] = None,
) -> None:
    """Show one session in depth: thresholds and their sources, the stimulus verdict and why,
    time in zones, hard efforts, W' balance, load, and charts of heart rate and power.

    The session's warnings (CRC mismatch, truncation, clock not set...) go to stderr. Exit code
    1 when the file cannot be read, as in analyze.

    [dim]Examples:[/dim]
      lactlog show sample_data/2026-11-16-hiit-run.fit --lthr 172
      lactlog show triathlon.fit --session 2
      lactlog show ride.fit.gz --json | jq '.series.power_w'
    """
    from lactlog import analyze_file
    from lactlog.errors import NoSuchSessionError

    fmt = output_format(json_output, ndjson, csv_output)
    if html is not None:
        from lactlog.cli.report import check_output

        check_output(html)
    options = analysis_options(config, lthr, ftp, cp, w_prime, max_hr, threshold_pace)
    out, err = consoles()
    with file_errors(file, err, verbose):
        try:
            analysis = analyze_file(file, session=session - 1, options=options,
                                    decoder=decoder.value, history=history or [])
        except NoSuchSessionError as exc:
            raise typer.BadParameter(f"{exc}; use a number from 1 to {exc.count}",
                                     param_hint="--session") from None
        _show(analysis, options, fmt, out, err)
        if html is not None:
            _write_html(analysis, options, html, err)


def _write_html(analysis, options, path: Path, err) -> None:
    """The session's ``show --json`` document (series of at most
    :data:`~lactlog.season.SHOW_MAX_POINTS` points) as an HTML page."""
    from lactlog import __version__, session_series
    from lactlog.cli.report import write_html
    from lactlog.report.html import session_html
    from lactlog.report.show import show_document
    from lactlog.season import SHOW_MAX_POINTS

    series = session_series(analysis, options=options, max_buckets=SHOW_MAX_POINTS)
    write_html(path, session_html(show_document(analysis.sessions[0], series), __version__), err)


def _show(analysis, options, fmt, out, err) -> None:
    """Print a session's history and summary warnings, render it."""
    from lactlog import session_series
    from lactlog.report.chart import chart_columns
    from lactlog.report.show import show_document, show_renderable

    summary = analysis.sessions[0]
    for failure in analysis.history_errors:
        say(err, "warning", f"history: {failure.source}: {failure.error}")
    for warning in summary.warnings:
        say(err, "warning", f"{summary.source}: {warning}")
    if fmt.value != "table":
        document = show_document(summary, session_series(analysis, options=options))
        records = [("session", document["session"]), ("series", document["series"])]
        emit(fmt, document, records, [document["session"]])
        return
    width = out.width
    series = session_series(analysis, options=options, max_buckets=chart_columns(width))
    out.print(show_renderable(summary, series, width, len(analysis.activities)))
