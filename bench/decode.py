"""Benchmark lactlog's FIT reading against fitparse (and fitdecode / fitfast when installed).

Usage::

    python bench/decode.py [--corpus PATH] [--repeat N] [--fitparse-repeat N] [--json]

What is measured, per FIT file of the corpus (default ``../shared/corpus/fit/`` beside the
repository root; every ``*.fit`` / ``*.FIT`` file, in name order):

``lactlog.read``
    ``lactlog.io.read(path)``: lactlog's full read with its default (columnar numpy) decoder,
    i.e. reading the file, decoding, and building the canonical ``Activity`` objects.
``lactlog.decode``
    ``lactlog.io.fit.decode.decode(data)``: the decode step alone, bytes already in memory.
``fitparse``
    ``fitparse.FitFile(path).parse()``: a complete fitparse parse of every message (what
    "fitparse decodes N records/s" refers to). If ``check_crc=True`` raises a CRC error the
    file is parsed with ``check_crc=False`` (the failed attempt is not timed; the row is
    marked ``*``). Any other fitparse error is recorded and the file left out of the ratios.
``fitdecode`` / ``fitfast`` (only if importable; never installed by this script)
    ``for frame in fitdecode.FitReader(path)``, and ``fitfast.parse(path)`` (fitfast's full
    dict decode of all messages, its documented counterpart of a complete parse).

Each timing is the best (minimum) of ``--repeat`` runs (``--fitparse-repeat`` for fitparse,
default 1 as it is slow), with :func:`time.perf_counter`. The record count of a file is the
number of FIT records (definition + data messages), ``decode(data).n_records``. Imports
(lactlog, numpy, pandas, fitparse, ...) are warmed up on the smallest file before any timing.

Aggregates: per tool, records / total time over the files it read; the lactlog.read vs
fitparse ratio as total fitparse time / total lactlog.read time over the files both read,
and the median of the per-file ratios. Finally ``lactlog --help`` start-up wall time
(``python -m lactlog --help`` and the console script beside ``sys.executable``), best and
median of 5 runs each, against a 0.3 s budget.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpus" / "fit"
HELP_BUDGET_S = 0.3
HELP_RUNS = 5
OPTIONAL_TOOLS: tuple[str, ...] = ("fitdecode", "fitfast")


@dataclass
class FileResult:
    """Timings (seconds, best of N) and failures for one file."""

    file: str
    size_bytes: int
    records: int | None = None
    times: dict[str, float] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    fitparse_crc_off: bool = False

    def ratio(self) -> float | None:
        """fitparse time / lactlog.read time, if both read the file."""
        read, ref = self.times.get("lactlog.read"), self.times.get("fitparse")
        return ref / read if read and ref is not None else None


# ---------------------------------------------------------------- timing primitives


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Run ``fn`` ``repeat`` times; return the shortest wall time [s] and the last result."""
    best, result = float("inf"), None
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def time_fitparse(path: Path, repeat: int) -> tuple[float, bool]:
    """Best time of a full fitparse parse; also whether the CRC check had to be turned off."""
    import fitparse
    from fitparse.utils import FitCRCError

    check_crc, best, runs = True, float("inf"), 0
    while runs < max(1, repeat):
        start = time.perf_counter()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fitparse.FitFile(str(path), check_crc=check_crc).parse()
        except FitCRCError:
            if not check_crc:
                raise
            check_crc = False  # retry without the check; this attempt is not timed
            continue
        except Exception as exc:
            if check_crc:
                raise
            raise RuntimeError(f"CRC mismatch; with check_crc=False: {_describe(exc)}") from exc
        best = min(best, time.perf_counter() - start)
        runs += 1
    return best, not check_crc


def optional_readers() -> dict[str, Callable[[Path], None]]:
    """Readers of the optional third-party decoders that are importable."""
    readers: dict[str, Callable[[Path], None]] = {}
    for name in OPTIONAL_TOOLS:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if name == "fitdecode":
            readers[name] = lambda path, m=module: _drain_fitdecode(m, path)
        elif name == "fitfast":
            readers[name] = lambda path, m=module: m.parse(str(path))
    return readers


