"""``lactlog lactate-test``: thresholds from a measured blood-lactate step test."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lactlog.cli.app import app
from lactlog.cli.common import (
    SPORT_HELP,
    ConfigOption,
    CsvOption,
    Decoder,
    DecoderOption,
    JsonOption,
    NdjsonOption,
    consoles,
    emit,
    file_errors,
    load_profile,
    output_format,
    parse_date,
    say,
    sport_option,
)
from lactlog.errors import ExitCode


def _method_callback(value: str | None) -> str | None:
    from lactlog.analysis.lactate import METHODS

    if value is None:
        return None
    match = next((m for m in METHODS if m.lower() == value.strip().lower()), None)
    if match is None:
        raise typer.BadParameter(f"{value!r}: use one of {', '.join(METHODS)}")
    return match


def _method_option(flag: str, text: str):
    return typer.Option(flag, help=text, callback=_method_callback, show_default=False)


@app.command("lactate-test")
def lactate_test(
    sheet: Annotated[
        Path,
        typer.Argument(help="The step sheet: CSV (or .toml) with step, duration_min, power_w or "
                       "speed_kmh/speed_mps/pace_min_per_km, lactate_mmol[, heart_rate_bpm].",
                       show_default=False),
    ],
    fit: Annotated[
        Path | None,
        typer.Option("--fit", help="The test's own recording: each step's mean power/speed and "
                     "HR come from it (its laps, or --step-min); the sheet then needs only step "
                     "and lactate_mmol (step 0 = resting baseline).", show_default=False),
    ] = None,
    first_lap: Annotated[
        int | None,
        typer.Option("--first-lap", min=1, help="With --fit: the lap that is step 1 (default: "
                     "lap 1 when there is one lap per step).", show_default=False),
    ] = None,
    step_min: Annotated[
        float | None,
        typer.Option("--step-min", min=0.1, help="With --fit: fixed step length [min] instead "
                     "of laps.", show_default=False),
    ] = None,
    start_min: Annotated[
        float,
        typer.Option("--start-min", min=0.0, help="With --step-min: minutes from the "
                     "recording's start to step 1."),
    ] = 0.0,
    degree: Annotated[
        int, typer.Option("--degree", min=3, max=4, help="Degree of the curve fit (3 or 4).")
    ] = 3,
    no_baseline_fit: Annotated[
        bool, typer.Option("--no-baseline-fit",
                           help="Leave the resting row out of the curve fit.")
    ] = False,
    lt1: Annotated[
        str | None, _method_option("--lt1", "Method saved as LT1. Default: Log-log.")
    ] = None,
    lt2: Annotated[
        str | None, _method_option("--lt2", "Method saved as LT2. Default: ModDmax.")
    ] = None,
    save: Annotated[
        bool, typer.Option("--save", help="Store LT2 (FTP or threshold pace, LTHR) and LT1 "
                           "(power or pace, HR) in the profile, dated the test day.")
    ] = False,
    test_date: Annotated[
        str | None,
        typer.Option("--date", help="Test date YYYY-MM-DD. Default: the sheet's date, else the "
                     "recording's, else today.", show_default=False),
    ] = None,
    sport: Annotated[
        str | None,
        sport_option(f"Profile group to save into: {SPORT_HELP}. Default: the sheet's sport, "
                     "else bike for power, run for speed."),
    ] = None,
    json_output: JsonOption = False,
    ndjson: NdjsonOption = False,
    csv_output: CsvOption = False,
    decoder: DecoderOption = Decoder.lactlog,
    config: ConfigOption = None,
) -> None:
    """Lactate thresholds from a blood-lactate step test: Log-log, OBLA 2.0–4.0, Bsln+, Dmax,
    ModDmax, Exp-Dmax, Log-Poly/Log-Exp-ModDmax, LTP1/LTP2 (as the lactater R package), with
    the heart rate at each; --save stores LT1/LT2 so later sessions are judged against them.

    This is the one place lactlog uses measured lactate: the values you typed from your meter.

    [dim]Examples:[/dim]
      lactlog lactate-test ramp-2026-11-03.csv
      lactlog lactate-test lactates.csv --fit ramp.fit --save
    """
    from dataclasses import replace

    from lactlog.analysis.lactate import (
        DEFAULT_LT1_METHOD,
        DEFAULT_LT2_METHOD,
        lactate_thresholds,
    )
    from lactlog.report.lactate import KIND, lactate_document, lactate_renderable

    fmt = output_format(json_output, ndjson, csv_output)
    day = parse_date(test_date, "--date")
    if (first_lap is not None or step_min is not None) and fit is None:
        raise typer.BadParameter("--first-lap and --step-min need --fit")
    if first_lap is not None and step_min is not None:
        raise typer.BadParameter("choose one of --first-lap and --step-min")
    profile = load_profile(config, must_exist=not save)  # --save creates the file
    lt1_method, lt2_method = lt1 or DEFAULT_LT1_METHOD, lt2 or DEFAULT_LT2_METHOD
    out, err = consoles()
    test = _read_test(sheet, fit, first_lap, step_min, start_min, decoder, profile, err)
    if day is not None:
        test = replace(test, test_date=day)
    with file_errors(sheet, err):
        result = lactate_thresholds(test, degree, include_baseline=not no_baseline_fit)
    saved = _save(result, lt1_method, lt2_method, sport, profile, config, err) if save else None
    if fmt.value == "table":
        marks = {lt1_method: "LT1", lt2_method: "LT2"}
        out.print(lactate_renderable(result, out.width, marks))
        return
    document = lactate_document(result, lt1_method, lt2_method, saved)
    rows = [{"source": document["source"], "test_date": document["test_date"], **record}
            for record in document["thresholds"]]
    emit(fmt, document, [(KIND, row) for row in rows], rows)


def _read_test(sheet: Path, fit: Path | None, first_lap, step_min, start_min, decoder, profile,
               err):
    """The checked step test: from the sheet alone, or the sheet's lactates with the
    recording's step means (read within the profile's size limits and cleaned by its rules,
    as ``analyze`` does).
    Problems name the file they are in."""
    from lactlog import lactate_sheet, step_test
    from lactlog.analysis.options import AnalysisOptions

    with file_errors(sheet, err):
        typed = lactate_sheet(sheet, need_intensity=fit is None)
        if fit is None:
            return step_test(typed)
    from lactlog.cli.common import read_file

    options = AnalysisOptions.from_profile(profile)
    activities = read_file(fit, decoder, err, options=options)
    with file_errors(fit, err):
        if not activities:
            from lactlog.errors import EmptyFileError

            raise EmptyFileError("no session in the recording")
        return step_test(typed, activities[0], first_lap=first_lap,
                         step_s=None if step_min is None else step_min * 60.0,
                         start_s=start_min * 60.0, profile_timezone=profile.timezone,
                         options=options)


def _save(result, lt1_method: str, lt2_method: str, sport: str | None, profile, config, err):
    """Store the test's LT1/LT2 values, dated the test day, with their source; say what went
    where on stderr. Returns the ``saved`` part of the JSON document."""
    from datetime import date

    from lactlog.analysis.lactate import profile_values
    from lactlog.errors import ConfigError
    from lactlog.profile import parse_sport, save_profile, set_measured

    test = result.test
    group = sport
    if group is None and test.sport_group:
        try:
            group = parse_sport(test.sport_group)
        except ConfigError as exc:
            say(err, "error", f"{test.source}: {exc}")
            raise typer.Exit(ExitCode.INPUT_FAILED) from None
    group = group or ("bike" if test.intensity_field == "power_w" else "run")
    since = test.test_date
    if since is None:
        since = date.today()
        say(err, "note", f"the test has no date; saving it from today ({since}) on (--date "
            "sets it)")
    stored: dict[str, object] = {}
    sources: dict[str, str] = {}
    for value in profile_values(result, lt1_method, lt2_method):
        source = f"lactate test {since.isoformat()} ({value.method})"
        try:
            stored[value.field] = set_measured(profile, group, value.field, value.value, since,
                                               source)
            sources[value.field] = source
        except ConfigError as exc:
            err.print(f"not saved: {group}.{value.field}: {exc}", highlight=False,
                      soft_wrap=True, markup=False)
    if not stored:
        say(err, "", f"nothing saved: neither {lt1_method} nor {lt2_method} has a value")
        return None
    path = save_profile(profile, config)
    for name, stored_value in stored.items():
        err.print(f"saved {group}.{name} = {stored_value!r} from {since} on ({sources[name]}) in {path}",
                  highlight=False, soft_wrap=True, markup=False)
    return {"path": str(path), "group": group, "since": since.isoformat(), "values": stored,
            "sources": sources}
