"""lactlog: how much high-lactate / metabolic-stress stimulus did this training give?

Public API (heavy modules are imported on first use, so ``import lactlog`` stays cheap). Every
``lactlog`` command is one of these calls plus rendering; none of them prints:

- :func:`read` — one file into a list of :class:`lactlog.model.Activity` (one per session).
- :func:`analyze` — every file under some paths summarised (``lactlog analyze``): a
  :class:`lactlog.results.BatchResult`.
- :func:`analyze_file` — one file in depth (``lactlog show``); :func:`session_series` — its
  first summarised session's heart rate, power and W' balance over time (show's chart).
- :func:`weeks` — weekly summaries (``lactlog week``).
- :func:`estimate_thresholds` — thresholds from a training history (``lactlog thresholds``).
- :func:`time_in_zones` — seconds per zone for arbitrary boundaries on a cleaned channel.
- :func:`lactate_test` — the thresholds of a blood-lactate step test (CSV or TOML sheet);
  :func:`lactate_sheet` and :func:`step_test` read one, with or without its recording
  (``lactlog lactate-test``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from lactlog.analysis.lactate import LactateTestResult
    from lactlog.analysis.options import AnalysisOptions
    from lactlog.analysis.series import SessionSeries
    from lactlog.cache import NullCache, ResultCache
    from lactlog.model import Activity
    from lactlog.profile import Profile
    from lactlog.results import BatchResult, FileAnalysis, ThresholdEstimates, WeekReport
    from lactlog.steptest import LactateSheet, StepTest

    Cache: TypeAlias = ResultCache | NullCache | None

__version__ = "0.1.0"


def read(
    path: str | Path, decoder: str = "lactlog", *, profile: Profile | None = None,
    options: AnalysisOptions | None = None,
) -> list[Activity]:
    """Read a FIT (also .fit.gz), TCX, GPX or CSV file into its sessions, within the size
    limits of the settings (``settings.max_file_mb``, ``settings.max_decompressed_mb`` of
    ``options``, else of ``profile``, else the defaults).

    See :func:`lactlog.io.read`; raises :class:`lactlog.errors.InputError`.
    """
    from lactlog.batch import read_activities

    return read_activities(Path(path), decoder, _options(profile, options))


def analyze(
    paths: Iterable[str | Path],
    *,
    profile: Profile | None = None,
    options: AnalysisOptions | None = None,
    decoder: str = "lactlog",
    cache: Cache = None,
    jobs: int | None = None,
    merge: bool = True,
    since: date | None = None,
    until: date | None = None,
    sport: str | None = None,
    reverse: bool = False,
    on_file: Callable[[Path], None] | None = None,
) -> BatchResult:
    """Summarise every supported file under ``paths`` (folders searched recursively).

    ``options`` (else ``profile``'s, else an empty profile) gives thresholds and settings;
    ``cache`` (a :class:`lactlog.cache.ResultCache`; default none) skips unchanged files;
    ``jobs`` worker processes (default: one per CPU). Sessions are those whose local start
    date lies in [``since``, ``until``] and whose sport group is ``sport`` (all by default),
    oldest first (newest first with ``reverse``). A file that cannot be read becomes a
    :class:`lactlog.results.FileError` in the result, never an exception. ``on_file`` is
    called twice per file (two passes; for progress display). See
    :func:`lactlog.batch.analyse_paths`.
    """
    from dataclasses import replace

    from lactlog.analysis.select import select_sessions
    from lactlog.batch import analyse_paths

    options = _options(profile, options)
    result = analyse_paths(paths, decoder=decoder, on_file=on_file, options=options,
                           cache=cache, jobs=jobs, merge=merge)
    chosen = select_sessions(result.sessions, options.profile.timezone, since=since,
                             until=until, sport=sport, reverse=reverse)
    return replace(result, sessions=chosen)


def analyze_file(
    path: str | Path,
    *,
    session: int | None = None,
    profile: Profile | None = None,
    options: AnalysisOptions | None = None,
    decoder: str = "lactlog",
    history: Iterable[str | Path] = (),
    cache: Cache = None,
    jobs: int | None = None,
) -> FileAnalysis:
    """Read one file (within the size limits) and summarise its sessions — only session
    ``session`` (0 = first) when given — with the history thresholds of the file's own
    sessions plus the files under ``history``.

    Raises :class:`lactlog.errors.InputError` when the file cannot be read and
    :class:`lactlog.errors.NoSuchSessionError` when it has no session ``session``; history
    files that cannot be read become ``history_errors``.
    """
    from lactlog.analysis.session import summarize
    from lactlog.batch import history_of
    from lactlog.errors import NoSuchSessionError
    from lactlog.results import FileAnalysis

    options = _options(profile, options)
    activities = read(path, decoder, options=options)
    if session is not None and not 0 <= session < len(activities):
        count = len(activities)
        raise NoSuchSessionError(f"{path} holds {count} session{'s' if count != 1 else ''}",
                                 count)
    chosen = activities if session is None else [activities[session]]
    histories, errors = history_of(activities, options, history, decoder, cache, jobs)
    summaries = [summarize(a, options, histories.get((a.meta.source, a.meta.session_index)))
                 for a in chosen]
    return FileAnalysis(activities, summaries, errors)


def session_series(
    analysis: FileAnalysis,
    *,
    profile: Profile | None = None,
    options: AnalysisOptions | None = None,
    max_buckets: int | None = None,
) -> SessionSeries:
    """Heart rate, power and W' balance over time of the first session summarised in
    ``analysis`` (:func:`analyze_file`), with that session's thresholds, in buckets — at most
    ``max_buckets`` of them when given (e.g. a chart's columns). See
    :func:`lactlog.analysis.series.session_series`.
    """
    from lactlog.analysis.series import session_series as series

    summary = analysis.sessions[0]
    activity = next(a for a in analysis.activities
                    if a.meta.session_index == summary.session_index)
    thresholds = summary.endurance.thresholds if summary.endurance else None
    return series(activity, _options(profile, options).settings, thresholds,
                  max_buckets=max_buckets)


def weeks(
    paths: Iterable[str | Path],
    *,
    profile: Profile | None = None,
    options: AnalysisOptions | None = None,
    decoder: str = "lactlog",
    cache: Cache = None,
    jobs: int | None = None,
    merge: bool = True,
    last: int | None = None,
    since: date | None = None,
    until: date | None = None,
    sport: str | None = None,
    on_file: Callable[[Path], None] | None = None,
) -> WeekReport:
    """Weekly summaries (ISO weeks in the athlete's local time) of the sessions under
    ``paths``: :func:`analyze` (same ``options``, ``cache``, ``jobs``, ``merge``), then
    :func:`lactlog.analysis.week.weekly_summaries` (``last`` N weeks, ``since``/``until``,
    ``sport``). Sessions whose device clock was never set are ``left_out``."""
    from lactlog.analysis.select import clock_wrong_sessions
    from lactlog.analysis.week import weekly_summaries
    from lactlog.results import WeekReport

    options = _options(profile, options)
    batch = analyze(paths, options=options, decoder=decoder, cache=cache, jobs=jobs,
                    merge=merge, on_file=on_file)
    rows, duplicates = weekly_summaries(batch.sessions, options.profile.timezone, weeks=last,
                                        since=since, until=until, sport=sport)
    return WeekReport(rows, duplicates, clock_wrong_sessions(batch.sessions), batch)


def estimate_thresholds(
    paths: Iterable[str | Path],
    *,
    sport: str | None = None,
    cp_durations_s: Iterable[int] | None = None,
    profile: Profile | None = None,
    options: AnalysisOptions | None = None,
    decoder: str = "lactlog",
    cache: Cache = None,
    jobs: int | None = None,
    on_file: Callable[[Path], None] | None = None,
) -> ThresholdEstimates:
    """FTP, LTHR, CP/W', max HR and HRVT1/HRVT2 estimated from the sessions under ``paths``.

    The best efforts come from the batch's first pass (same cache, size limits and workers;
    ``on_file`` is called once per file); ``sport`` restricts them to a sport group (default:
    power from bike sessions, heart rate from all), ``cp_durations_s`` are the CP/W' fit's
    durations [s] (default 3, 5, 12, 20 min). HRV thresholds come from the full analysis of
    the sessions with beat-to-beat data. See :func:`lactlog.analysis.estimate.estimate_thresholds`.
    """
    from lactlog.analysis.estimate import (
        DEFAULT_CP_DURATIONS_S,
        FTP_WINDOW_S,
        check_cp_durations,
    )
    from lactlog.analysis.estimate import estimate_thresholds as estimate
    from lactlog.analysis.history import history_rules, latest_by_group
    from lactlog.analysis.hrvt import latest_hrv_thresholds, session_hrv_thresholds
    from lactlog.batch import analyse_paths, history_bests
    from lactlog.results import ThresholdEstimates

    options = _options(profile, options)
    durations_s = check_cp_durations(
        DEFAULT_CP_DURATIONS_S if cp_durations_s is None else cp_durations_s)
    paths = list(paths)
    dated, errors = history_bests(paths, decoder, options, cache, jobs,
                                  power_windows_s=(FTP_WINDOW_S, *durations_s), on_file=on_file)
    rules = history_rules(options.settings)
    report = estimate([d.bests for d in dated], sport, durations_s, rules)
    latest = latest_by_group(dated, rules)
    full = analyse_paths(paths, decoder, options=options, cache=cache, jobs=jobs, merge=False)
    hrv = latest_hrv_thresholds(session_hrv_thresholds(full.sessions, sport))
    return ThresholdEstimates(report, latest, hrv, errors)


def lactate_sheet(path: str | Path, *, need_intensity: bool = True) -> LactateSheet:
    """The rows of a lactate sheet (CSV or ``.toml``), checked; ``need_intensity`` False when a
    recording gives the intensities (only ``step`` and ``lactate_mmol`` required then).

    See :func:`lactlog.io.lactate_steps.read_lactate_sheet`; raises
    :class:`lactlog.errors.InputError`.
    """
    from lactlog.io.lactate_steps import read_lactate_sheet

    return read_lactate_sheet(Path(path), need_intensity=need_intensity)


def step_test(
    sheet: LactateSheet,
    recording: Activity | None = None,
    *,
    first_lap: int | None = None,
    step_s: float | None = None,
    start_s: float = 0.0,
    profile_timezone: str | None = None,
    options: AnalysisOptions | None = None,
) -> StepTest:
    """The checked step test of a sheet: its own intensities, or with ``recording`` (the
    test's activity) the recording's step means [s, W or m/s, bpm] of its cleaned samples
    (cleaning rules of ``options``' settings) with the sheet's lactates (steps from laps from
    ``first_lap``, else every ``step_s`` from ``start_s``).

    See :mod:`lactlog.io.lactate_steps` and :mod:`lactlog.analysis.step_means`; raises
    :class:`lactlog.errors.InputError`.
    """
    from lactlog.analysis.endurance import cleaning_rules
    from lactlog.analysis.step_means import step_test_from_recording
    from lactlog.io.lactate_steps import step_test_from_sheet

    if recording is None:
        return step_test_from_sheet(sheet)
    cleaning = cleaning_rules(_options(None, options).settings)
    return step_test_from_recording(sheet, recording, first_lap, step_s, start_s,
                                    profile_timezone, cleaning)


def _options(profile: Profile | None, options: AnalysisOptions | None) -> AnalysisOptions:
    """``options``, else those of ``profile`` (no command-line thresholds), else the defaults."""
    from lactlog.analysis.options import AnalysisOptions

    if options is not None:
        return options
    return AnalysisOptions() if profile is None else AnalysisOptions.from_profile(profile)


def time_in_zones(
    activity: Activity, boundaries: list[float], channel: str = "heart_rate_bpm"
) -> list[float]:
    """Seconds per zone of ``activity`` for arbitrary zone ``boundaries`` on ``channel``.

    Zones are (−∞, b₀), [b₀, b₁), …, [bₙ₋₁, +∞) — a value equal to a boundary belongs to the
    zone above it, as Garmin devices count — on the cleaned 1-Hz signal (spikes and dropouts
    removed, gaps ≤ 25 s interpolated, timer pauses and longer gaps not counted). Returns
    ``len(boundaries) + 1`` durations [s]; all zero when the channel is absent.
    """
    from lactlog.analysis.clean import clean_samples
    from lactlog.analysis.zones import time_in_zones_s

    if channel not in activity.samples:
        return [0.0] * (len(boundaries) + 1)
    clean = clean_samples(activity.samples, activity.pauses)
    return time_in_zones_s(clean[channel], boundaries)


def lactate_test(path: str | Path, degree: int = 3, include_baseline: bool = True
                 ) -> LactateTestResult:
    """Every method's threshold of the step test in the sheet at ``path`` (CSV or ``.toml``).

    See :mod:`lactlog.analysis.lactate` (methods) and :mod:`lactlog.io.lactate_steps` (sheet).
    Raises :class:`lactlog.errors.InputError` for a sheet or test that cannot be used.
    """
    from lactlog.analysis.lactate import lactate_thresholds
    from lactlog.io.lactate_steps import read_lactate_sheet, step_test_from_sheet

    test = step_test_from_sheet(read_lactate_sheet(Path(path)))
    return lactate_thresholds(test, degree, include_baseline)
