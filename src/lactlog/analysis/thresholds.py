"""Which thresholds apply to a session, and where each came from.

Order, per value: command-line flag > athlete profile (dated, per sport) > what the recording
device stored in the file (FIT ``time_in_zone`` for this session, ``zones_target``,
``user_profile``, the session's ``threshold_power``; a device's FTP is used for cycling only,
since running power from footpods and watches needs a threshold of its own) > the athlete's own
history (:mod:`lactlog.analysis.history`: the sport's sessions of the last
``history_window_days``, used on its own only with ``history_min_sessions`` sessions) > a
documented estimate. The source is kept with every value so the output can always say which
one was used.

Stale: a flag, profile or device value that the history (the session itself included)
contradicts is flagged in :attr:`Threshold.stale` with the evidence — FTP when the best 20-min
power is ≥ (1 + ``stale_power_tolerance``) × FTP (20 min clearly above a threshold one can hold
for about an hour; for steady riding this also covers IF > 1.05 for an hour, since an hour's
mean power is never above the best 20 minutes'), CP when the history's maximal CP fit is that
much higher, LTHR when the last 20 min of the best 30-min HR effort are ≥ LTHR + ``stale_lthr_margin_bpm``, max HR when
the history's peak HR is ≥ max HR + ``stale_max_hr_margin_bpm``. Flag and profile values stay in
force (the athlete set them); a stale device value — devices auto-set thresholds and keep old
ones — is replaced by the history value, and the note says so. A history LTHR whose effort
was below ``history_lthr_min_fraction_of_max_hr`` × a stored max HR is not used.

Implausible device values are missing: a value outside the user's range
(:data:`lactlog.validate.THRESHOLD_RANGES`, e.g. a ``zones_target`` max HR of 41 bpm) is not
used, and a device or history heart rate that does not fit the others (max HR at or below the
resting HR, LTHR outside rest–max) is dropped in favour of the values the athlete set.

Estimate: LTHR ≈ HRrest + 0.85 × (HRmax − HRrest), i.e. 85 % of heart-rate reserve (Karvonen
et al. 1957 reserve method; lactate threshold typically lies near 80–90 % of HRR), using
:attr:`Settings.default_rest_hr_bpm` when the resting heart rate is unknown.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import TYPE_CHECKING

from lactlog import validate
from lactlog.errors import ConfigError
from lactlog.model import DeviceSummary
from lactlog.profile import Profile
from lactlog.settings import Settings, rules_from
from lactlog.summaries import SessionThresholds, Threshold

if TYPE_CHECKING:
    from lactlog.analysis.history import HistoryThresholds


@dataclass(frozen=True, eq=False)
class ThresholdRules:
    """What :func:`resolve_thresholds` uses of the settings, and nothing else (each documented
    in :class:`~lactlog.settings.Settings`): the HR-reserve estimate's ``lthr_fraction_of_hrr``
    [-] and ``default_rest_hr_bpm`` [bpm]; the stale rules' ``stale_power_tolerance`` [-],
    ``stale_lthr_margin_bpm`` and ``stale_max_hr_margin_bpm`` [bpm]; and
    ``history_lthr_min_fraction_of_max_hr`` [-] for a history LTHR against a stored max HR."""

    lthr_fraction_of_hrr: float
    default_rest_hr_bpm: float
    stale_power_tolerance: float
    stale_lthr_margin_bpm: float
    stale_max_hr_margin_bpm: float
    history_lthr_min_fraction_of_max_hr: float


def threshold_rules(settings: Settings) -> ThresholdRules:
    """The threshold resolution's part of the settings."""
    return rules_from(ThresholdRules, settings)


#: Threshold names as the profile and the flags spell them (pace is stored as a speed here).
_PROFILE_NAMES = {"threshold_speed_mps": "threshold_pace"}


