"""The HIGH / MODERATE / LOW lactate-stimulus verdict, always with its reasons.

Endurance rule (defaults in :class:`~lactlog.settings.Settings`, configurable):

- **HIGH** if time at or above lactate threshold ≥ ``high_min_above_lt_s`` (10 min), or hard
  intervals ≥ ``high_min_intervals`` (5), or W' balance fell by ≥ ``high_min_w_prime_depletion``
  (50 %) of W';
- **LOW** if time above threshold < ``low_max_above_lt_s`` (3 min) and no hard interval and W'
  fell by less than half that fraction;
- **MODERATE** otherwise.

Rationale: blood lactate rises steeply above the lactate threshold (by definition of LT/MLSS,
Faude et al. 2009, Sports Med 39:469), so accumulated time and repeated bouts above it are the
best available proxy for a high-lactate session; deep W' depletion marks work above critical
power, which is fuelled substantially by glycolysis (Skiba et al. 2012; Jones et al. 2010).

Calibration: ``bench/ante_agreement.py`` compares the verdict with Garmin's anaerobic training
effect over the corpus (AnTE ≥ 3.0 ~ HIGH, < 2.0 ~ LOW). With 4 intervals the rule agreed on
23 of 30 sessions, with 5 on 24 (no parameter set of the grid did better), hence 5.
"""

from __future__ import annotations

from dataclasses import dataclass

from lactlog.settings import Settings

HIGH, MODERATE, LOW = "high", "moderate", "low"
NO_THRESHOLD = (
    "no threshold known: set lthr_bpm / ftp_w / threshold_pace in the profile "
    "or pass --lthr / --ftp / --threshold-pace"
)


@dataclass(frozen=True)
class Verdict:
    """A stimulus level and the reasons behind it, in words a user can check."""

    level: str | None
    reasons: tuple[str, ...]


def _minutes(seconds: float) -> str:
    minutes = seconds / 60
    return f"{minutes:.0f} min" if minutes >= 9.5 else f"{minutes:.1f} min"


def endurance_verdict(
    time_above_lt_s: float | None,
    threshold_label: str | None,
    n_intervals: int,
    w_prime_depletion: float | None,
    settings: Settings,
) -> Verdict:
    """Verdict from time above threshold, hard intervals and W' depletion (fraction of W').

    ``threshold_label`` names what the time is measured against (e.g. ``"LTHR"``, ``"FTP"``);
    ``None`` when no threshold is known, which makes the verdict ``None`` with the reason.
    """
    if time_above_lt_s is None or threshold_label is None:
        return Verdict(None, (NO_THRESHOLD,))
    above = f"{_minutes(time_above_lt_s)} above {threshold_label}"
    bouts = f"{n_intervals} hard interval{'s' if n_intervals != 1 else ''}"
    reasons = [f"{above} in {bouts}" if n_intervals else f"{above}, no hard interval"]
    depleted = w_prime_depletion is not None and w_prime_depletion >= settings.high_min_w_prime_depletion
    if w_prime_depletion is not None:
        reasons.append(f"W' fell to {max(0.0, 1 - w_prime_depletion):.0%}")
    if (
        time_above_lt_s >= settings.high_min_above_lt_s
        or n_intervals >= settings.high_min_intervals
        or depleted
    ):
        return Verdict(HIGH, tuple(reasons))
    w_low = w_prime_depletion is None or w_prime_depletion < settings.high_min_w_prime_depletion / 2
    if time_above_lt_s < settings.low_max_above_lt_s and n_intervals == 0 and w_low:
        return Verdict(LOW, tuple(reasons))
    return Verdict(MODERATE, tuple(reasons))
