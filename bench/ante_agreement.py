#!/usr/bin/env python3
"""How often lactlog's stimulus verdict agrees with Garmin's anaerobic training effect (AnTE),
on sessions the rule was tuned on and on sessions it never saw.

Expected level per session: HIGH for AnTE ≥ 3.0, LOW for AnTE < 2.0, MODERATE in between
(Garmin/Firstbeat: 2.0–2.9 "maintaining", ≥ 3.0 "improving" anaerobic capacity). Sessions are
every session of the FIT corpus whose device stored AnTE (FIT session field
``total_anaerobic_training_effect``), analysed as a new user would: the whole folder through
``lactlog.batch.analyse_paths`` with an **empty profile** and no flags, so thresholds are what
each file recorded or what lactlog derives from the folder's history. Byte-identical files and
duplicated multisport summaries count once; sessions shorter than ``--min-duration`` are left
out, because Garmin repeats the activity's AnTE on every leg of a multisport file.

Honest calibration (DEVELOPERS.md, "Generalise, don't fit"):

- the sessions are split by **device family** — the tuning part is Garmin's Forerunner watches
  (product ``fr*``), the held-out part every other device (Edge bike computers, fēnix, ...);
- the grid search over the verdict bounds sees only the tuning part; the held-out part is
  scored once, with the defaults and with the tuning part's best parameters;
- a leave-one-device-out pass (choose on all other products, score the left-out one) gives a
  third figure.

A session without a verdict (no threshold known) counts as a disagreement.

Usage: python bench/ante_agreement.py [--corpus PATH] [--min-duration S] [--json] [--cases]

``--cases`` lists every session with the evidence its verdict rests on (time above threshold,
the part of it in hard efforts, their number, W' depletion, the threshold and its source), so
a rule can be judged case by case — on the tuning part; the held-out part is for scoring.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

LEVELS = ("low", "moderate", "high")
REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpus" / "fit"


@dataclass(frozen=True)
class Case:
    """One session with AnTE and the evidence the verdict rule uses."""

    name: str
    product: str
    ante: float
    expected: str
    evidence: object  # lactlog.analysis.stimulus.StimulusEvidence
    threshold_source: str | None
    threshold_value: float | None = None
    aerobic_te: float | None = None


def expected_level(ante: float) -> str:
    return "high" if ante >= 3.0 else "low" if ante < 2.0 else "moderate"


def device_ante(corpus: Path) -> dict[tuple[str, int], tuple[float, float | None]]:
    """(source path, session index) -> (AnTE, aerobic TE), from the files themselves."""
    from lactlog.io import find_inputs, read

    ante = {}
    for path in find_inputs([corpus]):
        try:
            activities = read(path)
        except Exception:  # noqa: BLE001 — unreadable files have no AnTE to compare
            continue
        for activity in activities:
            device = activity.device_summary
            if device.anaerobic_training_effect is not None:
                ante[(activity.meta.source, activity.meta.session_index)] = (
                    device.anaerobic_training_effect, device.aerobic_training_effect)
    return ante


def collect(corpus: Path, min_duration_s: float) -> list[Case]:
    from lactlog.analysis.stimulus import StimulusEvidence
    from lactlog.batch import analyse_paths

    ante = device_ante(corpus)
    result = analyse_paths([corpus], jobs=1)  # one process: sees _ignore_device_thresholds
    cases, seen = [], set()
    for summary in result.sessions:
        value, aerobic = ante.get((summary.source, summary.session_index), (None, None))
        analysis = summary.endurance
        if value is None or analysis is None or analysis.recorded_s < min_duration_s:
            continue
        key = (summary.start, summary.sport, summary.timer_s)  # same session, other file
        if key in seen:
            continue
        seen.add(key)
        depletion = None
        if analysis.w_prime is not None:
            depletion = 1 - (analysis.w_prime.min_balance_fraction or 1.0)
        primary = analysis.primary_channel
        labels = {"power": "FTP", "heart_rate": "LTHR", "pace": "threshold pace"}
        field = {"power": "ftp_w", "heart_rate": "lthr_bpm", "pace": "threshold_speed_mps"}
        used = getattr(analysis.thresholds, field[primary]) if primary else None
        source = used.source if used else None
        cases.append(
            Case(
                name=f"{Path(summary.source).name}#{summary.session_index}",
                product=summary.product or "unknown",
                ante=value,
                expected=expected_level(value),
                evidence=StimulusEvidence(
                    threshold_label=labels.get(primary) if primary else None,
                    time_above_lt_s=analysis.time_above_lt_s,
                    time_above_lt_in_efforts_s=analysis.time_above_lt_in_efforts_s,
                    n_efforts=len(analysis.intervals),
                    w_prime_depletion=depletion,
                ),
                threshold_source=source,
                threshold_value=used.value if used else None,
                aerobic_te=aerobic,
            )
        )
    return cases


def verdicts(cases: list[Case], rules) -> list[str | None]:
    from lactlog.analysis.stimulus import endurance_verdict

    return [endurance_verdict(c.evidence, rules).level for c in cases]


def score(cases: list[Case], rules) -> int:
    return sum(v == c.expected for v, c in zip(verdicts(cases, rules), cases))


GRID = {
    "high_min_above_lt_s": [300, 450, 600, 900, 1200],
    "low_max_above_lt_s": [60, 120, 180, 300],
    "high_min_w_prime_depletion": [0.3, 0.5, 0.7],
}


def best_rules(cases: list[Case], default):
    """The grid's best rules on ``cases``; ties go to the parameters nearest the defaults."""

    def distance(params: dict) -> float:
        return sum(abs(params[k] - getattr(default, k)) / max(GRID[k]) for k in params)

    best = None
    for values in itertools.product(*GRID.values()):
        params = dict(zip(GRID, values))
        if params["low_max_above_lt_s"] >= params["high_min_above_lt_s"]:
            continue
        candidate = (score(cases, replace(default, **params)), -distance(params), params)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    assert best is not None
    return replace(default, **best[2]), best[0]


