"""``lactlog lactate-test``: the thresholds table, a text chart of the lactate curve with the
thresholds marked, and the JSON/CSV records."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from rich.console import Group
from rich.text import Text

from lactlog.analysis.lactate import LactateTestResult, LactateThreshold
from lactlog.formatting import number_text, pace_text
from lactlog.report.chart import AXIS_WIDTH, BLOCKS, LABEL_WIDTH
from lactlog.report.jsondoc import SCHEMA_VERSION, clean
from lactlog.report.layout import Column, RowTable

#: Kind of the ``--json`` document (and of the NDJSON/CSV records).
KIND = "lactate_test"
POINT = "●"
MARK = "┊"


def intensity_text(value: float | None, field: str) -> str:
    """``140 W``; a speed as ``14.4 km/h 4:10/km``; None -> ``–``."""
    if value is None or not math.isfinite(value):
        return "–"
    if field == "power_w":
        return f"{value:.0f} W"
    return f"{value * 3.6:.1f} km/h {pace_text(value)}"


def lactate_table(result: LactateTestResult, marks: dict[str, str] | None = None) -> RowTable:
    """One row per method: intensity, lactate [mmol/L], HR [bpm] and the method's source; a
    method with no answer shows ``–`` and its reason under the row; the fits in the caption.
    ``marks``: method -> label (LT1/LT2)."""
    marks = marks or {}
    test = result.test
    title = (f"Lactate thresholds — {test.source}"
             + (f", {test.test_date.isoformat()}" if test.test_date else "")
             + f" ({len(test.exercise_steps)} steps)")
    table = RowTable(
        [Column("Method"), Column("Intensity", "right"), Column("Lactate", "right"),
         Column("HR", "right"), Column("Source", flexible=True)],
        title=title, caption=_caption(result, marks),
    )
    for found in result.thresholds:
        label = found.method + (f" ({marks[found.method]})" if found.method in marks else "")
        details = [Text(f"{found.method}: {found.note}", style="yellow")] if found.note else []
        table.add_row(label, intensity_text(found.intensity, test.intensity_field),
                      number_text(found.lactate_mmol, 2), number_text(found.heart_rate_bpm, 0),
                      found.reference, details=details)
    return table


def _caption(result: LactateTestResult, marks: dict[str, str]) -> str:
    """Units, the fit of each family (as each threshold's ``fit`` says), the marks."""
    fits: dict[str, list[str]] = {}
    for found in result.thresholds:  # OBLA 2.0 ... 4.0 share their fit: named once
        name = found.family if found.family in ("OBLA", "Bsln+", "LTP") else found.method
        names = fits.setdefault(found.fit, [])
        if name not in names:
            names.append(name)
    baseline = ("baseline in the fit" if result.include_baseline
                else "baseline not in the fit")
    parts = [f"Lactate [mmol/L] measured, read off fitted curves ({baseline}); HR [bpm] from "
             "a linear fit of HR on intensity.",
             "Fits: " + "; ".join(f"{', '.join(names)}: {fit}" for fit, names in
                                  fits.items()) + "."]
    if marks:
        parts.append(_marks_caption(marks))
    return " ".join(parts)


def _marks_caption(marks: dict[str, str]) -> str:
    if not marks:
        return ""
    return "Marked: " + ", ".join(f"{label} = {method}" for method, label in marks.items()) + "."


def lactate_chart(result: LactateTestResult, width: int, marks: dict[str, str],
                  height: int = 10) -> Text:
    """The fitted curve (its height inside a row drawn with eighth blocks), the measured steps
    (``●``) and the marked thresholds (a ``┊`` column, labelled under the axis), lactate
    [mmol/L] against intensity; each row is labelled with its lower edge. Legible without
    colour."""
    field = result.test.intensity_field
    x = np.asarray(result.curve_intensity)
    y = np.asarray(result.curve_lactate_mmol)
    n_columns = max(10, width - AXIS_WIDTH)
    low_x, high_x = float(x[0]), float(x[-1])
    centres = low_x + (np.arange(n_columns) + 0.5) * (high_x - low_x) / n_columns
    curve = np.interp(centres, x, y)
    steps = result.test.steps
    measured = [(_column(_position(result, s.intensity), low_x, high_x, n_columns),
                 s.lactate_mmol) for s in steps]
    top = max(float(curve.max()), max(v for _, v in measured))
    step = _nice_step(top / height)
    marked = {}
    for method, label in marks.items():
        found = result.threshold(method)
        if found.intensity is not None:
            marked[_column(found.intensity, low_x, high_x, n_columns)] = label
    grid = [[" "] * n_columns for _ in range(height)]
    for column, value in enumerate(curve):
        level = max(0.0, min(height, value / step))
        row = min(height - 1, int(level))
        fill = level - row
        if level >= height:
            grid[height - 1][column] = BLOCKS[8]
        else:
            grid[row][column] = BLOCKS[max(1, round(fill * 8))]
    for column in marked:
        for row in range(height):
            if grid[row][column] == " ":
                grid[row][column] = MARK
    for column, value in measured:
        grid[min(height - 1, int(value / step))][column] = POINT
    unit = "W" if field == "power_w" else "km/h"
    text = Text(f"Lactate curve [mmol/L] against intensity [{unit}]", style="bold")
    text.append(f"; {POINT} measured step, ▁▄█ fitted curve, {MARK} threshold\n", style="")
    for row in range(height - 1, -1, -1):
        label = (f"{row * step:>{LABEL_WIDTH}.1f}" if row % 2 == 0
                 else " " * LABEL_WIDTH)[-LABEL_WIDTH:]  # a row's label: its lower edge
        text.append(label + ("┤" if label.strip() else "│"))
        for char in grid[row]:
            style = "red" if char == POINT else "yellow" if char == MARK else ""
            text.append(char, style=style)
        text.append("\n")
    text.append(" " * LABEL_WIDTH + "└" + "─" * n_columns + "\n")
    text.append(_x_labels(low_x, high_x, n_columns, field) + "\n")
    labels = [" "] * (n_columns + 8)
    for column, label in sorted(marked.items()):
        labels[column: column + len(label)] = label
    text.append(" " * AXIS_WIDTH + "".join(labels).rstrip() + "\n")
    legend = "  ".join(
        f"{label} {method} {intensity_text(result.threshold(method).intensity, field)}"
        for method, label in marks.items())
    text.append(" " * AXIS_WIDTH + legend)
    return text


def _position(result: LactateTestResult, intensity: float) -> float:
    """Where a step sits on the x axis: the baseline one step below the first step."""
    steps = result.test.exercise_steps
    if intensity == 0 and len(steps) > 1:
        return steps[0].intensity - (steps[1].intensity - steps[0].intensity)
    return intensity


def _column(value: float, low: float, high: float, n_columns: int) -> int:
    return int(min(n_columns - 1, max(0, (value - low) / (high - low) * n_columns)))


def _nice_step(raw: float) -> float:
    for step in (0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 2.5, 5.0):
        if step >= raw:
            return step
    return math.ceil(raw)


def _x_labels(low: float, high: float, n_columns: int, field: str) -> str:
    scale = 1.0 if field == "power_w" else 3.6
    span = (high - low) * scale
    tick = next((t for t in (0.5, 1, 2, 5, 10, 20, 25, 50, 100, 200)
                 if span / t * 6 <= n_columns), 500)
    labels = [" "] * (n_columns + 8)
    value = math.ceil(low * scale / tick) * tick
    while value <= high * scale:
        column = _column(value / scale, low, high, n_columns)
        text = f"{value:g}"
        if all(c == " " for c in labels[max(0, column - 1): column + len(text) + 1]):
            labels[column: column + len(text)] = text
        value += tick
    return " " * AXIS_WIDTH + "".join(labels).rstrip()


def lactate_renderable(result: LactateTestResult, width: int, marks: dict[str, str]) -> Group:
    """Table, then the chart."""
    return Group(lactate_table(result, marks), lactate_chart(result, width, marks))


def threshold_record(found: LactateThreshold, field: str) -> dict[str, Any]:
    """One method as a JSON-safe record (intensity under its SI field name)."""
    return clean({
        "method": found.method,
        "family": found.family,
        "fit": found.fit,
        "reference": found.reference,
        field: found.intensity,
        "lactate_mmol": found.lactate_mmol,
        "heart_rate_bpm": found.heart_rate_bpm,
        "note": found.note,
    })


def lactate_document(result: LactateTestResult, lt1_method: str, lt2_method: str,
                     saved: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ``lactlog lactate-test --json`` document (schema: ``lactate_test``)."""
    test = result.test
    field = test.intensity_field
    return clean({
        "kind": KIND,
        "schema_version": SCHEMA_VERSION,
        "source": test.source,
        "test_date": test.test_date,
        "sport_group": test.sport_group,
        "intensity_field": field,
        "polynomial_degree": result.degree,
        "include_baseline": result.include_baseline,
        "baseline_lactate_mmol": result.baseline_lactate_mmol,
        "steps": [{"step": s.step, "duration_s": s.duration_s, field: s.intensity,
                   "lactate_mmol": s.lactate_mmol, "heart_rate_bpm": s.heart_rate_bpm}
                  for s in test.steps],
        "thresholds": [threshold_record(t, field) for t in result.thresholds],
        "lt1_method": lt1_method,
        "lt2_method": lt2_method,
        "saved": saved,
        "curve": {field: [round(x, 3) for x in result.curve_intensity],
                  "lactate_mmol": [round(y, 3) for y in result.curve_lactate_mmol]},
    })
