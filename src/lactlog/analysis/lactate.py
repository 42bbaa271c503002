"""Lactate thresholds from a measured blood-lactate step test (the one place lactlog uses
measured lactate).

The test itself (:class:`lactlog.steptest.StepTest`) comes from :mod:`lactlog.io.lactate_steps`.
The methods follow the lactater R package (Mattioni Maturana, ``lactate_threshold()``, CRAN)
and its primary sources; the lactater demo test is reproduced in ``tests/analysis/
test_lactate.py``. Intensity is power [W] or speed [m/s]; lactate [mmol/L]; heart rate [bpm].

Data preparation (as lactater's ``prepare_fit``): a resting row (intensity 0) is the baseline;
it is placed one step below the first step, at ``x1 - (x2 - x1)``, and is part of the main
curve fit when ``include_baseline`` (default, as lactater's published demo). The main curve is a
least-squares polynomial of degree 3 (default) or 4 through the steps.

* **Log-log** (Beaver, Wasserman & Whipp 1985): log(lactate) against log(intensity), one
  breakpoint of a continuous two-segment linear least-squares fit (lactater: ``segmented`` on the
  lactate interpolated linearly between the steps every 0.1 W / 0.1 km/h); the threshold is the
  breakpoint, its lactate the main curve's value there. Both axes are logarithmic as in Beaver
  et al.; lactater's code logs lactate only, but its published demo value (83.4 W) is the
  log–log breakpoint (the semi-log one is 68.3 W).
* **OBLA 2.0–4.0** (Heck et al. 1985; Kindermann et al. 1979): the intensity where the main
  curve reaches 2.0, 2.5, 3.0, 3.5, 4.0 mmol/L (the highest crossing, as lactater).
* **Bsln+ 0.5/1.0/1.5** (Berg et al. 1990; Zoladz et al. 1995): where the main curve reaches the
  baseline lactate (resting row, else the first step, as lactater) plus 0.5/1.0/1.5 mmol/L.
* **Dmax** (Cheng et al. 1992): on a degree-3 polynomial through the exercise steps (baseline
  left out, as lactater), the point of maximal perpendicular distance below the straight line
  from the first to the last step: the largest intensity where p'(x) equals the line's slope
  and p''(x) >= 0.
* **ModDmax** (Bishop, Jenkins & Mackinnon 1998): as Dmax, but the line starts at the step
  preceding the first rise of lactate of >= 0.4 mmol/L to the next step.
* **Exp-Dmax** (Hughson, Weisiger & Swanson 1987): on y = a + b·exp(c·x) through the exercise
  steps, the maximal distance to the line from the first step x_i to the last x_f has the
  closed form x = ln[(e^(c·x_f) − e^(c·x_i)) / (c·(x_f − x_i))] / c.
* **Log-Poly-ModDmax** and **Log-Exp-ModDmax** (Jamnick et al. 2018): Dmax on the polynomial,
  resp. Exp-Dmax on the exponential, with the line starting at the Log-log threshold (for
  the polynomial, at its value there; lactater takes the main curve's value rounded to 0.1
  mmol/L, a difference of < 0.5 W on its demo).
* **LTP1 / LTP2** (Hofmann et al. 1997; Pokan et al. 1997; Hofmann & Tschakert 2017): the two
  breakpoints of a continuous three-segment linear least-squares fit of lactate against
  intensity (same interpolated data as Log-log); lactate from the main curve.

Heart rate at a threshold: linear regression of heart rate on intensity over the exercise steps
(baseline left out, as lactater). Every threshold lies inside the measured intensities; where a
method has no answer there (a curve that never reaches 4 mmol/L, no rise of 0.4 mmol/L ...) the
result has no intensity and a note says why — nothing is extrapolated. The shape-based methods
(Log-log, the Dmax family, LTP) also need a bend of at least :data:`MIN_BEND_MMOL`: on a straight
or flat stretch any "breakpoint" would be an artefact of the fit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.polynomial import Polynomial

from lactlog.analysis.curvefit import (
    exponential_plus_constant,
    hinge_fit,
    one_breakpoint,
    two_breakpoints,
)
from lactlog.errors import InputError
from lactlog.formatting import pace_text
from lactlog.steptest import StepTest, check_step_test

#: Step of the linear interpolation the segmented fits run on (lactater: 0.1 W, 0.1 km/h).
INTERPOLATION_STEP: dict[str, float] = {"power_w": 0.1, "speed_mps": 0.1 / 3.6}
#: Rise of lactate to the next step that marks ModDmax's start [mmol/L] (Bishop et al. 1998).
MODDMAX_RISE_MMOL = 0.4
#: Smallest bend a threshold is read from [mmol/L]: the display resolution of lactate meters.
#: A Dmax point less than this below its line, or a breakpoint whose bend adds less than this
#: by the last step, is a straight or flat stretch, not a threshold.
MIN_BEND_MMOL = 0.1
OBLA_LEVELS_MMOL: tuple[float, ...] = (2.0, 2.5, 3.0, 3.5, 4.0)
BASELINE_PLUS_MMOL: tuple[float, ...] = (0.5, 1.0, 1.5)

#: Method name -> (family, primary source).
METHODS: dict[str, tuple[str, str]] = {
    "Log-log": ("Log-log", "Beaver et al. 1985"),
    **{f"OBLA {v:.1f}": ("OBLA", "Heck et al. 1985") for v in OBLA_LEVELS_MMOL},
    **{f"Bsln+{v:.1f}": ("Bsln+", "Berg et al. 1990; Zoladz et al. 1995")
       for v in BASELINE_PLUS_MMOL},
    "Dmax": ("Dmax", "Cheng et al. 1992"),
    "ModDmax": ("Dmax", "Bishop et al. 1998"),
    "Exp-Dmax": ("Dmax", "Hughson et al. 1987"),
    "Log-Poly-ModDmax": ("Dmax", "Jamnick et al. 2018"),
    "Log-Exp-ModDmax": ("Dmax", "Jamnick et al. 2018"),
    "LTP1": ("LTP", "Hofmann et al. 1997; Pokan et al. 1997"),
    "LTP2": ("LTP", "Hofmann et al. 1997; Pokan et al. 1997"),
}


@dataclass(frozen=True)
class LactateThreshold:
    """One method's threshold. ``intensity`` None: the method has no answer inside the measured
    range, and ``note`` says why."""

    method: str
    family: str
    fit: str
    reference: str
    intensity: float | None
    """[W] or [m/s]"""
    lactate_mmol: float | None
    heart_rate_bpm: float | None
    note: str | None = None


@dataclass(frozen=True)
class LactateTestResult:
    """Every method's threshold and the fitted curve (for charts)."""

    test: StepTest
    degree: int
    include_baseline: bool
    baseline_lactate_mmol: float
    thresholds: tuple[LactateThreshold, ...]
    curve_intensity: tuple[float, ...]
    curve_lactate_mmol: tuple[float, ...]

    def threshold(self, method: str) -> LactateThreshold:
        """The threshold of ``method`` (a key of :data:`METHODS`)."""
        for found in self.thresholds:
            if found.method == method:
                return found
        raise KeyError(method)


