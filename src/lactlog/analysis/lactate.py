"""Lactate thresholds from a measured blood-lactate step test (the one place lactlog uses
measured lactate).

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
result has no intensity and a note says why — nothing is extrapolated.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from datetime import date

import numpy as np
from numpy.polynomial import Polynomial

from lactlog.errors import InputError

#: The intensity fields a step test can have: power [W] or speed [m/s].
INTENSITY_FIELDS: tuple[str, ...] = ("power_w", "speed_mps")
#: Plausible blood lactate [mmol/L]: below 0.3 or above 30 is a typo or a wrong unit.
LACTATE_RANGE_MMOL: tuple[float, float] = (0.3, 30.0)
#: Fewest exercise steps (the baseline not counted) a curve fit is run on.
MIN_STEPS = 4
#: Step of the linear interpolation the segmented fits run on (lactater: 0.1 W, 0.1 km/h).
INTERPOLATION_STEP: dict[str, float] = {"power_w": 0.1, "speed_mps": 0.1 / 3.6}
#: Rise of lactate to the next step that marks ModDmax's start [mmol/L] (Bishop et al. 1998).
MODDMAX_RISE_MMOL = 0.4
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
class LactateStep:
    """One row of a step test; ``intensity`` 0 marks the resting baseline."""

    step: int
    duration_s: float
    intensity: float
    """Power [W] or speed [m/s], as :attr:`StepTest.intensity_field` says."""
    lactate_mmol: float
    heart_rate_bpm: float | None = None


@dataclass(frozen=True)
class StepTest:
    """A blood-lactate step test: its rows in order, what the intensity is, where it came from."""

    steps: tuple[LactateStep, ...]
    intensity_field: str
    source: str
    test_date: date | None = None
    sport_group: str | None = None
    """``bike`` or ``run`` when the file says so; None: from the intensity (power: bike)."""

    @property
    def baseline(self) -> LactateStep | None:
        """The resting row (intensity 0), if the test has one."""
        return self.steps[0] if self.steps and self.steps[0].intensity == 0 else None

    @property
    def exercise_steps(self) -> tuple[LactateStep, ...]:
        return self.steps[1:] if self.baseline is not None else self.steps


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


def check_step_test(test: StepTest) -> None:
    """The rules every step test obeys, whatever file it came from.

    At most one baseline, and it comes first; at least :data:`MIN_STEPS` exercise steps with
    strictly increasing intensity; lactate within :data:`LACTATE_RANGE_MMOL`.

    Raises
    ------
    InputError
        The first rule broken, naming the step.
    """
    if test.intensity_field not in INTENSITY_FIELDS:
        raise InputError(f"intensity must be one of {', '.join(INTENSITY_FIELDS)}")
    low, high = LACTATE_RANGE_MMOL
    for step in test.steps:
        if not math.isfinite(step.lactate_mmol) or not low <= step.lactate_mmol <= high:
            raise InputError(f"step {step.step}: lactate {step.lactate_mmol:g} mmol/L is outside "
                             f"{low:g}–{high:g} mmol/L (a typo, or not mmol/L?)")
    exercise = test.exercise_steps
    if len(exercise) < MIN_STEPS:
        raise InputError(f"{len(exercise)} exercise step(s): a lactate curve needs at least "
                         f"{MIN_STEPS} (a resting row with intensity 0 does not count)")
    for previous, step in zip(exercise, exercise[1:], strict=False):
        if not step.intensity > previous.intensity:
            raise InputError(
                f"step {step.step}: intensity {step.intensity:g} is not above step "
                f"{previous.step}'s {previous.intensity:g} (steps must increase; a resting row "
                "with intensity 0 may only come first)")
    if exercise[0].intensity <= 0:
        raise InputError(f"step {exercise[0].step}: intensity must be above 0")


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
                        loglog_x, main, "no positive intensities to take logarithms of"))
    for level in OBLA_LEVELS_MMOL:
        x, note = _intensity_at(main_x, main(main_x), level)
        results.append(make(f"OBLA {level:.1f}", fit_name, x, main, note, lactate=level))
    for plus in BASELINE_PLUS_MMOL:
        level = baseline + plus
        x, note = _intensity_at(main_x, main(main_x), level)
        results.append(make(f"Bsln+{plus:.1f}", fit_name, x, main, note, lactate=level))
    results.extend(_dmax_family(test, ex_x, ex_y, poly3, loglog_x, make))
    ltp = _ltp_breakpoints(grid, interpolated, bounds)
    for index, method in enumerate(("LTP1", "LTP2")):
        x = None if ltp is None else ltp[index]
        results.append(make(method, f"3-segment linear; lactate from the {fit_name}", x, main,
                            "no two breakpoints inside the measured range"))
    curve_x = np.linspace(main_x[0], main_x[-1], 200)
    return LactateTestResult(
        test, degree, use_baseline, baseline, tuple(results),
        tuple(float(v) for v in curve_x), tuple(float(v) for v in main(curve_x)),
    )


def _dmax_family(test, ex_x, ex_y, poly3, loglog_x, make) -> list[LactateThreshold]:
    """Dmax, ModDmax, Exp-Dmax, Log-Poly-ModDmax, Log-Exp-ModDmax (module docstring)."""
    fit3 = "3rd-degree polynomial (exercise steps)"
    fit_exp = "exponential a + b·e^(c·x) (exercise steps)"
    first_x, last_x, last_y = ex_x[0], ex_x[-1], ex_y[-1]
    results = [make("Dmax", fit3, _dmax_poly(poly3, first_x, ex_y[0], last_x, last_y), poly3,
                    "the curve never bends away from the first-to-last line")]
    rises = np.flatnonzero(np.diff(ex_y) >= MODDMAX_RISE_MMOL)
    if rises.size == 0:
        results.append(make("ModDmax", fit3, None, poly3,
                            f"lactate never rises by {MODDMAX_RISE_MMOL} mmol/L from one step to "
                            "the next"))
    else:
        start = rises[0]
        results.append(make("ModDmax", fit3,
                            _dmax_poly(poly3, ex_x[start], ex_y[start], last_x, last_y), poly3,
                            "the curve never bends away from the line"))
    exponential = _exponential_fit(ex_x, ex_y)
    if exponential is None:
        note = "the exponential fit did not converge (or the curve is not convex)"
        results.append(make("Exp-Dmax", fit_exp, None, None, note))
    else:
        results.append(make("Exp-Dmax", fit_exp, _dmax_exponential(exponential[2], first_x,
                                                                   last_x), _exp(exponential)))
    if loglog_x is None:
        note = "no Log-log threshold to start the line at"
        results.append(make("Log-Poly-ModDmax", fit3, None, None, note))
        results.append(make("Log-Exp-ModDmax", fit_exp, None, None, note))
        return results
    results.append(make("Log-Poly-ModDmax", fit3,
                        _dmax_poly(poly3, loglog_x, float(poly3(loglog_x)), last_x, last_y),
                        poly3, "the curve never bends away from the line"))
    if exponential is None:
        results.append(make("Log-Exp-ModDmax", fit_exp, None, None,
                            "the exponential fit did not converge (or the curve is not convex)"))
    else:
        results.append(make("Log-Exp-ModDmax", fit_exp,
                            _dmax_exponential(exponential[2], loglog_x, last_x),
                            _exp(exponential)))
    return results


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
    candidates = [r.real for r in (derivative - slope).roots()
                  if abs(r.imag) < 1e-9 and x0 <= r.real <= x1 and second(r.real) >= 0]
    return max(candidates) if candidates else None


def _exponential_fit(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float] | None:
    """(a, b, c) of y = a + b·exp(c·x) by least squares; None if no rising convex fit exists.

    Variable projection: for a fixed c the model is linear in (a, b), so the residual sum of
    squares is a function of c alone, minimised over a log-spaced grid and refined by golden
    section (on x scaled to 0–1 for conditioning). The least-squares solution is the one
    lactater's ``nlsLM`` (Levenberg–Marquardt) converges to.
    """
    span = x[-1] - x[0]
    u = (x - x[0]) / span

    def solve(c: float) -> tuple[float, np.ndarray]:
        design = np.column_stack([np.ones_like(u), np.exp(c * u)])
        coefficients, *_ = np.linalg.lstsq(design, y, rcond=None)
        return float(((design @ coefficients - y) ** 2).sum()), coefficients

    rates = np.geomspace(1e-3, 60.0, 200)
    scores = [solve(c)[0] for c in rates]
    best = int(np.argmin(scores))
    rate = _golden_min(lambda c: solve(c)[0], rates[max(0, best - 1)],
                       rates[min(rates.size - 1, best + 1)])
    _, (a, b) = solve(rate)
    if not (math.isfinite(a) and math.isfinite(b)) or b <= 0:
        return None
    c_per_unit = rate / span
    return float(a), float(b * math.exp(-c_per_unit * x[0])), float(c_per_unit)


def _golden_min(f, low: float, high: float, tolerance: float = 1e-7) -> float:
    """Minimum of a unimodal ``f`` on [low, high] by golden-section search."""
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


def _hinge_rss(x: np.ndarray, y: np.ndarray, breaks: tuple[float, ...]) -> float:
    """Residual sum of squares of the continuous piecewise-linear least-squares fit with
    ``breaks``: y = a + b·x + Σ c_k·max(0, x − break_k)."""
    columns = [np.ones_like(x), x, *(np.clip(x - b, 0.0, None) for b in breaks)]
    design = np.column_stack(columns)
    coefficients, *_ = np.linalg.lstsq(design, y, rcond=None)
    return float(((design @ coefficients - y) ** 2).sum())


def _loglog_breakpoint(grid: np.ndarray, lactate: np.ndarray, bounds) -> float | None:
    """Beaver et al. 1985: the one breakpoint of log(lactate) on log(intensity), searched over the
    interpolation grid within ``bounds`` and refined to a continuous minimum."""
    positive = grid > 0
    low, high = max(bounds[0], grid[positive][0] if positive.any() else np.inf), bounds[1]
    if not positive.any() or not high > low:
        return None
    u, v = np.log(grid[positive]), np.log(lactate[positive])
    candidates = np.log(grid[(grid >= low) & (grid <= high)])
    return float(np.exp(_refine_1d(u, v, candidates)))


def _refine_1d(x: np.ndarray, y: np.ndarray, candidates: np.ndarray) -> float:
    """The breakpoint of the best candidate, refined by golden section between its neighbours."""
    coarse = candidates[:: max(1, candidates.size // 400)]
    scores = [_hinge_rss(x, y, (c,)) for c in coarse]
    best = int(np.argmin(scores))
    lo, hi = coarse[max(0, best - 1)], coarse[min(coarse.size - 1, best + 1)]
    if hi <= lo:
        return float(coarse[best])
    found = _golden_min(lambda c: _hinge_rss(x, y, (c,)), lo, hi)
    return found if _hinge_rss(x, y, (found,)) <= scores[best] else float(coarse[best])


def _ltp_breakpoints(grid: np.ndarray, lactate: np.ndarray, bounds
                     ) -> tuple[float, float] | None:
    """Hofmann/Pokan: the two breakpoints (LTP1 < LTP2) of a three-segment continuous linear fit:
    the best pair on a coarse grid (1/40 of the range), then each breakpoint refined in turn by
    golden section between its grid neighbours, keeping the other fixed (three rounds)."""
    low, high = bounds
    if not high > low:
        return None
    coarse = np.linspace(low, high, 41)
    thin = slice(None, None, max(1, grid.size // 300))  # the coarse search on fewer points
    best: tuple[float, float, float] | None = None
    for i, first in enumerate(coarse[:-1]):
        for second in coarse[i + 1:]:
            score = _hinge_rss(grid[thin], lactate[thin], (first, second))
            if best is None or score < best[0]:
                best = (score, first, second)
    assert best is not None
    width = coarse[1] - coarse[0]
    first, second = best[1], best[2]
    for _ in range(3):
        first = _golden_min(lambda b: _hinge_rss(grid, lactate, (b, second)),
                            max(low, first - width), min(second, first + width))
        second = _golden_min(lambda b: _hinge_rss(grid, lactate, (first, b)),
                             max(first, second - width), min(high, second + width))
    return float(first), float(second)


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
    seconds = round(1000.0 / speed_mps)
    return f"{seconds // 60}:{seconds % 60:02d}"
