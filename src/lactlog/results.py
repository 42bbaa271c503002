"""Result types of a batch: what :func:`lactlog.analyze` returns and the renderers consume.

They live beside the model, not in :mod:`lactlog.batch`, so that ``report/`` never imports the
process pool or the cache to name them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lactlog.analysis.session import SessionSummary


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