def lactate_thresholds(
    test: StepTest, degree: int = 3, include_baseline: bool = True
) -> LactateTestResult:
    """All methods of the module docstring on one step test.

    Parameters
    ----------
    test : StepTest
        Checked with :func:`check_step_test` first.
    degree : int
        Degree of the main polynomial (3, as lactater's default, or 4); the Dmax methods always
        use degree 3 (Cheng et al.; Bishop et al.).
    include_baseline : bool
        Whether the baseline row is part of the main fit and the interpolated data.
    """
    check_step_test(test)
    if degree not in (3, 4):
        raise ValueError("degree must be 3 or 4")
    xs, ys = _positions(test)
    use_baseline = include_baseline and test.baseline is not None
    main_x, main_y = (xs, ys) if use_baseline else (xs[-len(test.exercise_steps):],
                                                    ys[-len(test.exercise_steps):])
    ex_x, ex_y = xs[-len(test.exercise_steps):], ys[-len(test.exercise_steps):]
    if main_x.size <= degree:
        raise InputError(f"a degree-{degree} curve needs more than {degree} points; the test has "
                         f"{main_x.size} (use degree 3)")
    main = Polynomial.fit(main_x, main_y, degree)
    poly3 = Polynomial.fit(ex_x, ex_y, 3)
    heart_rate = _heart_rate_model(test)
    step = INTERPOLATION_STEP[test.intensity_field]
    grid = np.arange(main_x[0], main_x[-1] + step / 2, step)
    interpolated = np.interp(grid, main_x, main_y)
    bounds = (main_x[1], main_x[-2])  # every segment rests on >= 2 measured points
    fit_name = f"{_ordinal(degree)}-degree polynomial"
    baseline = test.baseline.lactate_mmol if test.baseline else test.steps[0].lactate_mmol

    def make(method: str, fit: str, x: float | None, curve, note: str | None = None,
             lactate: float | None = None) -> LactateThreshold:
        family, reference = METHODS[method]
        if x is None:
            return LactateThreshold(method, family, fit, reference, None, lactate, None, note)
        return LactateThreshold(method, family, fit, reference, float(x),
                                float(curve(x)) if lactate is None else lactate,
                                heart_rate(x))

    results: list[LactateThreshold] = []
    loglog_x = _loglog_breakpoint(grid, interpolated, bounds)
    results.append(make("Log-log", f"segmented log–log; lactate from the {fit_name}",
                        loglog_x, main, "the log–log curve does not bend upward by "
                        f"{MIN_BEND_MMOL} mmol/L inside the measured range"))
    for level in OBLA_LEVELS_MMOL:
        x, note = _intensity_at(main_x, main(main_x), level)
        results.append(make(f"OBLA {level:.1f}", fit_name, x, main, note, lactate=level))
    for plus in BASELINE_PLUS_MMOL:
        level = baseline + plus
        x, note = _intensity_at(main_x, main(main_x), level)
        results.append(make(f"Bsln+{plus:.1f}", fit_name, x, main, note, lactate=level))
    results.extend(_dmax_family(ex_x, ex_y, poly3, loglog_x, make))
    ltp = _ltp_breakpoints(grid, interpolated, bounds)
    for index, method in enumerate(("LTP1", "LTP2")):
        x = None if ltp is None else ltp[index]
        results.append(make(method, f"3-segment linear; lactate from the {fit_name}", x, main,
                            f"no two upward bends of {MIN_BEND_MMOL} mmol/L inside the "
                            "measured range"))
    curve_x = np.linspace(main_x[0], main_x[-1], 200)
    return LactateTestResult(
        test, degree, use_baseline, baseline, tuple(results),
        tuple(float(v) for v in curve_x), tuple(float(v) for v in main(curve_x)),
    )


