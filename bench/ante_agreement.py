#!/usr/bin/env python3
"""How often lactlog's stimulus verdict agrees with Garmin's anaerobic training effect (AnTE).

Over every session of ``../shared/corpus/fit`` whose device stored AnTE (FIT session field
``total_anaerobic_training_effect``), the expected level is HIGH for AnTE ≥ 3.0, LOW for
AnTE < 2.0 and MODERATE in between. Thresholds are what each file recorded (or lactlog's
estimate) — no profile, no flags. Byte-identical files and duplicated multisport summaries are
counted once; sessions shorter than ``--min-duration`` are skipped, because Garmin repeats the
activity's AnTE on every leg of a multisport file (a 70-s transition "has" AnTE 3.3).

The script prints the agreement of the current defaults, then a grid search over the verdict
rule's parameters (evidence for the defaults in ``lactlog.settings``).

Usage: python bench/ante_agreement.py [--corpus PATH] [--min-duration S] [--json]
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from lactlog.analysis.session import summarize
from lactlog.analysis.stimulus import endurance_verdict
from lactlog.io import read
from lactlog.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpus" / "fit"


@dataclass(frozen=True)
class Case:
    """One session with AnTE and the quantities the verdict rule uses."""

    name: str
    ante: float
    expected: str
    time_above_lt_s: float | None
    threshold_label: str | None
    n_intervals: int
    w_prime_depletion: float | None


def expected_level(ante: float) -> str:
    return "high" if ante >= 3.0 else "low" if ante < 2.0 else "moderate"


def collect(corpus: Path, min_duration_s: float) -> list[Case]:
    cases, seen = [], set()
    for path in sorted(p for p in corpus.iterdir() if p.suffix.lower() == ".fit"):
        for activity in read(path):
            ante = activity.device_summary.anaerobic_training_effect
            summary = summarize(activity)
            analysis = summary.endurance
            if ante is None or analysis is None or analysis.primary_channel is None:
                continue
            if analysis.recorded_s < min_duration_s:
                continue
            key = hashlib.sha256(activity.samples.to_numpy().tobytes()).hexdigest()
            if key in seen:
                continue
            seen.add(key)
            w = analysis.w_prime
            cases.append(
                Case(
                    name=f"{path.name}#{activity.meta.session_index}",
                    ante=ante,
                    expected=expected_level(ante),
                    time_above_lt_s=analysis.time_above_lt_s,
                    threshold_label=analysis.primary_channel,
                    n_intervals=len(analysis.intervals),
                    w_prime_depletion=None if w is None else 1 - (w.min_balance_fraction or 1),
                )
            )
    return cases


def agreement(cases: list[Case], settings: Settings) -> tuple[int, list[tuple[Case, str]]]:
    """Number of cases where the verdict equals the expected level, and the others."""
    wrong = []
    for case in cases:
        verdict = endurance_verdict(
            case.time_above_lt_s, case.threshold_label, case.n_intervals,
            case.w_prime_depletion, settings,
        )
        if verdict.level != case.expected:
            wrong.append((case, verdict.level))
    return len(cases) - len(wrong), wrong


def grid_search(cases: list[Case]) -> list[tuple[int, dict[str, float]]]:
    grid = {
        "high_min_above_lt_s": [300, 600, 900, 1200, 1800],
        "high_min_intervals": [3, 4, 5, 6, 8, 10],
        "low_max_above_lt_s": [60, 120, 180, 300, 600],
    }
    results = []
    for values in itertools.product(*grid.values()):
        params = dict(zip(grid, values))
        if params["low_max_above_lt_s"] >= params["high_min_above_lt_s"]:
            continue
        score, _ = agreement(cases, replace(Settings(), **params))
        results.append((score, params))
    return sorted(results, key=lambda r: -r[0])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--min-duration", type=float, default=600.0, help="seconds (default 600)")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 0
    cases = collect(args.corpus, args.min_duration)
    score, wrong = agreement(cases, Settings())
    best = grid_search(cases)
    if args.json:
        print(json.dumps({
            "n_sessions": len(cases), "agreeing_with_defaults": score,
            "disagreements": [{"session": c.name, "ante": c.ante, "expected": c.expected,
                               "verdict": v} for c, v in wrong],
            "best_parameters": [{"agreeing": s, **p} for s, p in best[:10]],
        }, indent=2))
        return 0
    print(f"sessions with AnTE (≥ {args.min_duration:.0f} s, deduplicated): {len(cases)}")
    by_level = {lvl: sum(c.expected == lvl for c in cases) for lvl in ("high", "moderate", "low")}
    print(f"expected from AnTE: {by_level}")
    print(f"current defaults agree on {score}/{len(cases)} ({score / max(len(cases), 1):.0%})")
    for case, verdict in wrong:
        above = "–" if case.time_above_lt_s is None else f"{case.time_above_lt_s / 60:.1f} min"
        print(f"  {case.name}: AnTE {case.ante} -> expected {case.expected}, lactlog {verdict} "
              f"({above} above {case.threshold_label} threshold, {case.n_intervals} intervals)")
    print("best parameter sets (agreeing sessions):")
    for s, params in best[:8]:
        print(f"  {s}/{len(cases)}  {params}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
