"""The HIGH / MODERATE / LOW lactate-stimulus verdict, always with its reasons.

Endurance rule (defaults in :class:`~lactlog.settings.Settings`, configurable):

- **HIGH** if the time above lactate threshold *inside hard efforts* (sustained stretches, see
  :mod:`~lactlog.analysis.intervals`) is ≥ ``high_min_above_lt_s`` (10 min), or W' balance fell
  by ≥ ``high_min_w_prime_depletion`` (50 %) of W';
- **LOW** if the time above threshold in all is < ``low_max_above_lt_s`` (3 min) and W' fell by
  less than half of ``high_min_w_prime_depletion``;
- **MODERATE** otherwise.

Rationale: blood lactate is in a steady state up to the maximal lactate steady state (MLSS,
which FTP, CP and LTHR approximate) and accumulates above it (Faude et al. 2009, Sports Med
39:469; Jones et al. 2019, J Appl Physiol 126:1653), so the accumulated time *sustained*
above threshold is the proxy for a high-lactate session; isolated seconds above it are not
(the lactate response to a change of work rate takes about 30 s or more to build). Deep W'
depletion marks work above critical power, fuelled substantially by glycolysis (Skiba et al.
2012; Jones et al. 2010), which catches short maximal efforts that heart rate and 30-s power
barely register. The 10-min and 3-min bounds are the session lengths above threshold that
separate threshold/VO2max interval sessions (e.g. 4 × 4 min, 5 × 3 min) from endurance work
with a few surges; ``bench/ante_agreement.py`` checks them against Garmin's anaerobic training
effect on sessions it was not tuned on (see the README).
"""

from __future__ import annotations

from dataclasses import dataclass

from lactlog.settings import Settings, rules_from
from lactlog.summaries import Verdict

HIGH, MODERATE, LOW = "high", "moderate", "low"
NO_THRESHOLD = (
    "no threshold known: set lthr_bpm / ftp_w / threshold_pace in the profile "
    "or pass --lthr / --ftp / --threshold-pace"
)


@dataclass(frozen=True, eq=False)
class VerdictRules:
    """The bounds of the endurance verdict (see the module docstring)."""

    high_min_above_lt_s: float = 600.0
    low_max_above_lt_s: float = 180.0
    high_min_w_prime_depletion: float = 0.5
    min_effort_s: float = 30.0

    @classmethod
    def from_settings(cls, settings: Settings) -> VerdictRules:
        return rules_from(cls, settings, min_effort_s=settings.interval_min_duration_s)


@dataclass(frozen=True, eq=False)
class StimulusEvidence:
    """What the endurance verdict rests on, for one session.

    Attributes
    ----------
    threshold_label : str or None
        What the time is measured against (``"LTHR"``, ``"FTP"``, ``"threshold pace"``);
        None when no threshold is known.
    time_above_lt_s : float or None
        Seconds at or above the threshold on the judged signal [s].
    time_above_lt_in_efforts_s : float or None
        The part of those seconds inside hard efforts [s].
    n_efforts : int
        Number of hard efforts.
    w_prime_depletion : float or None
        Largest fall of W' balance as a fraction of W' (None without CP and W').
    """

    threshold_label: str | None
    time_above_lt_s: float | None
    time_above_lt_in_efforts_s: float | None
    n_efforts: int = 0
    w_prime_depletion: float | None = None


def minutes_text(seconds: float) -> str:
    """``"14 min"`` from 840 s; one decimal below 9.5 min (``"2.5 min"``)."""
    minutes = seconds / 60
    return f"{minutes:.0f} min" if minutes >= 9.5 or minutes == 0 else f"{minutes:.1f} min"


def _time_reason(evidence: StimulusEvidence, rules: VerdictRules) -> str:
    above = evidence.time_above_lt_s or 0.0
    in_efforts = evidence.time_above_lt_in_efforts_s or 0.0
    text = f"{minutes_text(above)} above {evidence.threshold_label}"
    longest = f"≥ {rules.min_effort_s:.0f} s"
    n = evidence.n_efforts
    if n == 0:
        return f"{text}, none in an effort {longest}" if above else text
    efforts = f"{n} effort{'s' if n != 1 else ''} {longest}"
    if round(in_efforts / 60, 1) == round(above / 60, 1):
        return f"{text}, all in {efforts}"
    return f"{text}, {minutes_text(in_efforts)} of it in {efforts}"


def endurance_verdict(evidence: StimulusEvidence, rules: VerdictRules) -> Verdict:
    """Verdict from time above threshold in hard efforts and W' depletion (module docstring).

    No threshold known (``evidence.threshold_label`` or the time is None) gives level None with
    the reason.
    """
    if evidence.time_above_lt_s is None or evidence.threshold_label is None:
        return Verdict(None, (NO_THRESHOLD,))
    reasons = [_time_reason(evidence, rules)]
    depletion = evidence.w_prime_depletion
    if depletion is not None:
        reasons.append(f"W' fell to {max(0.0, 1 - depletion):.0%}")
    in_efforts = evidence.time_above_lt_in_efforts_s or 0.0
    depleted = depletion is not None and depletion >= rules.high_min_w_prime_depletion
    if in_efforts >= rules.high_min_above_lt_s or depleted:
        return Verdict(HIGH, tuple(reasons))
    w_low = depletion is None or depletion < rules.high_min_w_prime_depletion / 2
    if evidence.time_above_lt_s < rules.low_max_above_lt_s and w_low:
        return Verdict(LOW, tuple(reasons))
    return Verdict(MODERATE, tuple(reasons))
