"""What an analysis run needs besides the activity: the profile, command-line thresholds, settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from lactlog.localtime import local_date
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

    def local_date(
        self, start: datetime | None, utc_offset_s: int | None, wall_clock: bool = False
    ) -> date:
        """The athlete's calendar date of a session start (today when unknown), by the one local
        time rule of :mod:`lactlog.localtime`: the profile's time zone, else the file's UTC
        offset, else this computer's zone."""
        if start is None:
            return date.today()
        return local_date(start, self.profile.timezone, utc_offset_s, wall_clock=wall_clock)
