#!/usr/bin/env python3
"""Cold and warm wall time of ``lactlog week`` over a batch of 1,000 one-hour sessions.

The batch is built in a temporary folder: N distinct 1-h sessions (runs with HR, rides with
power + HR; different days, seeds and devices) written by lactlog's own FIT writer, in parallel.
Then ``lactlog week FOLDER --json`` runs as a subprocess three times with a fresh cache dir:

- cold: empty cache (every file decoded and analysed, in the process pool);
- warm: the same command again (nothing decoded);
- warm again (to show it is stable).

Also times ``lactlog week sample_data/`` (cold and warm). Targets (issue): cold ≤ 15 s, warm
≤ 1 s for 1,000 files on a 2-core machine; sample data < 1 s.

Usage: python bench/batch.py [--files N] [--jobs J] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

REPO_ROOT = Path(__file__).resolve().parents[1]


def one_hour_session(index: int) -> bytes:
    """A distinct 1-h session: odd indices are rides with power, even ones runs with HR."""
    from lactlog.testing import AthleteSettings, DeviceSpec, write_activity

    rng = np.random.default_rng(index)
    start = pd.Timestamp("2024-01-01T06:00Z") + pd.Timedelta(days=index // 2, hours=(index % 2) * 9)
    n = 3600
    t = np.arange(n)
    hard = ((t // 180) % 3 == 0) & (t > 600) & (t < 3000)  # 3-min efforts every 9 min
    heart_rate = 135 + 30 * pd.Series(hard.astype(float)).ewm(span=40).mean().to_numpy()
    heart_rate = np.round(heart_rate + rng.normal(0, 2, n))
    columns = {"heart_rate_bpm": heart_rate}
    ride = index % 2 == 1
    if ride:
        columns["power_w"] = np.round(np.where(hard, 290, 180) + rng.normal(0, 25, n)).clip(0)
        columns["cadence_rpm"] = np.round(88 + rng.normal(0, 3, n))
        speed = np.full(n, 8.5)
    else:
        speed = np.where(hard, 4.4, 3.2) + rng.normal(0, 0.1, n)
    columns["speed_mps"] = np.round(speed, 3)
    columns["distance_m"] = np.round(np.cumsum(columns["speed_mps"]), 2)
    samples = pd.DataFrame(columns, index=pd.date_range(start, periods=n, freq="s"))
    device = DeviceSpec(product="edge_840" if ride else "fr965", serial_number=100000 + index)
    # the device knows the athlete's thresholds, so the full lactate analysis runs
    athlete = AthleteSettings(threshold_heart_rate_bpm=160, functional_threshold_power_w=260,
                              max_heart_rate_bpm=190, resting_heart_rate_bpm=50)
    return write_activity(samples, sport="cycling" if ride else "running",
                          sub_sport="road" if ride else "street", device=device, athlete=athlete)


def _write(args: tuple[Path, int]) -> None:
    folder, index = args
    (folder / f"session-{index:05d}.fit").write_bytes(one_hour_session(index))


def build_batch(folder: Path, n_files: int, jobs: int) -> float:
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(_write, [(folder, i) for i in range(n_files)], chunksize=16))
    return time.perf_counter() - started


def run_week(folder: Path, cache_dir: Path, jobs: int | None) -> tuple[float, int, str]:
    command = [sys.executable, "-m", "lactlog", "week", str(folder), "--json"]
    if jobs:
        command += ["--jobs", str(jobs)]
    env = {**os.environ, "LACTLOG_CACHE_DIR": str(cache_dir),
           "LACTLOG_CONFIG": str(cache_dir / "no-profile.toml")}
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    return time.perf_counter() - started, done.returncode, done.stderr.strip()[-300:]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=None, help="lactlog --jobs (default: cores)")
    parser.add_argument("--keep", type=Path, help="build the batch here and keep it")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="lactlog-bench-"))
    folder = args.keep or root / "batch"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        if not any(folder.glob("*.fit")):
            build_s = build_batch(folder, args.files, os.cpu_count() or 1)
            print(f"built {args.files} one-hour sessions in {build_s:.1f} s ({folder})")
        size_mb = sum(p.stat().st_size for p in folder.glob("*.fit")) / 1e6
        print(f"batch: {len(list(folder.glob('*.fit')))} files, {size_mb:.0f} MB, "
              f"{os.cpu_count()} cores")
        cache = root / "cache"
        for label in ("cold", "warm", "warm again"):
            seconds, code, tail = run_week(folder, cache, args.jobs)
            print(f"lactlog week (1,000-file batch), {label:10s}: {seconds:6.2f} s  exit {code}")
            if code not in (0, 1):
                print(tail)
        sample_cache = root / "sample-cache"
        for label in ("cold", "warm"):
            seconds, code, _ = run_week(REPO_ROOT / "sample_data", sample_cache, args.jobs)
            print(f"lactlog week sample_data/, {label:4s}: {seconds:5.2f} s  exit {code}")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
