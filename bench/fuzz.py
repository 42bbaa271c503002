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

``--format tcx`` or ``--format gpx`` fuzzes the XML readers instead (``read_bytes(data,
"fuzz.tcx")``): seeds are the corpus TCX/GPX files (``../shared/corpus/tcx-gpx``, shrunk to 60
track points), the sample TCX, generated TCX (``write_tcx``) and GPX files, and the hostile
documents of ``lactlog.testing.hostile_xml``, each with 1–3 steps of
``tests/xmlfuzzkit.py``'s ``mutate_xml`` (structure-aware: elements repeated, deleted, moved,
renamed, deeply wrapped; extreme texts, references, DOCTYPEs, comments, encodings, UTF-16;
plus byte damage); 3 % are fresh generated files. ``--format cache`` fuzzes the result-cache
loader: rows of the sample data's summaries and best efforts, mutated by
``lactlog.testing.cache_rows`` (values of other types, keys dropped/added/renamed, row type and
format changed, byte damage); outcomes ``loaded`` (every value of its declared type) or
``refused`` (``RowError``, a cache miss); anything else is a crash. ``--format csv`` fuzzes
the time-series CSV reader (seeds: the corpus and sample CSVs, shrunk, and generated tables),
``--format lifting`` the Strong/Hevy/FitNotes reader (seeds: the corpus Strong export, shrunk,
generated Strong and Hevy exports, a FitNotes log), both read as ``fuzz.csv`` with
``tests/csvfuzzkit.py``'s ``mutate_csv`` (cells set to extreme values, headers renamed to other
readers' names, lines deleted/duplicated/spliced, delimiters, truncation mid-quote, BOM and
UTF-16, long lines, byte damage); 3 % are tables generated from scratch. ``--rss-cap-mb`` limits each worker's
address space (``RLIMIT_AS``, above what it had mapped after its imports): a MemoryError is
counted as ``memory`` (a finding, like a crash), and the report gives the workers' peak RSS.