def _dmax_family(ex_x, ex_y, poly3, loglog_x, make) -> list[LactateThreshold]:
    """Dmax, ModDmax, Exp-Dmax, Log-Poly-ModDmax, Log-Exp-ModDmax (module docstring).

    The polynomial variants draw their line from a start point to the last measured step; the
    exponential ones between two points of the fitted curve (the closed form). A method has no
    value when its start point is missing, or when the curve lies less than
    :data:`MIN_BEND_MMOL` below the line at the farthest point (a straight or flat curve).
    """
    fit3, fit_exp = "3rd-degree polynomial (exercise steps)", \
        "exponential a + b·e^(c·x) (exercise steps)"
    exponential = exponential_plus_constant(ex_x, ex_y)
    curve_exp = None if exponential is None else _exp(exponential)
    rises = np.flatnonzero(np.diff(ex_y) >= MODDMAX_RISE_MMOL)
    no_rise = f"lactate never rises by {MODDMAX_RISE_MMOL} mmol/L from one step to the next"
    no_loglog = "no Log-log threshold to start the line at"
    no_exp = "no rising, convex exponential fits the steps"
    last = (float(ex_x[-1]), float(ex_y[-1]))
    rise = (float(ex_x[rises[0]]), float(ex_y[rises[0]])) if rises.size else None
    variants: list[tuple[str, str, Any, Any, str | None]] = [  # method, fit, curve, line
        # start, why there is none
        ("Dmax", fit3, poly3, (float(ex_x[0]), float(ex_y[0])), None),
        ("ModDmax", fit3, poly3, rise, no_rise),
        ("Exp-Dmax", fit_exp, curve_exp, float(ex_x[0]), no_exp),
        ("Log-Poly-ModDmax", fit3, poly3,
         None if loglog_x is None else (loglog_x, float(poly3(loglog_x))), no_loglog),
        ("Log-Exp-ModDmax", fit_exp, curve_exp, loglog_x,
         no_exp if curve_exp is None else no_loglog),
    ]
    results = []
    for method, fit, curve, start, missing in variants:
        if curve is None or start is None:
            results.append(make(method, fit, None, None, missing))
            continue
        if isinstance(start, tuple):
            x0, y0 = start
            x = _dmax_poly(poly3, x0, y0, *last)
            line = (start, last)
        else:
            assert exponential is not None  # curve_exp is its curve
            x = _dmax_exponential(exponential[2], start, last[0])
            line = ((start, curve(start)), (last[0], curve(last[0])))
        if x is None or _gap_below_line(curve, x, line) < MIN_BEND_MMOL:
            x = None
        results.append(make(method, fit, x, curve,
                            f"the curve bends less than {MIN_BEND_MMOL} mmol/L below the line "
                            "(a straight or flat curve)"))
    return results


