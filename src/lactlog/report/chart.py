"""A text chart of one channel over time, with a threshold line, as a Rich ``Text``.

One column per time bucket (the bucket's mean), a fixed number of rows, bars of block
characters (eighth blocks for the top cell), the threshold as a row of ``─`` wherever no bar
covers it, y-axis labels (bottom, top, threshold) and an x-axis in minutes. Legible without
colour: colour only repeats what the characters already show (bars at or above the threshold).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from rich.text import Text

#: Characters for 0/8 … 8/8 of a cell.
BLOCKS = " ▁▂▃▄▅▆▇█"
LABEL_WIDTH = 4
"""Width of the y-axis labels [characters]."""
AXIS_WIDTH = LABEL_WIDTH + 1
"""Label plus the axis line [characters]."""
DEFAULT_HEIGHT = 8
"""Rows of the plot area."""
THRESHOLD_CHAR = "─"
_TICK_STEPS_MIN = (1, 2, 5, 10, 15, 20, 30, 60, 120, 240)
_MIN_TICK_SPACING = 6
_ROW_STEPS = (*range(1, 11), 12, 15, 20, 25, 30, 40, 50, 60, 75, 100, 125, 150, 200, 250, 300,
              400, 500, 1000, 2000, 5000)


def chart_columns(width: int) -> int:
    """Plot columns of a chart ``width`` characters wide (the rest is the y-axis)."""
    return max(10, width - AXIS_WIDTH)


def regroup(values: np.ndarray, n_columns: int) -> tuple[np.ndarray, int]:
    """Merge consecutive buckets until at most ``n_columns`` remain: (means, buckets per column)."""
    values = np.asarray(values, dtype=np.float64)
    if values.size <= n_columns:
        return values, 1
    factor = math.ceil(values.size / n_columns)
    padded = np.full(math.ceil(values.size / factor) * factor, np.nan)
    padded[: values.size] = values
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN groups stay NaN
        return np.nanmean(padded.reshape(-1, factor), axis=1), factor


def _scale(values: np.ndarray, threshold: float | None, height: int) -> tuple[float, float]:
    """(bottom value, value per row) so that every value fits and, when there is a threshold,
    it lies exactly on the lower edge of a row below the top one: values below the threshold
    then never reach into the threshold row."""
    finite = values[np.isfinite(values)]
    low_value, high_value = float(finite.min()), float(finite.max())
    anchor = 0.0 if threshold is None else float(threshold)
    for step in _ROW_STEPS:
        low = anchor + math.floor((low_value - anchor) / step - 1e-9) * step
        if low < 0 <= low_value:  # no negative axis for non-negative data
            low = 0.0
        rows_below = (anchor - low) / step
        if not float(rows_below).is_integer():
            continue
        if low + height * step >= high_value and (threshold is None or rows_below <= height - 1):
            return low, float(step)
    step = (max(high_value, anchor) - min(low_value, anchor)) / (height - 1)
    return min(low_value, anchor), step


def _rows(values: np.ndarray, low: float, step: float, height: int, threshold_row: int | None):
    """Plot rows top to bottom: (row number, characters), row 0 at the bottom."""
    level = np.clip((values - low) / step, 0, height)
    rows = []
    for row in range(height - 1, -1, -1):
        cells = []
        for fill in level:
            if not np.isfinite(fill):
                char = " "
            elif fill >= row + 1:
                char = BLOCKS[8]
            else:
                char = BLOCKS[max(0, min(8, round((fill - row) * 8)))]
            if char == " " and row == threshold_row:
                char = THRESHOLD_CHAR
            cells.append(char)
        rows.append((row, cells))
    return rows


def _label(value: float) -> str:
    return f"{value:>{LABEL_WIDTH}.0f}"[-LABEL_WIDTH:]


def _x_axis(n_columns: int, column_s: float) -> tuple[str, str]:
    per_minute = 60.0 / column_s
    step = next((s for s in _TICK_STEPS_MIN if s * per_minute >= _MIN_TICK_SPACING),
                _TICK_STEPS_MIN[-1])
    axis = ["─"] * n_columns
    labels = [" "] * (n_columns + 6)
    minute = 0
    while (column := round(minute * per_minute)) < n_columns:
        axis[column] = "┬"
        text = str(minute)
        if column + len(text) <= n_columns:
            labels[column : column + len(text)] = text
        minute += step
    last = "".join(labels).rstrip()
    labels_line = last + " min" if len(last) + 4 <= n_columns else last
    return " " * LABEL_WIDTH + "└" + "".join(axis), " " * AXIS_WIDTH + labels_line


def line_chart(
    values: np.ndarray | None,
    bucket_s: int,
    title: str,
    unit: str,
    width: int,
    threshold: float | None = None,
    threshold_label: str | None = None,
    height: int = DEFAULT_HEIGHT,
) -> Text:
    """A chart of ``values`` (one mean per ``bucket_s`` seconds) ``width`` characters wide.

    Parameters
    ----------
    values : array or None
        Bucket means (NaN for gaps) in ``unit``.
    bucket_s : int
        Seconds per value.
    title, unit : str
        E.g. ``"Heart rate"``, ``"bpm"``.
    width : int
        Total width [characters] (console width minus margins).
    threshold : float or None
        Drawn as a horizontal line, labelled on the y-axis.
    threshold_label : str or None
        E.g. ``"LTHR"``.
    height : int
        Rows of the plot area.
    """
    if values is None or not np.isfinite(np.asarray(values, dtype=np.float64)).any():
        return Text(f"{title}: no data", style="dim")
    columns, factor = regroup(values, chart_columns(width))
    column_s = bucket_s * factor
    low, step = _scale(columns, threshold, height)
    high = low + height * step
    threshold_row = None
    if threshold is not None:
        threshold_row = min(height - 1, max(0, math.floor((threshold - low) / step + 1e-9)))
    text = Text(f"{title} [{unit}]", style="bold", no_wrap=True, overflow="crop")
    caption = f", 1 column = {column_s:g} s"
    if threshold is not None:
        caption += f"; {THRESHOLD_CHAR * 3} {threshold_label or 'threshold'} {threshold:.0f} {unit}"
    text.append(caption + "\n", style="")
    for row, cells in _rows(columns, low, step, height, threshold_row):
        if row == threshold_row and threshold is not None:
            label, axis = _label(threshold), "┤"
        elif row == height - 1:
            label, axis = _label(high), "┤"
        elif row == 0:
            label, axis = _label(low), "┤"
        else:
            label, axis = " " * LABEL_WIDTH, "│"
        text.append(label + axis)
        _append_cells(text, cells, threshold, columns)
        text.append("\n")
    axis_line, labels_line = _x_axis(len(columns), column_s)
    text.append(axis_line + "\n" + labels_line)
    return text


def _append_cells(
    text: Text, cells: list[str], threshold: float | None, columns: np.ndarray
) -> None:
    """Append one row; bars at or above the threshold in red, the threshold line in yellow."""
    above = (columns >= threshold) if threshold is not None else np.zeros(len(columns), bool)
    for index, char in enumerate(cells):
        if char == THRESHOLD_CHAR:
            style = "yellow"
        elif char != " " and above[index]:
            style = "red"
        else:
            style = ""
        text.append(char, style=style)