def confusion(cases: list[Case], rules) -> dict[str, dict[str, int]]:
    table = {e: {str(v): 0 for v in (*LEVELS, None)} for e in LEVELS}
    for verdict, case in zip(verdicts(cases, rules), cases):
        table[case.expected][str(verdict)] += 1
    return table


def _format_confusion(table: dict[str, dict[str, int]]) -> list[str]:
    lines = ["    expected \\ lactlog   low  moderate  high  none"]
    for expected, row in table.items():
        lines.append(f"    {expected:<20} {row['low']:>4} {row['moderate']:>9} "
                     f"{row['high']:>5} {row['None']:>5}")
    return lines


def is_tuning(case: Case) -> bool:
    """The tuning part: Garmin Forerunner watches (products named fr<number>)."""
    return case.product.startswith("fr")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--min-duration", type=float, default=600.0, help="seconds (default 600)")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--cases", action="store_true",
                        help="list every session with its evidence, tuning part first")
    parser.add_argument(
        "--without-device-thresholds", action="store_true",
        help="ignore the thresholds the files store (as TCX, GPX, CSV and most non-Garmin files "
             "are): every threshold then comes from the folder's history or the estimate")
    args = parser.parse_args()
    if args.without_device_thresholds:
        _ignore_device_thresholds()
    if not args.corpus.is_dir():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 0
    # an empty profile, as a new user has (never the developer's own)
    os.environ["LACTLOG_CONFIG"] = str(Path(tempfile.mkdtemp()) / "profile.toml")
    from lactlog.analysis.stimulus import VerdictRules
    from lactlog.settings import Settings

    default = VerdictRules.from_settings(Settings())
    cases = collect(args.corpus, args.min_duration)
    tuning = [c for c in cases if is_tuning(c)]
    held_out = [c for c in cases if not is_tuning(c)]
    tuned, tuned_score = best_rules(tuning, default)
    products = sorted({c.product for c in cases})
    lodo = 0
    for product in products:
        rest = [c for c in cases if c.product != product]
        rules, _ = best_rules(rest, default)
        lodo += score([c for c in cases if c.product == product], rules)
    report = {
        "mean_aerobic_te_by_verdict": {
            str(level): round(sum(c.aerobic_te for c, v in pairs) / len(pairs), 2)
            for level in (*LEVELS, None)
            if (pairs := [(c, v) for c, v in zip(cases, verdicts(cases, default))
                          if v == level and c.aerobic_te is not None])},
        "n_sessions": len(cases),
        "expected": dict(Counter(c.expected for c in cases)),
        "with_verdict": sum(v is not None for v in verdicts(cases, default)),
        "threshold_sources": dict(Counter(
            (c.threshold_source or "none").split(":")[0].split(" (")[0] for c in cases)),
        "defaults": {k: getattr(default, k) for k in GRID},
        "tuning_part": {"devices": "Forerunner (fr*)", "n": len(tuning),
                        "agree_defaults": score(tuning, default), "agree_best": tuned_score,
                        "best": {k: getattr(tuned, k) for k in GRID},
                        "confusion_defaults": confusion(tuning, default)},
        "held_out_part": {"devices": "all other devices", "n": len(held_out),
                          "agree_defaults": score(held_out, default),
                          "agree_with_tuned": score(held_out, tuned),
                          "confusion_defaults": confusion(held_out, default)},
        "leave_one_device_out": {"n": len(cases), "agree": lodo, "devices": len(products)},
        "disagreements": [
            {"session": c.name, "product": c.product, "ante": c.ante, "expected": c.expected,
             "verdict": v, "part": "tuning" if is_tuning(c) else "held-out",
             "threshold": c.threshold_source}
            for v, c in zip(verdicts(cases, default), cases) if v != c.expected
        ],
    }
    if args.cases:
        report["cases"] = [_case_dict(c, v) for v, c in sorted(
            zip(verdicts(cases, default), cases), key=lambda p: (not is_tuning(p[1]), p[1].ante))]
    if not args.without_device_thresholds:
        report["history_vs_device"] = history_vs_device(args.corpus, args.min_duration, cases)
    if args.json:
        print(json.dumps(report, indent=2, default=str))
        return 0
    _print(report)
    return 0