def _drain_fitdecode(module: Any, path: Path) -> None:
    with module.FitReader(str(path)) as reader:
        for _frame in reader:
            pass


# ---------------------------------------------------------------- the corpus run


def fit_files(corpus: Path) -> list[Path]:
    """Every FIT file directly in ``corpus`` (case-insensitive ``.fit``), sorted by name."""
    return sorted(p for p in corpus.iterdir() if p.is_file() and p.suffix.lower() == ".fit")


def warm_up(files: list[Path], extra: dict[str, Callable[[Path], None]]) -> None:
    """Import everything and read the smallest file once with each tool (not timed)."""
    import fitparse  # noqa: F401
    import numpy  # noqa: F401
    import pandas  # noqa: F401

    import lactlog.io
    from lactlog.io.fit.decode import decode

    smallest = min(files, key=lambda p: p.stat().st_size)
    for action in (
        lambda: lactlog.io.read(smallest),
        lambda: decode(smallest.read_bytes()),
        lambda: time_fitparse(smallest, 1),
        *(lambda r=reader: r(smallest) for reader in extra.values()),
    ):
        with contextlib.suppress(Exception):  # a failure here shows again when timed
            action()


def measure_file(
    path: Path, repeat: int, fitparse_repeat: int, extra: dict[str, Callable[[Path], None]]
) -> FileResult:
    """Time every tool on one file; failures are recorded, never raised."""
    import lactlog.io
    from lactlog.io.fit.decode import decode

    result = FileResult(file=path.name, size_bytes=path.stat().st_size)
    data = path.read_bytes()
    try:
        result.times["lactlog.decode"], decoded = best_of(lambda: decode(data), repeat)
        result.records = decoded.n_records
    except Exception as exc:  # noqa: BLE001 - recorded as a failure
        result.errors["lactlog.decode"] = _describe(exc)
    try:
        result.times["lactlog.read"], _ = best_of(lambda: lactlog.io.read(path), repeat)
    except Exception as exc:  # noqa: BLE001 - recorded as a failure
        result.errors["lactlog.read"] = _describe(exc)
    try:
        result.times["fitparse"], result.fitparse_crc_off = time_fitparse(path, fitparse_repeat)
    except Exception as exc:  # noqa: BLE001 - recorded as a failure
        result.errors["fitparse"] = _describe(exc)
    for name, reader in extra.items():
        try:
            result.times[name], _ = best_of(lambda r=reader: r(path), repeat)
        except Exception as exc:  # noqa: BLE001 - recorded as a failure
            result.errors[name] = _describe(exc)
    return result


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}"[:200]


# ---------------------------------------------------------------- aggregates


def aggregate(results: list[FileResult], tools: list[str]) -> dict[str, Any]:
    """Per-tool totals and records/s, plus the lactlog.read vs fitparse ratios."""
    per_tool: dict[str, dict[str, Any]] = {}
    for tool in tools:
        done = [r for r in results if tool in r.times and r.records is not None]
        seconds = sum(r.times[tool] for r in done)
        records = sum(r.records or 0 for r in done)
        per_tool[tool] = {
            "files": len(done),
            "failed": sorted(r.file for r in results if tool in r.errors),
            "records": records,
            "seconds": seconds,
            "records_per_s": records / seconds if seconds else None,
        }
    both = [r for r in results if r.ratio() is not None and r.records is not None]
    read_s = sum(r.times["lactlog.read"] for r in both)
    decode_s = sum(r.times.get("lactlog.decode", 0.0) for r in both)
    fitparse_s = sum(r.times["fitparse"] for r in both)
    ratios = [r.ratio() for r in both]
    return {
        "tools": per_tool,
        "vs_fitparse": {
            "files": len(both),
            "records": sum(r.records or 0 for r in both),
            "excluded": sorted(r.file for r in results if r not in both),
            "lactlog_read_s": read_s,
            "fitparse_s": fitparse_s,
            "aggregate_ratio_read": fitparse_s / read_s if read_s else None,
            "aggregate_ratio_decode": fitparse_s / decode_s if decode_s else None,
            "median_ratio_read": statistics.median(ratios) if ratios else None,
        },
    }


