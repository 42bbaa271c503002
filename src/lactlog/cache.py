"""Result cache: re-running over unchanged files does no decoding.

One SQLite file, ``<user cache dir>/lactlog/results.sqlite`` (platformdirs), or
``$LACTLOG_CACHE_DIR/results.sqlite``. Two tables do the work:

- ``file_hashes``: absolute path + (size, mtime, ctime, inode) -> sha256, so a warm run only
  ``stat``\\ s its inputs. A changed stat re-hashes; so does a file modified less than
  :data:`RACY_WINDOW_NS` before it was hashed (a same-size rewrite within one timestamp tick
  would otherwise go unnoticed).
- ``results``: (sha256, size, options fingerprint, source, :data:`ANALYSIS_VERSION`, lactlog
  version and a stamp of its installed sources) -> the file's session summaries, or the message
  of the error it failed with. ``source``
  (the path as given to ``read``) is part of the key because the summaries carry it and because
  the file name matters to the readers (format check, CSV start time from the name).
- ``batches``: a fingerprint of one whole batch's inputs (:func:`batch_fingerprint`: every
  file's first-pass key, in order, and the options) -> which ``results`` row holds each file's
  final outcome (:meth:`ResultCache.get_batch`). A batch's second-pass keys depend on every
  file of the batch (the history thresholds); with unchanged inputs this one row replaces
  loading every file's best efforts and recomputing the history. It only points at rows, is
  written after them, and only when they are all there (:meth:`ResultCache.put_batch`); the
  newest :data:`MAX_BATCHES` are kept.

Trust: summaries are stored as JSON of lactlog's result dataclasses (:mod:`lactlog.cache_format`),
typed by the dataclasses' annotations and an allow-list of two root types, never by the data:
loading a row imports nothing and runs nothing. A row that fails validation (damaged, foreign,
of another type than asked for, summaries naming another file than its key, too large) is a miss:
the file is analysed again and the row replaced, never an error. Still, do not point
``LACTLOG_CACHE_DIR`` at a folder others can write to.

Robustness: WAL journal and a busy timeout, so concurrent lactlog processes wait for each other;
every write is one transaction; a cache of another schema version is rebuilt; a file at the
cache path that is not lactlog's cache (not SQLite, damaged, another application's database) is
moved aside and replaced, with a message in :attr:`ResultCache.warnings`; when the cache cannot
be written, :meth:`ResultCache.open` returns a :class:`NullCache` (and says why). Input files are
only ever stat-ed and read.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from functools import cache
from pathlib import Path
from stat import S_ISREG
from typing import Any, Self

from lactlog.analysis.options import AnalysisOptions
from lactlog.cache_format import MAX_ROW_BYTES
from lactlog.jsonsafe import clean

#: Bump when a change to reading or analysis changes any summary (invalidates cached results).
ANALYSIS_VERSION = 1
#: Bump when the tables or the row format change; a cache of another schema version (newer or
#: older) is dropped and rebuilt. 2: JSON rows (:mod:`lactlog.cache_format`) instead of pickle.
#: 3: the ``batches`` table.
SCHEMA_VERSION = 3
#: SQLite's result code for "database or disk is full".
_SQLITE_FULL = 13
#: Longest cached error message [characters]; a longer stored one is a miss.
MAX_ERROR_CHARS = 4_000
#: SQLite ``application_id`` marking the file as lactlog's cache ("LLOG").
APPLICATION_ID = 0x4C4C4F47
FILE_NAME = "results.sqlite"
BUSY_TIMEOUT_S = 5.0
#: A file modified this close to the moment it was hashed is re-hashed next time [ns].
RACY_WINDOW_NS = 2_000_000_000

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE file_hashes (
    path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    ctime_ns INTEGER NOT NULL, inode INTEGER NOT NULL, sha256 TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE results (
    sha256 TEXT NOT NULL, size INTEGER NOT NULL, fingerprint TEXT NOT NULL, source TEXT NOT NULL,
    analysis_version INTEGER NOT NULL, lactlog_version TEXT NOT NULL,
    error TEXT, sessions BLOB, created_ns INTEGER NOT NULL,
    PRIMARY KEY (sha256, size, fingerprint, source, analysis_version, lactlog_version)
) WITHOUT ROWID;
CREATE TABLE batches (
    inputs TEXT NOT NULL, analysis_version INTEGER NOT NULL, lactlog_version TEXT NOT NULL,
    outcomes TEXT NOT NULL, created_ns INTEGER NOT NULL,
    PRIMARY KEY (inputs, analysis_version, lactlog_version)
) WITHOUT ROWID;
"""
#: Batch records kept (the newest; each is about 70 bytes per file of its batch).
MAX_BATCHES = 32
#: Keys per query when many rows are fetched at once (6 parameters each; SQLite allows 32,766).
_KEYS_PER_QUERY = 500
#: The sessions column when it is a blob of at most ``?`` bytes, else NULL (a miss): length()
#: of a blob reads no content, so an oversized planted row costs nothing to refuse.
_BOUNDED_SESSIONS = "CASE WHEN typeof(sessions) = 'blob' AND length(sessions) <= ? THEN sessions END"
_KEY_WHERE = (
    "sha256 = ? AND size = ? AND fingerprint = ? AND source = ? "
    "AND analysis_version = ? AND lactlog_version = ?"
)
#: Rows ``r`` of ``results`` joined to a table ``k`` of (sha256, size, fingerprint, source)
#: values, then the versions: SQLite looks each up by primary key.
_JOIN_ON = (
    "r.sha256 = k.column1 AND r.size = k.column2 AND r.fingerprint = k.column3 "
    "AND r.source = k.column4 AND r.analysis_version = ? AND r.lactlog_version = ?"
)


