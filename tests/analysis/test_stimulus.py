"""The verdict rule: levels at and around each documented boundary, and the reasons."""

from __future__ import annotations

from lactlog.analysis.stimulus import (
    HIGH,
    LOW,
    MODERATE,
    NO_THRESHOLD,
    StimulusEvidence,
    VerdictRules,
    endurance_verdict,
)
from lactlog.settings import Settings

R = VerdictRules.from_settings(Settings())  # HIGH: ≥ 600 s in efforts or W' ≥ 50 %; LOW: < 180 s


def verdict(above: float, in_efforts: float, n: int = 0, depletion: float | None = None,
            label: str = "LTHR", rules: VerdictRules = R):
    return endurance_verdict(StimulusEvidence(label, above, in_efforts, n, depletion), rules)


def test_high_by_time_above_threshold_in_efforts() -> None:
    result = verdict(840, 660, 3)
    assert result.level == HIGH
    assert result.reasons == ("14 min above LTHR, 11 min of it in 3 efforts ≥ 30 s",)


def test_boundaries() -> None:
    assert verdict(600, 600, 1, label="FTP").level == HIGH
    assert verdict(700, 599, 1, label="FTP").level == MODERATE
    # time above threshold outside efforts (hovering at threshold) never makes HIGH
    assert verdict(2400, 0, 0).level == MODERATE
    assert verdict(179, 0).level == LOW
    assert verdict(179, 120, 2).level == LOW  # two short efforts, under 3 min in all
    assert verdict(180, 0).level == MODERATE


def test_w_prime_depletion() -> None:
    high = verdict(60, 60, 1, 0.65, "FTP")
    assert high.level == HIGH
    assert high.reasons == ("1.0 min above FTP, all in 1 effort ≥ 30 s", "W' fell to 35%")
    assert verdict(60, 60, 1, 0.3, "FTP").level == MODERATE  # ≥ half of 50 %
    assert verdict(60, 0, 0, 0.2, "FTP").level == LOW


def test_reasons_are_literally_true() -> None:
    assert verdict(0, 0).reasons == ("0 min above LTHR",)
    assert verdict(150, 0).reasons == ("2.5 min above LTHR, none in an effort ≥ 30 s",)
    assert verdict(540, 540, 1).reasons == ("9.0 min above LTHR, all in 1 effort ≥ 30 s",)


def test_no_threshold() -> None:
    result = endurance_verdict(StimulusEvidence(None, None, None), R)
    assert result.level is None and result.reasons == (NO_THRESHOLD,)


def test_bounds_come_from_settings() -> None:
    strict = VerdictRules.from_settings(Settings(high_min_above_lt_s=1200))
    assert verdict(900, 900, 2, rules=strict).level == MODERATE
    assert verdict(900, 900, 2).level == HIGH