def _case_dict(case: Case, verdict: str | None) -> dict:
    evidence = case.evidence
    return {"session": case.name, "product": case.product,
            "part": "tuning" if is_tuning(case) else "held-out", "ante": case.ante,
            "aerobic_te": case.aerobic_te, "expected": case.expected, "verdict": verdict,
            "threshold": evidence.threshold_label,  # type: ignore[attr-defined]
            "threshold_value": case.threshold_value, "threshold_source": case.threshold_source,
            "time_above_lt_s": evidence.time_above_lt_s,  # type: ignore[attr-defined]
            "in_efforts_s": evidence.time_above_lt_in_efforts_s,  # type: ignore[attr-defined]
            "n_efforts": evidence.n_efforts,  # type: ignore[attr-defined]
            "w_prime_depletion": evidence.w_prime_depletion}  # type: ignore[attr-defined]


def history_vs_device(corpus: Path, min_duration_s: float, with_device: list[Case]) -> dict:
    """What lactlog derives without the file's thresholds (history or estimate) against the
    device's own value, for the sessions whose primary threshold came from the device."""
    _ignore_device_thresholds()
    derived = {c.name: c for c in collect(corpus, min_duration_s)}
    out: dict[str, list[tuple[float, float]]] = {}
    for case in with_device:
        other = derived.get(case.name)
        label = case.evidence.threshold_label  # type: ignore[attr-defined]
        if (case.threshold_source != "device" or other is None or case.threshold_value is None
                or other.threshold_value is None
                or other.evidence.threshold_label != label):  # type: ignore[attr-defined]
            continue
        out.setdefault(label, []).append((other.threshold_value, case.threshold_value))
    summary = {}
    for label, pairs in out.items():
        differences = sorted(ours - device for ours, device in pairs)
        summary[label] = {
            "n": len(pairs),
            "median_difference": round(differences[len(differences) // 2], 1),
            "within_5_percent": sum(abs(ours - device) <= 0.05 * device for ours, device in pairs),
        }
    return summary


def _ignore_device_thresholds() -> None:
    """Make the analysis see files without stored thresholds (for this measurement only)."""
    from lactlog.analysis import thresholds

    original = thresholds._device_values
    thresholds._device_values = lambda device: dict.fromkeys(original(device))


def _print(report: dict) -> None:
    n = report["n_sessions"]
    print(f"sessions with AnTE (≥ 10 min, deduplicated): {n}; expected {report['expected']}")
    print(f"with a verdict (empty profile): {report['with_verdict']}/{n}; "
          f"threshold sources {report['threshold_sources']}")
    print(f"defaults: {report['defaults']}")
    t, h = report["tuning_part"], report["held_out_part"]
    print(f"tuning part ({t['devices']}): defaults agree on {t['agree_defaults']}/{t['n']}; "
          f"the grid's best {t['agree_best']}/{t['n']} with {t['best']}")
    print("\n".join(_format_confusion(t["confusion_defaults"])))
    print(f"held-out part ({h['devices']}): defaults agree on {h['agree_defaults']}/{h['n']}; "
          f"the tuning part's best parameters on {h['agree_with_tuned']}/{h['n']}")
    print("\n".join(_format_confusion(h["confusion_defaults"])))
    lodo = report["leave_one_device_out"]
    print(f"leave-one-device-out ({lodo['devices']} products): {lodo['agree']}/{lodo['n']}")
    print(f"mean aerobic TE by verdict: {report['mean_aerobic_te_by_verdict']}")
    for label, d in report.get("history_vs_device", {}).items():
        print(f"{label} without the file's thresholds vs the device's own ({d['n']} sessions): "
              f"median difference {d['median_difference']:+}, within 5 % on "
              f"{d['within_5_percent']}")
    if report.get("cases"):
        print("every session (tuning part first, by AnTE):")
        for c in report["cases"]:
            depletion = ("–" if c["w_prime_depletion"] is None
                         else f"{c['w_prime_depletion']:.0%}")
            value = "–" if c["threshold_value"] is None else f"{c['threshold_value']:.0f}"
            print(f"  [{c['part']}] {c['session']} ({c['product']}): AnTE {c['ante']} "
                  f"(aerobic {c['aerobic_te']}) -> {c['expected']}, lactlog {c['verdict']}; "
                  f"{c['time_above_lt_s'] or 0:.0f} s above {c['threshold']} {value}, "
                  f"{c['in_efforts_s'] or 0:.0f} s in {c['n_efforts']} efforts, W' fell "
                  f"{depletion}; threshold {c['threshold_source']}")
    print("disagreements with the defaults:")
    for d in report["disagreements"]:
        print(f"  [{d['part']}] {d['session']} ({d['product']}): AnTE {d['ante']} -> "
              f"{d['expected']}, lactlog {d['verdict']}; threshold {d['threshold']}")


if __name__ == "__main__":
    sys.exit(main())