@dataclasses.dataclass(frozen=True)
class CacheKey:
    """What a cached result is valid for (see the module docstring)."""

    source: str
    sha256: str
    size: int
    fingerprint: str


@dataclasses.dataclass(frozen=True)
class CachedResult:
    """A file's session summaries, or the message of the error it failed with.

    Store errors only for what the file itself causes (a :class:`~lactlog.errors.LactlogError`
    from reading a file that could be hashed), not internal errors or transient ones.
    """

    sessions: tuple[Any, ...] = ()
    error: str | None = None


class _Unusable(Exception):
    """The file at the cache path is not (a healthy) lactlog cache."""


def default_path() -> Path:
    """``$LACTLOG_CACHE_DIR/results.sqlite``, else in the user cache dir (platformdirs)."""
    folder = os.environ.get("LACTLOG_CACHE_DIR")
    if not folder:
        from platformdirs import user_cache_dir

        folder = user_cache_dir("lactlog")
    return Path(folder) / FILE_NAME


def read_info(path: Path | None = None) -> tuple[dict[str, Any], list[str]]:
    """(what the cache holds, warnings) without creating anything: a cache file that does not
    exist reads as empty (``exists`` False) and stays absent. See :meth:`ResultCache.info`."""
    path = Path(path) if path is not None else default_path()
    if not path.exists():
        empty = {"path": str(path), "exists": False, "entries": 0, "files": 0, "versions": [],
                 "size_bytes": 0, "schema_version": SCHEMA_VERSION,
                 "analysis_version": ANALYSIS_VERSION, "lactlog_version": lactlog_version()}
        return empty, []
    with ResultCache.open(path) as cache:
        info = {**cache.info(), "path": str(path), "exists": not isinstance(cache, NullCache)}
        return info, list(cache.warnings)


def options_fingerprint(options: AnalysisOptions | None = None, decoder: str = "lactlog") -> str:
    """Stable hash of everything besides the file that shapes a summary: the resolved settings,
    the flags, the profile's thresholds, sex and time zone, and the FIT decoder (sorted JSON).
    The profile's path, and settings the profile merely repeats at their default, do not count.
    """
    options = options or AnalysisOptions()
    profile = options.profile
    document = {
        "settings": dataclasses.asdict(options.settings),
        "flags": dict(options.flags),
        "sex": profile.sex,
        "timezone": profile.timezone,
        "thresholds": {
            group: {str(since): values for since, values in entries.items()}
            for group, entries in profile.thresholds.items()
        },
        "decoder": decoder,
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), default=_json_default)
    return hashlib.sha256(text.encode()).hexdigest()


def bests_fingerprint(
    options: AnalysisOptions | None = None, decoder: str = "lactlog",
    power_windows_s: tuple[int, ...] = (),
) -> str:
    """Fingerprint of the first batch pass (best efforts and local dates of a file's sessions):
    the settings (cleaning, limits), the profile's time zone, the decoder and the power windows
    [s]. Thresholds and flags do not shape best efforts, so changing them keeps these entries."""
    options = options or AnalysisOptions()
    document = {
        "pass": "bests",
        "settings": dataclasses.asdict(options.settings),
        "timezone": options.profile.timezone,
        "decoder": decoder,
        "power_windows_s": list(power_windows_s),
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), default=_json_default)
    return hashlib.sha256(text.encode()).hexdigest()


