"""Analyse many files: find them, read each, summarise its sessions, collect failures.

One unreadable file never stops the batch; it becomes a :class:`FileError` instead.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from lactlog.analysis.options import AnalysisOptions
from lactlog.analysis.session import SessionSummary, summarize
from lactlog.errors import LactlogError
from lactlog.io import find_inputs, read


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


def analyse_paths(
    paths: Iterable[str | Path],
    decoder: str = "lactlog",
    on_file: Callable[[Path], None] | None = None,
    options: AnalysisOptions | None = None,
) -> BatchResult:
    """Read and summarise every supported file under ``paths`` (folders are searched recursively).

    ``on_file`` is called after each file (for progress display).
    """
    result = BatchResult()
    for path in find_inputs([Path(p) for p in paths]):
        try:
            activities = read(path, decoder=decoder)
            result.sessions.extend(summarize(a, options) for a in activities)
        except LactlogError as exc:
            result.errors.append(FileError(str(path), str(exc)))
        except Exception as exc:  # a bug in lactlog: report it, keep going
            result.errors.append(
                FileError(
                    str(path),
                    f"internal error ({type(exc).__name__}: {exc}); please report it",
                    traceback.format_exc(),
                )
            )
        if on_file is not None:
            on_file(path)
    result.sessions.sort(key=_start_key)
    return result


def _start_key(summary: SessionSummary) -> tuple:
    start = summary.start.timestamp() if summary.start is not None else float("inf")
    return (start, summary.source, summary.session_index)
