"""Rich tables for the terminal."""

from __future__ import annotations

from pathlib import Path

from rich import box
from rich.table import Table

from lactlog.analysis.session import SessionSummary
from lactlog.report.jsondoc import local_start


def format_duration(seconds: float | None) -> str:
    """``3725`` -> ``1:02:05``; ``None`` -> ``–``."""
    if seconds is None:
        return "–"
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def _number(value: float | None, unit: str = "", digits: int = 0) -> str:
    return "–" if value is None else f"{value:,.{digits}f}{unit}"


def _heart_rate(summary: SessionSummary) -> str:
    if summary.avg_heart_rate_bpm is None:
        return "–"
    return f"{summary.avg_heart_rate_bpm:.0f}/{_number(summary.max_heart_rate_bpm)}"


def _device(summary: SessionSummary) -> str:
    return summary.product or summary.manufacturer or "–"


def sessions_table(sessions: list[SessionSummary], width: int = 80) -> Table:
    """One row per session: when, what, how long, heart rate (avg/max), power, distance, file.

    The device column is shown only when the terminal is at least 110 columns wide.
    """
    table = Table(
        title="Sessions", header_style="bold", title_justify="left",
        caption="HR: average/maximum heart rate (bpm); Timer: time with the timer running",
        caption_justify="left",
        box=box.SIMPLE_HEAD, padding=(0, 0), pad_edge=False,
    )
    show_device = width >= 110
    columns = [  # (header, justify, fixed width or None for flexible)
        ("Start (local)", "left", 16), ("Sport", "left", None), ("Device", "left", None),
        ("Duration", "right", 8), ("Timer", "right", 7), ("HR", "right", 7),
        ("Power", "right", 5), ("Distance", "right", 8),
    ]
    for header, justify, width_chars in columns:
        if header == "Device" and not show_device:
            continue
        table.add_column(
            header, justify=justify, width=width_chars, no_wrap=width_chars is not None,
            overflow="ellipsis", max_width=None if width_chars else 16,
        )
    table.add_column("File", overflow="ellipsis", min_width=8)
    for s in sessions:
        start = local_start(s)
        sport = s.sport if not s.sub_sport or s.sub_sport == "generic" else f"{s.sport}/{s.sub_sport}"
        name = Path(s.source).name + (f"#{s.session_index + 1}" if s.session_index else "")
        cells = [
            start.strftime("%Y-%m-%d %H:%M") if start else "–",
            sport,
            _device(s),
            format_duration(s.duration_s),
            format_duration(s.timer_s),
            _heart_rate(s),
            _number(s.avg_power_w, " W"),
            "–" if s.distance_m is None else f"{s.distance_m / 1000:,.1f} km",
            name,
        ]
        if not show_device:
            del cells[2]
        table.add_row(*cells)
    return table
