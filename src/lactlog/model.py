"""The canonical activity model every reader produces and every analysis consumes.

One :class:`Activity` is one training session. A FIT file with several sessions (multisport)
yields several activities. All quantities are SI units (or the unit named in the column/field
name); times are UTC.

Column conventions of :attr:`Activity.samples` (float64, NaN for missing values):

=================  ====================================
column             meaning [unit]
=================  ====================================
heart_rate_bpm     heart rate [beats/min]
power_w            power [W]
speed_mps          speed [m/s]
cadence_rpm        cadence [rev/min or steps/min as the device records it]
distance_m         cumulative distance [m]
altitude_m         altitude [m]
lat_deg, lon_deg   position [degrees, WGS84]
temperature_c      temperature [°C]
=================  ====================================

:attr:`Activity.rr` holds beat-to-beat intervals where the file has them (FIT ``hrv``
messages): a UTC ``DatetimeIndex`` named ``time`` (the beat, i.e. the end of its interval;
sorted, unique) and column ``rr_s`` (the interval [s], artefacts removed). Formats without
beat data (TCX, GPX, CSV) leave it empty, with that column.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, overload

import numpy as np

from lactlog.summaries import WARN_CLOCK_NOT_SET  # noqa: F401 (re-exported)
from lactlog.table import Table

if TYPE_CHECKING:
    import pandas as pd

SAMPLE_COLUMNS: tuple[str, ...] = (
    "heart_rate_bpm",
    "power_w",
    "speed_mps",
    "cadence_rpm",
    "distance_m",
    "altitude_m",
    "lat_deg",
    "lon_deg",
    "temperature_c",
)

RR_COLUMNS: tuple[str, ...] = ("rr_s",)
PAUSE_COLUMNS: tuple[str, ...] = ("start", "end")
LAP_COLUMNS: tuple[str, ...] = (
    "start",
    "elapsed_s",
    "timer_s",
    "distance_m",
    "avg_heart_rate_bpm",
    "max_heart_rate_bpm",
    "avg_power_w",
)
SET_COLUMNS: tuple[str, ...] = (
    "start",
    "duration_s",
    "set_type",
    "repetitions",
    "weight_kg",
    "exercise_category",
    "exercise_name",
)
#: Further set columns of lifting-app logs (Strong, Hevy, FitNotes; see
#: :mod:`lactlog.io.strength_csv`), kept by a merged watch + app session.
EXTRA_SET_COLUMNS: tuple[str, ...] = (
    "set_order",
    "rpe",
    "app_set_type",
    "notes",
    "distance_m",
    "exercise_title",
    "app_category",
)
#: Every column of a lifting-app sets frame.
STRENGTH_SET_COLUMNS: tuple[str, ...] = SET_COLUMNS + EXTRA_SET_COLUMNS




@dataclass(frozen=True)
class ActivityMeta:
    """Where a session comes from and what it is.

    ``sport`` uses the FIT profile's sport names (``running``, ``cycling``, ``training``,
    ``rowing``, ``swimming``, ``generic`` ...) whatever the input format.
    """

    source: str
    sha256: str
    format: str
    sport: str = "generic"
    sub_sport: str | None = None
    start: datetime | None = None
    utc_offset_s: int | None = None
    manufacturer: str | None = None
    product: str | None = None
    session_index: int = 0
    warnings: tuple[str, ...] = ()
    #: True when the file holds local wall-clock times without an offset (lifting apps, some CSV
    #: exports): ``start`` and the sample times are those wall times stored as if they were UTC
    #: (see :mod:`lactlog.localtime`).
    wall_clock: bool = False
    #: The activity's title where the export has one (Strava's activities.csv, GPX <name>).
    name: str | None = None


@dataclass(frozen=True)
class TimeInZone:
    """One FIT ``time_in_zone`` message: the device's own zone boundaries and times.

    ``hr_zone_high_bpm[i]`` is the upper boundary of zone *i*; there is one more time value than
    boundaries (the last zone is open above).
    """

    reference: str
    reference_index: int | None
    hr_zone_high_bpm: tuple[float, ...] = ()
    time_in_hr_zone_s: tuple[float, ...] = ()
    power_zone_high_w: tuple[float, ...] = ()
    time_in_power_zone_s: tuple[float, ...] = ()
    threshold_heart_rate_bpm: float | None = None
    max_heart_rate_bpm: float | None = None
    resting_heart_rate_bpm: float | None = None
    functional_threshold_power_w: float | None = None


@dataclass(frozen=True)
class DeviceSummary:
    """Values the recording device computed itself, as read from the file (None if absent)."""

    elapsed_s: float | None = None
    timer_s: float | None = None
    distance_m: float | None = None
    avg_heart_rate_bpm: float | None = None
    max_heart_rate_bpm: float | None = None
    avg_power_w: float | None = None
    normalized_power_w: float | None = None
    training_stress_score: float | None = None
    intensity_factor: float | None = None
    threshold_power_w: float | None = None
    threshold_heart_rate_bpm: float | None = None
    functional_threshold_power_w: float | None = None
    max_heart_rate_setting_bpm: float | None = None
    resting_heart_rate_bpm: float | None = None
    aerobic_training_effect: float | None = None
    anaerobic_training_effect: float | None = None
    time_in_zone: tuple[TimeInZone, ...] = ()


def empty_frame(columns: tuple[str, ...]) -> pd.DataFrame:
    """An empty DataFrame with the given float columns (used for absent pauses, laps, sets)."""
    return empty_table(columns).frame()


def active_set_mask(sets: pd.DataFrame) -> np.ndarray:
    """Which rows of a sets frame are active sets, as a bool array: ``set_type`` ``active`` (in
    any case); a missing type is not. The one reading of ``set_type`` (:data:`SET_COLUMNS`)."""
    if "set_type" not in sets.columns:
        return np.zeros(len(sets), dtype=bool)
    types = sets["set_type"].astype("string").str.lower()
    return types.eq("active").fillna(False).to_numpy(dtype=bool)


@cache
def empty_table(columns: tuple[str, ...]) -> Table:
    """An empty :class:`~lactlog.table.Table` of float columns (frames as
    :func:`empty_frame`); one shared table per set of columns (each frame built from it is
    new), so the thousands of workouts of a lifting export cost nothing each."""
    return Table({name: np.empty(0) for name in columns})


@cache
def _empty_samples_table() -> Table:
    return Table({}, index_ns=np.empty(0, dtype=np.int64))


@cache
def _empty_rr_table() -> Table:
    return Table({name: np.empty(0) for name in RR_COLUMNS}, index_ns=np.empty(0, dtype=np.int64))


@dataclass(frozen=True)
class SetRows:
    """Rows ``start:stop`` of a sets table that the workouts of one file share.

    A lifting-app export holds thousands of workouts; slicing a DataFrame per workout costs
    ~0.1 ms each (0.4 s for 3,605 workouts) and putting the slices back together for the set
    arithmetic ~1 s, so the reader hands each workout its rows of the file's one table and the
    slice is only made when :attr:`Activity.sets` is first used (analysis of many workouts of
    one table uses the table itself: :func:`Activity.set_rows`).
    """

    table: pd.DataFrame
    start: int
    stop: int

    def frame(self) -> pd.DataFrame:
        """The rows as their own frame, indexed 0..n-1."""
        import pandas as pd

        rows = self.table.iloc[self.start:self.stop]
        rows.index = pd.RangeIndex(self.stop - self.start)
        return rows


#: What a frame field of :class:`Activity` may be given as besides a DataFrame: numpy columns
#: (a reader's :class:`~lactlog.table.Table`) or a lifting export's :class:`SetRows`.
LazyFrame = Table | SetRows


class _FrameField:
    """A DataFrame field of :class:`Activity` that may be given as a :data:`LazyFrame`, turned
    into a DataFrame on first access (a dataclass field with a descriptor default: the
    constructor's value goes through ``__set__``; None gives the field's empty table).

    Once built, the frame is what the field holds: the analysis reads its arrays through
    :meth:`Activity.table`, so a frame changed in place is never out of step with them.
    :class:`SetRows` stay known (:meth:`Activity.set_rows`): the set analysis of many workouts
    reads their shared table.
    """

    def __init__(self, empty: Callable[[], Table]) -> None:
        self._empty = empty

    def __set_name__(self, owner: type, name: str) -> None:
        self._slot = "_" + name
        self._lazy = "_" + name + "_lazy"

    @overload
    def __get__(self, activity: None, owner: type) -> None: ...
    @overload
    def __get__(self, activity: Activity, owner: type) -> pd.DataFrame: ...

    def __get__(self, activity: Activity | None, owner: type) -> pd.DataFrame | None:
        if activity is None:  # the dataclass asks for the default: the empty table
            return None
        frame = activity.__dict__.get(self._slot)
        if frame is None:
            lazy = activity.__dict__[self._lazy]
            frame = lazy.frame()
            activity.__dict__[self._slot] = frame
            if isinstance(lazy, Table):  # from now on the arrays come from the frame
                activity.__dict__[self._lazy] = None
        return frame

    def __set__(self, activity: Activity, value: pd.DataFrame | LazyFrame | None) -> None:
        if value is None:
            value = self._empty()
        lazy = value if isinstance(value, (Table, SetRows)) else None
        activity.__dict__[self._lazy] = lazy
        activity.__dict__[self._slot] = None if lazy is not None else value


@dataclass(eq=False)
class Activity:
    """One training session in canonical form.

    The five frame fields (``samples``, ``pauses``, ``laps``, ``sets``, ``rr``) read as
    DataFrames; a reader may give them as numpy columns (:class:`~lactlog.table.Table`) or as
    :class:`SetRows`, and the frame is built on first access. The analysis reads the arrays
    with :meth:`table`, so analysing a session needs no pandas (issue 13: importing it costs
    more than reading and analysing a one-hour file).

    Attributes
    ----------
    meta : ActivityMeta
    samples : DataFrame
        UTC ``DatetimeIndex`` named ``time`` (sorted, unique); float columns from
        :data:`SAMPLE_COLUMNS`, only those present.
    pauses : DataFrame
        Time that is not recording, in order of start (may overlap): columns ``start``, ``end``
        (UTC timestamps; ``end`` NaT if open to the end). Timer stops, and in a pool swim with
        FIT ``length`` messages the rest: every stretch of the session that no active length
        covers (idle lengths, before the first and after the last length). Rest at the wall is
        not swimming, and Garmin watches count ``time_in_zone`` only in active lengths (3 pool
        swims of the corpus: 8–18 % of timer time off when rest counted, ≤ 0.6 % when not).
        As pauses, rest drops out of every time-integrated metric (zones, time above
        threshold, TRIMP) in :func:`lactlog.analysis.clean.clean_samples` with no second rule;
        the device's timer time (``DeviceSummary.timer_s``) is kept as the device wrote it.
    laps : DataFrame
        Columns :data:`LAP_COLUMNS`.
    sets : DataFrame
        Strength sets, columns :data:`SET_COLUMNS`; ``set_type`` is ``active`` or ``rest``;
        ``weight_kg`` in kilograms; ``exercise_category``/``exercise_name`` are FIT profile names.
    device_summary : DeviceSummary
    rr : DataFrame
        Beat-to-beat intervals: UTC ``DatetimeIndex`` named ``time`` (beat time; sorted,
        unique), float column ``rr_s`` [s]; empty when the file has none.
    """

    meta: ActivityMeta
    samples: _FrameField = _FrameField(_empty_samples_table)
    pauses: _FrameField = _FrameField(lambda: empty_table(PAUSE_COLUMNS))
    laps: _FrameField = _FrameField(lambda: empty_table(LAP_COLUMNS))
    sets: _FrameField = _FrameField(lambda: empty_table(SET_COLUMNS))
    device_summary: DeviceSummary = field(default_factory=DeviceSummary)
    rr: _FrameField = _FrameField(_empty_rr_table)

    def table(self, name: str) -> Table:
        """The frame field ``name`` (``samples``, ``pauses``, ``laps``, ``sets``, ``rr``) as
        numpy columns, without building a DataFrame when the reader gave columns."""
        lazy = self.__dict__["_" + name + "_lazy"]
        if isinstance(lazy, Table):
            return lazy
        return Table.from_frame(getattr(self, name))

    def n_rows(self, name: str) -> int:
        """Number of rows of the frame field ``name``, without building it."""
        lazy = self.__dict__["_" + name + "_lazy"]
        if isinstance(lazy, SetRows):
            return lazy.stop - lazy.start
        return len(lazy) if lazy is not None else len(getattr(self, name))

    def set_rows(self) -> SetRows | None:
        """The shared-table rows this activity's sets were given as (None otherwise)."""
        lazy = self.__dict__["_sets_lazy"]
        return lazy if isinstance(lazy, SetRows) else None