# ---------------------------------------------------------------- `lactlog --help`


def time_command(command: list[str], runs: int = HELP_RUNS) -> dict[str, Any]:
    """Wall time of ``command`` over ``runs`` runs: best, median, and whether it succeeded."""
    times: list[float] = []
    failure = None
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
        if done.returncode != 0 and failure is None:
            tail = done.stderr.decode(errors="replace").strip().splitlines()[-1:]
            failure = f"exit {done.returncode}: {' '.join(tail)}"
    best, median = min(times), statistics.median(times)
    return {
        "command": " ".join(command),
        "runs": times,
        "best_s": best,
        "median_s": median,
        "best_within_budget": best <= HELP_BUDGET_S,
        "median_within_budget": median <= HELP_BUDGET_S,
        "budget_s": HELP_BUDGET_S,
        "error": failure,
    }


def help_timings() -> dict[str, Any]:
    """``python -m lactlog --help`` and the ``lactlog`` console script, if installed."""
    timings = {"python -m lactlog": time_command([sys.executable, "-m", "lactlog", "--help"])}
    script = Path(sys.executable).parent / "lactlog"
    if script.exists():
        timings["console script"] = time_command([str(script), "--help"])
    else:
        timings["console script"] = {"error": f"not found: {script}"}
    return timings


# ---------------------------------------------------------------- text output


def _ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.1f}"


def row_text(r: FileResult, extra: list[str]) -> str:
    """One line of the per-file table."""
    fitparse_cell = "FAIL" if "fitparse" in r.errors else _ms(r.times.get("fitparse"))
    if r.fitparse_crc_off:
        fitparse_cell += "*"
    ratio = r.ratio()
    cells = [
        f"{r.file[:52]:<52}",
        f"{r.records if r.records is not None else '-':>8}",
        f"{_ms(r.times.get('lactlog.read')):>10}",
        f"{_ms(r.times.get('lactlog.decode')):>10}",
        f"{fitparse_cell:>11}",
        f"{'-' if ratio is None else f'{ratio:.1f}x':>7}",
    ]
    cells += [f"{_ms(r.times.get(name)):>10}" for name in extra]
    return " ".join(cells)


def header_text(extra: list[str]) -> str:
    """Header of the per-file table."""
    names = ["file", "records", "read ms", "decode ms", "fitparse ms", "ratio", *extra]
    widths = [52, 8, 10, 10, 11, 7, *[10] * len(extra)]
    head = " ".join(f"{n:<{w}}" if i == 0 else f"{n:>{w}}" for i, (n, w) in
                    enumerate(zip(names, widths, strict=True)))
    return f"{head}\n{'-' * len(head)}"


def _x(ratio: float | None) -> str:
    return "-" if ratio is None else f"{ratio:.1f}x"


def summary_text(report: dict[str, Any]) -> str:
    """Aggregate lines, failures, optional tools and the ``--help`` timings."""
    return "\n".join([
        *_aggregate_lines(report["aggregate"]),
        *_failure_lines(report),
        "", "Optional tools",
        *(f"  {name}: {state}" for name, state in report["optional_tools"].items()),
        *_help_lines(report["help"]),
    ])


def _aggregate_lines(agg: dict[str, Any]) -> list[str]:
    lines = ["", "Aggregate"]
    for tool, t in agg["tools"].items():
        rate = f"{t['records_per_s']:,.0f} records/s" if t["records_per_s"] else "-"
        lines.append(f"  {tool:<15} {t['files']:>4} files  {t['records']:>10,} records  "
                     f"{t['seconds']:>9.3f} s  {rate}")
    vs = agg["vs_fitparse"]
    lines.append(f"  lactlog.read vs fitparse over {vs['files']} files ({vs['records']:,} records):"
                 f" fitparse {vs['fitparse_s']:.3f} s / lactlog.read {vs['lactlog_read_s']:.3f} s")
    lines.append(f"    aggregate ratio {_x(vs['aggregate_ratio_read'])}, "
                 f"median per-file ratio {_x(vs['median_ratio_read'])}, "
                 f"decode-only aggregate ratio {_x(vs['aggregate_ratio_decode'])}")
    return lines


