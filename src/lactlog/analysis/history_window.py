"""What one history window's thresholds rest on, kept up to date as the window slides.

The thresholds of :mod:`lactlog.analysis.history` need only a few maxima and counts of the
window's best efforts: the best mean power per duration, the two highest 5-s HR peaks, the best
30-min HR effort and so on. A batch asks for a window on every session's day, and the window of
one day differs from the previous day's by a few sessions; :class:`SlidingWindow` adds the
sessions that enter and removes those that leave instead of scanning the ~80 sessions of a
90-day window again for every day (1,000 sessions: 0.3 s → a few ms).

Of equal values the session that entered first counts, as ``max()`` over the window's sessions
in day order gives (which session's heart rate goes with the best 20-min power, which tail
goes with the best 30-min HR effort). Means are never NaN (:mod:`lactlog.analysis.bests`
gives a window only where it has a value).
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from lactlog.analysis.power_model import FTP_WINDOW_S
from lactlog.summaries import SessionBests


class WindowEvidence(NamedTuple):
    """The maxima and counts of one window's sessions that its thresholds rest on (a named
    tuple: made for every day of a batch, and cheaper to define than a dataclass).

    ``n_power`` / ``n_power_20_min``: endurance sessions (strength sessions left out) with any
    best-power window / with a 20-min one; ``best_power_w``: the best mean power [W] per
    duration [s] (None: no session has that window); ``heart_rate_during_best_20_min_power_bpm``:
    that of the first session with the best 20-min power. ``n_heart_rate``: sessions (strength
    ones too) with a 5-s HR peak; ``top_peaks_bpm``: the two highest of those peaks, highest
    first. ``best_30_min_hr_bpm``: (mean, mean of the last 20 min) of the first best 30-min HR
    effort of an endurance session; ``best_20_min_hr_bpm``: the best 20-min mean HR of one.
    """

    n_power: int
    n_power_20_min: int
    best_power_w: dict[int, float | None]
    heart_rate_during_best_20_min_power_bpm: float | None
    n_heart_rate: int
    top_peaks_bpm: tuple[float, ...]
    best_30_min_hr_bpm: tuple[float, float] | None
    best_20_min_hr_bpm: float | None


class _Ranking:
    """Values in a window, highest first, of equal values the first to enter first; each with
    a payload (what goes with that value)."""

    def __init__(self) -> None:
        self._entries: list[tuple[float, int, Any]] = []  # (−value, order entered, payload)

    def add(self, value: float, order: int, payload: Any) -> None:
        bisect.insort(self._entries, (-value, order, payload))

    def remove(self, value: float, order: int) -> None:
        # (−value, order) sorts just before its entry: orders are unique, payloads never compared
        del self._entries[bisect.bisect_left(self._entries, (-value, order))]

    def best(self) -> tuple[float, Any] | None:
        """(value, payload) of the highest value; None in an empty window."""
        if not self._entries:
            return None
        negated, _, payload = self._entries[0]
        return -negated, payload

    def highest(self, n: int) -> tuple[float, ...]:
        return tuple(-negated for negated, _, _ in self._entries[:n])


class SlidingWindow:
    """The :class:`WindowEvidence` of the sessions between :meth:`enter` and :meth:`leave`:
    sessions leave in the order they entered (a window sliding over sessions in day order).

    ``durations_s``: the best-power windows wanted [s] (the 20-min window among them).
    """

    def __init__(self, durations_s: Iterable[int]) -> None:
        self._durations = tuple(dict.fromkeys(durations_s))
        self._power = {d: _Ranking() for d in self._durations}
        self._peaks, self._tests, self._heart_rate_20 = _Ranking(), _Ranking(), _Ranking()
        self._inside: deque[tuple[int, SessionBests]] = deque()
        self._entered = 0
        self._n_power = self._n_power_20 = self._n_heart_rate = 0

    def enter(self, bests: SessionBests) -> None:
        """Add a session (the newest of the window)."""
        order = self._entered
        self._entered += 1
        self._inside.append((order, bests))
        for ranking, value, payload in self._values(bests):
            ranking.add(value, order, payload)
        self._count(bests, 1)

    def leave(self) -> None:
        """Remove the oldest session of the window."""
        order, bests = self._inside.popleft()
        for ranking, value, _ in self._values(bests):
            ranking.remove(value, order)
        self._count(bests, -1)

    def evidence(self) -> WindowEvidence:
        """The evidence of the sessions in the window now."""
        best_power = {d: self._power[d].best() for d in self._durations}
        best_20 = best_power.get(FTP_WINDOW_S)
        test = self._tests.best()
        heart_rate_20 = self._heart_rate_20.best()
        return WindowEvidence(
            n_power=self._n_power,
            n_power_20_min=self._n_power_20,
            best_power_w={d: None if found is None else found[0]
                          for d, found in best_power.items()},
            heart_rate_during_best_20_min_power_bpm=None if best_20 is None else best_20[1],
            n_heart_rate=self._n_heart_rate,
            top_peaks_bpm=self._peaks.highest(2),
            best_30_min_hr_bpm=None if test is None else (test[0], test[1]),
            best_20_min_hr_bpm=None if heart_rate_20 is None else heart_rate_20[0],
        )

    def _values(self, b: SessionBests) -> Iterator[tuple[_Ranking, float, Any]]:
        """(ranking, value, payload) of each value the session gives."""
        if b.heart_rate_peak_5_s is not None:
            yield self._peaks, b.heart_rate_peak_5_s.mean, None
        if b.strength:  # evidence for the max HR only
            return
        for d, ranking in self._power.items():
            window = b.power_w.get(d)
            if window is not None:
                yield ranking, window.mean, (
                    b.heart_rate_during_best_20_min_power_bpm if d == FTP_WINDOW_S else None)
        if b.heart_rate_30_min is not None and b.heart_rate_30_min_tail is not None:
            yield self._tests, b.heart_rate_30_min.mean, b.heart_rate_30_min_tail.mean
        if b.heart_rate_20_min is not None:
            yield self._heart_rate_20, b.heart_rate_20_min.mean, None

    def _count(self, b: SessionBests, step: int) -> None:
        self._n_heart_rate += step * (b.heart_rate_peak_5_s is not None)
        if not b.strength:
            self._n_power += step * bool(b.power_w)
            self._n_power_20 += step * (FTP_WINDOW_S in b.power_w)


def window_evidence(bests: Iterable[SessionBests], durations_s: Iterable[int]) -> WindowEvidence:
    """The :class:`WindowEvidence` of ``bests`` (in day order) for ``durations_s`` [s]."""
    window = SlidingWindow(durations_s)
    for b in bests:
        window.enter(b)
    return window.evidence()