def history_fingerprint(fingerprint: str, history: dict[int, Any]) -> str:
    """:func:`options_fingerprint` extended by the history thresholds a file's sessions got
    (session index -> :class:`~lactlog.analysis.history.HistoryThresholds`): a summary is
    reused only with exactly the history it was computed with. No history: ``fingerprint``."""
    if not history:
        return fingerprint
    document = {str(i): clean(h) for i, h in sorted(history.items())}  # no asdict deep copy
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), default=_json_default)
    return hashlib.sha256(f"{fingerprint}:{text}".encode()).hexdigest()


def batch_fingerprint(fingerprint: str, keys: Iterable[CacheKey]) -> str:
    """Fingerprint of a batch's inputs: :func:`options_fingerprint` (``fingerprint``) and every
    file's first-pass key (source, sha256, size, :func:`bests_fingerprint` + input stamp), in
    the batch's order. Equal fingerprints mean equal first-pass results for every file, hence
    the same history thresholds and the same second-pass keys (:meth:`ResultCache.get_batch`).
    """
    document = [fingerprint, *([k.source, k.sha256, k.size, k.fingerprint] for k in keys)]
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _json_default(value: Any) -> str:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return f"{type(value).__name__}:{value!r}"


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in chunks (the file is only read)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@cache
def lactlog_version() -> str:
    """``lactlog.__version__`` plus a stamp of the installed sources (name, size, mtime of every
    module), so an edited checkout never serves results of the code before the edit."""
    import lactlog

    root = Path(lactlog.__file__).parent
    stamp = hashlib.sha256()
    for module in sorted(root.rglob("*.py")):
        info = module.stat()
        stamp.update(f"{module.relative_to(root)}:{info.st_size}:{info.st_mtime_ns};".encode())
    return f"{lactlog.__version__}+src.{stamp.hexdigest()[:12]}"


def _load_sessions(blob: Any, key: CacheKey, kind: type | None = None) -> tuple[Any, ...] | None:
    """The items of a stored row; None when it is damaged, foreign, of another type than
    ``kind``, or holds results of another file than ``key``'s (see :mod:`lactlog.cache_format`)."""
    from lactlog.cache_format import RowError, decode

    try:
        items = decode(blob)
    except RowError:
        return None
    if kind is not None and any(type(item) is not kind for item in items):
        return None
    return items if _belongs_to(items, key) else None


def _cached_result(error: Any, blob: Any, key: CacheKey, kind: type | None) -> CachedResult | None:
    """A stored row (its ``error`` and bounded ``sessions`` columns) as a result; None when it
    is not a valid one for ``key``."""
    if error is not None:
        ok = type(error) is str and 0 < len(error) <= MAX_ERROR_CHARS
        return CachedResult(error=error) if ok else None
    sessions = _load_sessions(blob, key, kind)
    return None if sessions is None else CachedResult(sessions=sessions)


def _short(key: CacheKey) -> tuple[str, int, str, str]:
    """The key's own columns of a ``results`` row (the versions are the cache's)."""
    return (key.sha256, key.size, key.fingerprint, key.source)


def _belongs_to(items: tuple[Any, ...], key: CacheKey) -> bool:
    """Every item names the key's source (and, for a file, carries its sha256): a row can never
    make lactlog look at another file (the strength merge re-reads the files summaries name)."""
    check_sha256 = _check_sha256(key)
    for item in items:
        ref = getattr(getattr(item, "bests", None), "session", item)  # DatedBests -> SessionRef
        if getattr(ref, "source", None) != key.source:
            return False
        if check_sha256 and getattr(item, "sha256", key.sha256) != key.sha256:
            return False
    return True