Outcomes: ``ok`` (sessions returned, with or without warnings), ``LactlogError`` (by class: the
reader refused the input cleanly), ``crash`` (any other exception: a bug), ``hang`` (over
``--timeout`` seconds of CPU time, enforced with SIGPROF in the worker, so that a loaded machine
does not turn slow into hung; the slowest input is given in CPU seconds too; a worker that stops responding
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

import csvfuzzkit  # noqa: E402
import fuzzkit  # noqa: E402
import xmlfuzzkit  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
FINDINGS = ROOT / "bench" / "fuzz-findings"
N_GENERATED_SEEDS = 200
MAX_SAVED_PER_SITE = 5
REPORT_EVERY_S = 2.0


class _Timeout(BaseException):
    """Raised by SIGALRM inside a worker: the input took too long."""


#: The per-input limit counts the worker's CPU time (SIGPROF), so that a machine shared with
#: other work does not turn a slow input into a "hang"; an input stuck without using CPU is
#: caught by the parent's silence check.
_TIMER = signal.ITIMER_PROF


def _on_alarm(signum, frame):
    raise _Timeout


def input_rng(seed: int, worker: int, index: int) -> random.Random:
    return random.Random((seed << 48) ^ (worker << 40) ^ index)


def build_pool(corpus: Path, seed: int, fmt: str = "fit") -> list:
    """Shrunk corpus FIT files plus generated ones (the same in every worker); for ``tcx`` and
    ``gpx``, the XML seeds (both formats: a mutant may cross over)."""
    if fmt == "cache":
        return build_cache_pool()
    if fmt in ("csv", "lifting"):
        return build_csv_pool(corpus, fmt)
    if fmt != "fit":
        return build_xml_pool(corpus, seed)
    paths = []
    for folder in ("fit", "fit-broken"):
        base = corpus / folder
        if base.is_dir():
            paths += sorted(p for p in base.iterdir() if p.suffix.lower() == ".fit")
    pool = [m for m in fuzzkit.seeds_from(paths) if len(m.data) >= 12]
    rng = random.Random(seed)
    pool += [fuzzkit.fit_map(fuzzkit.random_fit(rng)) for _ in range(N_GENERATED_SEEDS)]
    return pool


def build_xml_pool(corpus: Path, seed: int) -> list[bytes]:
    base = corpus / "tcx-gpx"
    paths = sorted(p for p in base.iterdir() if p.suffix.lower() in (".tcx", ".gpx")) if (
        base.is_dir()) else []
    paths += sorted((ROOT / "sample_data").glob("*.tcx"))
    pool = [fuzzkit.shrink_text(p.read_bytes()) for p in paths]
    rng = random.Random(seed)
    pool += [xmlfuzzkit.random_tcx(rng) for _ in range(20)]
    pool += [xmlfuzzkit.random_gpx(rng) for _ in range(20)]
    return pool + [data for _, data in xmlfuzzkit.hostile_seeds()]


def build_csv_pool(corpus: Path, fmt: str) -> list[bytes]:
    """``csv``: the corpus and sample time-series CSVs (shrunk) plus generated tables;
    ``lifting``: the corpus Strong export (shrunk), generated Strong/Hevy exports, FitNotes."""
    base = corpus / "csv"
    paths = sorted(p for p in base.iterdir() if p.suffix.lower() == ".csv") if base.is_dir() \
        else []
    strong = [p for p in paths if "strong" in p.name.lower()]
    if fmt == "lifting":
        return csvfuzzkit.lifting_seeds(strong[0].read_bytes() if strong else None)
    series = [p for p in paths if p not in strong] + sorted((ROOT / "sample_data").glob("*.csv"))
    return csvfuzzkit.timeseries_seeds(series)


def build_cache_pool() -> list[bytes]:
    """Result-cache rows (both batch passes) of the sample data, as the cache stores them."""
    from lactlog.batch import analyse_paths, history_bests
    from lactlog.cache_format import encode

    sample = [ROOT / "sample_data"]
    rows = [encode((s,)) for s in analyse_paths(sample, jobs=1).sessions]
    rows += [encode((d,)) for d in history_bests(sample, jobs=1)[0]]
    return rows + [encode(tuple(analyse_paths(sample, jobs=1, merge=False).sessions))]


def make_input(pool: list, seed: int, worker: int, index: int, fmt: str = "fit") -> bytes:
    rng = input_rng(seed, worker, index)
    if fmt == "cache":
        from lactlog.testing.cache_rows import mutate

        return mutate(rng.choice(pool), rng.choice(pool), rng)
    if fmt in ("csv", "lifting"):
        if rng.random() < 0.03:
            return csvfuzzkit.random_table(rng, lifting=fmt == "lifting")
        return csvfuzzkit.mutate_csv(rng.choice(pool), rng.choice(pool), rng)
    if fmt != "fit":
        if rng.random() < 0.03:
            build = xmlfuzzkit.random_tcx if fmt == "tcx" else xmlfuzzkit.random_gpx
            return build(rng)
        return xmlfuzzkit.mutate_xml(rng.choice(pool), rng.choice(pool), rng)
    if rng.random() < 0.03:
        data = fuzzkit.random_fit(rng)
        if rng.random() < 0.5:
            data = fuzzkit.mutate(fuzzkit.fit_map(data), rng.choice(pool), rng)
        return data
    return fuzzkit.mutate(rng.choice(pool), rng.choice(pool), rng)


def input_name(fmt: str) -> str:
    """The name an input is read under (its extension is the readers' format hint)."""
    return "fuzz.csv" if fmt == "lifting" else f"fuzz.{fmt}"


def run_one(data: bytes, name: str = "fuzz.fit"):
    """(outcome, traceback text or None) of reading one input."""
    from lactlog.errors import LactlogError
    from lactlog.io import read_bytes

    try:
        if name.endswith(".cache"):  # a result-cache row: loaded typed, or refused
            from lactlog.testing.cache_rows import check_row

            return check_row(data), None
        activities = read_bytes(data, name)
    except LactlogError as exc:
        return f"LactlogError: {type(exc).__name__}", None
    except _Timeout:
        raise
    except MemoryError:
        return "memory", traceback.format_exc()
    except Exception as exc:  # noqa: BLE001 - that is the point
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        site = f"{type(exc).__name__} at {Path(frame.filename).name}:{frame.lineno}"
        return f"crash: {site}", traceback.format_exc()
    warned = any(a.meta.warnings for a in activities)
    return ("ok (with warnings)" if warned else "ok"), None


def save_finding(
    kind: str, data: bytes, text: str, replay: str, site: str, fmt: str = "fit"
) -> Path:
    FINDINGS.mkdir(parents=True, exist_ok=True)
    site_hash = hashlib.sha1(site.encode()).hexdigest()[:8]
    name = f"{kind}-{site_hash}-{hashlib.sha256(data).hexdigest()[:12]}"
    (FINDINGS / f"{name}.{fmt}").write_bytes(data)
    (FINDINGS / f"{name}.txt").write_text(
        f"{site}\nreplay: --format {fmt} --replay {replay}\n\n{text}"
    )
    return FINDINGS / f"{name}.{fmt}"


def _limit_address_space(cap_mb: float | None) -> None:
    """RLIMIT_AS at what the process has mapped now plus ``cap_mb``."""
    if not cap_mb:
        return
    import resource

    with open("/proc/self/status") as status:
        mapped = next((int(line.split()[1]) * 1024 for line in status
                       if line.startswith("VmSize:")), 0)
    limit = mapped + int(cap_mb * 2**20)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def worker_main(worker: int, args, quota: int, deadline: float, current, results) -> None:
    warnings.simplefilter("ignore")  # numpy cast warnings on garbage values are not findings
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.signal(signal.SIGPROF, _on_alarm)
    import lactlog.io.fit.activity  # noqa: F401  - warm imports before timing
    import lactlog.io.fit.decode  # noqa: F401
    import lactlog.io.gpx  # noqa: F401
    import lactlog.io.tcx  # noqa: F401

    fmt = args.format
    pool = build_pool(Path(args.corpus), args.seed, fmt)
    _limit_address_space(args.rss_cap_mb)
    counts: Counter = Counter()
    saved: Counter = Counter()
    slowest = (0.0, "")
    last_report = time.monotonic()
    done = 0
    for index in range(quota):
        if time.time() > deadline:
            break
        current[worker] = index
        data = make_input(pool, args.seed, worker, index, fmt)
        started = time.process_time()
        signal.setitimer(_TIMER, args.timeout)
        try:
            outcome, text = run_one(data, input_name(fmt))
        except _Timeout:
            outcome, text = "hang", f"over {args.timeout} s"
        finally:
            signal.setitimer(_TIMER, 0)
        elapsed = time.process_time() - started
        if elapsed > slowest[0]:
            slowest = (elapsed, f"{worker}:{index}")
        peak = round(_peak_rss_mb())
        if peak > counts["peak_rss_mb"]:  # this input raised the high-water mark [MB]
            counts["peak_rss_mb"], counts[f"peak_rss_input {worker}:{index}"] = peak, 1
        counts[outcome] += 1
        done += 1
        if outcome in ("hang", "memory") or outcome.startswith("crash"):
            site = outcome
            if saved[site] < MAX_SAVED_PER_SITE:
                saved[site] += 1
                save_finding(outcome.split(":")[0], data, text, f"{worker}:{index}", site, fmt)
        now = time.monotonic()
        if now - last_report > REPORT_EVERY_S:
            results.put(("progress", worker, _without_old_peaks(counts), slowest))
            last_report = now
    results.put(("done", worker, _without_old_peaks(counts), slowest))


def _without_old_peaks(counts: Counter) -> dict:
    """The counts with only the last input that raised the peak RSS."""
    peaks = [k for k in counts if k.startswith("peak_rss_input")]
    return {k: v for k, v in counts.items() if k not in peaks[:-1]}


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
    parser.add_argument("--format", choices=("fit", "tcx", "gpx", "cache", "csv", "lifting"),
                        default="fit",
                        help="reader to fuzz (tcx/gpx: the XML seeds and mutators)")
    parser.add_argument("--rss-cap-mb", type=float, default=None,
                        help="address-space limit of each worker above its imports [MB]")
    args = parser.parse_args(argv)
    if args.replay:
        return replay(args)
    if not (Path(args.corpus) / ("fit" if args.format == "fit" else "tcx-gpx")).is_dir():
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
                    pool = build_pool(Path(args.corpus), args.seed, args.format)
                    data = make_input(pool, args.seed, w, index, args.format)
                    save_finding("hang", data, "worker stopped responding", f"{w}:{index}", "hang",
                                 args.format)
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
    return 1 if report["crashes"] or report["hangs"] or report["memory"] else 0


def _progress(totals: dict[int, Counter], started: float) -> None:
    total = sum(n for c in totals.values() for k, n in c.items() if not k.startswith("peak_rss"))
    crashes = sum(n for c in totals.values() for k, n in c.items() if k.startswith("crash"))
    hangs = sum(c["hang"] for c in totals.values())
    memory = sum(c["memory"] for c in totals.values())
    peak = max((c.get("peak_rss_mb", 0) for c in totals.values()), default=0)
    rate = total / max(time.perf_counter() - started, 1e-9)
    line = (f"{total:>10,} inputs  {rate:>7,.0f}/s  crashes {crashes}  hangs {hangs}  "
            f"memory {memory}  peak RSS {peak} MB")
    print(line, file=sys.stderr)


def _report(totals, slowest, elapsed: float, jobs: int, args) -> dict:
    outcomes = Counter()
    peak_rss_mb, peak_input = 0, ""
    for counts in totals.values():
        counts = Counter(counts)
        worker_peak = counts.pop("peak_rss_mb", 0)
        inputs = [k.split()[1] for k in counts if k.startswith("peak_rss_input")]
        if worker_peak >= peak_rss_mb and inputs:
            peak_rss_mb, peak_input = worker_peak, inputs[-1]
        outcomes.update({k: n for k, n in counts.items() if not k.startswith("peak_rss")})
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
        "memory": outcomes["memory"],
        "format": args.format,
        "rss_cap_mb": args.rss_cap_mb,
        "peak_rss_mb": peak_rss_mb,
        "peak_rss_input_replay": peak_input,
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
    print(f"memory         {report['memory']:,} MemoryError (cap {report['rss_cap_mb']} MB)")
    print(f"peak RSS       {report['peak_rss_mb']:,} MB (largest worker, {report['format']}; "
          f"reached at --replay {report['peak_rss_input_replay']})")
    slowest = f"{report['slowest_input_s']} s (--replay {report['slowest_input_replay']})"
    print(f"slowest input  {slowest}")
    print("outcomes:")
    for outcome, n in report["outcomes"].items():
        print(f"  {n:>10,}  {100 * n / max(report['inputs_tried'], 1):5.1f} %  {outcome}")
    if report["crashes"] or report["hangs"] or report["memory"]:
        print(f"inputs saved under {report['findings']}")


def replay(args) -> int:
    worker, index = (int(x) for x in args.replay.split(":"))
    pool = build_pool(Path(args.corpus), args.seed, args.format)
    data = make_input(pool, args.seed, worker, index, args.format)
    print(f"input {args.replay}: {len(data):,} bytes, sha256 {hashlib.sha256(data).hexdigest()}")
    started = time.perf_counter()
    outcome, text = run_one(data, input_name(args.format))
    print(f"{outcome} in {time.perf_counter() - started:.3f} s")
    if text:
        print(text)
    return 0 if text is None else 1


if __name__ == "__main__":
    sys.exit(main())
