"""The athlete profile: dated, per-sport thresholds and the analysis settings, in TOML.

Location: ``--config PATH`` > ``$LACTLOG_CONFIG`` > ``<user config dir>/lactlog/profile.toml``
(platformdirs). Layout::

    sex = "female"                 # for Banister TRIMP
    timezone = "Europe/Berlin"     # for local dates when a file has no UTC offset

    [thresholds.run."2026-01-01"]  # applies from this date on, until a later entry
    lthr_bpm = 172
    threshold_pace = "4:10"        # min/km

    [thresholds.bike."2026-03-01"]
    ftp_w = 260

    [thresholds.all."2026-01-01"]  # any sport, when the sport has no value of its own
    max_hr_bpm = 192
    rest_hr_bpm = 48

    [settings]                     # analysis defaults, see lactlog.settings
    high_min_above_lt_s = 600

A value applies from its date on, so a session in March uses March's LTHR. Per field, the sport's
own latest entry dated on or before the session wins; otherwise the ``all`` entry.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from lactlog.errors import ConfigError

#: Threshold fields and their meaning [unit].
THRESHOLD_FIELDS: dict[str, str] = {
    "lthr_bpm": "lactate-threshold heart rate [bpm]",
    "max_hr_bpm": "maximum heart rate [bpm]",
    "rest_hr_bpm": "resting heart rate [bpm]",
    "ftp_w": "functional threshold power [W]",
    "cp_w": "critical power [W]",
    "w_prime_j": "W', work capacity above CP [J]",
    "threshold_pace": "threshold pace [min:sec per km]",
}
SPORT_GROUPS: tuple[str, ...] = ("run", "bike", "swim", "other", "all")
SEXES: tuple[str, ...] = ("male", "female")

_RUN_SPORTS = {"running", "walking", "hiking", "trail_running"}
_BIKE_SPORTS = {"cycling", "e_biking", "cycling_virtual"}
_SWIM_SPORTS = {"swimming"}  # pool and open water: swim HR runs lower than run HR


def sport_group(sport: str) -> str:
    """Profile group of a FIT sport name: ``run``, ``bike``, ``swim`` or ``other``."""
    if sport in _RUN_SPORTS:
        return "run"
    if sport in _BIKE_SPORTS:
        return "bike"
    if sport in _SWIM_SPORTS:
        return "swim"
    return "other"


def pace_to_speed_mps(pace: str | float) -> float:
    """``"4:10"`` (min:sec per km) or 4.1667 (decimal min/km) -> speed [m/s]."""
    try:
        if isinstance(pace, str):
            minutes, _, seconds = pace.strip().partition(":")
            total_s = float(minutes) * 60 + (float(seconds) if seconds else 0.0)
        else:
            total_s = float(pace) * 60
    except ValueError:
        raise ConfigError(f"threshold pace {pace!r} is not min:sec per km (e.g. 4:10)") from None
    if total_s <= 0:
        raise ConfigError(f"threshold pace {pace!r} must be positive")
    return 1000.0 / total_s


@dataclass(frozen=True)
class DatedValue:
    """A profile value and the date it applies from."""

    value: float
    since: date


@dataclass
class Profile:
    """The parsed profile. ``thresholds[group][since] = {field: value}``."""

    path: Path | None = None
    sex: str | None = None
    timezone: str | None = None
    thresholds: dict[str, dict[date, dict[str, Any]]] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)

    def threshold(self, name: str, group: str, on: date) -> DatedValue | None:
        """The value of a threshold field for a sport group on a date (None if not set)."""
        for candidate in (group, "all"):
            entries = self.thresholds.get(candidate, {})
            dated = [d for d in entries if d <= on and name in entries[d]]
            if dated:
                since = max(dated)
                raw = entries[since][name]
                value = pace_to_speed_mps(raw) if name == "threshold_pace" else float(raw)
                return DatedValue(value, since)
        return None


def default_path() -> Path:
    """``$LACTLOG_CONFIG`` or the user config dir's ``lactlog/profile.toml``."""
    env = os.environ.get("LACTLOG_CONFIG")
    if env:
        return Path(env)
    from platformdirs import user_config_dir

    return Path(user_config_dir("lactlog")) / "profile.toml"


