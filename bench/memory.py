"""Peak memory of ``lactlog analyze --json`` on a big file, run end to end in a subprocess.

Usage::

    python bench/memory.py                       # the corpus' 27.8-hour, 100k-record file
    python bench/memory.py some.fit --limit-mb 300 --repeat 3

The command is ``python -m lactlog analyze --json --no-cache FILE`` (one file: analysed in the
process itself, no worker pool). Peak RSS is the high-water mark of the child's resident
memory, imports included: on Linux its ``VmHWM`` (``/proc/self/status``, read at exit), since
``ru_maxrss`` from ``os.wait4`` starts at the *parent's* high-water mark (Linux keeps it across
fork and exec: inside a long pytest run it reported 850 MB for a 125 MB child); elsewhere the
child's ``ru_maxrss``. Exit status 0 when every run stays
under ``--limit-mb`` (default 500) and printed valid JSON with at least one session.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FILE = ROOT.parent / "shared" / "corpus" / "fit" / "muktihari__big_activity.fit"


#: Runs ``python -m lactlog ARGS`` and, at exit, writes the process' own VmHWM to stderr.
_HWM_WRAPPER = """
import atexit, runpy, sys
def _report():
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    sys.stderr.write("\\n" + _MARK + " " + line.split()[1] + "\\n")
    except OSError:
        pass
atexit.register(_report)
sys.argv = ["lactlog", *sys.argv[1:]]
runpy.run_module("lactlog", run_name="__main__", alter_sys=True)
"""
_MARK = "lactlog-bench-vmhwm-kib"


def peak_rss(command: list[str], env: dict[str, str] | None = None) -> dict:
    """Run ``command``; return its exit code, peak RSS [bytes], wall time [s] and stdout.

    A ``python -m lactlog ...`` command runs through :data:`_HWM_WRAPPER` where ``/proc`` exists,
    so the peak is the child's own ``VmHWM``, not one inherited from this process."""
    use_hwm = command[1:3] == ["-m", "lactlog"] and os.path.exists("/proc/self/status")
    if use_hwm:
        command = [command[0], "-c", f"_MARK = {_MARK!r}\n" + _HWM_WRAPPER, *command[3:]]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
        peak_bytes = usage.ru_maxrss * scale
        stderr = err.read().decode("utf-8", "replace")
        if use_hwm and _MARK in stderr:
            stderr, _, reported = stderr.rpartition(_MARK)
            peak_bytes = int(reported.split()[0]) * 1024
            stderr = stderr.rstrip("\n")
        return {
            "returncode": process.returncode,
            "peak_rss_bytes": peak_bytes,
            "seconds": elapsed,
            "stdout": out.read().decode("utf-8", "replace"),
            "stderr": stderr,
        }


def analyze_command(path: Path) -> list[str]:
    return [sys.executable, "-m", "lactlog", "analyze", "--json", "--no-cache", str(path)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", nargs="?", default=str(DEFAULT_FILE))
    parser.add_argument("--limit-mb", type=float, default=500.0)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)
    path = Path(args.file)
    if not path.is_file():
        print(f"{path} not found; nothing to measure", file=sys.stderr)
        return 0
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, LACTLOG_CONFIG=str(Path(home) / "profile.toml"))
        ok = True
        for run in range(1, args.repeat + 1):
            result = peak_rss(analyze_command(path), env)
            sessions = _sessions(result["stdout"])
            peak_mb = result["peak_rss_bytes"] / 2**20
            within = peak_mb < args.limit_mb and result["returncode"] in (0, 1) and sessions
            ok &= bool(within)
            print(
                f"run {run}: peak RSS {peak_mb:,.1f} MB (limit {args.limit_mb:,.0f}), "
                f"{result['seconds']:.2f} s wall, exit {result['returncode']}, "
                f"{sessions} session(s), {path.stat().st_size / 2**20:.1f} MB input"
            )
            if not sessions:
                print(result["stderr"][-2000:], file=sys.stderr)
    return 0 if ok else 1


def _sessions(stdout: str) -> int:
    try:
        return len(json.loads(stdout)["sessions"])
    except (ValueError, KeyError, TypeError):
        return 0


if __name__ == "__main__":
    sys.exit(main())
