"""What an analysis run needs besides the activity: the profile, command-line thresholds, settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone

from lactlog.profile import Profile
from lactlog.settings import Settings, settings_from


@dataclass(frozen=True)
class AnalysisOptions:
    """Profile, flags (``SessionThresholds`` field name -> value) and the effective settings."""

    profile: Profile = field(default_factory=Profile)
    flags: Mapping[str, float] = field(default_factory=dict)
    settings: Settings = field(default_factory=Settings)

    @classmethod
    def from_profile(cls, profile: Profile, flags: Mapping[str, float] | None = None) -> AnalysisOptions:
        return cls(profile, dict(flags or {}), settings_from(profile.settings))

    def local_date(self, start: datetime | None, utc_offset_s: int | None) -> date:
        """The athlete's calendar date of a session start: the profile's time zone, else the
        file's UTC offset, else UTC (the same order as the weekly summaries use)."""
        if start is None:
            return date.today()
        if self.profile.timezone:
            from zoneinfo import ZoneInfo

            return start.astimezone(ZoneInfo(self.profile.timezone)).date()
        if utc_offset_s is not None:
            return start.astimezone(timezone(timedelta(seconds=utc_offset_s))).date()
        return start.astimezone(UTC).date()