def _failure_lines(report: dict[str, Any]) -> list[str]:
    failures = [(f["file"], tool, err)
                for f in report["files"] for tool, err in f["errors"].items()]
    lines = ["", "Failures" if failures else "Failures: none"]
    lines += [f"  {tool}: {name}: {err}" for name, tool, err in failures]
    if report["excluded_from_ratio"]:
        lines.append(f"  excluded from ratios: {', '.join(report['excluded_from_ratio'])}")
    if any(f["fitparse_crc_off"] for f in report["files"]):
        lines.append("  * fitparse read with check_crc=False (CRC mismatch with the check on)")
    return lines


def _help_lines(timings: dict[str, dict[str, Any]]) -> list[str]:
    lines = ["", f"`lactlog --help` wall time ({HELP_RUNS} runs each)"]
    for label, t in timings.items():
        if "best_s" not in t:
            lines.append(f"  {label:<18} {t['error']}")
            continue
        flags = ["ok" if t[k] else "OVER" for k in ("best_within_budget", "median_within_budget")]
        lines.append(f"  {label:<18} best {t['best_s']:.3f} s [{flags[0]}]  median "
                     f"{t['median_s']:.3f} s [{flags[1]}]  (budget <= {HELP_BUDGET_S} s)"
                     + (f"  ({t['error']})" if t["error"] else ""))
    return lines


def slowest_text(results: list[FileResult], extra: list[str], n: int = 5) -> str:
    """The ``n`` files on which lactlog.read took longest."""
    timed = [r for r in results if "lactlog.read" in r.times]
    slow = sorted(timed, key=lambda r: r.times["lactlog.read"], reverse=True)[:n]
    return "\n".join(["", f"Slowest {len(slow)} files for lactlog.read", header_text(extra),
                      *(row_text(r, extra) for r in slow)])


# ---------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                        help=f"folder of FIT files (default: {DEFAULT_CORPUS})")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs per file for lactlog, fitdecode, fitfast (best kept)")
    parser.add_argument("--fitparse-repeat", type=int, default=1,
                        help="runs per file for fitparse (best kept; default 1, it is slow)")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> dict[str, Any] | None:
    """Measure the corpus and ``--help``; ``None`` (after a message) if there is no corpus."""
    files = fit_files(args.corpus) if args.corpus.is_dir() else []
    if not files:
        message = f"no FIT files at {args.corpus}: benchmark skipped"
        print(json.dumps({"skipped": message}) if args.json else message)
        return None
    extra = optional_readers()
    optional = {n: ("installed" if n in extra else "not installed") for n in OPTIONAL_TOOLS}
    if not args.json:
        print(f"corpus {args.corpus} ({len(files)} FIT files), repeat {args.repeat}, "
              f"fitparse repeat {args.fitparse_repeat}, Python {sys.version.split()[0]}")
        print(*(f"{n}: {s}" for n, s in optional.items()), sep="\n")
    warm_up(files, extra)
    if not args.json:
        print(header_text(list(extra)))
    results = []
    for path in files:
        results.append(measure_file(path, args.repeat, args.fitparse_repeat, extra))
        if not args.json:
            print(row_text(results[-1], list(extra)), flush=True)
    tools = ["lactlog.read", "lactlog.decode", "fitparse", *extra]
    agg = aggregate(results, tools)
    return {
        "corpus": str(args.corpus),
        "python": sys.version.split()[0],
        "repeat": args.repeat,
        "fitparse_repeat": args.fitparse_repeat,
        "optional_tools": optional,
        "files": [asdict(r) | {"ratio": r.ratio()} for r in results],
        "excluded_from_ratio": agg["vs_fitparse"]["excluded"],
        "aggregate": agg,
        "help": help_timings(),
        "_results": results,
        "_extra": list(extra),
    }


def main(argv: list[str] | None = None) -> int:
    """Entry point; always exits 0."""
    args = parse_args(argv)
    report = run(args)
    if report is None:
        return 0
    results, extra = report.pop("_results"), report.pop("_extra")
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(summary_text(report))
        print(slowest_text(results, extra))
    return 0


if __name__ == "__main__":
    sys.exit(main())
