"""lactlog.validate: the one rule for typed, TOML and flag values, and its ranges."""

from __future__ import annotations

from dataclasses import fields

import pytest

from lactlog import validate
from lactlog.errors import ConfigError
from lactlog.profile import PACE_FIELDS, THRESHOLD_FIELDS
from lactlog.settings import Settings, check_settings


def test_every_setting_and_threshold_has_a_range_holding_its_default() -> None:
    """A setting added without a range would only get the fallback (finite, >= 0)."""
    for f in fields(Settings):
        assert f.name in validate.SETTING_RANGES, f"add a range for {f.name} to lactlog.validate"
        low, high = validate.SETTING_RANGES[f.name]
        assert low <= f.default <= high, f.name
    check_settings({f.name: f.default for f in fields(Settings)}, "defaults")
    assert set(validate.THRESHOLD_RANGES) == set(THRESHOLD_FIELDS) - set(PACE_FIELDS)


@pytest.mark.parametrize("value", [True, [1], {"a": 1}, None, float("nan"), float("inf"),
                                   "-inf", "1e400", "fast", ""])
def test_number_refuses(value) -> None:
    with pytest.raises(ConfigError):
        validate.number(value, "x")


def test_number_keeps_ints_and_reads_text() -> None:
    assert validate.number("172", "x") == 172 and isinstance(validate.number("172", "x"), int)
    assert validate.number(" 4.5 ", "x") == 4.5
    with pytest.raises(ConfigError, match="whole number"):
        validate.number(4.5, "x", whole=True)
    with pytest.raises(ConfigError, match="between 100 and 230 bpm, not 41"):
        validate.in_range("max_hr_bpm", 41, validate.THRESHOLD_RANGES["max_hr_bpm"], "bpm")


def test_heart_rates_must_fit_together() -> None:
    validate.check_heart_rates(190, 50, 170, 150)
    validate.check_heart_rates(None, 50, None)  # unknown values are not compared
    for values in ((100, 110, None), (180, 50, 185), (180, 50, None, 40)):
        with pytest.raises(ConfigError, match="must be above"):
            validate.check_heart_rates(*values)
    assert not validate.plausible("max_hr_bpm", 41) and validate.plausible("max_hr_bpm", 190)
    assert not validate.plausible("ftp_w", float("nan")) and not validate.plausible("ftp_w", None)


def test_a_huge_refused_value_is_shown_short() -> None:
    with pytest.raises(ConfigError) as caught:
        validate.table("x" * 10_000, "settings")
    assert len(str(caught.value)) < 150


def test_each_analysis_takes_its_rules_from_the_settings_of_the_same_names() -> None:
    from dataclasses import fields, replace

    from lactlog.analysis.endurance import endurance_rules
    from lactlog.analysis.history import history_rules
    from lactlog.analysis.thresholds import threshold_rules
    from lactlog.settings import Settings

    changed = replace(Settings(), stale_power_tolerance=0.2, lt1_fraction_of_lthr=0.8,
                      hampel_n_sigma=4.0, interval_min_duration_s=45.0, history_window_days=30)
    assert threshold_rules(changed).stale_power_tolerance == 0.2
    rules = endurance_rules(changed)
    assert (rules.lt1_fraction_of_lthr, rules.cleaning.hampel_n_sigma) == (0.8, 4.0)
    assert rules.verdict.min_effort_s == 45.0  # a setting of another name
    history = history_rules(changed)
    assert (history.window_days, history.stale_power_tolerance) == (30, 0.2)
    defaults = threshold_rules(Settings())
    assert all(getattr(defaults, f.name) == getattr(Settings(), f.name) for f in fields(defaults))
