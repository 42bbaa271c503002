"""The same activity found twice (a file copied, a FIT file and its GPX export, two devices):
which recording is kept and why the others are dropped (:func:`find_duplicates`)."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lactlog.analysis.calendar_time import session_end_utc, start_utc

if TYPE_CHECKING:
    from lactlog.analysis.session import SessionSummary

#: Two recordings starting at most this far apart may be one activity [s] (see find_duplicates).
DUPLICATE_START_TOLERANCE_S = 60.0
#: ... when their time spans overlap by at least this share of the longer span [0-1].
DUPLICATE_MIN_OVERLAP = 0.5
#: Which recording of a duplicated activity is kept: the device's own file first.
_FORMAT_RANK = {"fit": 0, "tcx": 1, "gpx": 2, "csv": 3}


@dataclass(frozen=True)
class Duplicate:
    """A session dropped because it is the same activity as ``kept`` (both are source paths)."""

    kept: str
    duplicate: str
    reason: str


def find_duplicates(
    summaries: Iterable[SessionSummary], tz: str | None = None
) -> tuple[list[SessionSummary], list[Duplicate]]:
    """Keep each activity once: (kept sessions sorted by source path, dropped duplicates).

    Two sessions of different files are the same activity when

    - they have the same ``sha256`` and ``session_index`` (the same file twice), or
    - they are two recordings of one activity, whatever their formats and devices (a FIT file
      and its GPX or TCX export; a watch and a bike computer): their starts are at most
      :data:`DUPLICATE_START_TOLERANCE_S` apart, their time spans [start, start + duration]
      overlap by at least :data:`DUPLICATE_MIN_OVERLAP` of the longer span, and their sports
      agree (a ``generic`` sport agrees with any; exports often lose the sport).

    Sessions of one file are never duplicates of each other, and a session given twice (same
    source and session index) is counted once without a report. The recording kept is the
    device's own first (FIT, then TCX, GPX, CSV), then by (source, session_index); every other
    one is compared with the kept ones. Start times are compared in UTC (``tz`` converts
    wall-clock starts, see :mod:`lactlog.localtime`).
    """
    kept: list[SessionSummary] = []
    duplicates: list[Duplicate] = []
    seen: set[tuple[str, int]] = set()
    by_content: dict[tuple[str, int], SessionSummary] = {}
    spans: list[tuple[float, float, int]] = []  # (start [s], end [s], index in kept), sorted
    for summary in sorted(summaries, key=_keep_order):
        if (summary.source, summary.session_index) in seen:
            continue
        seen.add((summary.source, summary.session_index))
        content = (summary.sha256, summary.session_index)
        first = by_content.get(content) if summary.sha256 else None
        if first is not None and first.source != summary.source:
            reason = f"same file content (sha256 {summary.sha256[:12]}…, session " \
                     f"{summary.session_index})"
            duplicates.append(Duplicate(first.source, summary.source, reason))
            continue
        if summary.start is not None:
            start_s = start_utc(summary, tz).timestamp()
            end_s = session_end_utc(summary, tz).timestamp()
            match = _same_activity(summary, start_s, end_s, spans, kept)
            if match is not None:
                first, reason = match
                duplicates.append(Duplicate(first.source, summary.source, reason))
                continue
            bisect.insort(spans, (start_s, end_s, len(kept)))
        by_content.setdefault(content, summary)
        kept.append(summary)
    kept.sort(key=lambda s: (s.source, s.session_index))
    return kept, duplicates


def _keep_order(summary: SessionSummary) -> tuple[int, str, int]:
    return (_FORMAT_RANK.get(summary.format, len(_FORMAT_RANK)), summary.source,
            summary.session_index)


def _sports_agree(a: str, b: str) -> bool:
    return a == b or "generic" in (a, b)


def _same_activity(
    summary: SessionSummary,
    start_s: float,
    end_s: float,
    spans: Sequence[tuple[float, float, int]],
    kept: Sequence[SessionSummary],
) -> tuple[SessionSummary, str] | None:
    """The kept session ``summary`` is another recording of, with the reason; None if none."""
    low = bisect.bisect_left(spans, (start_s - DUPLICATE_START_TOLERANCE_S,))
    for other_start_s, other_end_s, index in spans[low:]:
        if other_start_s > start_s + DUPLICATE_START_TOLERANCE_S:
            break
        other = kept[index]
        if other.source == summary.source or not _sports_agree(other.sport, summary.sport):
            continue
        longer_s = max(end_s - start_s, other_end_s - other_start_s)
        overlap_s = min(end_s, other_end_s) - max(start_s, other_start_s)
        share = overlap_s / longer_s if longer_s > 0 else 1.0
        if share >= DUPLICATE_MIN_OVERLAP:
            reason = (f"the same activity: starts {abs(other_start_s - start_s):.0f} s apart, "
                      f"time spans overlap {share:.0%} ({other.format} and {summary.format}, "
                      f"sport {other.sport if other.sport != 'generic' else summary.sport})")
            return other, reason
    return None