def resolve_thresholds(
    group: str,
    on: date,
    flags: dict[str, float],
    profile: Profile,
    device: DeviceSummary,
    rules: ThresholdRules,
    history: HistoryThresholds | None = None,
) -> SessionThresholds:
    """Thresholds for a session of sport ``group`` (run/bike/swim/other) on date ``on``.

    ``flags`` maps :class:`SessionThresholds` field names to command-line values; ``profile``
    is the athlete's dated values (data, not settings); ``device`` what the file stored;
    ``rules`` the settings used (:func:`threshold_rules`); ``history`` is what the group's
    recent sessions give that day (see the module docstring).
    """
    device_values = _device_values(device)
    if group != "bike":  # devices store a cycling FTP; running power needs its own threshold
        device_values["ftp_w"] = None
    resolved: dict[str, Threshold] = {}
    for f in fields(SessionThresholds):
        name = f.name
        learned = getattr(history, name, None) if history is not None else None
        if flags.get(name) is not None:
            value = float(flags[name])
            resolved[name] = Threshold(value, "flag", stale_reason(name, value, history, rules))
            continue
        dated = profile.threshold(_PROFILE_NAMES.get(name, name), group, on)
        if dated is not None:
            stale = stale_reason(name, dated.value, history, rules)
            source = dated.source or f"profile {dated.since.isoformat()}"  # measured: its test
            resolved[name] = Threshold(dated.value, source, stale)
        elif (device_value := device_values.get(name)) is not None:
            resolved[name] = _device_or_history(name, device_value, learned, history, rules)
        elif history is not None and learned is not None and history.usable_alone(name):
            resolved[name] = learned
        else:
            resolved[name] = Threshold()
    _drop_misfit_heart_rates(resolved, rules)
    resolved["lthr_bpm"] = _hard_enough(resolved["lthr_bpm"], resolved["max_hr_bpm"], history,
                                        rules)
    if resolved["lthr_bpm"].value is None and resolved["max_hr_bpm"].value is not None:
        resolved["lthr_bpm"] = lthr_from_heart_rate_reserve(
            resolved["max_hr_bpm"].value, resolved["rest_hr_bpm"].value,
            rules.lthr_fraction_of_hrr, rules.default_rest_hr_bpm,
            resolved["max_hr_bpm"].source,
        )
    return SessionThresholds(**resolved)


def _drop_misfit_heart_rates(resolved: dict[str, Threshold], rules: ThresholdRules) -> None:
    """Rest < LTHR < max HR (:func:`lactlog.validate.check_heart_rates`): while they do not fit,
    drop the least trusted value that is not the athlete's (flag or profile values were checked
    together when they were given), device before history, resting HR first."""
    names = ("rest_hr_bpm", "lthr_bpm", "max_hr_bpm")
    for _ in names:
        rest = resolved["rest_hr_bpm"].value
        try:
            validate.check_heart_rates(
                resolved["max_hr_bpm"].value,
                rest if rest is not None else rules.default_rest_hr_bpm,
                resolved["lthr_bpm"].value,
            )
            return
        except ConfigError:
            pass
        by_trust = sorted((n for n in names if _droppable(resolved[n])),
                          key=lambda n: resolved[n].source != "device")
        if not by_trust:
            return
        resolved[by_trust[0]] = Threshold()


def _droppable(threshold: Threshold) -> bool:
    source = threshold.source or ""
    return threshold.value is not None and (source == "device" or source.startswith("history"))


#: Labels of the threshold names in stale notes.
_LABELS = {"ftp_w": ("FTP", "W"), "cp_w": ("CP", "W"), "lthr_bpm": ("LTHR", "bpm"),
           "max_hr_bpm": ("max HR", "bpm")}


def stale_reason(
    name: str, value: float, history: HistoryThresholds | None, rules: ThresholdRules
) -> str | None:
    """Why ``value`` of threshold ``name`` looks out of date given ``history``, or None.

    Rules (module docstring): FTP vs best 20-min power, CP vs the history's maximal CP fit,
    LTHR vs the best 30-min effort's last 20 min, max HR vs the history's peak HR.
    """
    if history is None:
        return None
    days = f"history {history.window_days} d"
    factor = 1.0 + rules.stale_power_tolerance
    if name == "ftp_w" and history.best_20_min_power_w is not None:
        best = history.best_20_min_power_w
        if best >= factor * value:
            return f"best 20-min {best:.0f} W ≥ {factor:.2f} × FTP {value:.0f} W ({days})"
    if name == "cp_w" and history.cp_w.value is not None and history.cp_w.value >= factor * value:
        return f"CP fit {history.cp_w.value:.0f} W ≥ {factor:.2f} × CP {value:.0f} W ({days})"
    if name == "lthr_bpm" and history.best_hr_tail_bpm is not None:
        tail, margin = history.best_hr_tail_bpm, rules.stale_lthr_margin_bpm
        if tail >= value + margin:
            return (f"last 20 min of the best 30-min HR effort {tail:.0f} bpm ≥ LTHR {value:.0f} "
                    f"+ {margin:.0f} bpm ({days})")
    if name == "max_hr_bpm" and history.peak_hr_bpm is not None:
        peak = history.peak_hr_bpm
        if peak >= value + rules.stale_max_hr_margin_bpm:
            return f"peak HR {peak:.0f} bpm > max HR {value:.0f} bpm ({days})"
    return None


