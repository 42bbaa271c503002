"""The documents of a season report: ``week --json``, and ``show --json`` for every session.

:func:`season_document` is the one library call behind ``lactlog report``: it takes a batch's
sessions (as :func:`lactlog.batch.analyse_paths` gave them, so the cache, the limits and the
history thresholds are the same as in ``analyze`` and ``week``), the weekly summaries, and
re-reads each session's file only for its downsampled heart-rate, power and W' balance series
(:func:`~lactlog.analysis.series.session_series`, at most ``max_points`` per chart), in the
batch's process pool. The HTML renderer (:mod:`lactlog.report.html`) only draws this document.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lactlog.analysis.options import AnalysisOptions
from lactlog.analysis.session import SessionSummary
from lactlog.analysis.thresholds import SessionThresholds
from lactlog.analysis.week import local_start
from lactlog.batch import _analyse_all, _guard, _Outcome, read_activities

if TYPE_CHECKING:
    from lactlog.results import BatchResult

#: Most points of one session's time-series chart in the season report (documented in the
#: README): 300 points over a ~590-px plot, one every 2 px, keep 1,000 sessions under 10 MB.
REPORT_MAX_POINTS = 300
#: Most points of a chart of ``lactlog show --html`` (one session: one per pixel).
SHOW_MAX_POINTS = 600

#: The ``kind`` of the report document.
KIND = "season_report"


def _series_file(
    path: Path, decoder: str, options: AnalysisOptions,
    thresholds: Mapping[int, SessionThresholds | None], max_points: int,
) -> _Outcome:
    """Worker: (session index, SessionSeries) of the wanted sessions of one file."""
    from lactlog.analysis.series import session_series

    def work() -> tuple[Any, ...]:
        found = []
        for activity in read_activities(path, decoder, options):
            index = activity.meta.session_index
            if index in thresholds:
                found.append((index, session_series(activity, options.settings,
                                                    thresholds[index], max_buckets=max_points)))
        return tuple(found)

    return _guard(work)


def session_series_of(
    sessions: list[SessionSummary], options: AnalysisOptions, decoder: str = "lactlog",
    jobs: int | None = None, max_points: int = REPORT_MAX_POINTS,
) -> dict[tuple[str, int], Any]:
    """(source, session index) -> :class:`~lactlog.analysis.series.SessionSeries` of each
    session, at most ``max_points`` buckets long; a file that cannot be read again (or a merged
    workout of an app, which has no samples) is simply missing."""
    wanted: dict[str, dict[int, SessionThresholds | None]] = defaultdict(dict)
    for s in sessions:
        wanted[s.source][s.session_index] = s.endurance.thresholds if s.endurance else None
    sources = list(wanted)
    tasks = [(Path(source), wanted[source], max_points) for source in sources]
    found: dict[tuple[str, int], Any] = {}
    for source, outcome in zip(sources, _analyse_all(_series_file, tasks, decoder, options, jobs)):
        for index, series in outcome.sessions:
            found[(source, index)] = series
    return found


def days_records(performance: Any) -> list[dict[str, Any]]:
    """The rows of :func:`~lactlog.analysis.week.daily_performance` as JSON records:
    ``date``, ``load``, ``ctl``, ``atl``, ``tsb``."""
    return [{"date": day.date().isoformat(), "load": round(float(row.load), 2),
             "ctl": round(float(row.ctl), 2), "atl": round(float(row.atl), 2),
             "tsb": round(float(row.tsb), 2)}
            for day, row in performance.iterrows()]


@dataclass(frozen=True)
class SeasonReport:
    """What :func:`season_report` gives: the report's ``document`` and the ``batch`` it came
    from (for its errors, warnings and merges)."""

    document: dict[str, Any]
    batch: BatchResult


def season_report(
    paths: Iterable[str | Path], options: AnalysisOptions, *, decoder: str = "lactlog",
    cache: Any = None, jobs: int | None = None, merge: bool = True,
    since: date | None = None, until: date | None = None, sport: str | None = None,
    lactate_test: dict[str, Any] | None = None, on_file: Callable[[Path], None] | None = None,
    max_points: int = REPORT_MAX_POINTS,
) -> SeasonReport:
    """Analyse the files under ``paths`` as ``lactlog week`` does (:func:`lactlog.batch.
    analyse_paths`: the same cache, workers, merges and history), then
    :func:`season_document`. ``on_file`` is called three times per file (the batch's two
    passes, then the series)."""
    from lactlog.batch import analyse_paths

    paths = list(paths)
    batch = analyse_paths(paths, decoder=decoder, on_file=on_file, options=options,
                          cache=cache, jobs=jobs, merge=merge)
    document = season_document(batch, options, since=since, until=until, sport=sport,
                               decoder=decoder, jobs=jobs, lactate_test=lactate_test,
                               max_points=max_points)
    if on_file is not None:
        for path in paths:
            on_file(Path(path))
    return SeasonReport(document, batch)


def season_document(
    result: BatchResult, options: AnalysisOptions, *, since: date | None = None,
    until: date | None = None, sport: str | None = None, decoder: str = "lactlog",
    jobs: int | None = None, lactate_test: dict[str, Any] | None = None,
    max_points: int = REPORT_MAX_POINTS,
) -> dict[str, Any]:
    """The report's document for a batch's ``result``, with ``week``'s filters:

    - ``week``: the ``week --json`` document (:func:`~lactlog.analysis.week.weekly_summaries`);
    - ``days``: the daily load and CTL/ATL/TSB of those weeks
      (:func:`~lactlog.analysis.week.daily_performance`, :func:`days_records`);
    - ``sessions``: one ``show --json`` document per session counted in those weeks (duplicates
      and sessions without a usable clock left out, as ``week`` does; by start time), with the
      series at most ``max_points`` long;
    - ``lactate_test``: the ``lactate-test --json`` document given, or None;
    - ``lactlog_version`` and ``schema_version``.
    """
    from lactlog import __version__
    from lactlog.analysis.select import clock_known_wrong, clock_wrong_sessions, select_sessions
    from lactlog.analysis.week import daily_performance, find_duplicates, weekly_summaries
    from lactlog.report.jsondoc import SCHEMA_VERSION
    from lactlog.report.show import show_document
    from lactlog.report.week import left_out_records, week_document

    tz = options.profile.timezone
    weeks, duplicates = weekly_summaries(result.sessions, tz, since=since, until=until,
                                         sport=sport)
    left_out = clock_wrong_sessions(result.sessions)
    week = week_document(weeks, duplicates, result.errors, left_out_records(left_out))
    performance = daily_performance(result.sessions, tz, since=since, until=until, sport=sport)
    shown_weeks = {w.week_start for w in weeks}
    kept, _ = find_duplicates(result.sessions, tz)
    sessions = [s for s in select_sessions(kept, tz, since=since, until=until, sport=sport)
                if s.start is not None and not clock_known_wrong(s)
                and _monday(local_start(s, tz).date()) in shown_weeks]
    series = session_series_of(sessions, options, decoder, jobs, max_points)
    shown = []
    for s in sessions:
        found = series.get((s.source, s.session_index))
        shown.append(show_document(s, found) if found is not None else _without_series(s))
    return {
        "kind": KIND,
        "schema_version": SCHEMA_VERSION,
        "lactlog_version": __version__,
        "week": week,
        "days": days_records(performance),
        "sessions": shown,
        "lactate_test": lactate_test,
    }


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _without_series(summary: SessionSummary) -> dict[str, Any]:
    """A ``show --json`` document for a session whose samples could not be read again."""
    from lactlog.report.dfa import dfa_dict
    from lactlog.report.jsondoc import SCHEMA_VERSION, session_dict

    return {"schema_version": SCHEMA_VERSION, "session": session_dict(summary), "series": None,
            "dfa": dfa_dict(summary.dfa, series=True)}
