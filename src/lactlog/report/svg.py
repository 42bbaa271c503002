"""Hand-written inline SVG for the HTML report: scales, axes, lines with gaps, bars, markers.

No plotting library: the charts are a few kB of markup each, identical on every run (no random
ids, no timestamps), work offline and need no JavaScript. Lines are relative steps between points
rounded to 0.1 px: a 600-point line is about 4 kB. Every text is HTML-escaped here, so callers
pass plain strings.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import numpy as np

#: Margins around a chart's plot area [px]: left (y labels), right, top, bottom (x labels).
MARGIN = (48, 48, 14, 24)


@dataclass(frozen=True)
class Scale:
    """Linear map of a data interval [``low``, ``high``] onto pixels [``start``, ``end``]
    (``end`` < ``start`` for a y axis, whose pixels grow downwards)."""

    low: float
    high: float
    start: float
    end: float

    def __call__(self, value: float) -> float:
        span = self.high - self.low
        if span == 0:
            return (self.start + self.end) / 2
        return self.start + (value - self.low) * (self.end - self.start) / span


@dataclass(frozen=True)
class Frame:
    """A chart: its size [px] and the x and y scales of its plot area."""

    width: int
    height: int
    x: Scale
    y: Scale

    @property
    def left(self) -> float:
        return min(self.x.start, self.x.end)

    @property
    def right(self) -> float:
        return max(self.x.start, self.x.end)

    @property
    def top(self) -> float:
        return min(self.y.start, self.y.end)

    @property
    def bottom(self) -> float:
        return max(self.y.start, self.y.end)


def frame(width: int, height: int, x_range: tuple[float, float], y_range: tuple[float, float],
          margin: tuple[int, int, int, int] = MARGIN) -> Frame:
    """The :class:`Frame` of a ``width`` × ``height`` chart with the plot area inside
    ``margin`` (left, right, top, bottom): x from left to right, y from bottom to top."""
    left, right, top, bottom = margin
    return Frame(width, height,
                 Scale(x_range[0], x_range[1], left, width - right),
                 Scale(y_range[0], y_range[1], height - bottom, top))


def num(value: float) -> str:
    """A coordinate with at most one decimal and no trailing zeros: 12.0 -> "12", 3.25 -> "3.2"."""
    text = f"{value:.1f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return "0" if text == "-0" else text


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values (1, 2 or 5 × 10^k apart) covering [low, high], about ``count`` of them."""
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        return [low] if math.isfinite(low) else []
    raw = (high - low) / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(low / step - 1e-9) * step
    ticks = []
    value = first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    return ticks


def padded_range(values: Sequence[float | None], include: Sequence[float] = (),
                 pad: float = 0.05) -> tuple[float, float]:
    """[min, max] of the finite ``values`` and ``include``, widened by ``pad`` of the span on
    each side ((0, 1) when there are none)."""
    finite = [v for v in (*values, *include) if v is not None and math.isfinite(v)]
    if not finite:
        return 0.0, 1.0
    low, high = min(finite), max(finite)
    if high == low:
        return low - 1, high + 1
    span = high - low
    return low - pad * span, high + pad * span


def open_svg(width: int, height: int, label: str, css_class: str = "chart") -> str:
    """The opening tag of an accessible SVG (role img, ``aria-label``) of that pixel size."""
    return (f'<svg class="{css_class}" xmlns="http://www.w3.org/2000/svg" width="{width}" '
            f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
            f'aria-label="{escape(label)}">')


def line_path(f: Frame, xs: Sequence[float], ys: Sequence[float | None]) -> str:
    """SVG path data through (x, y), broken at every missing y (None or NaN): per unbroken run
    "M x0 y0" then relative steps "l dx dy ..." between the points rounded to 0.1 px (so the
    rounding never accumulates), written compactly (no command letter repeated, no "0" before
    ".", no space before "-"): about 6 bytes a point. A run of one point is "M x y" alone."""
    x = np.asarray(xs, dtype=np.float64)
    y = np.array([np.nan if v is None else v for v in ys], dtype=np.float64)
    if x.shape != y.shape:
        raise ValueError(f"{x.size} x values but {y.size} y values")
    valid = np.isfinite(y)
    if not valid.any():
        return ""
    tenths_x = np.rint(_pixels(f.x, x) * 10).astype(np.int64)
    tenths_y = np.rint(_pixels(f.y, np.where(valid, y, 0.0)) * 10).astype(np.int64)
    index = np.flatnonzero(valid)
    breaks = np.flatnonzero(np.diff(index) > 1) + 1  # a gap ends a run
    parts: list[str] = []
    for run in np.split(index, breaks):
        parts.append(f"M{_tenths(int(tenths_x[run[0]]))} {_tenths(int(tenths_y[run[0]]))}")
        if run.size < 2:
            continue
        steps = np.empty(2 * (run.size - 1), dtype=np.int64)
        steps[0::2] = np.diff(tenths_x[run])
        steps[1::2] = np.diff(tenths_y[run])
        texts = [_tenths(int(v)) for v in steps]
        parts.append("l" + texts[0] + "".join(t if t[0] == "-" else " " + t for t in texts[1:]))
    return "".join(parts)


