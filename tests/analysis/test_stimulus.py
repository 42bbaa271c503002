"""The verdict rule: levels at and around each documented boundary, and the reasons."""

from __future__ import annotations

from lactlog.analysis.stimulus import HIGH, LOW, MODERATE, endurance_verdict
from lactlog.settings import Settings

S = Settings()  # HIGH: ≥ 600 s above, or ≥ 5 intervals, or W' ≥ 50 % depleted; LOW: < 180 s


def test_high_by_time_above_threshold() -> None:
    verdict = endurance_verdict(840, "LTHR", 5, None, S)
    assert verdict.level == HIGH
    assert verdict.reasons == ("14 min above LTHR in 5 hard intervals",)


def test_boundaries() -> None:
    assert endurance_verdict(600, "FTP", 0, None, S).level == HIGH
    assert endurance_verdict(599, "FTP", 0, None, S).level == MODERATE
    assert endurance_verdict(100, "FTP", 5, None, S).level == HIGH
    assert endurance_verdict(100, "FTP", 4, None, S).level == MODERATE
    assert endurance_verdict(179, "FTP", 0, None, S).level == LOW
    assert endurance_verdict(180, "FTP", 0, None, S).level == MODERATE
    assert endurance_verdict(60, "FTP", 1, None, S).level == MODERATE  # an interval is not LOW


def test_w_prime_depletion() -> None:
    high = endurance_verdict(60, "FTP", 1, 0.65, S)
    assert high.level == HIGH
    assert high.reasons == ("1.0 min above FTP in 1 hard interval", "W' fell to 35%")
    assert endurance_verdict(60, "FTP", 0, 0.3, S).level == MODERATE  # ≥ half of 50 %
    assert endurance_verdict(60, "FTP", 0, 0.2, S).level == LOW


def test_no_threshold_says_what_to_do() -> None:
    verdict = endurance_verdict(None, None, 0, None, S)
    assert verdict.level is None
    assert "lthr_bpm" in verdict.reasons[0] and "--lthr" in verdict.reasons[0]


def test_rule_is_configurable() -> None:
    strict = Settings(high_min_above_lt_s=1200, high_min_intervals=8)
    assert endurance_verdict(900, "LTHR", 6, None, strict).level == MODERATE