class _CacheBase:
    """What :class:`ResultCache` and :class:`NullCache` share."""

    path: Path | None = None

    def __init__(self, warnings: list[str] | None = None) -> None:
        self.warnings: list[str] = list(warnings or [])
        self._archive_hashes: dict[tuple, str] = {}  # zip archives hashed in this run

    def folder(self) -> Path:
        """The cache's folder (the default one for a cache without a file): where a batch keeps
        its temporary files (:mod:`lactlog.spill`), so lactlog writes nowhere else."""
        return (self.path if self.path is not None else default_path()).parent

    def lookup_sha256(self, path: Path, stat: os.stat_result | None = None) -> str | None:
        return None

    def remember_sha256(self, path: Path, sha256: str, stat: os.stat_result | None = None) -> None:
        return None

    def key_for(
        self, path: str | Path, fingerprint: str, max_file_bytes: int | None = None
    ) -> CacheKey | None:
        """The cache key of an input file: stat, then the remembered hash or a fresh one.

        None — nothing opened, nothing hashed — when the file cannot be stat-ed, is not a
        regular file (a pipe, which reading consumes; a device such as ``/dev/zero``, which never
        ends) or is larger than ``max_file_bytes`` (``read`` refuses it by its size); None also
        when it cannot be read. ``read`` reports why. A member of a zip
        (``export.zip:activities/1.fit``) is keyed by its archive's hash and its own name
        (``source``); the archive is hashed once per run.
        """
        path = Path(path)
        return self._key_of(path, _hash_target(path, max_file_bytes), fingerprint)

    def _key_of(
        self, path: Path, found: tuple[Path, Path | None, os.stat_result] | None, fingerprint: str
    ) -> CacheKey | None:
        """:meth:`key_for` of ``path`` once :func:`_hash_target` ``found`` what to hash."""
        if found is None:
            return None
        target, archive, before = found
        try:
            sha256 = self.lookup_sha256(target, before)
            if sha256 is None and archive is not None:
                sha256 = self._archive_hashes.get((str(archive), _stat_key(before)))
            if sha256 is None:
                sha256 = file_sha256(target)
                if _same_file(before, target.stat()):  # not modified while hashing
                    self.remember_sha256(target, sha256, before)
                    if archive is not None:
                        self._archive_hashes[(str(archive), _stat_key(before))] = sha256
        except OSError:
            return None
        return CacheKey(str(path), sha256, before.st_size, fingerprint + input_stamp(path))

    def keys_for(
        self, paths: Iterable[Path], fingerprint: str, max_file_bytes: int | None = None
    ) -> list[CacheKey | None]:
        """:meth:`key_for` of each of ``paths``."""
        return [self.key_for(path, fingerprint, max_file_bytes) for path in paths]

    def get(self, key: CacheKey, kind: type | None = None) -> CachedResult | None:
        return None

    def get_many(
        self, keys: list[CacheKey], kind: type | None = None
    ) -> list[CachedResult | None]:
        """:meth:`get` of each of ``keys``."""
        return [self.get(key, kind) for key in keys]

    def get_batch(self, inputs: str, n_files: int) -> list[str | None] | None:
        """The record of a batch (see :meth:`ResultCache.get_batch`); None: none."""
        return None

    def put_batch(self, inputs: str, outcomes: list[tuple[CacheKey, bool]]) -> bool:
        """Store a batch record (see :meth:`ResultCache.put_batch`); False: not stored."""
        return False

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        return None


def _hash_target(
    path: Path, max_file_bytes: int | None
) -> tuple[Path, Path | None, os.stat_result] | None:
    """What :meth:`NullCache.key_for` hashes for ``path``: (the file — ``path``, or the zip of
    a member —, that zip or None, its ``stat``); None when nothing may be opened: the file
    cannot be stat-ed, is not a regular file, or is larger than ``max_file_bytes``."""
    from lactlog.io.member_path import outer_archive

    archive = outer_archive(path)
    target = path if archive is None else archive
    try:
        before = target.stat()
    except OSError:
        return None
    if not S_ISREG(before.st_mode):
        return None
    if archive is None and max_file_bytes is not None and before.st_size > max_file_bytes:
        return None
    return target, archive, before


def input_stamp(path: Path) -> str:
    """What besides a file's own bytes its result depends on, as text for cache fingerprints.

    For a file in an unpacked Strava export's ``activities/``: the size and mtime of the
    ``activities.csv`` that names and types it, so a re-exported table (an activity renamed
    or re-typed on Strava) is never answered from the cache; ``""`` for any other file. (In a
    zip the table is part of the archive, whose hash is the key already.)"""
    from lactlog.io.exports import strava_table_key
    from lactlog.io.member_path import outer_archive

    if outer_archive(path) is not None:
        return ""
    key = strava_table_key(path.as_posix())
    if key is None:
        return ""
    try:
        stat = Path(key[0]).stat()
    except OSError:
        return ""
    return f":strava-table:{stat.st_size}:{stat.st_mtime_ns}"


class NullCache(_CacheBase):
    """A cache that stores nothing (``--no-cache``, or when the cache cannot be used); it hashes
    nothing either (no keys)."""

    def key_for(
        self, path: str | Path, fingerprint: str, max_file_bytes: int | None = None
    ) -> CacheKey | None:
        return None

    def put(self, key: CacheKey, result: CachedResult) -> bool:
        return False

    def put_many(self, items: Iterable[tuple[CacheKey, CachedResult]]) -> int:
        return 0

    def clear(self, stale_only: bool = False) -> int:
        return 0

    def info(self) -> dict[str, Any]:
        return {"path": None, "entries": 0, "files": 0, "size_bytes": 0, "versions": []}


def _check_sha256(key: CacheKey) -> bool:
    """Whether the sessions of ``key`` carry its sha256: yes for files, no for zip members
    (keyed by their archive's hash; each session carries its member's own)."""
    from lactlog.io.member_path import outer_archive

    return outer_archive(key.source) is None


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return _stat_key(a) == _stat_key(b)


