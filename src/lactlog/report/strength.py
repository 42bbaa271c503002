"""Rendering of strength sessions: the per-session table of ``analyze`` and the set list of
``show``. Unknown values stay visible as ``?`` (never invented)."""

from __future__ import annotations

from pathlib import Path

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from lactlog.formatting import duration_text, number_text
from lactlog.report.jsondoc import local_start
from lactlog.report.layout import Column, RowTable
from lactlog.report.tables import stimulus_label, verdict_lines
from lactlog.summaries import SessionSummary, StrengthAnalysis


def _seconds(value: float | None) -> str:
    return "?" if value is None else f"{value:.0f} s"


def strength_table(sessions: list[SessionSummary]) -> RowTable:
    """One row per strength session: sets, near-failure and metabolic-stress sets, median rest,
    volume load, and the verdict with its reasons (under the row when the terminal is narrow)."""
    table = RowTable(
        [Column("Start (local)"), Column("Source", flexible=True),
         *(Column(header, "right") for header in ("Sets", "NF", "MS", "Rest", "Volume")),
         Column("Stimulus"), Column("Why", spill=True, min_width=30)],
        title="Strength: metabolic stress (estimated from set logs — not a blood test)",
        caption="NF: sets ≤ 2 reps in reserve; MS: metabolic-stress sets (near failure and rest "
        "≤ 90 s, ≥ 12 reps or BFR); ?: unknown",
    )
    for s in sessions:
        analysis = s.strength
        if analysis is None:
            continue
        start = local_start(s)
        table.add_row(
            start.strftime("%Y-%m-%d %H:%M") if start else "–",
            s.product or Path(s.source).name,
            str(analysis.n_sets),
            str(analysis.near_failure_sets) if analysis.sets_with_rpe else "?",
            str(analysis.metabolic_stress_sets),
            _seconds(analysis.median_rest_s),
            f"{analysis.volume_load_kg:,.0f} kg",
            stimulus_label(analysis.verdict.level),
            "; ".join(analysis.verdict.reasons),
        )
    return table


def sets_renderable(analysis: StrengthAnalysis) -> Group:
    """The verdict, the totals, and every set with rest and reps in reserve."""
    verdict = verdict_lines("Metabolic stress", analysis.verdict, "set logs")
    totals = Text(
        f"{analysis.n_sets} working sets ({analysis.n_warmup_sets} warm-up) · "
        f"{analysis.n_reps:.0f} reps · volume load {analysis.volume_load_kg:,.0f} kg · "
        f"median rest {_seconds(analysis.median_rest_s)} · near failure "
        f"{analysis.near_failure_sets if analysis.sets_with_rpe else '?'} · metabolic-stress sets "
        f"{analysis.metabolic_stress_sets}"
        + (f" · effective reps ≈ {analysis.effective_reps:.0f} (estimate)"
           if analysis.effective_reps is not None else "")
    )
    table = Table(box=box.SIMPLE_HEAD, header_style="bold", padding=(0, 1))
    for header, justify in (("Exercise", "left"), ("#", "right"), ("Reps", "right"),
                            ("kg", "right"), ("RPE", "right"), ("RIR", "right"),
                            ("Rest", "right"), ("HR", "right"), ("Flags", "left")):
        table.add_column(header, justify="left" if justify == "left" else "right",
                         no_wrap=header != "Exercise")
    for row in analysis.sets:
        flags = [name for name, on in (("warm-up", row.warmup), ("near failure", row.near_failure),
                                       ("high-rep", row.high_rep), ("BFR", row.bfr),
                                       ("METABOLIC STRESS", row.metabolic_stress)) if on]
        if row.recorded_by and row.recorded_by != "watch+app":
            flags.append(f"only in {row.recorded_by}")
        heart_rate = ("?" if row.avg_heart_rate_bpm is None
                      else f"{row.avg_heart_rate_bpm:.0f}/{row.max_heart_rate_bpm:.0f}")
        table.add_row(
            Text(row.exercise or "?"),  # the app's text: never markup
            str(row.set_number), number_text(row.reps, missing="?"),
            number_text(row.weight_kg, 1, missing="?"), number_text(row.rpe, 1, missing="?"),
            number_text(row.rir, 1, missing="?"), _seconds(row.rest_after_s), heart_rate,
            ", ".join(flags),
        )
    notes = Text("\n".join(f"note: {u}" for u in analysis.unknowns), style="dim")
    timed = [r.duration_s for r in analysis.sets if r.duration_s is not None]
    duration = Text(f"Time under load: {duration_text(sum(timed))}" if timed else "")
    return Group(verdict, Text(), totals, duration, table, notes)
