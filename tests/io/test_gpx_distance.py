"""Distance along a GPX track from its coordinates (haversine)."""

from __future__ import annotations

import math

import numpy as np

from lactlog.io.gpx import EARTH_RADIUS_M, cumulative_distance_m


def test_haversine_by_hand() -> None:
    # 1° of latitude on a sphere of radius R is R·π/180 = 111,195.08 m; then 1° of longitude
    # at 1° N: 2R·asin(cos 1° · sin 0.5°) = 111,178.14 m (hand-computed)
    distance = cumulative_distance_m(np.array([0.0, 1.0, 1.0]), np.array([0.0, 0.0, 1.0]))
    assert distance[0] == 0.0
    assert math.isclose(distance[1], EARTH_RADIUS_M * math.pi / 180.0, rel_tol=1e-12)
    assert math.isclose(distance[1], 111_195.08, abs_tol=0.01)
    assert math.isclose(distance[2] - distance[1], 111_178.14, abs_tol=0.01)


def test_points_without_position_are_skipped() -> None:
    distance = cumulative_distance_m(np.array([0.0, np.nan, 0.0]), np.array([0.0, 5.0, 1.0]))
    assert math.isnan(distance[1])
    assert math.isclose(distance[2], 111_195.08, abs_tol=0.01)  # the step over the gap counts


def test_no_positions() -> None:
    assert np.isnan(cumulative_distance_m(np.array([np.nan]), np.array([np.nan]))).all()
