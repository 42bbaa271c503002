#!/usr/bin/env python3
"""Per-session cost of FIT files with very many sessions (issue 14 class 4).

Writes files of N one-record sessions (:func:`lactlog.testing.fitsessions.many_sessions`) and
times, in CPU seconds of this process (the machine is shared), ``lactlog.io.read_bytes`` with the
session cap lifted to N, and the batch's second pass (``analyse_file``: read + summary of every
session) with ``max_sessions_per_file`` = N. Prints ms per session and the ratio of each size's
time to the smallest size's, next to the ratio of the sizes: linear when the two agree.

Before the fix (each session scanned every message of the file), the issue measured
5k -> 2 s, 20k -> 14 s, 40k -> 45 s (x7 and x22.5 for x4 and x8 the sessions).

Usage: python bench/sessions.py [--sizes 5000 20000 40000] [--no-summary]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def timed(work):
    """(``work()``, the CPU time it took [s])."""
    start = time.process_time()
    result = work()
    return result, time.process_time() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 20000, 40000])
    parser.add_argument("--no-summary", action="store_true", help="time reading only")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO_ROOT / "src"))
    from lactlog.analysis.options import AnalysisOptions
    from lactlog.batch import analyse_file
    from lactlog.io import read_bytes
    from lactlog.settings import Settings
    from lactlog.testing.fitsessions import many_sessions

    folder = Path(tempfile.mkdtemp(prefix="lactlog-sessions-"))
    print(f"{'sessions':>8} {'MB':>5} {'read s':>7} {'ms/session':>10} {'summary s':>9} "
          f"{'ms/session':>10} {'size x':>6} {'read x':>6} {'summary x':>9}", flush=True)
    first: tuple[int, float, float] | None = None
    for n in sorted(args.sizes):
        data = many_sessions(n)
        path = folder / f"sessions_{n}.fit"
        path.write_bytes(data)
        activities, read_s = timed(lambda d=data, k=n: read_bytes(d, "x.fit", max_sessions=k))
        assert len(activities) == n, len(activities)
        del activities
        summary_s = float("nan")
        if not args.no_summary:
            options = AnalysisOptions(settings=replace(Settings(), max_sessions_per_file=n))
            outcome, summary_s = timed(lambda p=path, o=options: analyse_file(p, "lactlog", o))
            assert outcome.error is None and len(outcome.sessions) == n, outcome.error
        first = first or (n, read_s, summary_s)
        print(f"{n:>8,} {len(data) / 1e6:>5.1f} {read_s:>7.2f} {read_s / n * 1000:>10.3f} "
              f"{summary_s:>9.2f} {summary_s / n * 1000:>10.3f} {n / first[0]:>6.1f} "
              f"{read_s / first[1]:>6.1f} {summary_s / first[2]:>9.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
