"""The polarization index of a three-zone training intensity distribution (plain Python: the
weekly summaries give it without numpy)."""

from __future__ import annotations

import math

#: Name of Seiler's three-zone system (:func:`lactlog.analysis.zones.seiler_three_zones`), whose
#: times the weekly distribution adds up.
SEILER_SYSTEM = "Seiler three zones"

_ZONE2_SUBSTITUTE = 0.01


def zone2_substituted(z2_fraction: float, z3_fraction: float) -> tuple[float, float]:
    """(Z2, Z3) with Z2 = 0 replaced as :func:`polarization_index` does: (0.01, Z3 − 0.01)."""
    if z2_fraction == 0:
        return _ZONE2_SUBSTITUTE, z3_fraction - _ZONE2_SUBSTITUTE
    return z2_fraction, z3_fraction


def polarization_index(z1_fraction: float, z2_fraction: float, z3_fraction: float) -> float | None:
    """Polarization index of a three-zone training intensity distribution [a.u.].

    PI = log10(Z1 / Z2 × Z3 × 100) with Z1–Z3 the fractions of time in Seiler's three zones
    (Treff G, Winkert K, Sareban M, Steinacker JM, Sperlich B (2019), "The Polarization-Index: a
    simple calculation to distinguish polarized from non-polarized training intensity
    distributions", Front Physiol 10:707, eq. 1). PI > 2.00 a.u. marks a polarized distribution;
    the paper intends the index for distributions with Z1 > Z3 > Z2 — that check is the
    caller's.

    The inputs are normalised by their sum, so times in seconds work as well as fractions.
    Z2 = 0 would divide by zero: Z2 is then taken as 0.01 and Z3 as Z3 − 0.01 (fractions). The
    paper gives a second form for that case (its eq. 2); this substitution is lactlog's own
    guard in that spirit, not checked against the paper's text.

    Returns
    -------
    float or None
        None where the logarithm is undefined: no time at all, Z1 = 0, or Z3 = 0 (after the
        Z2 = 0 substitution, Z3 ≤ 0.01).

    Raises
    ------
    ValueError
        A negative or NaN input.
    """
    parts = (z1_fraction, z2_fraction, z3_fraction)
    if any(not part >= 0 for part in parts):  # also rejects NaN
        raise ValueError(f"zone fractions must be non-negative numbers, got {parts}")
    total = sum(parts)
    if total <= 0:
        return None
    z1, z2, z3 = (part / total for part in parts)
    z2, z3 = zone2_substituted(z2, z3)
    if z1 <= 0 or z3 <= 0:
        return None
    return math.log10(z1 / z2 * z3 * 100.0)
