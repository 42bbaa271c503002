"""``lactlog week``: one row per ISO week in the athlete's local time."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lactlog.cli.app import app
from lactlog.cli.common import (
    ConfigOption,
    CsvOption,
    Decoder,
    DecoderOption,
    JobsOption,
    JsonOption,
    NdjsonOption,
    NoCacheOption,
    NoMergeOption,
    PmcSportOption,
    SinceOption,
    UntilOption,
    VerboseOption,
    analysis_options,
    batch_run,
    consoles,
    emit,
    output_format,
    parse_date,
    report_batch,
    say,
)
from lactlog.errors import ExitCode


@app.command()
def week(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Files or folders (searched recursively).", show_default=False),
    ],
    weeks: Annotated[
        int | None, typer.Option("--weeks", min=1, help="Show only the last N weeks.")
    ] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    sport: PmcSportOption = None,
    all_weeks: Annotated[
        bool,
        typer.Option("--all-weeks", help="Show every week; by default a run of weeks without "
                     "sessions is one line."),
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
) -> None:
    """Weekly summaries: sessions, time at or above threshold, stimulus counts, metabolic-stress
    sets, load with CTL/ATL/TSB, Seiler distribution, and the 48-hour window coverage.

    Weeks are ISO weeks in local time: the profile's time zone (lactlog config set timezone
    Europe/Berlin), else each file's UTC offset, else this computer's time zone. The same
    activity found twice is counted once and reported as a duplicate. Sessions whose device
    clock was never set (their dates are wrong) are left out, with a warning; a run of weeks
    without sessions is one line unless --all-weeks (the JSON output always lists every week).

    [dim]Examples:[/dim]
      lactlog week ~/exports --weeks 8
      lactlog week ~/exports --sport run --since 2026-01-01
      lactlog week ~/exports --json | jq '.weeks[] | {week, time_above_lt_s, ctl}'
    """
    from lactlog import weeks as weekly
    from lactlog.report.week import left_out_records, week_dict, week_document, week_table

    fmt = output_format(json_output, ndjson, csv_output)
    first, last = parse_date(since, "--since"), parse_date(until, "--until")
    options = analysis_options(config, None, None, None, None, None, None)
    out, err = consoles()
    with batch_run(paths, no_cache, err) as (files, cache, advance):
        report = weekly(files, options=options, decoder=decoder.value, cache=cache, jobs=jobs,
                        merge=not no_merge, last=weeks, since=first, until=last, sport=sport,
                        on_file=advance)
    result, rows, duplicates = report.batch, report.weeks, report.duplicates
    left_out = report.left_out
    report_batch(result, err, verbose)
    for session in left_out:
        say(err, "left out", f"{session.source}: the device clock was never set, so its date "
            "is wrong; not placed in any week")
    for duplicate in duplicates:
        say(err, "duplicate", f"{duplicate.duplicate} is {duplicate.kept} ({duplicate.reason}); "
            "counted once")
    if fmt.value != "table":
        document = week_document(rows, duplicates, result.errors, left_out_records(left_out))
        records = [("week", w) for w in document["weeks"]]
        records += [("duplicate", d) for d in document["duplicates"]]
        records += [("left_out", d) for d in document["left_out"]]
        records += [("error", e) for e in document["errors"]]
        emit(fmt, document, records, [week_dict(w) for w in rows])
    elif rows:
        out.print(week_table(rows, all_weeks=all_weeks))
    else:
        err.print("no sessions in the chosen weeks", highlight=False)
    raise typer.Exit(ExitCode.INPUT_FAILED if result.errors else ExitCode.OK)
