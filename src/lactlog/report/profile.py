"""Rendering of the athlete profile for ``lactlog config show``."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.text import Text

from lactlog.profile import THRESHOLD_FIELDS, UNDATED, Profile, to_document
from lactlog.report.jsondoc import SCHEMA_VERSION
from lactlog.report.layout import Column, RowTable
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
    """Thresholds by sport group and date (one line per value), then all settings with their
    defaults; laid out by :class:`~lactlog.report.layout.RowTable`, so nothing is cut."""
    header = Text(f"Profile: {profile.path}\n", style="bold")
    header.append(f"sex: {profile.sex or '– (TRIMP uses male constants)'}\n", style="")
    header.append(f"time zone: {profile.timezone or '– (files’ own offsets, else this computer)'}")
    thresholds = RowTable(
        [Column("Sport"), Column("From"), Column("Field"), Column("Value", "right"),
         Column("Meaning", flexible=True)],
        title="Thresholds (undated: every session; dated: from that date on)",
        caption=None if profile.thresholds else
        "none set — lactlog uses what the files record (see README)",
    )
    for group, entries in sorted(profile.thresholds.items()):
        for since, values in sorted(entries.items()):
            sources = profile.sources.get(group, {}).get(since, {})  # measured values
            for name in THRESHOLD_FIELDS:
                if name in values:
                    meaning = THRESHOLD_FIELDS[name] + (f"; {sources[name]}" if name in sources
                                                        else "")
                    thresholds.add_row(group, "undated" if since == UNDATED else since.isoformat(),
                                       name, str(values[name]), meaning)
    effective = settings_from(profile.settings)
    settings = RowTable(
        [Column("Name"), Column("Value", "right"), Column("Default", "right"),
         Column("Meaning", spill=True, min_width=30)],
        title="Settings",
    )
    for name, default, doc in describe():
        value = getattr(effective, name)
        settings.add_row(name, str(value), "" if value == default else str(default), doc)
    return Group(header, Text(), thresholds, settings)
