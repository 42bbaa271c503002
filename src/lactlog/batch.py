"""Analyse many files: find them, take what the cache knows, read and summarise the rest in a
process pool, and collect failures.

One unreadable file never stops the batch; it becomes a :class:`FileError` instead. Results are
written to the cache in small transactions as they arrive, so an interrupted batch (Ctrl-C,
``kill -9``) keeps what it finished and leaves the cache consistent.

Two passes: the first finds every session's best efforts (:func:`session_bests`, small, cached
by file content), from which :func:`~lactlog.analysis.history.history_by_session` gives each
session the thresholds of its sport's recent history; the second summarises each file with
them. The second pass's cache key includes those history thresholds, so adding or removing a
file never serves a summary computed with another history.

A batch whose inputs are all unchanged since a run that finished (every file's first-pass key
the same, in the same order, with the same options: :func:`~lactlog.cache.batch_fingerprint`)
takes its second-pass keys from that run's batch record instead
(:meth:`~lactlog.cache.ResultCache.get_batch`): the same keys, without loading every file's
best efforts, recomputing the history and fingerprinting it per file, which were most of a
warm run's time. Any change to any file, or a record that does not lead to every file's
row, takes the two passes.
"""

from __future__ import annotations

import os
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lactlog.analysis.options import AnalysisOptions
from lactlog.analysis.power_model import DEFAULT_CP_DURATIONS_S, FTP_WINDOW_S
from lactlog.cache import (
    CachedResult,
    CacheKey,
    NullCache,
    ResultCache,
    batch_fingerprint,
    bests_fingerprint,
    history_fingerprint,
    input_stamp,
    options_fingerprint,
)
from lactlog.errors import LactlogError, internal_error_message
from lactlog.io import find_inputs
from lactlog.io.raw import RawInput
from lactlog.results import BatchResult, FileError
from lactlog.summaries import APP_PRODUCTS, DatedBests, SessionSummary

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from lactlog.analysis.history import HistoryThresholds
    from lactlog.spill import Slot

# The readers and the analysis (numpy, pandas) are imported where a file is read, and the
# history and the spill where the two passes run: a batch that finds every file in the cache
# loads, selects and renders its results without them.

#: Cache writes are grouped into transactions of this many files.
_CACHE_BATCH = 50


@dataclass(frozen=True, eq=False)
class _Outcome:
    """What analysing one file gave (summaries, or in the first pass its sessions' best
    efforts); ``cacheable`` is False for internal errors."""

    sessions: tuple[Any, ...] = ()
    error: str | None = None
    detail: str | None = None
    cacheable: bool = True
    #: First pass only: the file's summaries, made from the same read when none of its
    #: sessions uses the history (:func:`bests_file`); the second pass then skips the file.
    summaries: tuple[Any, ...] | None = None


#: Best mean powers the first pass finds [s]: the FTP window and the CP fit durations.
POWER_WINDOWS_S: tuple[int, ...] = (FTP_WINDOW_S, *DEFAULT_CP_DURATIONS_S)
#: What the history gives each session of one file: session index -> history thresholds.
FileHistory = Mapping[int, "HistoryThresholds"]


def read_activities(path: Path | RawInput, decoder: str, options: AnalysisOptions) -> list:
    """Read one file within the size limits of the settings (raises LactlogError); a
    :class:`~lactlog.io.raw.RawInput` is a pipe's content, read once by :func:`read_pipes`."""
    limits = {
        "max_file_bytes": int(options.settings.max_file_mb * 2**20),
        "max_decompressed_bytes": int(options.settings.max_decompressed_mb * 2**20),
        "max_sessions": options.settings.max_sessions_per_file,
    }
    if isinstance(path, RawInput):
        del limits["max_file_bytes"]  # applied when the pipe was read
        return read_bytes(path.data, path.source, decoder, **limits)
    return read(path, decoder=decoder, **limits)


def read(path: Path, **kwargs: Any) -> list:
    """:func:`lactlog.io.read`, imported on first use (the readers load numpy and pandas)."""
    from lactlog.io import read as read_file

    return read_file(path, **kwargs)


