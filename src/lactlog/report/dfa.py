"""DFA-α1 of a session: a chart of α1 with its HRV thresholds, and the JSON of it."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Group
from rich.table import Table
from rich.text import Text

from lactlog.analysis.dfa import BOX_SIZES, STEP_S, WINDOW_S
from lactlog.analysis.hrvt import (
    COMPACT_STEP_S,
    HRVT1_ALPHA1,
    DfaAnalysis,
    HrvThreshold,
    SessionHrvThreshold,
)
from lactlog.formatting import number_text
from lactlog.report.chart import line_chart
from lactlog.report.layout import Column, RowTable

#: One sentence on the method, for the table caption and the JSON.
METHOD = (
    f"DFA-α1 (Peng et al. 1995) over boxes of {BOX_SIZES[0]}–{BOX_SIZES[-1]} beats, "
    f"{WINDOW_S / 60:g}-min windows every {STEP_S:g} s; artefacts: more than 20 % from the "
    "local median, or missing beats, corrected by interpolation; HRVT1 at α1 = 0.75, HRVT2 at "
    "α1 = 0.5 by regression of α1 on heart rate (Rogers et al. 2021)"
)


def thresholds_table(dfa: DfaAnalysis) -> Table:
    """HRVT1 and HRVT2 (heart rate, power, fit, quality) or why each is missing."""
    table = Table(title="HRV thresholds from α1", title_justify="left", box=None,
                  show_edge=False, pad_edge=False)
    for name, justify in (("", "left"), ("α1", "right"), ("HR", "right"), ("Power", "right"),
                          ("r²", "right"), ("Windows", "right"), ("Quality", "left")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for label, found in (("HRVT1 (LT1)", dfa.hrvt1), ("HRVT2 (LT2)", dfa.hrvt2)):
        if found is None:
            table.add_row(label, "", "—", "—", "", "", "not found")
            continue
        table.add_row(label, f"{found.alpha1:.2f}", number_text(found.heart_rate_bpm, 0, "bpm", missing="—", space=True),
                      number_text(found.power_w, 0, "W", missing="—", space=True), f"{found.r_squared:.2f}",
                      str(found.n_windows), found.quality)
    return table


def alpha1_buckets(dfa: DfaAnalysis, bucket_s: int) -> np.ndarray:
    """Mean α1 per ``bucket_s`` seconds from the first beat (NaN where no clean window ends),
    so the α1 chart shares the time axis of the heart-rate chart."""
    offsets = np.asarray(dfa.offset_s, dtype=np.float64)
    values = np.asarray(dfa.alpha1, dtype=np.float64)
    if not offsets.size:
        return np.zeros(0)
    bucket = np.floor(offsets / bucket_s).astype(np.int64)
    good = np.isfinite(values)
    sums = np.bincount(bucket[good], weights=values[good], minlength=bucket.max() + 1)
    counts = np.bincount(bucket[good], minlength=bucket.max() + 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / counts, np.nan)


def dfa_renderable(dfa: DfaAnalysis, width: int = 80, bucket_s: int | None = None) -> Group:
    """α1 over the session (×100 on the chart's whole-number axis, line at HRVT1's 0.75), the
    artefact share, the thresholds and the notes. ``bucket_s``: the heart-rate chart's bucket,
    to share its columns (default: the stored 30-s step)."""
    bucket = int(bucket_s or COMPACT_STEP_S)
    chart = line_chart(alpha1_buckets(dfa, bucket) * 100.0, bucket, "DFA-α1", "×100", width,
                       HRVT1_ALPHA1 * 100, "α1 0.75 =")
    summary = Text(
        f"Beats: {dfa.artefact_percent:.1f} % artefacts; {dfa.n_clean_windows:,} of "
        f"{dfa.n_windows:,} windows clean (≤ {dfa.max_artefact_percent:g} % artefacts). "
        "HRV thresholds are validated on ramp tests; an ordinary session gives a weaker "
        "estimate."
    )
    parts: list[Any] = [chart, Text(), summary, Text(), thresholds_table(dfa)]
    parts += [Text(note, style="dim") for note in dfa.notes]
    return Group(*parts)


def _threshold_dict(found: HrvThreshold | None) -> dict[str, Any] | None:
    if found is None:
        return None
    return {"alpha1": found.alpha1, "heart_rate_bpm": round(found.heart_rate_bpm, 1),
            "power_w": None if found.power_w is None else round(found.power_w, 1),
            "r_squared": round(found.r_squared, 3), "n_windows": found.n_windows,
            "quality": found.quality}


def _listed(values: tuple[float, ...] | None) -> list[float | None] | None:
    if values is None:
        return None
    return [v if math.isfinite(v) else None for v in values]


def dfa_dict(dfa: DfaAnalysis | None, series: bool = False) -> dict[str, Any] | None:
    """DFA-α1 for JSON (None without beat-to-beat data); ``series`` adds the α1 series."""
    if dfa is None:
        return None
    data: dict[str, Any] = {
        "method": METHOD,
        "artefact_percent": round(dfa.artefact_percent, 2),
        "max_artefact_percent": dfa.max_artefact_percent,
        "n_windows": dfa.n_windows,
        "n_clean_windows": dfa.n_clean_windows,
        "hrvt1": _threshold_dict(dfa.hrvt1),
        "hrvt2": _threshold_dict(dfa.hrvt2),
        "notes": list(dfa.notes),
    }
    if series:
        data["series"] = {
            "start": dfa.start.isoformat().replace("+00:00", "Z"),
            "step_s": COMPACT_STEP_S,
            "time_s": list(dfa.offset_s),
            "alpha1": _listed(dfa.alpha1),
            "heart_rate_bpm": _listed(dfa.heart_rate_bpm),
            "power_w": _listed(dfa.power_w),
        }
    return data


#: What each HRV threshold is offered as in ``lactlog thresholds``.
HRV_ROLES = {
    "HRVT1": "measured LT1 (Seiler's zone 1 boundary)",
    "HRVT2": "LT2 cross-check (compare with LTHR)",
}


def hrv_history_table(
    picks: dict[tuple[str, str], SessionHrvThreshold], lthr_bpm: float | None = None
) -> RowTable | Text:
    """The HRV thresholds ``lactlog thresholds`` offers, per sport group: value, session,
    quality; HRVT2 next to the LTHR estimate ``lthr_bpm`` when there is one. The session
    goes under its row when the terminal is narrow, so no file name is cut."""
    if not picks:
        return Text("HRV thresholds (DFA-α1): none — no session with beat-to-beat intervals "
                    "ramped through α1 0.75 / 0.5 (a ramp test with a chest strap does).",
                    style="dim")
    table = RowTable(
        [Column("Sport"), Column("Threshold"), Column("HR", "right"), Column("Power", "right"),
         Column("Offered as", flexible=True), Column("From", spill=True, min_width=30)],
        title="HRV thresholds from DFA-α1 (Rogers et al. 2021)",
        caption="From: file, session day (quality: ramp = a ramp-like session; weak = an "
                "ordinary one, a rough estimate), r² of α1 on heart rate",
    )
    for (group, name), pick in picks.items():
        found = pick.threshold
        role = HRV_ROLES[name]
        if name == "HRVT2" and lthr_bpm is not None:
            role += f": {found.heart_rate_bpm - lthr_bpm:+.0f} bpm vs LTHR {lthr_bpm:.0f}"
        origin = (f"{Path(pick.source).name} {pick.day.isoformat()} ({found.quality}, "
                  f"r² {found.r_squared:.2f})")
        table.add_row(group, name, number_text(found.heart_rate_bpm, 0, "bpm", missing="—", space=True),
                      number_text(found.power_w, 0, "W", missing="—", space=True), role, origin)
    return table


def hrv_history_dict(picks: dict[tuple[str, str], SessionHrvThreshold]) -> list[dict[str, Any]]:
    """The offered HRV thresholds for ``lactlog thresholds --json``."""
    return [{"group": group, "name": name, "role": HRV_ROLES[name],
             "day": pick.day.isoformat(), "source": pick.source,
             "session_index": pick.session_index, **(_threshold_dict(pick.threshold) or {})}
            for (group, name), pick in picks.items()]
