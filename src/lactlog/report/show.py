"""``lactlog show``: one session in depth, as Rich renderables (never printed here) and JSON.

Sections: header (file, sport, device, local start, duration, thresholds with their sources),
stimulus verdict with reasons, time in zones as bars, hard efforts, W' balance, load, and text
charts of heart rate and power with the threshold line. Everything reads without colour.
"""

from __future__ import annotations

import math
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np
from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from lactlog.analysis.endurance import EnduranceAnalysis, ZoneTimes
from lactlog.analysis.intervals import Interval
from lactlog.analysis.series import SessionSeries
from lactlog.analysis.session import SessionSummary
from lactlog.analysis.thresholds import SessionThresholds
from lactlog.formatting import duration_text, number_text, pace_text
from lactlog.localtime import session_local_time
from lactlog.report.bars import bar
from lactlog.report.chart import line_chart
from lactlog.report.dfa import dfa_dict, dfa_renderable
from lactlog.report.jsondoc import SCHEMA_VERSION, clean, local_start, session_dict
from lactlog.report.strength import sets_renderable
from lactlog.report.tables import verdict_lines

#: SessionThresholds field -> (label, unit) for the header.
THRESHOLD_LABELS: dict[str, tuple[str, str]] = {
    "lthr_bpm": ("LTHR", "bpm"),
    "max_hr_bpm": ("max HR", "bpm"),
    "rest_hr_bpm": ("rest HR", "bpm"),
    "ftp_w": ("FTP", "W"),
    "cp_w": ("CP", "W"),
    "w_prime_j": ("W'", "J"),
    "threshold_speed_mps": ("threshold pace", "/km"),
    "lt1_hr_bpm": ("LT1 HR", "bpm"),
    "lt1_power_w": ("LT1 power", "W"),
}
_CHANNEL_UNITS = {"heart_rate_bpm": "bpm", "power_w": "W", "speed_mps": "m/s"}
_CHANNEL_NAMES = {"heart_rate_bpm": "heart rate", "power_w": "power", "speed_mps": "speed"}


def thresholds_text(thresholds: SessionThresholds) -> str:
    """Every known threshold with its source, e.g. ``LTHR 172 bpm (flag) · FTP 260 W (device)``."""
    parts = []
    for f in fields(thresholds):
        threshold = getattr(thresholds, f.name)
        if threshold.value is None:
            continue
        label, unit = THRESHOLD_LABELS[f.name]
        if f.name == "threshold_speed_mps":
            text = pace_text(threshold.value)
        else:
            text = f"{threshold.value:,.0f} {unit}"
        stale = f"; stale: {threshold.stale}" if threshold.stale else ""
        parts.append(f"{label} {text} ({threshold.source}{stale})")
    return " · ".join(parts) if parts else "none known"


def header(summary: SessionSummary, n_sessions: int = 1) -> Text:
    """File, session number, sport, device, local start, elapsed and timer time, thresholds."""
    text = Text(Path(summary.source).name, style="bold")
    if n_sessions > 1:
        text.append(f"  session {summary.session_index + 1} of {n_sessions}")
    sport = summary.sport
    if summary.sub_sport and summary.sub_sport != "generic":
        sport += f"/{summary.sub_sport}"
    device = " ".join(v for v in (summary.manufacturer, summary.product) if v) or "unknown device"
    start = local_start(summary)
    text.append(f"\n{sport} · {device} · ")
    text.append(start.strftime("%Y-%m-%d %H:%M (UTC%z)") if start else "start unknown")
    text.append(f"\nDuration {duration_text(summary.duration_s)} · "
                f"timer {duration_text(summary.timer_s)}")
    if summary.endurance is not None:
        text.append("\nThresholds: " + thresholds_text(summary.endurance.thresholds))
    return text


def verdict_text(analysis: EnduranceAnalysis) -> Text:
    """``Lactate stimulus: HIGH`` and the reasons, one per line."""
    return verdict_lines("Lactate stimulus", analysis.verdict, "HR/power/pace")


def _bounds(zone: ZoneTimes, index: int, unit: str) -> str:
    bounds = zone.upper_bounds
    if index == 0:
        return f"< {bounds[0]:.0f} {unit}"
    if index == len(bounds):
        return f"≥ {bounds[-1]:.0f} {unit}"
    return f"{bounds[index - 1]:.0f}–{bounds[index]:.0f} {unit}"


def zone_bars(zones: ZoneTimes, width: int = 80) -> Table:
    """One line per zone: name, bounds, a bar proportional to its time, minutes, share."""
    unit = _CHANNEL_UNITS.get(zones.channel, "")
    total = sum(zones.seconds)
    longest = max(zones.seconds, default=0.0)
    bar_width = max(10, width - 36)
    table = Table.grid(padding=(0, 1))
    table.title = Text(f"{zones.system} — {_CHANNEL_NAMES.get(zones.channel, zones.channel)}",
                       style="bold")
    table.title_justify = "left"
    table.add_column(no_wrap=True)
    table.add_column(justify="right", no_wrap=True)
    table.add_column(width=bar_width, no_wrap=True)
    table.add_column(justify="right", no_wrap=True)
    table.add_column(justify="right", no_wrap=True)
    for index, (name, seconds) in enumerate(zip(zones.names, zones.seconds, strict=True)):
        table.add_row(
            name,
            _bounds(zones, index, unit),
            bar(seconds, longest, bar_width),
            f"{seconds / 60:.1f} min",
            f"{seconds / total:.0%}" if total else "–",
        )
    return table


