#!/usr/bin/env python3
"""Size and time of ``lactlog report`` over a 1,000-session season, and its load time in
headless Chromium.

The season is bench/batch.py's: N distinct one-hour sessions (runs with HR, rides with power +
HR, two a day) written by lactlog's FIT writer. Then ``lactlog report FOLDER -o season.html``
runs as a subprocess twice with a fresh cache dir (cold: everything decoded and analysed;
warm: the summaries from the cache, only the series re-read). Reported: the file size (target
< ~10 MB), the generation times, and — when ``chromium`` is installed — the time from
navigation start to the load event and to the first paint after it, as the page itself measures
them (Navigation Timing), plus Chromium's wall time (start-up included) against an empty page.

Usage: python bench/report.py [--files N] [--jobs J] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from batch import build_batch

TIMING = """<script>addEventListener("load", () => setTimeout(() => {
  const t = performance.getEntriesByType("navigation")[0];
  const pre = document.createElement("pre"); pre.id = "timing";
  pre.textContent = JSON.stringify({load_ms: t.loadEventStart, dom_ms: t.domContentLoadedEventEnd,
    nodes: document.getElementsByTagName("*").length});
  document.body.append(pre); }, 0));</script>"""


def run_report(folder: Path, out: Path, cache_dir: Path, jobs: int | None) -> tuple[float, int, str]:
    command = [sys.executable, "-m", "lactlog", "report", str(folder), "-o", str(out)]
    if jobs:
        command += ["--jobs", str(jobs)]
    env = {**os.environ, "LACTLOG_CACHE_DIR": str(cache_dir),
           "LACTLOG_CONFIG": str(cache_dir / "no-profile.toml")}
    started = time.perf_counter()
    done = subprocess.run(command, check=False, env=env, capture_output=True, text=True)
    return time.perf_counter() - started, done.returncode, done.stderr.strip()[-300:]


def chromium_dump(chromium: str, page: Path, profile: Path) -> tuple[float, str]:
    command = [chromium, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
               f"--user-data-dir={profile}", "--host-resolver-rules=MAP * ~NOTFOUND",
               "--window-size=1000,2000", "--dump-dom", page.as_uri()]
    started = time.perf_counter()
    done = subprocess.run(command, check=False, capture_output=True, text=True, timeout=300)
    return time.perf_counter() - started, done.stdout


def browser_times(chromium: str, report: Path, root: Path) -> None:
    html = report.read_text(encoding="utf-8")
    policy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    timed = root / "timed.html"
    timed.write_text(html.replace(policy, policy + "; script-src 'unsafe-inline'")
                     .replace("</body>", TIMING + "</body>"), encoding="utf-8")
    empty = root / "empty.html"
    empty.write_text("<!DOCTYPE html><title>empty</title><p>empty</p>")
    base_s, _ = chromium_dump(chromium, empty, root / "profile")
    wall_s, dom = chromium_dump(chromium, timed, root / "profile")
    found = re.search(r'<pre id="timing">(.*?)</pre>', dom)
    timing = json.loads(found.group(1).replace("&quot;", '"')) if found else {}
    print(f"chromium: load event {timing.get('load_ms', float('nan')) / 1000:.2f} s after "
          f"navigation (DOMContentLoaded {timing.get('dom_ms', float('nan')) / 1000:.2f} s, "
          f"{timing.get('nodes', 0):,} elements); wall {wall_s:.1f} s incl. start-up and DOM "
          f"dump, empty page {base_s:.1f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=None, help="lactlog --jobs (default: cores)")
    parser.add_argument("--keep", type=Path, help="build the season here and keep it")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="lactlog-bench-report-"))
    folder = args.keep or root / "season"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        if not any(folder.glob("*.fit")):
            build_s = build_batch(folder, args.files, os.cpu_count() or 1)
            print(f"built {args.files} one-hour sessions in {build_s:.1f} s ({folder})")
        n_files = len(list(folder.glob("*.fit")))
        print(f"season: {n_files} files, {os.cpu_count()} cores")
        out, cache = root / "season.html", root / "cache"
        for label in ("cold", "warm"):
            seconds, code, tail = run_report(folder, out, cache, args.jobs)
            print(f"lactlog report ({n_files} sessions), {label}: {seconds:6.2f} s  exit {code}")
            if code != 0:
                print(tail)
                return 1
        size = out.stat().st_size
        print(f"report: {size / 1e6:.2f} MB ({size / n_files / 1e3:.1f} kB per session)")
        chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        if chromium:
            browser_times(chromium, out, root)
        else:
            print("chromium not installed: no browser load time")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