def read_bytes(data: bytes, source: str, decoder: str, **kwargs: Any) -> list:
    """:func:`lactlog.io.read_bytes`, imported on first use."""
    from lactlog.io import read_bytes as read_data

    return read_data(data, source, decoder, **kwargs)


def read_pipes(files: Iterable[Path], options: AnalysisOptions) -> dict[Path, RawInput | _Outcome]:
    """The pipes among ``files`` (``analyze <(cat ride.fit)``, a FIFO), each read once, here,
    within ``max_file_mb``: both passes and the worker processes then use those bytes (a pipe
    cannot be read twice). A pipe that cannot be read becomes its error. Pipes are not cached."""
    from lactlog.io.special import is_pipe, read_pipe

    limit = int(options.settings.max_file_mb * 2**20)
    found: dict[Path, RawInput | _Outcome] = {}
    for path in files:
        if is_pipe(path):
            try:
                found[path] = RawInput.from_bytes(str(path), read_pipe(path, limit))
            except LactlogError as exc:
                found[path] = _Outcome(error=str(exc))
    return found


def dated_bests(
    activity, options: AnalysisOptions, power_windows_s: tuple[int, ...] = POWER_WINDOWS_S
) -> DatedBests:
    """A session's best efforts and its local calendar date (the history's unit)."""
    from lactlog.analysis.bests import session_bests
    from lactlog.analysis.endurance import cleaning_rules

    meta = activity.meta
    bests = session_bests(activity, cleaning_rules(options.settings), power_windows_s,
                          profile_timezone=options.profile.timezone)
    return DatedBests(options.local_date(meta.start, meta.utc_offset_s, meta.wall_clock), bests)


def bests_file(
    path: Path, decoder: str, options: AnalysisOptions,
    power_windows_s: tuple[int, ...] = POWER_WINDOWS_S, summarise: bool = False,
    spill: Slot | None = None,
) -> _Outcome:
    """First pass: the :class:`DatedBests` of every session of one file; never raises.

    With ``summarise``, a file none of whose sessions uses the history thresholds (a
    lifting-app export: :func:`~lactlog.analysis.session.uses_history`) is also summarised from
    this read, as the second pass would (3,605 Strong workouts: one read of 0.2 s, not two);
    the activities of any other file go to ``spill`` for the second pass (:mod:`lactlog.spill`).
    """
    from lactlog.analysis.session import summarize_all, uses_history

    summaries: list[tuple[Any, ...]] = []

    def work() -> tuple[Any, ...]:
        activities = read_activities(path, decoder, options)
        if summarise and activities and not any(map(uses_history, activities)):
            summaries.append(tuple(summarize_all(activities, options)))
        elif spill is not None:
            spill.save(activities)
        return tuple(dated_bests(a, options, power_windows_s) for a in activities)

    outcome = _guard(work)
    return replace(outcome, summaries=summaries[0]) if summaries and outcome.error is None \
        else outcome


def analyse_file(
    path: Path, decoder: str, options: AnalysisOptions, history: FileHistory | None = None,
    spill: Slot | None = None,
) -> _Outcome:
    """Read and summarise one file (``history``: per session index, see
    :func:`summarize`; the activities come from the first pass's ``spill`` when it holds
    them); never raises (errors become the outcome)."""
    from lactlog.analysis.session import summarize_all

    history = history or {}

    def work() -> tuple[Any, ...]:
        activities = (spill.load() if spill is not None else None) \
            or read_activities(path, decoder, options)
        return tuple(summarize_all(activities, options, history))

    return _guard(work)


def _guard(work: Callable[[], tuple[Any, ...]]) -> _Outcome:
    """Run one file's work; LactlogError -> a cacheable error, anything else -> internal error."""
    try:
        return _Outcome(work())
    except LactlogError as exc:
        return _Outcome(error=str(exc))
    except Exception as exc:  # noqa: BLE001 — a bug in lactlog: report it, keep going, no cache
        message = internal_error_message(exc)
        return _Outcome(error=message, detail=traceback.format_exc(), cacheable=False)


