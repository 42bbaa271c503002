"""Long-running, multi-process mutation fuzzer of lactlog's FIT reader.

Usage::

    python bench/fuzz.py                          # 1,000,000 inputs on every core
    python bench/fuzz.py --inputs 50000 --jobs 2 --seconds 120
    python bench/fuzz.py --replay 1:4711          # re-run one input (worker 1, input 4711)

Each input goes through ``lactlog.io.read_bytes(data, "fuzz.fit")``: sniffing, the columnar
decoder and the activity builder, exactly what ``lactlog.io.read`` does after loading a file.

Inputs: seeds are the FIT files of the corpus (``../shared/corpus/fit`` and ``fit-broken``
beside the repository root, shrunk to their definitions and the first/last records of each
message so one read takes 1–3 ms instead of 5–50 ms) plus FIT files generated from scratch with
``FitWriter`` (random layouts, big-endian, compressed timestamps, developer fields). Each input
is a seed with 1–3 mutations of ``tests/fuzzkit.py`` (bit flips, interesting bytes, truncation,
records spliced from another seed, huge data size in the header, bogus field counts/sizes/types
in definitions, record-header changes, extreme values, duplicated or deleted chunks, chained
files); 3 % are fresh generated files. Input ``i`` of worker ``w`` is a pure function of
``(--seed, w, i)``, so every finding can be replayed.

Outcomes: ``ok`` (sessions returned, with or without warnings), ``LactlogError`` (by class: the
reader refused the input cleanly), ``crash`` (any other exception: a bug), ``hang`` (over
``--timeout`` seconds, enforced with SIGALRM in the worker; a worker that stops responding
altogether is killed by the parent and its current input counted as a hang). Crashes and hangs
are saved under ``bench/fuzz-findings/`` (input bytes + a text file with the traceback and the
replay id), at most 5 inputs per distinct crash site.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing as mp
import os
import queue
import random
import signal
import sys
import time
import traceback
import warnings
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # fuzzkit: the mutators shared with the test suite

import fuzzkit  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
FINDINGS = ROOT / "bench" / "fuzz-findings"
N_GENERATED_SEEDS = 200
MAX_SAVED_PER_SITE = 5
REPORT_EVERY_S = 2.0


class _Timeout(BaseException):
    """Raised by SIGALRM inside a worker: the input took too long."""


def _on_alarm(signum, frame):
    raise _Timeout


def input_rng(seed: int, worker: int, index: int) -> random.Random:
    return random.Random((seed << 48) ^ (worker << 40) ^ index)


def build_pool(corpus: Path, seed: int) -> list[fuzzkit.FitMap]:
    """Shrunk corpus FIT files plus generated ones (the same in every worker)."""
    paths = []
    for folder in ("fit", "fit-broken"):
        base = corpus / folder
        if base.is_dir():
            paths += sorted(p for p in base.iterdir() if p.suffix.lower() == ".fit")
    pool = [m for m in fuzzkit.seeds_from(paths) if len(m.data) >= 12]
    rng = random.Random(seed)
    pool += [fuzzkit.fit_map(fuzzkit.random_fit(rng)) for _ in range(N_GENERATED_SEEDS)]
    return pool


def make_input(pool: list[fuzzkit.FitMap], seed: int, worker: int, index: int) -> bytes:
    rng = input_rng(seed, worker, index)
    if rng.random() < 0.03:
        data = fuzzkit.random_fit(rng)
        if rng.random() < 0.5:
            data = fuzzkit.mutate(fuzzkit.fit_map(data), rng.choice(pool), rng)
        return data
    return fuzzkit.mutate(rng.choice(pool), rng.choice(pool), rng)


def run_one(data: bytes):
    """(outcome, traceback text or None) of reading one input."""
    from lactlog.errors import LactlogError
    from lactlog.io import read_bytes

    try:
        activities = read_bytes(data, "fuzz.fit")
    except LactlogError as exc:
        return f"LactlogError: {type(exc).__name__}", None
    except _Timeout:
        raise
    except Exception as exc:  # noqa: BLE001 - that is the point
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        site = f"{type(exc).__name__} at {Path(frame.filename).name}:{frame.lineno}"
        return f"crash: {site}", traceback.format_exc()
    warned = any(a.meta.warnings for a in activities)
    return ("ok (with warnings)" if warned else "ok"), None


def save_finding(kind: str, data: bytes, text: str, replay: str, site: str) -> Path:
    FINDINGS.mkdir(parents=True, exist_ok=True)
    site_hash = hashlib.sha1(site.encode()).hexdigest()[:8]
    name = f"{kind}-{site_hash}-{hashlib.sha256(data).hexdigest()[:12]}"
    (FINDINGS / f"{name}.fit").write_bytes(data)
    (FINDINGS / f"{name}.txt").write_text(f"{site}\nreplay: --replay {replay}\n\n{text}")
    return FINDINGS / f"{name}.fit"


def worker_main(worker: int, args, quota: int, deadline: float, current, results) -> None:
    warnings.simplefilter("ignore")  # numpy cast warnings on garbage values are not findings
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    signal.signal(signal.SIGALRM, _on_alarm)
    import lactlog.io.fit.activity  # noqa: F401  - warm imports before timing
    import lactlog.io.fit.decode  # noqa: F401

    pool = build_pool(Path(args.corpus), args.seed)
    counts: Counter = Counter()
    saved: Counter = Counter()
    slowest = (0.0, "")
    last_report = time.monotonic()
    done = 0
    for index in range(quota):
        if time.time() > deadline:
            break
        current[worker] = index
        data = make_input(pool, args.seed, worker, index)
        started = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, args.timeout)
        try:
            outcome, text = run_one(data)
        except _Timeout:
            outcome, text = "hang", f"over {args.timeout} s"
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        elapsed = time.perf_counter() - started
        if elapsed > slowest[0]:
            slowest = (elapsed, f"{worker}:{index}")
        counts[outcome] += 1
        done += 1
        if outcome == "hang" or outcome.startswith("crash"):
            site = outcome
            if saved[site] < MAX_SAVED_PER_SITE:
                saved[site] += 1
                save_finding(outcome.split(":")[0], data, text, f"{worker}:{index}", site)
        now = time.monotonic()
        if now - last_report > REPORT_EVERY_S:
            results.put(("progress", worker, dict(counts), slowest))
            last_report = now
    results.put(("done", worker, dict(counts), slowest))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=int, default=1_000_000, help="inputs to try in all")
    parser.add_argument("--seconds", type=float, default=None, help="stop after this long")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    parser.add_argument("--timeout", type=float, default=2.0, help="per-input limit [s]")
    parser.add_argument("--seed", type=int, default=1, help="base seed (inputs are replayable)")
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS), help="corpus folder")
    parser.add_argument("--replay", help="WORKER:INDEX - regenerate and read one input")
    parser.add_argument("--json", action="store_true", help="final report as JSON on stdout")
    args = parser.parse_args(argv)
    if args.replay:
        return replay(args)
    if not (Path(args.corpus) / "fit").is_dir():
        print(f"no corpus at {args.corpus}; seeds are generated files only", file=sys.stderr)
    jobs = max(1, args.jobs)
    deadline = time.time() + args.seconds if args.seconds else float("inf")
    quotas = [args.inputs // jobs + (w < args.inputs % jobs) for w in range(jobs)]
    context = mp.get_context("fork" if sys.platform != "win32" else "spawn")
    current = context.Array("q", jobs, lock=False)
    results = context.Queue()
    workers = {
        w: context.Process(
            target=worker_main, args=(w, args, quotas[w], deadline, current, results)
        )
        for w in range(jobs)
    }
    started = time.perf_counter()
    for process in workers.values():
        process.start()
    for signum in (signal.SIGINT, signal.SIGTERM):  # stop early, still report (also under nohup)
        signal.signal(signum, signal.default_int_handler)
    totals = {w: Counter() for w in workers}
    slowest = {w: (0.0, "") for w in workers}
    heard = {w: time.monotonic() for w in workers}
    stuck = Counter()
    finished: set[int] = set()
    last_print = 0.0
    try:
        while len(finished) < len(workers):
            try:
                kind, w, counts, slow = results.get(timeout=1.0)
                totals[w], slowest[w], heard[w] = Counter(counts), slow, time.monotonic()
                if kind == "done":
                    finished.add(w)
            except queue.Empty:
                pass
            for w, process in workers.items():  # a worker silent for long is stuck in C code
                silent = time.monotonic() - heard[w]
                if w not in finished and silent > max(30.0, 10 * args.timeout) + REPORT_EVERY_S:
                    index = current[w]
                    process.kill()
                    process.join()
                    data = make_input(build_pool(Path(args.corpus), args.seed), args.seed, w, index)
                    save_finding("hang", data, "worker stopped responding", f"{w}:{index}", "hang")
                    stuck[w] += 1
                    totals[w]["hang"] += 1
                    finished.add(w)
                    print(f"worker {w} stuck at input {index}; killed", file=sys.stderr)
            if time.monotonic() - last_print > 10:
                last_print = time.monotonic()
                _progress(totals, started)
    except KeyboardInterrupt:
        print("interrupted; partial results:", file=sys.stderr)
        for process in workers.values():
            process.kill()
    for process in workers.values():
        process.join()
    report = _report(totals, slowest, time.perf_counter() - started, jobs, args)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        _print_report(report)
    return 1 if report["crashes"] or report["hangs"] else 0


def _progress(totals: dict[int, Counter], started: float) -> None:
    total = sum(sum(c.values()) for c in totals.values())
    crashes = sum(n for c in totals.values() for k, n in c.items() if k.startswith("crash"))
    hangs = sum(c["hang"] for c in totals.values())
    rate = total / max(time.perf_counter() - started, 1e-9)
    line = f"{total:>10,} inputs  {rate:>7,.0f}/s  crashes {crashes}  hangs {hangs}"
    print(line, file=sys.stderr)


def _report(totals, slowest, elapsed: float, jobs: int, args) -> dict:
    outcomes = Counter()
    for counts in totals.values():
        outcomes.update(counts)
    tried = sum(outcomes.values())
    slow = max(slowest.values())
    return {
        "inputs_tried": tried,
        "seconds": round(elapsed, 1),
        "inputs_per_s": round(tried / elapsed, 1) if elapsed else None,
        "jobs": jobs,
        "seed": args.seed,
        "timeout_s": args.timeout,
        "crashes": sum(n for k, n in outcomes.items() if k.startswith("crash")),
        "hangs": outcomes["hang"],
        "slowest_input_s": round(slow[0], 3),
        "slowest_input_replay": slow[1],
        "outcomes": dict(outcomes.most_common()),
        "findings": str(FINDINGS),
    }


def _print_report(report: dict) -> None:
    print(f"inputs tried   {report['inputs_tried']:,} in {report['seconds']:,} s "
          f"({report['inputs_per_s']:,} inputs/s, {report['jobs']} processes)")
    print(f"crashes        {report['crashes']:,}")
    print(f"hangs          {report['hangs']:,} (limit {report['timeout_s']} s per input)")
    slowest = f"{report['slowest_input_s']} s (--replay {report['slowest_input_replay']})"
    print(f"slowest input  {slowest}")
    print("outcomes:")
    for outcome, n in report["outcomes"].items():
        print(f"  {n:>10,}  {100 * n / max(report['inputs_tried'], 1):5.1f} %  {outcome}")
    if report["crashes"] or report["hangs"]:
        print(f"inputs saved under {report['findings']}")


def replay(args) -> int:
    worker, index = (int(x) for x in args.replay.split(":"))
    data = make_input(build_pool(Path(args.corpus), args.seed), args.seed, worker, index)
    print(f"input {args.replay}: {len(data):,} bytes, sha256 {hashlib.sha256(data).hexdigest()}")
    started = time.perf_counter()
    outcome, text = run_one(data)
    print(f"{outcome} in {time.perf_counter() - started:.3f} s")
    if text:
        print(text)
    return 0 if text is None else 1


if __name__ == "__main__":
    sys.exit(main())