def _stat_key(stat: os.stat_result) -> tuple[int, int, int, int]:
    inode = stat.st_ino - (1 << 64) if stat.st_ino >= (1 << 63) else stat.st_ino  # fits INTEGER
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, inode)


class ResultCache(_CacheBase):
    """The SQLite result cache. Get one with :meth:`open`; use it as a context manager.

    One instance belongs to one thread (a ``sqlite3`` connection); processes may share the file.
    """

    def __init__(self, path: Path, db: sqlite3.Connection, warnings: list[str] | None = None):
        super().__init__(warnings)
        self.path = path
        self._db: sqlite3.Connection | None = db
        self._inode = _inode(path)
        self._version = (ANALYSIS_VERSION, lactlog_version())
        self._full = False  # a write failed with SQLITE_FULL: stop writing, truncate the WAL
        #: file_hashes rows fetched ahead by :meth:`keys_for`: absolute path -> (stat key, sha256)
        self._remembered: dict[str, tuple[tuple[int, int, int, int], str]] = {}

    @classmethod
    def open(cls, path: Path | None = None) -> ResultCache | NullCache:
        """Open (creating, upgrading or replacing as needed) the cache database at ``path``
        (default :func:`default_path`); a :class:`NullCache` with a warning if it is unusable."""
        path = Path(path) if path is not None else default_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            return cls(path, *_connect_or_replace(path))
        except (OSError, sqlite3.Error, _Unusable) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            return NullCache([f"result cache disabled: {path}: {reason}"])

    def lookup_sha256(self, path: Path, stat: os.stat_result | None = None) -> str | None:
        """The remembered sha256 of ``path`` if its size, mtime, ctime and inode are unchanged."""
        try:
            stat = Path(path).stat() if stat is None else stat
        except OSError:
            return None
        absolute = os.path.abspath(path)
        remembered = self._remembered.get(absolute)
        if remembered is not None:
            return remembered[1] if remembered[0] == _stat_key(stat) else None
        row = self._guarded(
            lambda db: db.execute(
                "SELECT size, mtime_ns, ctime_ns, inode, sha256 FROM file_hashes WHERE path = ?",
                (absolute,),
            ).fetchone(),
            None,
        )
        return row[4] if row is not None and tuple(row[:4]) == _stat_key(stat) else None

    def keys_for(
        self, paths: Iterable[Path], fingerprint: str, max_file_bytes: int | None = None
    ) -> list[CacheKey | None]:
        """:meth:`key_for` of each of ``paths``, their remembered hashes fetched with one query
        per :data:`_KEYS_PER_QUERY` files rather than one per file (a query costs about as much
        as the ``stat``; a warm batch does nothing else per file)."""
        paths = [Path(path) for path in paths]
        found = [_hash_target(path, max_file_bytes) for path in paths]
        # only files that may be hashed: a device or an oversized file is refused untouched
        names = sorted({os.path.abspath(target[0]) for target in found if target is not None})

        def fetch(db: sqlite3.Connection) -> dict[str, tuple[tuple[int, int, int, int], str]]:
            found = {}
            for start in range(0, len(names), _KEYS_PER_QUERY):
                chunk = names[start : start + _KEYS_PER_QUERY]
                marks = ", ".join("?" * len(chunk))
                for name, *stat_key, sha256 in db.execute(
                    "SELECT path, size, mtime_ns, ctime_ns, inode, sha256 FROM file_hashes "
                    f"WHERE path IN ({marks})", chunk,
                ):
                    found[name] = (tuple(stat_key), sha256)
            return found

        self._remembered = self._guarded(fetch, {}) if names else {}
        try:
            return [self._key_of(path, target, fingerprint) for path, target in zip(paths, found)]
        finally:
            self._remembered = {}

    def remember_sha256(self, path: Path, sha256: str, stat: os.stat_result | None = None) -> None:
        """Remember the sha256 of ``path`` as it was at ``stat`` (taken before hashing)."""
        try:
            stat = Path(path).stat() if stat is None else stat
        except OSError:
            return
        if time.time_ns() - stat.st_mtime_ns < RACY_WINDOW_NS:
            return  # modified just now: another write within the same timestamp tick is possible
        row = (os.path.abspath(path), *_stat_key(stat), sha256)
        self._write("INSERT OR REPLACE INTO file_hashes VALUES (?, ?, ?, ?, ?, ?)", [row])

    def get(self, key: CacheKey, kind: type | None = None) -> CachedResult | None:
        """The cached result for ``key`` (None on a miss, including unreadable entries and,
        with ``kind``, summaries of another type)."""
        row = self._guarded(
            lambda db: db.execute(
                f"SELECT error, {_BOUNDED_SESSIONS} FROM results WHERE {_KEY_WHERE}",
                (MAX_ROW_BYTES, *self._params(key)),
            ).fetchone(),
            None,
        )
        return None if row is None else _cached_result(row[0], row[1], key, kind)

    def get_many(
        self, keys: list[CacheKey], kind: type | None = None
    ) -> list[CachedResult | None]:
        """:meth:`get` of each of ``keys``, with one query per :data:`_KEYS_PER_QUERY` keys
        (a join with the keys as a table of values, by primary key) rather than one per key;
        each row is loaded as it is read."""
        wanted = {_short(key): key for key in keys}
        distinct = list(wanted.values())

        def fetch(db: sqlite3.Connection) -> dict[tuple, CachedResult | None]:
            found = {}
            for start in range(0, len(distinct), _KEYS_PER_QUERY):
                chunk = distinct[start : start + _KEYS_PER_QUERY]
                values = ", ".join(["(?, ?, ?, ?)"] * len(chunk))
                sql = (f"SELECT r.sha256, r.size, r.fingerprint, r.source, r.error, "
                       f"{_BOUNDED_SESSIONS} FROM (VALUES {values}) AS k "
                       f"JOIN results AS r ON {_JOIN_ON}")
                params = [MAX_ROW_BYTES, *(v for key in chunk for v in _short(key)),
                          *self._version]
                for *short, error, blob in db.execute(sql, params):
                    key = wanted.get(tuple(short))  # equal in SQLite, so in Python too
                    if key is not None:
                        found[_short(key)] = _cached_result(error, blob, key, kind)
            return found

        found = self._guarded(fetch, {})
        return [found.get(_short(key)) for key in keys]

    def get_batch(self, inputs: str, n_files: int) -> list[str | None] | None:
        """The record of the batch whose inputs have the fingerprint ``inputs``
        (:func:`batch_fingerprint`): per file, in the batch's order, the fingerprint of the row
        holding its final summaries (its key is the file's first-pass key with that
        fingerprint), or None for a file that failed in the first pass (its error is in its
        first-pass row). None when there is no valid record of ``n_files`` files."""
        row = self._guarded(
            lambda db: db.execute(
                "SELECT CASE WHEN typeof(outcomes) = 'text' AND length(outcomes) <= ? "
                "THEN outcomes END FROM batches "
                "WHERE inputs = ? AND analysis_version = ? AND lactlog_version = ?",
                (MAX_ROW_BYTES, inputs, *self._version),
            ).fetchone(),
            None,
        )
        if row is None or row[0] is None:
            return None
        try:
            record = json.loads(row[0])
        except (ValueError, RecursionError):
            return None
        if type(record) is not list or len(record) != n_files:
            return None
        if not all(v is None or (type(v) is str and 0 < len(v) <= 1_000) for v in record):
            return None
        return record

    def put_batch(self, inputs: str, outcomes: list[tuple[CacheKey, bool]]) -> bool:
        """Store the record of a batch (see :meth:`get_batch`): per file, the key of the row
        holding its final outcome and whether that is its first-pass row (a file that failed
        there). In one transaction, and only when every one of those rows is in the cache (a
        row may have been refused, or written by no one): a record never points at a missing
        row, and an interrupted batch leaves none. Keeps the newest :data:`MAX_BATCHES`."""
        record = [None if first else key.fingerprint for key, first in outcomes]
        text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
        distinct = list({_short(key): key for key, _ in outcomes}.values())
        if self._full or len(text) > MAX_ROW_BYTES:
            return False

        def write(db: sqlite3.Connection) -> bool:
            with _transaction(db):
                present = 0
                for start in range(0, len(distinct), _KEYS_PER_QUERY):
                    chunk = distinct[start : start + _KEYS_PER_QUERY]
                    values = ", ".join(["(?, ?, ?, ?)"] * len(chunk))
                    params = [*(v for key in chunk for v in _short(key)), *self._version]
                    present += db.execute(f"SELECT count(*) FROM (VALUES {values}) AS k "
                                          f"JOIN results AS r ON {_JOIN_ON}", params).fetchone()[0]
                if present != len(distinct):
                    return False
                db.execute("INSERT OR REPLACE INTO batches VALUES (?, ?, ?, ?, ?)",
                           (inputs, *self._version, text, time.time_ns()))
                db.execute("DELETE FROM batches WHERE created_ns < (SELECT created_ns FROM "
                           "batches ORDER BY created_ns DESC LIMIT 1 OFFSET ?)",
                           (MAX_BATCHES - 1,))
            return True

        return self._guarded(write, False)

    def put(self, key: CacheKey, result: CachedResult) -> bool:
        """Store one result; False when it was not stored."""
        return self.put_many([(key, result)]) == 1

    def put_many(self, items: Iterable[tuple[CacheKey, CachedResult]]) -> int:
        """Store results in one transaction; returns how many were stored.

        Summaries whose ``sha256`` or ``source`` differs from the key's (the file changed between
        hashing and reading), summaries the row format cannot reproduce exactly (a warning says
        so) and error messages over :data:`MAX_ERROR_CHARS` are not stored.
        """
        rows = [row for key, result in items if (row := self._row(key, result)) is not None]
        if not rows:
            return 0
        sql = "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        return len(rows) if self._write(sql, rows) else 0

    def clear(self, stale_only: bool = False) -> int:
        """Delete all entries (or, with ``stale_only``, those of other versions); returns how
        many results were deleted."""

        def wipe(db: sqlite3.Connection) -> int:
            with _transaction(db):
                if stale_only:
                    where = "WHERE analysis_version != ? OR lactlog_version != ?"
                    db.execute(f"DELETE FROM batches {where}", self._version)
                    return db.execute(f"DELETE FROM results {where}", self._version).rowcount
                db.execute("DELETE FROM file_hashes")
                db.execute("DELETE FROM batches")
                return db.execute("DELETE FROM results").rowcount

        removed = self._guarded(wipe, 0)
        try:  # give the space back; skipped while another process uses the cache
            if self._db is not None:
                self._db.execute("VACUUM")
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error:
            pass
        return removed

    def info(self) -> dict[str, Any]:
        """Path, number of results and remembered file hashes, size on disk, versions held."""

        def collect(db: sqlite3.Connection) -> dict[str, Any]:
            count = "SELECT count(*) FROM "
            versions = db.execute(
                "SELECT analysis_version, lactlog_version, count(*) FROM results GROUP BY 1, 2"
            ).fetchall()
            return {
                "entries": db.execute(count + "results").fetchone()[0],
                "files": db.execute(count + "file_hashes").fetchone()[0],
                "versions": [
                    {"analysis_version": a, "lactlog_version": v, "entries": n,
                     "current": (a, v) == self._version}
                    for a, v, n in versions
                ],
            }

        assert self.path is not None
        found = self._guarded(collect, None) or {"entries": 0, "files": 0, "versions": []}
        files = [self.path, Path(f"{self.path}-wal")]
        return {
            "path": str(self.path),
            **found,
            "size_bytes": sum(p.stat().st_size for p in files if p.exists()),
            "schema_version": SCHEMA_VERSION,
            "analysis_version": ANALYSIS_VERSION,
            "lactlog_version": self._version[1],
        }

    def close(self) -> None:
        if self._db is not None:
            if self._full:  # give back what the failed writes left in the WAL
                try:
                    self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                except sqlite3.Error:
                    pass
            self._db.close()
            self._db = None

    def _params(self, key: CacheKey) -> tuple[Any, ...]:
        return (key.sha256, key.size, key.fingerprint, key.source, *self._version)

    def _row(self, key: CacheKey, result: CachedResult) -> tuple[Any, ...] | None:
        if result.error is not None:
            if len(result.error) > MAX_ERROR_CHARS:
                return None
            return (*self._params(key), result.error, None, time.time_ns())
        from lactlog.cache_format import RowError, encode

        try:
            blob = encode(result.sessions)
        except RowError as exc:  # a value the format cannot reproduce exactly, or too large
            self._warn(f"result cache: cannot store the summaries of {key.source} ({exc})")
            return None
        if not _belongs_to(result.sessions, key):  # the file changed between hashing and reading
            return None
        return (*self._params(key), None, blob, time.time_ns())

    def _write(self, sql: str, rows: list[tuple[Any, ...]]) -> bool:
        if self._full:  # the disk was full: no more attempts this run (each costs a rollback)
            return False

        def write(db: sqlite3.Connection) -> bool:
            with _transaction(db):
                db.executemany(sql, rows)
            return True

        return self._guarded(write, False)

    def _guarded(self, operation: Any, default: Any) -> Any:
        """Run ``operation(db)``; a cache problem costs a miss and a warning, never a crash."""
        if self._db is None:
            return default
        try:
            return operation(self._db)
        except sqlite3.OperationalError as exc:  # locked beyond the timeout, disk full, read-only
            if getattr(exc, "sqlite_errorcode", None) == _SQLITE_FULL:
                self._full = True
                self._warn(f"result cache {self.path}: the disk is full; this run's results "
                           "are not cached (lactlog cache clear, or free some space)")
            else:
                self._warn(f"result cache {self.path}: {exc}; went on without it")
            return default
        except sqlite3.DatabaseError as exc:
            if not _is_damage(exc):
                raise  # a programming error in this module, not a problem with the file
            self._recover(exc)
            return default

    def _recover(self, exc: Exception) -> None:
        assert self._db is not None and self.path is not None
        self._db.close()
        self._db = None
        note = ""
        try:
            with _lock(self.path):
                if _inode(self.path) == self._inode:  # not yet replaced by another process
                    note = f"; moved it to {_move_aside(self.path).name}"
                self._db = _connect(self.path)
            self._inode = _inode(self.path)
            self._warn(f"result cache {self.path} is damaged ({exc}){note}; started an empty one")
        except (OSError, sqlite3.Error, _Unusable) as again:
            self._warn(f"result cache {self.path} is damaged ({exc}); went on without it ({again})")

    def _warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)


