"""``lactlog analyze``: one row per session, then the lactate stimulus table."""

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
    JobsOption,
    JsonOption,
    LthrOption,
    MaxHrOption,
    NdjsonOption,
    NoCacheOption,
    NoMergeOption,
    PaceOption,
    SinceOption,
    SportOption,
    UntilOption,
    VerboseOption,
    WPrimeOption,
    analysis_options,
    batch_run,
    consoles,
    emit,
    output_format,
    parse_date,
    report_batch,
)
from lactlog.errors import ExitCode


@app.command()
def analyze(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Files or folders (searched recursively) to analyse.", show_default=False),
    ],
    since: SinceOption = None,
    until: UntilOption = None,
    sport: SportOption = None,
    reverse: Annotated[
        bool, typer.Option("--reverse", "-r", help="Newest session first (default: oldest first).")
    ] = False,
    json_output: JsonOption = False,
    ndjson: NdjsonOption = False,
    csv_output: CsvOption = False,
    decoder: DecoderOption = Decoder.lactlog,
    verbose: VerboseOption = False,
    jobs: JobsOption = None,
    no_cache: NoCacheOption = False,
    no_merge: NoMergeOption = False,
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
    recorded in the file, else your recent history (the sessions given, by default the 90 days
    up to each one), else an estimate; the output says which. Results are cached: unchanged
    files are not decoded again (see lactlog cache).

    [dim]Examples:[/dim]
      lactlog analyze sample_data/
      lactlog analyze ride.fit.gz run.tcx --json | jq '.sessions[].timer_s'
      lactlog analyze ~/exports --csv > sessions.csv
      lactlog analyze ~/exports --since 2026-11-01 --sport run --reverse
    """
    from lactlog import analyze as analyze_paths
    from lactlog.report.jsondoc import analyze_document

    fmt = output_format(json_output, ndjson, csv_output)
    first, last = parse_date(since, "--since"), parse_date(until, "--until")
    options = analysis_options(config, lthr, ftp, cp, w_prime, max_hr, threshold_pace)
    out, err = consoles()
    with batch_run(paths, no_cache, err) as (files, cache, advance):
        result = analyze_paths(files, options=options, decoder=decoder.value, cache=cache,
                               jobs=jobs, merge=not no_merge, since=first, until=last,
                               sport=sport, reverse=reverse, on_file=advance)
    report_batch(result, err, verbose)
    if fmt.value != "table":
        document = analyze_document(result)
        records = [("session", s) for s in document["sessions"]]
        records += [("error", e) for e in document["errors"]]
        emit(fmt, document, records, document["sessions"])
    elif result.sessions:
        from lactlog.report.strength import strength_table  # rich tables: not for --json
        from lactlog.report.tables import sessions_table, stimulus_table

        out.print(sessions_table(result.sessions, width=out.width))
        if any(s.endurance for s in result.sessions):
            out.print(stimulus_table(result.sessions))
        if any(s.strength for s in result.sessions):
            out.print(strength_table(result.sessions))
    raise typer.Exit(ExitCode.INPUT_FAILED if result.errors else ExitCode.OK)
