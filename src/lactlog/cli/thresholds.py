"""``lactlog thresholds``: estimate thresholds from the training history."""

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
    batch_run,
    consoles,
    emit,
    load_profile,
    output_format,
    say,
    sport_option,
)
from lactlog.errors import ExitCode


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
        str | None,
        sport_option(
            f"Use only this sport's sessions and save into its group: {SPORT_HELP}. Default: "
            "power from bike sessions (saved under bike), heart rate from all (saved under all)."
        ),
    ] = None,
    cp_durations: Annotated[
        str,
        typer.Option("--cp-durations",
                     help="Durations \\[min] of the best powers the CP/W' fit uses, 3–20 min."),
    ] = "3,5,12,20",
    json_output: JsonOption = False,
    ndjson: NdjsonOption = False,
    csv_output: CsvOption = False,
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
    from lactlog import estimate_thresholds
    from lactlog.report.dfa import hrv_history_dict, hrv_history_table
    from lactlog.report.estimates import estimates_document, estimates_renderable

    fmt = output_format(json_output, ndjson, csv_output)
    profile = load_profile(config, must_exist=not save)  # --save creates the file
    durations_s = _cp_durations_s(cp_durations)
    out, err = consoles()
    with batch_run(paths, False, err, passes=1) as (files, cache, advance):
        found = estimate_thresholds(files, sport=sport, cp_durations_s=durations_s,
                                    profile=profile, decoder=decoder.value, cache=cache,
                                    on_file=advance)
    for failure in found.errors:
        say(err, "error", f"{failure.source}: {failure.error}")
    n_failed, report, latest, hrv = len(found.errors), found.report, found.latest, found.hrv
    saved = _save_estimates(profile, report, config, err) if save else None
    saved_hrv = _save_hrv(profile, hrv, config, err) if save else None
    if fmt.value != "table":
        document = estimates_document(report, saved, latest)
        document.update(hrv_thresholds=hrv_history_dict(hrv), saved_hrv=saved_hrv)
        rows = [{"estimate": name, **values} for name, values in document["estimates"].items()]
        emit(fmt, document, [("estimate", row) for row in rows], rows)
    else:
        out.print(estimates_renderable(report, latest))
        out.print()
        out.print(hrv_history_table(hrv, report.lthr_bpm.value))
    raise typer.Exit(ExitCode.INPUT_FAILED if n_failed else ExitCode.OK)


def _cp_durations_s(text: str) -> tuple[int, ...]:
    from lactlog.analysis.estimate import check_cp_durations

    try:
        return check_cp_durations(round(float(part) * 60) for part in text.split(",") if part)
    except ValueError as exc:
        raise typer.BadParameter(
            f"{text!r}: {exc} (comma-separated minutes, e.g. 3,5,12,20)", param_hint="--cp-durations"
        ) from None


def _save_estimates(profile, report, config: Path | None, err) -> dict | None:
    """Store the usable estimates in the profile, dated today; say what went where."""
    from datetime import date
    from typing import Any

    from lactlog.errors import ConfigError
    from lactlog.profile import save_profile, set_value

    values = report.values_to_save()
    for estimate, group in ((report.ftp_w, report.power_group),
                            (report.lthr_bpm, report.heart_rate_group),
                            (report.max_hr_bpm, report.heart_rate_group)):
        if estimate.value is not None and not estimate.plausible:
            say(err, "", f"not saved: {group}.{estimate.name} (see its note)")
    if not values:
        err.print("nothing saved: no usable estimate", highlight=False)
        return None
    today = date.today()
    stored: dict[str, Any] = {}
    for key, value in values.items():
        try:  # the same checks as lactlog config set and the flags
            _, stored[key] = set_value(profile, key, str(value), today)
        except ConfigError as exc:
            say(err, "", f"not saved: {key}: {exc}")
    if not stored:
        return None
    path = save_profile(profile, config)
    for key, value in stored.items():
        err.print(f"saved {key} = {value!r} (from {today} on) in {path}", highlight=False,
                  soft_wrap=True, markup=False)
    return {"path": str(path), "since": today.isoformat(), "values": stored}


def _save_hrv(profile, picks: dict, config: Path | None, err) -> dict | None:
    """Store HRVT1 as the measured LT1 (``lt1_hr_bpm``, ``lt1_power_w``) of its sport group,
    dated the session's day, with its source — only from a ramp-like session (quality
    ``ramp``); a weak one is shown, not stored. HRVT2 is a cross-check of LT2 and is not
    stored: it would replace the LTHR it is meant to check."""
    from lactlog.errors import ConfigError
    from lactlog.profile import save_profile, set_measured

    stored: list[dict] = []
    for (group, name), pick in picks.items():
        if name != "HRVT1":
            continue
        found = pick.threshold
        if found.quality != "ramp":
            err.print(f"not saved: {group} HRVT1 {found.heart_rate_bpm:.0f} bpm comes from an "
                      f"ordinary session ({Path(pick.source).name}), not a ramp: a weak "
                      "estimate", highlight=False, soft_wrap=True, markup=False)
            continue
        source = (f"HRVT1 {pick.day.isoformat()} (DFA-α1 0.75, {Path(pick.source).name}, "
                  f"{found.quality})")
        values = {"lt1_hr_bpm": round(found.heart_rate_bpm)}
        if found.power_w is not None and group in ("bike", "all"):
            values["lt1_power_w"] = round(found.power_w)
        for field, value in values.items():
            try:
                value = set_measured(profile, group, field, value, pick.day, source)
            except ConfigError as exc:
                err.print(f"not saved: {group}.{field}: {exc}", highlight=False,
                          soft_wrap=True, markup=False)
                continue
            stored.append({"key": f"{group}.{field}", "value": value,
                           "since": pick.day.isoformat(), "source": source})
    if not stored:
        return None
    path = save_profile(profile, config)
    for item in stored:
        err.print(f"saved {item['key']} = {item['value']!r} from {item['since']} on "
                  f"({item['source']}) in {path}", highlight=False, soft_wrap=True, markup=False)
    return {"path": str(path), "values": stored}