def _connect_or_replace(path: Path) -> tuple[sqlite3.Connection, list[str]]:
    """Connect; a file that is not a healthy lactlog cache is moved aside and replaced.

    Opening runs under an exclusive file lock: switching a new file to WAL and creating the
    schema cannot be done by two processes at once (SQLite answers "database is locked"
    without waiting), and only one process may replace a damaged file. The lock is held for
    the few milliseconds of opening, not while the cache is used.
    """
    with _lock(path):
        try:
            return _connect(path), []
        except _Unusable as problem:
            warning = f"result cache {path} {problem}; moved it to {_move_aside(path).name} and "
            return _connect(path), [warning + "started anew"]


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    try:
        db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        _check_identity(db)  # before any write: never modify another application's file
        if db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")  # WAL + NORMAL: durable enough, never corrupt
        _ensure_schema(db)
        return db
    except sqlite3.OperationalError:
        db.close()
        raise
    except sqlite3.DatabaseError as exc:
        db.close()
        if not _is_damage(exc):
            raise
        raise _Unusable(f"is damaged or not a database ({exc})") from None
    except _Unusable:
        db.close()
        raise


def _is_damage(exc: sqlite3.DatabaseError) -> bool:
    """SQLITE_CORRUPT and SQLITE_NOTADB arrive as plain DatabaseError (subclasses are others)."""
    return type(exc) is sqlite3.DatabaseError