def analyse_paths(
    paths: Iterable[str | Path],
    decoder: str = "lactlog",
    on_file: Callable[[Path], None] | None = None,
    options: AnalysisOptions | None = None,
    cache: ResultCache | NullCache | None = None,
    jobs: int | None = None,
    merge: bool = True,
) -> BatchResult:
    """Summarise every supported file under ``paths`` (folders are searched recursively).

    ``cache`` (default: none) skips files analysed before with the same content, lactlog version
    and analysis options; ``jobs`` worker processes (default: number of CPUs) analyse the rest.
    ``on_file`` is called after each file in each of the two passes (for progress display:
    2 calls per file). With ``merge``, a lifting-app
    workout and a watch strength session of the same training become one session
    (:func:`merge_strength_sessions`).
    """
    options = options or AnalysisOptions()
    cache = cache or NullCache()
    fingerprint = options_fingerprint(options, decoder)
    result = BatchResult()
    files = find_inputs([Path(p) for p in paths], warnings=result.warnings)
    piped = read_pipes(files, options)
    keys = _first_pass_keys(files, decoder, options, cache, piped)
    inputs = None  # the batch's fingerprint, when every file has a cache key
    every_key = [key for key in map(keys.get, files) if key is not None]
    if len(every_key) == len(files):
        inputs = batch_fingerprint(fingerprint, every_key)
        if _from_record(result, files, every_key, inputs, cache, on_file):
            return _finish(result, cache, merge, options, decoder, files, piped)
    from lactlog.spill import spill_slots

    with spill_slots(len(files), cache.folder()) as slots, worker_pool() as workers:
        _both_passes(result, files, piped, keys, (fingerprint, inputs), decoder, options, cache,
                     (jobs, workers), on_file, dict(zip(files, slots)))
    return _finish(result, cache, merge, options, decoder, files, piped)


def _both_passes(
    result: BatchResult, files: list[Path], piped: Mapping[Path, RawInput | _Outcome],
    keys: Mapping[Path, CacheKey | None], fingerprints: tuple[str, str | None], decoder: str,
    options: AnalysisOptions, cache: ResultCache | NullCache, pool: tuple[int | None, Workers],
    on_file: Callable[[Path], None] | None, spill: Mapping[Path, Slot],
) -> None:
    """The batch's first pass, history and second pass (:func:`analyse_paths`), collected
    into ``result``; then the batch record when every outcome was cached.

    ``keys``: the files' first-pass keys; ``fingerprints``: the options' and the batch's
    (None when some file has no key: no record); ``pool``: the number of worker processes
    and the :class:`Workers` both passes share; ``spill``: each file's slot for its
    first-pass activities (:mod:`lactlog.spill`).
    """
    from lactlog.analysis.history import history_by_session, history_rules

    fingerprint, inputs = fingerprints
    jobs, workers = pool
    bests, keys = _first_pass(files, decoder, options, cache, jobs, on_file=on_file,
                              piped=piped, summarise=True, keys=keys, spill=spill,
                              workers=workers)
    histories = history_by_session(
        (b for found in bests.values() if found.error is None for b in found.sessions),
        history_rules(options.settings),
    )
    pending: list[tuple[Path, CacheKey | None, dict[int, HistoryThresholds]]] = []
    to_store: list[tuple[CacheKey, CachedResult]] = []
    #: For the batch record: per file, the key of the row of its outcome, and whether that is
    #: its first-pass row; None once a file has no cacheable outcome (no record then).
    record: dict[Path, tuple[CacheKey, bool]] | None = {} if inputs is not None else None
    for path in files:
        if bests[path].error is not None:  # unreadable: the first pass said why
            _collect(result, path, bests[path])
            first_key = keys[path]
            if record is not None and first_key is not None and bests[path].cacheable:
                record[path] = (first_key, True)
            else:
                record = None
            if on_file is not None:
                on_file(path)
            continue
        file_history = {b.bests.session.session_index: histories[_ref(b)]
                        for b in bests[path].sessions if _ref(b) in histories}
        key = keys[path]
        if key is not None:
            key = replace(key, fingerprint=history_fingerprint(
                fingerprint + input_stamp(path), file_history))
            if record is not None:
                record[path] = (key, False)
        summaries = bests[path].summaries
        if summaries is not None:  # made by the first pass: no history needed
            _collect(result, path, _Outcome(summaries))
            if key is not None:
                to_store.append((key, CachedResult(summaries, None)))
            if on_file is not None:
                on_file(path)
            continue
        cached = cache.get(key, SessionSummary) if key is not None else None
        if cached is None:
            pending.append((path, key, file_history))
            continue
        result.cache_hits += 1
        _collect(result, path, _Outcome(cached.sessions, cached.error))
        if on_file is not None:
            on_file(path)
    tasks = [(piped.get(p, p), h, spill.get(p)) for p, _, h in pending]
    outcomes = _analyse_all(analyse_file, tasks, decoder, options, jobs, workers)
    for (path, key, _), outcome in zip(pending, outcomes, strict=True):
        _collect(result, path, outcome)
        if key is not None and outcome.cacheable:
            to_store.append((key, CachedResult(outcome.sessions, outcome.error)))
            if len(to_store) >= _CACHE_BATCH:
                cache.put_many(to_store)
                to_store = []
        elif not outcome.cacheable:
            record = None
        if on_file is not None:
            on_file(path)
    cache.put_many(to_store)
    if inputs is not None and record is not None:  # written last: after every row it names
        cache.put_batch(inputs, [record[path] for path in files])


