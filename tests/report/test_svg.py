"""The report's SVG helpers against coordinates computed by hand."""

from __future__ import annotations

import math

import pytest

from lactlog.report import svg


def test_scale_maps_ends_and_middle() -> None:
    # y axis of a 200-px chart, plot from 180 (value 0) up to 20 (value 100): 25 -> 180 - 40
    scale = svg.Scale(0, 100, 180, 20)
    assert scale(0) == 180
    assert scale(100) == 20
    assert scale(25) == 140
    assert svg.Scale(5, 5, 10, 30)(5) == 20  # an empty interval sits in the middle


def test_frame_puts_the_plot_inside_the_margins() -> None:
    # 400 × 200, margins left 40, right 10, top 20, bottom 30: x 40..390, y 170..20
    f = svg.frame(400, 200, (0, 10), (0, 50), (40, 10, 20, 30))
    assert (f.left, f.right, f.top, f.bottom) == (40, 390, 20, 170)
    assert f.x(5) == 215  # 40 + 5/10 × 350
    assert f.y(10) == 140  # 170 − 10/50 × 150


def test_line_path_breaks_at_gaps() -> None:
    f = svg.frame(400, 200, (0, 10), (0, 50), (40, 10, 20, 30))
    # x 0, 1, 2, 4 -> 40, 75, 110, 180; y 0, 25, 50 -> 170, 95, 20
    path = svg.line_path(f, [0, 1, 2, 4], [0, 25, None, 50])
    assert path == "M40 170l35-75M180 20"  # (40,170) -> (75,95); a new run at (180,20)
    # relative steps between points rounded to 0.1 px: 24.9 -> y 95.3 (+0.3), 50 -> 20 (-75.3)
    assert svg.line_path(f, [0, 1, 2, 3], [0, 25, 24.9, 50]) == "M40 170l35-75 35 .3 35-75.3"
    assert svg.line_path(f, [0, 1, 2, 3], [None, 25, None, None]) == "M75 95"
    assert svg.line_path(f, [0, 1], [math.nan, None]) == ""
    assert svg.line(f, [0], [None], "hr") == ""


def test_numbers_keep_one_decimal_without_trailing_zeros() -> None:
    assert [svg.num(v) for v in (12.0, 3.25, 3.26, -0.04, 7.5)] == ["12", "3.2", "3.3", "0", "7.5"]


@pytest.mark.parametrize(("low", "high", "count", "expected"), [
    (0, 100, 5, [0, 20, 40, 60, 80, 100]),
    (3, 17, 4, [5, 10, 15]),
    (-12, 31, 5, [-10, 0, 10, 20, 30]),
    (0.4, 1.2, 4, [0.4, 0.6, 0.8, 1.0, 1.2]),
])
def test_nice_ticks(low: float, high: float, count: int, expected: list[float]) -> None:
    assert svg.nice_ticks(low, high, count) == pytest.approx(expected)


def test_padded_range() -> None:
    assert svg.padded_range([10, None, 20, math.nan]) == (9.5, 20.5)
    assert svg.padded_range([5], (0,), pad=0) == (0, 5)
    assert svg.padded_range([]) == (0.0, 1.0)
    assert svg.padded_range([3, 3]) == (2, 4)


def test_band_rect_and_marker() -> None:
    f = svg.frame(400, 200, (0, 10), (0, 50), (40, 10, 20, 30))
    # 2..4 -> x 110..180, full plot height 20..170; clipped at the right end
    assert svg.x_band(f, 2, 4, "effort") == \
        '<rect class="effort" x="110" y="20" width="70" height="150"/>'
    assert 'x="355" y="20" width="35"' in svg.x_band(f, 9, 12, "effort")
    assert svg.x_band(f, 11, 12, "effort") == ""
    assert svg.rect(10, 10, -4, 5, "r") == '<rect class="r" x="6" y="10" width="4" height="5"/>'
    assert svg.marker(100, 50, "m", size=5) == \
        '<polygon class="m" points="95,40 105,40 100,50"></polygon>'


def test_texts_are_escaped() -> None:
    f = svg.frame(400, 200, (0, 10), (0, 50))
    assert "&lt;b&gt;" in svg.hline(f, 10, "t", "<b>")
    assert 'aria-label="a &quot;b&quot; &amp; c"' in svg.open_svg(10, 10, 'a "b" & c')
    assert "<title>x &lt; y</title>" in svg.rect(0, 0, 1, 1, "r", "x < y")
    assert "&lt;script&gt;" in svg.legend([("c", "<script>")])
