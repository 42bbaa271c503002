"""``lactlog week``: one row per ISO week in the athlete's local time."""

from __future__ import annotations

from datetime import date
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
    VerboseOption,
    analysis_options,
    consoles,
    emit,
    output_format,
    run_batch,
)
from lactlog.errors import ExitCode


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=option) from None


@app.command()
def week(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Files or folders (searched recursively).", show_default=False),
    ],
    weeks: Annotated[
        int | None, typer.Option("--weeks", min=1, help="Show only the last N weeks.")
    ] = None,
    since: Annotated[str | None, typer.Option("--since", help="First day (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Last day (YYYY-MM-DD).")] = None,
    sport: Annotated[
        str | None, typer.Option("--sport", help="Only this sport (FIT name, e.g. running).")
    ] = None,
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
    Europe/Berlin), else each file's UTC offset. The same activity found twice is counted once
    and reported as a duplicate.

    [dim]Examples:[/dim]
      lactlog week ~/exports --weeks 8
      lactlog week ~/exports --json | jq '.weeks[] | {week, time_above_lt_s, ctl}'
    """
    from lactlog.analysis.week import weekly_summaries
    from lactlog.report.week import week_dict, week_document, week_table

    fmt = output_format(json_output, ndjson, csv_output)
    first, last = _date(since, "--since"), _date(until, "--until")
    options = analysis_options(config, None, None, None, None, None, None)
    out, err = consoles()
    result = run_batch(paths, decoder, options, jobs, no_cache, verbose, err, not no_merge)
    rows, duplicates = weekly_summaries(
        result.sessions, options.profile.timezone, weeks=weeks, since=first, until=last,
        sport=sport,
    )
    for duplicate in duplicates:
        err.print(
            f"[yellow]duplicate:[/yellow] {duplicate.duplicate} is {duplicate.kept} "
            f"({duplicate.reason}); counted once",
            highlight=False, soft_wrap=True,
        )
    if fmt.value != "table":
        document = week_document(rows, duplicates, result.errors)
        records = [("week", w) for w in document["weeks"]]
        records += [("duplicate", d) for d in document["duplicates"]]
        records += [("error", e) for e in document["errors"]]
        emit(fmt, document, records, [week_dict(w) for w in rows])
    elif rows:
        out.print(week_table(rows))
    else:
        err.print("no sessions in the chosen weeks", highlight=False)
    raise typer.Exit(ExitCode.INPUT_FAILED if result.errors else ExitCode.OK)