def _pixels(scale: Scale, values: np.ndarray) -> np.ndarray:
    """:class:`Scale` applied to an array."""
    span = scale.high - scale.low
    if span == 0:
        return np.full(values.shape, (scale.start + scale.end) / 2)
    return scale.start + (values - scale.low) * ((scale.end - scale.start) / span)


@functools.lru_cache(maxsize=4096)
def _tenths(value: int) -> str:
    """Tenths of a pixel as the shortest number text: 25 -> "2.5", -3 -> "-.3", 40 -> "4"."""
    sign = "-" if value < 0 else ""
    whole, tenth = divmod(abs(value), 10)
    if tenth == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole or ''}.{tenth}"


def line(f: Frame, xs: Sequence[float], ys: Sequence[float | None], css_class: str,
         title: str | None = None) -> str:
    """A ``<path>`` of :func:`line_path` (nothing when no point is drawn)."""
    data = line_path(f, xs, ys)
    if not data:
        return ""
    tip = f"<title>{escape(title)}</title>" if title else ""
    return f'<path class="{css_class}" d="{data}">{tip}</path>'


def hline(f: Frame, y: float, css_class: str, label: str | None = None) -> str:
    """A horizontal line across the plot area at data value ``y``, with a label at its right."""
    py = num(f.y(y))
    text = (f'<text class="label" x="{num(f.right + 3)}" y="{py}" dy="0.35em">{escape(label)}'
            "</text>") if label else ""
    return (f'<line class="{css_class}" x1="{num(f.left)}" x2="{num(f.right)}" y1="{py}" '
            f'y2="{py}"/>' + text)


def rect(x: float, y: float, width: float, height: float, css_class: str,
         title: str | None = None) -> str:
    """A ``<rect>`` in pixels (negative sizes are flipped), with an optional tooltip."""
    if width < 0:
        x, width = x + width, -width
    if height < 0:
        y, height = y + height, -height
    tip = f"<title>{escape(title)}</title>" if title else ""
    end = f">{tip}</rect>" if tip else "/>"
    return (f'<rect class="{css_class}" x="{num(x)}" y="{num(y)}" width="{num(width)}" '
            f'height="{num(height)}"{end}')


def x_band(f: Frame, x0: float, x1: float, css_class: str, title: str | None = None) -> str:
    """A full-height shaded band from data x0 to x1 (clipped to the plot area)."""
    left = max(f.left, min(f.x(x0), f.x(x1)))
    right = min(f.right, max(f.x(x0), f.x(x1)))
    if right <= left:
        return ""
    return rect(left, f.top, right - left, f.bottom - f.top, css_class, title)


def axes(f: Frame, x_ticks: Sequence[tuple[float, str]], y_ticks: Sequence[tuple[float, str]],
         y_title: str = "") -> str:
    """The plot area's frame, grid lines and tick labels (x below, y on the left), grouped so
    that each label carries only its position."""
    out = [rect(f.left, f.top, f.right - f.left, f.bottom - f.top, "plot")]
    if y_ticks:
        grid = "".join(f"M{num(f.left)} {num(f.y(v))}H{num(f.right)}" for v, _ in y_ticks)
        out.append(f'<path class="grid" d="{grid}"/><g class="tick" text-anchor="end">')
        out += [f'<text x="{num(f.left - 4)}" y="{num(f.y(v) + 3.5)}">{escape(t)}</text>'
                for v, t in y_ticks]
        out.append("</g>")
    if x_ticks:
        out.append('<g class="tick" text-anchor="middle">')
        out += [f'<text x="{num(f.x(v))}" y="{num(f.bottom + 15)}">{escape(t)}</text>'
                for v, t in x_ticks]
        out.append("</g>")
    if y_title:
        out.append(f'<text class="axis-title" x="4" y="{num(f.top - 3)}">{escape(y_title)}'
                   "</text>")
    return "".join(out)


def number_ticks(low: float, high: float, count: int = 5, digits: int = 0
                 ) -> list[tuple[float, str]]:
    """(value, label) of :func:`nice_ticks`, labelled with ``digits`` decimals."""
    return [(v, f"{v:,.{digits}f}") for v in nice_ticks(low, high, count)]


def marker(px: float, py: float, css_class: str, title: str | None = None, size: float = 5
           ) -> str:
    """A small downward triangle with its tip at (px, py) pixels, with a tooltip."""
    points = f"{num(px - size)},{num(py - 2 * size)} {num(px + size)},{num(py - 2 * size)} " \
             f"{num(px)},{num(py)}"
    tip = f"<title>{escape(title)}</title>" if title else ""
    return f'<polygon class="{css_class}" points="{points}">{tip}</polygon>'


def legend(items: Sequence[tuple[str, str]]) -> str:
    """An HTML legend: (css class of the swatch, label) pairs."""
    entries = "".join(f'<span class="key"><span class="swatch {cls}"></span>{escape(text)}</span>'
                      for cls, text in items)
    return f'<p class="legend">{entries}</p>'
