"""How many endurance sessions get a threshold and a verdict with an empty profile, without and
with the history thresholds (issue 9), and where their thresholds come from.

    python bench/history_coverage.py [FOLDER ...]      # default: ../shared/corpus

Counts sessions that are not strength sessions, last at least 10 min (timer time, else
duration) and have heart rate or power. "Without history" is the same analysis with
``history_window_days = 0``. The profile is empty (no file is read); nothing is cached.
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

from lactlog.analysis.endurance import CHANNELS
from lactlog.analysis.options import AnalysisOptions
from lactlog.batch import analyse_paths

MIN_DURATION_S = 600.0
DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def counted(summary) -> bool:
    duration = summary.timer_s or summary.duration_s or 0.0
    has_signal = summary.avg_heart_rate_bpm is not None or summary.avg_power_w is not None
    return summary.endurance is not None and duration >= MIN_DURATION_S and has_signal


def kind(source: str | None) -> str:
    """``history 90 d: ...`` -> ``history``; ``profile 2026-01-01`` -> ``profile``."""
    return "none" if source is None else source.split(":")[0].split(" (")[0].split(" ")[0]


def measure(paths: list[Path], options: AnalysisOptions) -> dict:
    result = analyse_paths(paths, options=options, merge=False)
    sessions = [s for s in result.sessions if counted(s)]
    primary, every, stale = Counter(), Counter(), 0
    with_verdict = 0
    for s in sessions:
        analysis = s.endurance
        t = analysis.thresholds
        if analysis.primary_channel is not None and analysis.verdict.level is not None:
            with_verdict += 1
            primary[kind(t.used(CHANNELS[analysis.primary_channel][1]).source)] += 1
        else:
            primary["none"] += 1
        for name in ("lthr_bpm", "max_hr_bpm", "ftp_w", "cp_w"):
            every[(name, kind(getattr(t, name).source))] += 1
        stale += any(getattr(t, name).stale for name in ("lthr_bpm", "max_hr_bpm", "ftp_w", "cp_w"))
    return {"n": len(sessions), "verdict": with_verdict, "primary": primary, "every": every,
            "stale": stale}


def report(label: str, found: dict) -> None:
    n, ok = found["n"], found["verdict"]
    print(f"{label}: {ok} of {n} endurance sessions ≥ 10 min with HR or power get a threshold "
          f"and a verdict ({ok / max(n, 1):.0%}); {found['stale']} with a stale threshold")
    print("  primary threshold source: " + ", ".join(
        f"{k} {v}" for k, v in found["primary"].most_common()))
    for name in ("lthr_bpm", "max_hr_bpm", "ftp_w", "cp_w"):
        row = {k: v for (field, k), v in found["every"].items() if field == name}
        print(f"  {name:11s} " + ", ".join(f"{k} {v}" for k, v in sorted(row.items())))


def main(argv: list[str]) -> None:
    paths = [Path(a) for a in argv] or [DEFAULT]
    options = AnalysisOptions()
    off = replace(options, settings=replace(options.settings, history_window_days=0))
    report("without history", measure(paths, off))
    report("with history   ", measure(paths, options))


if __name__ == "__main__":
    main(sys.argv[1:])