def _first_pass_keys(
    files: list[Path], decoder: str, options: AnalysisOptions, cache: ResultCache | NullCache,
    piped: Mapping[Path, RawInput | _Outcome], power_windows_s: tuple[int, ...] = POWER_WINDOWS_S,
) -> dict[Path, CacheKey | None]:
    """Each file's first-pass cache key (None for pipes, which are not cached, and for files
    that cannot be keyed: :meth:`~lactlog.cache.ResultCache.key_for`)."""
    windows = tuple(sorted(set(power_windows_s)))
    fingerprint = bests_fingerprint(options, decoder, windows)
    max_file_bytes = int(options.settings.max_file_mb * 2**20)
    keyed = [path for path in files if path not in piped]
    keys: dict[Path, CacheKey | None] = dict.fromkeys(files)
    keys.update(zip(keyed, cache.keys_for(keyed, fingerprint, max_file_bytes)))
    return keys


def _from_record(
    result: BatchResult, files: list[Path], keys: list[CacheKey], inputs: str,
    cache: ResultCache | NullCache, on_file: Callable[[Path], None] | None,
) -> bool:
    """Fill ``result`` with every file's outcome by the batch record of ``inputs``
    (:meth:`~lactlog.cache.ResultCache.get_batch`; ``keys``: the files' first-pass keys), as
    the two passes would give it from the cache; False, leaving ``result`` as it was, when
    there is no record or any row it names is missing or invalid (the two passes then run).
    A row is looked up by the file's current sha256, size and source, so a record can only
    ever lead to rows of the files as they are now."""
    record = cache.get_batch(inputs, len(files))
    if record is None:
        return False
    final = [key if fingerprint is None else replace(key, fingerprint=fingerprint)
             for key, fingerprint in zip(keys, record)]
    found = cache.get_many(final, SessionSummary)
    # a first-pass row must hold the error the file failed with
    if any(cached is None or (fingerprint is None and cached.error is None)
           for cached, fingerprint in zip(found, record)):
        return False
    for path, fingerprint, cached in zip(files, record, found):
        assert cached is not None
        if fingerprint is not None:
            result.cache_hits += 1  # as a second-pass hit counts
        _collect(result, path, _Outcome(cached.sessions, cached.error))
        if on_file is not None:  # once per pass
            on_file(path)
            on_file(path)
    return True


def _finish(
    result: BatchResult, cache: ResultCache | NullCache, merge: bool, options: AnalysisOptions,
    decoder: str, files: list[Path], piped: Mapping[Path, RawInput | _Outcome],
) -> BatchResult:
    """The cache's warnings, the strength merge and the order by start time."""
    result.warnings.extend(cache.warnings)
    if merge:
        merge_strength_sessions(result, options, decoder, files, piped)
    result.sessions.sort(key=_start_key)
    return result


def _ref(dated: DatedBests) -> tuple[str, int]:
    return (dated.bests.session.source, dated.bests.session.session_index)