def _gap_below_line(curve, x: float, line) -> float:
    """How far [mmol/L] ``curve`` lies below the straight ``line`` ((x0, y0), (x1, y1)) at x."""
    (x0, y0), (x1, y1) = line
    return y0 + (y1 - y0) * (x - x0) / (x1 - x0) - float(curve(x))


def _ordinal(n: int) -> str:
    return {3: "3rd", 4: "4th"}[n]


def _positions(test: StepTest) -> tuple[np.ndarray, np.ndarray]:
    """Intensities (the baseline one step below the first step, as lactater) and lactates."""
    xs = np.array([s.intensity for s in test.steps], dtype=np.float64)
    ys = np.array([s.lactate_mmol for s in test.steps], dtype=np.float64)
    if test.baseline is not None:
        xs[0] = xs[1] - (xs[2] - xs[1])
    return xs, ys


def _heart_rate_model(test: StepTest):
    """Heart rate [bpm] at an intensity: least-squares line through the exercise steps that have
    a heart rate (lactater's ``retrieve_heart_rate``); None without two such steps."""
    pairs = [(s.intensity, s.heart_rate_bpm) for s in test.exercise_steps
             if s.heart_rate_bpm is not None and math.isfinite(s.heart_rate_bpm)]
    if len({x for x, _ in pairs}) < 2:
        return lambda _x: None
    slope, intercept = np.polyfit([x for x, _ in pairs], [h for _, h in pairs], 1)
    return lambda x: float(intercept + slope * x)


def _intensity_at(x: np.ndarray, fitted: np.ndarray, level_mmol: float
                  ) -> tuple[float | None, str | None]:
    """The intensity where the fitted curve reaches ``level_mmol``, or why there is none.

    As lactater's ``retrieve_intensity``: linear interpolation between the curve's values at the
    measured steps, on the highest rising segment that brackets the level (a curve that dips
    first is read where it finally rises through the level); a level outside the fitted values
    at the steps is not reached.
    """
    if level_mmol > fitted.max():
        return None, (f"not reached: the fitted curve peaks at {fitted.max():.1f} mmol/L, below "
                      f"{level_mmol:.2f} mmol/L")
    if level_mmol < fitted.min():
        return None, (f"not reached: the fitted curve starts at {fitted.min():.1f} mmol/L, above "
                      f"{level_mmol:.2f} mmol/L")
    for i in range(len(x) - 2, -1, -1):
        low, high = fitted[i], fitted[i + 1]
        if low <= level_mmol <= high and high > low:
            return float(x[i] + (level_mmol - low) / (high - low) * (x[i + 1] - x[i])), None
    return None, f"not reached: the fitted curve never rises through {level_mmol:.2f} mmol/L"


def _dmax_poly(curve: Polynomial, x0: float, y0: float, x1: float, y1: float) -> float | None:
    """Intensity in [x0, x1] where ``curve`` lies farthest below the line (x0, y0)–(x1, y1):
    the largest root of p'(x) = slope with p''(x) >= 0 (Cheng et al. 1992)."""
    if not x1 > x0:
        return None
    slope = (y1 - y0) / (x1 - x0)
    derivative = curve.deriv()
    second = derivative.deriv()
    candidates = [float(r.real) for r in (derivative - slope).roots()
                  if abs(r.imag) < 1e-9 and x0 <= float(r.real) <= x1
                  and float(second(r.real)) >= 0]
    return max(candidates) if candidates else None


