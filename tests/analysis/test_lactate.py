"""Lactate thresholds from step tests: lactater's published demo, hand-computed curves, other
shapes (running speeds, four steps, a flat start, a curve that never reaches 4 mmol/L)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lactlog.analysis.lactate import METHODS, lactate_thresholds
from lactlog.errors import InputError
from lactlog.steptest import LactateStep, StepTest, check_step_test

#: lactater's ``demo_data`` (README): step, length [min], intensity [W], lactate, heart rate.
DEMO = [(0, 0, 0, 0.93, 96), (1, 3, 50, 0.98, 114), (2, 3, 75, 1.23, 134),
        (3, 3, 100, 1.88, 154), (4, 3, 125, 2.80, 170), (5, 3, 150, 4.21, 182),
        (6, 3, 175, 6.66, 193), (7, 2, 191, 8.64, 198)]
#: lactater README, ``lactate_threshold(demo_data, fit = "3rd degree polynomial",
#: include_baseline = TRUE, sport = "cycling")``: method -> (intensity [W], heart rate [bpm]).
DEMO_EXPECTED = {
    "Log-log": (83.4, 140), "OBLA 2.0": (105, 153), "OBLA 2.5": (118, 160),
    "OBLA 3.0": (129, 167), "OBLA 3.5": (137, 171), "OBLA 4.0": (145, 176),
    "Bsln+0.5": (82.5, 139), "Bsln+1.0": (104, 152), "Bsln+1.5": (117, 159),
    "Dmax": (132, 168), "ModDmax": (140, 173), "Exp-Dmax": (135, 170),
    "Log-Poly-ModDmax": (143, 175), "Log-Exp-ModDmax": (146, 177),
    "LTP1": (88.9, 143), "LTP2": (148, 178),
}


def make_test(rows, field="power_w") -> StepTest:
    return StepTest(tuple(LactateStep(s, d * 60.0, x, la, hr) for s, d, x, la, hr in rows),
                    field, "test")


def test_lactater_demo_within_1_5_w() -> None:
    result = lactate_thresholds(make_test(DEMO))
    assert set(DEMO_EXPECTED) == set(METHODS)
    for method, (watts, heart_rate) in DEMO_EXPECTED.items():
        found = result.threshold(method)
        assert found.intensity == pytest.approx(watts, abs=1.5), method
        assert found.heart_rate_bpm == pytest.approx(heart_rate, abs=1.0), method
        assert found.note is None
    assert result.threshold("Dmax").lactate_mmol == pytest.approx(3.1, abs=0.05)
    assert result.threshold("Bsln+0.5").lactate_mmol == pytest.approx(0.93 + 0.5)


def test_dmax_on_an_exact_cubic_is_the_tangent_point() -> None:
    """Lactate exactly on p(x) = 1 + 1e-6·x³ (no baseline): the polynomial fit is p itself, and
    Dmax is where p'(x) = 3e-6·x² equals the first-to-last slope (hand-computed)."""
    xs = [100.0, 150.0, 200.0, 250.0, 300.0]
    rows = [(i + 1, 3, x, 1 + 1e-6 * x**3, None) for i, x in enumerate(xs)]
    slope = (1e-6 * 300**3 - 1e-6 * 100**3) / 200
    expected = math.sqrt(slope / 3e-6)
    result = lactate_thresholds(make_test(rows))
    assert result.threshold("Dmax").intensity == pytest.approx(expected, abs=1e-6)
    assert result.threshold("Dmax").heart_rate_bpm is None  # no heart rates typed


def test_exp_dmax_on_an_exact_exponential_is_the_closed_form() -> None:
    """Lactate exactly on 0.8 + 0.2·e^(0.02·x): the fit recovers c = 0.02, and Exp-Dmax is
    ln[(e^(c·x_f) − e^(c·x_i)) / (c·(x_f − x_i))] / c (Hughson et al. 1987), by hand."""
    xs = [80.0, 120.0, 160.0, 200.0, 240.0]
    rows = [(i + 1, 3, x, 0.8 + 0.2 * math.exp(0.02 * x) / math.exp(0.02 * 80), None)
            for i, x in enumerate(xs)]
    c = 0.02
    expected = math.log((math.exp(c * 240) - math.exp(c * 80)) / (c * 160)) / c
    assert lactate_thresholds(make_test(rows)).threshold("Exp-Dmax").intensity == \
        pytest.approx(expected, abs=1e-3)