def _first_pass(
    files: list[Path], decoder: str, options: AnalysisOptions,
    cache: ResultCache | NullCache, jobs: int | None,
    power_windows_s: tuple[int, ...] = POWER_WINDOWS_S,
    on_file: Callable[[Path], None] | None = None,
    piped: Mapping[Path, RawInput | _Outcome] | None = None,
    summarise: bool = False,
    keys: Mapping[Path, CacheKey | None] | None = None,
    spill: Mapping[Path, Slot] | None = None,
    workers: Workers | None = None,
) -> tuple[dict[Path, _Outcome], dict[Path, CacheKey | None]]:
    """Best efforts of every file's sessions (cached by content) and each file's cache key
    (None for pipes: ``piped``, from :func:`read_pipes`; ``keys``: from
    :func:`_first_pass_keys`, when already known); ``summarise`` and ``spill`` (a slot per
    file): see :func:`bests_file`; ``workers``: see :func:`_analyse_all`."""
    windows = tuple(sorted(set(power_windows_s)))
    piped = piped if piped is not None else read_pipes(files, options)
    keys = dict(keys) if keys is not None else _first_pass_keys(
        files, decoder, options, cache, piped, windows)
    found: dict[Path, _Outcome] = {}
    pending: list[Path] = []
    cached_bests = cache.get_many([k for k in keys.values() if k is not None], DatedBests)
    by_key = dict(zip((k for k in keys.values() if k is not None), cached_bests))
    for path in files:
        entry = piped.get(path)
        if isinstance(entry, _Outcome):  # a pipe that could not be read
            found[path] = entry
            if on_file is not None:
                on_file(path)
            continue
        key = keys[path]
        cached = by_key.get(key) if key is not None else None
        if cached is None:
            pending.append(path)
        else:
            found[path] = _Outcome(cached.sessions, cached.error)
            if on_file is not None:
                on_file(path)
    to_store: list[tuple[CacheKey, CachedResult]] = []
    tasks = [(piped.get(p, p), windows, summarise, (spill or {}).get(p)) for p in pending]
    outcomes = _analyse_all(bests_file, tasks, decoder, options, jobs, workers)
    for path, outcome in zip(pending, outcomes, strict=True):
        found[path] = outcome
        if on_file is not None:
            on_file(path)
        key = keys[path]
        if key is not None and outcome.cacheable:
            to_store.append((key, CachedResult(outcome.sessions, outcome.error)))
            if len(to_store) >= _CACHE_BATCH:
                cache.put_many(to_store)
                to_store = []
    cache.put_many(to_store)
    return found, keys


def history_bests(
    paths: Iterable[str | Path], decoder: str = "lactlog", options: AnalysisOptions | None = None,
    cache: ResultCache | NullCache | None = None, jobs: int | None = None,
    power_windows_s: tuple[int, ...] = POWER_WINDOWS_S,
    on_file: Callable[[Path], None] | None = None,
) -> tuple[list[DatedBests], list[FileError]]:
    """Best efforts of every session under ``paths`` — the batch's first pass (same cache,
    limits and process pool) — and the files that could not be read."""
    options = options or AnalysisOptions()
    files = find_inputs([Path(p) for p in paths])
    found, _ = _first_pass(files, decoder, options, cache or NullCache(), jobs, power_windows_s,
                           on_file)
    dated: list[DatedBests] = []
    errors: list[FileError] = []
    for path in files:
        outcome = found[path]
        if outcome.error is not None:
            errors.append(FileError(str(path), outcome.error, outcome.detail))
        else:
            dated.extend(outcome.sessions)
    return dated, errors


def history_of(
    activities: Iterable, options: AnalysisOptions, paths: Iterable[str | Path] = (),
    decoder: str = "lactlog", cache: ResultCache | NullCache | None = None,
    jobs: int | None = None,
) -> tuple[dict[tuple[str, int], HistoryThresholds], list[FileError]]:
    """History thresholds of ``activities`` (already read, e.g. by ``show``), with the
    sessions under ``paths`` as further history; files that fail there become errors."""
    dated = [dated_bests(a, options) for a in activities]
    own = {_ref(d) for d in dated}
    errors: list[FileError] = []
    paths = list(paths)
    if paths:
        more, errors = history_bests(paths, decoder, options, cache, jobs)
        dated.extend(more)
    unique = {_ref(d): d for d in dated}  # a file given both ways counts once
    from lactlog.analysis.history import history_by_session, history_rules

    histories = history_by_session(unique.values(), history_rules(options.settings))
    return {ref: h for ref, h in histories.items() if ref in own}, errors


