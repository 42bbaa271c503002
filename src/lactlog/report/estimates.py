"""``lactlog thresholds``: threshold estimates with their evidence, as Rich renderables and JSON."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from lactlog.analysis.estimate import CriticalPowerFit, Estimate, EstimateReport
from lactlog.analysis.history import HistoryThresholds
from lactlog.formatting import duration_text
from lactlog.localtime import session_local_time, session_start_local
from lactlog.report.jsondoc import SCHEMA_VERSION, clean
from lactlog.report.layout import Column, RowTable
from lactlog.summaries import Window

#: Estimate name -> (label, unit, digits).
ESTIMATE_LABELS: dict[str, tuple[str, str, int]] = {
    "ftp_w": ("FTP", "W", 0),
    "lthr_bpm": ("LTHR", "bpm", 0),
    "max_hr_bpm": ("Max HR", "bpm", 0),
}
_GROUP_WORDS = {"all": "all sports", "run": "run", "bike": "bike", "swim": "swim", "other": "other"}


def _length(seconds: float) -> str:
    return f"{seconds / 60:g} min" if seconds >= 60 else f"{seconds:g} s"


def window_text(window: Window, unit: str | None = None) -> str:
    """``ride.fit (2026-11-18 18:30): 19:10:00–19:30:00 (20 min), mean 254.9 W`` in local time;
    without ``unit`` the mean is left out."""
    session = window.session
    name = Path(session.source).name + (f"#{session.session_index + 1}"
                                        if session.session_index else "")
    start = session_local_time(session, window.start)
    end = start + timedelta(seconds=window.duration_s)
    local_start = session_start_local(session)
    session_start = (local_start.strftime("%Y-%m-%d %H:%M") if local_start is not None
                     else "start unknown")
    text = f"{name} ({session_start}): {start:%H:%M:%S}–{end:%H:%M:%S} ({_length(window.duration_s)})"
    return text if unit is None else f"{text}, mean {window.mean:.1f} {unit}"


def _value(estimate: Estimate) -> str:
    _, unit, digits = ESTIMATE_LABELS[estimate.name]
    return "–" if estimate.value is None else f"{estimate.value:,.{digits}f} {unit}"


def estimates_table(report: EstimateReport) -> RowTable:
    """FTP, LTHR and maximum HR: value, method, and the windows each comes from (the evidence
    goes under its row when the terminal is narrow, so no file name is ever cut)."""
    table = RowTable(
        [Column("Threshold"), Column("Value", "right"), Column("Method", flexible=True),
         Column("Evidence", spill=True, min_width=30)],
        caption="Evidence: file (session start): window, mean of the window",
        title=f"Threshold estimates from {report.n_sessions} session"
        f"{'s' if report.n_sessions != 1 else ''} (power: {_GROUP_WORDS[report.power_group]} "
        f"sessions; heart rate: {_GROUP_WORDS[report.heart_rate_group]})",
    )
    for estimate in (report.ftp_w, report.lthr_bpm, report.max_hr_bpm):
        label, unit, _ = ESTIMATE_LABELS[estimate.name]
        evidence = "\n".join(window_text(w, unit) for w in estimate.evidence)
        if estimate.note:
            evidence = (evidence + "\n" if evidence else "") + f"note: {estimate.note}"
        table.add_row(label, _value(estimate), Text(estimate.method), Text(evidence or "–"))
    return table


def critical_power_renderable(fit: CriticalPowerFit) -> Group:
    """CP, W' and R² of the work–time fit, and the best power per duration it used."""
    title = Text("Critical power and W' ", style="bold")
    title.append("(linear work–time fit W = CP·t + W'; Monod & Scherrer; Jones et al. 2010)")
    if fit.cp_w is None:
        result = Text(f"CP and W': not estimated — {fit.note}")
    else:
        result = Text(f"CP {fit.cp_w:,.0f} W · W' {fit.w_prime_j:,.0f} J · "
                      f"R² {fit.r2:.4f} over {len(fit.points)} durations", style="bold")
        if fit.note:
            result.append(f"\nnote: {fit.note}", style="")
    table = Table(box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False, header_style="bold")
    table.add_column("Duration", justify="right", no_wrap=True)
    table.add_column("Best power", justify="right", no_wrap=True)
    table.add_column("Work", justify="right", no_wrap=True)
    table.add_column("Evidence", overflow="fold")
    for point in fit.points:
        table.add_row(duration_text(point.duration_s), f"{point.mean:.1f} W",
                      f"{point.mean * point.duration_s:,.0f} J", Text(window_text(point)))
    for duration_s in fit.missing_durations_s:
        table.add_row(duration_text(duration_s), "–", "–", "no window of this length")
    return Group(title, table, result)


