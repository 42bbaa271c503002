"""Rendering of the athlete profile for ``lactlog config show``."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from lactlog.profile import THRESHOLD_FIELDS, Profile, to_document
from lactlog.report.jsondoc import SCHEMA_VERSION
from lactlog.settings import describe, settings_from


def profile_document(profile: Profile) -> dict[str, Any]:
    """The profile plus the effective value of every setting, as JSON."""
    effective = settings_from(profile.settings)
    return {
        "schema_version": SCHEMA_VERSION,
        "path": str(profile.path) if profile.path else None,
        **to_document(profile),
        "effective_settings": {name: getattr(effective, name) for name, _, _ in describe()},
    }


def profile_renderable(profile: Profile) -> Group:
    """Thresholds by sport group and date, then all settings with their defaults."""
    header = Text(f"Profile: {profile.path}\n", style="bold")
    header.append(f"sex: {profile.sex or '– (TRIMP uses male constants)'}\n", style="")
    header.append(f"time zone: {profile.timezone or '– (files’ own offsets, else this computer)'}")
    thresholds = Table(title="Thresholds (each applies from its date on)", title_justify="left")
    thresholds.add_column("Sport")
    thresholds.add_column("From")
    for name in THRESHOLD_FIELDS:
        thresholds.add_column(name, justify="right")
    for group, entries in sorted(profile.thresholds.items()):
        for since, values in sorted(entries.items()):
            thresholds.add_row(
                group, since.isoformat(), *(str(values.get(n, "")) for n in THRESHOLD_FIELDS)
            )
    if not profile.thresholds:
        thresholds.caption = "none set — lactlog uses what the files record (see README)"
    effective = settings_from(profile.settings)
    settings = Table(title="Settings", title_justify="left")
    settings.add_column("Name")
    settings.add_column("Value", justify="right")
    settings.add_column("Default", justify="right")
    settings.add_column("Meaning", overflow="fold")
    for name, default, doc in describe():
        value = getattr(effective, name)
        settings.add_row(name, str(value), "" if value == default else str(default), doc)
    return Group(header, thresholds, settings)