def load_profile(path: Path | None = None) -> Profile:
    """Read the profile; a missing file is an empty profile, a broken one a ConfigError."""
    path = path or default_path()
    if not path.exists():
        return Profile(path=path)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    return _parse(document, path)


def _parse(document: dict[str, Any], path: Path) -> Profile:
    sex = document.get("sex")
    if sex is not None and sex not in SEXES:
        raise ConfigError(f"{path}: sex must be one of {', '.join(SEXES)}, not {sex!r}")
    thresholds: dict[str, dict[date, dict[str, Any]]] = {}
    for group, entries in document.get("thresholds", {}).items():
        if group not in SPORT_GROUPS:
            raise ConfigError(f"{path}: unknown sport group {group!r} (use {', '.join(SPORT_GROUPS)})")
        for since, values in entries.items():
            try:
                day = since if isinstance(since, date) else date.fromisoformat(str(since))
            except ValueError:
                raise ConfigError(f"{path}: {group}: {since!r} is not a date (YYYY-MM-DD)") from None
            unknown = set(values) - set(THRESHOLD_FIELDS)
            if unknown:
                raise ConfigError(f"{path}: {group} {since}: unknown field(s) {sorted(unknown)}")
            for name, value in values.items():
                _check_value(name, value, path)
            thresholds.setdefault(group, {})[day] = dict(values)
    settings = document.get("settings", {})
    from lactlog.settings import check_settings

    check_settings(settings, str(path))
    return Profile(path, sex, document.get("timezone"), thresholds, settings)


def _check_value(name: str, value: Any, path: Path) -> None:
    if name == "threshold_pace":
        pace_to_speed_mps(value)
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ConfigError(f"{path}: {name} must be a positive number, not {value!r}")


def to_document(profile: Profile) -> dict[str, Any]:
    """The profile as a TOML-ready dict (dates as ISO strings, sorted)."""
    document: dict[str, Any] = {}
    if profile.sex:
        document["sex"] = profile.sex
    if profile.timezone:
        document["timezone"] = profile.timezone
    if profile.thresholds:
        document["thresholds"] = {
            group: {d.isoformat(): dict(values) for d, values in sorted(entries.items())}
            for group, entries in profile.thresholds.items()
        }
    if profile.settings:
        document["settings"] = dict(profile.settings)
    return document


def save_profile(profile: Profile, path: Path | None = None) -> Path:
    """Write the profile atomically (temp file + rename) and return its path."""
    import tomli_w

    path = path or profile.path or default_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".toml.tmp")
    temporary.write_text(
        "# lactlog athlete profile — see `lactlog config --help`\n"
        + tomli_w.dumps(to_document(profile)),
        encoding="utf-8",
    )
    temporary.replace(path)
    return path


def set_value(profile: Profile, key: str, value: str, since: date) -> None:
    """Set ``sex``, ``timezone``, ``settings.<name>`` or ``<group>.<threshold field>``."""
    if key == "sex":
        if value not in SEXES:
            raise ConfigError(f"sex must be one of {', '.join(SEXES)}")
        profile.sex = value
        return
    if key == "timezone":
        _check_timezone(value)
        profile.timezone = value
        return
    group, _, name = key.partition(".")
    if group == "settings":
        from lactlog.settings import parse_setting

        profile.settings[name] = parse_setting(name, value)
        return
    if group not in SPORT_GROUPS or name not in THRESHOLD_FIELDS:
        raise ConfigError(
            f"unknown key {key!r}: use sex, timezone, settings.<name> or <group>.<field> with "
            f"group in {', '.join(SPORT_GROUPS)} and field in {', '.join(THRESHOLD_FIELDS)}"
        )
    parsed: Any = value
    if name != "threshold_pace":
        try:
            parsed = float(value)
        except ValueError:
            raise ConfigError(f"{key} must be a number, not {value!r}") from None
        parsed = int(parsed) if parsed.is_integer() else parsed
    _check_value(name, parsed, Path(key))
    profile.thresholds.setdefault(group, {}).setdefault(since, {})[name] = parsed


def _check_timezone(name: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"unknown time zone {name!r} (use an IANA name like Europe/Berlin)") from None
