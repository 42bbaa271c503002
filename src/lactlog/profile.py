"""The athlete profile: dated, per-sport thresholds and the analysis settings, in TOML.

Location: ``--config PATH`` > ``$LACTLOG_CONFIG`` > ``<user config dir>/lactlog/profile.toml``
(platformdirs). Layout::

    sex = "female"                 # for Banister TRIMP
    timezone = "Europe/Berlin"     # for local dates when a file has no UTC offset

    [thresholds.run]               # undated: applies to every session...
    lthr_bpm = 170
    [thresholds.run."2026-01-01"]  # ...unless a dated value applies: from this date on
    lthr_bpm = 172
    threshold_pace = "4:10"        # min:sec per km

    [thresholds.bike]
    ftp_w = 260
    [thresholds.bike."2026-11-03"]  # written by lactlog lactate-test --save: a measured value
    ftp_w = 140                     # keeps its source, which the sessions then show
    source = { ftp_w = "lactate test 2026-11-03 (ModDmax)" }

    [thresholds.all."2026-01-01"]  # any sport, when the sport has no value of its own
    max_hr_bpm = 192
    rest_hr_bpm = 48

    [settings]                     # analysis defaults, see lactlog.settings
    high_min_above_lt_s = 600

A dated value applies from its date on, so a session in March uses March's LTHR; an undated
value applies to every session (it is stored as dated :data:`UNDATED`, the first day there is).
Per field, the sport's own latest entry dated on or before the session wins; otherwise the
``all`` entry. A dated entry's ``source`` table names where measured values came from
(:attr:`DatedValue.source`); setting a value by hand drops its source.

Every threshold is checked by :func:`check_threshold` — the same rule for the profile file,
``lactlog config set`` and the command-line flags (``--lthr``, ``--ftp`` ...): the type, finite,
the plausible range of :mod:`lactlog.validate` — and, for each sport and date, heart rates that
fit together (rest < LTHR < max). Sport names that users type (``--sport``, the group of a
``config set`` key) go through :func:`parse_sport`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from lactlog import validate
from lactlog.errors import ConfigError
from lactlog.formatting import pace_from_seconds_text, seconds_from_pace_text

#: Threshold fields and their meaning [unit].
THRESHOLD_FIELDS: dict[str, str] = {
    "lthr_bpm": "lactate-threshold heart rate [bpm]",
    "max_hr_bpm": "maximum heart rate [bpm]",
    "rest_hr_bpm": "resting heart rate [bpm]",
    "ftp_w": "functional threshold power [W]",
    "cp_w": "critical power [W]",
    "w_prime_j": "W', work capacity above CP [J]",
    "threshold_pace": "threshold pace [min:sec per km]",
    "lt1_hr_bpm": "heart rate at the first lactate threshold, LT1 [bpm]",
    "lt1_power_w": "power at the first lactate threshold, LT1 [W]",
    "lt1_pace": "pace at the first lactate threshold, LT1 [min:sec per km]",
}
#: Threshold fields holding a pace (min:sec per km); they are read as a speed [m/s].
PACE_FIELDS: tuple[str, ...] = ("threshold_pace", "lt1_pace")
SPORT_GROUPS: tuple[str, ...] = ("run", "bike", "swim", "other", "all")
SEXES: tuple[str, ...] = ("male", "female")
#: The date an undated threshold is stored under: it applies to every session.
UNDATED = date.min

#: Plausible range of each numeric threshold, in its unit (inclusive): see :mod:`lactlog.validate`
#: for the ranges and why. A value outside is a typo or a wrong unit (e.g. a pace in seconds).
THRESHOLD_BOUNDS: dict[str, tuple[float, float]] = validate.THRESHOLD_RANGES
#: Threshold pace range [s per km]: 2:00/km (faster than any 10-km world record) to 15:00/km.
PACE_BOUNDS_S_PER_KM: tuple[float, float] = validate.PACE_RANGE_S_PER_KM

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


#: Names a user may type for a sport group (``--sport``, ``config set <group>.<field>``).
_SPORT_ALIASES: dict[str, tuple[str, ...]] = {
    "run": ("running",),
    "bike": ("cycling", "cycle", "biking", "ride"),
    "swim": ("swimming",),
    "other": (),
}


def sport_names(with_all: bool = False) -> dict[str, str]:
    """Every accepted sport name -> its group: the groups, their aliases and the FIT sport
    names :func:`sport_group` maps to a group (``trail_running`` -> ``run``)."""
    names: dict[str, str] = {}
    for group in SPORT_GROUPS:
        if group == "all" and not with_all:
            continue
        names[group] = group
        names.update(dict.fromkeys(_SPORT_ALIASES.get(group, ()), group))
    for sport in (*_RUN_SPORTS, *_BIKE_SPORTS, *_SWIM_SPORTS):
        names.setdefault(sport, sport_group(sport))
    return names


def parse_sport(name: str, with_all: bool = False) -> str:
    """The sport group of a typed name (case-insensitive), e.g. ``Running`` -> ``run``.

    Raises
    ------
    ConfigError
        Not a known name; the message lists the groups and aliases.
    """
    names = sport_names(with_all)
    group = names.get(name.strip().lower().replace("-", "_"))
    if group is None:
        listed = ", ".join(
            f"{g} ({'/'.join(_SPORT_ALIASES.get(g, ()))})" if _SPORT_ALIASES.get(g) else g
            for g in SPORT_GROUPS if with_all or g != "all"
        )
        raise ConfigError(f"unknown sport {name!r}: use one of {listed}")
    return group


def _pace_s_per_km(pace: str | float) -> float:
    if isinstance(pace, bool) or not isinstance(pace, (int, float, str)):
        raise TypeError
    if isinstance(pace, (int, float)):
        return float(pace) * 60
    return seconds_from_pace_text(pace)


def pace_to_speed_mps(pace: str | float) -> float:
    """``"4:10"`` (min:sec per km, seconds 00–59) or 4.1667 (decimal min/km; as text also
    ``"4,1667"``: :func:`~lactlog.formatting.seconds_from_pace_text`) -> speed [m/s].

    speed = 1000 m / pace [s per km]; the pace must lie in :data:`PACE_BOUNDS_S_PER_KM`.
    """
    try:
        total_s = _pace_s_per_km(pace)
    except (ValueError, TypeError, AttributeError, OverflowError):
        raise ConfigError(
            f"threshold pace {validate._shown(pace)} is not min:sec per km (e.g. 4:10, seconds "
            "00–59)"
        ) from None
    low, high = PACE_BOUNDS_S_PER_KM
    if not math.isfinite(total_s) or not low <= total_s <= high:
        raise ConfigError(
            f"threshold pace {pace!r} is outside {pace_from_seconds_text(low)}–{pace_from_seconds_text(high)} per km"
        )
    return 1000.0 / total_s


def check_threshold(name: str, value: Any) -> float | int | str:
    """A threshold value checked against its unit's rule; returns the value to store.

    ``threshold_pace``: see :func:`pace_to_speed_mps` (stored as given, e.g. ``"4:10"``).
    Numbers: within :data:`THRESHOLD_BOUNDS` (ints stay ints). Text is parsed as a number.

    Raises
    ------
    ConfigError
        Unknown field, not a number, or outside the plausible range (the message says which).
    """
    if name not in THRESHOLD_FIELDS:
        raise ConfigError(f"unknown threshold {name!r} (use {', '.join(THRESHOLD_FIELDS)})")
    if name in PACE_FIELDS:
        pace_to_speed_mps(value)
        return value
    unit = THRESHOLD_FIELDS[name].rsplit("[", 1)[-1].rstrip("]")
    return validate.in_range(name, value, THRESHOLD_BOUNDS[name], unit)


@dataclass(frozen=True)
class DatedValue:
    """A profile value, the date it applies from and, when it was measured, where it came from
    (e.g. ``lactate test 2026-11-03 (ModDmax)``); an undated value says ``profile (undated)``."""

    value: float
    since: date
    source: str | None = None


@dataclass
class Profile:
    """The parsed profile. ``thresholds[group][since] = {field: value}``."""

    path: Path | None = None
    sex: str | None = None
    timezone: str | None = None
    thresholds: dict[str, dict[date, dict[str, Any]]] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    #: ``sources[group][since][field]``: where a measured value came from (``source`` table of a
    #: dated entry in the file); a value without one was typed or estimated.
    sources: dict[str, dict[date, dict[str, str]]] = field(default_factory=dict)

    def threshold(self, name: str, group: str, on: date) -> DatedValue | None:
        """The value of a threshold field for a sport group on a date (None if not set)."""
        for candidate in (group, "all"):
            entries = self.thresholds.get(candidate, {})
            dated = [d for d in entries if d <= on and name in entries[d]]
            if dated:
                since = max(dated)
                raw = entries[since][name]
                value = pace_to_speed_mps(raw) if name in PACE_FIELDS else float(raw)
                source = self.sources.get(candidate, {}).get(since, {}).get(name)
                if source is None and since == UNDATED:
                    source = "profile (undated)"
                return DatedValue(value, since, source)
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
    import tomllib  # only with a profile to read: most runs have none

    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    except RecursionError:  # tomllib recurses once per nested array or inline table
        raise ConfigError(f"{path}: not valid TOML (nested too deeply)") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    return _parse(document, path)


def _parse(document: dict[str, Any], path: Path) -> Profile:
    try:
        profile = _parse_document(document, path)
    except ConfigError as exc:
        where = f"{path}: "
        raise ConfigError(str(exc) if str(exc).startswith(where) else where + str(exc)) from None
    check_heart_rate_combinations(profile)
    return profile


def _parse_document(document: dict[str, Any], path: Path) -> Profile:
    sex = document.get("sex")
    if sex is not None and sex not in SEXES:
        raise ConfigError(f"{path}: sex must be one of {', '.join(SEXES)}, not "
                          f"{validate._shown(sex)}")
    thresholds: dict[str, dict[date, dict[str, Any]]] = {}
    sources: dict[str, dict[date, dict[str, str]]] = {}
    for group, entries in validate.table(document.get("thresholds", {}), "thresholds").items():
        if group not in SPORT_GROUPS:
            raise ConfigError(f"{path}: unknown sport group {validate._shown(group)} (use "
                              f"{', '.join(SPORT_GROUPS)})")
        entries = validate.table(entries, f"thresholds.{group}")
        undated = {k: v for k, v in entries.items() if not isinstance(v, dict)}
        dated: dict[Any, Any] = {k: v for k, v in entries.items() if isinstance(v, dict)}
        if undated:
            dated[UNDATED] = undated
        for since, values in dated.items():
            try:
                day = since if isinstance(since, date) else date.fromisoformat(str(since))
            except ValueError:
                raise ConfigError(f"{path}: {group}: {since!r} is not a date (YYYY-MM-DD)") from None
            where = f"{group}" if day == UNDATED else f"{group} {since}"
            values = dict(values)
            labels = _parse_sources(values.pop("source", None), values, f"{path}: {where}")
            if labels:
                sources.setdefault(group, {})[day] = labels
            unknown = set(values) - set(THRESHOLD_FIELDS)
            if unknown:
                raise ConfigError(f"{path}: {where}: unknown field(s) {sorted(unknown)}")
            for name, value in values.items():
                try:
                    check_threshold(name, value)
                except ConfigError as exc:
                    raise ConfigError(f"{path}: {where}: {exc}") from None
            thresholds.setdefault(group, {})[day] = dict(values)
    settings = dict(validate.table(document.get("settings", {}), "settings"))
    from lactlog.settings import check_settings

    check_settings(settings, str(path))
    zone = document.get("timezone")
    if zone is not None:
        try:
            _check_timezone(zone)
        except ConfigError as exc:
            raise ConfigError(f"{path}: timezone: {exc}") from None
    return Profile(path, sex, zone, thresholds, settings, sources)


def check_heart_rate_combinations(profile: Profile,
                                  flags: dict[str, float | None] | None = None,
                                  where: str | None = None) -> None:
    """Rest < LTHR < max HR (and LT1 HR between) on every date each sport's values change,
    with the command-line ``flags`` (``lthr_bpm``, ``max_hr_bpm``) winning as in the analysis
    and :attr:`Settings.default_rest_hr_bpm` standing in for an unknown resting HR.

    Raises
    ------
    ConfigError
        Names the sport, the date and the two values (:func:`lactlog.validate.check_heart_rates`).
    """
    from lactlog.settings import Settings

    flags = flags or {}
    default_rest = profile.settings.get("default_rest_hr_bpm", Settings.default_rest_hr_bpm)
    names = ("max_hr_bpm", "rest_hr_bpm", "lthr_bpm", "lt1_hr_bpm")
    for group in SPORT_GROUPS:
        days = {UNDATED} | set(profile.thresholds.get(group, {})) | set(
            profile.thresholds.get("all", {}))
        for day in sorted(days):
            found = {n: profile.threshold(n, group, day) for n in names}
            values = {n: (flags[n] if flags.get(n) is not None else (v.value if v else None))
                      for n, v in found.items()}
            rest, rest_name = values["rest_hr_bpm"], "rest_hr_bpm"
            if rest is None:
                rest, rest_name = default_rest, "settings.default_rest_hr_bpm"
            label = where or str(profile.path)
            label += f": {group}" + ("" if day == UNDATED else f" from {day.isoformat()}")
            validate.check_heart_rates(values["max_hr_bpm"], rest, values["lthr_bpm"],
                                       values["lt1_hr_bpm"], label, rest_name)


def _parse_sources(labels: Any, values: dict[str, Any], where: str) -> dict[str, str]:
    """The ``source`` table of a dated entry: {field: text}, for fields the entry sets."""
    if labels is None:
        return {}
    if not isinstance(labels, dict) or not all(isinstance(v, str) for v in labels.values()):
        raise ConfigError(f"{where}: source must be a table of texts, e.g. source = "
                          "{ lthr_bpm = \"lactate test 2026-11-03 (ModDmax)\" }")
    unknown = sorted(set(labels) - set(values))
    if unknown:
        raise ConfigError(f"{where}: source names field(s) the entry does not set: {unknown}")
    return dict(labels)


def to_document(profile: Profile) -> dict[str, Any]:
    """The profile as a TOML-ready dict (dates as ISO strings, sorted)."""
    document: dict[str, Any] = {}
    if profile.sex:
        document["sex"] = profile.sex
    if profile.timezone:
        document["timezone"] = profile.timezone
    if profile.thresholds:
        document["thresholds"] = {
            group: {
                **entries.get(UNDATED, {}),
                **{d.isoformat(): _with_sources(v, profile.sources.get(group, {}).get(d))
                   for d, v in sorted(entries.items()) if d != UNDATED},
            }
            for group, entries in profile.thresholds.items()
        }
    if profile.settings:
        document["settings"] = dict(profile.settings)
    return document


def _with_sources(values: dict[str, Any], labels: dict[str, str] | None) -> dict[str, Any]:
    entry = dict(values)
    labels = {k: v for k, v in (labels or {}).items() if k in values}
    if labels:
        entry["source"] = labels
    return entry


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


def set_value(profile: Profile, key: str, value: str, since: date | None = None) -> tuple[str, Any]:
    """Set ``sex``, ``timezone``, ``settings.<name>`` or ``<group>.<threshold field>``.

    A threshold applies from ``since`` on, or to every session when ``since`` is None. The
    group may be an alias (``running.lthr_bpm`` is ``run.lthr_bpm``, see :func:`parse_sport`).
    Returns (the key as stored, the value as stored), so callers report exactly what was saved.
    """
    if key == "sex":
        if value not in SEXES:
            raise ConfigError(f"sex must be one of {', '.join(SEXES)}, not "
                              f"{validate._shown(value)}")
        profile.sex = value
        return key, value
    if key == "timezone":
        _check_timezone(value)
        profile.timezone = value
        return key, value
    group, _, name = key.partition(".")
    if group == "settings":
        from lactlog.settings import parse_setting

        parsed = parse_setting(name, value, profile.settings)
        with _restored_on_error(profile.settings, name):
            profile.settings[name] = parsed
            check_heart_rate_combinations(profile, where="profile")
        return key, parsed
    try:
        group = parse_sport(group, with_all=True)
    except ConfigError:
        group = ""
    if not group or name not in THRESHOLD_FIELDS:
        raise ConfigError(
            f"unknown key {validate._shown(key)}: use sex, timezone, settings.<name> or <group>.<field> with "
            f"group in {', '.join(SPORT_GROUPS)} and field in {', '.join(THRESHOLD_FIELDS)}"
        )
    stored = check_threshold(name, value)
    entry = profile.thresholds.setdefault(group, {}).setdefault(since or UNDATED, {})
    with _restored_on_error(entry, name):
        entry[name] = stored
        check_heart_rate_combinations(profile, where="profile")
    profile.sources.get(group, {}).get(since or UNDATED, {}).pop(name, None)  # typed now
    return f"{group}.{name}", stored


@contextmanager
def _restored_on_error(values: dict[str, Any], name: str) -> Iterator[None]:
    """``values[name]`` back as it was (or absent) when the block raises: a refused value
    never stays in the profile (``thresholds --save`` goes on with the other values)."""
    missing = object()
    old = values.get(name, missing)
    try:
        yield
    except ConfigError:
        if old is missing:
            values.pop(name, None)
        else:
            values[name] = old
        raise


def set_measured(profile: Profile, group: str, name: str, value: Any, since: date,
                 source: str) -> Any:
    """Store a measured threshold (checked as :func:`set_value` does) dated ``since``, with
    where it came from, e.g. ``lactate test 2026-11-03 (ModDmax)``; returns the stored value."""
    _, stored = set_value(profile, f"{group}.{name}", str(value), since)
    profile.sources.setdefault(group, {}).setdefault(since, {})[name] = source
    return stored


def _check_timezone(name: Any) -> None:
    from lactlog.localtime import named_zone

    if not isinstance(name, str):
        raise ConfigError(f"a time zone is a text like \"Europe/Berlin\", not "
                          f"{validate._shown(name)}")
    named_zone(name)  # ConfigError when unknown