def _exp(params: tuple[float, float, float]):
    a, b, c = params
    return lambda x: a + b * math.exp(c * x)


def _dmax_exponential(c: float, x_start: float, x_end: float) -> float | None:
    """x = ln[(e^(c·x_f) − e^(c·x_i)) / (c·(x_f − x_i))] / c: where y = a + b·e^(cx) has the slope
    of its chord from x_i to x_f (Hughson et al. 1987); computed relative to x_i to avoid
    overflow."""
    span = x_end - x_start
    if not span > 0:
        return None
    return x_start + math.log(math.expm1(c * span) / (c * span)) / c


def _loglog_breakpoint(grid: np.ndarray, lactate: np.ndarray, bounds) -> float | None:
    """Beaver et al. 1985: the breakpoint of log(lactate) on log(intensity) within ``bounds``
    (the grid's positive intensities only); None unless the bend upward adds at least
    :data:`MIN_BEND_MMOL` by the last step."""
    positive = grid > 0
    if not positive.any():
        return None
    low, high = max(bounds[0], float(grid[positive][0])), bounds[1]
    if not high > low:
        return None
    u, v = np.log(grid[positive]), np.log(lactate[positive])
    found = one_breakpoint(u, v, math.log(low), math.log(high))
    change = hinge_fit(u, v, (found,))[1][0]  # slope change of log lactate at the break
    at_break = float(np.interp(math.exp(found), grid, lactate))
    added = at_break * math.expm1(change * (u[-1] - found))  # by the last step [mmol/L]
    return float(np.exp(found)) if change > 0 and added >= MIN_BEND_MMOL else None


def _ltp_breakpoints(grid: np.ndarray, lactate: np.ndarray, bounds
                     ) -> tuple[float, float] | None:
    """Hofmann/Pokan: the two breakpoints (LTP1 < LTP2) of a three-segment continuous linear fit
    of lactate on intensity within ``bounds``; None unless each bend upward adds at least
    :data:`MIN_BEND_MMOL` by the last step."""
    low, high = bounds
    if not high > low:
        return None
    first, second = two_breakpoints(grid, lactate, low, high)
    changes = hinge_fit(grid, lactate, (first, second))[1]  # slope changes [mmol/L per unit]
    added = changes * (grid[-1] - np.array([first, second]))  # by the last step [mmol/L]
    return (first, second) if np.all(added >= MIN_BEND_MMOL) else None


#: Methods saved as LT1 and LT2 by default (README "Lactate test" says why).
DEFAULT_LT1_METHOD = "Log-log"
DEFAULT_LT2_METHOD = "ModDmax"


@dataclass(frozen=True)
class ProfileValue:
    """A threshold to store in the profile: field, value as stored, the method it comes from."""

    field: str
    value: float | int | str
    method: str


def profile_values(result: LactateTestResult, lt1_method: str = DEFAULT_LT1_METHOD,
                   lt2_method: str = DEFAULT_LT2_METHOD) -> tuple[ProfileValue, ...]:
    """The profile fields a test gives: from LT2 the threshold (``ftp_w`` for power,
    ``threshold_pace`` for speed) and ``lthr_bpm``; from LT1 ``lt1_power_w``/``lt1_pace`` and
    ``lt1_hr_bpm``. Power and heart rate rounded to whole numbers, paces to whole seconds
    (``m:ss``); a method without a value, or a test without heart rates, gives fewer fields."""
    power = result.test.intensity_field == "power_w"
    values: list[ProfileValue] = []
    for method, intensity_field, hr_field in (
        (lt2_method, "ftp_w" if power else "threshold_pace", "lthr_bpm"),
        (lt1_method, "lt1_power_w" if power else "lt1_pace", "lt1_hr_bpm"),
    ):
        found = result.threshold(method)
        if found.intensity is None:
            continue
        values.append(ProfileValue(intensity_field, round(found.intensity) if power
                                   else pace_from_speed(found.intensity), method))
        if found.heart_rate_bpm is not None:
            values.append(ProfileValue(hr_field, round(found.heart_rate_bpm), method))
    return tuple(values)


def pace_from_speed(speed_mps: float) -> str:
    """Speed [m/s] as a pace ``m:ss`` per km (1000 m / speed, rounded to whole seconds)."""
    return pace_text(speed_mps, suffix="")