def intervals_table(intervals: tuple[Interval, ...], summary: SessionSummary) -> Group | Text:
    """The hard efforts: local start (in the session's local time, see
    :mod:`lactlog.localtime`), duration, heart rate and power (mean / peak); a channel no
    interval has is left out."""
    title = Text(f"Hard efforts: {len(intervals)}", style="bold")
    title.append("  (sustained stretches clearly above threshold; heart rate and power as "
                 "mean/peak)", style="")
    if not intervals:
        return title
    has_hr = any(i.mean_heart_rate_bpm is not None for i in intervals)
    has_power = any(i.mean_power_w is not None for i in intervals)
    table = Table(box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False, header_style="bold")
    for name, shown in (("#", True), ("Start", True), ("Duration", True), ("HR [bpm]", has_hr),
                        ("Power [W]", has_power)):
        if shown:
            table.add_column(Text(name), justify="left" if name == "Start" else "right",
                             no_wrap=True)
    for number, interval in enumerate(intervals, start=1):
        cells = [
            str(number),
            session_local_time(summary, interval.start).strftime("%H:%M:%S"),
            duration_text(interval.duration_s),
        ]
        if has_hr:
            cells.append(f"{number_text(interval.mean_heart_rate_bpm)}/"
                         f"{number_text(interval.peak_heart_rate_bpm)}")
        if has_power:
            cells.append(f"{number_text(interval.mean_power_w)}/{number_text(interval.peak_power_w)}")
        table.add_row(*cells)
    return Group(title, table)


def w_prime_text(analysis: EnduranceAnalysis) -> Text | None:
    """Lowest W' balance (J and % of W'), W' expended, efforts; None without a W' analysis."""
    w = analysis.w_prime
    if w is None:
        return None
    text = Text("W' balance: ", style="bold")
    share = "" if w.min_balance_fraction is None else f" ({w.min_balance_fraction:.0%} of W')"
    text.append(f"lowest {number_text(w.min_balance_j, unit=' J')}{share} · "
                f"expended {number_text(w.expended_j, unit=' J')} · "
                f"{w.n_efforts} effort{'s' if w.n_efforts != 1 else ''} ≥ 10 % of W'")
    return text


def load_text(analysis: EnduranceAnalysis) -> Text:
    """NP, IF, TSS, TRIMP and normalised TRIMP ("–" where not computable)."""
    text = Text("Load: ", style="bold")
    text.append(" · ".join((
        f"NP {number_text(analysis.normalized_power_w, unit=' W')}",
        f"IF {number_text(analysis.intensity_factor, 2)}",
        f"TSS {number_text(analysis.tss)}",
        f"TRIMP {number_text(analysis.trimp)}",
        f"normalised TRIMP {number_text(analysis.trimp_normalized)}",
    )))
    return text


def charts(summary: SessionSummary, series: SessionSeries, width: int) -> list[Text]:
    """Heart-rate chart (LTHR line) and, when the session has power, a power chart."""
    out = [line_chart(series.heart_rate_bpm, series.bucket_s, "Heart rate", "bpm", width,
                      series.lthr_bpm, "LTHR")]
    if series.power_w is not None and np.isfinite(series.power_w).any():
        thresholds = summary.endurance.thresholds if summary.endurance else None
        label = "FTP" if thresholds and thresholds.ftp_w.value is not None else "CP"
        out.append(line_chart(series.power_w, series.bucket_s, "Power", "W", width,
                              series.threshold_power_w, label))
    return out


def show_renderable(
    summary: SessionSummary, series: SessionSeries, width: int = 80, n_sessions: int = 1
) -> Group:
    """Everything ``lactlog show`` prints for one session, ``width`` characters wide."""
    parts: list[RenderableType] = [header(summary, n_sessions), Text()]
    analysis = summary.endurance
    if summary.strength is not None:
        parts += [sets_renderable(summary.strength), Text()]
    elif analysis is None:
        parts += [Text("No heart rate, power or speed in this session: nothing to analyse."),
                  Text()]
    if analysis is not None:
        parts += [verdict_text(analysis), Text()]
        for zones in analysis.zones:
            parts += [zone_bars(zones, width), Text()]
        if analysis.primary_channel is not None:
            parts.append(intervals_table(analysis.intervals, summary))
        w_prime = w_prime_text(analysis)
        parts += [w_prime] if w_prime is not None else []
        parts += [load_text(analysis), Text()]
    for chart in charts(summary, series, width):
        parts += [chart, Text()]
    if summary.dfa is not None:
        parts += [dfa_renderable(summary.dfa, width, series.bucket_s), Text()]
    return Group(*parts[:-1])


def series_dict(series: SessionSeries) -> dict[str, Any]:
    """The series for JSON: lists with None for gaps; a channel the session lacks is None;
    ``start`` is the UTC time of ``time_s`` = 0."""

    def listed(values: np.ndarray | None) -> list[float | None] | None:
        if values is None:
            return None
        return [round(float(v), 1) if math.isfinite(v) else None for v in values]

    return {
        "bucket_s": series.bucket_s,
        "time_s": [int(t) for t in series.time_s],
        "heart_rate_bpm": listed(series.heart_rate_bpm),
        "power_w": listed(series.power_w),
        "w_prime_balance_j": listed(series.w_prime_balance_j),
        "start": clean(series.start),
    }


def show_document(summary: SessionSummary, series: SessionSeries) -> dict[str, Any]:
    """The ``lactlog show --json`` document: the session as ``analyze --json`` has it, and the
    downsampled series."""
    return {
        "schema_version": SCHEMA_VERSION,
        "session": session_dict(summary),
        "series": series_dict(series),
        "dfa": dfa_dict(summary.dfa, series=True),
    }