RUN_KMH = [(0, 0, 0, 1.1, 70), (1, 4, 9, 1.2, 130), (2, 4, 10.5, 1.4, 142),
           (3, 4, 12, 1.9, 153), (4, 4, 13.5, 2.9, 163), (5, 4, 15, 4.6, 173),
           (6, 4, 16.5, 7.4, 182)]


def test_running_speeds_in_m_s_give_the_same_thresholds_as_in_km_h() -> None:
    """The methods do not depend on the unit: km/h numbers and m/s numbers (÷ 3.6) give the
    same thresholds × 3.6; every threshold lies inside the measured speeds."""
    in_mps = [(s, d, x / 3.6, la, hr) for s, d, x, la, hr in RUN_KMH]
    kmh = lactate_thresholds(make_test(RUN_KMH, "power_w"))  # the numbers as given
    mps = lactate_thresholds(make_test(in_mps, "speed_mps"))
    for a, b in zip(kmh.thresholds, mps.thresholds, strict=True):
        assert a.method == b.method
        assert b.intensity is not None and 9 / 3.6 <= b.intensity <= 16.5 / 3.6, b.method
        assert b.intensity * 3.6 == pytest.approx(a.intensity, abs=0.02), b.method
        assert b.heart_rate_bpm == pytest.approx(a.heart_rate_bpm, abs=0.1)


def test_four_steps_without_baseline() -> None:
    rows = [(1, 3, 150, 1.2, None), (2, 3, 200, 1.9, None), (3, 3, 250, 3.4, None),
            (4, 3, 300, 6.5, None)]
    result = lactate_thresholds(make_test(rows))
    assert not result.include_baseline
    assert result.baseline_lactate_mmol == 1.2  # no resting row: the first step (as lactater)
    for found in result.thresholds:
        if found.intensity is None:
            assert found.note
        else:
            assert 150 <= found.intensity <= 300, found.method
    assert 200 < result.threshold("ModDmax").intensity < 300  # the line starts at step 2
    obla4 = result.threshold("OBLA 4.0").intensity
    assert 250 < obla4 < 300


def test_flat_start() -> None:
    """Lactate flat for three steps, then rising: ModDmax starts at the step before the first
    rise of ≥ 0.4 mmol/L (step 4 -> 5), so it lies above the first Dmax; Log-log and LTP1 sit
    at the end of the flat part, before the rise."""
    rows = [(1, 3, 100, 1.0, 120), (2, 3, 125, 1.0, 128), (3, 3, 150, 1.05, 136),
            (4, 3, 175, 1.2, 145), (5, 3, 200, 1.8, 155), (6, 3, 225, 3.0, 165),
            (7, 3, 250, 5.2, 175)]
    result = lactate_thresholds(make_test(rows))
    assert result.threshold("ModDmax").intensity > result.threshold("Dmax").intensity
    assert 140 <= result.threshold("Log-log").intensity <= 190
    assert 140 <= result.threshold("LTP1").intensity <= 190
    assert result.threshold("LTP1").intensity < result.threshold("LTP2").intensity


def test_a_curve_that_never_reaches_4_mmol_says_not_reached() -> None:
    rows = [(0, 0, 0, 0.9, 60), (1, 4, 100, 1.0, 110), (2, 4, 130, 1.2, 120),
            (3, 4, 160, 1.6, 130), (4, 4, 190, 2.3, 140), (5, 4, 220, 3.2, 150)]
    result = lactate_thresholds(make_test(rows))
    for method in ("OBLA 3.5", "OBLA 4.0"):
        found = result.threshold(method)
        assert found.intensity is None and found.heart_rate_bpm is None
        assert found.note.startswith("not reached") and "peaks at" in found.note
    assert result.threshold("OBLA 2.0").intensity is not None


