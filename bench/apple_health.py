"""Time and peak memory of reading a generated Apple Health export.xml of about SIZE MB.

    python bench/apple_health.py            # ~200 MB, one 45-min run a day, HR every 5 s
    python bench/apple_health.py --mb 50

The export is written to a temporary folder by lactlog.testing.bulk_exports (records first,
then workouts, as Apple orders them), then read by ``lactlog.io.read`` in a fresh process whose
peak resident set size (``ru_maxrss``) is reported beside the baseline of the imports alone.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from lactlog.testing.bulk_exports import write_apple_health_xml

#: One day of heart rate every 5 s is about 4.1 MB of export.xml.
_MB_PER_DAY = 4.1

_CHILD = """
import json, resource, sys, time
import lactlog.io, lactlog.io.apple_health, lactlog.io.gpx
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
activities = lactlog.io.read(sys.argv[1])
print(json.dumps({"seconds": time.perf_counter() - start, "sessions": len(activities),
                  "samples": sum(len(a.samples) for a in activities),
                  "baseline_rss_mb": baseline / 1024,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=200.0, help="approximate size [MB]")
    args = parser.parse_args(argv)
    days = max(1, round(args.mb / _MB_PER_DAY))
    first = pd.Timestamp("2024-05-01T05:00:00Z")
    workouts = tuple(
        ("Running", (first + pd.Timedelta(days=d)).isoformat(), 45, 160.0, False)
        for d in range(days)
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.xml"
        start = time.perf_counter()
        with path.open("wb") as handle:
            write_apple_health_xml(handle, days=days, hr_every_s=5, workouts=workouts)
        written_s = time.perf_counter() - start
        done = subprocess.run([sys.executable, "-c", _CHILD, str(path)], capture_output=True,
                              text=True, check=True)
        result = json.loads(done.stdout)
        result.update(file_mb=path.stat().st_size / 2**20, days=days, generate_s=written_s)
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