def _hard_enough(
    lthr: Threshold, max_hr: Threshold, history: HistoryThresholds | None, rules: ThresholdRules
) -> Threshold:
    """A history LTHR whose effort was not hard against a stored (flag, profile, device) max HR
    is dropped: the history's own max HR may come from the same easy sessions."""
    if (history is None or lthr.value is None or lthr is not history.lthr_bpm
            or max_hr.value is None or max_hr is history.max_hr_bpm
            or history.lthr_effort_mean_bpm is None):
        return lthr
    fraction = rules.history_lthr_min_fraction_of_max_hr
    if history.lthr_effort_mean_bpm >= fraction * max_hr.value:
        return lthr
    return Threshold()


def _device_or_history(
    name: str, value: float, learned: Threshold | None, history: HistoryThresholds | None,
    rules: ThresholdRules,
) -> Threshold:
    """The device's value, or — when the history contradicts it — the history's, with a note."""
    stale = stale_reason(name, value, history, rules)
    if stale is None:
        return Threshold(value, "device")
    if learned is None or learned.value is None or learned.value <= value:
        return Threshold(value, "device", stale)
    label, unit = _LABELS[name]
    note = (f"device {label} {value:.0f} {unit} contradicted by history ({stale.split(' (')[0]}); "
            f"using history {learned.value:.0f} {unit}")
    return Threshold(learned.value, learned.source, note)


def lthr_from_heart_rate_reserve(
    max_hr_bpm: float, rest_hr_bpm: float | None, fraction_of_hrr: float,
    default_rest_hr_bpm: float, max_hr_source: str | None = None,
) -> Threshold:
    """LTHR [bpm] = HRrest + f × (HRmax − HRrest), f = ``fraction_of_hrr`` (settings: 0.85;
    Karvonen reserve method), HRrest = ``rest_hr_bpm`` else ``default_rest_hr_bpm`` [bpm].

    Not the history's LTHR (Friel's 30-min effort:
    :func:`lactlog.analysis.history.heart_rate_thresholds`).
    A max HR from the history is named in the source (it is a training maximum).
    """
    rest = rest_hr_bpm if rest_hr_bpm is not None else default_rest_hr_bpm
    value = rest + fraction_of_hrr * (max_hr_bpm - rest)
    fraction = round(fraction_of_hrr * 100)
    source = f"estimate ({fraction} % of HR reserve)"
    if max_hr_source is not None and max_hr_source.startswith(("history", "assumed")):
        source = f"estimate ({fraction} % of HR reserve; max HR {max_hr_bpm:.0f} bpm, " \
                 f"{max_hr_source})"
    return Threshold(round(value, 1), source)


def _device_values(device: DeviceSummary) -> dict[str, float | None]:
    """Thresholds the device stored: this session's time_in_zone first, then its settings."""
    zones = device.time_in_zone[0] if device.time_in_zone else None

    def first(name: str, *values: float | None) -> float | None:
        """The first plausible value: 0, 41 or 255 bpm is a device placeholder, not a threshold."""
        return next((v for v in values if validate.plausible(name, v)), None)

    return {
        "lthr_bpm": first("lthr_bpm", zones.threshold_heart_rate_bpm if zones else None,
                          device.threshold_heart_rate_bpm),
        "max_hr_bpm": first("max_hr_bpm", zones.max_heart_rate_bpm if zones else None,
                            device.max_heart_rate_setting_bpm),
        "rest_hr_bpm": first("rest_hr_bpm", zones.resting_heart_rate_bpm if zones else None,
                             device.resting_heart_rate_bpm),
        "ftp_w": first(
            "ftp_w",
            zones.functional_threshold_power_w if zones else None,
            device.threshold_power_w,
            device.functional_threshold_power_w,
        ),
    }