def test_no_rise_of_0_4_mmol_has_no_moddmax() -> None:
    rows = [(1, 3, 100, 1.0, None), (2, 3, 120, 1.3, None), (3, 3, 140, 1.6, None),
            (4, 3, 160, 1.9, None), (5, 3, 180, 2.2, None)]
    found = lactate_thresholds(make_test(rows)).threshold("ModDmax")
    assert found.intensity is None and "0.4 mmol/L" in found.note


@pytest.mark.parametrize(("rows", "message"), [
    (DEMO[:4], "at least 4"),
    (DEMO[:3] + [(3, 3, 60, 1.88, 154)] + DEMO[4:], "step 3: intensity 60 is not above"),
    (DEMO[:2] + [(2, 3, 75, 45.0, 134)] + DEMO[3:], "step 2: lactate 45 mmol/L is outside"),
    (DEMO[:2] + [(2, 3, 0, 1.2, 134)] + DEMO[3:], "intensity 0 may only come first"),
])
def test_bad_tests_are_refused(rows, message) -> None:
    with pytest.raises(InputError, match=message):
        check_step_test(make_test(rows))


def test_degree_4_changes_the_curve_but_not_the_dmax_methods() -> None:
    third = lactate_thresholds(make_test(DEMO))
    fourth = lactate_thresholds(make_test(DEMO), degree=4)
    assert fourth.threshold("Dmax") == third.threshold("Dmax")
    assert fourth.threshold("OBLA 4.0").intensity != third.threshold("OBLA 4.0").intensity
    assert np.all(np.isfinite(fourth.curve_lactate_mmol))


@pytest.mark.parametrize("lactates", [[1.0] * 6, [1.0, 1.5, 2.0, 2.5, 3.0, 3.5]])
def test_a_flat_or_straight_curve_has_no_shape_based_threshold(lactates) -> None:
    """No bend of 0.1 mmol/L: Log-log, the Dmax family and LTP have no value (a note says why);
    the fixed levels are read off a straight line exactly (2.0 mmol/L at 160 W)."""
    rows = [(i + 1, 3, 100 + 30 * i, la, None) for i, la in enumerate(lactates)]
    result = lactate_thresholds(make_test(rows))
    for method in ("Log-log", "Dmax", "ModDmax", "Exp-Dmax", "Log-Poly-ModDmax",
                   "Log-Exp-ModDmax", "LTP1", "LTP2"):
        found = result.threshold(method)
        assert found.intensity is None and found.note, method
    if lactates[-1] > lactates[0]:
        assert result.threshold("OBLA 2.0").intensity == pytest.approx(160, abs=1e-6)


def test_a_curve_that_dips_first_is_read_where_it_finally_rises() -> None:
    """Lactate falls over the first steps (left-over warm-up lactate), then rises: a level the
    curve passes twice is read on its final rise; Bsln+ starts from the first step (no resting
    row, as lactater)."""
    rows = [(i + 1, 3, x, la, None) for i, (x, la) in
            enumerate(zip([100, 130, 160, 190, 220, 250], [2.0, 1.5, 1.3, 1.8, 3.0, 5.5]))]
    result = lactate_thresholds(make_test(rows))
    assert result.baseline_lactate_mmol == 2.0
    assert 190 < result.threshold("OBLA 2.0").intensity < 220
    assert result.threshold("Bsln+0.5").intensity == pytest.approx(
        result.threshold("OBLA 2.5").intensity)
    assert 160 < result.threshold("ModDmax").intensity < 250


def test_degree_4_needs_five_points() -> None:
    rows = [(1, 3, 150, 1.2, None), (2, 3, 200, 1.9, None), (3, 3, 250, 3.4, None),
            (4, 3, 300, 6.5, None)]
    with pytest.raises(InputError, match="degree-4 curve needs more than 4 points"):
        lactate_thresholds(make_test(rows), degree=4)