def _check_identity(db: sqlite3.Connection) -> None:
    if db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID:
        return
    if db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0:
        return  # a new, empty file
    raise _Unusable("is not lactlog's result cache (another application's database?)")


def _schema_version(db: sqlite3.Connection) -> str | None:
    if db.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
        return None
    if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone() is None:
        return None
    row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return row[0] if row else None


def _schema_intact(db: sqlite3.Connection) -> bool:
    """Whether every table of :data:`_SCHEMA` exists exactly as created (a dropped or altered
    table would otherwise keep every later run from using the cache)."""
    expected = {" ".join(statement.split()) for statement in _SCHEMA.split(";") if statement.strip()}
    found = {" ".join(sql.split()) for (sql,) in db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL")}
    return expected == found


def _ensure_schema(db: sqlite3.Connection) -> None:
    """Create the tables, or drop and recreate them when they are of another schema version,
    or are not all there exactly as created (dropped, altered, extra tables)."""
    if _schema_version(db) == str(SCHEMA_VERSION) and _schema_intact(db):
        return
    with _transaction(db):
        if _schema_version(db) == str(SCHEMA_VERSION) and _schema_intact(db):
            return  # another process did it while we waited for the lock
        tables = db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchall()
        for (name,) in tables:
            db.execute(f'DROP TABLE "{name}"')
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                db.execute(statement)
        db.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [("schema_version", str(SCHEMA_VERSION)), ("created_by", lactlog_version())],
        )
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")


@contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE ... COMMIT; rolled back on any error (writes are all or nothing)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


@contextmanager
def _lock(path: Path) -> Iterator[None]:
    """Exclusive lock (POSIX ``flock``) for opening or replacing the cache file; none on Windows,
    where an open file cannot be renamed anyway."""
    try:
        import fcntl
    except ImportError:
        fcntl = None  # type: ignore[assignment]
    if fcntl is None:
        yield
        return
    with open(path.with_name(path.name + ".lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _move_aside(path: Path) -> Path:
    """Rename a broken cache (and its WAL files, first) to ``<name>.broken-<time>-<pid>``."""
    target = path.with_name(f"{path.name}.broken-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}")
    for suffix in ("-wal", "-shm", "-journal", ""):
        source = Path(f"{path}{suffix}")
        if source.exists():
            source.replace(Path(f"{target}{suffix}"))
    return target


def _inode(path: Path) -> int | None:
    try:
        return path.stat().st_ino
    except OSError:
        return None
