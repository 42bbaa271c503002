"""Rich tables for the terminal."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text

from lactlog.formatting import duration_text, number_text, pace_text
from lactlog.report.jsondoc import local_start
from lactlog.report.layout import Column, RowTable
from lactlog.summaries import EnduranceAnalysis, SessionSummary, Verdict


def _heart_rate(summary: SessionSummary) -> str:
    if summary.avg_heart_rate_bpm is None:
        return "–"
    return f"{summary.avg_heart_rate_bpm:.0f}/{number_text(summary.max_heart_rate_bpm)}"


def _device(summary: SessionSummary) -> str:
    return summary.product or summary.manufacturer or "–"


def sessions_table(sessions: list[SessionSummary], width: int = 80) -> RowTable:
    """One row per session: when, what, how long, heart rate (avg/max), power, distance, file.

    The device column is shown only when the terminal is at least 110 columns wide; the file
    name moves under its row when it does not fit (see :class:`~lactlog.report.layout.RowTable`).
    """
    show_device = width >= 110
    columns = [
        Column("Start (local)"), Column("Sport", flexible=True),
        *([Column("Device", flexible=True)] if show_device else []),
        Column("Duration", "right"), Column("Timer", "right"), Column("HR", "right"),
        Column("Power", "right"), Column("Distance", "right"),
        Column("File", spill=True, min_width=8),
    ]
    table = RowTable(
        columns, title="Sessions",
        caption="HR: average/maximum heart rate (bpm); Timer: time with the timer running",
    )
    for s in sessions:
        start = local_start(s)
        sport = s.sport if not s.sub_sport or s.sub_sport == "generic" else f"{s.sport} ({s.sub_sport})"
        name = Path(s.source).name + (f"#{s.session_index + 1}" if s.session_index else "")
        cells = [
            start.strftime("%Y-%m-%d %H:%M") if start else "–",
            sport,
            _device(s),
            duration_text(s.duration_s),
            duration_text(s.timer_s),
            _heart_rate(s),
            number_text(s.avg_power_w, 0, " W"),
            "–" if s.distance_m is None else f"{s.distance_m / 1000:,.1f} km",
            name,
        ]
        if not show_device:
            del cells[2]
        table.add_row(*cells)
    return table


_LEVEL_STYLE = {"high": "bold red", "moderate": "yellow", "low": "green"}


def stimulus_label(level: str | None) -> Text:
    """``HIGH`` / ``MODERATE`` / ``LOW`` (words, so they read without colour) or ``–``."""
    if level is None:
        return Text("–")
    return Text(level.upper(), style=_LEVEL_STYLE.get(level, ""))


def verdict_lines(title: str, verdict: Verdict, estimated_from: str) -> Text:
    """``<title>: HIGH  (estimated from … — not a blood test)`` and the reasons, one per line."""
    text = Text(f"{title}: ", style="bold")
    text.append_text(stimulus_label(verdict.level))
    text.append(f"  (estimated from {estimated_from} — not a blood test)", style="dim")
    for reason in verdict.reasons:
        text.append(f"\n  - {reason}")
    return text


def stimulus_table(sessions: list[SessionSummary]) -> RowTable:
    """Endurance sessions: threshold used (and its source), time at or above it, hard
    efforts, lowest W' balance, load, and the verdict with its reasons (in a column when the
    terminal is wide enough, else under the row: no word is ever cut)."""
    table = RowTable(
        [Column("Start (local)"), Column("Threshold", flexible=True), Column("≥LT", "right"),
         Column("Int", "right"), Column("W'min", "right"), Column("Load", "right"),
         Column("Stimulus"), Column("Why", spill=True, min_width=30)],
        title="Lactate stimulus (estimated from HR/power/pace — not a blood test)",
        caption="≥LT: time at or above threshold (primary channel: power > HR > pace); "
        "Int: hard efforts (sustained clearly above threshold); Load: TSS (power) or TRIMP normalised to 100 per hour "
        "at LTHR",
    )
    for s in sessions:
        analysis = s.endurance
        if analysis is None:
            continue
        start = local_start(s)
        table.add_row(
            start.strftime("%Y-%m-%d %H:%M") if start else "–",
            _threshold_text(analysis),
            _above_text(analysis),
            str(len(analysis.intervals)) if analysis.primary_channel else "–",
            _w_prime_text(analysis),
            number_text(analysis.load),
            stimulus_label(analysis.verdict.level),
            "; ".join(analysis.verdict.reasons),
        )
    return table


def _threshold_text(analysis: EnduranceAnalysis) -> str:
    channel = analysis.primary_channel
    if channel is None:
        return "none known"
    t = analysis.thresholds
    if channel == "power":
        threshold = t.used("ftp_w")
        text = f"{threshold.value:.0f} W"
    elif channel == "heart_rate":
        threshold = t.lthr_bpm
        text = f"{threshold.value:.0f} bpm"
    else:
        threshold = t.threshold_speed_mps
        text = "–" if threshold.value is None else pace_text(threshold.value)
    stale = f"; stale: {threshold.stale}" if threshold.stale else ""
    return f"{text} ({threshold.source}{stale})"


def _above_text(analysis: EnduranceAnalysis) -> str:
    if analysis.time_above_lt_s is None:
        return "–"
    minutes = analysis.time_above_lt_s / 60
    share = analysis.time_above_lt_fraction or 0.0
    return f"{minutes:.0f}′ {share:.0%}"


def _w_prime_text(analysis: EnduranceAnalysis) -> str:
    if analysis.w_prime is None or analysis.w_prime.min_balance_fraction is None:
        return "–"
    return f"{analysis.w_prime.min_balance_fraction:.0%}"
