"""Result types of a batch: what :func:`lactlog.analyze` returns and the renderers consume.

They live beside the model, not in :mod:`lactlog.batch`, so that ``report/`` never imports the
process pool or the cache to name them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lactlog.summaries import SessionSummary

if TYPE_CHECKING:
    from lactlog.analysis.estimate import EstimateReport
    from lactlog.analysis.history import HistoryThresholds
    from lactlog.analysis.hrvt import SessionHrvThreshold
    from lactlog.analysis.week import Duplicate, WeekSummary
    from lactlog.model import Activity


@dataclass(frozen=True)
class FileError:
    """A file that could not be analysed, with a one-line reason."""

    source: str
    error: str
    detail: str | None = None  # traceback of an unexpected error (shown with --verbose)


@dataclass
class BatchResult:
    """Sessions (sorted by start time) and errors of one batch."""

    sessions: list[SessionSummary] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    cache_hits: int = 0
    warnings: list[str] = field(default_factory=list)
    merged: list[tuple[str, str]] = field(default_factory=list)  # (watch, app) descriptions


@dataclass(frozen=True)
class FileAnalysis:
    """One file analysed (:func:`lactlog.analyze_file`): every session read from it, the
    summaries of the sessions asked for, and the history files that could not be read."""

    activities: list[Activity]
    sessions: list[SessionSummary]
    history_errors: list[FileError] = field(default_factory=list)


@dataclass(frozen=True)
class WeekReport:
    """Weekly summaries (:func:`lactlog.weeks`) and the batch they come from.

    ``left_out``: sessions whose device clock was never set (no week can hold them);
    ``duplicates``: the same activity found twice, counted once.
    """

    weeks: list[WeekSummary]
    duplicates: list[Duplicate]
    left_out: list[SessionSummary]
    batch: BatchResult


@dataclass(frozen=True)
class ThresholdEstimates:
    """Thresholds estimated from a training history (:func:`lactlog.estimate_thresholds`).

    ``report``: FTP, LTHR, CP/W', max HR with their evidence; ``latest``: each sport group's
    history thresholds on the day of its latest session; ``hrv``: per (sport group,
    ``HRVT1``/``HRVT2``) the HRV threshold to offer; ``errors``: files that could not be read.
    """

    report: EstimateReport
    latest: dict[str, HistoryThresholds]
    hrv: dict[tuple[str, str], SessionHrvThreshold]
    errors: list[FileError]
