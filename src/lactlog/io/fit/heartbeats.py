"""Heart rate from FIT ``hr`` messages and beat-to-beat (RR) intervals from ``hrv`` messages.

Chest straps that store data while they cannot transmit (Garmin HRM-Swim, HRM-Tri, HRM-Pro:
under water) hand it to the watch afterwards, which writes it as ``hr`` messages (global 132)
instead of ``record.heart_rate``. Devices that record heart-rate variability write each beat's
RR interval in ``hrv`` messages (global 78). Both are arrays without a timestamp of their own;
this module turns them into timed beats. Everything is vectorised (no Python step per beat).

**hr messages** (FIT SDK, ``utils-hr-mesg.js`` ``expandHeartRates`` / ``mergeHeartRates``, and
``HrToRecordMesgBroadcastPlugin`` in the C#/Java SDKs; field numbers in the FIT profile):

- ``event_timestamp`` (field 9, uint32, scale 1024 → s) runs on the strap's clock;
  ``event_timestamp_12`` (field 10) packs eight 12-bit values of it, i.e. its low 12 bits
  (modulo 4096/1024 = 4 s), with ``filtered_bpm`` (field 6) the heart rate at each beat.
- A message that has a ``timestamp`` (+ ``fractional_timestamp``, s) is an *anchor*: its one
  event_timestamp happened at that UTC time. The SDK's decoder seeds its accumulator with the
  anchor's full value; each later 12-bit value adds ``(value − previous) mod 4096`` ticks. A
  beat's time is the anchor's time plus the ticks accumulated since the anchor, / 1024. (The
  SDK's roll-over rule for a full 32-bit event_timestamp below the anchor's is not needed: the
  accumulated ticks never decrease.) Beats before the first anchor cannot be timed (the SDK
  refuses the file); they are left out.
- Gaps between beats are filled like the SDK does: the previous beat's value is carried forward
  in 0.25-s steps for up to 5 s, so a mean over a time window weights each beat by its duration.
- A sample's heart rate is the mean over the expanded beats in (previous sample time, sample
  time], rounded half up (the SDK's ``mergeHeartRates``; the first sample's window is 1 s).

**hrv messages** carry ``time`` (field 0): up to five RR intervals (uint16, scale 1000 → s;
0xFFFF invalid) and no timestamp; devices write them between the ``record`` messages as the
beats arrive. The beats of a message follow one another by their RR intervals (a cumulative
sum, as GoldenCheetah's FIT import times them, so intervals stay exact within a continuous
stretch), kept within the record clock: a message's first beat is not before the timestamp of
the record before it in the file, its last beat not after that of the record after it
(:func:`rr_beats`). So the clock jumps forward after a pause or a dropout and cannot run
ahead of the records. Intervals outside [:data:`RR_MIN_S`, :data:`RR_MAX_S`] are artefacts:
they are removed and take no time (the records then re-anchor the next beats).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lactlog.io.fit.columns import column, fit_ns, fit_times, length, matrix
from lactlog.io.fit.decode import FOLLOWING_RECORD_TIME, PRECEDING_RECORD_TIME, Columns
from lactlog.table import Table

#: ``event_timestamp`` ticks per second (its scale in the FIT profile).
EVENT_TICKS_PER_S = 1024.0
#: ``event_timestamp_12`` holds the low 12 bits of the tick counter.
EVENT_TIMESTAMP_12_MODULUS = 4096.0
#: The SDK carries a beat's value forward over gaps in steps of this length [s] ...
GAP_STEP_S = 0.25
#: ... for at most this many steps (5 s).
GAP_MAX_STEPS = 20
#: RR intervals kept [s]: 0.25 s is 240 bpm, above any adult's maximal heart rate
#: (HRmax = 208 − 0.7 × age, Tanaka, Monahan & Seals 2001, J Am Coll Cardiol 37:153–156;
#: SD about 10 bpm); 2.5 s is 24 bpm, below the lowest resting heart rates reported for
#: endurance athletes (about 30 bpm) — outside this range a value is a missed or extra beat.
RR_MIN_S = 0.25
RR_MAX_S = 2.5
#: The hr messages fill a session's heart rate only if fewer than this share of its records
#: carry a heart rate of their own: when the device had heart rate live for most of the session,
#: the stored strap data is a second source the device itself did not use (a Forerunner 935 swim
#: in the corpus: records from one sensor, hr messages ~10 bpm higher from another; the device's
#: time in zones matches the records within 1 %, the hr messages' beats are off by 26 %).
MAX_RECORD_HR_SHARE = 0.5


@dataclass(frozen=True, eq=False)
class Beats:
    """Timed beats: ``time_s`` [FIT s, ascending] and one value per beat (bpm or RR [s])."""

    time_s: np.ndarray
    value: np.ndarray

    @classmethod
    def empty(cls) -> Beats:
        return cls(np.zeros(0), np.zeros(0))

    def within(self, start_s: float, end_s: float) -> Beats:
        """The beats with ``start_s <= time_s <= end_s``."""
        keep = (self.time_s >= start_s) & (self.time_s <= end_s)
        return Beats(self.time_s[keep], self.value[keep])


def hr_beats(
    anchor_time_s: np.ndarray, event_time_s: np.ndarray, bpm: np.ndarray
) -> tuple[Beats, int]:
    """Beats of ``hr`` messages, timed with the FIT SDK's anchoring (module docstring).

    Parameters
    ----------
    anchor_time_s : array (n,)
        Per message: ``timestamp + fractional_timestamp`` [FIT s] of anchors, NaN otherwise.
    event_time_s : array (n, k)
        ``event_timestamp`` values [s] as decoded: full values where the field is explicit,
        accumulated 12-bit values from ``event_timestamp_12`` (only their value modulo 4 s is
        used, so any accumulator start gives the same result); NaN where absent.
    bpm : array (n, k)
        ``filtered_bpm`` [bpm], NaN where absent.

    Returns
    -------
    Beats, int
        Heart rate [bpm] per beat, sorted by time; the number of beats left out because no
        anchor preceded them.
    """
    n = len(anchor_time_s)
    width = max(event_time_s.shape[1], bpm.shape[1]) if n else 0
    ticks = _pad(event_time_s, width).reshape(-1) * EVENT_TICKS_PER_S
    values = _pad(bpm, width).reshape(-1)
    row = np.repeat(np.arange(n), width)
    present = ~np.isnan(ticks)
    ticks, values, row = np.round(ticks[present]), values[present], row[present]
    first_in_row = np.ones(len(row), dtype=bool)
    first_in_row[1:] = row[1:] != row[:-1]
    is_anchor = first_in_row & ~np.isnan(anchor_time_s[row])
    # A value without heart rate (array padding) is no beat and must not move the clock.
    keep = is_anchor | ~np.isnan(values)
    ticks, values, row, is_anchor = ticks[keep], values[keep], row[keep], is_anchor[keep]
    previous = np.concatenate(([0.0], ticks[:-1]))
    steps = np.where(is_anchor, 0.0, (ticks - previous) % EVENT_TIMESTAMP_12_MODULUS)
    elapsed = np.cumsum(steps)
    group = np.cumsum(is_anchor) - 1  # the anchor each beat counts from; -1 = none yet
    anchors = np.flatnonzero(is_anchor)
    timed = group >= 0
    g = group[timed]
    times = anchor_time_s[row[anchors]][g] + (elapsed[timed] - elapsed[anchors][g]) / (
        EVENT_TICKS_PER_S
    )
    values = values[timed]
    beat = ~np.isnan(values)
    order = np.argsort(times[beat], kind="stable")
    return Beats(times[beat][order], values[beat][order]), int((~timed).sum())


def expand_gaps(beats: Beats) -> Beats:
    """The SDK's gap filling: after each beat, its value again every 0.25 s while the gap to
    the next beat is longer than 0.25 s, for at most 20 steps (5 s)."""
    if len(beats.time_s) < 2:
        return beats
    gap_ms = np.abs(np.diff(beats.time_s)) * 1000.0
    step_ms = GAP_STEP_S * 1000.0
    count = np.where(gap_ms > step_ms, np.minimum(GAP_MAX_STEPS, np.ceil(gap_ms / step_ms) - 1), 0)
    count = np.concatenate((count.astype(np.int64), [0]))
    source = np.repeat(np.arange(len(count)), count)
    total = count.sum()
    step = np.arange(total) - np.repeat(np.cumsum(count) - count, count) + 1
    times = np.concatenate((beats.time_s, beats.time_s[source] + GAP_STEP_S * step))
    values = np.concatenate((beats.value, beats.value[source]))
    order = np.argsort(times, kind="stable")
    return Beats(times[order], values[order])


def window_means(beats: Beats, row_time_s: np.ndarray) -> np.ndarray:
    """Mean beat value in (previous row time, row time] per row, rounded half up (SDK
    ``mergeHeartRates``); the first row's window is (t − 1 s, t]. NaN where no beat falls.

    ``row_time_s`` [FIT s] must be ascending and unique.
    """
    if not len(row_time_s):
        return np.zeros(0)
    lower = np.concatenate(([row_time_s[0] - 1.0], row_time_s[:-1]))
    low = np.searchsorted(beats.time_s, lower, side="right")
    high = np.searchsorted(beats.time_s, row_time_s, side="right")
    sums = np.concatenate(([0.0], np.cumsum(beats.value)))
    count = high - low
    mean = (sums[high] - sums[low]) / np.maximum(count, 1)
    return np.where(count > 0, np.floor(mean + 0.5), np.nan)


def heart_rate_rows(
    row_time_s: np.ndarray, record_hr_bpm: np.ndarray | None, beats: Beats
) -> tuple[np.ndarray, np.ndarray] | None:
    """Sample times and heart rate once the hr-message beats of a session are merged in.

    Rows are the session's sample times plus every whole second that has a beat in
    (second − 1, second] and no sample; heart rate comes from :func:`window_means` of the
    expanded beats over those rows, except where a record has its own heart rate (kept).

    Parameters
    ----------
    row_time_s : array
        The session's sample times [FIT s], ascending and unique.
    record_hr_bpm : array or None
        Their heart rate [bpm] (NaN = none), None when the records have no heart-rate field.
    beats : Beats
        The hr-message beats within the session.

    Returns
    -------
    (times, heart rate) or None
        None when there are no beats or when at least :data:`MAX_RECORD_HR_SHARE` of the
        records carry a heart rate (then the records are left as they are).
    """
    if not len(beats.time_s):
        return None
    if record_hr_bpm is None:
        record_hr_bpm = np.full(len(row_time_s), np.nan)
    if len(row_time_s) and np.mean(~np.isnan(record_hr_bpm)) >= MAX_RECORD_HR_SHARE:
        return None
    seconds = np.unique(np.ceil(beats.time_s))
    times = np.union1d(row_time_s, seconds)
    record_hr = np.full(len(times), np.nan)
    record_hr[np.searchsorted(times, row_time_s)] = record_hr_bpm
    from_beats = window_means(expand_gaps(beats), times)
    return times, np.where(np.isnan(record_hr), from_beats, record_hr)


def rr_beats(
    rr_s: np.ndarray, preceding_record_s: np.ndarray, following_record_s: np.ndarray
) -> Beats:
    """Beat times and RR intervals of ``hrv`` messages (anchoring in the module docstring).

    Message i holds Sᵢ seconds of valid intervals; its first valid beat is rᵢ after the beat
    before it. The end eᵢ of its last beat follows the previous one by Sᵢ, within the bounds
    set by the records around the message in the file: its first beat not before the record
    before it (Tᵢ), its last beat not after the record after it (Uᵢ):

        eᵢ = max(min(eᵢ₋₁ + Sᵢ, Uᵢ), Tᵢ − rᵢ + Sᵢ)    (the lower bound wins a conflict)

    computed for all messages at once by :func:`_clamped_cumsum`. A backward pass then moves
    messages that an upper bound squeezed earlier, so beats never overlap:
    eᵢ ← min(eᵢ, eᵢ₊₁ − Sᵢ₊₁). Messages before the first record are placed back from the first
    anchored one. A message without a valid interval sets no bound.

    Parameters
    ----------
    rr_s : array (n, k)
        ``hrv.time`` [s], NaN where invalid.
    preceding_record_s, following_record_s : array (n,)
        Timestamp of the last record before / the first record after each message [FIT s], NaN
        when there is none.

    Returns
    -------
    Beats
        Beat times [FIT s] (strictly ascending) and RR intervals [s] in
        [:data:`RR_MIN_S`, :data:`RR_MAX_S`]; empty when no message has a record around it.
    """
    valid = (rr_s >= RR_MIN_S) & (rr_s <= RR_MAX_S)  # False for NaN
    has_beat = valid.any(axis=1) if rr_s.size else np.zeros(len(rr_s), dtype=bool)
    if not has_beat.any():
        return Beats.empty()
    durations = np.where(valid, rr_s, 0.0)
    per_message = durations.sum(axis=1)
    first_rr = durations[np.arange(len(rr_s)), np.argmax(valid, axis=1)]
    lower = np.where(has_beat, preceding_record_s - first_rr + per_message, np.nan)
    upper = np.where(has_beat, following_record_s, np.nan)
    end = _clamped_cumsum(
        per_message, np.nan_to_num(lower, nan=-np.inf), np.nan_to_num(upper, nan=np.inf)
    )
    finite = np.isfinite(end)
    if not finite.any():
        return Beats.empty()
    total = np.cumsum(per_message)
    first = int(np.argmax(finite))
    end[:first] = end[first] - (total[first] - total[:first])  # before the first record
    end = total + np.minimum.accumulate((end - total)[::-1])[::-1]  # no overlap
    times = (end - per_message)[:, None] + np.cumsum(durations, axis=1)
    return Beats(times[valid], rr_s[valid])


def _clamped_cumsum(steps: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """xᵢ = max(min(xᵢ₋₁ + stepsᵢ, upperᵢ), lowerᵢ) for every i, with x₋₁ = −∞.

    Each step is the map x ↦ max(min(x + s, U), L). Two such maps compose into one of the same
    form: s = s₁ + s₂, U = min(U₁ + s₂, U₂), L = max(min(L₁ + s₂, U₂), L₂) (min distributes over
    max), so a prefix scan over the maps gives all xᵢ: Hillis & Steele's doubling scan
    (Commun. ACM 29:1170, 1986), ⌈log₂ n⌉ vectorised passes.
    """
    s, high, low = steps.astype(np.float64), np.maximum(upper, lower), lower.astype(np.float64)
    shift = 1
    while shift < len(s):
        s2, high2, low2 = s[shift:], high[shift:], low[shift:]
        composed_low = np.maximum(np.minimum(low[:-shift] + s2, high2), low2)
        composed_high = np.minimum(high[:-shift] + s2, high2)
        s = np.concatenate((s[:shift], s[:-shift] + s2))
        high = np.concatenate((high[:shift], np.maximum(composed_high, composed_low)))
        low = np.concatenate((low[:shift], composed_low))
        shift *= 2
    return np.maximum(np.minimum(-np.inf + s, high), low)


def file_hr_beats(hr: Columns, min_time: float, warnings: list[str]) -> Beats:
    """Heart-rate beats of the file's ``hr`` messages (SDK anchoring), all sessions."""
    if not length(hr):
        return Beats.empty()
    anchor_s = fit_times(column(hr, "timestamp"), min_time)
    anchor_s = anchor_s + np.nan_to_num(column(hr, "fractional_timestamp"))
    beats, unanchored = hr_beats(
        anchor_s, matrix(hr, "event_timestamp"), matrix(hr, "filtered_bpm")
    )
    if unanchored:
        warnings.append(
            f"{unanchored:,} heart beats of the hr messages precede every anchor timestamp "
            "and were left out"
        )
    return beats


def file_rr_beats(hrv: Columns, min_time: float) -> Beats:
    """RR intervals of the file's ``hrv`` messages, timed against the records."""
    if not length(hrv):
        return Beats.empty()
    before = fit_times(column(hrv, PRECEDING_RECORD_TIME), min_time)
    after = fit_times(column(hrv, FOLLOWING_RECORD_TIME), min_time)
    return rr_beats(matrix(hrv, "time"), before, after)


def rr_table(beats: Beats) -> Table | None:
    """The columns of :attr:`Activity.rr` (None without beats: the empty default)."""
    if not len(beats.time_s):
        return None
    return Table({"rr_s": beats.value.astype(np.float64)}, index_ns=fit_ns(beats.time_s))


def _pad(values: np.ndarray, width: int) -> np.ndarray:
    """``values`` as a 2-D float array of ``width`` columns (NaN-padded)."""
    values = values.reshape(len(values), -1).astype(np.float64, copy=False)
    if values.shape[1] >= width:
        return values[:, :width]
    return np.hstack([values, np.full((len(values), width - values.shape[1]), np.nan)])
