"""Sample cleaning: implausible values out, short gaps bridged, one regular 1-Hz grid.

Every analysis that integrates over time (time in zones, TRIMP, W'bal, intervals) wants one value
per second and an explicit statement of which seconds were recorded. :func:`clean` turns a
session's canonical samples (``Activity.table("samples")``, see :mod:`lactlog.model`) into
exactly that, as numpy arrays (:class:`CleanSamples`; :func:`clean_samples` for DataFrames); the
rules are arguments (:class:`CleaningRules`), never read from configuration.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from lactlog.analysis.cleaning_rules import CleaningRules
from lactlog.table import NAT_NS, NS_PER_S, NamedColumns, Table, to_datetime, to_ns

if TYPE_CHECKING:
    import pandas as pd

MAD_TO_SIGMA = 1.4826
"""Scale factor from the median absolute deviation to the standard deviation of a normal
distribution (1 / Φ⁻¹(3/4) ≈ 1.4826); Hampel (1974), J Am Stat Assoc 69:383–393."""


#: Gaps between samples longer than this [s] are left out of the 1-Hz grid, so that a clock jump
#: (or a day-long stop) costs no rows. Shorter gaps (timer pauses, dropouts) stay on it as
#: not-recording seconds. Nothing that integrates over elapsed time loses the longer gaps: the
#: grid's index keeps the real times, and :func:`grid_gap_s` gives the seconds missing before
#: each row (W' balance recovers across them, :mod:`lactlog.analysis.wbal`).
MAX_GRID_GAP_S = 600

#: A grid of more rows than this (and more than :data:`GRID_ROWS_PER_SAMPLE` × the sampled
#: seconds) leaves out every gap longer than ``max_gap_s`` instead (those seconds are not
#: recording either way, and :func:`grid_gap_s` still counts them). Without it, samples 599 s
#: apart would put 599 rows on the grid per sample: a 800 kB file, 80 M rows. So the grid holds at
#: most max(GRID_MAX_ROWS, GRID_ROWS_PER_SAMPLE × n, (max_gap_s + 1) × n) rows for n sampled
#: seconds (1 M or 30 × n with the default rules).
GRID_MAX_ROWS = 1_000_000
GRID_ROWS_PER_SAMPLE = 30

#: Hampel windows are sorted this many values at a time (8 MiB of float64 per copy), so the
#: filter's memory does not grow with the series.
_HAMPEL_BLOCK_VALUES = 2**20

#: The default cleaning rules (frozen).
DEFAULT_RULES = CleaningRules()


@dataclass(frozen=True, eq=False)
class CleanSamples(NamedColumns):
    """Samples on the 1-Hz grid of :func:`clean` (rows in time order).

    Attributes
    ----------
    start_ns : int
        UTC time of grid second 0 (the first sample's second) [ns since the Unix epoch].
    time_s : ndarray of int64
        Each row's second since ``start_ns`` [s]; consecutive except across the gaps
        :func:`clean` leaves out (:meth:`gap_s`).
    columns : mapping of name -> ndarray of float64
        The cleaned channels (NaN = no valid value, and wherever not recording).
    recording : ndarray of bool
        True where the timer ran and samples were close enough together.
    """

    start_ns: int
    time_s: np.ndarray
    columns: Mapping[str, np.ndarray]
    recording: np.ndarray

    def __len__(self) -> int:
        return len(self.time_s)

    def has_data(self, name: str) -> bool:
        """True when the channel exists and has at least one valid second."""
        values = self.columns.get(name)
        return values is not None and not np.isnan(values).all()

    def gap_s(self) -> np.ndarray:
        """Seconds left out of the grid before each row (:func:`grid_gap_s`)."""
        return grid_gap_s(self.time_s)

    def time_ns(self) -> np.ndarray:
        """Each row's UTC time [ns since the Unix epoch]."""
        return self.start_ns + self.time_s * NS_PER_S

    def datetime_at(self, row: int) -> datetime:
        """The UTC time of one row."""
        return to_datetime(self.start_ns + int(self.time_s[row]) * NS_PER_S)

    def row_at(self, moment: datetime) -> int:
        """The first row at or after ``moment`` (``len(self)`` if none)."""
        return int(np.searchsorted(self.time_ns(), to_ns(moment)))

    def frame(self) -> pd.DataFrame:
        """The grid as a DataFrame: the channels plus bool ``recording`` on a UTC
        ``DatetimeIndex`` named ``time`` (for Python users and tests)."""
        frame = Table(dict(self.columns), index_ns=self.time_ns()).frame()
        frame["recording"] = self.recording
        return frame


def clean_samples(
    samples: pd.DataFrame,
    pauses: pd.DataFrame | None = None,
    rules: CleaningRules = DEFAULT_RULES,
) -> pd.DataFrame:
    """:func:`clean` of a samples frame and a pauses frame, as a frame
    (:meth:`CleanSamples.frame`): for Python users who hold DataFrames."""
    pause_table = None if pauses is None else Table.from_frame(pauses)
    return clean(Table.from_frame(samples), pause_table, rules).frame()


def clean(
    samples: Table,
    pauses: Table | None = None,
    rules: CleaningRules = DEFAULT_RULES,
) -> CleanSamples:
    """Clean canonical samples and put them on a regular 1-Hz grid.

    Rules, in order:

    1. **Grid.** One row per second, from the first sample time floored to the second up to the
       last sample; sample times are floored to their second (timing error < 1 s) and several
       samples within one second are averaged per channel (valid values only). Gaps longer
       than :data:`MAX_GRID_GAP_S` between samples get no rows at all (see
       :func:`grid_seconds`), so a file whose clock jumps by years costs no memory; when the
       grid would still exceed :data:`GRID_MAX_ROWS` rows and :data:`GRID_ROWS_PER_SAMPLE`
       rows per sampled second, gaps longer than ``max_gap_s`` get no rows either.
    2. **Range.** ``heart_rate_bpm`` outside [``hr_min_bpm``, ``hr_max_bpm``] and ``power_w``
       outside [0, ``power_max_w``] become NaN.
    3. **Spikes.** Heart-rate seconds flagged by :func:`hampel_outliers` (centred window of
       2·``hampel_half_window_s`` + 1 s) become NaN, i.e. |x − median| > n·1.4826·MAD and
       > ``hampel_min_deviation_bpm``.
    4. **Gaps.** Each channel is interpolated linearly in time between its valid seconds when the
       two surrounding valid seconds are at most ``max_gap_s`` apart (so a removed spike takes
       the value of its neighbours); elsewhere it stays NaN (:func:`interpolate_short_gaps`).
    5. **Recording.** Column ``recording`` is True where the timer runs (outside every pause
       [start, end); a pause without end lasts to the end) and the second lies within a stretch
       in which consecutive samples (rows, any channel) are at most ``max_gap_s`` apart. All
       channels are NaN where ``recording`` is False.

    Parameters
    ----------
    samples : Table
        ``Activity.table("samples")``: UTC times [ns], float columns (e.g. ``heart_rate_bpm``,
        ``power_w``). Every column is kept; rules 2–3 apply to the columns they name.
    pauses : Table or None
        ``Activity.table("pauses")``: time columns ``start``, ``end`` (``end`` may be NaT).
    rules : CleaningRules

    Returns
    -------
    CleanSamples
        The same columns (float, cleaned) plus the ``recording`` mask, one row per grid second.
        Empty input gives an empty grid with those columns.
    """
    columns = list(samples.names)
    times_ns = samples.times_ns()
    if len(times_ns) == 0:
        return CleanSamples(0, np.empty(0, dtype=np.int64),
                            {name: np.empty(0) for name in columns}, np.empty(0, dtype=bool))
    order = None
    if (np.diff(times_ns) < 0).any():  # canonical samples are sorted; a hand-made table may not be
        order = np.argsort(times_ns, kind="stable")
        times_ns = times_ns[order]
    start_ns = int(times_ns[0]) // NS_PER_S * NS_PER_S
    second = (times_ns - start_ns) // NS_PER_S
    grid_s = grid_seconds(second, _grid_gap_limit_s(second, rules.max_gap_s))
    row = np.searchsorted(grid_s, second)
    recording = recording_mask(row, grid_s, rules.max_gap_s)
    recording &= ~paused_mask(grid_s, _pause_offsets_s(pauses, start_ns))
    cleaned = {}
    for name in columns:  # one pass per channel; every step inside is vectorised
        raw = np.asarray(samples[name], dtype=np.float64)
        values = apply_range_rules(name, raw if order is None else raw[order], rules)
        per_second = _mean_per_second(row, values, len(grid_s))
        if name == "heart_rate_bpm":
            spikes = hampel_outliers(
                per_second,
                rules.hampel_half_window_s,
                rules.hampel_n_sigma,
                rules.hampel_min_deviation_bpm,
            )
            per_second[spikes] = np.nan
        filled = interpolate_short_gaps(per_second, rules.max_gap_s, times_s=grid_s)
        filled[~recording] = np.nan
        cleaned[name] = filled
    return CleanSamples(start_ns, grid_s, cleaned, recording)


def _grid_gap_limit_s(second: np.ndarray, max_gap_s: float) -> float:
    """:data:`MAX_GRID_GAP_S`, or ``max_gap_s`` when the grid would be too large (see there)."""
    step_s = np.diff(_unique(second))
    bridged = step_s[step_s <= MAX_GRID_GAP_S]
    rows = len(step_s) + 1 + int(bridged.sum()) - len(bridged)
    if rows > max(GRID_MAX_ROWS, GRID_ROWS_PER_SAMPLE * (len(step_s) + 1)):
        return max_gap_s
    return MAX_GRID_GAP_S


def median(values: np.ndarray) -> float:
    """The median of a non-empty 1-D array without NaN, as ``np.median`` gives it, by
    ``np.partition``: ``np.median`` imports ``numpy.ma`` (25–50 ms of a one-file run)."""
    x = np.asarray(values, dtype=np.float64)
    half = x.size // 2
    if x.size % 2:
        return float(np.partition(x, half)[half])
    low, high = np.partition(x, (half - 1, half))[half - 1 : half + 1]
    return float((low + high) / 2)


def _unique(values: np.ndarray) -> np.ndarray:
    """The sorted unique values; for already sorted ones (canonical sample times are) the first
    of each run, 100× faster than ``np.unique``, which also imports ``numpy.ma`` (≈ 50 ms)."""
    steps = np.diff(values)
    if (steps >= 0).all():
        return values[np.concatenate(([True], steps != 0))]
    return np.unique(values)


def grid_seconds(second: np.ndarray, max_grid_gap_s: float) -> np.ndarray:
    """Sorted grid seconds covering every sampled second and every gap ≤ ``max_grid_gap_s``.

    ``second`` are the (sorted) seconds of the samples; the grid runs from each sample's second
    to the next one's, except across gaps longer than ``max_grid_gap_s`` [s].
    """
    sampled = _unique(second)
    breaks = np.flatnonzero(np.diff(sampled) > max_grid_gap_s)
    starts = sampled[np.concatenate(([0], breaks + 1))]
    ends = sampled[np.concatenate((breaks, [len(sampled) - 1]))]
    lengths = ends - starts + 1
    offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
    return offsets + np.arange(int(lengths.sum()), dtype=np.int64)


def grid_gap_s(time_s: np.ndarray, sample_s: float = 1.0) -> np.ndarray:
    """Seconds without a grid row before each row, beyond the regular step [s].

    gap_i = (t_i − t_{i−1}) − ``sample_s`` for i ≥ 1 and 0 for the first row: zero everywhere on
    a contiguous grid, and the length of each stretch :func:`clean` left out (gaps longer
    than :data:`MAX_GRID_GAP_S`) before the row that follows it.

    Parameters
    ----------
    time_s : array
        The sorted times of a grid's rows [s] (:attr:`CleanSamples.time_s`).
    sample_s : float
        The grid's step [s].
    """
    t = np.asarray(time_s, dtype=np.float64)
    if t.size == 0:
        return np.empty(0)
    return np.concatenate(([0.0], np.maximum(np.diff(t) - sample_s, 0.0)))


def apply_range_rules(name: str, values: np.ndarray, rules: CleaningRules) -> np.ndarray:
    """A copy of a channel with out-of-range values as NaN: heart rate outside
    [hr_min_bpm, hr_max_bpm], power outside [0, power_max_w]; other channels unchanged."""
    values = values.copy()
    if name == "heart_rate_bpm":
        values[(values < rules.hr_min_bpm) | (values > rules.hr_max_bpm)] = np.nan
    elif name == "power_w":
        values[(values < 0.0) | (values > rules.power_max_w)] = np.nan
    return values


def group_means(group: np.ndarray, values: np.ndarray, n_groups: int) -> np.ndarray:
    """Mean of the valid (non-NaN) ``values`` of each group 0 … ``n_groups`` − 1 (``group``:
    each value's group, int ≥ 0); NaN for a group without any."""
    valid = ~np.isnan(values)
    sums = np.bincount(group[valid], weights=values[valid], minlength=n_groups)
    counts = np.bincount(group[valid], minlength=n_groups)
    out = np.full(n_groups, np.nan)
    np.divide(sums, counts, out=out, where=counts > 0)
    return out


def _mean_per_second(second: np.ndarray, values: np.ndarray, n_seconds: int) -> np.ndarray:
    """Mean of the valid values falling in each second; NaN where a second has none."""
    if len(second) == n_seconds and (np.diff(second) > 0).all():
        return values.copy()  # n rising rows of n seconds: one sample per second, its own mean
    return group_means(second, values, n_seconds)


def _previous_and_next(present: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Position of the nearest True at or before / at or after each position (−1 / n if none)."""
    n = len(present)
    positions = np.arange(n)
    previous = np.maximum.accumulate(np.where(present, positions, -1))
    following = np.minimum.accumulate(np.where(present, positions, n)[::-1])[::-1]
    return previous, following


def interpolate_short_gaps(
    values: np.ndarray,
    max_gap_s: float,
    sample_s: float = 1.0,
    times_s: np.ndarray | None = None,
) -> np.ndarray:
    """Linear interpolation across gaps of a regular series, only where the gap is short.

    x(t) = x(t₀) + (x(t₁) − x(t₀))·(t − t₀)/(t₁ − t₀) for the nearest valid samples t₀ ≤ t ≤ t₁,
    applied only when t₁ − t₀ ≤ ``max_gap_s``; otherwise, and before the first / after the last
    valid sample, the result is NaN.

    Parameters
    ----------
    values : array
        Regular series (NaN = missing).
    max_gap_s : float
        Longest distance between two valid samples that is bridged [s].
    sample_s : float
        Sampling interval [s] of a regular series.
    times_s : array or None
        Time of each value [s] when the series is not regular (overrides ``sample_s``).

    Returns
    -------
    ndarray of float (a new array).
    """
    values = np.asarray(values, dtype=np.float64)
    valid = ~np.isnan(values)
    if valid.all():  # nothing to fill (most channels of a device file)
        return values.copy()
    if not valid.any():
        return np.full(len(values), np.nan)
    n = len(values)
    times = np.arange(n) * sample_s if times_s is None else np.asarray(times_s, dtype=np.float64)
    previous, following = _previous_and_next(valid)
    bridged = (previous >= 0) & (following < n)
    gap_s = times[np.minimum(following, n - 1)] - times[np.maximum(previous, 0)]
    bridged &= gap_s <= max_gap_s
    out = np.interp(times, times[valid], values[valid])
    out[~bridged] = np.nan
    return out


def hampel_outliers(
    values: np.ndarray,
    half_window: int,
    n_sigma: float = 3.0,
    min_deviation: float = 0.0,
) -> np.ndarray:
    """Hampel filter: which samples of a regular series are isolated outliers.

    Sample i is an outlier when |xᵢ − mᵢ| > max(n_sigma · 1.4826 · MADᵢ, min_deviation), where mᵢ
    is the median and MADᵢ = median(|x_j − mᵢ|) the median absolute deviation of the valid values
    in the centred window j ∈ [i − h, i + h] (Hampel 1974; Pearson 2002, "Outliers in process
    modeling and identification", IEEE Trans Control Syst Technol 10:55–63). NaN samples are
    never outliers and are ignored in the windows.

    Parameters
    ----------
    values : array
        Regular series (e.g. heart rate per second [bpm]).
    half_window : int
        h, half the window width [samples].
    n_sigma : float
        Threshold in robust standard deviations.
    min_deviation : float
        Smallest deviation that can count as an outlier [unit of ``values``].

    Returns
    -------
    ndarray of bool, True at outliers.
    """
    x = np.asarray(values, dtype=np.float64)
    if x.size == 0 or half_window < 1:
        return np.zeros(x.size, dtype=bool)
    width = 2 * half_window + 1
    windows = sliding_window_view(np.pad(x, half_window, constant_values=np.nan), width)
    outliers = np.empty(x.size, dtype=bool)
    block = max(1, _HAMPEL_BLOCK_VALUES // width)
    for first in range(0, x.size, block):  # a view per block: memory ∝ block, not x.size
        rows = windows[first : first + block]
        median = _row_nanmedian(rows)
        deviation = np.abs(x[first : first + block] - median)
        # only a value further than min_deviation from its median can be an outlier: the MAD
        # (a second sort of every window) is needed for those few alone
        with np.errstate(invalid="ignore"):
            candidates = np.flatnonzero(deviation > min_deviation)
        mad = _row_nanmedian(np.abs(rows[candidates] - median[candidates, None]))
        limit = np.maximum(n_sigma * MAD_TO_SIGMA * mad, min_deviation)
        found = np.zeros(len(rows), dtype=bool)
        found[candidates] = deviation[candidates] > limit
        outliers[first : first + block] = found
    return outliers


def _row_nanmedian(rows: np.ndarray) -> np.ndarray:
    """Median of the non-NaN values of each row (NaN for all-NaN rows), like ``np.nanmedian``
    along axis 1 but with one plain sort (NaN sorts last), which is ~10× faster for short rows."""
    ordered = np.sort(rows, axis=1)
    count = np.sum(~np.isnan(ordered), axis=1)
    low = np.take_along_axis(ordered, np.maximum((count - 1) // 2, 0)[:, None], axis=1)[:, 0]
    high = np.take_along_axis(ordered, np.maximum(count // 2, 0)[:, None], axis=1)[:, 0]
    return np.where(count > 0, (low + high) / 2, np.nan)


def recording_mask(row: np.ndarray, grid_s: np.ndarray, max_gap_s: float) -> np.ndarray:
    """Grid seconds covered by recording: a sampled second, or between two sampled seconds at
    most ``max_gap_s`` [s] apart.

    Parameters
    ----------
    row : array of int
        The grid row each sample falls in.
    grid_s : array of int
        The second of each grid row (sorted; see :func:`grid_seconds`).
    max_gap_s : float
        Longest gap between samples that still counts as recording [s].
    """
    n_rows = len(grid_s)
    sampled = np.zeros(n_rows, dtype=bool)
    sampled[np.asarray(row, dtype=np.int64)] = True
    previous, following = _previous_and_next(sampled)
    inside = (previous >= 0) & (following < n_rows)
    gap_s = grid_s[np.minimum(following, n_rows - 1)] - grid_s[np.maximum(previous, 0)]
    return inside & (gap_s <= max_gap_s)


def _pause_offsets_s(pauses: Table | None, start_ns: int) -> np.ndarray:
    """Pauses as (start, end) offsets from ``start_ns`` [s], shape (n, 2); open end → +inf."""
    if pauses is None or len(pauses) == 0 or not {"start", "end"} <= set(pauses.names):
        return np.empty((0, 2))
    offsets = np.column_stack([_offsets_s(pauses, "start", start_ns),
                               _offsets_s(pauses, "end", start_ns)])
    offsets[np.isnan(offsets[:, 1]), 1] = np.inf
    return offsets[~np.isnan(offsets[:, 0])]


def _offsets_s(table: Table, name: str, start_ns: int) -> np.ndarray:
    """A time column as seconds after ``start_ns`` (NaN where missing)."""
    values = table[name]
    if name not in table.time_columns:  # an all-missing column (no time column at all)
        return np.full(len(values), np.nan)
    values = np.asarray(values, dtype=np.int64)
    return np.where(values == NAT_NS, np.nan, (values - start_ns) / NS_PER_S)


def paused_mask(grid_s: np.ndarray, pause_offsets_s: np.ndarray) -> np.ndarray:
    """Which grid seconds fall inside a pause [start, end).

    Vectorised for any number of (possibly overlapping) pauses: t is paused iff
    t < max{endᵢ : startᵢ ≤ t}.

    Parameters
    ----------
    grid_s : array
        Grid seconds (offsets from grid second 0) [s].
    pause_offsets_s : array, shape (n, 2)
        Pause starts and ends as offsets from grid second 0 [s]; end may be +inf.
    """
    t = np.asarray(grid_s, dtype=np.float64)
    offsets = np.asarray(pause_offsets_s, dtype=np.float64).reshape(-1, 2)
    if len(offsets) == 0:
        return np.zeros(len(t), dtype=bool)
    order = np.argsort(offsets[:, 0], kind="stable")
    starts = offsets[order, 0]
    latest_end = np.maximum.accumulate(offsets[order, 1])
    last_started = np.searchsorted(starts, t, side="right") - 1
    return (last_started >= 0) & (t < latest_end[np.maximum(last_started, 0)])