def history_table(latest: dict[str, HistoryThresholds]) -> Table:
    """Per sport group, the history thresholds analyze/week/show apply to its latest session."""
    days = next(iter(latest.values())).window_days if latest else 0
    table = Table(
        title=f"History thresholds ({days} d up to each sport's latest session; what analyze, "
        "week and show use when neither flag, profile nor device gives one)",
        title_justify="left", title_style="bold", header_style="bold",
        box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False,
    )
    table.add_column("Sport", no_wrap=True)
    table.add_column("Threshold", no_wrap=True)
    table.add_column("Value", justify="right", no_wrap=True)
    table.add_column("Source and evidence", overflow="fold")
    for group, history in latest.items():
        rows = [(HISTORY_LABELS[name], getattr(history, name)) for name in HISTORY_LABELS]
        known = [(label, t) for label, t in rows if t.value is not None]
        for i, ((label, unit, digits), threshold) in enumerate(known):
            name = next(n for n, labels in HISTORY_LABELS.items() if labels[0] == label)
            alone = "" if history.usable_alone(name) else (
                f" — fewer than {history.min_sessions} sessions: used only where it shows a "
                "device value stale")
            table.add_row(group if i == 0 else "", label,
                          f"{threshold.value / (1000 if unit == 'kJ' else 1):,.{digits}f} {unit}",
                          Text(threshold.source + alone))
        if not known:
            table.add_row(group, "–", "–", Text("; ".join(history.notes) or "no usable efforts"))
    return table


#: History threshold field -> (label, unit, digits).
HISTORY_LABELS: dict[str, tuple[str, str, int]] = {
    "ftp_w": ("FTP", "W", 0), "cp_w": ("CP", "W", 0), "w_prime_j": ("W'", "kJ", 1),
    "lthr_bpm": ("LTHR", "bpm", 0), "max_hr_bpm": ("Max HR", "bpm", 0),
}


def estimates_renderable(
    report: EstimateReport, latest: dict[str, HistoryThresholds] | None = None
) -> Group:
    """Everything ``lactlog thresholds`` prints (``latest``: :func:`latest_by_group`)."""
    caveat = Text(
        "Estimates from training sessions, not all-out tests: they are only as high as your "
        "hardest efforts. Check the evidence before saving (--save).", style="dim")
    parts: list[RenderableType] = [estimates_table(report),
                                   critical_power_renderable(report.critical_power)]
    if latest:
        parts += [Text(), history_table(latest)]
    return Group(*parts, Text(), caveat)


def window_dict(window: Window) -> dict[str, Any]:
    """A window for JSON: session, UTC and local start, length, mean."""
    session = window.session
    return {
        "source": session.source,
        "session_index": session.session_index,
        "session_start": session.start,
        "window_start": window.start,
        "window_start_local": session_local_time(session, window.start),
        "window_s": window.duration_s,
        "mean": window.mean,
    }


def estimate_dict(estimate: Estimate) -> dict[str, Any]:
    """One estimate for JSON."""
    return {
        "value": estimate.value,
        "method": estimate.method,
        "note": estimate.note,
        "plausible": estimate.plausible,
        "evidence": [window_dict(w) for w in estimate.evidence],
    }


def estimates_document(
    report: EstimateReport, saved: dict[str, Any] | None = None,
    latest: dict[str, HistoryThresholds] | None = None,
) -> dict:
    """The ``lactlog thresholds --json`` document; ``saved`` is what ``--save`` wrote,
    ``history`` the history thresholds per sport group (see :func:`history_table`)."""
    fit = report.critical_power
    return clean({
        "schema_version": SCHEMA_VERSION,
        "power_group": report.power_group,
        "heart_rate_group": report.heart_rate_group,
        "n_sessions": report.n_sessions,
        "n_power_sessions": report.n_power_sessions,
        "n_heart_rate_sessions": report.n_heart_rate_sessions,
        "estimates": {
            "ftp_w": estimate_dict(report.ftp_w),
            "lthr_bpm": estimate_dict(report.lthr_bpm),
            "max_hr_bpm": estimate_dict(report.max_hr_bpm),
            "critical_power": {
                "cp_w": fit.cp_w,
                "w_prime_j": fit.w_prime_j,
                "r2": fit.r2,
                "usable": fit.usable,
                "note": fit.note,
                "points": [{"duration_s": p.duration_s, "power_w": p.mean, **window_dict(p)}
                           for p in fit.points],
                "missing_durations_s": list(fit.missing_durations_s),
            },
        },
        "saved": saved,
        "history": {group: asdict(h) for group, h in (latest or {}).items()},
    })
