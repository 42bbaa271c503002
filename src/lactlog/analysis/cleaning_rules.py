"""The rules of sample cleaning (:func:`lactlog.analysis.clean.clean_samples`), apart from the
cleaning code: the settings take their defaults from here without importing numpy or pandas."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, eq=False)
class CleaningRules:
    """Thresholds of :func:`clean_samples`.

    Attributes
    ----------
    hr_min_bpm, hr_max_bpm : float
        Heart rates outside [hr_min_bpm, hr_max_bpm] [bpm] are invalid. This also removes the
        placeholders devices write for "no reading" (0, and 255 = FIT's invalid ``uint8``).
    hampel_half_window_s : int
        Half width of the centred Hampel window [s]; the window holds 2·h + 1 seconds.
    hampel_n_sigma : float
        A heart rate is a spike when it deviates from the window median by more than
        ``hampel_n_sigma`` · 1.4826 · MAD.
    hampel_min_deviation_bpm : float
        ...and by more than this [bpm]. Integer heart rates on a plateau give MAD = 0, which would
        otherwise flag every 1-bpm step as a spike. Set 0 for the textbook Hampel filter.
    power_max_w : float
        Power above this [W] is invalid (dropout spikes, e.g. 65535 W); so is negative power.
    max_gap_s : float
        Gaps of up to this length [s] between valid values are bridged by linear interpolation
        (smart recording writes a sample only every few seconds); longer gaps are "not
        recording" and stay empty.
    """

    hr_min_bpm: float = 30.0
    hr_max_bpm: float = 240.0
    hampel_half_window_s: int = 5
    hampel_n_sigma: float = 3.0
    hampel_min_deviation_bpm: float = 5.0
    power_max_w: float = 2500.0
    max_gap_s: float = 25.0
