"""Small least-squares fits on numpy alone: continuous piecewise-linear (hinge) fits with one or
two breakpoints, y = a + b·e^(c·x), and golden-section search. Used by
:mod:`lactlog.analysis.lactate`; no scipy (``scipy.optimize`` takes seconds to import).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np


def golden_section_min(f: Callable[[float], float], low: float, high: float,
                       tolerance: float = 1e-7) -> float:
    """Minimum of a unimodal ``f`` on [low, high] by golden-section search (Kiefer 1953), to a
    relative interval width of ``tolerance``."""
    ratio = (math.sqrt(5) - 1) / 2
    a, b = low, high
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    fc, fd = f(c), f(d)
    while b - a > tolerance * max(1.0, abs(a) + abs(b)):
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - ratio * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + ratio * (b - a)
            fd = f(d)
    return (a + b) / 2


def hinge_fit(x: np.ndarray, y: np.ndarray, breaks: tuple[float, ...]
              ) -> tuple[float, np.ndarray]:
    """Continuous piecewise-linear least squares with the given breakpoints:
    y = a + b·x + Σ c_k·max(0, x − break_k). Returns (residual sum of squares, the slope
    changes c_k at each break)."""
    design = np.column_stack([np.ones_like(x), x, *(np.clip(x - b, 0.0, None) for b in breaks)])
    coefficients, *_ = np.linalg.lstsq(design, y, rcond=None)
    return float(((design @ coefficients - y) ** 2).sum()), coefficients[2:]


def _rss(x: np.ndarray, y: np.ndarray, breaks: tuple[float, ...]) -> float:
    return hinge_fit(x, y, breaks)[0]


def one_breakpoint(x: np.ndarray, y: np.ndarray, low: float, high: float,
                   n_candidates: int = 400) -> float:
    """The breakpoint in [low, high] of the best two-segment hinge fit: the best of
    ``n_candidates`` evenly spaced candidates, refined by golden section between its
    neighbours (kept only if it fits at least as well)."""
    candidates = np.linspace(low, high, n_candidates)
    scores = [_rss(x, y, (c,)) for c in candidates]
    best = int(np.argmin(scores))
    lo, hi = candidates[max(0, best - 1)], candidates[min(candidates.size - 1, best + 1)]
    found = golden_section_min(lambda c: _rss(x, y, (c,)), lo, hi)
    return found if _rss(x, y, (found,)) <= scores[best] else float(candidates[best])


def two_breakpoints(x: np.ndarray, y: np.ndarray, low: float, high: float,
                    n_grid: int = 41, max_points: int = 300) -> tuple[float, float]:
    """The breakpoints (first < second, both in [low, high]) of the best three-segment hinge fit:
    the best pair on an ``n_grid`` grid (fitted on at most ``max_points`` evenly taken points),
    then each breakpoint refined in turn by golden section within one grid cell, the other
    fixed, three rounds, on all points."""
    grid = np.linspace(low, high, n_grid)
    thin = slice(None, None, max(1, x.size // max_points))
    best = min(((_rss(x[thin], y[thin], (a, b)), a, b)
                for i, a in enumerate(grid[:-1]) for b in grid[i + 1:]), key=lambda t: t[0])
    width = grid[1] - grid[0]
    first, second = best[1], best[2]
    for _ in range(3):
        first = golden_section_min(lambda b: _rss(x, y, (b, second)),
                                   max(low, first - width), min(second, first + width))
        second = golden_section_min(lambda b: _rss(x, y, (first, b)),
                                    max(first, second - width), min(high, second + width))
    return float(first), float(second)


def exponential_plus_constant(x: np.ndarray, y: np.ndarray
                              ) -> tuple[float, float, float] | None:
    """(a, b, c) of y = a + b·exp(c·x) by least squares, for a rising convex curve (b, c > 0);
    None when the best fit is not one.

    Variable projection (Golub & Pereyra 1973): for a fixed c the model is linear in (a, b), so
    the residual sum of squares is a function of c alone, minimised over 200 log-spaced rates
    and refined by golden section, on x scaled to 0–1 for conditioning.
    """
    span = x[-1] - x[0]
    if not span > 0:
        return None
    u = (x - x[0]) / span

    def solve(c: float) -> tuple[float, np.ndarray]:
        design = np.column_stack([np.ones_like(u), np.exp(c * u)])
        coefficients, *_ = np.linalg.lstsq(design, y, rcond=None)
        return float(((design @ coefficients - y) ** 2).sum()), coefficients

    rates = np.geomspace(1e-3, 60.0, 200)
    scores = [solve(c)[0] for c in rates]
    best = int(np.argmin(scores))
    rate = golden_section_min(lambda c: solve(c)[0], rates[max(0, best - 1)],
                              rates[min(rates.size - 1, best + 1)])
    _, (a, b) = solve(rate)
    if not (math.isfinite(a) and math.isfinite(b)) or b <= 0:
        return None
    c_per_unit = rate / span
    return float(a), float(b * math.exp(-c_per_unit * x[0])), float(c_per_unit)