def merge_strength_sessions(
    result: BatchResult, options: AnalysisOptions, decoder: str,
    files: Iterable[str | Path] | None = None,
    piped: Mapping[Path, RawInput | _Outcome] | None = None,
) -> None:
    """Replace each (watch strength session, app workout) pair by one merged session.

    Summaries do not keep sets, so the few files involved — FIT strength sessions and lifting-app
    exports, and only when both kinds are present — are read again (within the settings' size
    limits) and paired with :func:`~lactlog.analysis.merge.strength_pairs` (app wall-clock times
    converted with the profile's time zone, else the watch file's UTC offset). Only files of the
    batch (``files``, when given) are read again, whatever a summary names (a pipe's content
    comes from ``piped``); one that cannot be read again stays unmerged, with a warning.
    """
    batch = None if files is None else {str(f) for f in files}
    sessions = [s for s in result.sessions if batch is None or s.source in batch]
    watch_files = {s.source for s in sessions if s.format == "fit" and s.strength}
    app_files = {s.source for s in sessions if s.product in APP_PRODUCTS}
    if not watch_files or not app_files:
        return
    from lactlog.analysis.merge import merge_strength, strength_pairs
    from lactlog.analysis.session import summarize

    activities = []
    for name in sorted(watch_files | app_files):
        try:
            content = (piped or {}).get(Path(name), Path(name))
            if isinstance(content, _Outcome):
                continue
            activities.extend(read_activities(content, decoder, options))
        except LactlogError as exc:  # changed or removed since the first read
            result.warnings.append(f"{name}: not merged, cannot be read again ({exc})")
    zone = options.profile.timezone
    pairs = strength_pairs(
        activities, options.settings.merge_tolerance_s, lambda app: app_offset_s(app, zone)
    )
    replaced: set[tuple[str, int]] = set()
    merged_summaries = []
    for w, a in pairs:
        watch, app = activities[w], activities[a]
        offset = app_offset_s(app, zone)
        merged = merge_strength(watch, app, watch.meta.utc_offset_s if offset is None else offset)
        merged_summaries.append(summarize(merged.activity, options))
        replaced |= {(m.source, m.session_index) for m in (watch.meta, app.meta)}
        result.merged.append((watch.meta.source, f"{app.meta.source} #{app.meta.session_index + 1}"))
    result.sessions = [
        s for s in result.sessions if (s.source, s.session_index) not in replaced
    ] + merged_summaries


def app_offset_s(app, timezone_name: str | None) -> int | None:
    """UTC offset of an app workout's wall-clock start in the profile's time zone (None: unknown),
    by :func:`lactlog.localtime.to_local`."""
    if timezone_name is None or app.meta.start is None:
        return None
    from lactlog.localtime import to_local

    offset = to_local(app.meta.start, timezone_name, wall_clock=True).utcoffset()
    return None if offset is None else int(offset.total_seconds())


def _collect(result: BatchResult, path: Path, outcome: _Outcome) -> None:
    if outcome.error is not None:
        result.errors.append(FileError(str(path), outcome.error, outcome.detail))
    result.sessions.extend(outcome.sessions)


