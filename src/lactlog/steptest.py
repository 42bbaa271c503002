"""The canonical model of a blood-lactate step test, which every step-test reader produces
(:mod:`lactlog.io.lactate_steps`) and :mod:`lactlog.analysis.lactate` consumes, with the rules
every test obeys whatever file it came from. Intensity is power [W] or speed [m/s]; lactate
[mmol/L]; heart rate [bpm].
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from lactlog.errors import InputError

#: The intensity fields a step test can have: power [W] or speed [m/s].
INTENSITY_FIELDS: tuple[str, ...] = ("power_w", "speed_mps")
#: Plausible blood lactate [mmol/L]: below 0.3 or above 30 is a typo or a wrong unit.
LACTATE_RANGE_MMOL: tuple[float, float] = (0.3, 30.0)
#: Fewest exercise steps (the baseline not counted) a curve fit is run on.
MIN_STEPS = 4


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


@dataclass(frozen=True)
class SheetRow:
    """One typed row; intensity [W or m/s] and duration [s] None when the sheet has none."""

    step: int
    lactate_mmol: float
    duration_s: float | None = None
    intensity: float | None = None
    heart_rate_bpm: float | None = None


@dataclass(frozen=True)
class LactateSheet:
    """What the athlete typed."""

    source: str
    rows: tuple[SheetRow, ...]
    intensity_field: str | None
    """``power_w`` or ``speed_mps``; None when the sheet has no intensity column."""
    test_date: date | None = None
    sport: str | None = None
