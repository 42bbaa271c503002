"""Which thresholds apply to a session, and where each came from.

Order, per value: command-line flag > athlete profile (dated, per sport) > what the recording
device stored in the file (FIT ``time_in_zone`` for this session, ``zones_target``,
``user_profile``, the session's ``threshold_power``; a device's FTP is used for cycling only,
since running power from footpods and watches needs a threshold of its own) > a documented
estimate. The source is kept
with every value so the output can always say which one was used.

Estimate: LTHR ≈ HRrest + 0.85 × (HRmax − HRrest), i.e. 85 % of heart-rate reserve (Karvonen
et al. 1957 reserve method; lactate threshold typically lies near 80–90 % of HRR), using
:attr:`Settings.default_rest_hr_bpm` when the resting heart rate is unknown. No other threshold
is estimated from a single session: FTP, CP and W' come from ``lactlog thresholds``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

from lactlog.model import DeviceSummary
from lactlog.profile import Profile
from lactlog.settings import Settings


@dataclass(frozen=True)
class Threshold:
    """A threshold value and its source (``flag``, ``profile 2026-03-01``, ``device``, ``estimate``)."""

    value: float | None = None
    source: str | None = None


@dataclass(frozen=True)
class SessionThresholds:
    """All thresholds for one session. Speeds instead of paces: ``threshold_speed_mps``."""

    lthr_bpm: Threshold = Threshold()
    max_hr_bpm: Threshold = Threshold()
    rest_hr_bpm: Threshold = Threshold()
    ftp_w: Threshold = Threshold()
    cp_w: Threshold = Threshold()
    w_prime_j: Threshold = Threshold()
    threshold_speed_mps: Threshold = Threshold()


#: Threshold names as the profile and the flags spell them (pace is stored as a speed here).
_PROFILE_NAMES = {"threshold_speed_mps": "threshold_pace"}


def resolve_thresholds(
    group: str,
    on: date,
    flags: dict[str, float],
    profile: Profile,
    device: DeviceSummary,
    settings: Settings,
) -> SessionThresholds:
    """Thresholds for a session of sport ``group`` (run/bike/other) on date ``on``.

    ``flags`` maps :class:`SessionThresholds` field names to command-line values.
    """
    device_values = _device_values(device)
    if group != "bike":  # devices store a cycling FTP; running power needs its own threshold
        device_values["ftp_w"] = None
    resolved: dict[str, Threshold] = {}
    for f in fields(SessionThresholds):
        name = f.name
        if flags.get(name) is not None:
            resolved[name] = Threshold(float(flags[name]), "flag")
            continue
        dated = profile.threshold(_PROFILE_NAMES.get(name, name), group, on)
        if dated is not None:
            resolved[name] = Threshold(dated.value, f"profile {dated.since.isoformat()}")
        elif device_values.get(name) is not None:
            resolved[name] = Threshold(device_values[name], "device")
        else:
            resolved[name] = Threshold()
    if resolved["lthr_bpm"].value is None and resolved["max_hr_bpm"].value is not None:
        resolved["lthr_bpm"] = estimate_lthr(
            resolved["max_hr_bpm"].value, resolved["rest_hr_bpm"].value, settings
        )
    return SessionThresholds(**resolved)


def estimate_lthr(max_hr_bpm: float, rest_hr_bpm: float | None, settings: Settings) -> Threshold:
    """LTHR = HRrest + f × (HRmax − HRrest) with f = ``settings.lthr_fraction_of_hrr`` (0.85)."""
    rest = rest_hr_bpm if rest_hr_bpm is not None else settings.default_rest_hr_bpm
    value = rest + settings.lthr_fraction_of_hrr * (max_hr_bpm - rest)
    fraction = round(settings.lthr_fraction_of_hrr * 100)
    return Threshold(round(value, 1), f"estimate ({fraction} % of HR reserve)")


def _device_values(device: DeviceSummary) -> dict[str, float | None]:
    """Thresholds the device stored: this session's time_in_zone first, then its settings."""
    zones = device.time_in_zone[0] if device.time_in_zone else None

    def first(*values: float | None) -> float | None:
        return next((v for v in values if v is not None and v > 0), None)

    return {
        "lthr_bpm": first(zones and zones.threshold_heart_rate_bpm, device.threshold_heart_rate_bpm),
        "max_hr_bpm": first(zones and zones.max_heart_rate_bpm, device.max_heart_rate_setting_bpm),
        "rest_hr_bpm": first(zones and zones.resting_heart_rate_bpm, device.resting_heart_rate_bpm),
        "ftp_w": first(
            zones and zones.functional_threshold_power_w,
            device.threshold_power_w,
            device.functional_threshold_power_w,
        ),
    }