class Workers:
    """The worker processes of one batch, shared by its passes: started when a pass first
    hands them files (a warm batch never does), so the second pass finds them with the readers
    and the analysis imported; ended by :func:`worker_pool`."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._size = 0

    def pool(self, size: int) -> ProcessPoolExecutor:
        """A pool of at least ``size`` processes (a smaller one is ended and replaced)."""
        if self._pool is not None and self._size < size:
            self.close()
        if self._pool is None:
            from concurrent.futures import ProcessPoolExecutor  # not for a warm batch

            self._pool = ProcessPoolExecutor(max_workers=size, initializer=_worker_init)
            self._size = size
        return self._pool

    def stop(self) -> None:
        """End the workers now, without waiting for their files (Ctrl-C, a dead worker)."""
        if self._pool is not None:
            _stop(self._pool)
            self._pool = None

    def close(self) -> None:
        """End the (idle) workers."""
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None


@contextmanager
def worker_pool() -> Iterator[Workers]:
    """:class:`Workers` for the passes of one batch, ended when it ends (at once on an error
    or Ctrl-C)."""
    workers = Workers()
    try:
        yield workers
    except BaseException:
        workers.stop()
        raise
    finally:
        workers.close()


def _analyse_all(
    worker: Callable[..., _Outcome], tasks: list[tuple], decoder: str, options: AnalysisOptions,
    jobs: int | None, workers: Workers | None = None,
) -> Iterator[_Outcome]:
    """``worker(path, decoder, options, *rest)`` for each task ``(path, *rest)``, in the
    order of ``tasks``; in worker processes when that pays off (those of ``workers``, else
    ones of this call's own)."""
    n_workers = min(jobs or os.cpu_count() or 1, len(tasks))
    if n_workers <= 1 or len(tasks) < 4:
        yield from _analyse_chunk(worker, tasks, decoder, options)
        return
    if workers is None:
        with worker_pool() as own:
            yield from _analyse_all(worker, tasks, decoder, options, jobs, own)
        return
    from concurrent.futures.process import BrokenProcessPool

    chunksize = max(1, min(16, len(tasks) // (n_workers * 8)))
    chunks = [tasks[i : i + chunksize] for i in range(0, len(tasks), chunksize)]
    pool = workers.pool(n_workers)
    # submit + result rather than pool.map: map cancels its futures itself when interrupted,
    # which races with the pool's own clean-up (CPython 3.11 then prints InvalidStateError
    # from the pool's manager thread once the workers are stopped).
    futures = [pool.submit(_analyse_chunk, worker, chunk, decoder, options) for chunk in chunks]
    try:
        for index, future in enumerate(futures):
            try:
                yield from future.result()
            except BrokenProcessPool:  # a worker died (e.g. killed for using too much memory)
                workers.stop()
                yield from _worker_died(chunks[index])
                for chunk in chunks[index + 1 :]:  # the rest in this process, one by one
                    yield from _analyse_chunk(worker, chunk, decoder, options)
                return
    except BaseException:  # Ctrl-C, or the caller stopped early: end the workers now
        workers.stop()
        raise


def _worker_died(paths: list[tuple]) -> Iterator[_Outcome]:
    """Outcomes for the files a dead worker was analysing (which one killed it is unknown)."""
    message = ("the worker process analysing this file (or one of the "
               f"{len(paths)} files handed to it together) died — out of memory?")
    for _ in paths:
        yield _Outcome(error=message, cacheable=False)


def _analyse_chunk(
    worker: Callable[..., _Outcome], tasks: list[tuple], decoder: str, options: AnalysisOptions
) -> list[_Outcome]:
    return [worker(task[0], decoder, options, *task[1:]) for task in tasks]


def _worker_init() -> None:
    """Worker initializer: ignore SIGINT, and end with the parent.

    Ctrl-C in a terminal signals the whole process group; workers that took it would each die
    with a KeyboardInterrupt traceback on stderr. The parent alone handles it and ends them.
    A parent killed outright (``kill -9``, out of memory) ends nothing: its idle workers would
    wait on their queue for ever (they hold its other end), so a thread in each watches the
    parent and exits the worker within :data:`PARENT_POLL_S` of its death (``getppid``
    changes: portable, unlike Linux's ``PR_SET_PDEATHSIG``, which also fires when the thread
    that started the worker ends).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()
    threading.Thread(target=_exit_with_parent, args=(parent,), name="lactlog-parent-watch",
                     daemon=True).start()


#: How often a worker checks that the process that started it is alive [s].
PARENT_POLL_S = 0.5


def _exit_with_parent(parent: int) -> None:
    while True:
        time.sleep(PARENT_POLL_S)
        if os.getppid() != parent:
            os._exit(1)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Cancel queued work and end the running workers without waiting for their files."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:  # a worker may be busy with a large file for seconds
        if process.is_alive():
            process.terminate()


def _start_key(summary: SessionSummary) -> tuple:
    start = summary.start.timestamp() if summary.start is not None else float("inf")
    return (start, summary.source, summary.session_index)
